"""What the monitoring indicators read of referrals: one row per referral sent, no personal data.

The contract is monitoring's (kooperacja/monitoring/indicators.py, FACT_SOURCES): monitoring sits above referrals and
finds this function by name; referrals never imports monitoring.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from kooperacja.referrals.models import Referral


def referral_facts_for_monitoring(
    *, gmina_ids: frozenset[Any], start: datetime.date | None, as_of: datetime.date
) -> Iterable[
    tuple[Any, str, bool | None, datetime.datetime, datetime.datetime | None, datetime.datetime | None, bool]
]:
    """(gmina of the case, recipient's sector, accepted (None: not answered), sent at, first answered at, completed at,
    closed with feedback) for the referrals of those gminy's cases sent on or before `as_of` (and, with `start`, on
    or after it). Drafts were never sent and are left out. One query."""
    referrals = Referral.objects.filter(case__gmina_id__in=gmina_ids, sent_at__isnull=False, sent_at__date__lte=as_of)
    if start is not None:
        referrals = referrals.filter(sent_at__date__gte=start)
    return list(
        referrals.values_list(
            "case__gmina_id",
            "recipient__sector",
            "accepted",
            "sent_at",
            "first_answered_at",
            "completed_at",
            "closed_with_feedback",
        )
    )
