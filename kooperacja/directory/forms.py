"""Forms of the directory pages. They validate input; the writes happen in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kooperacja.core.forms import AccessibleFormMixin
from kooperacja.directory import selectors
from kooperacja.directory.models import (
    CapacityStatus,
    CooperationAgreement,
    Institution,
    Location,
    Partnership,
    Sector,
    Service,
    ServiceStatus,
    TaxonomyTerm,
)
from kooperacja.directory.uploads import max_upload_bytes, validate_signed_file
from kooperacja.territory.models import Gmina


def _formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


# Service status labels with a context: "active" alone is already translated by django.contrib.auth (as masculine).
SERVICE_STATUS_LABELS = {
    ServiceStatus.ACTIVE: pgettext_lazy("service status", "active"),
    ServiceStatus.INACTIVE: pgettext_lazy("service status", "inactive"),
    ServiceStatus.DEFUNCT: pgettext_lazy("service status", "defunct"),
    ServiceStatus.TEMPORARILY_CLOSED: pgettext_lazy("service status", "temporarily closed"),
}


def term_name(term: TaxonomyTerm) -> str:
    """A taxonomy term in the current language (terms are stored in Polish, with an English name)."""
    return name_in_language(term.name, term.name_en)


def name_in_language(name: str, name_en: str) -> str:
    if (get_language() or "pl").startswith("en") and name_en:
        return name_en
    return name


class TermsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return term_name(obj)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# --- search ---------------------------------------------------------------------------------------------------------


class InlineOptionsSelect(forms.Select):
    """A select rendered by one template instead of two included templates per option: the same HTML, a third of
    the time; the search form's three selects have 30 options on every search page."""

    template_name = "directory/widgets/select.html"


class SearchForm(AccessibleFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), required=False, widget=InlineOptionsSelect)
    domain = forms.ChoiceField(label=_("Domain of social services"), required=False, widget=InlineOptionsSelect)
    gmina = forms.CharField(
        label=_("Gmina"),
        required=False,
        max_length=100,
        help_text=_("Name or TERYT code, e.g. 2411011"),
    )
    capacity = forms.ChoiceField(label=_("Capacity"), required=False, widget=InlineOptionsSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("all"))]
        self.fields["sector"].choices = everything + list(Sector.choices)
        # Three columns as values, not 14 model instances: the form is built on every search page.
        self.fields["domain"].choices = everything + [
            (str(pk), name_in_language(name, name_en))
            for pk, name, name_en in selectors.domain_terms().values_list("pk", "name", "name_en")
        ]
        self.fields["capacity"].choices = everything + list(CapacityStatus.choices)

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {name: self.cleaned_data.get(name) or "" for name in ("q", "sector", "domain", "gmina", "capacity")}


# --- institutions, services, locations ------------------------------------------------------------------------------


class InstitutionForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        formfield_callback = _formfield
        model = Institution
        fields = [
            "name",
            "short_name",
            "description",
            "street",
            "postal_code",
            "city",
            "email",
            "phone",
            "website",
            "opening_hours",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "opening_hours": forms.Textarea(attrs={"rows": 3})}


