"""Who may see and change what in monitoring.

- The country (every macroregion, voivodeship and gmina): system administrators (and superusers) and model experts.
- A voivodeship: staff of its ROPS (a current membership at an institution of kind ROPS in that voivodeship).
- Writes to pilots, their support entries and custom indicators: regional specialists and institution managers of the
  ROPS of the pilot's voivodeship, and system administrators. Model experts and other ROPS staff read (403 on writes).
- Everyone else, and everything outside the actor's scope: 404, the same answer as for a missing object.
- There are no person-level pages in monitoring: only aggregates, with small cells hidden (see indicators.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kooperacja.accounts.models import Membership, Role
from kooperacja.directory.models import InstitutionKind
from kooperacja.monitoring.models import CustomIndicator, Pilot
from kooperacja.territory.models import Gmina, Macroregion, Voivodeship

Need = Literal["read", "write"]

COUNTRY_ROLES = frozenset({Role.SYSTEM_ADMINISTRATOR, Role.MODEL_EXPERT})
ROPS_WRITER_ROLES = frozenset({Role.REGIONAL_SPECIALIST, Role.INSTITUTION_MANAGER})


@dataclass(frozen=True)
class MonitoringScope:
    """What an actor may see (the country, or some voivodeships) and where it may write."""

    country: bool = False
    write_everywhere: bool = False
    voivodeship_ids: frozenset[int] = frozenset()
    write_voivodeship_ids: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not self.country and not self.voivodeship_ids

    def sees_voivodeship(self, voivodeship_id: int | None) -> bool:
        return self.country or (voivodeship_id is not None and voivodeship_id in self.voivodeship_ids)

    def writes_voivodeship(self, voivodeship_id: int | None) -> bool:
        return self.write_everywhere or (voivodeship_id is not None and voivodeship_id in self.write_voivodeship_ids)

    def gminy(self) -> QuerySet[Gmina]:
        gminy = Gmina.objects.all()
        return gminy if self.country else gminy.filter(voivodeship_id__in=self.voivodeship_ids)

    def pilots(self) -> QuerySet[Pilot]:
        pilots = Pilot.objects.all()
        return pilots if self.country else pilots.filter(gmina__voivodeship_id__in=self.voivodeship_ids)


def _is_signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and bool(getattr(actor, "is_active", False))


def scope_for(actor: Any) -> MonitoringScope:
    """The actor's monitoring scope, from its current memberships (one query, cached on the user object)."""
    if not _is_signed_in(actor):
        return MonitoringScope()
    cached = getattr(actor, "_monitoring_scope", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    rows = (
        Membership.objects.current()
        .filter(user=actor)
        .filter(Q(role__in=COUNTRY_ROLES) | Q(institution__kind=InstitutionKind.ROPS))
        .values_list("role", "institution__kind", "institution__voivodeship_id")
    )
    country = bool(actor.is_superuser)
    write_everywhere = bool(actor.is_superuser)
    seen: set[int] = set()
    writes: set[int] = set()
    for role, kind, voivodeship_id in rows:
        if role in COUNTRY_ROLES:
            country = True
            if role == Role.SYSTEM_ADMINISTRATOR:
                write_everywhere = True
        if kind == InstitutionKind.ROPS:
            seen.add(voivodeship_id)
            if role in ROPS_WRITER_ROLES:
                writes.add(voivodeship_id)
    scope = MonitoringScope(country, write_everywhere, frozenset(seen), frozenset(writes))
    actor._monitoring_scope = scope
    return scope


def can_see_monitoring(actor: Any) -> bool:
    """Anyone with a monitoring scope: ROPS staff, model experts, system administrators."""
    return not scope_for(actor).is_empty


def can_see_country(actor: Any) -> bool:
    """The national and macroregional views: model experts and system administrators."""
    return scope_for(actor).country


def can_create_pilot(actor: Any) -> bool:
    """Writers of at least one voivodeship."""
    scope = scope_for(actor)
    return scope.write_everywhere or bool(scope.write_voivodeship_ids)


def can_manage_pilot(actor: Any, pilot: Pilot) -> bool:
    """ROPS writers of the pilot's voivodeship, and system administrators."""
    return scope_for(actor).writes_voivodeship(pilot.gmina.voivodeship_id)


def _check(scope: MonitoringScope, voivodeship_id: int | None, need: Need) -> None:
    if not scope.sees_voivodeship(voivodeship_id):
        raise Http404
    if need == "write" and not scope.writes_voivodeship(voivodeship_id):
        raise PermissionDenied


def require_monitoring(actor: Any) -> MonitoringScope:
    """The actor's scope; 404 to anybody without one (outsiders learn nothing about the pilots)."""
    scope = scope_for(actor)
    if scope.is_empty:
        raise Http404
    return scope


def get_macroregion_for_actor(actor: Any, code: str) -> Macroregion:
    """A macroregion view is national-level: model experts and system administrators; 404 otherwise."""
    if not can_see_country(actor):
        raise Http404
    try:
        return Macroregion.objects.get(code=code)
    except Macroregion.DoesNotExist as exc:
        raise Http404 from exc


def get_voivodeship_for_actor(actor: Any, code: str) -> Voivodeship:
    """A voivodeship within the actor's scope; 404 otherwise."""
    try:
        voivodeship = Voivodeship.objects.select_related("macroregion").get(code=code)
    except Voivodeship.DoesNotExist as exc:
        raise Http404 from exc
    _check(scope_for(actor), voivodeship.pk, "read")
    return voivodeship


def get_gmina_for_actor(actor: Any, code: str) -> Gmina:
    """A gmina within the actor's scope; 404 otherwise (a ROPS does not learn about other voivodeships' gminy)."""
    try:
        gmina = Gmina.objects.select_related("county", "voivodeship", "voivodeship__macroregion").get(code=code)
    except Gmina.DoesNotExist as exc:
        raise Http404 from exc
    _check(scope_for(actor), gmina.voivodeship_id, "read")
    return gmina


def get_pilot_for_actor(actor: Any, pk: Any, need: Need = "read") -> Pilot:
    """A pilot: 404 outside the actor's scope; for `need="write"` 403 to those who only read it."""
    try:
        pilot = Pilot.objects.select_related(
            "gmina",
            "gmina__voivodeship",
            "gmina__voivodeship__macroregion",
            "county",
            "rops",
            "project",
            "project__macroregion",
            "model_expert",
        ).get(pk=pk)
    except (Pilot.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    _check(scope_for(actor), pilot.gmina.voivodeship_id, need)
    return pilot


def get_custom_indicator_for_actor(actor: Any, pk: Any, need: Need = "read") -> CustomIndicator:
    """A custom indicator follows its scope: a pilot's voivodeship, a voivodeship, or (macroregion) the country."""
    try:
        custom = CustomIndicator.objects.select_related("pilot__gmina", "voivodeship", "macroregion").get(pk=pk)
    except (CustomIndicator.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    scope = scope_for(actor)
    if custom.macroregion_id is not None:
        if not scope.country:
            raise Http404
        if need == "write" and not scope.write_everywhere:
            raise PermissionDenied
        return custom
    voivodeship_id = custom.pilot.gmina.voivodeship_id if custom.pilot is not None else custom.voivodeship_id
    _check(scope, voivodeship_id, need)
    return custom
