"""A case conference (a meeting of a case team, ZZK) stays inside its team: not on an invited team's page, not in
the calendar, the API, the exports or the owners' task lists of people outside the case team. It is only for the
team's members who may also see the team's case; its decisions become tasks of the case's individual plan."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kooperacja.cases import services as case_services
from kooperacja.cases.models import Goal, Task
from kooperacja.core.models import AuditEvent
from kooperacja.governance import services
from kooperacja.governance.models import Invitation, Team, TeamKind, TeamRole
from kooperacja.privacy import services as privacy_services

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


# --- a case conference only for people with access to the case ------------------------------------------------------


@pytest.fixture
def linked(cast, case_of_alice):
    """A case team linked to alice's case: alice (its coordinator), tom (school A, in the case's team on the person's
    consent) and olga (an outsider to the case) are its members; one conference with one decision."""
    team = services.team_create(
        actor=cast.alice,
        kind=TeamKind.CASE_TEAM,
        name="ZZK sprawy",
        case=case_of_alice.case,
        creator_institution=cast.ops_a,
    )
    services.member_add(actor=cast.alice, team=team, user=cast.tom, institution=cast.school_a, role=TeamRole.GUEST)
    services.member_add(actor=cast.alice, team=team, user=cast.olga, institution=cast.ngo_z, role=TeamRole.GUEST)
    meeting = services.meeting_create(
        actor=cast.alice,
        team=team,
        title="Konferencja sprawy",
        days=[(DAY, datetime.time(12), datetime.time(13))],
        place="MOPS A",
    )
    decision = services.decision_record(
        actor=cast.alice, meeting=meeting, text="Konsultacje z pedagogiem co tydzień", by_consensus=True
    )
    return team, meeting, decision


def _conference_urls(team, meeting):
    return (
        reverse("governance:meeting_detail", args=[meeting.pk]),
        reverse("governance:team_detail", args=[team.pk]),
        reverse("governance:meeting_ics", args=[meeting.pk]),
        reverse("governance:meeting_minutes_pdf", args=[meeting.pk]),
        f"/api/v1/governance/meetings/{meeting.pk}",
        f"/api/v1/governance/teams/{team.pk}",
    )


def test_a_conference_only_for_members_who_may_see_the_case(cast, case_of_alice, linked, client_for):
    team, meeting, _decision = linked
    services.action_item_create(actor=cast.alice, meeting=meeting, title="Zadanie sprawy", owner_user=cast.tom)
    services.action_item_create(actor=cast.alice, meeting=meeting, title="Zadanie NGO", owner_user=cast.olga)
    for member in (cast.alice, cast.tom):
        for url in _conference_urls(team, meeting):
            assert client_for(member).get(url).status_code == 200, (member, url)
    assert "Zadanie sprawy" in client_for(cast.tom).get(reverse("governance:my_actions")).content.decode()
    # olga is a member of the governance team but may not see the case: 404, and no trace in her lists.
    olga = client_for(cast.olga)
    for url in _conference_urls(team, meeting):
        assert olga.get(url).status_code == 404, url
    for url in (reverse("governance:home"), reverse("governance:my_actions"), "/api/v1/governance/meetings"):
        content = olga.get(url).content.decode()
        assert "Konferencja sprawy" not in content and "Zadanie NGO" not in content and "ZZK sprawy" not in content
    # The person withdraws her consent: the school loses the case, tom loses the conference.
    privacy_services.consent_withdraw(actor=cast.alice, consent=case_of_alice.consent)
    tom = client_for(cast.tom)
    for url in _conference_urls(team, meeting):
        assert tom.get(url).status_code == 404, url
    for url in (
        reverse("governance:home"),
        reverse("governance:my_actions"),
        reverse("governance:calendar") + "?year=2031&month=4",
    ):
        content = tom.get(url).content.decode()
        assert "Konferencja sprawy" not in content and "Zadanie sprawy" not in content, url
    assert client_for(cast.alice).get(_conference_urls(team, meeting)[0]).status_code == 200


def test_a_case_team_without_a_case_is_seen_by_nobody(cast, linked, client_for):
    team, meeting, _decision = linked
    # A case team from before the link (no case): hidden from its own members too.
    Team.objects.filter(pk=team.pk).update(case=None)
    for member in (cast.alice, cast.tom):
        assert client_for(member).get(reverse("governance:meeting_detail", args=[meeting.pk])).status_code == 404


def test_a_case_team_needs_a_case_its_creator_may_write(cast, case_of_alice, client_for):
    with pytest.raises(ValidationError) as error:
        services.team_create(actor=cast.alice, kind=TeamKind.CASE_TEAM, name="ZZK")
    assert "case" in error.value.error_dict
    with pytest.raises(ValidationError):
        services.team_create(actor=cast.alice, kind=TeamKind.MODEL_TEAM, name="Zespół", case=case_of_alice.case)
    # rosa (a regional specialist) may found teams but may not write alice's case.
    with pytest.raises(ValidationError):
        services.team_create(actor=cast.rosa, kind=TeamKind.CASE_TEAM, name="ZZK", case=case_of_alice.case)
    assert not Team.objects.filter(kind=TeamKind.CASE_TEAM).exists()
    # The form offers alice's case by its number only, never the person's name.
    client = client_for(cast.alice)
    form_page = client.get(reverse("governance:team_create")).content.decode()
    assert case_of_alice.case.number in form_page and case_of_alice.case.person.last_name not in form_page
    response = client.post(reverse("governance:team_create"), {"kind": TeamKind.CASE_TEAM, "name": "ZZK"})
    assert response.status_code == 200 and "Wybierz sprawę" in response.content.decode()
    response = client.post(
        reverse("governance:team_create"),
        {"kind": TeamKind.CASE_TEAM, "name": "ZZK sprawy", "case": str(case_of_alice.case.pk)},
    )
    assert response.status_code == 302
    assert Team.objects.get(kind=TeamKind.CASE_TEAM).case_id == case_of_alice.case.pk
    # rosa cannot choose a case she may not write.
    response = client_for(cast.rosa).post(
        reverse("governance:team_create"),
        {"kind": TeamKind.CASE_TEAM, "name": "ZZK 2", "case": str(case_of_alice.case.pk)},
    )
    assert response.status_code in (200, 404) and Team.objects.filter(kind=TeamKind.CASE_TEAM).count() == 1


def test_a_decision_becomes_a_task_of_the_plan(cast, case_of_alice, linked, client_for):
    team, meeting, decision = linked
    plan = case_services.plan_create(actor=cast.alice, case=case_of_alice.case)
    client = client_for(cast.alice)
    url = reverse("governance:decision_plan_task", args=[decision.pk])
    page = client.get(reverse("governance:meeting_detail", args=[meeting.pk])).content.decode()
    assert url in page and "Utwórz zadanie w planie" in page
    form = client.get(url).content.decode()
    assert "Konsultacje z pedagogiem co tydzień" in form and case_of_alice.case.person.last_name not in form
    response = client.post(
        url,
        {
            "title": "Konsultacje z pedagogiem",
            "owner_institution": str(cast.school_a.pk),
            "owner_user": str(cast.tom.pk),
            "due_on": "2031-05-01",
        },
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    task = Task.objects.get(plan=plan)
    assert decision.plan_task_id == task.pk
    assert (task.title, task.owner_institution_id, task.owner_user_id) == (
        "Konsultacje z pedagogiem",
        cast.school_a.pk,
        cast.tom.pk,
    )
    assert task.due_on == datetime.date(2031, 5, 1)
    assert AuditEvent.objects.filter(action="governance.decision_plan_task_create", object_id=str(decision.pk)).exists()
    page = client.get(reverse("governance:meeting_detail", args=[meeting.pk])).content.decode()
    assert reverse("cases:task", args=[task.pk]) in page and url not in page
    # tom finds the school's task in his cases inbox.
    assert "Konsultacje z pedagogiem" in client_for(cast.tom).get(reverse("cases:inbox")).content.decode()
    # A second time: refused, nothing changes.
    response = client_for(cast.alice).post(url, {"title": "Jeszcze raz", "owner_institution": str(cast.school_a.pk)})
    assert response.status_code == 200 and "już zadaniem w planie" in response.content.decode()
    assert Task.objects.filter(plan=plan).count() == 1


def test_readers_and_outsiders_cannot_create_plan_tasks(cast, case_of_alice, linked, client_for):
    _team, meeting, decision = linked
    case_services.plan_create(actor=cast.alice, case=case_of_alice.case)
    url = reverse("governance:decision_plan_task", args=[decision.pk])
    data = {"title": "Zadanie", "owner_institution": str(cast.school_a.pk)}
    tom = client_for(cast.tom)
    assert url not in tom.get(reverse("governance:meeting_detail", args=[meeting.pk])).content.decode()
    assert tom.get(url).status_code == 403 and tom.post(url, data).status_code == 403
    for outsider in (cast.olga, cast.bob, cast.root):
        client = client_for(outsider)
        assert client.get(url).status_code == 404 and client.post(url, data).status_code == 404
    assert client_for(cast.alice).get(reverse("governance:decision_plan_task", args=[999999])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.decision_plan_task_create(
            actor=cast.tom, decision=decision, title="Zadanie", owner_institution=cast.school_a
        )
    assert not Task.objects.exists()
    decision.refresh_from_db()
    assert decision.plan_task_id is None


def test_invalid_plan_task_input_changes_nothing(cast, case_of_alice, linked, client_for):
    _team, _meeting, decision = linked
    url = reverse("governance:decision_plan_task", args=[decision.pk])
    client = client_for(cast.alice)

    def state():
        decision.refresh_from_db()
        return (Task.objects.count(), Goal.objects.count(), decision.plan_task_id)

    before = state()
    # No draft plan yet: the cases' refusal in Polish.
    response = client.post(url, {"title": "Zadanie", "owner_institution": str(cast.school_a.pk)})
    assert response.status_code == 200 and "sporządź projekt planu" in response.content.decode()
    assert state() == before
    case_services.plan_create(actor=cast.alice, case=case_of_alice.case)
    before = state()
    # The NGO is in the governance team, but not in the case's team and no consent names it: refused (the default
    # goal the cases service would add is rolled back too).
    response = client.post(url, {"title": "Zadanie", "owner_institution": str(cast.ngo_z.pk)})
    assert response.status_code == 200 and "nie należy do zespołu" in response.content.decode()
    assert state() == before
    # An institution outside the case team; an empty title; the owner person not at the owner institution.
    for data in (
        {"title": "Zadanie", "owner_institution": str(cast.court.pk)},
        {"title": " ", "owner_institution": str(cast.school_a.pk)},
        {"title": "Zadanie", "owner_institution": str(cast.school_a.pk), "owner_user": str(cast.olga.pk)},
    ):
        response = client.post(url, data)
        assert response.status_code == 200, data
        assert 'aria-invalid="true"' in response.content.decode() or "errorlist" in response.content.decode(), data
        assert state() == before, data


@pytest.mark.parametrize("count", [2, 6])
def test_a_case_conference_page_uses_a_constant_number_of_queries(
    cast, case_of_alice, linked, client_for, django_assert_max_num_queries, count
):
    _team, meeting, decision = linked
    case_services.plan_create(actor=cast.alice, case=case_of_alice.case)
    for index in range(count):
        services.decision_record(actor=cast.alice, meeting=meeting, text=f"Ustalenie {index}", by_consensus=True)
    services.decision_plan_task_create(
        actor=cast.alice, decision=decision, title="Zadanie", owner_institution=cast.school_a
    )
    services.invitations_send(actor=cast.alice, meeting=meeting)
    for member in (cast.alice, cast.tom):
        client = client_for(member)
        with django_assert_max_num_queries(23):  # measured, the same for 2 and 6 decisions
            response = client.get(reverse("governance:meeting_detail", args=[meeting.pk]))
        assert response.status_code == 200
