"""Pilots, indicators and snapshots in the JSON API (/api/v1/monitoring/): the same policies and selectors as the
pages, and the same small-cell suppression."""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from kooperacja.core.pagination import PageNumberPagination
from kooperacja.monitoring import policies, selectors, services
from kooperacja.monitoring.indicators import Period, present
from kooperacja.monitoring.models import (
    IndicatorSnapshot,
    ModelVariant,
    Pilot,
    PilotStatus,
    ScopeKind,
    SupportActivity,
    SupportKind,
)
from kooperacja.territory.models import GminaKind, Voivodeship

router = Router(tags=["monitoring"])


class PilotOut(Schema):
    id: int
    gmina: str
    gmina_name: str
    county: str | None
    voivodeship: str
    variant: str
    variant_label: str
    status: str
    rops: str
    project: str | None
    agreement_signed_on: datetime.date | None
    started_on: datetime.date | None
    ended_on: datetime.date | None
    funding_amount: Decimal | None

    @staticmethod
    def resolve_gmina(obj: Pilot) -> str:
        return obj.gmina.code

    @staticmethod
    def resolve_gmina_name(obj: Pilot) -> str:
        return obj.gmina.name

    @staticmethod
    def resolve_county(obj: Pilot) -> str | None:
        return obj.county.code if obj.county_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_voivodeship(obj: Pilot) -> str:
        return obj.gmina.voivodeship.code

    @staticmethod
    def resolve_variant_label(obj: Pilot) -> str:
        return str(obj.get_variant_display())

    @staticmethod
    def resolve_rops(obj: Pilot) -> str:
        return obj.rops.name

    @staticmethod
    def resolve_project(obj: Pilot) -> str | None:
        return obj.project.name if obj.project_id else None  # type: ignore[union-attr]


class SupportOut(Schema):
    id: int
    kind: str
    given_by: str
    given_on: datetime.date
    hours: Decimal
    for_whom: str


class SupportIn(Schema):
    kind: SupportKind
    given_by: str
    given_on: datetime.date
    hours: Decimal
    for_whom: str


class PilotDetailOut(PilotOut):
    support: list[SupportOut]
    indicators: dict[str, Any]

    @staticmethod
    def resolve_support(obj: Pilot) -> list[SupportActivity]:
        return list(obj.support.all())

    @staticmethod
    def resolve_indicators(obj: Pilot) -> dict[str, Any]:
        page = selectors.pilot_page(pilot=obj)
        return {item.key: item.value for item in page.indicators}


class PilotFilters(Schema):
    variant: ModelVariant | None = None
    kind: GminaKind | None = None
    status: PilotStatus | None = None


class IndicatorOut(Schema):
    key: str
    label: str
    unit: str
    value: Any = None
    note: str = ""
    breakdown: dict[str, Any] | None = None


class ScopeIndicatorsOut(Schema):
    level: str
    code: str
    name: str
    period: str | None
    frozen_at: datetime.datetime | None
    indicators: list[IndicatorOut]
    units: list[dict[str, Any]]


class SnapshotOut(Schema):
    period: str
    period_start: datetime.date
    period_end: datetime.date
    scope_kind: str
    scope_code: str
    frozen_at: datetime.datetime
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_indicators(obj: IndicatorSnapshot) -> list[IndicatorOut]:
        """The frozen values as the pages show them: small person counts hidden."""
        return [
            IndicatorOut(
                key=item.key,
                label=str(item.label),
                unit=item.unit,
                value=_plain(item.breakdown_total if item.unit == "breakdown" else item.value),
                note=str(item.note),
                breakdown={label: _plain(v) for label, v in item.breakdown} if item.unit == "breakdown" else None,
            )
            for item in present(obj.values, labels=selectors.BREAKDOWN_LABELS)
        ]


def _indicator_rows(dashboard: selectors.Dashboard) -> list[IndicatorOut]:
    rows = [
        IndicatorOut(key=item.key, label=str(item.label), unit=item.unit, value=_plain(item.value), note=str(item.note))
        for item in dashboard.indicators
    ]
    for breakdown in dashboard.breakdowns:
        rows.append(
            IndicatorOut(
                key=breakdown.key,
                label=breakdown.title,
                unit="breakdown",
                value=_plain(breakdown.total),
                breakdown={label: _plain(value) for label, value in breakdown.rows},
            )
        )
    return rows


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


