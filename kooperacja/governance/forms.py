"""Forms of the governance pages. They validate input; the writes happen in services."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kooperacja.cases.models import Case
from kooperacja.core.forms import AccessibleFormMixin
from kooperacja.directory.models import Institution
from kooperacja.governance.models import (
    ActionItem,
    ActionStatus,
    AttendanceStatus,
    Decision,
    DocumentKind,
    Invitation,
    Meeting,
    MeetingStatus,
    PlanItemStatus,
    Reply,
    Team,
    TeamKind,
    TeamMember,
    TeamRole,
)
from kooperacja.governance.uploads import ACCEPT_ATTRIBUTE, max_upload_bytes

User = get_user_model()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


def _date(label: Any, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), **kwargs)


def _time(label: Any, required: bool = True) -> forms.TimeField:
    return forms.TimeField(label=label, required=required, widget=TimeInput())


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class InstitutionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.short_name or obj.name


class CaseNumberChoiceField(forms.ModelChoiceField):
    """A case shown by its number only (never the person's name on governance pages)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.number)


class TeamForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices)
    name = forms.CharField(label=_("Name"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    institution = InstitutionChoiceField(
        label=_("Institution (your own)"),
        queryset=Institution.objects.none(),
        required=False,
        help_text=_("The institution you represent in the team; it also owns the team's records."),
    )
    case = CaseNumberChoiceField(
        label=_("Case (for a case team)"),
        queryset=Case.objects.none(),
        required=False,
        help_text=_("A case team (ZZK) works on one case: choose a case you may write (by its number)."),
    )

    def __init__(self, *args: Any, institutions: Any = None, cases: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if institutions is not None:
            self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]
        if cases is not None:
            self.fields["case"].queryset = cases  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == TeamKind.CASE_TEAM and not data.get("case") and "case" not in self.errors:
            self.add_error("case", _("Choose the case the case team works on."))
        if data.get("kind") != TeamKind.CASE_TEAM and data.get("case"):
            self.add_error("case", _("Only a case team works on a case."))
        return data


class MemberForm(AccessibleFormMixin, forms.Form):
    user = UserChoiceField(
        label=_("User"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Choose a user with an account, or give the name of a person without one."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    institution = InstitutionChoiceField(label=_("Institution"), queryset=Institution.objects.none(), required=False)
    role = forms.ChoiceField(label=_("Role in the team"), choices=TeamRole.choices)
    started_on = _date(_("Member from"), required=False)
    ended_on = _date(_("Member until"), required=False)

    def __init__(self, *args: Any, users: Any, institutions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("user") and not (data.get("full_name") or "").strip():
            self.add_error("full_name", _("Give the person's name or choose a user."))
        start, end = data.get("started_on"), data.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", _("The end date cannot be before the start date."))
        return data


class MemberEditForm(AccessibleFormMixin, forms.Form):
    """A member's role, institution and dates; the name and e-mail only for a person without an account."""

    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    institution = InstitutionChoiceField(label=_("Institution"), queryset=Institution.objects.none(), required=False)
    role = forms.ChoiceField(label=_("Role in the team"), choices=TeamRole.choices)
    started_on = _date(_("Member from"), required=False)
    ended_on = _date(
        _("Member until"),
        required=False,
        help_text=_("From the day after this date the person no longer sees the team and its meetings."),
    )

    def __init__(self, *args: Any, member: TeamMember, institutions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]
        if member.user_id is not None:
            del self.fields["full_name"], self.fields["email"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "full_name" in self.fields and not (data.get("full_name") or "").strip():
            self.add_error("full_name", _("Give the person's name or choose a user."))
        start, end = data.get("started_on"), data.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", _("The end date cannot be before the start date."))
        return data


MAX_DAYS = 3


class MeetingForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    online_url = forms.URLField(label=_("Online meeting link"), required=False, assume_scheme="https")
    invited_teams = forms.ModelMultipleChoiceField(
        label=_("Other teams invited"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invited_teams"].queryset = teams  # type: ignore[attr-defined]
        for number in range(1, MAX_DAYS + 1):
            required = number == 1
            self.fields[f"day{number}_date"] = _date(_("Day %(n)d: date") % {"n": number}, required=required)
            self.fields[f"day{number}_start"] = _time(_("Day %(n)d: starts at") % {"n": number}, required=required)
            self.fields[f"day{number}_end"] = _time(_("Day %(n)d: ends at") % {"n": number}, required=required)
        self._describe()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("place") or "").strip() and not data.get("online_url"):
            self.add_error("place", _("Give a place or an online meeting link (or both)."))
        days: list[tuple[datetime.date, datetime.time, datetime.time]] = []
        for number in range(1, MAX_DAYS + 1):
            date, start, end = (data.get(f"day{number}_{part}") for part in ("date", "start", "end"))
            if not any((date, start, end)):
                continue
            if not all((date, start, end)):
                self.add_error(f"day{number}_date", _("Give the date, the start and the end of the day."))
                continue
            assert date and start and end
            if end <= start:
                self.add_error(f"day{number}_end", _("A day must end after it starts."))
                continue
            if any(existing == date for existing, _s, _e in days):
                self.add_error(f"day{number}_date", _("Each day of a meeting must have a different date."))
                continue
            days.append((date, start, end))
        data["days"] = days
        return data


class MeetingStatusForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=MeetingStatus.choices)


class AgendaItemForm(AccessibleFormMixin, forms.Form):
    day = forms.ModelChoiceField(label=_("Day"), queryset=Meeting.objects.none())
    title = forms.CharField(label=_("Title"), max_length=300)
    presenter = forms.CharField(label=_("Presenter"), max_length=200, required=False)
    starts_at = _time(_("Starts at"), required=False)
    ends_at = _time(_("Ends at"), required=False)

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].queryset = meeting.days.order_by("date")  # type: ignore[attr-defined]
        self.fields["day"].empty_label = None  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The item must end after it starts."))
        return data


class ReplyForm(AccessibleFormMixin, forms.Form):
    reply = forms.ChoiceField(label=_("Your reply"), choices=Reply.choices, widget=forms.RadioSelect)


class AttendanceForm(AccessibleFormMixin, forms.Form):
    """One choice per invited person."""

    def __init__(self, *args: Any, invitations: list[Invitation], current: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitations = invitations
        for invitation in invitations:
            self.fields[f"person_{invitation.pk}"] = forms.ChoiceField(
                label=invitation.full_name,
                choices=AttendanceStatus.choices,
                initial=current.get(invitation.pk, AttendanceStatus.PRESENT),
            )
        self._describe()

    def statuses(self) -> dict[int, str]:
        return {invitation.pk: self.cleaned_data[f"person_{invitation.pk}"] for invitation in self.invitations}


class MinutesForm(AccessibleFormMixin, forms.Form):
    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 8}))


class PlanTaskForm(AccessibleFormMixin, forms.Form):
    """A decision of a case conference as a task of the case's plan: owned by an institution of the case team."""

    title = forms.CharField(label=_("Task"), max_length=300)
    owner_institution = InstitutionChoiceField(label=_("Owner (institution)"), queryset=Institution.objects.none())
    owner_user = UserChoiceField(
        label=_("Owner (person)"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Optional: a person working at the owner institution."),
    )
    due_on = _date(_("Due date"), required=False)

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = TeamMember.objects.current().filter(team=team)
        self.fields["owner_institution"].queryset = Institution.objects.filter(  # type: ignore[attr-defined]
            pk__in=members.values("institution_id")
        ).order_by("name")
        self.fields["owner_user"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=members.values("user_id")
        ).order_by("last_name", "first_name", "pk")


class DecisionForm(AccessibleFormMixin, forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 4}))
    agenda_item = forms.ModelChoiceField(label=_("Agenda item"), queryset=Meeting.objects.none(), required=False)
    by_consensus = forms.BooleanField(label=_("Adopted by consensus"), required=False)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, required=False)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), min_value=0, required=False)

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kooperacja.governance.models import AgendaItem

        self.fields["agenda_item"].queryset = AgendaItem.objects.filter(day__meeting=meeting).order_by(  # type: ignore[attr-defined]
            "day__date", "order"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("by_consensus"):
            for name in ("votes_for", "votes_against", "votes_abstain"):
                if data.get(name) is None:
                    self.add_error(name, _("Give the number of votes, or mark the decision as adopted by consensus."))
        return data


class ActionItemForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner_user = UserChoiceField(label=_("Owner (person)"), queryset=User.objects.none(), required=False)
    owner_institution = InstitutionChoiceField(
        label=_("Owner (institution)"), queryset=Institution.objects.none(), required=False
    )
    due_on = _date(_("Due date"), required=False)
    decision = forms.ModelChoiceField(label=_("From decision"), queryset=Meeting.objects.none(), required=False)

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_ids = [meeting.team_id, *meeting.invited_teams.values_list("pk", flat=True)]
        members = TeamMember.objects.current().filter(team_id__in=team_ids)
        self.fields["owner_user"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            Q(pk__in=members.values("user_id")) | Q(pk__in=meeting.invitations.values("user_id"))
        ).order_by("last_name", "first_name", "pk")
        self.fields["owner_institution"].queryset = Institution.objects.filter(  # type: ignore[attr-defined]
            Q(pk__in=members.values("institution_id")) | Q(pk__in=meeting.invitations.values("institution_id"))
        ).order_by("name")
        self.fields["decision"].queryset = meeting.decisions.order_by("number")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("owner_user") and not data.get("owner_institution"):
            self.add_error("owner_user", _("Choose an owner: a person, an institution or both."))
        return data


class ActionStatusForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)


