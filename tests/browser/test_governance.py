"""Governance in the browser: the chair prepares a two-day meeting with an agenda, sends the invitations, takes
attendance and records a decision with an action item — with axe-core (WCAG 2.1 A/AA) on every page visited."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kooperacja.core.testing.cast import Cast
from kooperacja.core.testing.factories import PASSWORD
from kooperacja.governance import services
from kooperacja.governance.models import ActionItem, Attendance, Decision, Meeting, Team, TeamKind, TeamRole

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
def team(cast: Cast) -> Team:
    team = services.team_create(
        actor=cast.alice, kind=TeamKind.STEERING_COMMITTEE, name="Komitet Sterujący", institution=cast.ops_a
    )
    services.member_add(
        actor=cast.alice, team=team, user=cast.tom, institution=cast.school_a, role=TeamRole.MODEL_EXPERT
    )
    services.member_add(
        actor=cast.alice, team=team, full_name="Jan Gość", email="jan@example.invalid", role=TeamRole.GUEST
    )
    return team


def label(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}")


def test_prepare_hold_and_record_a_meeting(page: Any, audit: Any, team: Team, cast: Cast) -> None:
    sign_in(page, audit, "alice", "/governance/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zespoły i spotkania")
    audit("governance home")
    page.get_by_role("link", name="Komitet Sterujący").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Komitet Sterujący")
    audit("team page")

    # Before: a meeting with two days, an agenda item, invitations.
    page.get_by_role("link", name="Nowe spotkanie").click()
    audit("new meeting form")
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit("new meeting form with errors")
    page.get_by_label(label("Tytuł")).fill("Posiedzenie makroregionalne")
    page.get_by_label(label("Miejsce")).fill("Rybnik, MOPS")
    page.get_by_label(label("Dzień 1: data")).fill("2031-06-02")
    page.get_by_label(label("Dzień 1: początek")).fill("10:00")
    page.get_by_label(label("Dzień 1: koniec")).fill("16:00")
    page.get_by_label(label("Dzień 2: data")).fill("2031-06-03")
    page.get_by_label(label("Dzień 2: początek")).fill("09:00")
    page.get_by_label(label("Dzień 2: koniec")).fill("13:00")
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Posiedzenie makroregionalne")
    audit("meeting page (new)")
    meeting = Meeting.objects.get(title="Posiedzenie makroregionalne")
    assert meeting.days.count() == 2

    page.get_by_role("link", name="Dodaj punkt porządku obrad").click()
    audit("agenda item form")
    page.get_by_label(label("Tytuł")).fill("Doświadczenia z pilotażu")
    page.get_by_label(label("Prowadzący")).fill("ekspert wiodący")
    page.get_by_label(label("Początek")).fill("10:15")
    page.get_by_label(label("Koniec")).fill("11:30")
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("table", name=re.compile("Porządek obrad z dnia"))).to_contain_text(
        "Doświadczenia z pilotażu"
    )
    audit("meeting page with agenda")

    page.get_by_role("button", name="Wyślij zaproszenia").click()
    invited = page.get_by_role("table", name="Zaproszone osoby")
    expect(invited).to_contain_text("Jan Gość")
    audit("meeting page with invitations")

    # During: attendance on the first day.
    page.get_by_role("link", name=re.compile(r"^Sprawdź obecność: 2 czerwca 2031")).click()
    audit("attendance form")
    page.get_by_label("Jan Gość").select_option("excused")
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("table", name="Lista obecności")).to_contain_text("usprawiedliwiony")
    audit("meeting page with attendance")
    assert Attendance.objects.filter(day__meeting=meeting).count() == 3

    # After: a decision and an action item from it.
    page.get_by_role("link", name="Zapisz decyzję").click()
    audit("decision form")
    page.get_by_label(re.compile(r"^\s*(Decyzja|Rozstrzygnięcie)")).fill("Przyjąć plan promocji modeli.")
    page.get_by_label("Przyjęta w drodze konsensusu").check()
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_text("Decyzja nr 1", exact=True)).to_be_visible()
    audit("meeting page with a decision")
    page.get_by_role("link", name=re.compile(r"^Dodaj zadanie\s*: Decyzja nr 1$")).click()
    audit("action item form")
    page.get_by_label(label("Tytuł")).fill("Przygotować materiały promocyjne")
    page.get_by_label(re.compile(r"^\s*(Odpowiedzialny \(osoba\)|Odpowiedzialna osoba)")).select_option(
        label=str(cast.tom)
    )
    page.get_by_label(label("Termin")).fill("2031-07-15")
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("table", name="Zadania ze spotkania")).to_contain_text("Przygotować materiały promocyjne")
    audit("meeting page with an action item")
    decision = Decision.objects.get(meeting=meeting)
    assert ActionItem.objects.get(meeting=meeting).decision == decision

    # The owner sees it in his list; the calendar shows the meeting.
    sign_in(page, audit, "tom", "/governance/my-actions/")
    expect(page.get_by_role("table", name="Moje zadania")).to_contain_text("Przygotować materiały promocyjne")
    audit("my action items (owner)")
    page.goto("/governance/calendar/?year=2031&month=6")
    expect(page.get_by_role("table", name=re.compile("Spotkania w miesiącu"))).to_contain_text(
        "Posiedzenie makroregionalne"
    )
    audit("calendar")


def test_work_plan_from_a_meeting_with_progress_and_pdfs(page: Any, audit: Any, team: Team, cast: Cast) -> None:
    import datetime

    meeting = services.meeting_create(
        actor=cast.alice,
        team=team,
        title="Spotkanie makroregionalne",
        days=[(datetime.date(2031, 3, 10), datetime.time(10), datetime.time(15))],
        place="Rybnik",
    )
    services.agenda_item_add(actor=cast.alice, day=meeting.days.get(), title="Wnioski z podgrup")
    services.conclusion_add(actor=cast.alice, meeting=meeting, text="Promować model w powiatach")
    decision = services.decision_record(actor=cast.alice, meeting=meeting, text="Raport kwartalny", by_consensus=True)
    services.action_item_create(
        actor=cast.alice, meeting=meeting, title="Raport z pilotażu", owner_user=cast.tom, decision=decision
    )
    sign_in(page, audit, "alice", f"/governance/meetings/{meeting.pk}/")
    expect(page.get_by_role("link", name="Protokół (PDF)")).to_be_visible()
    expect(page.get_by_role("link", name="Lista obecności (PDF)")).to_be_visible()
    audit("meeting page with the PDF links")
    response = page.request.get(f"/governance/meetings/{meeting.pk}/minutes.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    page.get_by_role("button", name="Przygotuj projekt planu pracy na następny kwartał").click()
    plan_table = page.get_by_role("table", name=re.compile("Pozycje planu"))
    expect(plan_table).to_contain_text("Promować model w powiatach")
    expect(plan_table).to_contain_text("Raport z pilotażu")
    expect(page.get_by_text("wykonano 0 z 2 pozycji (0%)")).to_be_visible()
    audit("team page with a drafted work plan")

    page.get_by_role("link", name=re.compile(r"^zmień\s*: Raport z pilotażu$")).click()
    audit("work plan item status form")
    page.get_by_label(label("Status")).select_option("done")
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_text("wykonano 1 z 2 pozycji (50%)")).to_be_visible()
    audit("team page with progress")

    page.get_by_role("link", name=re.compile(r"^Dodaj pozycję")).first.click()
    audit("work plan item form with its sources")
    page.get_by_label(label("Tytuł")).fill("Konferencja regionalna")
    page.get_by_label(re.compile("Raport kwartalny")).check()
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("table", name=re.compile("Pozycje planu"))).to_contain_text("Konferencja regionalna")
    expect(page.get_by_text("wykonano 1 z 3 pozycji (33%)")).to_be_visible()
    audit("team page with a plan item added by hand")


def test_invitees_reply_on_the_page_and_through_the_e_mail_link(page: Any, audit: Any, team: Team, cast: Cast) -> None:
    import datetime

    from kooperacja.governance import policies
    from kooperacja.governance.models import Invitation

    meeting = services.meeting_create(
        actor=cast.alice,
        team=team,
        title="Posiedzenie Komitetu",
        days=[(datetime.date(2031, 9, 2), datetime.time(10), datetime.time(14))],
        place="Katowice",
    )
    services.invitations_send(actor=cast.alice, meeting=meeting)

    # A member with an account answers on the meeting's page.
    sign_in(page, audit, "tom", f"/governance/meetings/{meeting.pk}/")
    page.get_by_label("może").check()
    page.get_by_role("button", name="Zapisz odpowiedź").click()
    expect(page.get_by_role("table", name="Zaproszone osoby")).to_contain_text("może")
    audit("meeting page with my reply")
    assert Invitation.objects.get(meeting=meeting, user=cast.tom).reply == "maybe"

    # A guest without an account answers through the link of the invitation e-mail, signed out.
    page.context.clear_cookies()
    guest = Invitation.objects.get(meeting=meeting, user__isnull=True)
    page.goto(f"/governance/reply/{policies.invitation_reply_token(guest)}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Odpowiedź na zaproszenie")
    audit("reply link page")
    page.get_by_label("będę", exact=True).check()
    page.get_by_role("button", name="Zapisz odpowiedź").click()
    expect(page.get_by_text("Dziękujemy, odpowiedź została zapisana.")).to_be_visible()
    audit("reply link page after the reply")
    guest.refresh_from_db()
    assert guest.reply == "attending"
