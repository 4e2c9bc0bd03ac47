"""What the monitoring indicators read of cases: one row per person or family supported, no personal data.

The contract is monitoring's (kooperacja/monitoring/indicators.py, FACT_SOURCES): monitoring sits above cases and
finds this function by name; cases never imports monitoring.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone

from kooperacja.cases.models import Case, Stage

Row = tuple[Any, str, datetime.date | None, datetime.date | None, str]


def case_facts_for_monitoring(
    *, gmina_ids: frozenset[Any], start: datetime.date | None, as_of: datetime.date
) -> Iterable[Row]:
    """(gmina id, "person" | "family", opened on, closed on | None, outcome) for the cases of those gminy opened on or
    before `as_of` (and, with `start`, not closed before it). Refused applications are no support. A person or family
    with several cases in one gmina counts once: the latest case stands for it. Outcome "successful" when the case was
    closed as completed successfully. One query."""
    cases = Case.objects.filter(gmina_id__in=gmina_ids).exclude(stage=Stage.REFUSED)
    if start is not None:
        cases = cases.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
    latest: dict[tuple[Any, str, Any], Row] = {}
    for gmina_id, person_id, household_id, opened_at, closed_on, success, stage in cases.order_by(
        "opened_at", "pk"
    ).values_list("gmina_id", "person_id", "household_id", "opened_at", "closed_on", "success", "stage"):
        opened_on = timezone.localtime(opened_at).date()
        if opened_on > as_of:
            continue
        kind = "person" if person_id is not None else "family"
        closed = closed_on if stage == Stage.CLOSED else None
        outcome = "successful" if closed is not None and success else ("closed" if closed is not None else "")
        latest[(gmina_id, kind, person_id or household_id)] = (gmina_id, kind, opened_on, closed, outcome)
    return list(latest.values())
