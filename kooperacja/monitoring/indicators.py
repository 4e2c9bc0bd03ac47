"""Indicators computed from live data (never typed in twice), and the small-cell suppression of counts.

How it works: `load_facts()` reads, in a constant number of queries, the raw rows behind every indicator for a set of
pilots (pilots, partnerships of their gminy, member institutions, support hours, and — when those contexts are
installed — cases and referrals, through `fact_source()`). Each indicator of `REGISTRY` is a plain function of those facts, so the same code
computes a gmina, a voivodeship, a macroregion or the country (`Facts.restrict(gmina_ids)`), and a dashboard with many
rows costs the same number of queries as one with a single row.

Person-level indicators (persons, families, plans, referrals) are counts about people: wherever they are shown they
pass through `suppress_cells` / `suppress_value` (1–4 → "<5", plus a complementary cell where a total would reveal
a hidden one).
"""

from __future__ import annotations

import calendar
import datetime
import importlib
import re
import statistics
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, TypeVar

from django.apps import apps
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kooperacja.directory.models import Partnership, PartnershipMember
from kooperacja.monitoring.models import Pilot, PilotStatus, SupportActivity

SUPPRESSED = "<5"
SUPPRESSION_THRESHOLD = 5

Value = int | Decimal | float | dict[str, Any] | None

# --- periods --------------------------------------------------------------------------------------------------------

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Period:
    """A month ("2026-07") or a quarter ("2026-Q3")."""

    code: str
    start: datetime.date
    end: datetime.date

    @classmethod
    def parse(cls, code: str) -> Period:
        """The period of a code; ValueError on anything else."""
        code = (code or "").strip().upper()
        if match := _QUARTER.match(code):
            year, quarter = int(match[1]), int(match[2])
            first = 3 * (quarter - 1) + 1
            last = first + 2
            return cls(
                code, datetime.date(year, first, 1), datetime.date(year, last, calendar.monthrange(year, last)[1])
            )
        if match := _MONTH.match(code):
            year, month = int(match[1]), int(match[2])
            return cls(
                code, datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])
            )
        raise ValueError("A period is a month (2026-07) or a quarter (2026-Q3).")

    @classmethod
    def previous_quarter(cls, today: datetime.date | None = None) -> Period:
        today = today or timezone.localdate()
        quarter = (today.month - 1) // 3 + 1
        year = today.year
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        return cls.parse(f"{year}-Q{quarter}")

    @property
    def is_past(self) -> bool:
        return self.end < timezone.localdate()


# --- small-cell suppression -----------------------------------------------------------------------------------------

K = TypeVar("K", bound=Hashable)


def _small(value: int | None) -> bool:
    return value is not None and 0 < value < SUPPRESSION_THRESHOLD


def suppress_value(value: int | None) -> int | str | None:
    """One count on its own: 1–4 becomes "<5"; 0, None and 5+ are shown as they are."""
    return SUPPRESSED if _small(value) else value


def suppress_cells(
    cells: Mapping[K, int | None], *, with_total: bool = True
) -> tuple[dict[K, int | str | None], int | str | None]:
    """Hide small counts of one row or column; returns the cells to show and the total to show.

    1. Every cell of 1–4 is shown as "<5" (primary suppression).
    2. The total (the sum of the cells, shown when `with_total`) is itself hidden when it is 1–4.
    3. If the total is shown and exactly ONE cell is hidden, the total minus the shown cells would give it away, so a
       second cell is hidden too: the smallest cell above zero that is still shown (the first in key order on ties).
       When there is none (every other cell is 0), the hidden cell equals the total, so the total is hidden instead.
    Zeros are shown: a zero reveals nobody.
    """
    shown: dict[K, int | str | None] = {key: (SUPPRESSED if _small(value) else value) for key, value in cells.items()}
    if not with_total:
        return shown, None
    total_value = sum(value or 0 for value in cells.values())
    total: int | str | None = SUPPRESSED if _small(total_value) else total_value
    hidden = [key for key, value in shown.items() if value == SUPPRESSED]
    if total != SUPPRESSED and len(hidden) == 1:
        candidates = [
            (value, index, key)
            for index, (key, value) in enumerate(cells.items())
            if key not in hidden and value is not None and value > 0
        ]
        if candidates:
            _value, _index, key = min(candidates, key=lambda item: (item[0], item[1]))
            shown[key] = SUPPRESSED
        else:
            total = SUPPRESSED
    return shown, total


