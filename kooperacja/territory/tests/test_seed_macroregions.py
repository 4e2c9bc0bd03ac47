"""manage.py seed_macroregions: the programme's three macroregions, idempotent, configurable afterwards."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kooperacja.core.models import AuditEvent
from kooperacja.territory.models import Macroregion, Voivodeship
from kooperacja.territory.services import macroregions_seed

pytestmark = pytest.mark.django_db


def grouping() -> dict[str, list[str]]:
    return {
        region.code: sorted(v.code for v in region.voivodeships.all())
        for region in Macroregion.objects.prefetch_related("voivodeships")
    }


def test_seed_on_an_empty_database_creates_voivodeships_and_groups_them(run_command: Any) -> None:
    output = run_command("seed_macroregions")

    assert Voivodeship.objects.count() == 16
    assert grouping() == {
        "east": ["06", "14", "18", "20", "26"],
        "north-west": ["04", "08", "22", "28", "30", "32"],
        "south": ["10", "12", "16", "24"],
    }
    lower_silesia = Voivodeship.objects.get(code="02")
    assert lower_silesia.macroregion is None and lower_silesia.name == "DOLNOŚLĄSKIE"
    assert "Not in any macroregion: dolnośląskie (02)" in output
    assert "Makroregion III — południowy [south]: łódzkie (10), małopolskie (12), opolskie (16), śląskie (24)" in output
    assert Macroregion.objects.get(code="east").description.startswith("Projekt „Liderzy kooperacji”")
    assert AuditEvent.objects.filter(action="territory.macroregion_seed").count() == 3
    assert AuditEvent.objects.filter(action="territory.voivodeship_seed").count() == 16


def test_a_second_run_changes_nothing(run_command: Any) -> None:
    run_command("seed_macroregions")
    audit = AuditEvent.objects.count()
    before = grouping()

    output = run_command("seed_macroregions")

    assert "No changes: the macroregions were already in place." in output
    assert grouping() == before
    assert Voivodeship.objects.count() == 16 and Macroregion.objects.count() == 3
    assert AuditEvent.objects.count() == audit


def test_what_an_administrator_changed_stays(run_command: Any) -> None:
    macroregions_seed()
    south = Macroregion.objects.get(code="south")
    south.name = "Południe"
    south.save()
    Voivodeship.objects.filter(code="02").update(macroregion=south)  # dolnośląskie joins the south
    Voivodeship.objects.filter(code="24").update(macroregion=Macroregion.objects.get(code="east"))

    output = run_command("seed_macroregions")

    assert Macroregion.objects.get(code="south").name == "Południe"
    assert Voivodeship.objects.get(code="02").macroregion.code == "south"
    assert Voivodeship.objects.get(code="24").macroregion.code == "east"
    assert "Voivodeship 24 is left in the macroregion an administrator chose" in output
    assert "Not in any macroregion" not in output


def test_existing_voivodeships_are_grouped_not_renamed(run_command: Any) -> None:
    Voivodeship.objects.create(code="24", name="śląskie")
    summary = macroregions_seed()
    assert Voivodeship.objects.get(code="24").name == "śląskie"
    assert summary.assigned["24"] == "south" and "24" not in summary.voivodeships_created
    assert len(summary.voivodeships_created) == 15


def test_the_import_keeps_the_macroregions(write_terc: Callable[..., Path], run_command: Any) -> None:
    run_command("seed_macroregions")
    output = run_command("import_teryt", str(write_terc()))
    assert "Voivodeships: 2 (created 0, updated 2, unchanged 0); 14 more in the database" in output  # STAN_NA set
    assert Voivodeship.objects.get(code="10").macroregion.code == "south"
    assert Voivodeship.objects.get(code="10").name == "ŁÓDZKIE"


def test_the_seed_speaks_polish_by_default(run_command: Any) -> None:
    output = run_command("seed_macroregions", language="pl")
    assert "Poza makroregionami: dolnośląskie (02)" in output
