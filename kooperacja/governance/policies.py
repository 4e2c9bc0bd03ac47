"""Who may see and write a team's things.

- Everything needs sign-in. A team, its meetings and their internal things (minutes, decisions, attendance,
  documents, sub-group notes, action items) are seen by the team's current members who have an account. A meeting is
  also seen by the current members of the teams invited to it (its participants) and by its organiser. Everyone else
  gets 404 — system administrators too (need to know: running the platform gives no reason to read a team's minutes)
  — and does not learn that the team or the meeting exists.
- Writes (meetings, agenda, invitations, attendance, minutes, decisions, action items, documents, work plans) are
  for the team's chair, secretary and coordinator and the meeting's organiser. Other members are readers: 403.
- A case team (ZZK) works on one case (`Team.case`). It and its case conferences (its meetings) are seen ONLY by its
  current members who may ALSO see that case (`cases.policies.visible_cases`): a member who loses access to the case
  (consent withdrawn, left the case's team) gets 404, and so does a case team without a case. Invited teams, the
  organiser who is not a member do not see it.
- An action item is also seen, in the owner's task list, by its owner user and by the current staff of its owner
  institution; they may change its status (not its other fields).
"""

from __future__ import annotations

from typing import Any, Literal

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from kooperacja.accounts.models import Membership, Role
from kooperacja.cases import policies as case_policies
from kooperacja.governance.models import (
    WRITER_ROLES,
    ActionItem,
    Invitation,
    Meeting,
    Team,
    TeamKind,
    TeamMember,
)

Need = Literal["read", "write"]
Access = Literal["none", "read", "write"]


def _is_signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and bool(getattr(actor, "is_active", False))


def _current_memberships(actor: Any) -> QuerySet[TeamMember]:
    return TeamMember.objects.current().filter(user=actor)


def member_teams_q(actor: Any, prefix: str = "") -> Q:
    """Teams in which the actor is a current member (as a filter on Team, or on `<prefix>team`)."""
    team_ids = _current_memberships(actor).values("team_id")
    return Q(**{f"{prefix}pk__in": team_ids})


def case_allowed_q(actor: Any, prefix: str = "") -> Q:
    """Not a case team, or a case team whose case the actor may see (as a filter on Team, or on `<prefix>team`)."""
    return ~Q(**{f"{prefix}kind": TeamKind.CASE_TEAM}) | Q(
        **{f"{prefix}case__in": case_policies.visible_cases(actor).values("pk")}
    )


def may_see_case_of(actor: Any, team: Team) -> bool:
    """For a case team: may the actor see its case? (Other teams: True.)"""
    if team.kind != TeamKind.CASE_TEAM:
        return True
    if team.case_id is None:
        return False
    return case_policies.visible_cases(actor).filter(pk=team.case_id).exists()


def visible_teams(actor: Any) -> QuerySet[Team]:
    if not _is_signed_in(actor):
        return Team.objects.none()
    return Team.objects.filter(member_teams_q(actor) & case_allowed_q(actor))


def visible_meetings(actor: Any) -> QuerySet[Meeting]:
    """Meetings the actor may see, as one filter (no per-row checks)."""
    if not _is_signed_in(actor):
        return Meeting.objects.none()
    team_ids = _current_memberships(actor).values("team_id")
    own_team = Q(team_id__in=team_ids)
    invited = Exists(Meeting.invited_teams.through.objects.filter(meeting_id=OuterRef("pk"), team_id__in=team_ids))
    not_case = ~Q(team__kind=TeamKind.CASE_TEAM)
    # A case conference: only for its own team's members who may see the case.
    own_team = own_team & case_allowed_q(actor, prefix="team__")
    return Meeting.objects.filter(own_team | (not_case & (invited | Q(organiser=actor))))


def team_access(actor: Any, team: Team) -> Access:
    if not _is_signed_in(actor):
        return "none"
    roles = set(_current_memberships(actor).filter(team=team).values_list("role", flat=True))
    if team.kind == TeamKind.CASE_TEAM and not (roles and may_see_case_of(actor, team)):
        return "none"
    if roles & WRITER_ROLES:
        return "write"
    return "read" if roles else "none"


def meeting_access(actor: Any, meeting: Meeting) -> Access:
    if not _is_signed_in(actor):
        return "none"
    team = meeting.team
    own_roles = set(_current_memberships(actor).filter(team_id=meeting.team_id).values_list("role", flat=True))
    if team.kind == TeamKind.CASE_TEAM:
        if not own_roles or not may_see_case_of(actor, team):
            return "none"
        return "write" if (own_roles & WRITER_ROLES or meeting.organiser_id == actor.pk) else "read"
    if own_roles & WRITER_ROLES or meeting.organiser_id == actor.pk:
        return "write"
    if own_roles:
        return "read"
    invited = _current_memberships(actor).filter(team__in=meeting.invited_teams.all()).exists()
    return "read" if invited else "none"


def _check(access: Access, need: Need) -> None:
    if access == "none":
        raise Http404
    if need == "write" and access != "write":
        raise PermissionDenied


