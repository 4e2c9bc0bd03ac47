"""Reads of monitoring, scoped to the actor: dashboards (country → macroregion → voivodeship → gmina), comparisons,
pilot lists and pages. Each costs a constant number of queries, whatever the number of pilots or gminy."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from kooperacja.directory.models import Sector
from kooperacja.monitoring import indicators as ind
from kooperacja.monitoring.models import (
    CustomIndicator,
    IndicatorSnapshot,
    Milestone,
    ModelVariant,
    Pilot,
    ScopeKind,
    SupportActivity,
    SupportKind,
)
from kooperacja.monitoring.policies import MonitoringScope
from kooperacja.territory.models import Gmina, GminaKind, Macroregion, Voivodeship

BREAKDOWN_LABELS: dict[str, Mapping[str, Any]] = {
    "gminy_by_kind": dict(GminaKind.choices),
    "gminy_by_variant": dict(ModelVariant.choices),
    "member_institutions_by_sector": dict(Sector.choices),
    "support_hours_by_kind": dict(SupportKind.choices),
    "referrals_by_sector": dict(Sector.choices),
}

# Columns of the table of sub-units (macroregions, voivodeships or gminy) of a dashboard.
CHILD_COLUMNS: tuple[str, ...] = (
    "gminy_testing",
    "counties_testing",
    "partnerships",
    "member_institutions",
    "support_hours",
    "persons_supported",
    "families_supported",
    "plans_closed",
)

MAX_COMPARED = 6


@dataclass(frozen=True)
class Filters:
    variant: str = ""
    kind: str = ""
    period: ind.Period | None = None

    @property
    def narrowed(self) -> bool:
        """Filters that snapshots do not hold (they are frozen per scope, for all variants and kinds)."""
        return bool(self.variant or self.kind)

    def query(self) -> dict[str, str]:
        return {
            key: value
            for key, value in (
                ("variant", self.variant),
                ("kind", self.kind),
                ("period", self.period.code if self.period else ""),
            )
            if value
        }


def filter_pilots(pilots: QuerySet[Pilot], filters: Filters) -> QuerySet[Pilot]:
    if filters.variant:
        pilots = pilots.filter(variant=filters.variant)
    if filters.kind:
        pilots = pilots.filter(gmina__kind=filters.kind)
    return pilots


def split_facts(facts: ind.Facts, key: Callable[[ind.PilotFact], str]) -> dict[str, ind.Facts]:
    """Partition the facts by a key of their pilots' gminy (macroregion, voivodeship or gmina code), in one pass."""
    group_of_gmina: dict[int, str] = {row.gmina_id: key(row) for row in facts.pilots}
    pilots: dict[str, list[Any]] = defaultdict(list)
    partnerships: dict[str, list[Any]] = defaultdict(list)
    members: dict[str, list[Any]] = defaultdict(list)
    support: dict[str, list[Any]] = defaultdict(list)
    cases: dict[str, list[Any]] = defaultdict(list)
    referrals: dict[str, list[Any]] = defaultdict(list)
    gminy: dict[str, set[int]] = defaultdict(set)
    for row in facts.pilots:
        pilots[group_of_gmina[row.gmina_id]].append(row)
        gminy[group_of_gmina[row.gmina_id]].add(row.gmina_id)
    for partnership in facts.partnerships:
        partnerships[group_of_gmina[partnership[1]]].append(partnership)
    for member in facts.members:
        members[group_of_gmina[member[0]]].append(member)
    for entry in facts.support:
        support[group_of_gmina[entry[0]]].append(entry)
    for case in facts.cases or []:
        cases[group_of_gmina[case.gmina_id]].append(case)
    for referral in facts.referrals or []:
        referrals[group_of_gmina[referral.gmina_id]].append(referral)
    return {
        group: replace(
            facts,
            pilots=pilots[group],
            partnerships=partnerships[group],
            members=members[group],
            support=support[group],
            cases=None if facts.cases is None else cases[group],
            referrals=None if facts.referrals is None else referrals[group],
            gmina_ids=frozenset(gminy[group]),
        )
        for group in pilots
    }


# --- dashboards -----------------------------------------------------------------------------------------------------


@dataclass
class ChildRow:
    code: str
    name: str
    url: str
    cells: list[tuple[Any, str]]  # (value, unit)


@dataclass
class Breakdown:
    key: str
    title: str
    unit: str
    rows: list[tuple[str, Any]]
    total: Any


