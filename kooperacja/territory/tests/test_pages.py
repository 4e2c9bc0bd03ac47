"""Pages of the territory: public, constant queries, 404 for unknown codes, breadcrumbs, tables with captions."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from kooperacja.core.testing import factories as f
from kooperacja.core.testing.cast import Cast
from kooperacja.territory.models import County, GminaKind, Voivodeship
from kooperacja.territory.services import macroregions_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def territory(write_terc: Callable[..., Path], run_command: Any) -> None:
    """The self-made TERC list (2 voivodeships, 3 counties, 5 gminy), grouped into macroregions."""
    macroregions_seed()
    run_command("import_teryt", str(write_terc()))


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def main_of(response: Any) -> str:
    html = text_of(response)
    return html[html.index("<main") : html.index("</main>")]


def test_overview_lists_macroregions_and_counts(territory: None, client: Client) -> None:
    response = client.get(reverse("territory:voivodeship_list"))
    assert response.status_code == 200
    main = main_of(response)
    assert main.count("<h1") == 1
    assert "Makroregion III — południowy" in main and "Makroregion I — wschodni" in main
    assert main.index("Makroregion III") < main.index("dolnośląskie")  # the unassigned come last
    assert main.count("<caption>") == 4  # three macroregions and the unassigned
    row = re.search(r'<tr> <th scope="row"><a href="/territory/02/">dolnośląskie</a></th>(.*?)</tr>', main)
    assert row is not None
    assert re.findall(r'<td class="num">(\d+)</td>', row.group(1)) == ["2", "4", "2", "1", "1"]
    lodzkie = re.search(r'<a href="/territory/10/">łódzkie</a></th>(.*?)</tr>', main)
    assert lodzkie is not None
    assert re.findall(r'<td class="num">(\d+)</td>', lodzkie.group(1)) == ["1", "1", "1", "0", "0"]


def test_overview_costs_one_query_whatever_the_data(
    territory: None, client: Client, django_assert_num_queries: Any
) -> None:
    url = reverse("territory:voivodeship_list")
    with django_assert_num_queries(1):
        client.get(url)
    county = f.CountyFactory(voivodeship=Voivodeship.objects.get(code="14"))
    for kind in GminaKind:
        f.GminaFactory.create_batch(3, county=county, kind=kind)
    with django_assert_num_queries(1):
        response = client.get(url)
    assert re.search(
        r'mazowieckie</a></th> <td>14</td> <td class="num">1</td> <td class="num">9</td>', text_of(response)
    )


def test_empty_register_says_how_to_load_it(db: None, client: Client) -> None:
    assert "import_teryt" in main_of(client.get(reverse("territory:voivodeship_list")))


def test_voivodeship_page(territory: None, client: Client, django_assert_num_queries: Any) -> None:
    url = reverse("territory:voivodeship_detail", args=["02"])
    assert url == "/territory/02/"
    with django_assert_num_queries(2):
        response = client.get(url)
    main = main_of(response)
    assert "<h1>Województwo dolnośląskie</h1>" in main
    assert '<a href="/territory/county/0201/">bolesławiecki</a>' in main
    assert re.findall(r'<td class="num">(\d+)</td>', main) == ["3", "1", "1", "1", "1", "1", "0", "0"]
    assert "<caption>" in main
    county = f.CountyFactory(voivodeship=Voivodeship.objects.get(code="02"))
    f.GminaFactory.create_batch(4, county=county)
    with django_assert_num_queries(2):
        client.get(url)


def test_county_page(territory: None, client: Client, django_assert_num_queries: Any) -> None:
    url = reverse("territory:county_detail", args=["0201"])
    with django_assert_num_queries(2):
        response = client.get(url)
    main = main_of(response)
    assert "bolesławiecki" in main and "<caption>" in main
    assert (
        '<a href="/territory/gmina/0201043/">Nowogrodziec</a></th> <td>0201043</td> <td>gmina miejsko-wiejska</td>'
        in main
    )
    assert '<a href="/territory/02/">Województwo dolnośląskie</a>' in main  # breadcrumbs
    f.GminaFactory.create_batch(5, county=County.objects.get(code="0201"))
    with django_assert_num_queries(2):
        client.get(url)


def test_gmina_page_links_to_the_directory(territory: None, client: Client, django_assert_num_queries: Any) -> None:
    url = reverse("territory:gmina_detail", args=["0201043"])
    with django_assert_num_queries(1):
        response = client.get(url)
    main = main_of(response)
    assert "gmina miejsko-wiejska" in main
    crumbs = re.findall(r'<li><a href="([^"]+)">', main)
    assert crumbs == ["/", "/territory/", "/territory/02/", "/territory/county/0201/"]
    assert "<dt>Makroregion</dt><dd>brak</dd>" in main  # dolnośląskie is in none
    search = f"{reverse('directory:search')}?gmina=0201043"
    assert f'href="{escape(search)}"' in main
    assert client.get(search).status_code == 200


def test_gmina_page_of_the_cast_gmina(cast: Cast, client: Client) -> None:
    main = main_of(client.get(reverse("territory:gmina_detail", args=[cast.gmina_a.code])))
    assert cast.gmina_a.name in main and cast.county_a.name in main and "śląskie" in main
    assert cast.gmina_a.voivodeship.macroregion.name in main


@pytest.mark.parametrize(
    "url",
    [
        "/territory/99/",
        "/territory/county/0299/",
        "/territory/gmina/0201049/",
        "/territory/2/",
        "/territory/county/x/",
        "/territory/gmina/02010431/",
    ],
)
def test_unknown_codes_are_not_found(territory: None, client: Client, url: str) -> None:
    assert client.get(url).status_code == 404


def test_pages_are_public_and_read_only(territory: None, client: Client, client_for: Any, cast: Cast) -> None:
    for url in ["/territory/", "/territory/02/", "/territory/county/0201/", "/territory/gmina/0201011/"]:
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 405
    signed_in = client_for(cast.olga)
    assert signed_in.get("/territory/gmina/0201011/").status_code == 200


def test_pages_speak_english_too(territory: None, client: Client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/territory/"})
    main = main_of(client.get("/territory/02/"))
    assert "<h1>Voivodeship dolnośląskie</h1>" in main and "TERYT code" in main
