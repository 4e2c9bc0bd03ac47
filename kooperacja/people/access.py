"""Writing the access log for reads of persons (pages and API): one entry per person shown, with the categories shown,
the purpose, the channel and the resource (a view or endpoint name and ids — never personal data)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from kooperacja.privacy import policies as privacy
from kooperacja.privacy import services as privacy_services
from kooperacja.privacy.models import Purpose


def log_reads(
    *,
    actor: Any,
    shown: Iterable[tuple[Any, Iterable[str]]],
    resource: str,
    channel: str,
    purpose: str = Purpose.CASE_WORK,
) -> int:
    """Record the reads of (person, categories shown) pairs; persons with nothing shown are skipped.

    The acting institution of each entry is the actor's institution whose grant allowed the read (one query for all).
    """
    pairs = [(person, sorted(set(categories))) for person, categories in shown]
    pairs = [(person, categories) for person, categories in pairs if categories]
    if not pairs:
        return 0
    person_ids = [getattr(person, "pk", person) for person, _ in pairs]
    institution_of: dict[Any, Any] = {}
    grants = (
        privacy.valid_grants()
        .filter(institution_id__in=privacy.acting_institution_ids(actor), person_id__in=person_ids)
        .filter(Q(user__isnull=True) | Q(user_id=getattr(actor, "pk", None)))
        .order_by("started_at")
        .values_list("person_id", "institution_id")
    )
    for person_id, institution_id in grants:
        institution_of.setdefault(person_id, institution_id)
    privacy_services.access_log_record_many(
        privacy_services.LogRead(
            actor,
            person,
            categories,
            purpose,
            channel,
            resource=resource,
            institution=institution_of.get(getattr(person, "pk", person)),  # the id: the log stores only that
        )
        for person, categories in pairs
    )
    return len(pairs)
