"""Reads of the governance context, scoped to what the actor may see, with a constant number of queries."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from kooperacja.accounts.models import Membership
from kooperacja.cases import policies as case_policies
from kooperacja.cases.models import OPEN_STAGES, Case
from kooperacja.governance import policies
from kooperacja.governance.models import (
    OPEN_ACTION_STATUSES,
    ActionItem,
    AgendaItem,
    Attendance,
    Invitation,
    Meeting,
    MeetingDay,
    PlanItemStatus,
    SubGroup,
    Team,
    TeamKind,
    TeamMember,
    WorkPlan,
    WorkPlanItem,
)

ACTION_RELATED = ("meeting", "meeting__team", "owner_user", "owner_institution", "decision")


def _meetings(queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return queryset.select_related("team").prefetch_related(
        Prefetch("days", queryset=MeetingDay.objects.order_by("date"))
    )


def upcoming_and_past(queryset: QuerySet[Meeting], *, past_limit: int = 20) -> tuple[list[Meeting], list[Meeting]]:
    today = timezone.localdate()
    meetings = _meetings(queryset)
    upcoming = list(meetings.filter(last_day__gte=today).order_by("first_day", "pk"))
    past = list(meetings.filter(last_day__lt=today).order_by("-first_day", "-pk")[:past_limit])
    return upcoming, past


def writable_cases(actor: Any) -> QuerySet[Case]:
    """Open cases the actor may write (their coordinator, or a case writer at the owner institution): the cases a
    new case team may work on."""
    writer_at = Membership.objects.current().filter(user=actor, role__in=case_policies.CASE_WRITER_ROLES)
    return (
        case_policies.owned_cases(actor)
        .filter(stage__in=OPEN_STAGES)
        .filter(
            Q(coordinator_id=getattr(actor, "pk", None))
            | Q(owner_institution_id__in=writer_at.values("institution_id"))
        )
        .only("pk", "number")
        .order_by("number", "pk")
    )


def teams_for(actor: Any) -> list[Team]:
    return list(policies.visible_teams(actor).select_related("voivodeship", "macroregion").order_by("name", "pk"))


def my_action_items(actor: Any, *, open_only: bool = False) -> QuerySet[ActionItem]:
    items = policies.owned_action_items(actor).select_related(*ACTION_RELATED)
    if open_only:
        items = items.filter(status__in=OPEN_ACTION_STATUSES)
    return items.order_by("status", "due_on", "pk")


@dataclass
class HomePage:
    teams: list[Team]
    upcoming: list[Meeting]
    past: list[Meeting]
    actions: list[ActionItem]


def home_page(actor: Any) -> HomePage:
    upcoming, past = upcoming_and_past(policies.visible_meetings(actor), past_limit=10)
    return HomePage(
        teams=teams_for(actor),
        upcoming=upcoming,
        past=past,
        actions=list(my_action_items(actor, open_only=True)[:20]),
    )


@dataclass
class PlanProgress:
    """How far a work plan has got: items by status, and the share done (dropped items do not count)."""

    total: int
    done: int
    in_progress: int
    planned: int
    dropped: int

    @property
    def counted(self) -> int:
        return self.total - self.dropped

    @property
    def percent_done(self) -> int:
        return round(100 * self.done / self.counted) if self.counted else 0


def plan_progress(items: list[WorkPlanItem]) -> PlanProgress:
    statuses = [item.status for item in items]
    return PlanProgress(
        total=len(statuses),
        done=statuses.count(PlanItemStatus.DONE),
        in_progress=statuses.count(PlanItemStatus.IN_PROGRESS),
        planned=statuses.count(PlanItemStatus.PLANNED),
        dropped=statuses.count(PlanItemStatus.DROPPED),
    )


@dataclass
class PlanView:
    plan: WorkPlan
    items: list[WorkPlanItem]
    progress: PlanProgress


@dataclass
class TeamPage:
    members: list[TeamMember]
    upcoming: list[Meeting]
    past: list[Meeting]
    open_actions: list[ActionItem]
    plans: list[PlanView]


def team_members(team: Team) -> list[TeamMember]:
    return list(
        TeamMember.objects.current().filter(team=team).select_related("user", "institution").order_by("role", "pk")
    )


def team_page(team: Team, actor: Any) -> TeamPage:
    """The team's dashboard. Its meetings (its own and those it is invited to) are only those the actor may see: a
    case conference that invited this team stays hidden from it."""
    members = team_members(team)
    invited = Meeting.invited_teams.through.objects.filter(team=team).values("meeting_id")
    # The same rule as policies.visible_meetings, inside this one query: a case conference only for its own team's
    # members who may see the case.
    hidden = Q(team__kind=TeamKind.CASE_TEAM) & ~(
        policies.member_teams_q(actor, prefix="team__") & policies.case_allowed_q(actor, prefix="team__")
    )
    meetings = Meeting.objects.filter(Q(team=team) | Q(pk__in=invited)).exclude(hidden)
    upcoming, past = upcoming_and_past(meetings)
    open_actions = list(
        ActionItem.objects.filter(meeting__team=team, status__in=OPEN_ACTION_STATUSES)
        .select_related(*ACTION_RELATED)
        .order_by("due_on", "pk")
    )
    return TeamPage(
        members=members, upcoming=upcoming, past=past, open_actions=open_actions, plans=work_plans(team, limit=4)
    )


def work_plans(team: Team, *, limit: int = 20) -> list[PlanView]:
    """The team's latest work plans with their items, the sources of each item and the progress."""
    plans = list(
        WorkPlan.objects.filter(team=team)
        .select_related("source_meeting")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=WorkPlanItem.objects.select_related("owner_user", "owner_institution").prefetch_related(
                    "decisions", "action_items", "conclusions"
                ),
            )
        )
        .order_by("-period_start", "pk")[:limit]
    )
    plan_views = []
    for plan in plans:
        items = list(plan.items.all())
        plan_views.append(PlanView(plan=plan, items=items, progress=plan_progress(items)))
    return plan_views


