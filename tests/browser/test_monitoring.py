"""The monitoring dashboard in the browser: a model expert drills down country → macroregion → voivodeship → gmina
(and to a pilot), a ROPS specialist records support — with axe-core (WCAG 2.1 A/AA) on every page visited."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kooperacja.core.testing.cast import Cast
from kooperacja.core.testing.factories import PASSWORD
from kooperacja.monitoring.models import SupportActivity
from kooperacja.monitoring.tests.pilots_world import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD_LABEL = re.compile(r"^\s*(Hasło|Password)", re.IGNORECASE)
USERNAME_LABEL = re.compile(r"^\s*(Nazwa użytkownika|Username)", re.IGNORECASE)


def sign_in(page: Any, audit: Any, username: str, next_url: str) -> None:
    page.context.clear_cookies()
    page.goto(f"/accounts/login/?next={next_url}")
    audit(f"sign-in page ({username})")
    page.get_by_label(USERNAME_LABEL).fill(username)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.locator("main form").filter(has=page.get_by_label(PASSWORD_LABEL)).get_by_role("button").click()
    expect(page.get_by_role("button", name=re.compile(rf"Wyloguj się \({re.escape(username)}\)"))).to_be_visible()


def assert_pdf(page: Any, filename: str) -> None:
    """The page links its printable report; fetched with the page's session (a download is not a page to audit)."""
    link = page.get_by_role("link", name="Raport do druku (PDF)")
    href = link.get_attribute("href")
    url = href if href.startswith("/") else page.url.split("?", 1)[0] + href
    response = page.context.request.get(url)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
    assert response.body().startswith(b"%PDF-")


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world(cast)


def test_drill_down_from_the_country_to_a_gmina(page: Any, audit: Any, world: World, cast: Cast) -> None:
    sign_in(page, audit, "mia", "/monitoring/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pilotaże i wskaźniki: Polska")
    expect(page.get_by_role("img", name="gminy testujące model według wariantu modelu")).to_be_visible()
    audit("dashboard: country")

    page.get_by_role("link", name=cast.voivodeship_a.macroregion.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Pilotaże i wskaźniki: {cast.voivodeship_a.macroregion.name}"
    )
    audit("dashboard: macroregion")

    page.get_by_role("link", name="śląskie", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pilotaże i wskaźniki: śląskie")
    audit("dashboard: voivodeship")

    # Filter by variant: only the rural gmina remains.
    page.get_by_label("Wariant modelu").select_option("rural_leaders")
    page.get_by_role("button", name="Pokaż").click()
    table = page.get_by_role("table", name="Wskaźniki według jednostek")
    expect(table.get_by_role("link", name=cast.gmina_b.name)).to_be_visible()
    expect(table.get_by_role("link", name=cast.gmina_a.name)).to_have_count(0)
    audit("dashboard: voivodeship, filtered")

    page.get_by_label("Wariant modelu").select_option("")
    page.get_by_role("button", name="Pokaż").click()
    expect(page.get_by_role("table", name="Wskaźniki według jednostek").get_by_role("link")).to_have_count(2)
    audit("dashboard: voivodeship, all variants")
    assert_pdf(page, "monitoring-voivodeship-24.pdf")
    page.get_by_role("table", name="Wskaźniki według jednostek").get_by_role("link", name=cast.gmina_a.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pilotaże i wskaźniki: {cast.gmina_a.name}")
    audit("dashboard: gmina")

    page.get_by_role("link", name=re.compile(r"^Kooperacje 3D")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pilotaż w gminie {cast.gmina_a.name}")
    audit("pilot page")
    assert_pdf(page, f"monitoring-pilot-{world.pilot_a.pk}-{cast.gmina_a.code}.pdf")


def test_rops_compares_gminy_and_records_support(page: Any, audit: Any, world: World, cast: Cast) -> None:
    sign_in(page, audit, "rosa", "/monitoring/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pilotaże i wskaźniki: śląskie")
    audit("dashboard: the ROPS's voivodeship")
    page.get_by_label(cast.gmina_a.name).check()
    page.get_by_label(cast.gmina_b.name).check()
    page.get_by_role("button", name="Porównaj").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Porównanie gmin")
    audit("comparison")

    page.goto(f"/monitoring/pilots/{world.pilot_b.pk}/")
    page.get_by_role("link", name="Dodaj wsparcie").click()
    audit("support form")
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit("support form with errors")
    page.get_by_label("Rodzaj wsparcia").select_option("supervision")
    page.get_by_label("Data").fill("2024-06-03")
    page.get_by_label("Godziny").fill("2.5")
    page.get_by_label("Kto udzielił").fill("superwizorka ROPS")
    page.get_by_label("Dla kogo").fill("zespół zadaniowy")
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pilotaż w gminie {cast.gmina_b.name}")
    audit("pilot page after recording support")
    assert SupportActivity.objects.filter(pilot=world.pilot_b, given_by="superwizorka ROPS").exists()
