"""Indicator values against hand-computed figures (see pilots_world.py for the world they are counted from)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kooperacja.core.testing.cast import Cast
from kooperacja.monitoring.indicators import Period
from kooperacja.monitoring.tests.pilots_world import World, build_world

D = datetime.date
API = "/api/v1/monitoring/indicators"


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world(cast)


def _values(client: Client, **query: str) -> dict[str, Any]:
    response = client.get(API, query)
    assert response.status_code == 200, response.content
    return {row["key"]: row for row in response.json()["indicators"]}


def test_voivodeship_live_figures(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    """Live, voivodeship 24: pilots A and B (the planned one does not count); both partnerships; 4 distinct
    institutions (the court sits in both); lifetimes: A from 2024-01-01 to today, B 2024-03-01..2024-12-31 (305 d)."""
    rows = _values(client_for(cast.rosa), level="voivodeship", code="24")
    assert rows["gminy_testing"]["value"] == 2
    assert rows["counties_testing"]["value"] == 1
    assert rows["partnerships"]["value"] == 2
    assert rows["member_institutions"]["value"] == 4
    assert rows["support_hours"]["value"] == 12.5
    days_a = (timezone.localdate() - D(2024, 1, 1)).days
    assert rows["partnership_lifetime_mean_days"]["value"] == pytest.approx((days_a + 305) / 2)
    assert rows["partnership_lifetime_median_days"]["value"] == pytest.approx((days_a + 305) / 2)
    # Labels in the default language (Polish): social assistance (OPS A, GOPS B), education, justice.
    assert rows["member_institutions_by_sector"]["breakdown"] == {
        "pomoc społeczna": 2,
        "edukacja": 1,
        "wymiar sprawiedliwości": 1,
    }
    assert rows["support_hours_by_kind"]["value"] == 12.5
    assert len(rows["gminy_by_variant"]["breakdown"]) == 2


def test_quarter_figures(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    """2024-Q2 (as of 2024-06-30): lifetimes 181 and 121 days → mean and median 151; support in the quarter: coaching
    2.5 h (20 May) + supervision 4 h (15 April) = 6.5 h."""
    rows = _values(client_for(cast.rosa), level="voivodeship", code="24", period="2024-Q2")
    assert rows["partnerships"]["value"] == 2
    assert rows["member_institutions"]["value"] == 4
    assert rows["partnership_lifetime_mean_days"]["value"] == pytest.approx(151)
    assert rows["partnership_lifetime_median_days"]["value"] == pytest.approx(151)
    assert rows["support_hours"]["value"] == 6.5


def test_partnership_ended_before_the_period_is_not_counted(
    cast: Cast, world: World, client_for: Callable[..., Client]
) -> None:
    """2025-Q1: partnership B ended on 2024-12-31; only A with its 3 members; no support in the quarter."""
    rows = _values(client_for(cast.rosa), level="voivodeship", code="24", period="2025-Q1")
    assert rows["partnerships"]["value"] == 1
    assert rows["member_institutions"]["value"] == 3
    assert rows["support_hours"]["value"] == 0
    assert rows["partnership_lifetime_median_days"]["value"] == pytest.approx((D(2025, 3, 31) - D(2024, 1, 1)).days)


def test_country_figures_and_variant_filter(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    """Country: 3 gminy (A, B, Z), 1 county (pilot Z has none), support 15.5 h; filtered to the rural variant: 1 gmina."""
    client = client_for(world.mia)
    rows = _values(client, level="country")
    assert rows["gminy_testing"]["value"] == 3
    assert rows["counties_testing"]["value"] == 1
    assert rows["support_hours"]["value"] == 15.5
    rural = _values(client, level="country", variant="rural_leaders")
    assert rural["gminy_testing"]["value"] == 1
    assert rural["support_hours"]["value"] == 4
    urban = _values(client, level="country", kind="urban")
    assert urban["gminy_testing"]["value"] == 1
    assert urban["member_institutions"]["value"] == 3


def test_figures_of_missing_contexts_are_not_available_yet(
    cast: Cast, world: World, client_for: Callable[..., Client]
) -> None:
    """Without the cases and referrals contexts those figures are None with an explanation, never 0."""
    from django.apps import apps

    rows = _values(client_for(cast.rosa), level="voivodeship", code="24")
    missing = [] if apps.is_installed("kooperacja.referrals") else ["referrals"]
    if not apps.is_installed("kooperacja.cases"):
        missing += ["persons_supported", "families_supported", "plans_closed", "plans_success_share"]
    for key in missing:
        assert rows[key]["value"] is None
        assert rows[key]["note"]
    # With the cases context installed and no case in these gminy the figures are zero, not "not available".
    if apps.is_installed("kooperacja.cases"):
        assert rows["persons_supported"]["value"] == 0 and not rows["persons_supported"]["note"]


def test_bad_period_is_a_clear_error(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    response = client_for(cast.rosa).get(API, {"level": "voivodeship", "code": "24", "period": "2024-Q5"})
    assert response.status_code == 400


def test_period_parsing() -> None:
    assert Period.parse("2026-q3") == Period("2026-Q3", D(2026, 7, 1), D(2026, 9, 30))
    assert Period.parse("2024-02") == Period("2024-02", D(2024, 2, 1), D(2024, 2, 29))
    with pytest.raises(ValueError):
        Period.parse("2026-13")