def suppress_share(numerator: int | None, denominator: int | None) -> float | str | None:
    """A share of two person counts: hidden when either count or their difference is 1–4 (each would reveal a cell)."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    if _small(numerator) or _small(denominator) or _small(denominator - numerator):
        return SUPPRESSED
    return numerator / denominator


# --- facts ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PilotFact:
    id: int
    gmina_id: int
    gmina_code: str
    gmina_name: str
    gmina_kind: str
    county_id: int | None
    voivodeship_id: int
    voivodeship_code: str
    voivodeship_name: str
    macroregion_code: str
    macroregion_name: str
    variant: str
    status: str


@dataclass(frozen=True)
class Facts:
    """The raw rows behind the indicators of a set of pilots, as of `as_of` (the period's end, or today)."""

    as_of: datetime.date
    period: Period | None
    pilots: list[PilotFact]
    # (partnership id, gmina id, established on, ended on)
    partnerships: list[tuple[Any, int, datetime.date | None, datetime.date | None]]
    # (gmina id of the partnership, institution id, sector)
    members: list[tuple[int, Any, str]]
    # (gmina id of the pilot, kind, hours)
    support: list[tuple[int, str, Decimal]]
    cases: list[CaseFact] | None = None
    referrals: list[ReferralFact] | None = None
    gmina_ids: frozenset[int] = field(default_factory=frozenset)

    def restrict(self, gmina_ids: Iterable[int]) -> Facts:
        """The same facts for a subset of the gminy (a macroregion, a voivodeship, one gmina)."""
        keep = frozenset(gmina_ids)
        return replace(
            self,
            pilots=[row for row in self.pilots if row.gmina_id in keep],
            partnerships=[row for row in self.partnerships if row[1] in keep],
            members=[row for row in self.members if row[0] in keep],
            support=[row for row in self.support if row[0] in keep],
            cases=None if self.cases is None else [row for row in self.cases if row.gmina_id in keep],
            referrals=None if self.referrals is None else [row for row in self.referrals if row.gmina_id in keep],
            gmina_ids=keep & self.gmina_ids,
        )


def testing_pilots(pilots: QuerySet[Pilot], period: Period | None) -> QuerySet[Pilot]:
    """Pilots that test the model: running or finished, and (for a period) overlapping it."""
    pilots = pilots.filter(status__in=[PilotStatus.RUNNING, PilotStatus.FINISHED])
    if period is not None:
        pilots = pilots.filter(Q(started_on__isnull=True) | Q(started_on__lte=period.end)).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=period.start)
        )
    return pilots


