"""The JSON API follows the same rules as the pages."""

from __future__ import annotations

import datetime
import json

import pytest

from kooperacja.governance import services
from kooperacja.governance.models import ActionItem, ActionStatus

pytestmark = pytest.mark.django_db
BASE = "/api/v1/governance"


def test_anonymous_gets_401(client, committee):
    assert client.get(f"{BASE}/teams").status_code == 401


def test_members_list_and_read_teams_and_meetings(cast, committee, client_for):
    client = client_for(cast.tom)
    teams = client.get(f"{BASE}/teams").json()
    assert [team["name"] for team in teams["items"]] == ["Komitet Sterujący"]
    assert teams["count"] == 1 and teams["page"] == 1
    detail = client.get(f"{BASE}/teams/{committee.team.pk}").json()
    assert {member["name"] for member in detail["members"]} >= {"Jan Gość"}
    meetings = client.get(f"{BASE}/meetings").json()
    assert [meeting["title"] for meeting in meetings["items"]] == ["Posiedzenie Komitetu Sterującego"]
    assert len(meetings["items"][0]["days"]) == 2
    day = committee.meeting.days.first()
    item = services.agenda_item_add(actor=cast.alice, day=day, title="Ewaluacja")
    services.minutes_record(actor=cast.alice, agenda_item=item, text="Protokół punktu")
    services.decision_record(actor=cast.alice, meeting=committee.meeting, text="Uchwała", by_consensus=True)
    meeting = client.get(f"{BASE}/meetings/{committee.meeting.pk}").json()
    assert meeting["agenda"][0]["minutes"] == "Protokół punktu"
    assert meeting["decisions"][0]["number"] == 1
    # A member of an invited team sees the meeting, not the inviting team.
    rosa = client_for(cast.rosa)
    assert rosa.get(f"{BASE}/meetings/{committee.meeting.pk}").status_code == 200
    assert rosa.get(f"{BASE}/teams/{committee.team.pk}").status_code == 404


def test_outsiders_get_404(cast, committee, client_for):
    item = services.action_item_create(
        actor=cast.alice, meeting=committee.meeting, title="Zadanie", owner_user=cast.tom
    )
    client = client_for(cast.olga)
    assert client.get(f"{BASE}/teams/{committee.team.pk}").status_code == 404
    assert client.get(f"{BASE}/meetings/{committee.meeting.pk}").status_code == 404
    assert client.get(f"{BASE}/meetings").json()["count"] == 0
    assert client.get(f"{BASE}/teams").json()["count"] == 0
    response = client.post(
        f"{BASE}/action-items/{item.pk}/status", json.dumps({"status": "done"}), content_type="application/json"
    )
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == ActionStatus.OPEN


def test_owners_update_status_readers_get_403(cast, committee, client_for):
    mine = services.action_item_create(actor=cast.alice, meeting=committee.meeting, title="Moje", owner_user=cast.tom)
    other = services.action_item_create(
        actor=cast.alice, meeting=committee.meeting, title="Cudze", owner_institution=cast.ops_a
    )
    client = client_for(cast.tom)
    listed = client.get(f"{BASE}/action-items/mine").json()
    assert [row["title"] for row in listed["items"]] == ["Moje"]
    response = client.post(
        f"{BASE}/action-items/{mine.pk}/status", json.dumps({"status": "done"}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "done"
    response = client.post(
        f"{BASE}/action-items/{other.pk}/status", json.dumps({"status": "done"}), content_type="application/json"
    )
    assert response.status_code == 403
    assert ActionItem.objects.get(pk=other.pk).status == ActionStatus.OPEN
    # Staff of the owner institution (dora at OPS A, not in the team) see it in their list and may update it.
    dora = client_for(cast.dora)
    assert [row["title"] for row in dora.get(f"{BASE}/action-items/mine").json()["items"]] == ["Cudze"]
    assert dora.get(f"{BASE}/meetings/{committee.meeting.pk}").status_code == 404
    response = dora.post(
        f"{BASE}/action-items/{other.pk}/status", json.dumps({"status": "bogus"}), content_type="application/json"
    )
    assert response.status_code == 422


@pytest.mark.parametrize("count", [1, 6])
def test_list_queries_are_constant(cast, committee, client_for, django_assert_max_num_queries, count):
    for index in range(count):
        meeting = services.meeting_create(
            actor=cast.alice,
            team=committee.team,
            title=f"S{index}",
            days=[(datetime.date(2031, 10, 1 + index), datetime.time(9), datetime.time(10))],
            place="Sala",
        )
        services.action_item_create(
            actor=cast.alice, meeting=meeting, title=f"Z{index}", owner_user=cast.tom, owner_institution=cast.school_a
        )
    client = client_for(cast.tom)
    # Measured, the same for 1 and for 6 rows (with one query for the actor's institutions: cases' visible_cases).
    for url, ceiling in ((f"{BASE}/action-items/mine", 8), (f"{BASE}/meetings", 10), (f"{BASE}/teams", 9)):
        with django_assert_max_num_queries(ceiling):
            response = client.get(url)
        assert response.status_code == 200
    assert client.get(f"{BASE}/action-items/mine").json()["count"] == count
