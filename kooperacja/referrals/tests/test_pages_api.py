from __future__ import annotations

import json

import pytest
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle

from kooperacja.privacy import services as privacy_services
from kooperacja.privacy.models import AccessLogEntry
from kooperacja.referrals import services
from kooperacja.referrals.models import Action, Notification, ReferralTransition, State


def _api(client, method, url, payload=None):
    if payload is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=json.dumps(payload), content_type="application/json")


def test_pages_outsider_404_reader_403(world, sent, client_for, school_dpo):
    detail = reverse("referrals:detail", args=[sent.pk])
    act = reverse("referrals:act", args=[sent.pk, "accept"])
    comment = reverse("referrals:comment_add", args=[sent.pk])
    client = client_for(world.cast.bob)
    assert client.get(detail).status_code == 404
    assert client.post(act).status_code == 404
    assert client.post(comment, {"text": "x"}).status_code == 404
    client = client_for(school_dpo)
    assert client.get(detail).status_code == 200
    assert client.post(act).status_code == 403
    assert client.post(comment, {"text": "x"}).status_code == 403
    sent.refresh_from_db()
    assert sent.state == State.SENT  # a reader opening it does not mark it received


def test_api_outsider_404_reader_403(world, sent, client_for, school_dpo):
    base = f"/api/v1/referrals/{sent.pk}"
    client = client_for(world.cast.olga)
    for url in (base, f"{base}/fhir", f"{base}/comments"):
        assert client.get(url).status_code == 404
    assert _api(client, "post", f"{base}/transitions", {"action": "accept"}).status_code == 404
    assert _api(client, "post", f"{base}/comments", {"text": "x"}).status_code == 404
    client = client_for(school_dpo)
    assert client.get(base).status_code == 200
    assert _api(client, "post", f"{base}/transitions", {"action": "accept"}).status_code == 403
    assert _api(client, "post", f"{base}/comments", {"text": "x"}).status_code == 403


def test_draft_is_invisible_to_recipient(world, draft, client_for):
    assert client_for(world.cast.tom).get(reverse("referrals:detail", args=[draft.pk])).status_code == 404


def test_recipient_opens_accepts_completes_via_pages(world, sent, client_for, django_assert_max_num_queries):
    client = client_for(world.cast.tom)
    detail = reverse("referrals:detail", args=[sent.pk])
    response = client.get(detail)
    assert response.status_code == 200
    assert "Janina" in response.content.decode()
    sent.refresh_from_db()
    assert sent.state == State.RECEIVED
    assert AccessLogEntry.objects.filter(resource=f"referrals:detail:{sent.pk}", actor=world.cast.tom).exists()
    client.post(reverse("referrals:act", args=[sent.pk, "accept"]))
    client.post(reverse("referrals:act", args=[sent.pk, "start"]))
    client.post(
        reverse("referrals:act", args=[sent.pk, "complete"]),
        {"complete-outcome": "partly", "complete-work_done": "Trzy spotkania", "complete-feedback": "Dalej pomoc"},
    )
    sent.refresh_from_db()
    assert sent.state == State.COMPLETED and sent.feedback == "Dalej pomoc"
    page = client_for(world.cast.alice).get(detail).content.decode()
    assert "Trzy spotkania" in page and "Dalej pomoc" in page


def test_api_transitions_idempotent(world, sent, client_for):
    client = client_for(world.cast.tom)
    url = f"/api/v1/referrals/{sent.pk}/transitions"
    first = _api(client, "post", url, {"action": "accept"})
    assert first.status_code == 200 and first.json()["changed"] is True
    count = ReferralTransition.objects.filter(referral=sent).count()
    again = _api(client, "post", url, {"action": "accept"})
    assert again.status_code == 200 and again.json() == {**first.json(), "changed": False}
    assert ReferralTransition.objects.filter(referral=sent).count() == count
    invalid = _api(client, "post", url, {"action": "complete", "outcome": "helped", "work_done": "x"})
    assert invalid.status_code == 422
    assert "nie może" in json.dumps(invalid.json(), ensure_ascii=False)
    assert _api(client, "post", url, {"action": "expire"}).status_code == 422


def test_fhir_bundle_valid_and_limited(world, sent, client_for):
    client = client_for(world.cast.tom)
    body = client.get(f"/api/v1/referrals/{sent.pk}/fhir").json()
    bundle = Bundle.model_validate(body)
    types = [entry.resource.__resource_type__ for entry in bundle.entry]
    assert types == ["ServiceRequest", "Task", "Patient", "Organization", "Organization"]
    task = body["entry"][1]["resource"]
    assert task["status"] == "requested"  # reading the FHIR export is not opening the referral
    patient = body["entry"][2]["resource"]
    assert patient["name"][0]["family"] == "Testowa" and patient["telecom"][0]["value"] == "600100200"
    assert str(world.person.pk) not in json.dumps(body)


