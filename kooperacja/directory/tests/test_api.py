"""The directory in the JSON API: same rules as the pages (404 outsiders, 403 readers), audited writes, error bodies."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kooperacja.accounts.models import ApiToken, hash_token, new_token_secret
from kooperacja.core.models import AuditEvent
from kooperacja.core.testing import factories as f
from kooperacja.core.testing.cast import Cast
from kooperacja.directory.models import Service

BASE = "/api/v1/directory"


def bearer(user: Any) -> Client:
    secret = new_token_secret()
    ApiToken.objects.create(user=user, name="test", token_hash=hash_token(secret), hint=secret[:8])
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_anonymous_callers_are_unauthorised(cast: Cast, client: Client) -> None:
    response = client.get(f"{BASE}/institutions")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorised"


def test_list_institutions_with_filters(cast: Cast) -> None:
    api = bearer(cast.olga)
    body = api.get(f"{BASE}/institutions", {"q": "osrodek pomocy"}).json()
    assert body["count"] == 2 and body["page"] == 1 and body["total_pages"] == 1
    assert {item["short_name"] for item in body["items"]} == {"MOPS A", "GOPS B"}
    assert [i["name"] for i in api.get(f"{BASE}/institutions", {"sector": "education"}).json()["items"]] == [
        cast.school_a.name
    ]
    assert [i["kind"] for i in api.get(f"{BASE}/institutions", {"kind": "court"}).json()["items"]] == ["court"]
    names = {i["name"] for i in api.get(f"{BASE}/institutions", {"gmina": cast.gmina_a.code}).json()["items"]}
    assert names == {cast.ops_a.name, cast.school_a.name, cast.court.name, cast.rops_a.name}
    assert api.get(f"{BASE}/institutions", {"sector": "nonsense"}).status_code == 422


def test_institution_list_queries_are_constant(cast: Cast) -> None:
    api = bearer(cast.olga)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"{BASE}/institutions", {"per_page": 100}).status_code == 200
        return len(queries)

    count()  # the first call records the token's use
    few = count()
    for _ in range(20):
        f.InstitutionFactory(gmina=cast.gmina_a)
    assert count() == few


def test_get_institution(cast: Cast) -> None:
    api = bearer(cast.olga)
    body = api.get(f"{BASE}/institutions/{cast.ops_a.pk}").json()
    assert body["gmina"] == cast.gmina_a.code and body["sector_label"]
    missing = api.get(f"{BASE}/institutions/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


@pytest.mark.parametrize(("username", "status"), [("bob", 404), ("olga", 404), ("dora", 403)])
def test_patch_institution_refused(cast: Cast, username: str, status: int) -> None:
    response = bearer(getattr(cast, username)).patch(
        f"{BASE}/institutions/{cast.ops_a.pk}", {"name": "Przejęte"}, content_type="application/json"
    )
    assert response.status_code == status
    cast.ops_a.refresh_from_db()
    assert cast.ops_a.name != "Przejęte"
    assert not AuditEvent.objects.exists()


def test_patch_institution_by_editor(cast: Cast) -> None:
    api = bearer(cast.alice)
    response = api.patch(
        f"{BASE}/institutions/{cast.ops_a.pk}", {"phone": "32 422 00 00"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["phone"] == "32 422 00 00"
    assert AuditEvent.objects.get(action="directory.institution_update").data == {"fields": ["phone"]}


def test_patch_institution_bad_input(cast: Cast) -> None:
    api = bearer(cast.alice)
    response = api.patch(
        f"{BASE}/institutions/{cast.ops_a.pk}", {"email": "nie-email", "name": ""}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and {"email", "name"} <= set(body["fields"])
    cast.ops_a.refresh_from_db()
    assert cast.ops_a.email != "nie-email"
    assert not AuditEvent.objects.exists()


def test_list_services_with_filters(cast: Cast, service_a: Any, service_b: Any, domain: Any) -> None:
    api = bearer(cast.olga)
    assert [s["name"] for s in api.get(f"{BASE}/services", {"q": "wychowaniu"}).json()["items"]] == ["Asystent rodziny"]
    assert [s["name"] for s in api.get(f"{BASE}/services", {"domain": str(domain.pk)}).json()["items"]] == [
        "Asystent rodziny"
    ]
    assert [s["name"] for s in api.get(f"{BASE}/services", {"capacity": "waitlist"}).json()["items"]] == [
        "Klub seniora"
    ]
    items = api.get(f"{BASE}/services", {"institution": str(cast.ops_b.pk)}).json()["items"]
    assert [s["name"] for s in items] == ["Klub seniora"]
    assert items[0]["expected_wait_days"] == 30 and items[0]["capacity_label"]
    detail = api.get(f"{BASE}/services/{service_a.pk}").json()
    assert detail["terms"][0]["code"] == "family_support" and detail["terms"][0]["taxonomy"] == "cus-domains"


def test_create_service(cast: Cast, domain: Any) -> None:
    url = f"{BASE}/institutions/{cast.ops_a.pk}/services"
    payload = {"name": "Mieszkanie wspomagane", "term_ids": [str(domain.pk)], "eligible_gminy": [cast.gmina_a.code]}
    assert bearer(cast.olga).post(url, payload, content_type="application/json").status_code == 404
    assert bearer(cast.dora).post(url, payload, content_type="application/json").status_code == 403
    assert not Service.objects.filter(name="Mieszkanie wspomagane").exists()
    response = bearer(cast.alice).post(url, payload, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["eligible_gminy"] == [cast.gmina_a.code] and body["capacity_confirmed_at"]
    assert AuditEvent.objects.filter(action="directory.service_create").count() == 1
    bad = bearer(cast.alice).post(url, {"name": "X", "term_ids": [str(uuid.uuid4())]}, content_type="application/json")
    assert bad.status_code == 422 and "term_ids" in bad.json()["fields"]
    assert not Service.objects.filter(name="X").exists()


@pytest.mark.parametrize(("username", "status"), [("bob", 404), ("olga", 404), ("dora", 403), ("alice", 200)])
def test_patch_service(cast: Cast, service_a: Any, username: str, status: int) -> None:
    response = bearer(getattr(cast, username)).patch(
        f"{BASE}/services/{service_a.pk}",
        {"capacity_status": "waitlist", "expected_wait_days": 10},
        content_type="application/json",
    )
    assert response.status_code == status
    service_a.refresh_from_db()
    assert (service_a.capacity_status == "waitlist") is (status == 200)
    assert AuditEvent.objects.filter(action="directory.service_update").exists() is (status == 200)


def test_patch_service_waitlist_needs_a_wait(cast: Cast, service_a: Any) -> None:
    response = bearer(cast.alice).patch(
        f"{BASE}/services/{service_a.pk}", {"capacity_status": "waitlist"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "expected_wait_days" in response.json()["fields"]
    service_a.refresh_from_db()
    assert service_a.capacity_status == "accepting"


@pytest.mark.parametrize(("username", "status"), [("bob", 404), ("olga", 404), ("dora", 403), ("alice", 200)])
def test_confirm_capacity(cast: Cast, service_a: Any, username: str, status: int) -> None:
    Service.objects.filter(pk=service_a.pk).update(capacity_confirmed_at=None)
    response = bearer(getattr(cast, username)).post(f"{BASE}/services/{service_a.pk}/confirm-capacity")
    assert response.status_code == status
    service_a.refresh_from_db()
    assert (service_a.capacity_confirmed_at is not None) is (status == 200)


def test_partnerships(cast: Cast, representative: Any, agreement: Any) -> None:
    listing = bearer(cast.olga).get(f"{BASE}/partnerships").json()
    assert [p["name"] for p in listing["items"]] == ["PZK Miastko A"]
    outsider = bearer(cast.olga).get(f"{BASE}/partnerships/{cast.partnership_a.pk}").json()
    assert outsider["lead_institution_id"] == str(cast.ops_a.pk)
    assert all(m["representatives"] is None for m in outsider["members"])
    assert outsider["agreements"][0]["has_signed_file"] is True
    member = bearer(cast.tom).get(f"{BASE}/partnerships/{cast.partnership_a.pk}").json()
    names = [r["full_name"] for m in member["members"] for r in (m["representatives"] or [])]
    assert names == ["Zofia Przykładowa"]
    assert bearer(cast.tom).get(f"{BASE}/partnerships/{uuid.uuid4()}").status_code == 404


def test_directory_endpoints_are_in_the_openapi_document(db: None, client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/institutions",
        "/institutions/{institution_id}",
        "/institutions/{institution_id}/services",
        "/services",
        "/services/{service_id}",
        "/services/{service_id}/confirm-capacity",
        "/partnerships",
        "/partnerships/{partnership_id}",
    ):
        assert f"{BASE}{path}" in paths
