"""Forms of the people context. They validate the input (PESEL and its consistency with the birth date and sex
included) and hand plain values to the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kooperacja.core.forms import AccessibleFormMixin
from kooperacja.directory.models import Institution
from kooperacja.people.models import Relation, Sex
from kooperacja.people.pesel import pesel_clean, pesel_consistency_errors, pesel_validate
from kooperacja.territory.models import Gmina


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class SearchForm(AccessibleFormMixin, forms.Form):
    q = forms.CharField(
        label=_("First and last name"),
        required=False,
        max_length=200,
        help_text=_("A fragment of the first or last name; letters with or without Polish diacritics."),
    )
    pesel = forms.CharField(label=_("PESEL"), required=False, max_length=20, help_text=_("The exact number."))


class PersonForm(AccessibleFormMixin, forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Recording institution"), queryset=Institution.objects.none(), required=False
    )
    first_name = forms.CharField(label=_("First name"), max_length=100)
    second_name = forms.CharField(label=_("Second name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    family_name = forms.CharField(label=_("Family name (maiden name)"), max_length=150, required=False)
    pesel = forms.CharField(
        label=_("PESEL"),
        max_length=20,
        required=False,
        help_text=_("Optional. When given, it must agree with the birth date and sex (empty ones are filled from it)."),
    )
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput())
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    citizenship = forms.CharField(label=_("Citizenship"), max_length=60, required=False, initial="polskie")
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=6, required=False)
    town = forms.CharField(label=_("Town"), max_length=100, required=False)
    gmina = forms.ModelChoiceField(label=_("Gmina"), queryset=Gmina.objects.order_by("name", "code"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    # Hidden until the form has shown candidate duplicates (see `show_duplicate_confirmation`).
    confirm_not_duplicate = forms.BooleanField(
        label=_("This is a different person: record a new one"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, institutions: list[Institution] | None = None, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if editing or not institutions or len(institutions) == 1:
            del self.fields["institution"]
        else:
            self.fields["institution"].queryset = Institution.objects.filter(pk__in=[i.pk for i in institutions])
            self.fields["institution"].required = True
        if editing:
            del self.fields["confirm_not_duplicate"]
            self.fields["pesel"].help_text = _("Leave as it is to keep the stored number; clear it to remove it.")
        self._describe()

    def show_duplicate_confirmation(self) -> None:
        self.fields["confirm_not_duplicate"].widget = forms.CheckboxInput()
        self._describe()

    def clean_pesel(self) -> str:
        value = pesel_clean(self.cleaned_data.get("pesel", ""))
        return pesel_validate(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number = data.get("pesel")
        if number:
            for name, message in pesel_consistency_errors(
                number, birth_date=data.get("birth_date"), sex=data.get("sex", "")
            ).items():
                self.add_error(name, message)
        return data

    def person_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data.get(name) for name in self.fields if name not in ("institution", "confirm_not_duplicate")}
        values = {
            name: ("" if value is None and name not in ("birth_date", "gmina") else value)
            for name, value in values.items()
        }
        return values


class HouseholdForm(AccessibleFormMixin, forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Recording institution"), queryset=Institution.objects.none(), required=False
    )
    name = forms.CharField(
        label=_("Name of the household"),
        max_length=200,
        help_text=_("How the workers call it, e.g. 'rodzina Nowaków'."),
    )
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=6, required=False)
    town = forms.CharField(label=_("Town"), max_length=100, required=False)
    gmina = forms.ModelChoiceField(label=_("Gmina"), queryset=Gmina.objects.order_by("name", "code"), required=False)

    def __init__(self, *args: Any, institutions: list[Institution] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not institutions or len(institutions) == 1:
            del self.fields["institution"]
        else:
            self.fields["institution"].queryset = Institution.objects.filter(pk__in=[i.pk for i in institutions])
            self.fields["institution"].required = True
        self._describe()


class MemberAddForm(AccessibleFormMixin, forms.Form):
    person = forms.TypedChoiceField(label=_("Person"), choices=[], coerce=str)
    relation = forms.ChoiceField(label=_("Relation"), choices=Relation.choices)
    since = forms.DateField(label=_("Since"), required=False, widget=DateInput())

    def __init__(self, *args: Any, persons: list[Any] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [
            (str(p.pk), f"{p.last_name} {p.first_name}" + (f" ({p.birth_date:%Y})" if p.birth_date else ""))
            for p in persons or []
        ]
        self._describe()


class MemberEndForm(AccessibleFormMixin, forms.Form):
    until = forms.DateField(label=_("Left the household on"), widget=DateInput())


class MergeForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why these are one person"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=True,
        max_length=2000,
        help_text=_("Kept with the merge; do not write personal data beyond what is needed."),
    )
    confirm = forms.BooleanField(label=_("I checked both records: they describe the same person"))


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's validation errors on the form's fields (or on the whole form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error.messages)
    else:
        form.add_error(None, exc.messages)