def load_facts(pilots: QuerySet[Pilot], *, period: Period | None = None, only_testing: bool = True) -> Facts:
    """Read the rows behind every indicator of these pilots: a constant number of queries, whatever their number.

    `only_testing`: count only running or finished pilots overlapping the period (a dashboard); False for the page of
    one pilot, which shows its figures whatever its status.
    """
    as_of = period.end if period is not None else timezone.localdate()
    rows = list(
        (testing_pilots(pilots, period) if only_testing else pilots).values_list(
            "id",
            "gmina_id",
            "gmina__code",
            "gmina__name",
            "gmina__kind",
            "county_id",
            "gmina__voivodeship_id",
            "gmina__voivodeship__code",
            "gmina__voivodeship__name",
            "gmina__voivodeship__macroregion__code",
            "gmina__voivodeship__macroregion__name",
            "variant",
            "status",
        )
    )
    facts_pilots = [
        PilotFact(
            *row[:9], macroregion_code=row[9] or "", macroregion_name=row[10] or "", variant=row[11], status=row[12]
        )
        for row in rows
    ]
    gmina_ids = frozenset(row.gmina_id for row in facts_pilots)
    pilot_ids = [row.id for row in facts_pilots]
    if not gmina_ids:
        return Facts(
            as_of=as_of,
            period=period,
            pilots=[],
            partnerships=[],
            members=[],
            support=[],
            cases=[] if fact_source(CASES_APP) is not None else None,
            referrals=[] if fact_source(REFERRALS_APP) is not None else None,
            gmina_ids=gmina_ids,
        )
    live_partnerships = Partnership.objects.filter(gmina_id__in=gmina_ids).filter(
        Q(established_on__isnull=True) | Q(established_on__lte=as_of)
    )
    if period is not None:
        live_partnerships = live_partnerships.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.start))
    partnerships = list(live_partnerships.values_list("id", "gmina_id", "established_on", "ended_on"))
    members = list(
        PartnershipMember.objects.filter(partnership__in=live_partnerships, joined_on__lte=as_of)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of))
        .values_list("partnership__gmina_id", "institution_id", "institution__sector")
    )
    support_rows = SupportActivity.objects.filter(pilot_id__in=pilot_ids, given_on__lte=as_of)
    if period is not None:
        support_rows = support_rows.filter(given_on__gte=period.start)
    support = [
        (gmina_id, kind, hours or Decimal(0))
        for gmina_id, kind, hours in support_rows.values("pilot__gmina_id", "kind")
        .order_by()
        .annotate(total=Sum("hours"))
        .values_list("pilot__gmina_id", "kind", "total")
    ]
    return Facts(
        as_of=as_of,
        period=period,
        pilots=facts_pilots,
        partnerships=partnerships,
        members=members,
        support=support,
        cases=load_case_facts(gmina_ids, period=period, as_of=as_of),
        referrals=load_referral_facts(gmina_ids, period=period, as_of=as_of),
        gmina_ids=gmina_ids,
    )


# --- cases and referrals: the only code that knows those contexts ---------------------------------------------------
#
# The `cases` and `referrals` contexts are built separately. Monitoring never reads their tables itself: each of them
# provides ONE selector that answers for a set of gminy and a period, and monitoring calls it (through
# `fact_source()`) only when the app is installed and the selector exists. Until then every indicator built on it is
# None with the note "not available yet", and the dashboards, exports, PDFs, API and snapshots show that note; the
# moment the selector exists they show the figures, small cells hidden, with no other change.
#
#   kooperacja/cases/facts.py
#       def case_facts_for_monitoring(
#           *, gmina_ids: frozenset[int], start: datetime.date | None, as_of: datetime.date
#       ) -> Iterable[tuple[int, str, datetime.date | None, datetime.date | None, str]]:
#           """(gmina id, "person" | "family", opened on, closed on | None, outcome) — one row per case of a person or
#           family of those gminy opened on or before `as_of` and, when `start` is given, not closed before `start`;
#           outcome "successful" for a plan completed successfully, any other text (or "") otherwise."""
#           # e.g. Case.objects.filter(gmina_id__in=gmina_ids, opened_on__lte=as_of)
#           #        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))       # only when start
#           #        .values_list("gmina_id", "subject_kind", "opened_on", "closed_on", "outcome")
#
#   kooperacja/referrals/facts.py
#       def referral_facts_for_monitoring(
#           *, gmina_ids: frozenset[int], start: datetime.date | None, as_of: datetime.date
#       ) -> Iterable[tuple[int, str, bool | None, datetime.datetime, datetime.datetime | None,
#                           datetime.datetime | None, bool]]:
#           """(gmina id of the case, sector of the recipient institution, accepted (None: not answered yet), sent at,
#           first answered at, completed at, closed with feedback) — one row per referral of cases of those gminy sent
#           on or before `as_of` and, when `start` is given, on or after `start`."""
#
# Both: ONE query, no personal data (no names, PESEL, ids of persons), no scoping of their own (monitoring passes
# only the gminy the actor may see). A case closed after `as_of` is counted as open (monitoring clips the date).
# If a person can have several cases in one gmina at once, return one row per person or family (e.g. the latest case):
# the rows are what "persons/families supported" counts.

CASES_APP = "kooperacja.cases"
REFERRALS_APP = "kooperacja.referrals"
FACT_SOURCES: dict[str, str] = {
    CASES_APP: "kooperacja.cases.facts.case_facts_for_monitoring",
    REFERRALS_APP: "kooperacja.referrals.facts.referral_facts_for_monitoring",
}


