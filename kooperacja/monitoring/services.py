"""Writes of monitoring (pilots, support entries, custom indicators, snapshots): each checks its policy, validates,
saves in one transaction and is audited."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kooperacja.core.services import audit_record, changed_fields
from kooperacja.directory.uploads import validate_signed_file
from kooperacja.monitoring import indicators as ind
from kooperacja.monitoring.models import (
    CustomIndicator,
    IndicatorSnapshot,
    Pilot,
    ScopeKind,
    SupportActivity,
)
from kooperacja.monitoring.policies import scope_for
from kooperacja.monitoring.selectors import split_facts

PILOT_EDITABLE_FIELDS = (
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
    "facilitator_names",
    "model_expert",
    "model_expert_name",
)
SUPPORT_FIELDS = ("kind", "given_by", "given_on", "hours", "for_whom")
CUSTOM_INDICATOR_FIELDS = (
    "name",
    "unit",
    "target",
    "manual_value",
    "computed_key",
    "pilot",
    "voivodeship",
    "macroregion",
)


def _require_write(actor: Any, voivodeship_id: int | None) -> None:
    scope = scope_for(actor)
    if not scope.sees_voivodeship(voivodeship_id):
        raise Http404
    if not scope.writes_voivodeship(voivodeship_id):
        raise PermissionDenied


def _attach_file(pilot: Pilot, signed_file: UploadedFile | None) -> None:
    if signed_file is None:
        return
    validate_signed_file(signed_file)
    pilot.signed_file.save(signed_file.name or "agreement.pdf", signed_file, save=False)


@transaction.atomic
def pilot_create(
    *, actor: Any, data: Mapping[str, Any], facilitators: Iterable[Any] = (), signed_file: UploadedFile | None = None
) -> Pilot:
    """Create a pilot; only ROPS writers of the gmina's voivodeship (or system administrators) may."""
    pilot = Pilot(**{name: data[name] for name in PILOT_EDITABLE_FIELDS if name in data})
    gmina = data.get("gmina")
    _require_write(actor, getattr(gmina, "voivodeship_id", None))
    pilot.full_clean()
    pilot.save()
    if signed_file is not None:
        _attach_file(pilot, signed_file)
        pilot.save(update_fields=["signed_file"])
    pilot.facilitators.set(list(facilitators))
    audit_record(actor=actor, action="monitoring.pilot.create", target=pilot, institution_id=pilot.rops_id)
    return pilot


@transaction.atomic
def pilot_update(
    *,
    actor: Any,
    pilot: Pilot,
    data: Mapping[str, Any],
    facilitators: Iterable[Any] | None = None,
    signed_file: UploadedFile | None = None,
) -> Pilot:
    """Change a pilot; writers of its voivodeship — before AND after the change (it cannot be moved away)."""
    _require_write(actor, pilot.gmina.voivodeship_id)
    before = {name: getattr(pilot, name) for name in PILOT_EDITABLE_FIELDS}
    for name in PILOT_EDITABLE_FIELDS:
        if name in data:
            setattr(pilot, name, data[name])
    _require_write(actor, pilot.gmina.voivodeship_id)
    pilot.full_clean()
    _attach_file(pilot, signed_file)
    pilot.save()
    if facilitators is not None:
        pilot.facilitators.set(list(facilitators))
    changed = changed_fields(pilot, before)
    if signed_file is not None:
        changed.append("signed_file")
    audit_record(
        actor=actor,
        action="monitoring.pilot.update",
        target=pilot,
        institution_id=pilot.rops_id,
        data={"fields": changed},
    )
    return pilot


@transaction.atomic
def support_activity_create(*, actor: Any, pilot: Pilot, data: Mapping[str, Any]) -> SupportActivity:
    """Record support given to a pilot; entered by the ROPS of the pilot's voivodeship."""
    _require_write(actor, pilot.gmina.voivodeship_id)
    activity = SupportActivity(pilot=pilot, created_by=actor, **{name: data.get(name) for name in SUPPORT_FIELDS})
    activity.full_clean()
    activity.save()
    audit_record(actor=actor, action="monitoring.support.create", target=activity, institution_id=pilot.rops_id)
    return activity


