"""Reads of the referrals context, scoped to the actor, each page in a constant number of queries."""

from __future__ import annotations

import datetime
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from kooperacja.directory.models import Institution, Service
from kooperacja.directory.selectors import DOMAINS_TAXONOMY
from kooperacja.referrals import policies
from kooperacja.referrals.models import (
    AWAITING_ANSWER,
    Comment,
    DeclineReason,
    Notification,
    Referral,
    ReferralTransition,
    State,
)

INBOX_TABS = ("new", "waiting", "in_progress", "overdue", "all")
DEADLINE_FILTERS = ("overdue", "today", "week")
PAGE_SIZE = 50


# What the lists show (the page's table and the API's ReferralOut): the rows stay narrow at national scale.
LISTED_FIELDS = (
    "id",
    "state",
    "urgency",
    "sender",
    "sender__name",
    "sender__short_name",
    "recipient",
    "recipient__name",
    "recipient__short_name",
    "service",
    "service__name",
    "categories",
    "created_at",
    "sent_at",
    "answer_due_at",
    "first_answered_at",
    "completed_at",
    "accepted",
    "decline_reason",
    "outcome",
    "closed_with_feedback",
)


def _listed(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    return queryset.select_related("sender", "recipient", "service").only(*LISTED_FIELDS)


class ListedPage:
    """A list (inbox or outbox) for a paginator — Django's Paginator and the API's PageNumberPagination both count and
    slice it — read in two steps: the ids of the page first, from the list's order index alone (an index-only scan
    however deep the page), then those rows with their sender, recipient and service. One plain query would join and
    read every row before the offset: at national scale a busy institution's last page read thousands of rows."""

    ordered = True  # the paginator's warning about unordered lists: the queryset is ordered

    def __init__(self, queryset: QuerySet[Referral]) -> None:
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[Referral]:
        if not isinstance(item, slice):
            raise TypeError("ListedPage is sliced by its paginator")
        ids = list(self.queryset.values_list("pk", flat=True)[item])
        if not ids:
            return []
        rows = {row.pk: row for row in _listed(Referral.objects.filter(pk__in=ids))}
        return [rows[pk] for pk in ids if pk in rows]


def paged(queryset: QuerySet[Referral]) -> ListedPage:
    """The inbox or outbox queryset, to hand to a paginator (see ListedPage)."""
    return ListedPage(queryset)


def _filtered(
    queryset: QuerySet[Referral], *, state: str = "", sector: str = "", deadline: str = "", sector_of: str
) -> QuerySet[Referral]:
    if state in State.values:
        queryset = queryset.filter(state=state)
    if sector:
        queryset = queryset.filter(**{f"{sector_of}__sector": sector})
    now = timezone.now()
    awaiting = Q(state__in=list(AWAITING_ANSWER))
    if deadline == "overdue":
        queryset = queryset.filter(awaiting, answer_due_at__lt=now)
    elif deadline == "today":
        end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
        queryset = queryset.filter(awaiting, answer_due_at__gte=now, answer_due_at__lte=end)
    elif deadline == "week":
        queryset = queryset.filter(
            awaiting, answer_due_at__gte=now, answer_due_at__lte=now + datetime.timedelta(days=7)
        )
    return queryset


def inbox(*, actor: Any, tab: str = "all", state: str = "", sector: str = "", deadline: str = "") -> QuerySet[Referral]:
    """Referrals sent to the actor's institutions: new (not opened), waiting for an answer, in progress, overdue."""
    queryset = Referral.objects.filter(recipient_id__in=policies.institution_ids(actor)).exclude(state=State.DRAFT)
    now = timezone.now()
    if tab == "new":
        queryset = queryset.filter(state=State.SENT)
    elif tab == "waiting":
        queryset = queryset.filter(state__in=list(AWAITING_ANSWER))
    elif tab == "in_progress":
        queryset = queryset.filter(state__in=[State.ACCEPTED, State.IN_PROGRESS])
    elif tab == "overdue":
        queryset = queryset.filter(state__in=list(AWAITING_ANSWER), answer_due_at__lt=now)
    queryset = _filtered(queryset, state=state, sector=sector, deadline=deadline, sector_of="sender")
    return _listed(queryset).order_by("-sent_at", "id")


def outbox(*, actor: Any, state: str = "", sector: str = "", deadline: str = "") -> QuerySet[Referral]:
    """Referrals the actor's institutions sent (and their drafts)."""
    queryset = Referral.objects.filter(sender_id__in=policies.institution_ids(actor))
    queryset = _filtered(queryset, state=state, sector=sector, deadline=deadline, sector_of="recipient")
    return _listed(queryset).order_by("-created_at", "id")


@dataclass
class ReferralPage:
    referral: Referral
    standing: policies.Standing
    categories: set[str]
    transitions: list[ReferralTransition]
    comments: list[Comment]
    alternatives: list[Service] = field(default_factory=list)


def referral_page(*, actor: Any, referral: Referral) -> ReferralPage:
    """The referral's timeline, comments, what the actor may see of the person, and (draft) services nearby."""
    where = policies.standing(actor, referral)
    categories = policies.shown_categories(actor, referral)
    transitions = list(
        ReferralTransition.objects.filter(referral=referral).select_related("actor", "institution").order_by("at", "id")
    )
    comments: list[Comment] = []
    if referral.state != State.SUSPENDED:
        comments = list(
            Comment.objects.filter(referral=referral).select_related("author", "institution").order_by("at", "id")
        )
    alternatives = services_nearby(service=referral.service) if referral.state == State.DRAFT and where.sender else []
    return ReferralPage(
        referral=referral,
        standing=where,
        categories=categories,
        transitions=transitions,
        comments=comments,
        alternatives=alternatives,
    )


def services_nearby(*, service: Service | None, limit: int = 5) -> list[Service]:
    """Other services of the same domains, at institutions of the same county (accepting first)."""
    if service is None:
        return []
    institution = service.institution
    gmina = institution.gmina
    county_id = institution.county_id or (gmina.county_id if gmina is not None else None)
    domain_ids = list(service.terms.filter(taxonomy__code=DOMAINS_TAXONOMY).values_list("pk", flat=True))
    if not domain_ids or county_id is None:
        return []
    order = {"accepting": 0, "waitlist": 1, "not_accepting": 2}
    rows = list(
        Service.objects.filter(terms__in=domain_ids, institution__is_active=True)
        .filter(Q(institution__gmina__county_id=county_id) | Q(institution__county_id=county_id))
        .exclude(pk=service.pk)
        .select_related("institution")
        .distinct()
        .order_by("name", "id")[: limit * 4]
    )
    rows.sort(key=lambda s: (order.get(s.capacity_status, 3), s.name))
    return rows[:limit]


def services_of(*, institution: Institution) -> QuerySet[Service]:
    return Service.objects.filter(institution=institution).order_by("name", "id")


def notifications_for(*, actor: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=actor).select_related("referral").order_by("-created_at", "-id")


# --- numbers ---------------------------------------------------------------------------------------------------------


@dataclass
class Metrics:
    sent: int
    answered: int
    median_days_to_first_answer: float | None
    median_days_to_completion: float | None
    declined: int
    declined_by_reason: dict[str, float]  # reason -> share of the declined (0..1)
    completed: int
    share_closed_with_feedback: float | None  # of the completed

    @property
    def declined_by_reason_labelled(self) -> list[tuple[str, float]]:
        labels = dict(DeclineReason.choices)
        return [(str(labels.get(reason, reason)), share) for reason, share in self.declined_by_reason.items()]


def _days(start: Any, end: Any) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 86400


def _metrics(queryset: QuerySet[Referral]) -> Metrics:
    rows = list(
        queryset.exclude(state=State.DRAFT).values_list(
            "sent_at", "first_answered_at", "completed_at", "decline_reason", "state", "closed_with_feedback"
        )
    )
    answer_days = [d for d in (_days(r[0], r[1]) for r in rows) if d is not None]
    completion_days = [d for d in (_days(r[0], r[2]) for r in rows) if d is not None]
    declined = Counter(r[3] for r in rows if r[4] == State.DECLINED)
    declined_total = sum(declined.values())
    completed = [r for r in rows if r[4] == State.COMPLETED]
    return Metrics(
        sent=len(rows),
        answered=len(answer_days),
        median_days_to_first_answer=round(statistics.median(answer_days), 1) if answer_days else None,
        median_days_to_completion=round(statistics.median(completion_days), 1) if completion_days else None,
        declined=declined_total,
        declined_by_reason={reason: round(count / declined_total, 3) for reason, count in declined.most_common()},
        completed=len(completed),
        share_closed_with_feedback=(
            round(sum(1 for r in completed if r[5]) / len(completed), 3) if completed else None
        ),
    )


def institution_metrics(*, institution: Institution | Any) -> Metrics:
    """How the institution answers the referrals it receives (aggregates only, no personal data)."""
    return _metrics(Referral.objects.filter(recipient_id=getattr(institution, "pk", institution)))


def sector_metrics(*, sector: str, voivodeship: Any = None) -> Metrics:
    queryset = Referral.objects.filter(recipient__sector=sector)
    if voivodeship is not None:
        queryset = queryset.filter(Q(recipient__gmina__voivodeship=voivodeship) | Q(recipient__voivodeship=voivodeship))
    return _metrics(queryset)
