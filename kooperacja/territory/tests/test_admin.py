"""The admin of the territory, for the system administrator: lists, search, filters, audited edits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kooperacja.core.models import AuditEvent
from kooperacja.core.testing import factories as f
from kooperacja.core.testing.cast import Cast
from kooperacja.territory.models import County, Macroregion, Voivodeship
from kooperacja.territory.services import macroregions_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def territory(cast: Cast, write_terc: Callable[..., Path], run_command: Any) -> None:
    macroregions_seed()
    run_command("import_teryt", str(write_terc()))


@pytest.mark.parametrize("model", ["macroregion", "voivodeship", "county", "gmina"])
def test_admin_lists_search_and_add_pages(territory: None, cast: Cast, client_for: Any, model: str) -> None:
    client = client_for(cast.root)
    response = client.get(reverse(f"admin:territory_{model}_changelist"), {"q": "o"})
    assert response.status_code == 200
    assert client.get(reverse(f"admin:territory_{model}_add")).status_code == 200


def test_admin_searches_gminy_by_name_and_code_and_filters_by_kind(
    territory: None, cast: Cast, client_for: Any
) -> None:
    client = client_for(cast.root)
    url = reverse("admin:territory_gmina_changelist")
    assert "Nowogrodziec" in client.get(url, {"q": "0201043"}).content.decode()
    by_name = client.get(url, {"q": "Wrocław"}).content.decode()
    assert "0264011" in by_name and "0201043" not in by_name
    rural = client.get(url, {"kind__exact": "rural"}).content.decode()
    assert "0201022" in rural and "0201011" not in rural
    in_lodzkie = client.get(url, {"voivodeship__id__exact": Voivodeship.objects.get(code="10").pk}).content.decode()
    assert "1061011" in in_lodzkie and "0201011" not in in_lodzkie


def test_admin_speaks_polish(territory: None, cast: Cast, client_for: Any) -> None:
    page = client_for(cast.root).get(reverse("admin:territory_gmina_changelist")).content.decode()
    assert "Wybierz gminę do zmiany" in page or "gmin" in page
    assert "Kod TERYT" in page and "Rodzaj" in page


def test_admin_changelists_cost_constant_queries(territory: None, cast: Cast, client_for: Any) -> None:
    client = client_for(cast.root)

    def count(model: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(f"admin:territory_{model}_changelist")).status_code == 200
        return len(queries)

    models = ["macroregion", "voivodeship", "county", "gmina"]
    before = {model: count(model) for model in models}
    county = County.objects.get(code="0201")
    f.GminaFactory.create_batch(10, county=county)
    f.CountyFactory.create_batch(5, voivodeship=county.voivodeship)
    assert {model: count(model) for model in models} == before


def test_assigning_a_voivodeship_in_the_list_is_audited(territory: None, cast: Cast, client_for: Any) -> None:
    client = client_for(cast.root)
    south = Macroregion.objects.get(code="south")
    voivodeships = list(Voivodeship.objects.order_by("code"))
    data: dict[str, Any] = {
        "form-TOTAL_FORMS": len(voivodeships),
        "form-INITIAL_FORMS": len(voivodeships),
        "_save": "Zapisz",
    }
    for i, voivodeship in enumerate(voivodeships):
        data[f"form-{i}-id"] = voivodeship.pk
        data[f"form-{i}-macroregion"] = south.pk if voivodeship.code == "02" else (voivodeship.macroregion_id or "")
    response = client.post(reverse("admin:territory_voivodeship_changelist"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Voivodeship.objects.get(code="02").macroregion == south
    event = AuditEvent.objects.get(action="territory.admin_change")
    assert event.actor == cast.root and event.data == {"fields": ["macroregion"]}


def test_staff_without_rights_and_other_users_cannot_enter(territory: None, cast: Cast, client_for: Any) -> None:
    response = client_for(cast.alice).get(reverse("admin:territory_gmina_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