def can_write_team(actor: Any, team: Team) -> bool:
    return team_access(actor, team) == "write"


def can_write_meeting(actor: Any, meeting: Meeting) -> bool:
    return meeting_access(actor, meeting) == "write"


# Roles at an institution that may set up a new team (and become its coordinator).
TEAM_FOUNDER_ROLES = frozenset(
    {
        Role.REGIONAL_SPECIALIST,
        Role.MODEL_EXPERT,
        Role.INSTITUTION_MANAGER,
        Role.PARTNERSHIP_FACILITATOR,
        Role.CASE_COORDINATOR,
        Role.SYSTEM_ADMINISTRATOR,
    }
)


def can_create_team(actor: Any) -> bool:
    if not _is_signed_in(actor):
        return False
    return actor.is_superuser or Membership.objects.current().filter(user=actor, role__in=TEAM_FOUNDER_ROLES).exists()


def get_team_for_actor(actor: Any, pk: Any, need: Need = "read") -> Team:
    try:
        team = Team.objects.select_related("institution", "partnership", "voivodeship", "macroregion").get(pk=pk)
    except (Team.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    _check(team_access(actor, team), need)
    return team


def get_meeting_for_actor(actor: Any, pk: Any, need: Need = "read") -> Meeting:
    try:
        meeting = Meeting.objects.select_related("team", "organiser", "organiser_institution").get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    _check(meeting_access(actor, meeting), need)
    return meeting


def can_create_plan_task(actor: Any, meeting: Meeting) -> bool:
    """A case conference's decisions may become tasks of the case's plan for those who may write the case."""
    team = meeting.team
    if team.kind != TeamKind.CASE_TEAM or team.case_id is None:
        return False
    try:
        case_policies.get_case_for_actor(actor, team.case_id, need="write")
    except (Http404, PermissionDenied):
        return False
    return True


def _actor_institution_ids(actor: Any) -> Any:
    return Membership.objects.current().filter(user=actor).values("institution_id")


def owned_action_items(actor: Any) -> QuerySet[ActionItem]:
    """Action items the actor owns: as the owner user, or as current staff of the owner institution."""
    if not _is_signed_in(actor):
        return ActionItem.objects.none()
    owned = Q(owner_user=actor) | Q(owner_institution_id__in=_actor_institution_ids(actor))
    # A case conference's items stay inside its team (they may concern a person).
    team_ids = _current_memberships(actor).values("team_id")
    inside = ~Q(meeting__team__kind=TeamKind.CASE_TEAM) | (
        Q(meeting__team_id__in=team_ids) & Q(meeting__team__case__in=case_policies.visible_cases(actor).values("pk"))
    )
    return ActionItem.objects.filter(owned & inside)


def action_item_access(actor: Any, item: ActionItem) -> Literal["none", "read", "status", "write"]:
    """'write' (meeting writers), 'status' (owners: may change the status), 'read' (meeting readers) or 'none'."""
    meeting_level = meeting_access(actor, item.meeting)
    if meeting_level == "write":
        return "write"
    if owned_action_items(actor).filter(pk=item.pk).exists():
        return "status"
    return "read" if meeting_level == "read" else "none"


def get_action_item_for_actor(actor: Any, pk: Any, need: Literal["read", "status", "write"] = "read") -> ActionItem:
    try:
        item = ActionItem.objects.select_related(
            "meeting", "meeting__team", "owner_user", "owner_institution", "decision"
        ).get(pk=pk)
    except (ActionItem.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    access = action_item_access(actor, item)
    if access == "none":
        raise Http404
    if need == "write" and access != "write":
        raise PermissionDenied
    if need == "status" and access not in ("write", "status"):
        raise PermissionDenied
    return item


def get_invitation_for_actor(actor: Any, pk: Any) -> Invitation:
    """An invitation of a meeting the actor may see (else 404); whether they may reply is the service's rule."""
    try:
        invitation = Invitation.objects.select_related("meeting", "meeting__team").get(pk=pk)
    except (Invitation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if meeting_access(actor, invitation.meeting) == "none":
        raise Http404
    return invitation


# The reply link of an invitation e-mail: signed (SECRET_KEY), naming the invitation and its meeting's uid. It lets
# the invitee — with or without an account — answer attending / not attending / maybe, and nothing else.
REPLY_TOKEN_SALT = "kooperacja.governance.invitation-reply"


def invitation_reply_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "m": str(invitation.meeting.uid)}, salt=REPLY_TOKEN_SALT)


def get_invitation_for_reply_token(token: str) -> Invitation:
    """The invitation a reply link names, or 404 (a forged, altered or foreign token; a removed invitation)."""
    try:
        data = signing.loads(token, salt=REPLY_TOKEN_SALT)
        invitation = Invitation.objects.select_related("meeting", "meeting__team").get(pk=int(data["i"]))
    except (signing.BadSignature, Invitation.DoesNotExist, KeyError, TypeError, ValueError) as exc:
        raise Http404 from exc
    if str(invitation.meeting.uid) != data.get("m"):
        raise Http404
    return invitation