def fact_source(app: str) -> Callable[..., Iterable[tuple[Any, ...]]] | None:
    """The selector that gives monitoring the rows of another context, or None while that context does not exist."""
    if not apps.is_installed(app):
        return None
    module_name, _dot, function_name = FACT_SOURCES[app].rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    function = getattr(module, function_name, None)
    return function if callable(function) else None


@dataclass(frozen=True)
class CaseFact:
    gmina_id: int
    subject_kind: str
    opened_on: datetime.date | None
    closed_on: datetime.date | None
    outcome: str


@dataclass(frozen=True)
class ReferralFact:
    gmina_id: int
    sector: str
    accepted: bool | None
    days_to_first_answer: float | None
    days_to_completion: float | None
    closed_with_feedback: bool


def load_case_facts(gmina_ids: frozenset[int], *, period: Period | None, as_of: datetime.date) -> list[CaseFact] | None:
    source = fact_source(CASES_APP)
    if source is None:
        return None
    rows = source(gmina_ids=gmina_ids, start=period.start if period is not None else None, as_of=as_of)
    return [
        CaseFact(gmina_id, kind, opened, closed if closed and closed <= as_of else None, outcome or "")
        for gmina_id, kind, opened, closed, outcome in rows
        if gmina_id in gmina_ids
    ]


