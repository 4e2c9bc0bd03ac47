"""Notifications as their users meet them: the e-mail of each event kind (no personal data, a link that opens the
referral after sign-in), the database task backend with its worker, the unread count and marking read in the API."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from kooperacja.core.testing.factories import PASSWORD
from kooperacja.privacy import services as privacy_services
from kooperacja.referrals import services
from kooperacja.referrals.models import Action, Notification, NotificationKind, State

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _link(message) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r"https?://\S+", message.body)
    assert match, message.body
    return urlsplit(match.group(0)).path


def test_the_link_in_the_email_opens_the_referral_after_sign_in(
    world, draft, client, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_send(actor=world.cast.alice, referral=draft)
    (message,) = [m for m in mail.outbox if world.cast.tom.email in m.to]
    path = _link(message)
    assert path == reverse("referrals:detail", args=[draft.pk])
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    login = client.get(response["Location"])
    assert login.status_code == 200
    response = client.post(response["Location"], {"username": world.cast.tom.username, "password": PASSWORD})
    assert response.status_code == 302 and urlsplit(response["Location"]).path == path
    page = client.get(path)
    assert page.status_code == 200 and world.person.last_name in page.content.decode()
    draft.refresh_from_db()
    assert draft.state == State.RECEIVED


def test_every_event_kind_is_emailed_without_personal_data(
    world, draft, school_manager, django_capture_on_commit_callbacks
):
    cast = world.cast
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_send(actor=cast.alice, referral=draft)
        services.comment_add(actor=cast.tom, referral=draft, text="Proszę o numer telefonu matki Janiny.")
        draft.refresh_from_db()
        services.referral_deadlines_sweep(now=draft.remind_at)
        services.referral_deadlines_sweep(now=draft.answer_due_at)
        services.referral_transition(actor=cast.tom, referral=draft, action=Action.ACCEPT)
        services.referral_transition(actor=cast.tom, referral=draft, action=Action.START)
        services.referral_transition(
            actor=cast.tom, referral=draft, action=Action.COMPLETE, outcome="helped", work_done="Spotkania z Janiną"
        )
        second = services.referral_create(
            actor=cast.alice, case=world.case, recipient=cast.school_a, reason="Janina", categories=["identity"]
        )
        services.referral_send(actor=cast.alice, referral=second)
        services.referral_transition(
            actor=cast.tom, referral=second, action=Action.DECLINE, reason="other", reason_text="Janina wyjechała"
        )
        third = services.referral_create(
            actor=cast.alice, case=world.case, recipient=cast.school_a, reason="x", categories=["education"]
        )
        services.referral_send(actor=cast.alice, referral=third)
        privacy_services.consent_withdraw(actor=cast.alice, consent=world.consent)
    kinds = set(Notification.objects.values_list("kind", flat=True))
    wanted = {
        NotificationKind.NEW,
        NotificationKind.ACCEPTED,
        NotificationKind.DECLINED,
        NotificationKind.COMPLETED,
        NotificationKind.COMMENT,
        NotificationKind.REMINDER,
        NotificationKind.ESCALATION,
        NotificationKind.SUSPENDED,
    }
    assert wanted <= kinds
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0
    subjects = " ".join(m.subject for m in mail.outbox)
    for label in ("nowe skierowanie", "przyjęte", "odrzucone", "zakończone", "komentarz", "zawieszone"):
        assert label in subjects.lower(), label
    assert any(school_manager.email in m.to for m in mail.outbox)  # the escalation reaches the manager
    person = world.person
    for message in mail.outbox:
        text = message.subject + message.body
        for value in (person.first_name, person.last_name, person.phone, person.street, "wyjechała", "Spotkania"):
            assert value not in text
        assert re.search(r"/referrals/[0-9a-f-]{36}/", message.body)


@pytest.mark.django_db(transaction=True)
def test_database_backend_and_worker_send_the_emails(world, draft):
    from django_tasks_db.models import DBTaskResult

    mail.outbox.clear()
    with override_settings(TASKS=DB_TASKS):
        services.referral_send(actor=world.cast.alice, referral=draft)  # commits: the e-mail task is enqueued
        assert DBTaskResult.objects.count() == 1 and not mail.outbox
        assert Notification.objects.get(user=world.cast.tom).emailed_at is None
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert [world.cast.tom.email] in [m.to for m in mail.outbox]
    assert Notification.objects.get(user=world.cast.tom).emailed_at is not None


@pytest.mark.django_db(transaction=True)
def test_deadline_command_enqueues_for_the_worker(world, sent):
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DB_TASKS):
        call_command("referral_deadlines", "--enqueue", verbosity=0)
        assert DBTaskResult.objects.filter(task_path__endswith="referral_deadlines").count() == 1
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1


def test_unread_count_list_and_mark_read_in_the_api(world, sent, client_for):
    client = client_for(world.cast.tom)
    assert client.get("/api/v1/referrals/notifications/unread-count").json() == {"unread": 1}
    listed = client.get("/api/v1/referrals/notifications?unread=true").json()
    assert listed["count"] == 1 and listed["items"][0]["kind"] == "new"
    notification_id = listed["items"][0]["id"]
    assert (
        client_for(world.cast.alice).post(f"/api/v1/referrals/notifications/{notification_id}/read").status_code == 404
    )
    client = client_for(world.cast.tom)
    assert client.post(f"/api/v1/referrals/notifications/{notification_id}/read").json()["read_at"]
    assert client.get("/api/v1/referrals/notifications/unread-count").json() == {"unread": 0}
    services.comment_add(actor=world.cast.alice, referral=sent, text="Pytanie")
    assert client.get("/api/v1/referrals/notifications/unread-count").json() == {"unread": 1}
    assert client.post("/api/v1/referrals/notifications/read-all").json() == {"unread": 0}
    assert not Notification.objects.filter(user=world.cast.tom, read_at__isnull=True).exists()


def test_mark_all_read_page(world, sent, client_for):
    client = client_for(world.cast.tom)
    response = client.post(reverse("referrals:notifications_read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=world.cast.tom, read_at__isnull=True).exists()
