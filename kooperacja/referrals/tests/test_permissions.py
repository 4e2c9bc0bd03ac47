"""Every page and API endpoint of the referrals context against every kind of actor: outsiders get 404 (as for a
missing referral), readers who try to write get 403, and a refused write changes nothing.

- alice: case coordinator at the sender (OPS A)      - tom: pedagogue at the recipient (school A)
- dora: DPO of the sender (reader)                   - school_dpo: DPO of the recipient (reader)
- bob: OPS B in the same county (outsider)           - olga: NGO elsewhere (outsider)
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from kooperacja.referrals.models import Comment, Notification, Referral, ReferralTransition

ROLES = ("alice", "tom", "dora", "school_dpo", "bob", "olga")
READERS_AND_OUTSIDERS = {"dora": 403, "school_dpo": 403, "bob": 404, "olga": 404}


def _user(world, school_dpo, name):  # type: ignore[no-untyped-def]
    return school_dpo if name == "school_dpo" else getattr(world.cast, name)


def _snapshot(referral: Referral) -> tuple:
    referral.refresh_from_db()
    return (
        referral.state,
        referral.version,
        ReferralTransition.objects.filter(referral=referral).count(),
        Comment.objects.filter(referral=referral).count(),
    )


def _call(client, method, url, payload=None):  # type: ignore[no-untyped-def]
    if method == "get":
        return client.get(url)
    if url.startswith("/api/"):
        return client.post(url, data=json.dumps(payload or {}), content_type="application/json")
    return client.post(url, payload or {})


@pytest.mark.parametrize("role", ROLES)
def test_reading(world, sent, school_dpo, client_for, role):
    client = client_for(_user(world, school_dpo, role))
    want = 404 if role in ("bob", "olga") else 200
    base = f"/api/v1/referrals/{sent.pk}"
    for url in (reverse("referrals:detail", args=[sent.pk]), base, f"{base}/fhir", f"{base}/comments"):
        assert client.get(url).status_code == want, (role, url)
    for url in (
        reverse("referrals:inbox"),
        reverse("referrals:outbox"),
        reverse("referrals:notifications"),
        reverse("referrals:metrics"),
        "/api/v1/referrals/?box=inbox",
        "/api/v1/referrals/?box=outbox",
        "/api/v1/referrals/notifications",
        "/api/v1/referrals/notifications/unread-count",
        f"/api/v1/referrals/metrics?institution={world.cast.school_a.pk}",
    ):
        assert client.get(url).status_code == 200, (role, url)
    listed = {item["id"] for item in client.get("/api/v1/referrals/?box=inbox").json()["items"]}
    listed |= {item["id"] for item in client.get("/api/v1/referrals/?box=outbox").json()["items"]}
    assert (str(sent.pk) in listed) == (want == 200), role


@pytest.mark.parametrize(
    ("action", "payload", "writer", "wrong_side"),
    [
        ("accept", {}, "tom", "alice"),
        ("decline", {"reason": "no_capacity"}, "tom", "alice"),
        ("cancel", {"reason_text": "Rodzina wyjechała"}, "alice", "tom"),
    ],
)
@pytest.mark.parametrize("channel", ["page", "api"])
def test_transitions(world, sent, school_dpo, client_for, action, payload, writer, wrong_side, channel):
    if channel == "page":
        url = reverse("referrals:act", args=[sent.pk, action])
        data = {f"{action}-{key}": value for key, value in payload.items()}
        ok = 302
    else:
        url = f"/api/v1/referrals/{sent.pk}/transitions"
        data = {"action": action, **payload}
        ok = 200
    before = _snapshot(sent)
    for role, status in {**READERS_AND_OUTSIDERS, wrong_side: 403}.items():
        response = _call(client_for(_user(world, school_dpo, role)), "post", url, data)
        assert response.status_code == status, (role, response.content[:200])
        assert _snapshot(sent) == before, role
    assert _call(client_for(_user(world, school_dpo, writer)), "post", url, data).status_code == ok
    assert _snapshot(sent)[0] == {"accept": "accepted", "decline": "declined", "cancel": "cancelled"}[action]


@pytest.mark.parametrize("channel", ["page", "api"])
def test_comments(world, sent, school_dpo, client_for, channel):
    if channel == "page":
        url, data, ok = reverse("referrals:comment_add", args=[sent.pk]), {"text": "Dzień dobry"}, 302
    else:
        url, data, ok = f"/api/v1/referrals/{sent.pk}/comments", {"text": "Dzień dobry"}, 201
    for role, status in READERS_AND_OUTSIDERS.items():
        assert _call(client_for(_user(world, school_dpo, role)), "post", url, data).status_code == status, role
    assert not Comment.objects.exists()
    for role in ("alice", "tom"):
        assert _call(client_for(_user(world, school_dpo, role)), "post", url, data).status_code == ok
    assert Comment.objects.count() == 2


def test_creating(world, school_dpo, client_for):
    cast = world.cast
    payload = {
        "case_id": str(world.case.pk),
        "recipient_id": str(cast.school_a.pk),
        "reason": "Proszę",
        "categories": ["identity"],
    }
    page = reverse("referrals:create") + f"?case={world.case.pk}&recipient={cast.school_a.pk}"
    form = {"urgency": "normal", "reason": "Proszę", "categories": ["identity"]}
    for role, status in {"dora": 403, "tom": 404, "school_dpo": 404, "bob": 404, "olga": 404}.items():
        client = client_for(_user(world, school_dpo, role))
        assert _call(client, "post", "/api/v1/referrals/", payload).status_code == status, role
        assert client.get(page).status_code == status, role
        assert client.post(page, form).status_code == status, role
    assert not Referral.objects.exists()
    assert _call(client_for(cast.alice), "post", "/api/v1/referrals/", payload).status_code == 201


def test_notifications_are_the_users_own(world, sent, client_for):
    notification = Notification.objects.get(user=world.cast.tom)
    for user in (world.cast.alice, world.cast.bob, world.cast.olga):
        client = client_for(user)
        assert client.post(reverse("referrals:notification_read", args=[notification.pk])).status_code == 404
        response = client.post(f"/api/v1/referrals/notifications/{notification.pk}/read")
        assert response.status_code == 404
        client.post("/api/v1/referrals/notifications/read-all")
        client.post(reverse("referrals:notifications_read_all"))
    notification.refresh_from_db()
    assert notification.read_at is None


def test_anonymous(client, world, sent):
    login = reverse("accounts:login")
    for url in (
        reverse("referrals:inbox"),
        reverse("referrals:outbox"),
        reverse("referrals:detail", args=[sent.pk]),
        reverse("referrals:notifications"),
        reverse("referrals:metrics"),
        reverse("referrals:create") + f"?case={world.case.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url
    assert client.post(reverse("referrals:act", args=[sent.pk, "accept"])).status_code == 302
    base = f"/api/v1/referrals/{sent.pk}"
    for url in ("/api/v1/referrals/", base, f"{base}/fhir", f"{base}/comments", "/api/v1/referrals/notifications"):
        assert client.get(url).status_code == 401, url
    response = client.post(
        f"{base}/transitions", data=json.dumps({"action": "accept"}), content_type="application/json"
    )
    assert response.status_code == 401
    sent.refresh_from_db()
    assert sent.state == "sent"
