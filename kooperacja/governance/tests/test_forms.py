"""The remaining write pages: teams, members, sub-groups, conclusions, work plans, meeting status, minutes."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from kooperacja.governance import services
from kooperacja.governance.models import (
    Conclusion,
    MeetingStatus,
    MinutesEntry,
    SubGroup,
    Team,
    TeamMember,
    TeamRole,
    WorkPlan,
    WorkPlanItem,
)

pytestmark = pytest.mark.django_db


def test_every_write_page_opens_for_a_writer(cast, committee, client_for):
    meeting = committee.meeting
    day = meeting.days.first()
    item = services.agenda_item_add(actor=cast.alice, day=day, title="Punkt")
    services.invitations_send(actor=cast.alice, meeting=meeting)
    subgroup = services.subgroup_create(actor=cast.alice, meeting=meeting, topic="Podgrupa")
    plan = services.workplan_create(
        actor=cast.alice,
        team=committee.team,
        title="Plan",
        period_start=datetime.date(2031, 1, 1),
        period_end=datetime.date(2031, 3, 31),
    )
    action = services.action_item_create(actor=cast.alice, meeting=meeting, title="Z", owner_user=cast.tom)
    urls = [
        reverse("governance:team_create"),
        reverse("governance:member_add", args=[committee.team.pk]),
        reverse("governance:meeting_create", args=[committee.team.pk]),
        reverse("governance:workplan_create", args=[committee.team.pk]),
        reverse("governance:workplan_item_add", args=[plan.pk]),
        reverse("governance:meeting_status", args=[meeting.pk]),
        reverse("governance:agenda_item_add", args=[meeting.pk]),
        reverse("governance:attendance", args=[meeting.pk, day.pk]),
        reverse("governance:minutes_edit", args=[item.pk]),
        reverse("governance:decision_create", args=[meeting.pk]),
        reverse("governance:action_item_create", args=[meeting.pk]),
        reverse("governance:action_item_status", args=[action.pk]),
        reverse("governance:conclusion_add", args=[meeting.pk]),
        reverse("governance:subgroup_create", args=[meeting.pk]),
        reverse("governance:subgroup_edit", args=[subgroup.pk]),
        reverse("governance:document_upload", args=[meeting.pk]),
    ]
    client = client_for(cast.alice)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count("<h1") == 1, url


def test_team_creation_members_and_work_plans(cast, client_for):
    client = client_for(cast.rosa)
    response = client.post(
        reverse("governance:team_create"),
        {"kind": "voivodeship_cooperation_team", "name": "Wojewódzki zespół kooperacji", "institution": cast.rops_a.pk},
    )
    assert response.status_code == 302
    team = Team.objects.get(name="Wojewódzki zespół kooperacji")
    assert TeamMember.objects.get(team=team).role == TeamRole.COORDINATOR
    # Tom (a partner professional) cannot found a team; olga may not even see the form.
    assert client_for(cast.tom).get(reverse("governance:team_create")).status_code == 404

    client = client_for(cast.rosa)
    response = client.post(
        reverse("governance:member_add", args=[team.pk]),
        {"full_name": "", "role": "adviser", "started_on": "2031-02-01", "ended_on": "2031-01-01"},
    )
    page = response.content.decode()
    assert "Podaj imię i nazwisko osoby albo wybierz użytkownika." in page
    assert "Data końcowa nie może być wcześniejsza niż początkowa." in page
    assert TeamMember.objects.filter(team=team).count() == 1
    response = client.post(
        reverse("governance:member_add", args=[team.pk]),
        {"user": cast.bob.pk, "role": "adviser", "institution": cast.ops_b.pk},
    )
    assert response.status_code == 302
    assert client_for(cast.bob).get(reverse("governance:team_detail", args=[team.pk])).status_code == 200

    client = client_for(cast.rosa)
    response = client.post(
        reverse("governance:workplan_create", args=[team.pk]),
        {"title": "Plan na II kwartał", "period_start": "2031-06-30", "period_end": "2031-04-01"},
    )
    assert "Okres nie może kończyć się przed początkiem." in response.content.decode()
    response = client.post(
        reverse("governance:workplan_create", args=[team.pk]),
        {"title": "Plan na II kwartał", "period_start": "2031-04-01", "period_end": "2031-06-30"},
    )
    assert response.status_code == 302
    plan = WorkPlan.objects.get(team=team)
    response = client.post(
        reverse("governance:workplan_item_add", args=[plan.pk]),
        {"title": "Szkolenie dla gmin", "owner_user": cast.bob.pk, "status": "in_progress"},
    )
    assert response.status_code == 302
    item = WorkPlanItem.objects.get(plan=plan)
    assert (item.period_start, item.period_end, item.owner_user) == (plan.period_start, plan.period_end, cast.bob)
    assert (
        client_for(cast.bob).post(reverse("governance:workplan_item_add", args=[plan.pk]), {"title": "x"}).status_code
        == 403
    )
    assert (
        client_for(cast.olga).post(reverse("governance:workplan_item_add", args=[plan.pk]), {"title": "x"}).status_code
        == 404
    )


def test_subgroups_conclusions_minutes_and_status(cast, committee, client_for):
    meeting = committee.meeting
    services.invitations_send(actor=cast.alice, meeting=meeting)
    invitations = list(meeting.invitations.order_by("pk"))
    client = client_for(cast.alice)
    response = client.post(
        reverse("governance:subgroup_create", args=[meeting.pk]),
        {
            "topic": "Budżet i oszczędności",
            "facilitator": invitations[0].pk,
            "members": [invitations[0].pk, invitations[1].pk],
            "notes": "Notatki",
            "outputs": "Propozycja przesunięć",
        },
    )
    assert response.status_code == 302
    subgroup = SubGroup.objects.get(meeting=meeting)
    assert subgroup.members.count() == 2
    response = client.post(
        reverse("governance:subgroup_edit", args=[subgroup.pk]),
        {"topic": "Budżet", "members": [invitations[2].pk], "notes": "", "outputs": "Nowe"},
    )
    assert response.status_code == 302
    subgroup.refresh_from_db()
    assert (subgroup.topic, subgroup.facilitator, list(subgroup.members.all())) == ("Budżet", None, [invitations[2]])

    response = client.post(
        reverse("governance:conclusion_add", args=[meeting.pk]), {"text": "Wniosek z podgrupy", "subgroup": subgroup.pk}
    )
    assert response.status_code == 302
    assert Conclusion.objects.get(meeting=meeting).subgroup == subgroup

    item = services.agenda_item_add(actor=cast.alice, day=meeting.days.first(), title="Punkt")
    for text in ("Pierwsza wersja", "Druga wersja"):
        assert client.post(reverse("governance:minutes_edit", args=[item.pk]), {"text": text}).status_code == 302
    assert MinutesEntry.objects.get(agenda_item=item).text == "Druga wersja"

    response = client.post(reverse("governance:meeting_status", args=[meeting.pk]), {"status": "cancelled"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    # A cancelled meeting is not sent out again, and its calendar entries say so.
    response = client.post(reverse("governance:invitations_send", args=[meeting.pk]), follow=True)
    assert "Nie można wysłać zaproszeń na odwołane spotkanie." in response.content.decode()
    assert b"STATUS:CANCELLED" in client.get(reverse("governance:meeting_ics", args=[meeting.pk])).content
