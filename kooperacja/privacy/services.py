"""Writes of the privacy context: grants, consents and the access log. Each in one transaction, audited."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kooperacja.core.services import audit_record
from kooperacja.people.models import Person
from kooperacja.privacy.models import AccessGrant, AccessLogEntry, Channel, Consent, DataCategory, LegalBasis, Purpose

# Higher contexts (cases, referrals) register what must happen when a consent stops being valid (withdrawn or
# expired): e.g. suspend the referrals that relied on it. privacy never imports them; they call
# `on_consent_ended(callback)` from their AppConfig.ready(). Callbacks run inside the withdrawal's transaction.
_consent_ended_callbacks: list[Callable[..., None]] = []


def on_consent_ended(callback: Callable[..., None]) -> None:
    """Register `callback(*, consent, actor)` to run when a consent is withdrawn or expires."""
    if callback not in _consent_ended_callbacks:
        _consent_ended_callbacks.append(callback)


def grant_open(
    *,
    actor: Any,
    person: Person,
    institution: Any,
    categories: Iterable[str],
    source_type: str,
    source_id: Any,
    legal_basis: LegalBasis | None = None,
    consent: Consent | None = None,
    user: Any = None,
) -> AccessGrant:
    """Let `institution` (or only `user` there) see `categories` of `person` because of a source, on a legal basis or a consent (one)."""
    chosen = sorted(set(categories))
    if not chosen or any(c not in DataCategory.values for c in chosen):
        raise ValidationError({"categories": _("Choose data categories from the list.")})
    if (legal_basis is None) == (consent is None):
        raise ValidationError(_("A grant rests on exactly one legal basis or one consent."))
    with transaction.atomic():
        grant = AccessGrant(
            institution=institution,
            user=user,
            person=person,
            categories=chosen,
            source_type=source_type,
            source_id=str(source_id),
            legal_basis=legal_basis,
            consent=consent,
        )
        grant.full_clean()
        grant.save()
        audit_record(
            actor=actor,
            action="privacy.grant_open",
            target=grant,
            institution_id=getattr(institution, "pk", None),
            data={"source": f"{source_type}:{source_id}", "categories": chosen},
        )
    return grant


def grants_end(*, actor: Any, source_type: str, source_id: Any, reason: str, institution: Any = None) -> int:
    """End the grants of a source (for one institution, or all); returns how many ended."""
    with transaction.atomic():
        grants = AccessGrant.objects.select_for_update().filter(
            source_type=source_type, source_id=str(source_id), ended_at__isnull=True
        )
        if institution is not None:
            grants = grants.filter(institution=institution)
        ids = list(grants.values_list("pk", flat=True))
        if not ids:
            return 0
        AccessGrant.objects.filter(pk__in=ids).update(ended_at=timezone.now(), end_reason=reason[:40])
        for grant in AccessGrant.objects.filter(pk__in=ids):
            audit_record(actor=actor, action="privacy.grant_end", target=grant, data={"reason": reason})
    return len(ids)


def consent_withdraw(*, actor: Any, consent: Consent, on: Any = None) -> Consent:
    """Record the withdrawal of a consent; from that moment the grants resting on it no longer count, and the
    registered callbacks (e.g. referrals: suspend) run in the same transaction."""
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if consent.withdrawn_on is not None:
            raise ValidationError(_("This consent has already been withdrawn."))
        consent.withdrawn_on = on or timezone.localdate()
        consent.withdrawal_recorded_by = actor if getattr(actor, "is_authenticated", False) else None
        consent.full_clean()
        consent.save(update_fields=["withdrawn_on", "withdrawal_recorded_by"])
        AccessGrant.objects.filter(consent=consent, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason="consent_withdrawn"
        )
        audit_record(actor=actor, action="privacy.consent_withdraw", target=consent)
        for callback in list(_consent_ended_callbacks):
            callback(consent=consent, actor=actor)
    return consent


def _entry_hash(previous_hash: str, entry: AccessLogEntry) -> str:
    payload = json.dumps(
        {
            "previous": previous_hash,
            "at": entry.at.isoformat(),
            "actor": entry.actor_id,
            "username": entry.actor_username,
            "institution": str(entry.institution_id or ""),
            "person": str(entry.person_id),
            "categories": sorted(entry.categories or []),
            "purpose": entry.purpose,
            "channel": entry.channel,
            "resource": entry.resource,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


GENESIS_HASH = "0" * 64


def access_log_record(
    *,
    actor: Any,
    person: Person | Any,
    categories: Iterable[str],
    purpose: Purpose | str,
    channel: Channel | str,
    resource: str = "",
    institution: Any = None,
) -> AccessLogEntry:
    """Append one entry to the access log (hash-chained to the previous one). Call it on every read of a person."""
    with transaction.atomic():
        # Serialise appends: the chain needs the true previous entry.
        last = AccessLogEntry.objects.select_for_update().order_by("-id").only("id", "entry_hash").first()
        previous_hash = last.entry_hash if last is not None else GENESIS_HASH
        entry = AccessLogEntry(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_username=getattr(actor, "username", "") or "",
            institution=institution,
            person_id=getattr(person, "pk", person),
            categories=sorted(set(categories)),
            purpose=str(purpose),
            channel=str(channel),
            resource=resource[:200],
            previous_hash=previous_hash,
        )
        entry.at = timezone.now()
        entry.entry_hash = _entry_hash(previous_hash, entry)
        entry.save(force_insert=True)
    return entry


def access_log_verify() -> list[str]:
    """Walk the chain from the first entry; return the problems found (empty: intact)."""
    problems: list[str] = []
    previous_hash = GENESIS_HASH
    previous_id = 0
    for entry in AccessLogEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.previous_hash != previous_hash:
            problems.append(
                _("Entry %(id)s does not follow entry %(prev)s: an entry was removed or changed before it.")
                % {"id": entry.pk, "prev": previous_id}
            )
        if _entry_hash(entry.previous_hash, entry) != entry.entry_hash:
            problems.append(_("Entry %(id)s was changed after it was written.") % {"id": entry.pk})
        previous_hash = entry.entry_hash
        previous_id = entry.pk
    return problems
