"""What people do in the browser: sign in, search the directory, open and edit their institution, be refused
another institution's edit page, switch the language, use the skip link — with axe-core (WCAG 2.1 A/AA) on every
page visited (the ``audit`` fixture; the ``page`` fixture fails a test that leaves a visited page unchecked)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kooperacja.core.testing import factories as f
from kooperacja.core.testing.cast import Cast
from kooperacja.core.testing.factories import PASSWORD
from kooperacja.directory.models import CapacityStatus, Institution, TaxonomyTerm

# A live server needs committed data (the server runs in another thread); the flush after each test would drop the
# taxonomies seeded by migrations, so they are restored from the serialized test database.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

USERNAME_LABEL = re.compile(r"^\s*(Nazwa użytkownika|Username)", re.IGNORECASE)
PASSWORD_LABEL = re.compile(r"^\s*(Hasło|Password)", re.IGNORECASE)


@pytest.fixture
def directory(cast: Cast) -> Cast:
    """The cast, plus a service of OPS A so that the search lists services as well as institutions."""
    service = f.ServiceFactory(
        institution=cast.ops_a,
        name="Asystent rodziny",
        description="Wsparcie rodzin w opiece i wychowaniu dzieci.",
        capacity_status=CapacityStatus.ACCEPTING,
    )
    service.terms.add(TaxonomyTerm.objects.get(taxonomy__code="cus-domains", code="family_support"))
    return cast


def sign_in(page: Any, audit: Any, username: str) -> None:
    """Sign in the way a person does: the header's sign-in link, then the form."""
    page.goto("/")
    audit("start page (anonymous)")
    page.get_by_role("banner").get_by_role("link", name="Zaloguj się").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zaloguj się")
    audit("sign-in page")
    page.get_by_label(USERNAME_LABEL).fill(username)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.locator("main form").filter(has=page.get_by_label(PASSWORD_LABEL)).get_by_role("button").click()
    expect(page.get_by_role("button", name=re.compile(rf"Wyloguj się \({re.escape(username)}\)"))).to_be_visible()
    audit(f"start page (signed in as {username})")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page: Any, audit: Any, db: None) -> None:
    page.goto("/")
    audit("start page")
    # The stylesheet is served (WhiteNoise) and applied: the header has the brand colour.
    header_colour = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert header_colour == "rgb(11, 83, 148)"

    skip_link = page.get_by_role("link", name="Przejdź do treści głównej")
    expect(skip_link).not_to_be_in_viewport()  # hidden off-screen until focused
    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab stop is inside main (or after it), not back at the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_staff_signs_in_searches_opens_and_edits_own_institution(page: Any, audit: Any, directory: Cast) -> None:
    ops_a, ops_b = directory.ops_a, directory.ops_b
    sign_in(page, audit, "alice")

    # Search the directory.
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Katalog").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Katalog instytucji i usług")
    audit("directory search page")
    search = page.get_by_role("search")
    search.get_by_label("Szukaj", exact=True).fill("Miastko")
    search.get_by_role("button", name="Szukaj").click()
    expect(page).to_have_url(re.compile(r"[?&]q=Miastko"))
    institutions = page.get_by_role("list", name="Instytucje")
    expect(institutions.get_by_role("link", name=ops_a.name)).to_be_visible()
    expect(institutions.get_by_role("link", name=ops_b.name)).to_have_count(0)  # Wieś B does not match
    expect(page.get_by_role("region", name="Wyniki").get_by_role("status")).to_contain_text("Znaleziono")
    audit("directory search results")

    # Open the institution from the results.
    institutions.get_by_role("link", name=ops_a.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ops_a.name)
    expect(page).to_have_url(re.compile(reverse("directory:institution_detail", args=[ops_a.pk]) + "$"))
    audit("institution page (own, signed in)")

    # Edit it: a bad e-mail is refused with a message tied to the field and nothing changes …
    page.get_by_role("link", name="Edytuj", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edytuj instytucję")
    audit("institution edit form")
    email = page.get_by_label(re.compile(r"^\s*E-mail"))
    email.fill("to nie jest e-mail")
    page.get_by_label(re.compile(r"^\s*Telefon")).fill("+48 32 000 11 22")
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("alert")).to_contain_text("Popraw poniższe błędy.")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_attribute("aria-describedby", re.compile(r"id_email_error"))
    audit("institution edit form with an error")
    assert Institution.objects.get(pk=ops_a.pk).phone == ops_a.phone

    # … then a correct form is saved, with a message, and the new values are on the page.
    email.fill("sekretariat@mops-a.example.invalid")
    page.get_by_label(re.compile(r"^\s*Godziny otwarcia")).fill("pn–pt 7:30–15:30")
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("status").filter(has_text="Zapisano zmiany.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(ops_a.name)
    details = page.locator("dl.details")
    expect(details).to_contain_text("+48 32 000 11 22")
    expect(details).to_contain_text("pn–pt 7:30–15:30")
    expect(details.get_by_role("link", name="sekretariat@mops-a.example.invalid")).to_be_visible()
    audit("institution page after saving")
    saved = Institution.objects.get(pk=ops_a.pk)
    assert (saved.phone, saved.opening_hours) == ("+48 32 000 11 22", "pn–pt 7:30–15:30")


def test_staff_of_another_institution_is_refused_with_404(page: Any, audit: Any, directory: Cast) -> None:
    ops_a, ops_b = directory.ops_a, directory.ops_b
    sign_in(page, audit, "bob")

    page.goto(reverse("directory:institution_detail", args=[ops_a.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text(ops_a.name)
    expect(page.get_by_role("link", name="Edytuj", exact=True)).to_have_count(0)
    audit("another institution's page")

    response = page.goto(reverse("directory:institution_edit", args=[ops_a.pk]))
    assert response is not None and response.status == 404
    expect(page.get_by_role("button", name="Zapisz")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text("Strona nie została znaleziona")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_role("main")).not_to_contain_text(ops_a.name)  # the refusal tells nothing about the entry
    audit("404 page for another institution's edit form")

    # The same person may open the edit form of their own institution: the 404 is about whose entry it is.
    response = page.goto(reverse("directory:institution_edit", args=[ops_b.pk]))
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Edytuj instytucję")
    audit("own institution's edit form")
    assert Institution.objects.get(pk=ops_a.pk).name == ops_a.name


def test_language_switches_between_polish_and_english(page: Any, audit: Any, directory: Cast) -> None:
    page.goto(reverse("directory:search") + "?q=Miastko")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "pl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Katalog instytucji i usług")
    audit("search results in Polish")

    page.get_by_role("banner").get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory of institutions and services")
    expect(page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Directory")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/directory/\?q=Miastko$"))  # stays on the same page and search
    expect(page.get_by_role("list", name="Institutions").get_by_role("link", name=directory.ops_a.name)).to_be_visible()
    audit("search results in English")

    # The choice sticks while browsing …
    page.get_by_role("list", name="Institutions").get_by_role("link", name=directory.ops_a.name).click()
    expect(page.get_by_role("heading", level=2, name="Details")).to_be_visible()
    expect(page.locator("dl.details dt").filter(has_text="Opening hours")).to_be_visible()
    expect(html).to_have_attribute("lang", "en")
    audit("institution page in English")

    # … and Polish comes back with one click.
    page.get_by_role("banner").get_by_role("button", name="Polski").click()
    expect(html).to_have_attribute("lang", "pl")
    expect(page.get_by_role("heading", level=2, name="Szczegóły")).to_be_visible()
    expect(page.locator("dl.details dt").filter(has_text="Godziny otwarcia")).to_be_visible()
    audit("institution page in Polish again")


def test_directory_pages_reflow_on_a_narrow_screen(page: Any, audit: Any, directory: Cast) -> None:
    """WCAG 1.4.10: at 320 CSS pixels wide nothing needs horizontal scrolling."""
    page.set_viewport_size({"width": 320, "height": 640})
    pages = {
        "search results (320 px)": reverse("directory:search") + "?q=Miastko",
        "institution page (320 px)": reverse("directory:institution_detail", args=[directory.ops_a.pk]),
    }
    for label, url in pages.items():
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        audit(label)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{label}: {overflow}px of horizontal scrolling"


def test_the_audit_catches_violations_and_refused_scripts(page: Any, audit: Any, db: None) -> None:
    """The checks above can fail: an unlabelled field and an inline script (refused by the CSP) are reported."""
    page.goto("/")
    audit("start page")
    page.evaluate("document.querySelector('main').append(Object.assign(document.createElement('input'), {id: 'bad'}))")
    with pytest.raises(AssertionError, match=r"(?s)WCAG 2\.1 A/AA violations.*\blabel\b.*#bad"):
        audit("start page with an unlabelled field")

    page.goto("/")
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate("document.body.append(Object.assign(document.createElement('script'), {textContent: '1'}))")
    with pytest.raises(AssertionError, match=r"console errors.*Content Security Policy"):
        audit("start page with an inline script")
    audit.console_errors.clear()
