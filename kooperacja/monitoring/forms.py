"""Forms of the pilots and dashboard pages. They validate input; the writes happen in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kooperacja.accounts.models import User
from kooperacja.core.forms import AccessibleFormMixin
from kooperacja.directory.models import Institution, InstitutionKind
from kooperacja.directory.uploads import validate_signed_file
from kooperacja.monitoring.indicators import REGISTRY, Period
from kooperacja.monitoring.models import CustomIndicator, ModelVariant, Pilot, PilotStatus, Project, SupportActivity
from kooperacja.monitoring.policies import MonitoringScope
from kooperacja.territory.models import County, Gmina, GminaKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DashboardFilterForm(AccessibleFormMixin, forms.Form):
    variant = forms.ChoiceField(
        label=_("Model variant"), required=False, choices=[("", _("all variants")), *ModelVariant.choices]
    )
    kind = forms.ChoiceField(label=_("Gmina kind"), required=False, choices=[("", _("all kinds")), *GminaKind.choices])
    period = forms.CharField(
        label=_("Period"),
        required=False,
        max_length=7,
        help_text=_("A month (2026-07) or a quarter (2026-Q3); empty for the figures as of today."),
    )

    def clean_period(self) -> Period | None:
        code = self.cleaned_data.get("period") or ""
        if not code:
            return None
        try:
            return Period.parse(code)
        except ValueError as exc:
            raise forms.ValidationError(_("Give a month (2026-07) or a quarter (2026-Q3).")) from exc


class PilotStatusFilterForm(DashboardFilterForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all statuses")), *PilotStatus.choices]
    )


class GminaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_kind_display()}) — {obj.code}"


class PilotForm(AccessibleFormMixin, forms.ModelForm):
    """A pilot; the gminy, counties and ROPS offered are those of the voivodeships the actor may write."""

    gmina = GminaChoiceField(label=_("Gmina"), queryset=Gmina.objects.none())
    signed_file = forms.FileField(
        label=_("Signed agreement"),
        required=False,
        help_text=_("PDF, JPEG or PNG. Kept private: only those who may see the pilot can download it."),
    )

    class Meta:
        model = Pilot
        fields = [
            "gmina",
            "county",
            "variant",
            "rops",
            "project",
            "agreement_signed_on",
            "started_on",
            "ended_on",
            "funding_amount",
            "status",
            "facilitators",
            "facilitator_names",
            "model_expert",
            "model_expert_name",
        ]
        widgets = {
            "agreement_signed_on": DateInput(),
            "started_on": DateInput(),
            "ended_on": DateInput(),
            "facilitators": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args: Any, scope: MonitoringScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        voivodeships = None if scope.write_everywhere else scope.write_voivodeship_ids
        gminy = Gmina.objects.select_related("voivodeship").order_by("name")
        counties = County.objects.order_by("name")
        rops = Institution.objects.filter(kind=InstitutionKind.ROPS).order_by("name")
        users = User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")
        if voivodeships is not None:
            gminy = gminy.filter(voivodeship_id__in=voivodeships)
            counties = counties.filter(voivodeship_id__in=voivodeships)
            rops = rops.filter(voivodeship_id__in=voivodeships)
            users = users.filter(memberships__institution__voivodeship_id__in=voivodeships).distinct()
        self.fields["gmina"].queryset = gminy  # type: ignore[attr-defined]
        self.fields["county"].queryset = counties  # type: ignore[attr-defined]
        self.fields["rops"].queryset = rops  # type: ignore[attr-defined]
        self.fields["project"].queryset = Project.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["facilitators"].queryset = users  # type: ignore[attr-defined]
        self.fields["model_expert"].queryset = users  # type: ignore[attr-defined]
        self.fields["funding_amount"].widget.attrs["inputmode"] = "decimal"

    def clean_signed_file(self) -> Any:
        upload = self.cleaned_data.get("signed_file")
        if upload:
            try:
                validate_signed_file(upload)
            except forms.ValidationError as exc:
                raise forms.ValidationError(exc.message_dict.get("signed_file", exc.messages)) from exc
        return upload


class SupportActivityForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = SupportActivity
        fields = ["kind", "given_on", "hours", "given_by", "for_whom"]
        widgets = {"given_on": DateInput()}
        help_texts = {
            "given_by": _("Who gave the support, e.g. the regional cooperation facilitator or a supervisor."),
            "for_whom": _("For whom, e.g. the partnership team, the social workers of the OPS."),
        }


class CompareForm(forms.Form):
    gmina = forms.MultipleChoiceField(label=_("Gminy to compare"), required=False)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gmina"].choices = choices  # type: ignore[attr-defined]


class CustomIndicatorForm(AccessibleFormMixin, forms.ModelForm):
    """A custom indicator: a target and either a value typed in or one computed from the platform's data."""

    computed_key = forms.ChoiceField(label=_("Computed from"), required=False)

    class Meta:
        model = CustomIndicator
        fields = ["name", "unit", "target", "manual_value", "computed_key"]
        help_texts = {
            "manual_value": _("Leave empty when the value is computed."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["computed_key"].choices = [  # type: ignore[attr-defined]
            ("", _("— typed in —")),
            *[(key, str(entry.label)) for key, entry in REGISTRY.items()],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("manual_value") is not None and data.get("computed_key"):
            self.add_error("manual_value", _("Either type in a value or choose a computed one, not both."))
        return data