@dataclass
class Dashboard:
    level: str  # ScopeKind value
    code: str
    name: str
    filters: Filters
    indicators: list[ind.Shown]
    breakdowns: list[Breakdown]
    child_level: str
    child_columns: list[tuple[str, Any]]
    children: list[ChildRow]
    child_totals: list[Any]
    custom: list[CustomValue] = field(default_factory=list)
    pilots: list[Pilot] = field(default_factory=list)
    snapshot: IndicatorSnapshot | None = None
    gminy_to_compare: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class CustomValue:
    indicator: CustomIndicator
    value: Any
    scope_label: str


def _child_key(level: str) -> tuple[str, Callable[[ind.PilotFact], str], Callable[[ind.PilotFact], str]]:
    """The level below, and how to read a pilot fact's code and name at it."""
    if level == ScopeKind.COUNTRY:
        return ScopeKind.MACROREGION, lambda p: p.macroregion_code, lambda p: p.macroregion_name or "—"
    if level == ScopeKind.MACROREGION:
        return ScopeKind.VOIVODESHIP, lambda p: p.voivodeship_code, lambda p: p.voivodeship_name.lower()
    return ScopeKind.GMINA, lambda p: p.gmina_code, lambda p: p.gmina_name


def _child_url(child_level: str, code: str, filters: Filters) -> str:
    if not code:
        return ""
    name = {
        ScopeKind.MACROREGION: "monitoring:macroregion",
        ScopeKind.VOIVODESHIP: "monitoring:voivodeship",
        ScopeKind.GMINA: "monitoring:gmina",
    }[child_level]  # type: ignore[index]
    url = reverse(name, args=[code])
    query = filters.query()
    if query:
        url = f"{url}?{urlencode(query)}"
    return url


def _breakdowns(values: Mapping[str, Any]) -> list[Breakdown]:
    shown = {item.key: item for item in ind.present(values, labels=BREAKDOWN_LABELS)}
    result: list[Breakdown] = []
    for key in ("gminy_by_variant", "gminy_by_kind", "member_institutions_by_sector", "support_hours_by_kind"):
        item = shown[key]
        result.append(Breakdown(key, str(item.label), ind.REGISTRY[key].unit, item.breakdown, item.breakdown_total))
    referrals = shown["referrals_by_sector"]
    if referrals.breakdown:
        result.append(
            Breakdown(
                "referrals_by_sector", str(referrals.label), "count", referrals.breakdown, referrals.breakdown_total
            )
        )
    return result


def _child_table(
    child_values: Mapping[str, Mapping[str, Any]],
) -> tuple[list[list[Any]], list[Any]]:
    """Cells of the sub-unit table, column by column; person-level columns hidden with their total as one row."""
    codes = list(child_values)
    columns: list[list[Any]] = []
    totals: list[Any] = []
    for key in CHILD_COLUMNS:
        entry = ind.REGISTRY[key]
        raw = {code: child_values[code].get(key) for code in codes}
        if entry.person_level:
            if all(value is None for value in raw.values()):
                columns.append([None for _code in codes])
                totals.append(None)
                continue
            hidden, total = ind.suppress_cells({code: ind._to_int(value) for code, value in raw.items()})
            columns.append([hidden[code] for code in codes])
            totals.append(total)
        else:
            columns.append([raw[code] for code in codes])
            totals.append(None)  # distinct counts do not add up across units: the headline holds the total
    units = [ind.REGISTRY[key].unit for key in CHILD_COLUMNS]
    rows = [[(columns[c][r], units[c]) for c in range(len(CHILD_COLUMNS))] for r in range(len(codes))]
    return rows, totals


def _snapshot_values(level: str, code: str, filters: Filters) -> IndicatorSnapshot | None:
    if filters.period is None or filters.narrowed or not filters.period.is_past:
        return None
    return IndicatorSnapshot.objects.filter(period=filters.period.code, scope_kind=level, scope_code=code).first()