class ServiceForm(AccessibleFormMixin, forms.ModelForm):
    domains = TermsField(
        label=_("Domains of social services"),
        queryset=selectors.domain_terms(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sectors = TermsField(
        label=_("Sectors"), queryset=selectors.sector_terms(), required=False, widget=forms.CheckboxSelectMultiple
    )
    eligible_gminy = forms.ModelMultipleChoiceField(
        label=_("Gminy served"),
        queryset=Gmina.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty when the service is open to residents of any gmina."),
    )

    class Meta:
        formfield_callback = _formfield
        model = Service
        fields = [
            "name",
            "alternate_name",
            "description",
            "status",
            "minimum_age",
            "maximum_age",
            "eligibility_description",
            "application_process",
            "languages",
            "is_free",
            "fees_description",
            "capacity_status",
            "expected_wait_days",
            "url",
            "email",
            "phone",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "eligibility_description": forms.Textarea(attrs={"rows": 3}),
            "application_process": forms.Textarea(attrs={"rows": 3}),
            "fees_description": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"expected_wait_days": _("Required when the service has a waitlist.")}

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = list(SERVICE_STATUS_LABELS.items())  # type: ignore[attr-defined]
        self.fields["eligible_gminy"].queryset = selectors.gminy_for_service_form(institution=institution)  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            terms = list(self.instance.terms.select_related("taxonomy"))
            codes = {t.pk: (t.taxonomy.code if t.taxonomy else "") for t in terms}
            self.initial["domains"] = [pk for pk, code in codes.items() if code == selectors.DOMAINS_TAXONOMY]
            self.initial["sectors"] = [pk for pk, code in codes.items() if code == selectors.SECTORS_TAXONOMY]
            self.initial["eligible_gminy"] = [g.pk for g in self.instance.eligible_gminy.all()]
        self._describe()

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}

    def terms(self) -> list[Any]:
        return [*self.cleaned_data.get("domains", []), *self.cleaned_data.get("sectors", [])]


class LocationForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        formfield_callback = _formfield
        model = Location
        fields = [
            "name",
            "description",
            "street",
            "postal_code",
            "city",
            "gmina",
            "accessibility",
            "opening_hours",
            "latitude",
            "longitude",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "accessibility": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gmina"].queryset = selectors.gminy_for_service_form(institution=institution)  # type: ignore[attr-defined]

    def location_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}


# --- partnerships ---------------------------------------------------------------------------------------------------


class PartnershipForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        formfield_callback = _formfield
        model = Partnership
        fields = ["name", "description", "county", "established_on", "ended_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "established_on": DateInput(),
            "ended_on": DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        gmina = self.instance.gmina
        self.fields["county"].queryset = selectors.counties().filter(voivodeship_id=gmina.voivodeship_id)  # type: ignore[attr-defined]


class MemberAddForm(AccessibleFormMixin, forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Institution.objects.none())
    joined_on = forms.DateField(label=_("Joined on"), widget=DateInput())

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = selectors.institutions_near(partnership=partnership)  # type: ignore[attr-defined]
        self._describe()


class MemberLeaveForm(AccessibleFormMixin, forms.Form):
    left_on = forms.DateField(label=_("Left on"), widget=DateInput())


class RepresentativeForm(AccessibleFormMixin, forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    function = forms.CharField(label=_("Function"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


class AgreementForm(AccessibleFormMixin, forms.ModelForm):
    parties = forms.ModelMultipleChoiceField(
        label=_("Parties"), queryset=Institution.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    upload = forms.FileField(
        label=_("Signed file"),
        required=False,
        help_text="",
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    class Meta:
        formfield_callback = _formfield
        model = CooperationAgreement
        fields = ["title", "signed_on", "valid_from", "valid_until", "scope", "legal_basis_text"]
        widgets = {
            "signed_on": DateInput(),
            "valid_from": DateInput(),
            "valid_until": DateInput(),
            "scope": forms.Textarea(attrs={"rows": 4}),
            "legal_basis_text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = (  # type: ignore[attr-defined]
            Institution.objects.filter(partnership_memberships__partnership=partnership).distinct().order_by("name")
        )
        self.fields["upload"].help_text = _("PDF, JPEG or PNG, at most %(limit)d MB.") % {
            "limit": max_upload_bytes() // (1024 * 1024)
        }
        if self.instance.pk and not self.is_bound:
            self.initial["parties"] = [p.pk for p in self.instance.parties.all()]
        self._describe()

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        if upload:
            try:
                validate_signed_file(upload)
            except forms.ValidationError as exc:
                raise forms.ValidationError(exc.message_dict["signed_file"]) from exc
        return upload or None

    def agreement_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
