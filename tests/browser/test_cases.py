"""Cases in the browser: the coordinator opens a case, qualifies it, adds the school to the case team on the person's
consent, builds a plan with a task for the school and adopts it; the pedagogue finds the task in his inbox and reports
progress — with axe-core (WCAG 2.1 A/AA) on every page visited."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kooperacja.cases.models import Case, Task, TaskProgress
from kooperacja.cases.tests import factories
from kooperacja.core.testing.cast import Cast
from kooperacja.core.testing.factories import PASSWORD

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


def label(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}(\s|$)")


def test_coordinator_builds_a_plan_and_the_pedagogue_reports_progress(page: Any, audit: Any, cast: Cast) -> None:
    factories.legal_bases()
    person = factories.person(recorded_by=cast.ops_a, gmina=cast.gmina_a, first_name="Jan", last_name="Kowalczyk")
    factories.consent(
        person=person,
        recorded_by=cast.ops_a,
        recipients=[cast.school_a],
        categories=["identity", "contact", "education"],
        recorded_orally_by=cast.alice,
    )

    sign_in(page, audit, "alice", "/cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Moje sprawy")
    audit("caseload (empty)")
    page.get_by_role("link", name="Nowa sprawa").click()
    audit("new case form")
    page.get_by_role("button", name="Załóż sprawę").click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit("new case form with errors")
    page.get_by_label(label("Osoba")).select_option(str(person.pk))
    page.get_by_label(label("Sprawa rozpoczyna się od")).select_option("application")
    page.get_by_label(label("Kanał")).select_option("in_person")
    page.get_by_label(label("Data wniosku")).fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Załóż sprawę").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Sprawa MOPS-A/\d{4}/0001$"))
    audit("case page (intake)")
    case = Case.objects.get()

    page.get_by_role("link", name="Kwalifikacja").click()
    audit("qualification form")
    page.get_by_label("zakwalifikowano").check()
    page.get_by_role("button", name="Zapisz").click()
    expect(page.locator("dl.details")).to_contain_text("wspólna diagnoza")
    audit("case page (qualified)")

    page.get_by_role("link", name="Zadaniowy zespół kooperacyjny").first.click()
    audit("case team page")
    page.get_by_label("Instytucja", exact=True).first.select_option(str(cast.school_a.pk))
    page.get_by_role("button", name="Sprawdź, co można udostępnić").click()
    table = page.get_by_role("table", name=re.compile("Co można udostępnić"))
    expect(table).to_contain_text("zgody osoby")
    audit("case team page with the basis table")
    form = page.locator("form.stacked")
    form.get_by_label(label("Osoba w instytucji")).select_option(str(cast.tom.pk))
    form.get_by_label(label("Rola w zespole")).select_option("pedagogue")
    form.locator("input[name=categories][value=identity]").check()
    form.locator("input[name=categories][value=education]").check()
    form.get_by_role("button", name="Dodaj do zespołu").click()
    expect(page.get_by_role("table", name="Instytucje członkowskie i udostępniane im dane")).to_contain_text(
        cast.school_a.name
    )
    audit("case page with the team")

    page.get_by_role("link", name="Edycja planu").click()
    audit("plan editor (no plan)")
    page.get_by_role("button", name="Sporządź plan").click()
    audit("plan editor (draft)")
    page.get_by_label(label("Cel")).fill("Regularne uczęszczanie do szkoły")
    page.get_by_role("button", name="Dodaj cel").click()
    audit("plan editor with a goal")
    task_form = page.locator("form").filter(has=page.get_by_role("button", name="Dodaj zadanie"))
    task_form.get_by_label(label("Zadanie")).fill("Cotygodniowe konsultacje z pedagogiem")
    task_form.get_by_label(label("Instytucja prowadząca")).select_option(str(cast.school_a.pk))
    task_form.get_by_label(label("Odpowiedzialna osoba")).select_option(str(cast.tom.pk))
    task_form.get_by_label(label("Termin")).fill(timezone.localdate().isoformat())
    task_form.get_by_role("button", name="Dodaj zadanie").click()
    expect(page.get_by_role("table", name="Zadania")).to_contain_text("Cotygodniowe konsultacje z pedagogiem")
    audit("plan editor with a task")
    page.get_by_role("button", name="Przyjmij plan").click()
    expect(page.get_by_role("status")).to_contain_text("Plan przyjęto")
    audit("case page with the plan in force")
    task = Task.objects.get(plan__case=case)

    sign_in(page, audit, "tom", "/cases/tasks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zadania mojej instytucji")
    audit("inbox of the pedagogue")
    page.get_by_role("link", name="Cotygodniowe konsultacje z pedagogiem").click()
    expect(page.locator("main")).to_contain_text("Jan Kowalczyk")
    audit("task page")
    page.get_by_label(re.compile(r"^\s*(Stan|Status)(\s|$)")).select_option("in_progress")
    page.get_by_label(label("Postęp")).fill("Pierwsza konsultacja odbyła się; uczeń chodzi na zajęcia.")
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("status")).to_contain_text("Zapisano zgłoszenie postępu")
    audit("task page after the report")
    task.refresh_from_db()
    assert task.status == "in_progress"
    assert TaskProgress.objects.get(task=task).author == cast.tom
    # The pedagogue sees the case only as a partner: no notes, no timeline.
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_role("heading", name="Historia sprawy")).to_have_count(0)
    audit("case page as a partner")
