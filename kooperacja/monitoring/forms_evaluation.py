"""Forms of the evaluation pages. They validate input; the writes happen in services_evaluation."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from kooperacja.core.forms import AccessibleFormMixin
from kooperacja.directory.models import Institution, Sector
from kooperacja.monitoring import selectors_evaluation as selectors
from kooperacja.monitoring.models.evaluation import (
    GoodPractice,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
    Recommendation,
    RecommendationKind,
    RecommendationStatus,
    Scale,
    split_choices,
)
from kooperacja.monitoring.models.pilots import ModelVariant
from kooperacja.territory.models import Gmina, GminaKind


def _everything() -> list[tuple[str, Any]]:
    return [("", _("all"))]


class PilotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


def _pilot_queryset() -> Any:
    return apps.get_model("monitoring", "Pilot").objects.select_related("gmina").order_by("pk")


# --- questionnaires --------------------------------------------------------------------------------------------------


class QuestionnaireForm(AccessibleFormMixin, forms.ModelForm):
    pilot = PilotChoiceField(label=_("Pilot"), queryset=None, required=False)  # type: ignore[arg-type]

    class Meta:
        model = Questionnaire
        fields = ["title", "description", "purpose", "audience", "pilot", "voivodeship"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pilot"].queryset = _pilot_queryset()
        self.fields["pilot"].help_text = _("Leave empty to ask staff of every pilot gmina.")
        if self.instance.pk and self.instance.status != QuestionnaireStatus.DRAFT:
            for name in ("purpose", "audience", "pilot", "voivodeship"):
                self.fields[name].disabled = True


class QuestionForm(AccessibleFormMixin, forms.Form):
    order = forms.IntegerField(label=_("Order"), min_value=1, max_value=500, required=False)
    text = forms.CharField(label=_("Question"), max_length=500)
    help_text = forms.CharField(label=_("Hint"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=QuestionKind.choices)
    required = forms.BooleanField(label=_("Answer required"), required=False, initial=True)
    scale = forms.ModelChoiceField(
        label=_("Scale"),
        queryset=Scale.objects.all(),
        required=False,
        help_text=_("For a scale question: choose a scale or describe a new one below."),
    )
    scale_minimum = forms.IntegerField(label=_("New scale: lowest value"), required=False, min_value=0, max_value=10)
    scale_maximum = forms.IntegerField(label=_("New scale: highest value"), required=False, min_value=1, max_value=20)
    scale_minimum_label = forms.CharField(
        label=_("New scale: label of the lowest value"), max_length=100, required=False
    )
    scale_maximum_label = forms.CharField(
        label=_("New scale: label of the highest value"), max_length=100, required=False
    )
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a choice question: one option per line."),
    )

    @classmethod
    def initial_for(cls, question: Question) -> dict[str, Any]:
        return {
            "order": question.order,
            "text": question.text,
            "help_text": question.help_text,
            "kind": question.kind,
            "required": question.required,
            "scale": question.scale_id,
            "options": "\n".join(o.text for o in question.options.all()),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == QuestionKind.SCALE and not data.get("scale"):
            low, high = data.get("scale_minimum"), data.get("scale_maximum")
            if low is None or high is None:
                self.add_error("scale", _("Choose a scale, or give the lowest and highest value of a new one."))
            elif not (high > low and high - low <= 10):
                self.add_error("scale_maximum", _("The highest value must be above the lowest, at most 10 above."))
        return data

    def option_lines(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("options") or "").splitlines() if line.strip()]


class StatusForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=QuestionnaireStatus.choices)


class InvitationForm(AccessibleFormMixin, forms.Form):
    count = forms.IntegerField(label=_("Number of one-time links"), min_value=1, max_value=500, initial=10)
    pilot = PilotChoiceField(label=_("Pilot"), queryset=None, required=False)  # type: ignore[arg-type]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pilot"].queryset = _pilot_queryset()


class AnswerForm(AccessibleFormMixin, forms.Form):
    """One field per question, named "q<id>": radio groups for scales and single choices, checkboxes, text."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = f"q{question.pk}"
            label = f"{question.order}. {question.text}"
            common = {"label": label, "required": question.required, "help_text": question.help_text}
            if question.kind == QuestionKind.SCALE and question.scale is not None:
                scale = question.scale
                choices = []
                for value in scale.values:
                    text = str(value)
                    if value == scale.minimum and scale.minimum_label:
                        text = f"{value} — {scale.minimum_label}"
                    elif value == scale.maximum and scale.maximum_label:
                        text = f"{value} — {scale.maximum_label}"
                    choices.append((str(value), text))
                self.fields[name] = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
            elif question.kind == QuestionKind.SINGLE_CHOICE:
                choices = [(str(o.pk), o.text) for o in question.options.all()]
                self.fields[name] = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
            elif question.kind == QuestionKind.MULTIPLE_CHOICE:
                choices = [(str(o.pk), o.text) for o in question.options.all()]
                self.fields[name] = forms.MultipleChoiceField(
                    choices=choices, widget=forms.CheckboxSelectMultiple, **common
                )
            else:
                self.fields[name] = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, **common)
        self._describe()

    def answers(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ResultsForm(forms.Form):
    by = forms.ChoiceField(
        label=_("Group by"),
        required=False,
        choices=[("pilot", _("pilot")), ("variant", _("model variant")), ("gmina_kind", _("gmina kind"))],
    )


# --- recommendations -------------------------------------------------------------------------------------------------


class RecommendationFilterForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    variant = forms.ChoiceField(label=_("Model variant"), required=False)
    gmina_kind = forms.ChoiceField(label=_("Gmina kind"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _everything() + list(RecommendationStatus.choices)
        self.fields["kind"].choices = _everything() + list(RecommendationKind.choices)
        self.fields["variant"].choices = _everything() + list(ModelVariant.choices)
        self.fields["gmina_kind"].choices = _everything() + list(GminaKind.choices)
        self.fields["region"].choices = _everything() + selectors.region_choices()

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {n: self.cleaned_data.get(n) or "" for n in ("status", "kind", "variant", "gmina_kind", "region")}


class RecommendationForm(AccessibleFormMixin, forms.ModelForm):
    pilot = PilotChoiceField(label=_("Pilot"), queryset=None, required=False)  # type: ignore[arg-type]
    gmina_kinds = forms.MultipleChoiceField(
        label=_("Gmina kinds it applies to"),
        choices=GminaKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: all kinds."),
    )
    model_variants = forms.MultipleChoiceField(
        label=_("Model variants it applies to"),
        choices=ModelVariant.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: all variants."),
    )
    evidence_url = forms.URLField(label=_("evidence: link"), required=False, assume_scheme="https")
    custom_indicators = forms.ModelMultipleChoiceField(
        label=_("evidence: custom indicators"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Recommendation
        fields = [
            "kind",
            "title",
            "text",
            "pilot",
            "voivodeship",
            "macroregion",
            "gmina_kinds",
            "model_variants",
            "evidence_indicators",
            "custom_indicators",
            "evidence_minutes",
            "evidence_url",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 6}),
            "evidence_indicators": forms.Textarea(attrs={"rows": 3}),
            "evidence_minutes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pilot"].queryset = _pilot_queryset()
        self.fields["custom_indicators"].queryset = apps.get_model("monitoring", "CustomIndicator").objects.order_by(
            "name", "pk"
        )
        if self.instance.pk:
            self.initial["gmina_kinds"] = self.instance.gmina_kind_list
            self.initial["model_variants"] = self.instance.model_variant_list
            self.initial["custom_indicators"] = list(self.instance.evidence_custom_indicators.all())

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def _post_clean(self) -> None:
        # The service validates the model (the multi-selects are stored joined); the form only checks its fields.
        pass


class RecommendationStatusForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=RecommendationStatus.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. the steering committee meeting that decided. Required when rejecting."),
    )


# --- good practices --------------------------------------------------------------------------------------------------


class PracticeFilterForm(AccessibleFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    gmina_kind = forms.ChoiceField(label=_("Gmina kind"), required=False)
    variant = forms.ChoiceField(label=_("Model variant"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = _everything() + list(Sector.choices)
        self.fields["gmina_kind"].choices = _everything() + list(GminaKind.choices)
        self.fields["variant"].choices = _everything() + list(ModelVariant.choices)

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {n: self.cleaned_data.get(n) or "" for n in ("q", "sector", "gmina_kind", "variant")}


class GminaField(forms.ModelChoiceField):
    """A gmina by its TERYT code (7 digits), e.g. 2411011."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Gmina.objects.all(), to_field_name="code", **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Gmina):
            return value.code
        if isinstance(value, int):
            gmina = Gmina.objects.filter(pk=value).first()
            return gmina.code if gmina else value
        return super().prepare_value(value)


class InstitutionsField(forms.Field):
    """Institutions of the directory by their exact names (or identifiers), one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value: Any) -> list[Institution]:
        lines = [line.strip() for line in str(value or "").splitlines() if line.strip()]
        found: list[Institution] = []
        unknown: list[str] = []
        for line in lines[:50]:
            try:
                query = Institution.objects.filter(pk=uuid.UUID(line))
            except ValueError:
                query = Institution.objects.filter(name__iexact=line)
            institution = query.order_by("pk").first()
            if institution is None:
                unknown.append(line)
            elif institution not in found:
                found.append(institution)
        if unknown:
            raise forms.ValidationError(
                _("No institution in the directory is called: %(names)s."), params={"names": "; ".join(unknown)}
            )
        return found

    def prepare_value(self, value: Any) -> Any:
        if value and not isinstance(value, str) and hasattr(value, "__iter__"):
            return "\n".join(getattr(v, "name", str(v)) for v in value)
        return value


class PracticeForm(AccessibleFormMixin, forms.ModelForm):
    sectors = forms.MultipleChoiceField(
        label=_("Sectors involved"), choices=Sector.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    gmina = GminaField(label=_("Gmina (TERYT code)"), required=False, help_text=_("7 digits, e.g. 2411011"))
    institutions = InstitutionsField(
        label=_("Institutions involved"),
        required=False,
        help_text=_("Names of institutions as the directory gives them, one per line."),
    )

    class Meta:
        model = GoodPractice
        fields = [
            "title",
            "problem",
            "solution",
            "results",
            "sectors",
            "institutions",
            "gmina",
            "model_variant",
            "contact",
            "is_public",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4}),
            "solution": forms.Textarea(attrs={"rows": 5}),
            "results": forms.Textarea(attrs={"rows": 3}),
            "contact": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["sectors"] = split_choices(self.instance.sectors)
            self.initial["institutions"] = list(self.instance.institutions.all())

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "institutions"}

    def _post_clean(self) -> None:
        pass