@transaction.atomic
def custom_indicator_create(*, actor: Any, data: Mapping[str, Any]) -> CustomIndicator:
    """A custom indicator of a pilot or voivodeship (its ROPS writers) or of a macroregion (system administrators)."""
    custom = CustomIndicator(**{name: data.get(name) for name in CUSTOM_INDICATOR_FIELDS if data.get(name) is not None})
    custom.computed_key = data.get("computed_key") or ""
    custom.unit = data.get("unit") or ""
    scope = scope_for(actor)
    if custom.macroregion_id is not None and custom.pilot_id is None and custom.voivodeship_id is None:
        if not scope.country:
            raise Http404
        if not scope.write_everywhere:
            raise PermissionDenied
    elif custom.pilot_id is not None:
        _require_write(actor, custom.pilot.gmina.voivodeship_id)  # type: ignore[union-attr]
    else:
        _require_write(actor, custom.voivodeship_id)
    custom.full_clean()
    custom.save()
    audit_record(actor=actor, action="monitoring.custom_indicator.create", target=custom)
    return custom


def _scope_of_fact(kind: str) -> Any:
    return {
        ScopeKind.MACROREGION: lambda p: p.macroregion_code,
        ScopeKind.VOIVODESHIP: lambda p: p.voivodeship_code,
        ScopeKind.GMINA: lambda p: p.gmina_code,
    }[kind]  # type: ignore[index]


def _name_of_fact(kind: str) -> Any:
    return {
        ScopeKind.MACROREGION: lambda p: p.macroregion_name,
        ScopeKind.VOIVODESHIP: lambda p: p.voivodeship_name.lower(),
        ScopeKind.GMINA: lambda p: p.gmina_name,
    }[kind]  # type: ignore[index]


@transaction.atomic
def snapshot_freeze(*, period: ind.Period, actor: Any = None, refreeze: bool = False) -> list[IndicatorSnapshot]:
    """Freeze the indicator values of an ended period for the country and every macroregion, voivodeship and gmina
    with pilots. Existing snapshots of the period stay as they are (reports must not change after the fact) unless
    `refreeze` (a correction, audited). `actor` None means the system (the management command)."""
    if not period.is_past:
        raise ValidationError({"period": _("Only a period that has ended can be frozen.")})
    if actor is not None and not scope_for(actor).write_everywhere:
        raise PermissionDenied
    facts = ind.load_facts(Pilot.objects.all(), period=period)
    wanted: list[tuple[Any, str, str, ind.Facts]] = [(ScopeKind.COUNTRY, "", "", facts)]
    for kind in (ScopeKind.MACROREGION, ScopeKind.VOIVODESHIP, ScopeKind.GMINA):
        names = {_scope_of_fact(kind)(p): _name_of_fact(kind)(p) for p in facts.pilots}
        for code, part in sorted(split_facts(facts, _scope_of_fact(kind)).items()):
            if code:
                wanted.append((kind, code, names[code], part))
    existing = {
        (snapshot.scope_kind, snapshot.scope_code): snapshot
        for snapshot in IndicatorSnapshot.objects.filter(period=period.code)
    }
    now = timezone.now()
    frozen: list[IndicatorSnapshot] = []
    for kind, code, name, part in wanted:
        values = ind.jsonable(ind.compute_all(part))
        values["_name"] = name
        snapshot = existing.get((kind, code))
        if snapshot is not None and not refreeze:
            continue
        if snapshot is None:
            snapshot = IndicatorSnapshot(period=period.code, scope_kind=kind, scope_code=code)
        snapshot.period_start, snapshot.period_end = period.start, period.end
        snapshot.values = values
        snapshot.frozen_at = now
        snapshot.frozen_by = actor if getattr(actor, "is_authenticated", False) else None
        snapshot.full_clean(validate_unique=False)
        snapshot.save()
        frozen.append(snapshot)
    if frozen:
        audit_record(
            actor=actor,
            action="monitoring.snapshot.refreeze" if refreeze else "monitoring.snapshot.freeze",
            target=frozen[0],
            data={"period": period.code, "snapshots": len(frozen)},
        )
    return frozen
