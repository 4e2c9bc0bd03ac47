"""Forms of the cases pages. They parse and validate input; the rules live in services and policies."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kooperacja.cases.models import (
    GoalOutcome,
    IntakeChannel,
    IntakeSource,
    LifeDomain,
    QualificationDecision,
    Sensitivity,
    Stage,
    TaskStatus,
    TeamRole,
)
from kooperacja.core.forms import AccessibleFormMixin
from kooperacja.privacy.models import DataCategory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        born = f" ({obj.birth_date:%d.%m.%Y})" if obj.birth_date else ""
        return f"{obj.last_name} {obj.first_name}{born}"


class CaseOpenForm(AccessibleFormMixin, forms.Form):
    owner_institution = forms.ModelChoiceField(label=_("Owner institution"), queryset=None, empty_label=None)
    person = PersonChoiceField(
        label=_("Person"),
        queryset=None,
        required=False,
        help_text=_("A person your institution already recorded. New persons are added in the register of persons."),
    )
    household = forms.ModelChoiceField(label=_("or a household (family)"), queryset=None, required=False)
    intake_source = forms.ChoiceField(label=_("The case starts from"), choices=IntakeSource.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=IntakeChannel.choices)
    application_date = forms.DateField(label=_("Application date"), required=False, widget=DATE)
    reported_on = forms.DateField(label=_("Reported on"), required=False, widget=DATE)
    reporter_name = forms.CharField(
        label=_("Reported by (name)"),
        required=False,
        max_length=200,
        help_text=_("The reporter's name is personal data: write it only when needed."),
    )
    reporter_institution = forms.ModelChoiceField(label=_("Reported by (institution)"), queryset=None, required=False)
    niebieska_karta = forms.BooleanField(
        label=_("Niebieska Karta procedure"),
        required=False,
        help_text=_("The case will be visible only to the named members of the interdisciplinary team."),
    )

    def __init__(self, *args: Any, owners: Any, persons: Any, households: Any, institutions: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["owner_institution"].queryset = owners
        self.fields["person"].queryset = persons
        self.fields["household"].queryset = households
        self.fields["reporter_institution"].queryset = institutions

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("person")) == bool(data.get("household")):
            self.add_error("person", _("Choose a person or a household (one of them)."))
        return data


class QualifyForm(AccessibleFormMixin, forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=QualificationDecision.choices, widget=forms.RadioSelect)
    on = forms.DateField(label=_("Date"), required=False, widget=DATE)
    reason = forms.CharField(label=_("Reason for refusal"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AdvanceForm(forms.Form):
    to_stage = forms.ChoiceField(choices=Stage.choices)


class TeamMemberForm(AccessibleFormMixin, forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=None)
    user = forms.ModelChoiceField(
        label=_("Person at the institution"),
        queryset=None,
        required=False,
        help_text=_("Required in a Niebieska Karta case."),
    )
    role = forms.ChoiceField(label=_("Role in the team"), choices=TeamRole.choices)
    categories = forms.MultipleChoiceField(
        label=_("Data categories shared"), choices=DataCategory.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, institutions: Any, users: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["institution"].queryset = institutions
        self.fields["user"].queryset = users


class AssessmentForm(AccessibleFormMixin, forms.Form):
    domain = forms.ChoiceField(label=_("Life domain"), choices=LifeDomain.choices)
    strengths = forms.CharField(label=_("Strengths"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    needs = forms.CharField(label=_("Needs"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    institution = forms.ModelChoiceField(label=_("Assessed by (institution)"), queryset=None, empty_label=None)

    def __init__(self, *args: Any, institutions: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["institution"].queryset = institutions


class PlanDatesForm(AccessibleFormMixin, forms.Form):
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE)


class GoalForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=300)


class TaskForm(AccessibleFormMixin, forms.Form):
    goal = forms.ModelChoiceField(label=_("Goal"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Task"), max_length=300)
    owner_institution = forms.ModelChoiceField(label=_("Owner institution"), queryset=None)
    owner_user = forms.ModelChoiceField(label=_("Owner (person)"), queryset=None, required=False)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)

    def __init__(self, *args: Any, goals: Any, institutions: Any, users: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["goal"].queryset = goals
        self.fields["owner_institution"].queryset = institutions
        self.fields["owner_user"].queryset = users


class ProgressForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(AccessibleFormMixin, forms.Form):
    held_on = forms.DateField(label=_("Held on"), required=False, widget=DATE)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}))


class NoteForm(AccessibleFormMixin, forms.Form):
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), choices=Sensitivity.choices)
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}))


class CloseForm(AccessibleFormMixin, forms.Form):
    success = forms.TypedChoiceField(
        label=_("Completed successfully"),
        choices=[("yes", _("yes")), ("no", _("no"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    summary_conversation_on = forms.DateField(label=_("Summary conversation on"), required=False, widget=DATE)
    summary_notes = forms.CharField(
        label=_("Summary of the course and results"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    early_closure_reason = forms.CharField(
        label=_("Reason for closing early"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the case is closed before its summary conversation."),
    )

    def __init__(self, *args: Any, goals: list[Any], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.goals = goals
        for goal in goals:
            self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=_("Outcome: %(goal)s") % {"goal": goal.title}, choices=GoalOutcome.choices
            )
        self._describe()

    def outcomes(self) -> dict[int, str]:
        return {goal.pk: self.cleaned_data[f"goal_{goal.pk}"] for goal in self.goals}


class CaseFilterForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Cases"),
        choices=[("mine", _("mine")), ("institution", _("my institution's"))],
        required=False,
    )
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("all")), ("open", _("open")), *Stage.choices], required=False
    )
    number = forms.CharField(label=_("Case number"), required=False, max_length=40)
    overdue = forms.BooleanField(label=_("only with overdue tasks"), required=False)
    # The cases of one person (the link on the person's page): an id, never a name, in the URL.
    person = forms.UUIDField(required=False, widget=forms.HiddenInput)