def _days(start: datetime.datetime | None, end: datetime.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 86400


def load_referral_facts(
    gmina_ids: frozenset[int], *, period: Period | None, as_of: datetime.date
) -> list[ReferralFact] | None:
    source = fact_source(REFERRALS_APP)
    if source is None:
        return None
    rows = source(gmina_ids=gmina_ids, start=period.start if period is not None else None, as_of=as_of)
    return [
        ReferralFact(gmina_id, sector, accepted, _days(sent, answered), _days(sent, completed), bool(feedback))
        for gmina_id, sector, accepted, sent, answered, completed, feedback in rows
        if gmina_id in gmina_ids
    ]


# --- the registry ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str | Promise
    unit: str  # "count", "days", "hours", "share", "breakdown"
    compute: Callable[[Facts], Value]
    person_level: bool = False  # counts about people: small cells hidden wherever shown
    requires: str = ""  # the app that must be installed for a value
    description: str | Promise = ""


REGISTRY: dict[str, Indicator] = {}

NOT_AVAILABLE_YET = _(
    "Not available yet: this figure is computed from case and referral records, which the platform does not hold yet."
)


def indicator(
    key: str,
    label: str | Promise,
    unit: str,
    *,
    person_level: bool = False,
    requires: str = "",
    description: str | Promise = "",
) -> Callable[[Callable[[Facts], Value]], Callable[[Facts], Value]]:
    def register(function: Callable[[Facts], Value]) -> Callable[[Facts], Value]:
        REGISTRY[key] = Indicator(key, label, unit, function, person_level, requires, description)
        return function

    return register


def _median(values: Iterable[float | int]) -> float | None:
    values = list(values)
    return float(statistics.median(values)) if values else None


def _mean(values: Iterable[float | int]) -> float | None:
    values = list(values)
    return float(statistics.fmean(values)) if values else None


@indicator("gminy_testing", _("gminy testing the model"), "count")
def gminy_testing(facts: Facts) -> Value:
    return len({row.gmina_id for row in facts.pilots})


@indicator("counties_testing", _("counties testing the model"), "count")
def counties_testing(facts: Facts) -> Value:
    return len({row.county_id for row in facts.pilots if row.county_id is not None})


@indicator("gminy_by_kind", _("gminy testing, by kind"), "breakdown")
def gminy_by_kind(facts: Facts) -> Value:
    return dict(Counter(kind for _gmina, kind in {(row.gmina_id, row.gmina_kind) for row in facts.pilots}))


@indicator("gminy_by_variant", _("gminy testing, by model variant"), "breakdown")
def gminy_by_variant(facts: Facts) -> Value:
    return dict(Counter(variant for _gmina, variant in {(row.gmina_id, row.variant) for row in facts.pilots}))


@indicator("partnerships", _("partnerships"), "count")
def partnerships(facts: Facts) -> Value:
    return len({row[0] for row in facts.partnerships})


@indicator("member_institutions", _("member institutions"), "count")
def member_institutions(facts: Facts) -> Value:
    return len({row[1] for row in facts.members})


@indicator("member_institutions_by_sector", _("member institutions, by sector"), "breakdown")
def member_institutions_by_sector(facts: Facts) -> Value:
    return dict(Counter(sector for _institution, sector in {(row[1], row[2]) for row in facts.members}))


def _lifetimes(facts: Facts) -> list[int]:
    return [
        ((ended if ended is not None and ended < facts.as_of else facts.as_of) - established).days
        for _id, _gmina, established, ended in facts.partnerships
        if established is not None
    ]


@indicator("partnership_lifetime_mean_days", _("partnership lifetime, mean"), "days")
def partnership_lifetime_mean(facts: Facts) -> Value:
    return _mean(_lifetimes(facts))


@indicator("partnership_lifetime_median_days", _("partnership lifetime, median"), "days")
def partnership_lifetime_median(facts: Facts) -> Value:
    return _median(_lifetimes(facts))


@indicator("support_hours", _("support hours (training, coaching, supervision, advisory)"), "hours")
def support_hours(facts: Facts) -> Value:
    return sum((hours for _gmina, _kind, hours in facts.support), Decimal(0))


@indicator("support_hours_by_kind", _("support hours, by kind"), "breakdown")
def support_hours_by_kind(facts: Facts) -> Value:
    hours: dict[str, Decimal] = {}
    for _gmina, kind, amount in facts.support:
        hours[kind] = hours.get(kind, Decimal(0)) + amount
    return hours


@indicator("persons_supported", _("persons supported"), "count", person_level=True, requires=CASES_APP)
def persons_supported(facts: Facts) -> Value:
    if facts.cases is None:
        return None
    return sum(1 for case in facts.cases if case.subject_kind == "person")


@indicator("families_supported", _("families supported"), "count", person_level=True, requires=CASES_APP)
def families_supported(facts: Facts) -> Value:
    if facts.cases is None:
        return None
    return sum(1 for case in facts.cases if case.subject_kind == "family")


@indicator("plans_closed", _("plans closed"), "count", person_level=True, requires=CASES_APP)
def plans_closed(facts: Facts) -> Value:
    if facts.cases is None:
        return None
    return sum(1 for case in facts.cases if case.closed_on is not None)


@indicator("plans_successful", _("plans completed successfully"), "count", person_level=True, requires=CASES_APP)
def plans_successful(facts: Facts) -> Value:
    if facts.cases is None:
        return None
    return sum(1 for case in facts.cases if case.closed_on is not None and case.outcome == "successful")


@indicator("case_duration_median_days", _("case duration, median"), "days", person_level=True, requires=CASES_APP)
def case_duration_median(facts: Facts) -> Value:
    if facts.cases is None:
        return None
    closed = [case for case in facts.cases if case.closed_on is not None and case.opened_on is not None]
    if len(closed) < SUPPRESSION_THRESHOLD:  # a median of one to four cases describes those persons
        return None
    return _median((case.closed_on - case.opened_on).days for case in closed)  # type: ignore[operator]


@indicator("referrals_by_sector", _("referrals, by sector"), "breakdown", person_level=True, requires=REFERRALS_APP)
def referrals_by_sector(facts: Facts) -> Value:
    if facts.referrals is None:
        return None
    return dict(Counter(referral.sector for referral in facts.referrals))


@indicator("referrals", _("referrals sent"), "count", person_level=True, requires=REFERRALS_APP)
def referrals_count(facts: Facts) -> Value:
    return None if facts.referrals is None else len(facts.referrals)


@indicator("referrals_accepted", _("referrals accepted"), "count", person_level=True, requires=REFERRALS_APP)
def referrals_accepted(facts: Facts) -> Value:
    return None if facts.referrals is None else sum(1 for referral in facts.referrals if referral.accepted)


@indicator(
    "referrals_with_feedback", _("referrals closed with feedback"), "count", person_level=True, requires=REFERRALS_APP
)
def referrals_with_feedback(facts: Facts) -> Value:
    return None if facts.referrals is None else sum(1 for r in facts.referrals if r.closed_with_feedback)


@indicator(
    "referral_first_answer_median_days",
    _("time to the first answer to a referral, median"),
    "days",
    person_level=True,
    requires=REFERRALS_APP,
)
def referral_first_answer_median(facts: Facts) -> Value:
    if facts.referrals is None:
        return None
    days = [r.days_to_first_answer for r in facts.referrals if r.days_to_first_answer is not None]
    return _median(days) if len(days) >= SUPPRESSION_THRESHOLD else None


@indicator(
    "referral_completion_median_days",
    _("time to the completion of a referral, median"),
    "days",
    person_level=True,
    requires=REFERRALS_APP,
)
def referral_completion_median(facts: Facts) -> Value:
    if facts.referrals is None:
        return None
    days = [r.days_to_completion for r in facts.referrals if r.days_to_completion is not None]
    return _median(days) if len(days) >= SUPPRESSION_THRESHOLD else None


# Shares: (numerator key, denominator key) of two person-level counts; computed after suppression of their counts.
SHARES: dict[str, tuple[str | Promise, str, str]] = {
    "plans_success_share": (_("plans completed successfully, of all closed"), "plans_successful", "plans_closed"),
    "referrals_accepted_share": (_("share of referrals accepted"), "referrals_accepted", "referrals"),
    "referrals_feedback_share": (_("share of referrals closed with feedback"), "referrals_with_feedback", "referrals"),
}


def compute_all(facts: Facts) -> dict[str, Value]:
    """Every registered indicator for these facts, raw (not suppressed): what snapshots store."""
    return {key: entry.compute(facts) for key, entry in REGISTRY.items()}


def is_available(key: str) -> bool:
    """Whether the indicator can have a value: its source context (if any) exists."""
    entry = REGISTRY.get(key)
    return entry is not None and (not entry.requires or fact_source(entry.requires) is not None)


# --- display --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One indicator as a page or an export shows it: the value (already suppressed) and, if empty, why."""

    key: str
    label: str | Promise
    unit: str
    value: Any
    note: str | Promise = ""
    breakdown: list[tuple[str, Any]] = field(default_factory=list)
    breakdown_total: Any = None


def _to_int(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float, Decimal)) else None