@router.get("/pilots", response=list[PilotOut], summary="Pilots the caller may see")
@paginate(PageNumberPagination)
def pilot_list(request: HttpRequest, filters: Query[PilotFilters]) -> Any:
    scope = policies.require_monitoring(request.user)
    return selectors.pilot_list_for(
        scope=scope,
        filters=selectors.Filters(variant=filters.variant or "", kind=filters.kind or ""),
        status=filters.status or "",
    )


@router.get("/pilots/{pilot_id}", response=PilotDetailOut, summary="One pilot, its support and indicators")
def pilot_detail(request: HttpRequest, pilot_id: int) -> Any:
    return policies.get_pilot_for_actor(request.user, pilot_id)


@router.post("/pilots/{pilot_id}/support", response={201: SupportOut}, summary="Record support given to a pilot")
def support_create(request: HttpRequest, pilot_id: int, payload: SupportIn) -> Any:
    pilot = policies.get_pilot_for_actor(request.user, pilot_id, need="write")
    return 201, services.support_activity_create(actor=request.user, pilot=pilot, data=payload.dict())


class ScopeQuery(Schema):
    level: ScopeKind = ScopeKind.COUNTRY
    code: str = ""
    variant: ModelVariant | None = None
    kind: GminaKind | None = None
    period: str = ""


@router.get("/indicators", response=ScopeIndicatorsOut, summary="Indicators of a scope (small cells hidden)")
def indicators(request: HttpRequest, query: Query[ScopeQuery]) -> Any:
    scope = policies.require_monitoring(request.user)
    try:
        period = Period.parse(query.period) if query.period else None
    except ValueError as exc:
        raise HttpError(400, str(exc)) from exc
    level = query.level
    unit: Any = None
    if level == ScopeKind.COUNTRY:
        if not scope.country:
            raise HttpError(404, "Not found.")
    elif level == ScopeKind.MACROREGION:
        unit = policies.get_macroregion_for_actor(request.user, query.code)
    elif level == ScopeKind.VOIVODESHIP:
        unit = policies.get_voivodeship_for_actor(request.user, query.code)
    elif level == ScopeKind.GMINA:
        unit = policies.get_gmina_for_actor(request.user, query.code)
    else:
        raise HttpError(400, "Use the pilot endpoint for one pilot.")
    filters = selectors.Filters(variant=query.variant or "", kind=query.kind or "", period=period)
    dashboard = selectors.dashboard_for(scope=scope, level=level, unit=unit, filters=filters)
    keys = [key for key, _label in dashboard.child_columns]
    return {
        "level": level,
        "code": dashboard.code,
        "name": dashboard.name,
        "period": period.code if period else None,
        "frozen_at": dashboard.snapshot.frozen_at if dashboard.snapshot else None,
        "indicators": _indicator_rows(dashboard),
        "units": [
            {
                "code": child.code,
                "name": child.name,
                **{k: _plain(v) for k, (v, _u) in zip(keys, child.cells, strict=True)},
            }
            for child in dashboard.children
        ],
    }


@router.get("/snapshots", response=list[SnapshotOut], summary="Frozen indicator snapshots the caller may see")
@paginate(PageNumberPagination)
def snapshots(request: HttpRequest, period: str = "") -> Any:
    scope = policies.require_monitoring(request.user)
    rows = IndicatorSnapshot.objects.all()
    if period:
        rows = rows.filter(period=period.strip().upper())
    if not scope.country:
        # A ROPS: the snapshots of its voivodeships and of their gminy (TERYT codes start with the voivodeship's).
        allowed = Q(pk__in=[])
        for code in Voivodeship.objects.filter(pk__in=scope.voivodeship_ids).values_list("code", flat=True):
            allowed |= Q(scope_kind=ScopeKind.VOIVODESHIP, scope_code=code)
            allowed |= Q(scope_kind=ScopeKind.GMINA, scope_code__startswith=code)
        rows = rows.filter(allowed)
    return rows.order_by("-period_start", "scope_kind", "scope_code")
