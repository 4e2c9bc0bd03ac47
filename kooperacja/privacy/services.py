"""Writes of the privacy context: grants, consents, the access log, anonymisation and the DPO's registers.

Each write runs in one transaction with its audit record; side effects (file removal) after commit.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kooperacja.core.services import audit_record
from kooperacja.directory.uploads import validate_signed_file
from kooperacja.people.models import Household, Person
from kooperacja.privacy.models import (
    AccessGrant,
    AccessLogEntry,
    AccessLogHead,
    Breach,
    Channel,
    Consent,
    DataCategory,
    LegalBasis,
    ProcessingActivity,
    Purpose,
    RetentionRule,
    SubjectRequest,
)

# Higher contexts (cases, referrals) register what must happen when a consent stops being valid (withdrawn or
# expired): e.g. suspend the referrals that relied on it. privacy never imports them; they call
# `on_consent_ended(callback)` from their AppConfig.ready(). Callbacks run inside the withdrawal's (or the expiry's)
# transaction, once per consent.
_consent_ended_callbacks: list[Callable[..., None]] = []


def on_consent_ended(callback: Callable[..., None]) -> None:
    """Register `callback(*, consent, actor)` to run when a consent is withdrawn or expires (actor None: the task)."""
    if callback not in _consent_ended_callbacks:
        _consent_ended_callbacks.append(callback)


def _clean_categories(categories: Iterable[str]) -> list[str]:
    chosen = sorted(set(categories))
    if not chosen or any(c not in DataCategory.values for c in chosen):
        raise ValidationError({"categories": _("Choose data categories from the list.")})
    return chosen


# --- grants -----------------------------------------------------------------------------------------------------------


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
    """Let `institution` (or only `user` there) see `categories` of `person` because of a source, on a legal basis or
    a consent (exactly one). A consent must be valid today, be the person's, name the institution as a recipient and
    cover every category."""
    chosen = _clean_categories(categories)
    if (legal_basis is None) == (consent is None):
        raise ValidationError(_("A grant rests on exactly one legal basis or one consent."))
    if consent is not None:
        if consent.person_id != person.pk or not consent.is_valid_on() or consent.anonymised_at is not None:
            raise ValidationError(_("The consent is not a valid consent of this person."))
        if not consent.recipients.filter(pk=institution.pk).exists():
            raise ValidationError(_("The consent does not name this institution as a recipient."))
        if not set(chosen) <= set(consent.categories or []):
            raise ValidationError({"categories": _("The consent does not cover all the chosen data categories.")})
    if legal_basis is not None and legal_basis.is_consent:
        raise ValidationError(_("Record the consent itself and open the grant on it."))
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


def grants_open_for_consent(
    *, actor: Any, consent: Consent, source_type: str, source_id: Any, institutions: Iterable[Any] | None = None
) -> list[AccessGrant]:
    """Open one grant per recipient of `consent` (or per given recipient) covering the consent's categories."""
    recipients = list(institutions) if institutions is not None else list(consent.recipients.all())
    with transaction.atomic():
        return [
            grant_open(
                actor=actor,
                person=consent.person,
                institution=institution,
                categories=consent.categories,
                source_type=source_type,
                source_id=source_id,
                consent=consent,
            )
            for institution in recipients
        ]


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


def _grants_end_where(*, actor: Any, where: Q, reason: str) -> int:
    ids = list(
        AccessGrant.objects.select_for_update().filter(where, ended_at__isnull=True).values_list("pk", flat=True)
    )
    if ids:
        AccessGrant.objects.filter(pk__in=ids).update(ended_at=timezone.now(), end_reason=reason[:40])
        for grant in AccessGrant.objects.filter(pk__in=ids):
            audit_record(actor=actor, action="privacy.grant_end", target=grant, data={"reason": reason})
    return len(ids)


# --- consents ---------------------------------------------------------------------------------------------------------


