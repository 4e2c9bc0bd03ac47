"""Searching the directory: text without diacritics, each filter, pagination, and a constant number of queries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kooperacja.core.testing import factories as f
from kooperacja.core.testing.cast import Cast
from kooperacja.directory.models import CapacityStatus, Sector, TaxonomyTerm
from kooperacja.directory.selectors import directory_search
from kooperacja.directory.text import normalise

SEARCH = reverse("directory:search")


def test_normalise_strips_polish_diacritics() -> None:
    assert normalise("Ośrodek  ŁÓDŹ Żółć ęą") == "osrodek lodz zolc ea"
    assert normalise(None) == ""


def _titles(response: Any) -> str:
    return response.content.decode()


def test_text_search_ignores_case_and_diacritics(cast: Cast, client: Any, service_a: Any) -> None:
    page = _titles(client.get(SEARCH, {"q": "osrodek pomocy"}))
    assert "Miejski Ośrodek Pomocy Społecznej w Miastku A" in page
    assert "Gminny Ośrodek Pomocy Społecznej we Wsi B" in page
    assert "Szkoła Podstawowa nr 1" not in page
    page = _titles(client.get(SEARCH, {"q": "SZKOLA"}))
    assert "Szkoła Podstawowa nr 1 w Miastku A" in page
    page = _titles(client.get(SEARCH, {"q": "wychowaniu"}))  # a word of the service's description
    assert "Asystent rodziny" in page


def test_search_text_follows_edits(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.alice)
    client.post(reverse("directory:institution_edit", args=[cast.ops_a.pk]), {"name": "Centrum Usług Społecznych"})
    assert "Centrum Usług Społecznych" in _titles(client.get(SEARCH, {"q": "uslug spoleczn"}))


def test_a_town_or_institution_name_finds_its_services(cast: Cast, client_for: Any, client: Any) -> None:
    # Reported from the browser: searching for a town found its institutions but none of their services.
    cast.ops_a.city = "Bytów"
    cast.ops_a.save()
    f.ServiceFactory(institution=cast.ops_a, name="Klub malucha", description="Zajęcia dla dzieci.")
    f.ServiceFactory(institution=cast.ops_b, name="Klub seniora", description="Spotkania.")
    page = _titles(client.get(SEARCH, {"q": "Bytow"}))
    assert "Klub malucha" in page and "Klub seniora" not in page
    assert "Klub malucha" in _titles(client.get(SEARCH, {"q": "mops a klub"}))  # the institution's short name
    assert "Klub malucha" in _titles(client.get("/api/hsds/services", {"search": "bytów"}))

    # The institution moves to another town: the services' search text follows it.
    editor = client_for(cast.alice)
    response = editor.post(
        reverse("directory:institution_edit", args=[cast.ops_a.pk]), {"name": cast.ops_a.name, "city": "Człuchów"}
    )
    assert response.status_code == 302
    assert "Klub malucha" in _titles(client.get(SEARCH, {"q": "czluchow klub"}))
    assert "Klub malucha" not in _titles(client.get(SEARCH, {"q": "bytow"}))


def test_filter_by_sector(cast: Cast) -> None:
    result = directory_search(sector=Sector.EDUCATION)
    assert [i.name for i in result.institutions] == [cast.school_a.name]


def test_filter_by_domain(cast: Cast, service_a: Any, service_b: Any, domain: TaxonomyTerm, client: Any) -> None:
    result = directory_search(domain=str(domain.pk))
    assert [s.name for s in result.services] == ["Asystent rodziny"]
    assert result.institutions == [] and result.services_only
    page = _titles(client.get(SEARCH, {"domain": str(domain.pk)}))
    assert "Asystent rodziny" in page and "Klub seniora" not in page
    assert "tylko usługi" in page


def test_filter_by_capacity(cast: Cast, service_a: Any, service_b: Any) -> None:
    assert [s.name for s in directory_search(capacity=CapacityStatus.WAITLIST).services] == ["Klub seniora"]
    assert [s.name for s in directory_search(capacity=CapacityStatus.ACCEPTING).services] == ["Asystent rodziny"]


@pytest.mark.parametrize("how", ["code", "id", "name"])
def test_filter_by_gmina_includes_county_and_voivodeship_institutions(cast: Cast, how: str) -> None:
    value = {"code": cast.gmina_a.code, "id": cast.gmina_a.pk, "name": "miastko a"}[how]
    names = {i.name for i in directory_search(gmina=value).institutions}
    assert cast.ops_a.name in names and cast.school_a.name in names
    assert cast.court.name in names  # county level, gmina NULL
    assert cast.rops_a.name in names  # voivodeship level
    assert cast.ops_b.name not in names  # another gmina of the same county
    assert cast.ngo_z.name not in names


def test_unknown_gmina_finds_nothing_and_says_so(cast: Cast, client: Any) -> None:
    response = client.get(SEARCH, {"gmina": "Atlantyda"})
    assert directory_search(gmina="Atlantyda").institution_count == 0
    assert "TERYT" in _titles(response)


def test_results_page_layout(cast: Cast, client: Any, service_a: Any) -> None:
    html = _titles(client.get(SEARCH, {"q": "asystent"}))
    assert 'role="search"' in html and 'method="get"' in html and 'name="q"' in html
    assert 'role="status"' in html
    assert 'class="filters"' in html
    assert reverse("directory:service_detail", args=[service_a.pk]) in html
    assert 'class="badge accepting"' in html
    assert "Szukaj" in html  # Polish by default


def _result_items(html: str) -> list[str]:
    """The text of each result of the page (one `<li>` of a result list), with whitespace and tags collapsed."""
    lists = re.findall(r'<ul class="result-list"[^>]*>(.*?)</ul>', html, flags=re.S)
    items = [item for block in lists for item in re.findall(r"<li>(.*?)</li>", block, flags=re.S)]
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_each_result_shows_its_place_terms_and_capacity(
    cast: Cast, client: Any, service_a: Any, domain: TaxonomyTerm
) -> None:
    sector_term = TaxonomyTerm.objects.get(taxonomy__code="sectors", code="social_assistance")
    service_a.terms.add(sector_term)
    # The terms in their order (sort order, then name), as the database sorts them.
    terms = TaxonomyTerm.objects.filter(pk__in=[domain.pk, sector_term.pk]).order_by("sort_order", "name")
    polish, english = (" ".join(t.name for t in terms), " ".join(t.name_en for t in terms))
    waiting = f.ServiceFactory(
        institution=cast.court,
        name="Mediacje rodzinne",
        capacity_status=CapacityStatus.WAITLIST,
        expected_wait_days=5,
        capacity_confirmed_at=None,
    )
    html = _titles(client.get(SEARCH, {"gmina": cast.gmina_a.code}))
    items = _result_items(html)
    assert any(
        item.startswith(
            f"Asystent rodziny Miejski Ośrodek Pomocy Społecznej w Miastku A · Miastko A {polish} przyjmuje"
        )
        and "ostatnio potwierdzono" in item
        for item in items
    )
    assert "Mediacje rodzinne Sąd Rejonowy w Rybniku lista oczekujących — około 5 dni nigdy nie potwierdzono" in items
    assert f'href="{reverse("directory:service_detail", args=[waiting.pk])}"' in html
    # An institution of the gmina shows the gmina; one of the county, the county; one of the voivodeship, the voivodeship.
    assert (
        "Miejski Ośrodek Pomocy Społecznej w Miastku A pomoc społeczna · ośrodek pomocy społecznej (OPS) · Miastko A "
        "ul. Przykładowa 1, 00-001 Miastko A" in items
    )
    assert any(
        item.startswith("Sąd Rejonowy w Rybniku wymiar sprawiedliwości · sąd · powiat rybnicki") for item in items
    )
    assert any(
        item.startswith("Regionalny Ośrodek Polityki Społecznej w Katowicach") and "· województwo śląskie" in item
        for item in items
    )
    assert f'href="{reverse("directory:institution_detail", args=[cast.court.pk])}"' in html

    client.post(reverse("set_language"), {"language": "en", "next": "/directory/"})
    items = _result_items(_titles(client.get(SEARCH, {"gmina": cast.gmina_a.code})))
    assert any(item.startswith("Asystent rodziny") and f"{english} accepting" in item for item in items)


def test_pagination_marks_the_current_page(cast: Cast, client: Any) -> None:
    institution = f.InstitutionFactory(gmina=cast.gmina_a)
    for number in range(30):
        f.ServiceFactory(institution=institution, name=f"Usługa testowa {number:02d}")
    first = _titles(client.get(SEARCH, {"q": "testowa"}))
    assert "Usługa testowa 24" in first and "Usługa testowa 25" not in first
    second = _titles(client.get(SEARCH, {"q": "testowa", "page": 2}))
    assert "Usługa testowa 25" in second
    assert 'aria-current="page"' in second and "q=testowa&amp;page=1" in second


def _make_services(cast: Cast, n: int, domain: TaxonomyTerm) -> None:
    for number in range(n):
        institution = f.InstitutionFactory(gmina=cast.gmina_a, name=f"Fundacja wyszukiwana {number}")
        service = f.ServiceFactory(institution=institution, name=f"Wsparcie wyszukiwane {number}")
        service.terms.add(domain)


def _count_queries(client: Any, url: str, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("signed_in", [False, True])
def test_search_page_costs_the_same_queries_for_3_or_30_results(
    cast: Cast, client: Any, client_for: Any, domain: TaxonomyTerm, signed_in: bool
) -> None:
    if signed_in:
        client = client_for(cast.alice)
    params = {"q": "wyszukiwane", "domain": str(domain.pk), "gmina": cast.gmina_a.code}
    _make_services(cast, 3, domain)
    few = _count_queries(client, SEARCH, params)
    _make_services(cast, 27, domain)
    many = _count_queries(client, SEARCH, params)
    assert few == many
    assert many <= (16 if signed_in else 8)


def test_institution_page_costs_the_same_queries_for_3_or_30_services(
    cast: Cast, client: Any, domain: TaxonomyTerm
) -> None:
    url = reverse("directory:institution_detail", args=[cast.ops_a.pk])

    def add(n: int) -> None:
        for _ in range(n):
            service = f.ServiceFactory(institution=cast.ops_a)
            service.terms.add(domain)
            f.LocationFactory(institution=cast.ops_a)

    add(3)
    few = _count_queries(client, url, {})
    add(27)
    many = _count_queries(client, url, {})
    assert few == many <= 8


def test_counts_are_capped_for_broad_searches(cast: Cast, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from kooperacja.directory import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 4)
    for number in range(6):
        f.ServiceFactory(institution=cast.ops_a, name=f"Usługa szeroka {number}")
    result = directory_search(q="szeroka", per_page=2)
    assert (result.service_count, result.service_count_capped, result.num_pages) == (4, True, 2)
    assert "Znaleziono ponad 4 usługi" in _titles(client.get(SEARCH, {"q": "szeroka"}))


@pytest.mark.parametrize("selective_cap", [5000, 3])
def test_text_search_pages_in_name_order_and_past_the_end(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, selective_cap: int
) -> None:
    # A selective search reads its count and page ids in one query; a broad one walks the name index. Same pages.
    from kooperacja.directory import selectors

    monkeypatch.setattr(selectors, "SELECTIVE_SEARCH_CAP", selective_cap)
    names = [f"Porada {letter}" for letter in "edcba"] + ["Porada a"]  # two of the same name: ordered by id then
    services = [f.ServiceFactory(institution=cast.ops_a, name=name) for name in names]
    expected = [s.pk for s in sorted(services, key=lambda s: (s.name, str(s.pk)))]
    pages = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            result = directory_search(q="porada", page=page, per_page=2)
        pages.append(len(queries))
        assert (result.service_count, result.num_pages, result.page) == (6, 3, page)
        assert [s.pk for s in result.services] == expected[(page - 1) * 2 : page * 2]
        assert all(s.institution_name == cast.ops_a.name for s in result.services)
    assert len(set(pages)) == 1
    past = directory_search(q="porada", page=9, per_page=2)
    assert past.page == 3 and [s.pk for s in past.services] == expected[4:]


def test_detail_url_tag_writes_what_the_url_tag_writes(cast: Cast, service_a: Any) -> None:
    from django.template import Context, Template

    template = Template(
        "{% load directory_tags %}{% for s in services %}{% detail_url 'directory:service_detail' s.pk %} "
        "{% url 'directory:service_detail' s.pk %} {% detail_url 'directory:institution_detail' s.institution_id %} "
        "{% url 'directory:institution_detail' s.institution_id %}|{% endfor %}"
    )
    other = f.ServiceFactory(institution=cast.ops_b)
    rows = template.render(Context({"services": [service_a, other]})).strip("|").split("|")
    assert len(rows) == 2
    for row in rows:
        ours, django_service, ours_institution, django_institution = row.split(" ")
        assert ours == django_service and ours_institution == django_institution
    assert reverse("directory:service_detail", args=[other.pk]) in rows[1]