def dashboard_for(
    *,
    scope: MonitoringScope,
    level: str,
    unit: Macroregion | Voivodeship | Gmina | None,
    filters: Filters,
) -> Dashboard:
    """A dashboard of one unit within the actor's scope: headline indicators, breakdowns, and its sub-units.

    For a past period without variant/kind filters, the values come from the frozen snapshots when there are any,
    so that a report does not change after the fact.
    """
    pilots = scope.pilots().select_related(None)
    code = ""
    name = str(_("Poland"))
    if isinstance(unit, Macroregion):
        pilots, code, name = pilots.filter(gmina__voivodeship__macroregion=unit), unit.code, unit.name
    elif isinstance(unit, Voivodeship):
        pilots, code, name = pilots.filter(gmina__voivodeship=unit), unit.code, unit.display_name
    elif isinstance(unit, Gmina):
        pilots, code, name = pilots.filter(gmina=unit), unit.code, unit.name
    pilots = filter_pilots(pilots, filters)
    child_level, child_code, child_name = _child_key(level)

    snapshot = _snapshot_values(level, code, filters)
    child_values: dict[str, Mapping[str, Any]] = {}
    child_names: dict[str, str] = {}
    if snapshot is not None:
        values: Mapping[str, Any] = snapshot.values
        if level != ScopeKind.GMINA:
            for child_snapshot in IndicatorSnapshot.objects.filter(
                period=snapshot.period, scope_kind=child_level, scope_code__in=_allowed_child_codes(scope, level, unit)
            ).order_by("scope_code"):
                child_values[child_snapshot.scope_code] = child_snapshot.values
                child_names[child_snapshot.scope_code] = str(
                    child_snapshot.values.get("_name", child_snapshot.scope_code)
                )
        facts = None
    else:
        facts = ind.load_facts(pilots, period=filters.period)
        values = ind.compute_all(facts)
        if level != ScopeKind.GMINA:
            names = {child_code(p): child_name(p) for p in facts.pilots}
            for child_code_value, child_facts in sorted(split_facts(facts, child_code).items(), key=lambda x: x[0]):
                child_values[child_code_value] = ind.compute_all(child_facts)
                child_names[child_code_value] = names[child_code_value]

    rows, totals = _child_table(child_values)
    children = [
        ChildRow(code=child, name=child_names[child], url=_child_url(child_level, child, filters), cells=cells)
        for child, cells in zip(child_values, rows, strict=True)
    ]
    dashboard = Dashboard(
        level=level,
        code=code,
        name=name,
        filters=filters,
        indicators=[item for item in ind.present(values) if item.unit != "breakdown"],
        breakdowns=_breakdowns(values),
        child_level=child_level if level != ScopeKind.GMINA else "",
        child_columns=[(key, ind.REGISTRY[key].label) for key in CHILD_COLUMNS],
        children=children if level != ScopeKind.GMINA else [],
        child_totals=totals,
        snapshot=snapshot,
    )
    if level == ScopeKind.GMINA:
        dashboard.pilots = list(
            filter_pilots(scope.pilots().filter(gmina=unit), filters)  # type: ignore[misc]
            .select_related("rops", "project")
            .order_by("started_on")
        )
    else:
        dashboard.gminy_to_compare = _gminy_to_compare(facts, scope, pilots)
    dashboard.custom = _custom_values(level, unit, facts, values)
    return dashboard


def _allowed_child_codes(scope: MonitoringScope, level: str, unit: Any) -> list[str]:
    if level == ScopeKind.COUNTRY:
        return list(Macroregion.objects.values_list("code", flat=True))
    if level == ScopeKind.MACROREGION:
        voivodeships = Voivodeship.objects.filter(macroregion=unit)
        if not scope.country:
            voivodeships = voivodeships.filter(pk__in=scope.voivodeship_ids)
        return list(voivodeships.values_list("code", flat=True))
    return list(scope.gminy().filter(voivodeship=unit).values_list("code", flat=True))


def _gminy_to_compare(
    facts: ind.Facts | None, scope: MonitoringScope, pilots: QuerySet[Pilot]
) -> list[tuple[str, str]]:
    if facts is not None:
        pairs = {(p.gmina_code, p.gmina_name) for p in facts.pilots}
    else:
        pairs = set(ind.testing_pilots(pilots, None).values_list("gmina__code", "gmina__name"))
    return sorted(pairs, key=lambda pair: (pair[1], pair[0]))


def _custom_values(level: str, unit: Any, facts: ind.Facts | None, values: Mapping[str, Any]) -> list[CustomValue]:
    if level == ScopeKind.MACROREGION:
        customs = CustomIndicator.objects.filter(macroregion=unit)
    elif level == ScopeKind.VOIVODESHIP:
        customs = CustomIndicator.objects.filter(voivodeship=unit)
    else:
        return []
    return [CustomValue(custom, custom_value(custom, values), "") for custom in customs]