def consent_record(
    *,
    actor: Any,
    person: Person,
    recorded_by_institution: Any,
    recipients: Iterable[Any],
    purpose: str,
    categories: Iterable[str],
    given_on: datetime.date,
    valid_until: datetime.date | None = None,
    document: Any = None,
    recorded_orally_by: Any = None,
) -> Consent:
    """Record a person's consent: the signed document attached (PDF/JPEG/PNG) or recorded orally by a named worker —
    exactly one of the two. It opens no grant by itself: cases and referrals open grants on it."""
    chosen = _clean_categories(categories)
    recipient_list = list(dict.fromkeys(recipients))
    errors: dict[str, list[str]] = {}
    if not recipient_list:
        errors["recipients"] = [_("Choose at least one recipient institution.")]
    if not (purpose or "").strip():
        errors["purpose"] = [_("Say for what purpose the data may be shared.")]
    if given_on > timezone.localdate():
        errors["given_on"] = [_("A consent cannot be given in the future.")]
    if valid_until is not None and valid_until < given_on:
        errors["valid_until"] = [_("The consent cannot end before it was given.")]
    if (document is None) == (recorded_orally_by is None):
        errors["document"] = [_("Attach the signed document or say who recorded the consent orally (one of the two).")]
    if document is not None:
        try:
            validate_signed_file(document)
        except ValidationError as exc:
            errors["document"] = [message for messages in exc.message_dict.values() for message in messages]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consent = Consent(
            person=person,
            recorded_by_institution=recorded_by_institution,
            purpose=purpose.strip(),
            categories=chosen,
            given_on=given_on,
            valid_until=valid_until,
            recorded_orally_by=recorded_orally_by,
        )
        if document is not None:
            extension = str(document.name).rsplit(".", 1)[-1].lower()
            # A neutral file name: never the person's name. Removed again below when the write fails.
            consent.document.save(f"zgoda-{uuid.uuid4().hex}.{extension}", document, save=False)
        try:
            consent.full_clean()
            consent.save()
            consent.recipients.set(recipient_list)
            audit_record(
                actor=actor,
                action="privacy.consent_record",
                target=consent,
                institution_id=getattr(recorded_by_institution, "pk", None),
                data={
                    "categories": chosen,
                    "recipients": [str(r.pk) for r in recipient_list],
                    "document": bool(document),
                },
            )
        except Exception:
            if consent.document.name:
                consent.document.storage.delete(consent.document.name)
            raise
    return consent


def _consent_ended(*, actor: Any, consent: Consent, reason: str) -> int:
    """Inside a transaction: end the grants resting on the consent and run the registered callbacks once."""
    ended = _grants_end_where(actor=actor, where=Q(consent=consent), reason=reason)
    Consent.objects.filter(pk=consent.pk).update(ended_processed_at=timezone.now())
    for callback in list(_consent_ended_callbacks):
        callback(consent=consent, actor=actor)
    return ended


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
        audit_record(actor=actor, action="privacy.consent_withdraw", target=consent)
        if consent.ended_processed_at is None:
            _consent_ended(actor=actor, consent=consent, reason="consent_withdrawn")
    consent.refresh_from_db()
    return consent


