"""Work plans: items linked to the decisions and action items that created them, their status, and the progress view
on the team page."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kooperacja.governance import services
from kooperacja.governance.models import PlanItemStatus, TeamKind, WorkPlanItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(cast, committee):
    return services.workplan_create(
        actor=cast.alice,
        team=committee.team,
        title="Plan pracy na II kwartał",
        period_start=datetime.date(2031, 4, 1),
        period_end=datetime.date(2031, 6, 30),
    )


def test_an_item_added_by_hand_links_its_decisions_and_action_items(cast, committee, plan, client_for):
    meeting = committee.meeting
    decision = services.decision_record(actor=cast.alice, meeting=meeting, text="Raport kwartalny", by_consensus=True)
    action = services.action_item_create(
        actor=cast.alice, meeting=meeting, title="Zebrać dane", owner_user=cast.tom, decision=decision
    )
    client = client_for(cast.alice)
    url = reverse("governance:workplan_item_add", args=[plan.pk])
    form_page = client.get(url).content.decode()
    assert "Decyzje, z których wynika" in form_page and "Zebrać dane" in form_page
    response = client.post(
        url,
        {
            "title": "Raport z pilotażu",
            "owner_user": cast.tom.pk,
            "status": PlanItemStatus.PLANNED,
            "decisions": [decision.pk],
            "action_items": [action.pk],
        },
    )
    assert response.status_code == 302
    item = WorkPlanItem.objects.get(title="Raport z pilotażu")
    assert list(item.decisions.all()) == [decision] and list(item.action_items.all()) == [action]
    page = client.get(reverse("governance:team_detail", args=[committee.team.pk])).content.decode()
    assert "decyzja 1" in page and "Zebrać dane" in page


def test_an_item_cannot_cite_another_teams_meeting(cast, committee, plan):
    other_team = services.team_create(actor=cast.alice, kind=TeamKind.MODEL_TEAM, name="Inny zespół")
    other = services.meeting_create(
        actor=cast.alice,
        team=other_team,
        title="Cudze spotkanie",
        days=[(datetime.date(2031, 2, 1), datetime.time(9), datetime.time(10))],
        place="X",
    )
    decision = services.decision_record(actor=cast.alice, meeting=other, text="Cudza", by_consensus=True)
    with pytest.raises(ValidationError):
        services.workplan_item_add(actor=cast.alice, plan=plan, title="Z cudzej decyzji", decisions=[decision])
    assert not WorkPlanItem.objects.exists()


def test_status_changes_and_progress(cast, committee, plan, client_for):
    items = [
        services.workplan_item_add(actor=cast.alice, plan=plan, title=f"Pozycja {index}", owner_user=cast.alice)
        for index in range(4)
    ]
    client = client_for(cast.alice)
    url = reverse("governance:workplan_item_status", args=[items[0].pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"status": PlanItemStatus.DONE}).status_code == 302
    services.workplan_item_update_status(actor=cast.alice, item=items[1], status=PlanItemStatus.DROPPED)
    services.workplan_item_update_status(actor=cast.alice, item=items[2], status=PlanItemStatus.IN_PROGRESS)
    items[0].refresh_from_db()
    assert items[0].status == PlanItemStatus.DONE
    page = client.get(reverse("governance:team_detail", args=[committee.team.pk])).content.decode()
    # 1 done of the 3 that count (the dropped one does not): 33%.
    assert "Postęp" in page and "wykonano 1 z 3 pozycji (33%)" in page
    assert 'value="33"' in page
    assert url in page  # writers get the link to change the status

    # A reader gets 403 and no link; an outsider 404.
    assert client_for(cast.tom).post(url, {"status": PlanItemStatus.PLANNED}).status_code == 403
    assert (
        url
        not in client_for(cast.tom).get(reverse("governance:team_detail", args=[committee.team.pk])).content.decode()
    )
    assert client_for(cast.olga).get(url).status_code == 404
    items[0].refresh_from_db()
    assert items[0].status == PlanItemStatus.DONE