def my_invitations(actor: Any) -> QuerySet[Invitation]:
    """The actor's own invitations to meetings they may (still) see, latest meetings first."""
    if not getattr(actor, "is_authenticated", False):
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(user=actor, meeting__in=policies.visible_meetings(actor))
        .select_related("meeting")
        .order_by("-meeting__first_day", "-pk")
    )


@dataclass
class DayView:
    day: MeetingDay
    agenda: list[AgendaItem]
    attendance: dict[int, str] = field(default_factory=dict)


@dataclass
class MeetingPage:
    # "before" (its first day is still to come), "during" (today is one of its days or between them), "after".
    phase: str
    days: list[DayView]
    invitations: list[Invitation]
    invited_teams: list[Team]
    decisions: list[Any]
    conclusions: list[Any]
    actions: list[ActionItem]
    subgroups: list[SubGroup]
    documents: list[Any]
    my_invitation: Invitation | None
    replies: dict[str, int]
    attendance_rows: list[tuple[Invitation, list[str]]]


def meeting_phase(meeting: Meeting) -> str:
    """Where the meeting stands today: "before", "during" or "after" (its days, in Warsaw's calendar)."""
    today = timezone.localdate()
    if meeting.first_day is None or today < meeting.first_day:
        return "before"
    if meeting.last_day is not None and today > meeting.last_day:
        return "after"
    return "during"


def meeting_page(meeting: Meeting, actor: Any) -> MeetingPage:
    days = list(
        meeting.days.order_by("date").prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("minutes").order_by("order"))
        )
    )
    invitations = list(meeting.invitations.select_related("institution").order_by("full_name", "pk"))
    attendance: dict[int, dict[int, str]] = {}
    for row in Attendance.objects.filter(day__meeting=meeting).values("day_id", "invitation_id", "status"):
        attendance.setdefault(row["day_id"], {})[row["invitation_id"]] = row["status"]
    day_views = [
        DayView(day=day, agenda=list(day.agenda_items.all()), attendance=attendance.get(day.pk, {})) for day in days
    ]
    replies: dict[str, int] = {}
    for invitation in invitations:
        replies[invitation.reply or "none"] = replies.get(invitation.reply or "none", 0) + 1
    attendance_rows = [
        (invitation, [attendance.get(day.pk, {}).get(invitation.pk, "") for day in days]) for invitation in invitations
    ]
    actor_id = getattr(actor, "pk", None)
    return MeetingPage(
        phase=meeting_phase(meeting),
        days=day_views,
        invitations=invitations,
        invited_teams=list(meeting.invited_teams.order_by("name")),
        decisions=list(meeting.decisions.select_related("agenda_item").order_by("number")),
        conclusions=list(meeting.conclusions.select_related("subgroup").order_by("pk")),
        actions=list(meeting.action_items.select_related(*ACTION_RELATED).order_by("due_on", "pk")),
        subgroups=list(meeting.subgroups.select_related("facilitator").prefetch_related("members").order_by("pk")),
        documents=list(meeting.documents.order_by("kind", "pk")),
        my_invitation=next((inv for inv in invitations if actor_id and inv.user_id == actor_id), None),
        replies=replies,
        attendance_rows=attendance_rows,
    )


@dataclass
class CalendarMonth:
    year: int
    month: int
    weeks: list[list[tuple[datetime.date | None, list[MeetingDay]]]]
    previous: datetime.date
    next: datetime.date


def calendar_month(actor: Any, year: int, month: int) -> CalendarMonth:
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    days = (
        MeetingDay.objects.filter(meeting__in=policies.visible_meetings(actor), date__gte=first, date__lte=last)
        .select_related("meeting", "meeting__team")
        .order_by("date", "starts_at")
    )
    by_date: dict[datetime.date, list[MeetingDay]] = {}
    for day in days:
        by_date.setdefault(day.date, []).append(day)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append([(date if date.month == month else None, by_date.get(date, [])) for date in week])
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = last + datetime.timedelta(days=1)
    return CalendarMonth(year=year, month=month, weeks=weeks, previous=previous, next=following)
