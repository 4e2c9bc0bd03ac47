"""Snapshots freeze a period's figures: reports of a past period do not change when the live data does."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from kooperacja.core.testing.cast import Cast
from kooperacja.monitoring.indicators import Period
from kooperacja.monitoring.models import IndicatorSnapshot, SupportActivity
from kooperacja.monitoring.services import snapshot_freeze
from kooperacja.monitoring.tests.pilots_world import World, build_world


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world(cast)


def _support_hours(client: Client, **query: str) -> object:
    rows = client.get("/api/v1/monitoring/indicators", query).json()["indicators"]
    return {row["key"]: row["value"] for row in rows}["support_hours"]


def test_frozen_period_does_not_change_when_live_data_does(
    cast: Cast, world: World, client_for: Callable[..., Client]
) -> None:
    call_command("freeze_indicators", "--period", "2024-Q2", stdout=None)
    assert IndicatorSnapshot.objects.filter(period="2024-Q2", scope_kind="voivodeship", scope_code="24").exists()
    client = client_for(cast.rosa)
    assert _support_hours(client, level="voivodeship", code="24", period="2024-Q2") == 6.5
    # Late entry for the frozen quarter: the live figure changes, the report of 2024-Q2 does not.
    SupportActivity.objects.create(
        pilot=world.pilot_a,
        kind="training",
        given_on=datetime.date(2024, 6, 1),
        hours=Decimal(10),
        given_by="R",
        for_whom="P",
    )
    assert _support_hours(client, level="voivodeship", code="24", period="2024-Q2") == 6.5
    assert _support_hours(client, level="gmina", code=cast.gmina_a.code, period="2024-Q2") == 2.5
    page = client.get(reverse("monitoring:voivodeship", args=["24"]), {"period": "2024-Q2"}).content.decode()
    assert "2024-Q2" in page
    # Freezing again keeps the snapshot; only --refreeze (a correction) recomputes it.
    assert snapshot_freeze(period=Period.parse("2024-Q2")) == []
    assert _support_hours(client, level="voivodeship", code="24", period="2024-Q2") == 6.5
    call_command("freeze_indicators", "--period", "2024-Q2", "--refreeze", stdout=None)
    assert _support_hours(client, level="voivodeship", code="24", period="2024-Q2") == 16.5
    # With a variant filter (not held in snapshots) the figure is computed live.
    assert _support_hours(client, level="voivodeship", code="24", period="2024-Q2", variant="cities_3d") == 12.5


def test_snapshots_api_is_scoped(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    snapshot_freeze(period=Period.parse("2024-Q1"))
    rows = client_for(cast.rosa).get("/api/v1/monitoring/snapshots").json()["items"]
    assert {(row["scope_kind"], row["scope_code"]) for row in rows} == {
        ("voivodeship", "24"),
        ("gmina", cast.gmina_a.code),
        ("gmina", cast.gmina_b.code),
    }
    everything = client_for(world.mia).get("/api/v1/monitoring/snapshots").json()["items"]
    assert ("country", "") in {(row["scope_kind"], row["scope_code"]) for row in everything}
    assert ("gmina", cast.gmina_z.code) in {(row["scope_kind"], row["scope_code"]) for row in everything}


def test_a_period_not_yet_ended_cannot_be_frozen(world: World) -> None:
    with pytest.raises(CommandError):
        call_command("freeze_indicators", "--period", "2999-Q1")
    with pytest.raises(CommandError):
        call_command("freeze_indicators", "--period", "nonsense")