def custom_value(custom: CustomIndicator, values: Mapping[str, Any]) -> Any:
    """The value of a custom indicator: the one typed in, or the registry's value for its scope (suppressed)."""
    if custom.manual_value is not None:
        return custom.manual_value
    if not custom.computed_key:
        return None
    shown = {item.key: item for item in ind.present(values)}
    item = shown.get(custom.computed_key)
    if item is None:
        return None
    return item.breakdown_total if item.unit == "breakdown" else item.value


# --- comparison -----------------------------------------------------------------------------------------------------


@dataclass
class Comparison:
    gminy: list[tuple[str, str]]  # (code, name)
    rows: list[tuple[str, str, list[Any]]]  # (indicator label, unit, values per gmina)


def compare_gminy(*, scope: MonitoringScope, codes: list[str], filters: Filters) -> Comparison:
    """Indicators of up to MAX_COMPARED gminy side by side; gminy outside the scope are left out."""
    gminy = list(scope.gminy().filter(code__in=codes[:MAX_COMPARED]).order_by("name").values_list("code", "name"))
    pilots = filter_pilots(scope.pilots().filter(gmina__code__in=[code for code, _name in gminy]), filters)
    facts = ind.load_facts(pilots, period=filters.period)
    per_gmina = split_facts(facts, lambda p: p.gmina_code)
    shown_by_gmina = {
        code: {item.key: item for item in ind.present(ind.compute_all(per_gmina[code]) if code in per_gmina else {})}
        for code, _name in gminy
    }
    rows: list[tuple[str, str, list[Any]]] = []
    keys = [key for key, entry in ind.REGISTRY.items() if entry.unit != "breakdown"] + list(ind.SHARES)
    for key in keys:
        first = next(iter(shown_by_gmina.values()), {}).get(key)
        if first is None:
            continue
        rows.append((str(first.label), first.unit, [shown_by_gmina[code][key].value for code, _n in gminy]))
    return Comparison(gminy=gminy, rows=rows)


# --- pilots ---------------------------------------------------------------------------------------------------------


def pilot_list_for(*, scope: MonitoringScope, filters: Filters, status: str = "") -> QuerySet[Pilot]:
    """The pilots the actor may see, with what the list shows (constant queries)."""
    pilots = filter_pilots(scope.pilots(), filters)
    if status:
        pilots = pilots.filter(status=status)
    return (
        pilots.select_related("gmina", "gmina__voivodeship", "rops", "project")
        .annotate(hours=Sum("support__hours"))
        .order_by("gmina__voivodeship__code", "gmina__name", "started_on")
    )


@dataclass
class PilotPage:
    pilot: Pilot
    milestones: list[Milestone]
    support: list[SupportActivity]
    support_by_kind: list[tuple[str, Decimal]]
    support_total: Decimal
    indicators: list[ind.Shown]
    breakdowns: list[Breakdown]
    custom: list[CustomValue]
    facilitators: list[str]


def pilot_page(*, pilot: Pilot) -> PilotPage:
    """Everything the pilot page shows: agreement, milestones, support given, indicators of this pilot."""
    milestones = list(Milestone.objects.filter(project_id=pilot.project_id)) if pilot.project_id else []
    support = list(pilot.support.all())
    by_kind: dict[str, Decimal] = {}
    for activity in support:
        by_kind[activity.kind] = by_kind.get(activity.kind, Decimal(0)) + activity.hours
    labels = dict(SupportKind.choices)
    facts = ind.load_facts(Pilot.objects.filter(pk=pilot.pk), period=None, only_testing=False)
    values = ind.compute_all(facts)
    customs = list(pilot.custom_indicators.all())
    users = [str(user) for user in pilot.facilitators.all()]
    return PilotPage(
        pilot=pilot,
        milestones=milestones,
        support=support,
        support_by_kind=[(str(labels.get(kind, kind)), hours) for kind, hours in by_kind.items()],
        support_total=sum(by_kind.values(), Decimal(0)),
        indicators=[item for item in ind.present(values) if item.unit != "breakdown"],
        breakdowns=_breakdowns(values),
        custom=[CustomValue(custom, custom_value(custom, values), "") for custom in customs],
        facilitators=[*users, *pilot.facilitator_name_list],
    )


def pilots_prefetched(pilots: QuerySet[Pilot]) -> QuerySet[Pilot]:
    return pilots.prefetch_related(Prefetch("support", queryset=SupportActivity.objects.order_by("-given_on")))
