"""Teams, meetings and action items in the JSON API (/api/v1/governance/): the same policies, selectors and services
as the pages. Outsiders get 404, readers who try to write get 403."""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kooperacja.core.pagination import PageNumberPagination
from kooperacja.governance import policies, selectors, services
from kooperacja.governance.models import ActionItem, ActionStatus, Invitation, Meeting, MeetingDay, Reply, Team

router = Router(tags=["governance"])


class TeamOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    description: str
    voivodeship: str | None
    macroregion: str | None

    @staticmethod
    def resolve_kind_label(obj: Team) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_voivodeship(obj: Team) -> str | None:
        return obj.voivodeship.code if obj.voivodeship else None

    @staticmethod
    def resolve_macroregion(obj: Team) -> str | None:
        return obj.macroregion.code if obj.macroregion else None


class MemberOut(Schema):
    name: str
    has_account: bool
    role: str
    role_label: str
    institution: str | None
    institution_name: str | None
    started_on: datetime.date | None
    ended_on: datetime.date | None


class TeamDetailOut(TeamOut):
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj: Team) -> list[dict[str, Any]]:
        return [
            {
                "name": member.display_name,
                "has_account": member.user_id is not None,
                "role": member.role,
                "role_label": str(member.get_role_display()),
                "institution": str(member.institution_id) if member.institution_id else None,
                "institution_name": member.institution.name if member.institution else None,
                "started_on": member.started_on,
                "ended_on": member.ended_on,
            }
            for member in selectors.team_members(obj)
        ]


class DayOut(Schema):
    date: datetime.date
    starts_at: datetime.time
    ends_at: datetime.time


class MeetingOut(Schema):
    id: int
    team_id: int
    title: str
    status: str
    place: str
    online_url: str
    first_day: datetime.date | None
    last_day: datetime.date | None
    days: list[DayOut]

    @staticmethod
    def resolve_days(obj: Meeting | dict[str, Any]) -> list[MeetingDay]:
        if isinstance(obj, dict):
            return list(obj["days"])
        return list(obj.days.all())


class AgendaOut(Schema):
    date: datetime.date
    order: int
    title: str
    presenter: str
    starts_at: datetime.time | None
    ends_at: datetime.time | None
    minutes: str


class InvitationOut(Schema):
    id: int
    name: str
    institution: str | None
    sent_at: datetime.datetime | None
    reply: str
    replied_at: datetime.datetime | None


class AttendanceOut(Schema):
    date: datetime.date
    invitation_id: int
    status: str


class SubGroupOut(Schema):
    id: int
    topic: str
    facilitator: str | None
    members: list[str]
    notes: str
    outputs: str


class DocumentOut(Schema):
    id: int
    title: str
    kind: str
    extension: str
    size: int


class DecisionOut(Schema):
    number: int
    text: str
    by_consensus: bool
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None


class ActionItemOut(Schema):
    id: int
    meeting_id: int
    title: str
    owner_user: str | None
    owner_institution_id: str | None
    due_on: datetime.date | None
    status: str
    decision_number: int | None

    @staticmethod
    def resolve_owner_user(obj: ActionItem) -> str | None:
        return obj.owner_user.username if obj.owner_user else None

    @staticmethod
    def resolve_owner_institution_id(obj: ActionItem) -> str | None:
        return str(obj.owner_institution_id) if obj.owner_institution_id else None

    @staticmethod
    def resolve_decision_number(obj: ActionItem) -> int | None:
        return obj.decision.number if obj.decision else None


class MeetingDetailOut(MeetingOut):
    description: str
    organiser: str | None
    organiser_institution: str | None
    invited_team_ids: list[int]
    phase: str
    replies_open: bool
    my_invitation: InvitationOut | None
    agenda: list[AgendaOut]
    invitations: list[InvitationOut]
    attendance: list[AttendanceOut]
    subgroups: list[SubGroupOut]
    decisions: list[DecisionOut]
    conclusions: list[str]
    action_items: list[ActionItemOut]
    documents: list[DocumentOut]