class ConclusionForm(AccessibleFormMixin, forms.Form):
    text = forms.CharField(label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 4}))
    subgroup = forms.ModelChoiceField(label=_("Working sub-group"), queryset=Meeting.objects.none(), required=False)

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subgroup"].queryset = meeting.subgroups.order_by("pk")  # type: ignore[attr-defined]


class InvitationChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name


class InvitationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name


class SubGroupForm(AccessibleFormMixin, forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=300)
    facilitator = InvitationChoice(label=_("Facilitator"), queryset=Invitation.objects.none(), required=False)
    members = InvitationChoices(
        label=_("Members"), queryset=Invitation.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    outputs = forms.CharField(label=_("Outputs"), required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        invitations = meeting.invitations.order_by("full_name", "pk")
        self.fields["facilitator"].queryset = invitations  # type: ignore[attr-defined]
        self.fields["members"].queryset = invitations  # type: ignore[attr-defined]


class DocumentForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, DOCX, XLSX, PPTX, ODT, PNG or JPEG, at most %(mb)d MB.")
        % {"mb": max_upload_bytes() // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )


class WorkPlanForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    period_start = _date(_("Period from"))
    period_end = _date(_("Period until"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        return data


class DecisionChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.meeting.title}: {_('decision')} {obj.number}. {obj.text[:80]}"


class ActionItemChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.meeting.title}: {obj.title}"


class PlanItemStatusForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=PlanItemStatus.choices)


class WorkPlanItemForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    owner_user = UserChoiceField(label=_("Owner (person)"), queryset=User.objects.none(), required=False)
    owner_institution = InstitutionChoiceField(
        label=_("Owner (institution)"), queryset=Institution.objects.none(), required=False
    )
    period_start = _date(_("From"), required=False)
    period_end = _date(_("Until"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=PlanItemStatus.choices)
    decisions = DecisionChoices(
        label=_("Decisions it comes from"),
        queryset=Decision.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    action_items = ActionItemChoices(
        label=_("Action items it comes from"),
        queryset=ActionItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The decisions and action items of the team's own recent meetings (the sources a plan item may cite).
        recent = Meeting.objects.filter(team=team).order_by("-first_day", "-pk").values("pk")[:12]
        self.fields["decisions"].queryset = (  # type: ignore[attr-defined]
            Decision.objects.filter(meeting__in=recent)
            .select_related("meeting")
            .order_by("-meeting__first_day", "number")
        )
        self.fields["action_items"].queryset = (  # type: ignore[attr-defined]
            ActionItem.objects.filter(meeting__in=recent)
            .select_related("meeting")
            .order_by("-meeting__first_day", "pk")
        )
        members = TeamMember.objects.current().filter(team=team)
        self.fields["owner_user"].queryset = User.objects.filter(pk__in=members.values("user_id")).order_by(  # type: ignore[attr-defined]
            "last_name", "first_name", "pk"
        )
        self.fields["owner_institution"].queryset = Institution.objects.filter(  # type: ignore[attr-defined]
            pk__in=members.values("institution_id")
        ).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        return data
