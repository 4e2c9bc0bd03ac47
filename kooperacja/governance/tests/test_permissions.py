"""Who sees a team's internal things (members only, 404 for the rest) and who writes them (403 for readers)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from kooperacja.governance import services
from kooperacja.governance.models import Decision, TeamKind, TeamMember, TeamRole

pytestmark = pytest.mark.django_db


def _internal_urls(meeting, agenda_item) -> list[str]:
    return [
        reverse("governance:team_detail", args=[meeting.team_id]),
        reverse("governance:meeting_detail", args=[meeting.pk]),
        reverse("governance:meeting_ics", args=[meeting.pk]),
        reverse("governance:action_items_export", args=[meeting.pk, "csv"]),
        reverse("governance:action_items_export", args=[meeting.pk, "xlsx"]),
        reverse("governance:meeting_minutes_pdf", args=[meeting.pk]),
        reverse("governance:meeting_attendance_pdf", args=[meeting.pk]),
        f"/api/v1/governance/meetings/{meeting.pk}",
        f"/api/v1/governance/teams/{meeting.team_id}/work-plans",
    ]


def test_anonymous_is_sent_to_sign_in(client, committee):
    response = client.get(reverse("governance:meeting_detail", args=[committee.meeting.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_minutes_are_shown_to_members_only(cast, committee, client_for):
    day = committee.meeting.days.first()
    item = services.agenda_item_add(actor=cast.alice, day=day, title="Doświadczenia pilotażu")
    services.minutes_record(actor=cast.alice, agenda_item=item, text="Tajne ustalenia zespołu")
    # Members of the team and of the invited team (the meeting's participants) read the minutes.
    for reader in (cast.alice, cast.tom, cast.rosa):
        response = client_for(reader).get(reverse("governance:meeting_detail", args=[committee.meeting.pk]))
        assert response.status_code == 200, reader
        assert "Tajne ustalenia zespołu" in response.content.decode()
    # Outsiders do not learn that the meeting exists: a system administrator (root) is no member either.
    for outsider in (cast.bob, cast.olga, cast.dora, cast.root):
        client = client_for(outsider)
        for url in _internal_urls(committee.meeting, item):
            assert client.get(url).status_code == 404, (outsider, url)


def test_a_member_who_left_the_team_no_longer_sees_it(cast, committee, client_for):
    TeamMember.objects.filter(team=committee.team, user=cast.tom).update(
        started_on=datetime.date(2020, 1, 1), ended_on=datetime.date(2021, 1, 1)
    )
    response = client_for(cast.tom).get(reverse("governance:meeting_detail", args=[committee.meeting.pk]))
    assert response.status_code == 404


def test_reader_cannot_write(cast, committee, client_for):
    meeting = committee.meeting
    day = meeting.days.first()
    item = services.agenda_item_add(actor=cast.alice, day=day, title="Punkt")
    client = client_for(cast.tom)
    writes = [
        (reverse("governance:decision_create", args=[meeting.pk]), {"text": "x", "by_consensus": "on"}),
        (reverse("governance:agenda_item_add", args=[meeting.pk]), {"day": day.pk, "title": "x"}),
        (reverse("governance:attendance", args=[meeting.pk, day.pk]), {}),
        (reverse("governance:minutes_edit", args=[item.pk]), {"text": "x"}),
        (reverse("governance:action_item_create", args=[meeting.pk]), {"title": "x", "owner_user": cast.tom.pk}),
        (reverse("governance:conclusion_add", args=[meeting.pk]), {"text": "x"}),
        (reverse("governance:invitations_send", args=[meeting.pk]), {}),
        (reverse("governance:document_upload", args=[meeting.pk]), {"title": "x"}),
        (reverse("governance:workplan_draft", args=[meeting.pk]), {}),
        (reverse("governance:member_add", args=[committee.team.pk]), {"full_name": "x", "role": "guest"}),
        (reverse("governance:meeting_create", args=[committee.team.pk]), {"title": "x"}),
    ]
    for url, data in writes:
        assert client.post(url, data).status_code == 403, url
    assert not Decision.objects.exists()
    # The reader sees the meeting, without the writers' links.
    page = client.get(reverse("governance:meeting_detail", args=[meeting.pk])).content.decode()
    assert reverse("governance:decision_create", args=[meeting.pk]) not in page


def test_outsider_gets_404_on_writes(cast, committee, client_for):
    client = client_for(cast.olga)
    meeting = committee.meeting
    assert (
        client.post(
            reverse("governance:decision_create", args=[meeting.pk]), {"text": "x", "by_consensus": "on"}
        ).status_code
        == 404
    )
    assert client.post(reverse("governance:invitations_send", args=[meeting.pk])).status_code == 404
    assert not Decision.objects.exists()


def test_meeting_organiser_writes_even_without_a_writer_role(cast, committee, client_for):
    TeamMember.objects.filter(team=committee.team, user=cast.tom).update(role=TeamRole.SECRETARY)
    meeting = services.meeting_create(
        actor=cast.tom,
        team=committee.team,
        title="Spotkanie Toma",
        days=[(datetime.date(2031, 5, 5), datetime.time(9), datetime.time(10))],
        online_url="https://meet.example.invalid/abc",
    )
    TeamMember.objects.filter(team=committee.team, user=cast.tom).update(role=TeamRole.MODEL_EXPERT)
    response = client_for(cast.tom).post(
        reverse("governance:decision_create", args=[meeting.pk]), {"text": "Ustalenie", "by_consensus": "on"}
    )
    assert response.status_code == 302
    assert Decision.objects.filter(meeting=meeting).count() == 1


def test_case_conference_is_only_for_its_team(cast, committee, case_of_alice, client_for):
    case_team = services.team_create(
        actor=cast.alice, kind=TeamKind.CASE_TEAM, name="ZZK rodziny", case=case_of_alice.case
    )
    services.member_add(actor=cast.alice, team=case_team, user=cast.paula, role=TeamRole.GUEST)
    conference = services.meeting_create(
        actor=cast.alice,
        team=case_team,
        title="Konferencja ZZK",
        days=[(datetime.date(2031, 4, 1), datetime.time(12), datetime.time(13))],
        place="MOPS A",
        invited_teams=[committee.invited_team],
    )
    url = reverse("governance:meeting_detail", args=[conference.pk])
    assert client_for(cast.alice).get(url).status_code == 200
    assert client_for(cast.paula).get(url).status_code == 200
    # Members of an invited team and system administrators are not in the case team: 404.
    assert client_for(cast.rosa).get(url).status_code == 404
    assert client_for(cast.root).get(url).status_code == 404
    assert client_for(cast.root).get(reverse("governance:team_detail", args=[case_team.pk])).status_code == 404


def test_pages_speak_polish(cast, committee, client_for):
    client = client_for(cast.alice)
    page = client.get(reverse("governance:meeting_detail", args=[committee.meeting.pk])).content.decode()
    for phrase in ("Porządek obrad", "Lista obecności", "Przed spotkaniem", "Zapisz decyzję", "zaplanowane"):
        assert phrase in page
    home = client.get(reverse("governance:home")).content.decode()
    assert "Moje zespoły" in home and "komitet sterujący" in home


def test_a_writer_ends_a_membership_and_changes_a_role(cast, committee, client_for):
    from django.utils import timezone

    today = timezone.localdate()
    tom = TeamMember.objects.get(team=committee.team, user=cast.tom)
    url = reverse("governance:member_edit", args=[tom.pk])
    client = client_for(cast.alice)
    page = client.get(url).content.decode()
    assert "Członek zespołu" in page and 'name="full_name"' not in page  # a user's name comes from the account
    # Secretary from now on: tom writes.
    response = client.post(url, {"role": "secretary", "institution": str(cast.school_a.pk), "started_on": "2020-01-01"})
    assert response.status_code == 302
    assert client_for(cast.tom).get(reverse("governance:meeting_create", args=[committee.team.pk])).status_code == 200
    # Ended yesterday: tom no longer sees the team (404), and the team page shows only current members.
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    response = client_for(cast.alice).post(
        url, {"role": "model_expert", "started_on": "2020-01-01", "ended_on": yesterday}
    )
    assert response.status_code == 302
    tom.refresh_from_db()
    assert tom.ended_on == today - datetime.timedelta(days=1)
    assert client_for(cast.tom).get(reverse("governance:team_detail", args=[committee.team.pk])).status_code == 404
    assert (
        client_for(cast.tom).get(reverse("governance:meeting_detail", args=[committee.meeting.pk])).status_code == 404
    )
    # A person without an account: name and e-mail are editable.
    guest_url = reverse("governance:member_edit", args=[committee.guest.pk])
    client = client_for(cast.alice)
    assert (
        client.post(
            guest_url, {"full_name": "Jan Gość-Nowy", "email": "jan@example.invalid", "role": "adviser"}
        ).status_code
        == 302
    )
    committee.guest.refresh_from_db()
    assert (committee.guest.full_name, committee.guest.role) == ("Jan Gość-Nowy", "adviser")
    # The team is never left without a current writer with an account: alice cannot end her own chair.
    alice = TeamMember.objects.get(team=committee.team, user=cast.alice)
    response = client.post(
        reverse("governance:member_edit", args=[alice.pk]),
        {"role": "chair", "ended_on": yesterday, "started_on": "2020-01-01"},
    )
    assert response.status_code == 200 and "co najmniej jednego obecnego" in response.content.decode()
    alice.refresh_from_db()
    assert alice.ended_on is None and alice.role == "chair"
    # Dates in the wrong order: refused.
    response = client.post(url, {"role": "guest", "started_on": "2030-01-01", "ended_on": "2029-01-01"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