def present(values: Mapping[str, Any], *, labels: Mapping[str, Mapping[str, Any]] | None = None) -> list[Shown]:
    """The indicators to show from raw values (live or a snapshot), with small person counts hidden."""
    labels = labels or {}
    shown: list[Shown] = []
    for key, entry in REGISTRY.items():
        raw = values.get(key)
        note: str | Promise = ""
        if raw is None and entry.requires and not is_available(key):
            note = NOT_AVAILABLE_YET
        if entry.unit == "breakdown":
            names = labels.get(key, {})
            cells = dict(raw) if isinstance(raw, dict) else {}
            if entry.person_level:
                hidden, total = suppress_cells({k: _to_int(v) for k, v in cells.items()})
                pairs = [(str(names.get(k, k)), hidden[k]) for k in cells]
            else:
                total = sum(cells.values()) if cells else None
                pairs = [(str(names.get(k, k)), v) for k, v in cells.items()]
            shown.append(Shown(key, entry.label, entry.unit, None if raw is None else total, note, pairs, total))
            continue
        value: Any = raw
        if entry.person_level and entry.unit == "count":
            value = suppress_value(_to_int(raw))
        shown.append(Shown(key, entry.label, entry.unit, value, note))
    for key, (label, numerator, denominator) in SHARES.items():
        share = suppress_share(_to_int(values.get(numerator)), _to_int(values.get(denominator)))
        note = NOT_AVAILABLE_YET if share is None and not is_available(numerator) else ""
        shown.append(Shown(key, label, "share", share, note))
    return shown


def format_value(value: Any, unit: str) -> str:
    """A value as text for pages and exports: "—" for none, "<5" as is, shares in per cent, days and hours rounded."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if unit == "share":
        return f"{float(value) * 100:.1f}%"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = float(value)
        if number == int(number):
            return str(int(number))
        return f"{number:.1f}" if unit in ("days", "hours") else f"{number:.2f}".rstrip("0")
    return str(value)


def jsonable(values: Mapping[str, Value]) -> dict[str, Any]:
    """Raw values as JSON for a snapshot: Decimals become floats."""

    def convert(value: Any) -> Any:
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, dict):
            return {str(k): convert(v) for k, v in value.items()}
        return value

    return {key: convert(value) for key, value in values.items()}