def consents_expire(*, actor: Any = None, today: datetime.date | None = None) -> int:
    """End the grants of the consents past their `valid_until` and run the callbacks (once per consent); returns how
    many consents were processed. The policy already stops counting them the day after `valid_until`; this makes the
    end explicit (grants ended, referrals suspended). Run daily: the `expire_consents` task or command."""
    day = today or timezone.localdate()
    pending = list(
        Consent.objects.filter(valid_until__lt=day, ended_processed_at__isnull=True, withdrawn_on__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    processed = 0
    for pk in pending:
        with transaction.atomic():
            consent = Consent.objects.select_for_update().filter(pk=pk, ended_processed_at__isnull=True).first()
            if consent is None:
                continue
            audit_record(actor=actor, action="privacy.consent_expire", target=consent)
            _consent_ended(actor=actor, consent=consent, reason="consent_expired")
            processed += 1
    return processed


# --- the access log ---------------------------------------------------------------------------------------------------

GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock key that serialises appends to the chain (also when the log is still empty).
_LOG_LOCK_KEY = 0x4B4F4F50_4C4F47  # "KOOPLOG"


def _format_at(value: datetime.datetime) -> str:
    """The timestamp as hashed: UTC, microseconds always written (round-trips through SQLite and PostgreSQL)."""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _normal_id(value: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(value)


def _entry_hash(previous_hash: str, entry: AccessLogEntry) -> str:
    payload = json.dumps(
        {
            "previous": previous_hash,
            "at": _format_at(entry.at),
            "actor": entry.actor_id,
            "username": entry.actor_username,
            "institution": _normal_id(entry.institution_id),
            "person": _normal_id(entry.person_id),
            "categories": sorted(entry.categories or []),
            "purpose": entry.purpose,
            "channel": entry.channel,
            "resource": entry.resource,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _lock_log() -> AccessLogHead | None:
    """Serialise appends and return the head row (None when it does not exist yet)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOG_LOCK_KEY])
        return AccessLogHead.objects.filter(pk=1).first()
    # SQLite: the project opens write transactions IMMEDIATE, which already serialises writers.
    return AccessLogHead.objects.select_for_update().filter(pk=1).first()


@dataclass(frozen=True)
class LogRead:
    """One read to record: who read which categories of which person, why, through what and where."""

    actor: Any
    person: Person | Any
    categories: Iterable[str]
    purpose: Purpose | str
    channel: Channel | str
    resource: str = ""
    institution: Any = None


def access_log_record_many(reads: Iterable[LogRead]) -> list[AccessLogEntry]:
    """Append entries to the access log, each hash-chained to the one before, under one lock of the chain.

    A page that shows many persons (a search, a caseload) records them in a constant number of queries: the lock,
    the head row, one multi-row INSERT and the head's update — whatever the number of entries.
    """
    reads = list(reads)
    for read in reads:
        if str(read.purpose) not in Purpose.values or str(read.channel) not in Channel.values:
            raise ValueError("Unknown access-log purpose or channel")
    if not reads:
        return []
    with transaction.atomic():
        head = _lock_log()
        if head is not None:
            previous_hash, count = head.last_hash, head.entries
        else:
            last = AccessLogEntry.objects.order_by("-id").only("id", "entry_hash").first()
            previous_hash = last.entry_hash if last is not None else GENESIS_HASH
            count = AccessLogEntry.objects.count() if last is not None else 0
        now = timezone.now()
        entries = []
        for read in reads:
            actor = read.actor
            entry = AccessLogEntry(
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                actor_username=getattr(actor, "username", "") or "",
                institution_id=getattr(read.institution, "pk", read.institution),
                person_id=getattr(read.person, "pk", read.person),
                categories=sorted(set(read.categories)),
                purpose=str(read.purpose),
                channel=str(read.channel),
                resource=read.resource[:200],
                previous_hash=previous_hash,
            )
            entry.at = now
            entry.entry_hash = previous_hash = _entry_hash(previous_hash, entry)
            entries.append(entry)
        if len(entries) == 1:
            entries[0].save(force_insert=True)
        else:
            # One INSERT; ids come back in the order of the rows (RETURNING), which is the order of the chain.
            AccessLogEntry.objects.bulk_create(entries)
        last_entry = entries[-1]
        if head is not None:
            AccessLogHead.objects.filter(pk=1).update(
                last_id=last_entry.pk, last_hash=last_entry.entry_hash, entries=F("entries") + len(entries)
            )
        else:
            AccessLogHead.objects.create(
                pk=1, last_id=last_entry.pk, last_hash=last_entry.entry_hash, entries=count + len(entries)
            )
    return entries


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
    return access_log_record_many(
        [LogRead(actor, person, categories, purpose, channel, resource=resource, institution=institution)]
    )[0]


@dataclass
class LogCheck:
    """The result of walking the access log: entries checked, and problems as (entry id, message)."""

    checked: int = 0
    problems: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def entry_ids(self) -> list[int]:
        return sorted({pk for pk, _message in self.problems if pk is not None})


def access_log_check(*, chunk_size: int = 2000) -> LogCheck:
    """Walk the chain in id order, in chunks (constant memory), and compare its end with the head row."""
    result = LogCheck()
    previous_hash = GENESIS_HASH
    previous_id = 0
    while True:
        chunk = list(AccessLogEntry.objects.filter(id__gt=previous_id).order_by("id")[:chunk_size])
        if not chunk:
            break
        for entry in chunk:
            result.checked += 1
            if entry.previous_hash != previous_hash:
                result.problems.append(
                    (
                        entry.pk,
                        _("Entry %(id)s does not follow entry %(prev)s: an entry between them was removed or changed.")
                        % {"id": entry.pk, "prev": previous_id},
                    )
                )
            if _entry_hash(entry.previous_hash, entry) != entry.entry_hash:
                result.problems.append(
                    (entry.pk, _("Entry %(id)s was changed after it was written.") % {"id": entry.pk})
                )
            previous_hash = entry.entry_hash
            previous_id = entry.pk
    head = AccessLogHead.objects.filter(pk=1).first()
    if head is None:
        if result.checked:
            result.problems.append((None, _("The head of the access log is missing.")))
    elif head.last_id != previous_id or head.last_hash != previous_hash or head.entries != result.checked:
        if head.last_id > previous_id:
            result.problems.append(
                (
                    head.last_id,
                    _("Entries after %(prev)s up to %(last)s were removed from the end of the log.")
                    % {"prev": previous_id, "last": head.last_id},
                )
            )
        else:
            result.problems.append(
                (
                    None,
                    _("The log holds %(checked)s entries but %(expected)s were written.")
                    % {"checked": result.checked, "expected": head.entries},
                )
            )
    return result


def access_log_verify() -> list[str]:
    """Walk the chain from the first entry; return the problems found (empty: intact)."""
    return [message for _pk, message in access_log_check().problems]


def log_person_read(
    actor_or_request: Any,
    *,
    person: Person | Any,
    categories: Iterable[str],
    purpose: Purpose | str = Purpose.CASE_WORK,
    channel: Channel | str | None = None,
    resource: str | None = None,
    institution: Any = None,
) -> AccessLogEntry:
    """The access-log entry for a view or an API endpoint that shows `categories` of `person`.

    Given the request: the actor is request.user, the channel "api" under /api/ else "page", the resource the view
    name and its URL arguments (ids only). The acting institution: the given one, else the actor's active membership's
    institution when it holds a grant for the person, else the first of her institutions that does.
    """
    request = actor_or_request if isinstance(actor_or_request, HttpRequest) else None
    actor = request.user if request is not None else actor_or_request
    if channel is None:
        channel = Channel.API if request is not None and request.path.startswith("/api/") else Channel.PAGE
    if resource is None:
        resource = ""
        match = getattr(request, "resolver_match", None)
        if match is not None:
            resource = ":".join([match.view_name, *(str(v) for v in match.kwargs.values())])
    if institution is None:
        from kooperacja.privacy.policies import grants_for

        granted = list(dict.fromkeys(grants_for(actor=actor, person=person).values_list("institution_id", flat=True)))
        active = getattr(request, "active_membership", None) if request is not None else None
        active_institution = getattr(active, "institution_id", None) if active is not None else None
        institution = active_institution if active_institution in granted else (granted[0] if granted else None)
    return access_log_record(
        actor=actor,
        person=person,
        categories=categories,
        purpose=purpose,
        channel=channel,
        resource=resource,
        institution=institution,
    )


# --- anonymisation ----------------------------------------------------------------------------------------------------

ANONYMISED = "Anonimizowano"


def _consent_anonymise(*, actor: Any, consent: Consent) -> None:
    """Inside a transaction: drop the signed document (after commit) and the purpose; keep dates and categories."""
    stored = consent.document.name if consent.document else ""
    Consent.objects.filter(pk=consent.pk).update(document="", purpose=ANONYMISED, anonymised_at=timezone.now())
    audit_record(actor=actor, action="privacy.consent_anonymise", target=consent)
    if stored:
        storage = consent.document.storage
        transaction.on_commit(lambda: storage.delete(stored))


def person_anonymise(*, actor: Any, person: Person) -> Person:
    """Anonymise a person's record: names → "Anonimizowano", PESEL, birth date, address and contacts cleared, grants
    ended, consents' documents removed; households with no other live member anonymised too. The access log keeps
    only the person's id (it never held names), so its chain still verifies."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.anonymised_at is not None:
            raise ValidationError(_("This person's record has already been anonymised."))
        person.first_name = ANONYMISED
        person.last_name = ANONYMISED
        for name in ("second_name", "family_name", "street", "postal_code", "phone", "email"):
            setattr(person, name, "")
        person.pesel_encrypted = ""
        person.pesel_index = ""
        person.birth_date = None
        person.anonymised_at = timezone.now()
        person.save()
        _grants_end_where(actor=actor, where=Q(person=person), reason="person_anonymised")
        for consent in Consent.objects.filter(person=person, anonymised_at__isnull=True):
            _consent_anonymise(actor=actor, consent=consent)
        households = Household.objects.filter(members__person=person, anonymised_at__isnull=True).distinct()
        for household in households:
            others_live = household.members.exclude(person=person).filter(person__anonymised_at__isnull=True).exists()
            if not others_live:
                Household.objects.filter(pk=household.pk).update(
                    name=ANONYMISED, street="", postal_code="", anonymised_at=timezone.now()
                )
                audit_record(actor=actor, action="privacy.household_anonymise", target=household)
        audit_record(actor=actor, action="privacy.person_anonymise", target=person)
    return person


def consent_anonymise(*, actor: Any, consent: Consent) -> None:
    """Anonymise one consent past its retention (the document removed, the purpose blanked)."""
    with transaction.atomic():
        _consent_anonymise(actor=actor, consent=consent)


# --- the DPO's registers ----------------------------------------------------------------------------------------------


def _register_write(
    *, actor: Any, instance: models.Model, values: dict[str, Any], action: str, m2m: dict[str, Iterable[Any]] | None
) -> Any:
    creating = instance.pk is None
    changed = sorted(name for name, value in values.items() if getattr(instance, name, None) != value)
    for name, value in values.items():
        setattr(instance, name, value)
    with transaction.atomic():
        instance.full_clean()
        instance.save()
        for name, items in (m2m or {}).items():
            getattr(instance, name).set(list(items))
        audit_record(
            actor=actor,
            action=f"privacy.{action}_{'create' if creating else 'update'}",
            target=instance,
            institution_id=getattr(instance, "institution_id", None),
            data={"fields": changed + sorted(m2m or {})},
        )
    return instance


def processing_activity_create(
    *, actor: Any, institution: Any, values: dict[str, Any], legal_bases: Iterable[LegalBasis] = ()
) -> ProcessingActivity:
    """Add an entry to the institution's record of processing activities (art. 30)."""
    return _register_write(
        actor=actor,
        instance=ProcessingActivity(institution=institution),
        values=values,
        action="processing_activity",
        m2m={"legal_bases": legal_bases},
    )


def processing_activity_update(
    *, actor: Any, activity: ProcessingActivity, values: dict[str, Any], legal_bases: Iterable[LegalBasis] = ()
) -> ProcessingActivity:
    """Change an entry of the record of processing activities."""
    return _register_write(
        actor=actor, instance=activity, values=values, action="processing_activity", m2m={"legal_bases": legal_bases}
    )


def processing_activity_delete(*, actor: Any, activity: ProcessingActivity) -> None:
    """Remove an entry of the record of processing activities (the processing stopped)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="privacy.processing_activity_delete",
            target=activity,
            institution_id=activity.institution_id,
        )
        activity.delete()


def _check_breach(values: dict[str, Any]) -> None:
    if values.get("reported_to_uodo_at") and (values.get("not_reported_reason") or "").strip():
        raise ValidationError(
            {"not_reported_reason": _("The breach was reported to UODO: leave the reason for not reporting empty.")}
        )
    if not values.get("data_categories"):
        raise ValidationError({"data_categories": _("Choose the categories of data concerned.")})


def breach_create(*, actor: Any, institution: Any, values: dict[str, Any]) -> Breach:
    """Enter a personal data breach in the institution's register (art. 33(5))."""
    _check_breach(values)
    return _register_write(
        actor=actor,
        instance=Breach(institution=institution, recorded_by=actor),
        values=values,
        action="breach",
        m2m=None,
    )


def breach_update(*, actor: Any, breach: Breach, values: dict[str, Any]) -> Breach:
    """Change a breach entry (e.g. record the report to UODO)."""
    _check_breach(values)
    return _register_write(actor=actor, instance=breach, values=values, action="breach", m2m=None)


def _check_request(actor: Any, values: dict[str, Any]) -> None:
    from kooperacja.privacy.policies import report_institution_ids

    errors: dict[str, str] = {}
    person_id = values.get("person_id")
    if person_id and not report_institution_ids(actor, person_id):
        errors["person"] = _("Your institution holds no record of a person with this id.")
    if values.get("extended") and not (values.get("extension_reason") or "").strip():
        errors["extension_reason"] = _("Give the reason for extending the deadline (art. 12(3) GDPR).")
    closed = values.get("status") in ("answered", "refused")
    if closed and not values.get("answered_on"):
        errors["answered_on"] = _("Give the date of the answer.")
    if closed and not (values.get("answer") or "").strip():
        errors["answer"] = _("Summarise the answer (for a refusal: the reasons).")
    if errors:
        raise ValidationError(errors)


def subject_request_create(*, actor: Any, institution: Any, values: dict[str, Any]) -> SubjectRequest:
    """Register a request of a data subject (art. 15–21) with its one-month deadline."""
    _check_request(actor, values)
    return _register_write(
        actor=actor,
        instance=SubjectRequest(institution=institution, recorded_by=actor),
        values=values,
        action="subject_request",
        m2m=None,
    )


def subject_request_update(*, actor: Any, request: SubjectRequest, values: dict[str, Any]) -> SubjectRequest:
    """Change a request (progress, extension, answer)."""
    _check_request(actor, values)
    return _register_write(actor=actor, instance=request, values=values, action="subject_request", m2m=None)


def retention_rule_create(*, actor: Any, institution: Any, values: dict[str, Any]) -> RetentionRule:
    """Set how long the institution keeps a type of record after closure."""
    if RetentionRule.objects.filter(institution=institution, record_type=values.get("record_type")).exists():
        raise ValidationError({"record_type": _("There is already a rule for this type of record.")})
    return _register_write(
        actor=actor, instance=RetentionRule(institution=institution), values=values, action="retention_rule", m2m=None
    )


def retention_rule_update(*, actor: Any, rule: RetentionRule, values: dict[str, Any]) -> RetentionRule:
    """Change a retention rule."""
    duplicate = (
        RetentionRule.objects.filter(institution_id=rule.institution_id, record_type=values.get("record_type"))
        .exclude(pk=rule.pk)
        .exists()
    )
    if duplicate:
        raise ValidationError({"record_type": _("There is already a rule for this type of record.")})
    return _register_write(actor=actor, instance=rule, values=values, action="retention_rule", m2m=None)


def retention_rule_delete(*, actor: Any, rule: RetentionRule) -> None:
    """Remove a retention rule (records of that type are then kept until a rule exists)."""
    with transaction.atomic():
        audit_record(
            actor=actor, action="privacy.retention_rule_delete", target=rule, institution_id=rule.institution_id
        )
        rule.delete()
