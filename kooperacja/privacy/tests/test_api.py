"""The privacy API: the same policy (404 outsiders, 403 readers writing) and the access log on every read."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from django.utils import timezone

from kooperacja.privacy.models import AccessLogEntry, Consent
from kooperacja.privacy.tests.conftest import PDF, school_consent, team_grant

pytestmark = pytest.mark.django_db
BASE = "/api/v1/privacy"


def _today() -> datetime.date:
    """The local date when the test runs (not when the module was imported: a suite can cross midnight)."""
    return timezone.localdate()


@pytest.fixture
def shared(cast, recorded):
    consent = school_consent(cast, recorded.person)
    team_grant(cast, consent)
    return consent


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _new_consent(cast, **extra):
    body = {
        "recipient_ids": [str(cast.school_a.pk)],
        "purpose": "Pomoc w nauce",
        "categories": ["identity", "education"],
        "given_on": _today().isoformat(),
        "recorded_orally_by": "alice",
    }
    body.update(extra)
    return body


def test_read_endpoints_over_the_cast(cast, recorded, shared, client_for):
    person = recorded.person
    urls = [
        f"{BASE}/persons/{person.pk}/consents",
        f"{BASE}/consents/{shared.pk}",
        f"{BASE}/persons/{person.pk}/sharing?institution_id={cast.court.pk}",
    ]
    for name in ("alice", "tom"):
        client = client_for(getattr(cast, name))
        for url in urls:
            assert client.get(url).status_code == 200, (name, url)
    for name in ("paula", "bob", "rosa", "dora", "root", "olga"):
        client = client_for(getattr(cast, name))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (name, url)
            assert response.json()["code"] == "not_found"


def test_reads_are_logged_with_the_api_channel(cast, recorded, shared, client_for):
    client = client_for(cast.tom)
    before = AccessLogEntry.objects.count()
    data = client.get(f"{BASE}/persons/{recorded.person.pk}/consents").json()
    assert [c["id"] for c in data] == [shared.pk]
    entry = AccessLogEntry.objects.order_by("-id").first()
    assert AccessLogEntry.objects.count() == before + 1
    assert (entry.channel, entry.actor, entry.institution) == ("api", cast.tom, cast.school_a)


def test_record_and_withdraw_through_the_api(cast, recorded, client_for):
    client = client_for(cast.alice)
    url = f"{BASE}/persons/{recorded.person.pk}/consents"
    response = _post(client, url, _new_consent(cast))
    assert response.status_code == 201, response.content
    consent_id = response.json()["id"]
    assert response.json()["recorded_orally_by"] == "alice"
    with_document = _post(
        client,
        url,
        _new_consent(
            cast, recorded_orally_by=None, document_name="zgoda.pdf", document_base64=base64.b64encode(PDF).decode()
        ),
    )
    assert with_document.status_code == 201 and with_document.json()["has_document"]
    document = client.get(f"{BASE}/consents/{with_document.json()['id']}/document")
    assert document.status_code == 200 and b"".join(document.streaming_content) == PDF

    consent = Consent.objects.get(pk=consent_id)
    team_grant(cast, consent, source_id="case-api")
    tom = client_for(cast.tom)
    assert tom.get(f"{BASE}/consents/{consent_id}").status_code == 200
    assert _post(tom, f"{BASE}/consents/{consent_id}/withdraw", {}).status_code == 403
    assert _post(tom, url, _new_consent(cast)).status_code == 403
    client = client_for(cast.alice)
    withdrawn = _post(client, f"{BASE}/consents/{consent_id}/withdraw", {})
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert client_for(cast.tom).get(f"{BASE}/consents/{consent_id}").status_code == 404


def test_bad_input_is_refused_in_polish_and_changes_nothing(cast, recorded, client_for):
    client = client_for(cast.alice)
    url = f"{BASE}/persons/{recorded.person.pk}/consents"
    both = _post(client, url, _new_consent(cast, document_name="a.pdf", document_base64=base64.b64encode(PDF).decode()))
    assert both.status_code == 422 and "document" in both.json()["fields"]
    future = _post(client, url, _new_consent(cast, given_on=(_today() + datetime.timedelta(days=3)).isoformat()))
    assert future.status_code == 422 and "given_on" in future.json()["fields"]
    assert not Consent.objects.exists()
    assert _post(client_for(cast.olga), url, _new_consent(cast)).status_code == 404


def test_sharing_explains_each_category(cast, recorded, shared, client_for):
    data = (
        client_for(cast.alice)
        .get(f"{BASE}/persons/{recorded.person.pk}/sharing?institution_id={cast.school_a.pk}")
        .json()
    )
    by_category = {row["category"]: row for row in data}
    assert by_category["education"]["allowed"] and not by_category["health"]["allowed"]
    assert by_category["health"]["reason"]


def test_report_and_access_log_for_the_dpo_only(cast, recorded, shared, client_for):
    dora = client_for(cast.dora)
    report = dora.get(f"{BASE}/persons/{recorded.person.pk}/report")
    assert report.status_code == 200 and len(report.json()["sections"]) >= 5
    log = dora.get(f"{BASE}/access-log")
    assert log.status_code == 200 and log.json()["count"] >= 1
    for name in ("alice", "tom", "rosa", "olga"):
        client = client_for(getattr(cast, name))
        assert client.get(f"{BASE}/persons/{recorded.person.pk}/report").status_code == 404
        assert client.get(f"{BASE}/access-log").status_code == 404


def test_legal_bases_are_listed(cast, client_for):
    data = client_for(cast.olga).get(f"{BASE}/legal-bases").json()
    assert "ups-art-100" in {row["code"] for row in data}
