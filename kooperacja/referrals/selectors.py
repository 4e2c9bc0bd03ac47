"""Reads of the referrals context, scoped to the actor, each page in a constant number of queries."""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, FloatField, Func, Q, QuerySet
from django.utils import timezone

from kooperacja.directory.models import Institution, PartnershipMember, Service
from kooperacja.directory.selectors import DOMAINS_TAXONOMY
from kooperacja.people.models import Person
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


RECIPIENTS_OFFERED = 300


def recipients_offered(*, sender: Institution, q: str = "", chosen: Any = None) -> list[Institution]:
    """The institutions the first step lists: with a search, the active ones whose name matches (anywhere in the
    country); without one, the sender's county and its current partnership partners. Any active institution may be
    chosen (by id); the list only keeps the page usable with tens of thousands of institutions."""
    queryset = Institution.objects.filter(is_active=True).exclude(pk=sender.pk).only("pk", "name")
    q = q.strip()
    if q:
        rows = list(queryset.filter(name__icontains=q).order_by("name", "pk")[:RECIPIENTS_OFFERED])
    else:
        today = timezone.localdate()
        current = Q(left_on__isnull=True) | Q(left_on__gte=today)
        partnerships = PartnershipMember.objects.filter(current, institution=sender).values("partnership_id")
        partners = PartnershipMember.objects.filter(current, partnership_id__in=partnerships).values("institution_id")
        county_id = sender.county_id or (sender.gmina.county_id if sender.gmina is not None else None)
        nearby = Q(pk__in=partners)
        if county_id is not None:
            nearby |= Q(gmina__county_id=county_id) | Q(county_id=county_id)
        rows = list(queryset.filter(nearby).order_by("name", "pk")[:RECIPIENTS_OFFERED])
    if chosen is not None and all(row.pk != chosen.pk for row in rows):
        rows.insert(0, chosen)
    return rows


def household_members_for_referral(*, case: Any) -> QuerySet[Person]:
    """The current members of a family case's household (whom a referral from it may concern)."""
    today = timezone.localdate()
    return (
        Person.objects.filter(memberships__household_id=case.household_id)
        .filter(Q(memberships__until__isnull=True) | Q(memberships__until__gte=today))
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


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


class _Median(Aggregate):
    """PostgreSQL's median (percentile_cont) of an expression."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _seconds_between(start: str, end: str) -> Func:
    return Func(
        ExpressionWrapper(F(end) - F(start), output_field=DurationField()),
        template="EXTRACT(EPOCH FROM %(expressions)s)",
        output_field=FloatField(),
    )


def _medians(queryset: QuerySet[Referral]) -> tuple[float | None, float | None]:
    """Median days sent → first answer and sent → completion: in the database on PostgreSQL (the national data set),
    in Python on SQLite (the embedded demo)."""
    if connection.vendor == "postgresql":
        row = queryset.aggregate(
            answer=_Median(_seconds_between("sent_at", "first_answered_at"), filter=Q(first_answered_at__isnull=False)),
            completion=_Median(_seconds_between("sent_at", "completed_at"), filter=Q(completed_at__isnull=False)),
        )
        return tuple(  # type: ignore[return-value]
            round(row[key] / 86400, 1) if row[key] is not None else None for key in ("answer", "completion")
        )
    rows = list(queryset.values_list("sent_at", "first_answered_at", "completed_at"))
    answer_days = [d for d in (_days(r[0], r[1]) for r in rows) if d is not None]
    completion_days = [d for d in (_days(r[0], r[2]) for r in rows) if d is not None]
    return (
        round(statistics.median(answer_days), 1) if answer_days else None,
        round(statistics.median(completion_days), 1) if completion_days else None,
    )


def _metrics(queryset: QuerySet[Referral]) -> Metrics:
    """The figures of a set of referrals, aggregated in the database (a sector holds hundreds of thousands)."""
    queryset = queryset.exclude(state=State.DRAFT)
    totals = queryset.aggregate(
        sent=Count("pk"),
        answered=Count("pk", filter=Q(first_answered_at__isnull=False, sent_at__isnull=False)),
        completed=Count("pk", filter=Q(state=State.COMPLETED)),
        with_feedback=Count("pk", filter=Q(state=State.COMPLETED, closed_with_feedback=True)),
    )
    declined = {
        row["decline_reason"]: row["n"]
        for row in queryset.filter(state=State.DECLINED)
        .values("decline_reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "decline_reason")
    }
    declined_total = sum(declined.values())
    answer_median, completion_median = _medians(queryset) if totals["sent"] else (None, None)
    completed = totals["completed"]
    return Metrics(
        sent=totals["sent"],
        answered=totals["answered"],
        median_days_to_first_answer=answer_median,
        median_days_to_completion=completion_median,
        declined=declined_total,
        declined_by_reason={reason: round(count / declined_total, 3) for reason, count in declined.items()},
        completed=completed,
        share_closed_with_feedback=round(totals["with_feedback"] / completed, 3) if completed else None,
    )


def institution_metrics(*, institution: Institution | Any) -> Metrics:
    """How the institution answers the referrals it receives (aggregates only, no personal data)."""
    return _metrics(Referral.objects.filter(recipient_id=getattr(institution, "pk", institution)))


def sector_metrics(*, sector: str, voivodeship: Any = None) -> Metrics:
    queryset = Referral.objects.filter(recipient__sector=sector)
    if voivodeship is not None:
        queryset = queryset.filter(Q(recipient__gmina__voivodeship=voivodeship) | Q(recipient__voivodeship=voivodeship))
    return _metrics(queryset)


def deadlines_of(*, partnership: Any) -> dict[str, int]:
    """The partnership's deadlines (its rule, or the defaults: urgent 2, normal 7 working days)."""
    from kooperacja.referrals.models import ReferralDeadlineRule, Urgency
    from kooperacja.referrals.services import DEFAULT_DAYS, DEFAULT_EXPIRE_AFTER_DAYS, DEFAULT_REMINDER_DAYS

    rule = ReferralDeadlineRule.objects.filter(partnership=partnership).first()
    if rule is None:
        return {
            "urgent_days": DEFAULT_DAYS[Urgency.URGENT],
            "normal_days": DEFAULT_DAYS[Urgency.NORMAL],
            "reminder_days": DEFAULT_REMINDER_DAYS,
            "expire_after_days": DEFAULT_EXPIRE_AFTER_DAYS,
        }
    return {
        "urgent_days": rule.urgent_days,
        "normal_days": rule.normal_days,
        "reminder_days": rule.reminder_days,
        "expire_after_days": rule.expire_after_days,
    }