def test_fhir_only_shared_categories(world, client_for):
    referral = services.referral_create(
        actor=world.cast.alice, case=world.case, recipient=world.cast.school_a, reason="x", categories=["education"]
    )
    services.referral_send(actor=world.cast.alice, referral=referral)
    services.referral_transition(actor=world.cast.tom, referral=referral, action=Action.DECLINE, reason="no_capacity")
    body = client_for(world.cast.alice).get(f"/api/v1/referrals/{referral.pk}/fhir").json()
    Bundle.model_validate(body)
    patient = body["entry"][2]["resource"]
    assert set(patient) == {"resourceType", "id"}
    assert body["entry"][1]["resource"]["status"] == "rejected"


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("draft", "draft"),
        ("sent", "requested"),
        ("received", "received"),
        ("accepted", "accepted"),
        ("declined", "rejected"),
        ("in_progress", "in-progress"),
        ("completed", "completed"),
        ("cancelled", "cancelled"),
        ("expired", "failed"),
        ("suspended", "on-hold"),
    ],
)
def test_task_status_mapping_validates(world, sent, state, status):
    from kooperacja.referrals.fhir import referral_bundle

    sent.state = state
    sent.outcome = "helped" if state == "completed" else ""
    sent.work_done = "x" if state == "completed" else ""
    sent.decline_reason = "other" if state == "declined" else ""
    body = referral_bundle(sent, {"identity"})
    Bundle.model_validate(body)
    assert body["entry"][1]["resource"]["status"] == status


def test_suspended_page_shows_only_the_notice(world, sent, client_for):
    privacy_services.consent_withdraw(actor=world.cast.alice, consent=world.consent)
    page = client_for(world.cast.tom).get(reverse("referrals:detail", args=[sent.pk])).content.decode()
    assert "zawieszone" in page.lower() and "zgoda wycofana" in page.lower()
    assert "Janina" not in page and "Proszę o objęcie" not in page
    fhir_body = client_for(world.cast.tom).get(f"/api/v1/referrals/{sent.pk}/fhir").json()
    assert set(fhir_body["entry"][2]["resource"]) == {"resourceType", "id"}


