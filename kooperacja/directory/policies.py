"""Who may do what in the directory.

- Reading institutions, services, locations and partnerships is public: they hold no personal data.
- An institution's own entries (the institution, its services and locations) are edited by a user with a current
  membership AT that institution in one of `INSTITUTION_EDITOR_ROLES`, or by a system administrator. Other staff of
  the institution (e.g. its DPO) are readers: 403 on writes. Everyone else: 404 on writes.
- A partnership is maintained by a partnership facilitator or institution manager of its LEAD institution, or a
  system administrator. Staff of its current member institutions are readers (403 on writes) and may see the
  representatives and the signed agreement files. Everyone else: 404 on writes, and no names or files.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from kooperacja.accounts.models import INSTITUTION_EDITOR_ROLES, Membership, Role
from kooperacja.directory.models import (
    CooperationAgreement,
    Institution,
    Location,
    Partnership,
    PartnershipMember,
    Representative,
    Service,
)

Need = Literal["read", "write"]

PARTNERSHIP_MAINTAINER_ROLES = frozenset({Role.PARTNERSHIP_FACILITATOR, Role.INSTITUTION_MANAGER})


def _is_signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and bool(getattr(actor, "is_active", False))


def _roles_by_institution(actor: Any, institution_ids: Any) -> tuple[dict[Any, set[str]], bool]:
    """One query: the actor's current roles at the given institutions, and whether the actor is a sysadmin."""
    if not _is_signed_in(actor):
        return {}, False
    rows = (
        Membership.objects.current()
        .filter(user=actor)
        .filter(Q(institution_id__in=institution_ids) | Q(role=Role.SYSTEM_ADMINISTRATOR))
        .values_list("institution_id", "role")
    )
    roles: dict[Any, set[str]] = {}
    is_admin = bool(actor.is_superuser)
    for institution_id, role in rows:
        roles.setdefault(institution_id, set()).add(role)
        if role == Role.SYSTEM_ADMINISTRATOR:
            is_admin = True
    return roles, is_admin


def is_system_administrator(actor: Any) -> bool:
    """A superuser, or a user with a current system-administrator membership."""
    if not _is_signed_in(actor):
        return False
    if actor.is_superuser:
        return True
    return Membership.objects.current().filter(user=actor, role=Role.SYSTEM_ADMINISTRATOR).exists()


# --- institutions, services, locations ---------------------------------------------------------------------------


def institution_access(actor: Any, institution_id: Any) -> str:
    """'edit', 'member' (staff without an editor role) or 'none' for the actor and this institution."""
    roles, is_admin = _roles_by_institution(actor, [institution_id])
    if is_admin:
        return "edit"
    held = roles.get(institution_id, set())
    if held & INSTITUTION_EDITOR_ROLES:
        return "edit"
    return "member" if held else "none"


def can_edit_institution(actor: Any, institution: Institution) -> bool:
    """Editors of the institution's own entries: its staff in an editor role, and system administrators."""
    return institution_access(actor, institution.pk) == "edit"


def _check_write(access: str) -> None:
    if access == "none":
        raise Http404
    if access != "edit":
        raise PermissionDenied


def get_institution_for_actor(actor: Any, pk: Any, need: Need = "read") -> Institution:
    """The institution; for `need="write"` 404 to outsiders and 403 to its staff who may not edit."""
    try:
        institution = Institution.objects.select_related("gmina", "county", "voivodeship").get(pk=pk)
    except (Institution.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if need == "write":
        _check_write(institution_access(actor, institution.pk))
    return institution


def get_service_for_actor(actor: Any, pk: Any, need: Need = "read") -> Service:
    """The service; writes follow the rules of its institution."""
    try:
        service = Service.objects.select_related(
            "institution", "institution__gmina", "institution__county", "institution__voivodeship"
        ).get(pk=pk)
    except (Service.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if need == "write":
        _check_write(institution_access(actor, service.institution_id))
    return service


def get_location_for_actor(actor: Any, pk: Any, need: Need = "read") -> Location:
    """The location; writes follow the rules of its institution."""
    try:
        location = Location.objects.select_related("institution", "gmina").get(pk=pk)
    except (Location.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if need == "write":
        _check_write(institution_access(actor, location.institution_id))
    return location


# --- partnerships --------------------------------------------------------------------------------------------------


def _current_member_ids(partnership: Partnership) -> list[Any]:
    today = timezone.localdate()
    return list(
        PartnershipMember.objects.filter(partnership=partnership)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
        .values_list("institution_id", flat=True)
    )


def partnership_access(actor: Any, partnership: Partnership) -> str:
    """'maintain', 'member' (staff of a current member or of the lead) or 'none'."""
    if not _is_signed_in(actor):
        return "none"
    member_ids = [*_current_member_ids(partnership), partnership.lead_institution_id]
    roles, is_admin = _roles_by_institution(actor, member_ids)
    if is_admin:
        return "maintain"
    if roles.get(partnership.lead_institution_id, set()) & PARTNERSHIP_MAINTAINER_ROLES:
        return "maintain"
    return "member" if roles else "none"


def can_maintain_partnership(actor: Any, partnership: Partnership) -> bool:
    """A facilitator or manager of the lead institution, or a system administrator."""
    return partnership_access(actor, partnership) == "maintain"


def can_see_partnership_internals(actor: Any, partnership: Partnership) -> bool:
    """Representatives' names and contacts and signed agreement files: staff of member institutions and sysadmins."""
    return partnership_access(actor, partnership) in ("maintain", "member")


def _check_partnership_write(actor: Any, partnership: Partnership) -> None:
    access = partnership_access(actor, partnership)
    if access == "none":
        raise Http404
    if access != "maintain":
        raise PermissionDenied


def get_partnership_for_actor(actor: Any, pk: Any, need: Need = "read") -> Partnership:
    """The partnership (public to read); writes: 404 to outsiders, 403 to members' staff who do not maintain it."""
    try:
        partnership = Partnership.objects.select_related(
            "gmina", "county", "lead_institution", "gmina__county", "gmina__voivodeship"
        ).get(pk=pk)
    except (Partnership.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if need == "write":
        _check_partnership_write(actor, partnership)
    return partnership


def get_member_for_actor(actor: Any, pk: Any, need: Need = "write") -> PartnershipMember:
    """A membership of an institution in a partnership; follows the partnership's rules."""
    try:
        member = PartnershipMember.objects.select_related("partnership", "institution").get(pk=pk)
    except (PartnershipMember.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if need == "write":
        _check_partnership_write(actor, member.partnership)
    return member


def get_representative_for_actor(actor: Any, pk: Any, need: Need = "write") -> Representative:
    """A representative; nobody outside the partnership learns it exists."""
    try:
        representative = Representative.objects.select_related(
            "member", "member__partnership", "member__institution"
        ).get(pk=pk)
    except (Representative.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    partnership = representative.member.partnership
    if need == "write":
        _check_partnership_write(actor, partnership)
    elif not can_see_partnership_internals(actor, partnership):
        raise Http404
    return representative


def get_agreement_for_actor(actor: Any, pk: Any, need: Need = "read") -> CooperationAgreement:
    """An agreement with its file: read by staff of member institutions (404 otherwise); written by maintainers."""
    try:
        agreement = CooperationAgreement.objects.select_related("partnership", "partnership__lead_institution").get(
            pk=pk
        )
    except (CooperationAgreement.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if need == "write":
        _check_partnership_write(actor, agreement.partnership)
    elif not can_see_partnership_internals(actor, agreement.partnership):
        raise Http404
    return agreement
