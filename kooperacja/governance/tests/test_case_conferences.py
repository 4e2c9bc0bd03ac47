"""A case conference (a meeting of a case team, ZZK) stays inside its team: not on an invited team's page, not in
the calendar, the API, the exports or the owners' task lists of people outside the case team. It is only for the
team's members who may also see the team's case; its decisions become tasks of the case's individual plan."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from kooperacja.governance import services
from kooperacja.governance.models import Invitation, TeamKind, TeamRole

pytestmark = pytest.mark.django_db
DAY = datetime.date(2031, 4, 1)


@pytest.fixture
def conference(cast, committee, case_of_alice):
    case_team = services.team_create(
        actor=cast.alice, kind=TeamKind.CASE_TEAM, name="ZZK rodziny K.", case=case_of_alice.case
    )
    services.member_add(
        actor=cast.alice, team=case_team, user=cast.paula, institution=cast.court, role=TeamRole.LEGAL_CONSULTANT
    )
    services.member_add(actor=cast.alice, team=case_team, user=cast.tom, institution=cast.school_a, role=TeamRole.GUEST)
    meeting = services.meeting_create(
        actor=cast.alice,
        team=case_team,
        title="Konferencja ZZK rodziny K.",
        days=[(DAY, datetime.time(12), datetime.time(13))],
        place="MOPS A",
        invited_teams=[committee.invited_team],
    )
    return meeting


def test_professionals_of_different_institutions_meet_and_record_a_decision(cast, conference, client_for):
    services.invitations_send(actor=cast.alice, meeting=conference)
    # Only the case team is invited (not the members of the invited team).
    assert set(Invitation.objects.filter(meeting=conference).values_list("user__username", flat=True)) == {
        "alice",
        "paula",
        "tom",
    }
    decision = services.decision_record(
        actor=cast.alice, meeting=conference, text="Skierować rodzinę na warsztaty", by_consensus=True
    )
    services.action_item_create(
        actor=cast.alice, meeting=conference, title="Zgłosić rodzinę", owner_institution=cast.court, decision=decision
    )
    for member in (cast.alice, cast.paula, cast.tom):
        page = client_for(member).get(reverse("governance:meeting_detail", args=[conference.pk])).content.decode()
        assert "Skierować rodzinę na warsztaty" in page
    # The court's item reaches paula (a member); the same rule hides it from staff of the court outside the team.
    assert "Zgłosić rodzinę" in client_for(cast.paula).get(reverse("governance:my_actions")).content.decode()
    # A member who is only a reader cannot write.
    assert (
        client_for(cast.tom)
        .post(reverse("governance:decision_create", args=[conference.pk]), {"text": "x", "by_consensus": "on"})
        .status_code
        == 403
    )


def test_outside_the_case_team_nothing_shows(cast, committee, conference, client_for):
    services.invitations_send(actor=cast.alice, meeting=conference)
    item = services.action_item_create(
        actor=cast.alice, meeting=conference, title="Zadanie ZZK", owner_institution=cast.rops_a
    )
    # rosa: a member of the invited team and staff of the owner institution; root: a system administrator.
    for outsider in (cast.rosa, cast.root, cast.bob):
        client = client_for(outsider)
        for url in (
            reverse("governance:meeting_detail", args=[conference.pk]),
            reverse("governance:meeting_ics", args=[conference.pk]),
            reverse("governance:meeting_minutes_pdf", args=[conference.pk]),
            reverse("governance:meeting_attendance_pdf", args=[conference.pk]),
            reverse("governance:action_items_export", args=[conference.pk, "csv"]),
            reverse("governance:team_detail", args=[conference.team_id]),
            reverse("governance:action_item_status", args=[item.pk]),
            f"/api/v1/governance/meetings/{conference.pk}",
        ):
            assert client.get(url).status_code == 404, (outsider, url)
        for url in (
            reverse("governance:home"),
            reverse("governance:my_actions"),
            reverse("governance:calendar") + "?year=2031&month=4",
            "/api/v1/governance/meetings",
            "/api/v1/governance/action-items/mine",
        ):
            content = client.get(url).content.decode()
            assert "Konferencja ZZK" not in content and "Zadanie ZZK" not in content, (outsider, url)
    # The invited team's own page does not list the conference either.
    page = client_for(cast.rosa).get(reverse("governance:team_detail", args=[committee.invited_team.pk]))
    assert page.status_code == 200 and "Konferencja ZZK" not in page.content.decode()
