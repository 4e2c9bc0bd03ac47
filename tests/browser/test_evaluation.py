"""Evaluation in the browser: a partner answers a questionnaire, the ROPS sees the aggregated result; findings,
recommendations and good practices — with axe-core (WCAG 2.1 A/AA) on every page visited."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kooperacja.core.testing.cast import Cast
from kooperacja.core.testing.factories import PASSWORD
from kooperacja.monitoring import services_evaluation as services
from kooperacja.monitoring.models.pilots import ModelVariant
from kooperacja.monitoring.tests.test_evaluation_support import Survey, answer, build_survey, respondent_at

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


@pytest.fixture
def survey(cast: Cast) -> Survey:
    """The questionnaire for pilot A, already answered by four people there (scale 2, 3, 4, 5)."""
    survey = build_survey(cast, pilot="a")
    for value in (2, 3, 4, 5):
        answer(survey, respondent_at(cast.gmina_a), scale=value, single="tak", multiple=["coaching"])
    return survey


def test_a_partner_answers_and_the_rops_sees_the_aggregate(page: Any, audit: Any, survey: Survey, cast: Cast) -> None:
    sign_in(page, audit, "tom", "/monitoring/questionnaires/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ankiety")
    audit("questionnaire list (respondent)")
    page.get_by_role("link", name=survey.questionnaire.title, exact=True).click()
    audit("questionnaire (respondent)")
    page.get_by_role("link", name="Wypełnij ankietę").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(survey.questionnaire.title)
    audit("answer form")

    # Sending without answers: errors tied to the questions, nothing recorded.
    page.get_by_role("button", name="Wyślij odpowiedzi").click()
    expect(page.get_by_role("alert")).to_contain_text("Popraw poniższe błędy")
    audit("answer form with errors")

    scale_group = page.get_by_role("group", name=re.compile(r"^1\. Współpraca"))
    scale_group.get_by_label("5 — zdecydowanie tak").check()
    page.get_by_role("group", name=re.compile(r"^2\. Czy polecił")).get_by_label("tak").check()
    multiple = page.get_by_role("group", name=re.compile(r"^3\. Które formy"))
    multiple.get_by_label("szkolenia").check()
    multiple.get_by_label("superwizja").check()
    page.get_by_label(re.compile(r"^4\. Uwagi")).fill("Więcej wspólnych spotkań.")
    page.get_by_role("button", name="Wyślij odpowiedzi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dziękujemy")
    audit("thank-you page")

    sign_in(page, audit, "rosa", f"/monitoring/questionnaires/{survey.questionnaire.pk}/")
    audit("questionnaire (evaluator)")
    page.get_by_role("link", name="Wyniki").click()
    audit("results per pilot")
    respondents = page.get_by_role("table", name="Respondenci w grupach")
    expect(respondents.get_by_role("row", name=re.compile(cast.gmina_a.name))).to_contain_text("5")
    scale_table = page.get_by_role("table", name=re.compile(r"^1\. Współpraca"))
    # (2 + 3 + 4 + 5 + 5) / 5 = 3.8
    expect(scale_table.get_by_role("row", name=re.compile(cast.gmina_a.name))).to_contain_text("3,80")
    expect(page.get_by_text("Więcej wspólnych spotkań.")).to_have_count(0)
    page.get_by_label("Grupuj według").select_option("gmina_kind")
    page.get_by_role("button", name="Pokaż").click()
    expect(respondents.get_by_role("row", name=re.compile("gmina miejska"))).to_contain_text("5")
    audit("results per gmina kind")


def test_findings_and_good_practices_pages(page: Any, audit: Any, cast: Cast) -> None:
    recommendation = services.recommendation_create(
        actor=cast.rosa,
        kind="recommendation",
        title="Wspólna superwizja animatorów",
        text="Wnioski z gmin wiejskich.",
        gmina_kinds=["rural"],
        model_variants=[ModelVariant.RURAL_LEADERS],
    )
    services.practice_create(
        actor=cast.rosa,
        title="Dyżur pedagoga w ośrodku",
        problem="Rodziny nie docierały do poradni.",
        solution="Dyżur pedagoga w MOPS.",
        sectors=["education"],
        gmina=cast.gmina_a,
        institutions=[cast.school_a],
    )
    sign_in(page, audit, "rosa", "/monitoring/recommendations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wnioski i rekomendacje")
    audit("recommendation list")
    page.get_by_role("link", name=recommendation.title).click()
    audit("recommendation detail")
    page.get_by_role("link", name="Zmień status").click()
    audit("status form")
    page.get_by_label("Nowy status").select_option("rejected")
    page.get_by_role("button", name="Zmień status").click()
    expect(page.get_by_role("alert")).to_contain_text("Podaj powód odrzucenia")
    audit("status form with an error")
    page.get_by_label("Nowy status").select_option("accepted")
    page.get_by_label(re.compile(r"^\s*(Uwagi|Notatka)\s*$")).fill("Posiedzenie KS nr 3")
    page.get_by_role("button", name="Zmień status").click()
    expect(page.get_by_role("table", name="Zmiany statusu")).to_contain_text("Posiedzenie KS nr 3")
    audit("recommendation detail after the change")
    page.goto("/monitoring/recommendations/new/")
    audit("recommendation form")

    page.goto("/monitoring/practices/")
    audit("good practices")
    page.get_by_role("search").get_by_label("Szukaj").fill("OSRODKU")
    page.get_by_role("search").get_by_role("button", name="Filtruj").click()
    expect(page.get_by_role("status")).to_contain_text("Znaleziono 1 dobrą praktykę")
    audit("good practices found")
    page.get_by_role("link", name="Dyżur pedagoga w ośrodku").click()
    audit("good practice")
    page.goto("/monitoring/practices/new/")
    audit("good practice form")
    page.goto("/monitoring/questionnaires/new/")
    audit("questionnaire form")
