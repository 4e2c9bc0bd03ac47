"""Retention: each institution's rules say how long a type of record is kept after closure; `apply_retention`
(the scheduled task and the management command) anonymises what is past it.

Handlers are registered per record type. privacy handles "person", "consent" and "subject_request"; cases registers
"case" from its AppConfig.ready():

    from kooperacja.privacy import retention
    retention.register("case", anonymise_closed_cases)

A handler is `handler(*, institution, cutoff, actor) -> int`: anonymise that institution's records of its type closed
before `cutoff` (a date) and return how many it anonymised. It should call `privacy.services.person_anonymise` for a
person only when `person_still_needed(person)` is False.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from kooperacja.core.services import audit_record
from kooperacja.people.models import Person
from kooperacja.privacy.models import AccessGrant, Consent, RecordType, RetentionRule, SubjectRequest

logger = logging.getLogger(__name__)

Handler = Callable[..., int]
_handlers: dict[str, Handler] = {}

# Grants of this source type rest on the institution's own statutory register of the person; they alone do not keep a
# record alive once every case and referral has ended.
RECORD_SOURCE = "record"
BATCH = 500


def register(record_type: str, handler: Handler) -> None:
    """Register the anonymiser of a record type (one per type; a later registration replaces the earlier one)."""
    _handlers[str(record_type)] = handler


def handlers() -> dict[str, Handler]:
    return dict(_handlers)


def cutoff_for(period_years: int, today: datetime.date) -> datetime.date:
    """Records closed before this day are past a retention of `period_years`."""
    try:
        return today.replace(year=today.year - period_years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - period_years, day=28)


def person_still_needed(person: Person | Any) -> bool:
    """True while a live source (a case, a team, a referral, a plan task…) still holds an open grant for the person."""
    person_id = getattr(person, "pk", person)
    return (
        AccessGrant.objects.filter(person_id=person_id, ended_at__isnull=True)
        .exclude(source_type=RECORD_SOURCE)
        .exists()
    )


def apply_retention(*, actor: Any = None, today: datetime.date | None = None) -> dict[str, int]:
    """Run the handler of every retention rule; returns the number anonymised per record type (types without a
    handler are skipped and reported with -1)."""
    day = today or timezone.localdate()
    totals: dict[str, int] = {}
    for rule in RetentionRule.objects.select_related("institution").order_by("institution_id", "record_type"):
        handler = _handlers.get(rule.record_type)
        if handler is None:
            totals.setdefault(rule.record_type, -1)
            continue
        count = handler(institution=rule.institution, cutoff=cutoff_for(rule.period_years, day), actor=actor)
        totals[rule.record_type] = max(totals.get(rule.record_type, 0), 0) + count
        logger.info("retention %s: %s anonymised", rule.record_type, count)
    return totals


# --- privacy's own handlers ---------------------------------------------------------------------------------------


def anonymise_persons(*, institution: Any, cutoff: datetime.date, actor: Any) -> int:
    """Persons the institution recorded, with no live source left, whose last grant ended (or, with no grant beyond
    the register, whose record was made) before `cutoff`."""
    from kooperacja.privacy.services import person_anonymise

    boundary = datetime.datetime.combine(cutoff, datetime.time.min, tzinfo=datetime.UTC)
    live_grant = AccessGrant.objects.filter(person=OuterRef("pk"), ended_at__isnull=True).exclude(
        source_type=RECORD_SOURCE
    )
    candidates = (
        Person.objects.live()
        .filter(recorded_by_institution=institution, created_at__lt=boundary)
        .annotate(
            has_live=Exists(live_grant),
            last_end=Max("grants__ended_at", filter=~Q(grants__source_type=RECORD_SOURCE)),
        )
        .filter(has_live=False)
        .filter(Q(last_end__isnull=True) | Q(last_end__lt=boundary))
        .order_by("pk")
    )
    count = 0
    for person in candidates[:BATCH]:
        person_anonymise(actor=actor, person=person)
        count += 1
    return count


def anonymise_consents(*, institution: Any, cutoff: datetime.date, actor: Any) -> int:
    """Consents the institution recorded that were withdrawn or expired before `cutoff`."""
    from kooperacja.privacy.services import consent_anonymise

    consents = (
        Consent.objects.filter(recorded_by_institution=institution, anonymised_at__isnull=True)
        .filter(Q(withdrawn_on__lt=cutoff) | Q(valid_until__lt=cutoff))
        .order_by("pk")
    )
    count = 0
    for consent in consents[:BATCH]:
        consent_anonymise(actor=actor, consent=consent)
        count += 1
    return count


def anonymise_subject_requests(*, institution: Any, cutoff: datetime.date, actor: Any) -> int:
    """Requests answered (or refused) before `cutoff`: the requester's name and the answer are blanked."""
    from kooperacja.privacy.services import ANONYMISED

    requests = list(
        SubjectRequest.objects.filter(institution=institution, answered_on__lt=cutoff)
        .exclude(requester=ANONYMISED)
        .order_by("pk")[:BATCH]
    )
    with transaction.atomic():
        for request in requests:
            SubjectRequest.objects.filter(pk=request.pk).update(requester=ANONYMISED, answer="", person=None)
            audit_record(
                actor=actor, action="privacy.subject_request_anonymise", target=request, institution_id=institution.pk
            )
    return len(requests)


register(RecordType.PERSON, anonymise_persons)
register(RecordType.CONSENT, anonymise_consents)
register(RecordType.SUBJECT_REQUEST, anonymise_subject_requests)
