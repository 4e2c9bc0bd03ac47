"""Referrals in the browser, with the shared cast standing in for the demo accounts (alice = koordynator at the
OPS, tom = pedagog at the school, bob = ops-b): the coordinator sends a referral to the school; the pedagogue accepts
and completes it with feedback; the coordinator sees the outcome; the other OPS gets 404; after the consent is
withdrawn the pedagogue no longer sees the person. axe-core (WCAG 2.1 A/AA) on every page visited."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kooperacja.cases.policies import CASE_OWNER
from kooperacja.core.testing.cast import Cast
from kooperacja.core.testing.factories import PASSWORD
from kooperacja.privacy import policies as privacy_policies
from kooperacja.privacy import services as privacy_services
from kooperacja.referrals.models import Referral, State
from kooperacja.referrals.tests.factories import ALL, legal_basis, make_world

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


def test_closed_loop_referral(page: Any, audit: Any, cast: Cast) -> None:
    world = make_world(cast)
    person = world.person

    # The coordinator writes the referral from the case page and sends it.
    privacy_services.grant_open(
        actor=cast.alice,
        person=person,
        institution=cast.ops_a,
        categories=ALL,
        source_type=CASE_OWNER,
        source_id=str(world.case.pk),
        legal_basis=legal_basis("ups-art-100"),
    )
    sign_in(page, audit, "alice", f"/cases/{world.case.pk}/")
    audit("case page")
    page.get_by_role("link", name="Skieruj do innej instytucji").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nowe skierowanie")
    audit("new referral: recipient")
    page.get_by_label("Instytucja adresat").select_option(label=cast.school_a.name)
    page.get_by_role("button", name="Dalej").click()
    expect(page.get_by_text("Kategorie, których nie możesz udostępnić tej instytucji")).to_be_visible()
    audit("new referral: details")
    page.get_by_label("O co prosimy").fill("Proszę o objęcie ucznia pomocą psychologiczno-pedagogiczną.")
    for category in ("identity", "contact", "education"):
        page.locator(f"input[name=categories][value={category}]").check()
    page.get_by_role("button", name="Zapisz szkic").click()
    expect(page.locator("#referral-state")).to_have_text(re.compile(r"^\s*(szkic|projekt)\s*$"))
    audit("draft referral")
    page.get_by_role("button", name="Wyślij").click()
    expect(page.locator("#referral-state")).to_have_text("wysłane")
    referral = Referral.objects.get()
    url = f"/referrals/{referral.pk}/"

    # The pedagogue finds it in the inbox, accepts it, works on it and completes it with feedback.
    sign_in(page, audit, "tom", "/referrals/?tab=new")
    audit("inbox: new")
    page.get_by_role("link", name=re.compile(str(referral.pk)[:8])).click()
    expect(page.locator("#person-data")).to_contain_text(person.last_name)
    expect(page.locator("#referral-state")).to_have_text(re.compile(r"^\s*(odebrane|wpłynęło)\s*$"))
    audit("referral received")
    page.get_by_role("button", name="Przyjmij").click()
    expect(page.locator("#referral-state")).to_have_text("przyjęte")
    page.get_by_role("button", name="Rozpocznij realizację").click()
    expect(page.locator("#referral-state")).to_have_text(re.compile(r"^\s*(w realizacji|w toku|w trakcie)\s*$"))
    audit("referral in progress")
    form = page.locator("form.action-complete")
    form.get_by_label("Rezultat").select_option("helped")
    form.get_by_label("Co zrobiono").fill("Cztery spotkania z pedagogiem.")
    form.get_by_label("Informacja zwrotna dla zlecającego").fill("Uczeń chodzi na zajęcia.")
    form.get_by_role("button", name="Zakończ").click()
    expect(page.locator("#referral-state")).to_have_text("zakończone")
    audit("referral completed (recipient)")

    # The coordinator sees the outcome.
    sign_in(page, audit, "alice", url)
    expect(page.locator("#outcome")).to_contain_text("Uczeń chodzi na zajęcia.")
    expect(page.locator("#outcome")).to_contain_text("osoba otrzymała pomoc")
    audit("referral completed (sender)")

    # The other OPS: 404.
    sign_in(page, audit, "bob", "/referrals/")
    audit("inbox of the other OPS")
    response = page.goto(url)
    assert response is not None and response.status == 404

    # A second referral relies on the same consent; the consent is withdrawn: suspended, the person gone.
    from kooperacja.referrals import services

    second = services.referral_create(
        actor=cast.alice, case=world.case, recipient=cast.school_a, reason="Zajęcia", categories=["identity"]
    )
    services.referral_send(actor=cast.alice, referral=second)
    assert privacy_policies.can_see_person(cast.tom, person)
    privacy_services.consent_withdraw(actor=cast.alice, consent=world.consent)
    sign_in(page, audit, "tom", f"/referrals/{second.pk}/")
    expect(page.locator("#suspended-notice")).to_have_text("zawieszone: zgoda wycofana")
    expect(page.get_by_text(person.last_name)).to_have_count(0)
    audit("suspended referral (recipient)")
    response = page.goto(f"/people/persons/{person.pk}/")
    assert response is not None and response.status == 404  # the person is gone for the pedagogue
    audit("person page: not found")
    second.refresh_from_db()
    assert second.state == State.SUSPENDED
    assert not privacy_policies.can_see_person(cast.tom, person)