class MyInvitationOut(Schema):
    id: int
    meeting_id: int
    meeting_title: str
    first_day: datetime.date | None
    last_day: datetime.date | None
    reply: str
    replied_at: datetime.datetime | None
    replies_open: bool

    @staticmethod
    def resolve_meeting_title(obj: Invitation) -> str:
        return obj.meeting.title

    @staticmethod
    def resolve_first_day(obj: Invitation) -> datetime.date | None:
        return obj.meeting.first_day

    @staticmethod
    def resolve_last_day(obj: Invitation) -> datetime.date | None:
        return obj.meeting.last_day

    @staticmethod
    def resolve_replies_open(obj: Invitation) -> bool:
        return services.replies_open(obj.meeting)


class ReplyIn(Schema):
    reply: Reply


class PlanItemOut(Schema):
    id: int
    title: str
    owner: str
    period_start: datetime.date | None
    period_end: datetime.date | None
    status: str
    decision_ids: list[int]
    action_item_ids: list[int]
    conclusion_ids: list[int]


class ProgressOut(Schema):
    total: int
    done: int
    in_progress: int
    planned: int
    dropped: int
    percent_done: int


class WorkPlanOut(Schema):
    id: int
    title: str
    period_start: datetime.date
    period_end: datetime.date
    source_meeting_id: int | None
    progress: ProgressOut
    items: list[PlanItemOut]


class MeetingFilters(Schema):
    team: int | None = None
    upcoming: bool | None = None


class StatusIn(Schema):
    status: ActionStatus


@router.get("/teams", response=list[TeamOut], summary="Teams I belong to")
@paginate(PageNumberPagination)
def list_teams(request: HttpRequest) -> Any:
    return policies.visible_teams(request.user).select_related("voivodeship", "macroregion").order_by("name", "pk")


@router.get("/teams/{team_id}", response=TeamDetailOut, summary="One team with its current members")
def get_team(request: HttpRequest, team_id: int) -> Team:
    return policies.get_team_for_actor(request.user, team_id)


