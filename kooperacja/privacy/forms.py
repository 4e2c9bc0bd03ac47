"""Forms of the privacy pages. They validate input; the writes happen in services."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kooperacja.core.forms import AccessibleFormMixin
from kooperacja.directory.models import Institution
from kooperacja.directory.uploads import SIGNATURES, max_upload_bytes
from kooperacja.privacy.models import (
    Breach,
    DataCategory,
    LegalBasis,
    ProcessingActivity,
    RetentionRule,
    SubjectRequest,
)

User = get_user_model()
ACCEPT_ATTRIBUTE = ",".join(f".{extension}" for extension in SIGNATURES)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


class InstitutionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class InstitutionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class BasisChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} — {obj.title}"


def categories_field(label: Any, required: bool = True, help_text: Any = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=required,
        help_text=help_text,
    )


class ConsentForm(AccessibleFormMixin, forms.Form):
    recorded_by_institution = InstitutionChoiceField(
        label=_("Recorded by (your institution)"), queryset=Institution.objects.none(), empty_label=None
    )
    recipients = InstitutionsField(
        label=_("Recipient institutions"),
        queryset=Institution.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The institutions of the partnership and of the directory that may receive the data."),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the data will be shared for, as the person agreed to it."),
    )
    categories = categories_field(_("Data categories"))
    given_on = forms.DateField(label=_("Given on"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"), widget=DateInput(), required=False, help_text=_("Leave empty: until withdrawn.")
    )
    document = forms.FileField(
        label=_("Signed document"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        help_text=_("PDF, JPEG or PNG, at most %(mb)d MB.") % {"mb": max_upload_bytes() // (1024 * 1024)},
    )
    recorded_orally_by = UserChoiceField(
        label=_("Or: recorded orally by"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("The worker who heard the consent given orally (when there is no signed document)."),
    )

    def __init__(self, *args: Any, institutions: Any, recipients: Any, workers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recorded_by_institution"].queryset = institutions  # type: ignore[attr-defined]
        self.fields["recipients"].queryset = recipients  # type: ignore[attr-defined]
        self.fields["recorded_orally_by"].queryset = workers  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("given_on", timezone.localdate())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("document")) == bool(data.get("recorded_orally_by")):
            self.add_error(
                "document", _("Attach the signed document or say who recorded the consent orally (one of the two).")
            )
        return data


class ReportForm(AccessibleFormMixin, forms.Form):
    include_usernames = forms.BooleanField(
        label=_("Name the individual users who read the data"),
        required=False,
        help_text=_(
            "Not as a rule: the person is entitled to know the institution and the reader's position (CJEU C-579/21). "
            "Include user names only when the request requires it."
        ),
    )


class _DpoForm(AccessibleFormMixin, forms.ModelForm):
    institution = InstitutionChoiceField(label=_("Institution"), queryset=Institution.objects.none(), empty_label=None)

    def __init__(self, *args: Any, institutions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]
        if self.instance.pk is not None:
            # The register entry stays with its institution.
            del self.fields["institution"]
        elif institutions.count() == 1:
            self.fields["institution"].initial = institutions.first()
            self.fields["institution"].widget = forms.HiddenInput()

    def values(self) -> dict[str, Any]:
        """The cleaned values of the model's own fields (no institution, no many-to-many)."""
        skip = {"institution", *self.many_to_many()}
        return {name: value for name, value in self.cleaned_data.items() if name not in skip}

    def many_to_many(self) -> list[str]:
        return []

    def _post_clean(self) -> None:
        # Model validation happens in the service (full_clean), which reports its errors back to the form.
        pass


class ProcessingActivityForm(_DpoForm):
    data_categories = categories_field(_("Categories of personal data"), required=False)
    legal_bases = BasisChoiceField(
        label=_("Legal bases"),
        queryset=LegalBasis.objects.filter(active=True).order_by("kind", "code"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ProcessingActivity
        fields = [
            "institution",
            "name",
            "purposes",
            "legal_bases",
            "data_subject_categories",
            "data_categories",
            "other_data_categories",
            "recipients",
            "transfers",
            "retention",
            "security_measures",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "purposes",
                "data_subject_categories",
                "other_data_categories",
                "recipients",
                "transfers",
                "retention",
                "security_measures",
            )
        }

    def many_to_many(self) -> list[str]:
        return ["legal_bases"]


class BreachForm(_DpoForm):
    discovered_at = forms.DateTimeField(
        label=_("Discovered at"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )
    reported_to_uodo_at = forms.DateTimeField(
        label=_("Reported to UODO at"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS, required=False
    )
    persons_notified_at = forms.DateTimeField(
        label=_("Persons concerned notified at"),
        widget=DateTimeInput(),
        input_formats=DATETIME_FORMATS,
        required=False,
    )
    data_categories = categories_field(_("Categories of data concerned"))

    class Meta:
        model = Breach
        fields = [
            "institution",
            "discovered_at",
            "description",
            "data_categories",
            "approx_persons",
            "consequences",
            "measures",
            "reported_to_uodo_at",
            "not_reported_reason",
            "persons_notified_at",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("description", "consequences", "measures", "not_reported_reason")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        discovered = data.get("discovered_at")
        if discovered and discovered > timezone.now():
            self.add_error("discovered_at", _("The breach cannot be discovered in the future."))
        reported = data.get("reported_to_uodo_at")
        if discovered and reported and reported < discovered:
            self.add_error("reported_to_uodo_at", _("The report cannot precede the discovery."))
        return data


class SubjectRequestForm(_DpoForm):
    received_on = forms.DateField(label=_("Received on"), widget=DateInput())
    answered_on = forms.DateField(label=_("Answered on"), widget=DateInput(), required=False)
    person_ref = forms.CharField(
        label=_("Person record id"),
        required=False,
        max_length=36,
        help_text=_("Optional: the id of the person's record, to prepare the report of art. 15."),
    )

    class Meta:
        model = SubjectRequest
        fields = [
            "institution",
            "kind",
            "received_on",
            "requester",
            "person_ref",
            "extended",
            "extension_reason",
            "status",
            "answered_on",
            "answer",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ("extension_reason", "answer")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and self.instance.person_id:
            self.initial.setdefault("person_ref", str(self.instance.person_id))

    def clean_person_ref(self) -> uuid.UUID | None:
        value = (self.cleaned_data.get("person_ref") or "").strip()
        if not value:
            return None
        try:
            return uuid.UUID(value)
        except ValueError as exc:
            raise forms.ValidationError(_("Enter the id of a person's record (a UUID).")) from exc

    def clean_received_on(self) -> datetime.date:
        value = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("A request cannot be received in the future."))
        return value

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["person_id"] = values.pop("person_ref", None)
        return values


class RetentionRuleForm(_DpoForm):
    class Meta:
        model = RetentionRule
        fields = ["institution", "record_type", "period_years", "basis"]


class AccessLogFilterForm(AccessibleFormMixin, forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    username = forms.CharField(label=_("User name"), required=False, max_length=150)
    person = forms.UUIDField(label=_("Person record id"), required=False)
