"""The territory in the JSON API: auth required, lists with filters and pagination, details, 404, read-only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kooperacja.accounts.models import ApiToken, hash_token, new_token_secret
from kooperacja.core.testing import factories as f
from kooperacja.core.testing.cast import Cast
from kooperacja.territory.models import County
from kooperacja.territory.services import macroregions_seed

BASE = "/api/v1/territory"
pytestmark = pytest.mark.django_db


def bearer(user: Any) -> Client:
    secret = new_token_secret()
    ApiToken.objects.create(user=user, name="test", token_hash=hash_token(secret), hint=secret[:8])
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def territory(write_terc: Callable[..., Path], run_command: Any) -> None:
    macroregions_seed()
    run_command("import_teryt", str(write_terc()))


@pytest.fixture
def api(territory: None) -> Client:
    """Any signed-in user reads the territory: here one with no membership at all."""
    return bearer(f.UserFactory())


@pytest.mark.parametrize(
    "path",
    ["/macroregions", "/voivodeships", "/voivodeships/02", "/counties", "/counties/0201", "/gminy", "/gminy/0201011"],
)
def test_anonymous_callers_are_unauthorised(territory: None, client: Client, path: str) -> None:
    response = client.get(BASE + path)
    assert response.status_code == 401
    assert response.json() == {"code": "unauthorised", "message": response.json()["message"], "fields": {}}
    assert response.json()["message"]


def test_session_auth_works_too(cast: Cast, territory: None, client_for: Any) -> None:
    assert client_for(cast.tom).get(f"{BASE}/gminy/0201011").json()["name"] == "Bolesławiec"


def test_an_outsider_reads_the_territory_of_others(cast: Cast, territory: None) -> None:
    """Reference data: olga (an NGO in another voivodeship) reads gmina A like everyone else."""
    body = bearer(cast.olga).get(f"{BASE}/gminy", {"county": cast.county_a.code}).json()
    assert [item["code"] for item in body["items"]] == [cast.gmina_a.code, cast.gmina_b.code]


def test_macroregions(api: Client) -> None:
    body = api.get(f"{BASE}/macroregions").json()
    assert body["count"] == 3 and body["page"] == 1 and body["total_pages"] == 1
    south = next(item for item in body["items"] if item["code"] == "south")
    assert south["voivodeships"] == ["10", "12", "16", "24"] and south["name"] == "Makroregion III — południowy"


def test_voivodeships_list_and_detail(api: Client) -> None:
    body = api.get(f"{BASE}/voivodeships", {"per_page": 5}).json()
    assert body["count"] == 16 and body["per_page"] == 5 and body["total_pages"] == 4
    assert [item["code"] for item in body["items"]] == ["02", "04", "06", "08", "10"]
    detail = api.get(f"{BASE}/voivodeships/02").json()
    assert detail == {
        "code": "02",
        "name": "DOLNOŚLĄSKIE",
        "display_name": "dolnośląskie",
        "macroregion": None,
        "valid_on": "2020-01-01",
        "counties": 2,
        "gminy": {"total": 4, "urban": 2, "rural": 1, "urban_rural": 1},
    }
    assert api.get(f"{BASE}/voivodeships/10").json()["macroregion"] == "south"
    missing = api.get(f"{BASE}/voivodeships/98")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert api.get(f"{BASE}/voivodeships/abc").status_code == 422


def test_counties_filter_and_detail(api: Client) -> None:
    body = api.get(f"{BASE}/counties", {"voivodeship": "02"}).json()
    assert [item["code"] for item in body["items"]] == ["0201", "0264"]
    assert body["items"][1]["kind_label"] == "miasto na prawach powiatu"
    assert api.get(f"{BASE}/counties", {"voivodeship": "14"}).json()["count"] == 0
    assert api.get(f"{BASE}/counties", {"voivodeship": "2"}).status_code == 422
    detail = api.get(f"{BASE}/counties/0201").json()
    assert detail["voivodeship"] == "02" and detail["gminy"] == {"total": 3, "urban": 1, "rural": 1, "urban_rural": 1}
    assert api.get(f"{BASE}/counties/0299").status_code == 404


def test_gminy_filters(api: Client) -> None:
    def codes(**params: str) -> list[str]:
        response = api.get(f"{BASE}/gminy", params)
        assert response.status_code == 200, response.content
        return [item["code"] for item in response.json()["items"]]

    assert codes() == ["0201011", "0201022", "0201043", "0264011", "1061011"]
    assert codes(voivodeship="10") == ["1061011"]
    assert codes(county="0201") == ["0201011", "0201022", "0201043"]
    assert codes(kind="urban") == ["0201011", "0264011", "1061011"]
    assert codes(kind="urban_rural", voivodeship="02") == ["0201043"]
    assert codes(q="lodz") == ["1061011"]
    assert codes(q="ŁÓDŹ") == ["1061011"]
    assert codes(q="  bolesLAWIEC ") == ["0201011", "0201022"]
    assert codes(q="wrocł") == ["0264011"]
    assert codes(q="ogrodz") == ["0201043"]
    assert codes(q="nowhere") == []
    assert api.get(f"{BASE}/gminy", {"kind": "village"}).status_code == 422
    assert api.get(f"{BASE}/gminy", {"county": "02011"}).status_code == 422


def test_gmina_detail(api: Client) -> None:
    body = api.get(f"{BASE}/gminy/0201043").json()
    assert body == {
        "code": "0201043",
        "name": "Nowogrodziec",
        "kind": "urban_rural",
        "kind_display": body["kind_display"],
        "kind_label": "gmina miejsko-wiejska",
        "county": "0201",
        "county_name": "bolesławiecki",
        "voivodeship": "02",
        "population": None,
        "valid_on": "2020-01-01",
    }
    assert body["kind_display"] in ("gmina miejsko-wiejska", "urban-rural gmina")
    missing = api.get(f"{BASE}/gminy/0201049")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_pagination_envelope(api: Client) -> None:
    body = api.get(f"{BASE}/gminy", {"per_page": 2, "page": 3}).json()
    assert set(body) == {"items", "count", "page", "per_page", "total_pages"}
    assert (body["count"], body["page"], body["per_page"], body["total_pages"]) == (5, 3, 2, 3)
    assert [item["code"] for item in body["items"]] == ["1061011"]
    assert api.get(f"{BASE}/gminy", {"per_page": 500}).status_code == 422
    assert api.get(f"{BASE}/gminy", {"page": 0}).status_code == 422


def test_list_queries_are_constant(api: Client) -> None:
    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(BASE + path, {"per_page": 200}).status_code == 200
        return len(queries)

    count("/gminy")  # the first call records the token's use
    paths = ["/gminy", "/counties", "/voivodeships", "/macroregions"]
    before = {path: count(path) for path in paths}
    county = County.objects.get(code="0201")
    f.GminaFactory.create_batch(10, county=county)
    f.CountyFactory.create_batch(3, voivodeship=county.voivodeship)
    assert {path: count(path) for path in paths} == before


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_territory_is_read_only(api: Client, method: str) -> None:
    response = getattr(api, method)(f"{BASE}/gminy/0201011", {}, content_type="application/json")
    assert response.status_code == 405
    assert getattr(api, method)(f"{BASE}/gminy", {}, content_type="application/json").status_code == 405
