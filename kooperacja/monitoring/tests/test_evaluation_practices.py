"""Good-practice catalogue: search without regard to case and Polish diacritics, filters, who may write."""

from __future__ import annotations

from typing import Any

import pytest

from kooperacja.core.testing.cast import Cast
from kooperacja.monitoring import services_evaluation as services
from kooperacja.monitoring.models.evaluation import GoodPractice
from kooperacja.monitoring.models.pilots import ModelVariant

pytestmark = pytest.mark.django_db


@pytest.fixture
def practices(cast: Cast) -> tuple[GoodPractice, GoodPractice]:
    school = services.practice_create(
        actor=cast.rosa,
        title="Dyżury pedagoga w ośrodku pomocy społecznej",
        problem="Rodziny nie docierały do poradni.",
        solution="Pedagog szkolny pełni cotygodniowy dyżur w MOPS.",
        sectors=["education", "social_assistance"],
        gmina=cast.gmina_a,
        model_variant=ModelVariant.CITIES_3D,
        institutions=[cast.school_a, cast.ops_a],
        is_public=True,
    )
    court = services.practice_create(
        actor=cast.rosa,
        title="Wspólne wizyty kuratora i pracownika socjalnego",
        problem="Żółte światło: zbyt późne reakcje.",
        solution="Kurator i pracownik socjalny umawiają wspólne wizyty.",
        sectors=["justice"],
        gmina=cast.gmina_b,
        model_variant=ModelVariant.RURAL_LEADERS,
    )
    return school, court


def test_search_ignores_case_and_polish_diacritics(practices: Any, cast: Cast, client_for: Any) -> None:
    school, court = practices
    client = client_for(cast.tom)
    for query in ("ŻÓŁTE ŚWIATŁO", "zolte swiatlo", "Zółte"):
        html = client.get("/monitoring/practices/", {"q": query}).content.decode()
        assert court.title in html and school.title not in html, query
    html = client.get("/monitoring/practices/", {"q": "osrodku POMOCY"}).content.decode()
    assert school.title in html and court.title not in html
    # institutions' names are searched too
    assert school.title in client.get("/monitoring/practices/", {"q": "szkola podstawowa"}).content.decode()


def test_filters(practices: Any, cast: Cast, client_for: Any) -> None:
    school, court = practices
    client = client_for(cast.tom)

    def titles(**query: str) -> set[str]:
        html = client.get("/monitoring/practices/", query).content.decode()
        return {p.title for p in practices if p.title in html}

    assert titles(sector="justice") == {court.title}
    assert titles(sector="education") == {school.title}
    assert titles(gmina_kind="rural") == {court.title}
    assert titles(variant=ModelVariant.CITIES_3D) == {school.title}


def test_pages_create_and_edit(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.rosa)
    data = {
        "title": "Mapa zasobów gminy",
        "problem": "Nikt nie wiedział, kto co oferuje.",
        "solution": "Wspólny katalog usług.",
        "sectors": ["social_assistance", "ngo"],
        "institutions": f"{cast.ops_a.name}\n{cast.school_a.pk}",
        "gmina": cast.gmina_a.code,
        "model_variant": "",
        "contact": "sekretariat@mops.example",
    }
    response = client.post("/monitoring/practices/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    practice = GoodPractice.objects.get(title="Mapa zasobów gminy")
    assert set(practice.institutions.all()) == {cast.ops_a, cast.school_a}
    assert practice.sector_list == ["ngo", "social_assistance"] and practice.gmina == cast.gmina_a
    assert "mapa zasobow gminy" in practice.search_text
    detail = client.get(f"/monitoring/practices/{practice.pk}/").content.decode()
    assert cast.school_a.name in detail
    bad = client.post("/monitoring/practices/new/", {**data, "institutions": "Nie ma takiej instytucji"})
    assert bad.status_code == 200 and "Nie ma takiej instytucji" in bad.content.decode()
    assert GoodPractice.objects.count() == 1
    response = client.post(
        f"/monitoring/practices/{practice.pk}/edit/", {**data, "title": "Mapa zasobów", "is_public": "on"}
    )
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.title == "Mapa zasobów" and practice.is_public


@pytest.mark.parametrize("url", ["/monitoring/practices/new/", "/monitoring/practices/{pk}/edit/"])
def test_a_reader_gets_403_on_writes(practices: Any, cast: Cast, client_for: Any, url: str) -> None:
    school, _court = practices
    client = client_for(cast.alice)
    assert client.get(f"/monitoring/practices/{school.pk}/").status_code == 200
    target = url.format(pk=school.pk)
    assert client.get(target).status_code == 403
    assert client.post(target, {"title": "x", "problem": "y", "solution": "z"}).status_code == 403
    assert not GoodPractice.objects.filter(title="x").exists()


def test_the_anonymous_are_sent_to_sign_in(practices: Any, client: Any) -> None:
    school, _court = practices
    for url in ("/monitoring/practices/", f"/monitoring/practices/{school.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_costs_constant_queries(
    practices: Any, cast: Cast, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(cast.tom)
    with django_assert_max_num_queries(10):
        client.get("/monitoring/practices/")
    for i in range(8):
        services.practice_create(actor=cast.rosa, title=f"Praktyka {i}", problem="p", solution="s", gmina=cast.gmina_b)
    with django_assert_max_num_queries(10):
        client.get("/monitoring/practices/?q=praktyka")


def test_api_search_detail_and_permissions(practices: Any, cast: Cast, client_for: Any, client: Any) -> None:
    school, court = practices
    tom = client_for(cast.tom)
    found = tom.get("/api/v1/monitoring/practices", {"q": "ZOLTE"}).json()
    assert [p["id"] for p in found["items"]] == [court.pk]
    assert found["items"][0]["gmina_kind"] == "rural" and found["items"][0]["sectors"] == ["justice"]
    detail = tom.get(f"/api/v1/monitoring/practices/{school.pk}").json()
    assert set(detail["institutions"]) == {cast.school_a.name, cast.ops_a.name}
    assert tom.get("/api/v1/monitoring/practices/999999").status_code == 404
    client.logout()
    assert client.get("/api/v1/monitoring/practices").status_code == 401
