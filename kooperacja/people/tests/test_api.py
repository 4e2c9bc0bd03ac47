"""The JSON API: the same policies and access log (channel "api"); 404 for outsiders, 403 for readers writing, 409
with the candidates for a likely duplicate."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kooperacja.core.testing.cast import Cast
from kooperacja.people import services
from kooperacja.people.models import Household, HouseholdMember, Person, PersonMerge
from kooperacja.people.tests import factories as pf
from kooperacja.privacy.models import AccessLogEntry

API = "/api/v1/people"


def _post(client: Any, url: str, body: dict) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def _patch(client: Any, url: str, body: dict) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def home(cast: Cast, anna: Person) -> Household:
    return pf.household(institution=cast.ops_a, members=[(anna, "head")])


@pytest.mark.parametrize("who", ["olga", "bob", "rosa", "paula", "root", "dora"])
def test_outsiders_get_404(cast: Cast, client_for: Any, anna: Person, home: Household, who: str) -> None:
    client = client_for(getattr(cast, who))
    member = home.members.get()
    assert client.get(f"{API}/persons/{anna.pk}").status_code == 404
    assert _patch(client, f"{API}/persons/{anna.pk}", {"phone": "1"}).status_code == 404
    assert client.get(f"{API}/households/{home.pk}").status_code == 404
    assert (
        _post(client, f"{API}/households/{home.pk}/members", {"person": str(anna.pk), "relation": "child"}).status_code
        == 404
    )
    assert _post(client, f"{API}/members/{member.pk}/end", {}).status_code == 404
    assert _post(client, f"{API}/persons/{anna.pk}/merge", {"merged": str(anna.pk), "reason": "x"}).status_code == 404
    found = _post(client, f"{API}/persons/search", {"q": "zolkiewska"}).json()
    assert found["count"] == 0
    assert client.get(f"{API}/households").json() == []
    assert not AccessLogEntry.objects.exists()


def test_reader_sees_identity_only_and_cannot_write(cast: Cast, client_for: Any, anna: Person, home: Household) -> None:
    client = client_for(cast.tom)
    body = client.get(f"{API}/persons/{anna.pk}").json()
    assert body["categories"] == ["identity"]
    assert body["identity"]["last_name"] == "Żółkiewska"
    assert body["identity"]["pesel_masked"] is True and body["identity"]["pesel"].endswith(
        services.person_pesel(anna)[-4:]
    )
    assert body["contact"] is None and body["households"] is None and body["may_edit"] is False
    assert [(e.actor_username, e.categories, e.channel) for e in AccessLogEntry.objects.all()] == [
        ("tom", ["identity"], "api")
    ]
    assert _patch(client, f"{API}/persons/{anna.pk}", {"phone": "1"}).status_code == 403
    assert _post(client, f"{API}/persons", {"first_name": "A", "last_name": "B"}).status_code == 403
    assert _post(client, f"{API}/households", {"name": "x"}).status_code == 403
    assert _post(client, f"{API}/persons/{anna.pk}/merge", {"merged": str(anna.pk), "reason": "x"}).status_code == 403
    assert client.get(f"{API}/households/{home.pk}").status_code == 404  # no family category
    anna.refresh_from_db()
    assert anna.phone == "600100200"


def test_coordinator_flow(cast: Cast, client_for: Any, anna: Person, home: Household) -> None:
    client = client_for(cast.alice)
    found = _post(client, f"{API}/persons/search", {"q": "ZOLKIEWSKA"}).json()
    assert [item["id"] for item in found["items"]] == [str(anna.pk)]
    found = _post(client, f"{API}/persons/search", {"pesel": services.person_pesel(anna)}).json()
    assert found["count"] == 1
    body = client.get(f"{API}/persons/{anna.pk}").json()
    assert body["identity"]["pesel"] == services.person_pesel(anna)
    assert body["contact"]["street"] == "ul. Lipowa 3" and body["contact"]["gmina"] == cast.gmina_a.code
    assert [m["household"] for m in body["households"]] == [str(home.pk)]
    entry = AccessLogEntry.objects.filter(person=anna, channel="api").order_by("-id").first()
    assert entry.categories == ["contact", "family", "identity"] and entry.resource == f"api:people:person:{anna.pk}"

    duplicate = {"first_name": "Anna", "last_name": "Zolkiewska", "birth_date": "1980-03-14"}
    response = _post(client, f"{API}/persons", duplicate)
    assert response.status_code == 409
    assert response.json()["candidates"][0]["reasons"] == ["birth_date_and_name"]
    response = _post(client, f"{API}/persons", {**duplicate, "confirm_not_duplicate": True})
    assert response.status_code == 201
    new_id = response.json()["id"]
    bad = _post(
        client, f"{API}/persons", {"first_name": "Jan", "last_name": "Nowak", "pesel": "44051401359", "sex": "F"}
    )
    assert bad.status_code == 422 and "sex" in bad.json()["fields"]

    response = _patch(client, f"{API}/persons/{anna.pk}", {"phone": "500600700"})
    assert response.status_code == 200 and response.json()["contact"]["phone"] == "500600700"

    response = _post(client, f"{API}/households", {"name": "nowe gospodarstwo"})
    assert response.status_code == 201
    household_id = response.json()["id"]
    response = _post(client, f"{API}/households/{household_id}/members", {"person": new_id, "relation": "child"})
    assert response.status_code == 201
    member_id = response.json()["id"]
    assert client.get(f"{API}/households/{household_id}").json()["members"][0]["person"] == new_id
    assert _post(client, f"{API}/members/{member_id}/end", {"until": "2026-01-01"}).json()["until"] == "2026-01-01"
    assert {h["id"] for h in client.get(f"{API}/households").json()} == {str(home.pk), household_id}

    response = _post(client, f"{API}/persons/{anna.pk}/merge", {"merged": new_id, "reason": "duplikat"})
    assert response.status_code == 201
    merge_id = response.json()["id"]
    assert HouseholdMember.objects.get(pk=member_id).person_id == anna.pk
    assert client.get(f"{API}/persons/{new_id}").status_code == 404
    assert client_for(cast.tom).post(f"{API}/merges/{merge_id}/undo").status_code == 403
    client = client_for(cast.alice)
    assert client.post(f"{API}/merges/{merge_id}/undo").status_code == 200
    assert PersonMerge.objects.get().unmerged_at is not None
    assert str(HouseholdMember.objects.get(pk=member_id).person_id) == new_id