def test_lists_constant_queries(world, client_for, django_assert_max_num_queries):
    for n in range(3):
        r = services.referral_create(
            actor=world.cast.alice,
            case=world.case,
            recipient=world.cast.school_a,
            reason=f"r{n}",
            categories=["identity"],
        )
        services.referral_send(actor=world.cast.alice, referral=r)
    client = client_for(world.cast.tom)
    client.get(reverse("referrals:notifications"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("referrals:inbox") + "?tab=new")
    assert response.content.decode().count("/referrals/") >= 3
    with django_assert_max_num_queries(12):
        client.get(reverse("referrals:inbox") + "?deadline=overdue")
    client = client_for(world.cast.alice)
    client.get(reverse("referrals:outbox"))
    with django_assert_max_num_queries(12):
        client.get(reverse("referrals:outbox") + "?state=sent&sector=education")


def test_create_page_says_why_and_saves_draft(world, client_for):
    client = client_for(world.cast.alice)
    url = reverse("referrals:create") + f"?case={world.case.pk}&recipient={world.cast.school_a.pk}"
    page = client.get(url).content.decode()
    assert "zgod" in page.lower()  # why a category is (not) allowed: consent
    response = client.post(url, {"urgency": "urgent", "reason": "Proszę", "categories": ["identity", "education"]})
    assert response.status_code == 302
    assert client_for(world.cast.bob).get(url).status_code == 404


def test_notifications_page_and_badge(world, sent, client_for):
    client = client_for(world.cast.tom)
    page = client.get(reverse("referrals:inbox")).content.decode()
    assert "nieprzeczytane" in page or 'class="badge"' in page
    notification = Notification.objects.get(user=world.cast.tom)
    assert client.get(reverse("referrals:notifications")).status_code == 200
    response = client.post(reverse("referrals:notification_read", args=[notification.pk]), {"open": "1"})
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at
    api = client.get("/api/v1/referrals/notifications").json()
    assert api["count"] == 1 and api["items"][0]["read_at"]
    assert (
        client_for(world.cast.alice).post(reverse("referrals:notification_read", args=[notification.pk])).status_code
        == 404
    )


def test_metrics_page_and_api(world, sent, client_for):
    services.referral_transition(actor=world.cast.tom, referral=sent, action=Action.DECLINE, reason="no_capacity")
    client = client_for(world.cast.tom)
    assert client.get(reverse("referrals:metrics")).status_code == 200
    body = client.get(f"/api/v1/referrals/metrics?institution={world.cast.school_a.pk}").json()
    assert body["sent"] == 1 and body["declined"] == 1 and body["declined_by_reason"] == {"no_capacity": 1.0}
    assert client.get("/api/v1/referrals/metrics?sector=education").json()["declined"] == 1
    assert client.get("/api/v1/referrals/metrics?sector=bogus").status_code == 404


def test_api_create_and_send(world, client_for):
    cast = world.cast
    payload = {
        "case_id": str(world.case.pk),
        "recipient_id": str(cast.school_a.pk),
        "reason": "Proszę o pomoc",
        "categories": ["identity", "education"],
        "send": True,
    }
    assert _api(client_for(cast.bob), "post", "/api/v1/referrals/", payload).status_code == 404
    assert _api(client_for(cast.dora), "post", "/api/v1/referrals/", payload).status_code == 403
    refused = _api(client_for(cast.alice), "post", "/api/v1/referrals/", {**payload, "categories": ["health"]})
    assert refused.status_code == 422 and "categories" in refused.json()["fields"]
    response = _api(client_for(cast.alice), "post", "/api/v1/referrals/", payload)
    assert response.status_code == 201 and response.json()["state"] == "sent"
    inbox = client_for(cast.tom).get("/api/v1/referrals/?box=inbox&tab=new").json()
    assert inbox["count"] == 1 and inbox["items"][0]["id"] == response.json()["id"]
    assert client_for(cast.alice).get("/api/v1/referrals/?box=outbox").json()["count"] == 1
    assert client_for(cast.olga).get("/api/v1/referrals/?box=outbox").json()["count"] == 0


def test_unread_badge_costs_no_query_per_page_and_follows_writes(world, sent, client_for):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    client = client_for(world.cast.tom)  # sign-in primes the count
    url = reverse("referrals:inbox")
    with CaptureQueriesContext(connection) as queries:
        first = client.get(url)
    assert '<span class="badge">1' in first.content.decode()
    assert not [q for q in queries.captured_queries if "COUNT(*)" in q["sql"] and "referrals_notification" in q["sql"]]
    notification = Notification.objects.get(user=world.cast.tom)
    client.post(reverse("referrals:notification_read", args=[notification.pk]))
    assert '<span class="badge">' not in client.get(url).content.decode()
    url = reverse("referrals:notifications")
    services.comment_add(actor=world.cast.alice, referral=sent, text="Pytanie")
    # the comment's notification is committed in the test transaction; on_commit forgets the cached count
    cache.clear()
    assert '<span class="badge">1' in client.get(url).content.decode()


def test_api_detail_gives_the_sender_the_outcome_and_the_timeline(world, sent, client_for):
    cast = world.cast
    tom = client_for(cast.tom)
    url = f"/api/v1/referrals/{sent.pk}/transitions"
    assert _api(tom, "post", url, {"action": "accept"}).json()["referral"]["state"] == "accepted"
    assert _api(tom, "post", url, {"action": "start"}).status_code == 200
    done = {"action": "complete", "outcome": "partly", "work_done": "Dwa spotkania", "feedback": "Potrzebna dalsza"}
    assert _api(tom, "post", url, done).json()["referral"]["state"] == "completed"
    assert _api(tom, "post", url, done).json()["changed"] is False
    body = client_for(cast.alice).get(f"/api/v1/referrals/{sent.pk}").json()
    assert body["state"] == "completed" and body["outcome"] == "partly" and body["closed_with_feedback"] is True
    assert body["work_done"] == "Dwa spotkania" and body["feedback"] == "Potrzebna dalsza"
    assert [(t["from_state"], t["to_state"]) for t in body["timeline"]] == [
        ("", "draft"),
        ("draft", "sent"),
        ("sent", "received"),
        ("received", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "completed"),
    ]
    assert body["timeline"][3]["actor_id"] == cast.tom.pk


def test_api_decline_needs_a_reason_from_the_list(world, sent, client_for):
    tom = client_for(world.cast.tom)
    url = f"/api/v1/referrals/{sent.pk}/transitions"
    refused = _api(tom, "post", url, {"action": "decline", "reason": "other"})
    assert refused.status_code == 422 and "reason_text" in refused.json()["fields"]
    ok = _api(tom, "post", url, {"action": "decline", "reason": "other", "reason_text": "Szkoła w remoncie"})
    assert ok.status_code == 200 and ok.json()["referral"]["decline_reason"] == "other"
    assert (
        client_for(world.cast.alice).get(f"/api/v1/referrals/{sent.pk}").json()["decline_text"] == "Szkoła w remoncie"
    )


def test_api_detail_of_a_suspended_referral_for_the_recipient(world, sent, client_for):
    privacy_services.consent_withdraw(actor=world.cast.alice, consent=world.consent)
    body = client_for(world.cast.tom).get(f"/api/v1/referrals/{sent.pk}").json()
    assert body["state"] == "suspended" and body["suspension_reason"] == "consent_withdrawn"
    assert body["reason"] is None and body["categories"] == [] and body["timeline"] == []
    fhir_text = json.dumps(client_for(world.cast.tom).get(f"/api/v1/referrals/{sent.pk}/fhir").json())
    assert "Proszę o objęcie" not in fhir_text and "Janina" not in fhir_text and '"on-hold"' in fhir_text
    assert client_for(world.cast.tom).get(f"/people/persons/{world.person.pk}/").status_code == 404
    sender = client_for(world.cast.alice).get(f"/api/v1/referrals/{sent.pk}").json()
    assert sender["reason"].startswith("Proszę") and sender["timeline"][-1]["to_state"] == "suspended"


def test_fhir_follows_the_sdoh_referral_pattern(world, sent, client_for):
    body = client_for(world.cast.alice).get(f"/api/v1/referrals/{sent.pk}/fhir").json()
    Bundle.model_validate(body)
    service_request, task = body["entry"][0]["resource"], body["entry"][1]["resource"]
    assert service_request["intent"] == "order" and service_request["category"][0]["coding"][0]["system"].startswith(
        "http://hl7.org/fhir/us/sdoh-clinicalcare/"
    )
    assert task["code"]["coding"][0]["code"] == "fulfill"
    assert task["focus"]["reference"] == f"ServiceRequest/{service_request['id']}"
    assert task["for"]["reference"] == service_request["subject"]["reference"]
    assert task["owner"]["reference"] == f"Organization/{world.cast.school_a.pk}"
    assert task["restriction"]["period"]["end"]


def test_invalid_transition_on_the_page_says_why_in_polish(world, sent, client_for):
    client = client_for(world.cast.tom)
    response = client.post(
        reverse("referrals:act", args=[sent.pk, "complete"]),
        {"complete-outcome": "helped", "complete-work_done": "x"},
        follow=True,
    )
    assert response.status_code == 200
    assert "nie może" in response.content.decode()
    sent.refresh_from_db()
    assert sent.state == State.RECEIVED and sent.outcome == ""  # the redirect to the page opened it; nothing else


def _answered(world, *, answer_days, completion_days=None, decline=None, feedback=""):  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    from kooperacja.referrals.models import Referral

    referral = services.referral_create(
        actor=world.cast.alice, case=world.case, recipient=world.cast.school_a, reason="x", categories=["identity"]
    )
    services.referral_send(actor=world.cast.alice, referral=referral)
    if decline:
        services.referral_transition(actor=world.cast.tom, referral=referral, action=Action.DECLINE, reason=decline)
    else:
        services.referral_transition(actor=world.cast.tom, referral=referral, action=Action.ACCEPT)
        if completion_days is not None:
            services.referral_transition(actor=world.cast.tom, referral=referral, action=Action.START)
            services.referral_transition(
                actor=world.cast.tom,
                referral=referral,
                action=Action.COMPLETE,
                outcome="helped",
                work_done="x",
                feedback=feedback,
            )
    sent_at = timezone.now() - dt.timedelta(days=30)
    fields = {"sent_at": sent_at, "first_answered_at": sent_at + dt.timedelta(days=answer_days)}
    if completion_days is not None:
        fields["completed_at"] = sent_at + dt.timedelta(days=completion_days)
    Referral.objects.filter(pk=referral.pk).update(**fields)
    return referral


def test_metrics_figures_per_institution_and_sector(world, client_for):
    _answered(world, answer_days=1, completion_days=10, feedback="Dobrze")
    _answered(world, answer_days=3, completion_days=20)
    _answered(world, answer_days=2, decline="no_capacity")
    _answered(world, answer_days=4, decline="not_eligible")
    _answered(world, answer_days=5, decline="no_capacity")
    client = client_for(world.cast.bob)  # aggregates only: any signed-in user
    for url in (
        f"/api/v1/referrals/metrics?institution={world.cast.school_a.pk}",
        "/api/v1/referrals/metrics?sector=education",
    ):
        body = client.get(url).json()
        assert body == {
            "sent": 5,
            "answered": 5,
            "median_days_to_first_answer": 3.0,
            "median_days_to_completion": 15.0,
            "declined": 3,
            "declined_by_reason": {"no_capacity": 0.667, "not_eligible": 0.333},
            "completed": 2,
            "share_closed_with_feedback": 0.5,
        }, url
    assert client.get("/api/v1/referrals/metrics?sector=health").json()["sent"] == 0
    page = client.get(reverse("directory:institution_detail", args=[world.cast.school_a.pk])).content.decode()
    section = page[page.index('id="referral-metrics"') :]
    assert "<dd>5</dd>" in section and "15,0" in section and "brak miejsc 67%" in section
    assert 'id="referral-sector-metrics"' in section and "edukacja" in section