@router.get("/meetings", response=list[MeetingOut], summary="Meetings I may see")
@paginate(PageNumberPagination)
def list_meetings(request: HttpRequest, filters: Query[MeetingFilters]) -> Any:
    meetings = selectors._meetings(policies.visible_meetings(request.user))
    if filters.team is not None:
        meetings = meetings.filter(team_id=filters.team)
    if filters.upcoming is not None:
        today = timezone.localdate()
        meetings = meetings.filter(last_day__gte=today) if filters.upcoming else meetings.filter(last_day__lt=today)
    return meetings.order_by("-first_day", "-pk")


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut, summary="One meeting with agenda, minutes, decisions")
def get_meeting(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    meeting = policies.get_meeting_for_actor(request.user, meeting_id)
    page = selectors.meeting_page(meeting, request.user)

    def invitation(row: Invitation) -> dict[str, Any]:
        return {
            "id": row.pk,
            "name": row.full_name,
            "institution": row.institution.name if row.institution else None,
            "sent_at": row.sent_at,
            "reply": row.reply,
            "replied_at": row.replied_at,
        }

    return {
        "id": meeting.pk,
        "team_id": meeting.team_id,
        "title": meeting.title,
        "description": meeting.description,
        "status": meeting.status,
        "place": meeting.place,
        "online_url": meeting.online_url,
        "organiser": str(meeting.organiser) if meeting.organiser else None,
        "organiser_institution": meeting.organiser_institution.name if meeting.organiser_institution else None,
        "invited_team_ids": [team.pk for team in page.invited_teams],
        "phase": page.phase,
        "replies_open": services.replies_open(meeting),
        "my_invitation": invitation(page.my_invitation) if page.my_invitation else None,
        "first_day": meeting.first_day,
        "last_day": meeting.last_day,
        "days": [view.day for view in page.days],
        "agenda": [
            {
                "date": view.day.date,
                "order": item.order,
                "title": item.title,
                "presenter": item.presenter,
                "starts_at": item.starts_at,
                "ends_at": item.ends_at,
                "minutes": getattr(getattr(item, "minutes", None), "text", ""),
            }
            for view in page.days
            for item in view.agenda
        ],
        "invitations": [invitation(row) for row in page.invitations],
        "attendance": [
            {"date": view.day.date, "invitation_id": invitation_id, "status": status}
            for view in page.days
            for invitation_id, status in sorted(view.attendance.items())
        ],
        "subgroups": [
            {
                "id": subgroup.pk,
                "topic": subgroup.topic,
                "facilitator": subgroup.facilitator.full_name if subgroup.facilitator else None,
                "members": [member.full_name for member in subgroup.members.all()],
                "notes": subgroup.notes,
                "outputs": subgroup.outputs,
            }
            for subgroup in page.subgroups
        ],
        "decisions": page.decisions,
        "conclusions": [conclusion.text for conclusion in page.conclusions],
        "action_items": page.actions,
        "documents": page.documents,
    }


@router.get("/teams/{team_id}/work-plans", response=list[WorkPlanOut], summary="A team's work plans with progress")
def team_work_plans(request: HttpRequest, team_id: int) -> list[dict[str, Any]]:
    team = policies.get_team_for_actor(request.user, team_id)
    return [
        {
            "id": view.plan.pk,
            "title": view.plan.title,
            "period_start": view.plan.period_start,
            "period_end": view.plan.period_end,
            "source_meeting_id": view.plan.source_meeting_id,
            "progress": {
                "total": view.progress.total,
                "done": view.progress.done,
                "in_progress": view.progress.in_progress,
                "planned": view.progress.planned,
                "dropped": view.progress.dropped,
                "percent_done": view.progress.percent_done,
            },
            "items": [
                {
                    "id": item.pk,
                    "title": item.title,
                    "owner": item.owner_display,
                    "period_start": item.period_start,
                    "period_end": item.period_end,
                    "status": item.status,
                    "decision_ids": [decision.pk for decision in item.decisions.all()],
                    "action_item_ids": [action.pk for action in item.action_items.all()],
                    "conclusion_ids": [conclusion.pk for conclusion in item.conclusions.all()],
                }
                for item in view.items
            ],
        }
        for view in selectors.work_plans(team)
    ]


@router.get("/invitations/mine", response=list[MyInvitationOut], summary="My invitations to meetings and my replies")
@paginate(PageNumberPagination)
def my_invitations(request: HttpRequest, upcoming: bool | None = None) -> Any:
    invitations = selectors.my_invitations(request.user)
    if upcoming is not None:
        today = timezone.localdate()
        invitations = (
            invitations.filter(meeting__last_day__gte=today)
            if upcoming
            else invitations.filter(meeting__last_day__lt=today)
        )
    return invitations


@router.post("/invitations/{invitation_id}/reply", response=MyInvitationOut, summary="Reply to an invitation")
def reply_to_invitation(request: HttpRequest, invitation_id: int, payload: ReplyIn) -> Invitation:
    """Attending, not attending or maybe: the invitee for their own invitation (a meeting's writer may record one on
    someone's behalf); outsiders 404, other readers 403, after the meeting 422."""
    invitation = policies.get_invitation_for_actor(request.user, invitation_id)
    return services.invitation_reply(actor=request.user, invitation=invitation, reply=payload.reply.value)


@router.get("/action-items/mine", response=list[ActionItemOut], summary="Action items I own (or my institutions own)")
@paginate(PageNumberPagination)
def my_action_items(request: HttpRequest) -> Any:
    return selectors.my_action_items(request.user)


@router.post("/action-items/{item_id}/status", response=ActionItemOut, summary="Change an action item's status")
def set_action_item_status(request: HttpRequest, item_id: int, payload: StatusIn) -> ActionItem:
    item = policies.get_action_item_for_actor(request.user, item_id, need="status")
    return services.action_item_update_status(actor=request.user, item=item, status=payload.status.value)
