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
from kooperacja.governance.models import ActionItem, ActionStatus, Meeting, MeetingDay, Team

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
    role: str
    institution: str | None


class TeamDetailOut(TeamOut):
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj: Team) -> list[dict[str, Any]]:
        return [
            {
                "name": member.display_name,
                "role": member.role,
                "institution": str(member.institution_id) if member.institution_id else None,
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
    minutes: str


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
    agenda: list[AgendaOut]
    decisions: list[DecisionOut]
    conclusions: list[str]
    action_items: list[ActionItemOut]


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
    return {
        "id": meeting.pk,
        "team_id": meeting.team_id,
        "title": meeting.title,
        "status": meeting.status,
        "place": meeting.place,
        "online_url": meeting.online_url,
        "first_day": meeting.first_day,
        "last_day": meeting.last_day,
        "days": [view.day for view in page.days],
        "agenda": [
            {
                "date": view.day.date,
                "order": item.order,
                "title": item.title,
                "presenter": item.presenter,
                "minutes": getattr(getattr(item, "minutes", None), "text", ""),
            }
            for view in page.days
            for item in view.agenda
        ],
        "decisions": page.decisions,
        "conclusions": [conclusion.text for conclusion in page.conclusions],
        "action_items": page.actions,
    }


@router.get("/action-items/mine", response=list[ActionItemOut], summary="Action items I own (or my institutions own)")
@paginate(PageNumberPagination)
def my_action_items(request: HttpRequest) -> Any:
    return selectors.my_action_items(request.user)


@router.post("/action-items/{item_id}/status", response=ActionItemOut, summary="Change an action item's status")
def set_action_item_status(request: HttpRequest, item_id: int, payload: StatusIn) -> ActionItem:
    item = policies.get_action_item_for_actor(request.user, item_id, need="status")
    return services.action_item_update_status(actor=request.user, item=item, status=payload.status.value)
