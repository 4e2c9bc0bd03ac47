from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from kooperacja.core.models import AuditEvent
from kooperacja.privacy import policies as privacy_policies
from kooperacja.privacy import services as privacy_services
from kooperacja.privacy.models import AccessGrant
from kooperacja.referrals import policies, services
from kooperacja.referrals.models import (
    TRANSITIONS,
    Action,
    Notification,
    Referral,
    ReferralDeadlineRule,
    ReferralShare,
    ReferralTransition,
    State,
)
from kooperacja.referrals.tests.factories import make_consent


def _transitions(referral):
    return list(ReferralTransition.objects.filter(referral=referral).values_list("action", "from_state", "to_state"))


def test_draft_refuses_categories_without_basis(world):
    with pytest.raises(ValidationError) as exc:
        services.referral_create(
            actor=world.cast.alice,
            case=world.case,
            recipient=world.cast.school_a,
            reason="x",
            categories=["identity", "health"],
        )
    assert "health" in exc.value.message_dict["categories"][0] or "zdrow" in exc.value.message_dict["categories"][0]
    assert not Referral.objects.exists()


def test_category_options_say_why(world):
    options = {
        o.category: o
        for o in policies.category_options(
            actor=world.cast.alice, person=world.person, recipient=world.cast.school_a, sender=world.cast.ops_a
        )
    }
    assert options["education"].allowed and options["education"].basis == world.consent
    assert not options["health"].allowed and options["health"].why


def test_outsider_cannot_create(world):
    with pytest.raises(PermissionDenied):
        services.referral_create(
            actor=world.cast.bob, case=world.case, recipient=world.cast.school_a, reason="x", categories=["identity"]
        )


def test_send_opens_one_grant_per_basis_and_recipient_sees_exactly_the_shared(world, draft):
    cast = world.cast
    assert not privacy_policies.can_see_person(cast.tom, world.person)
    services.referral_send(actor=cast.alice, referral=draft)
    draft.refresh_from_db()
    assert draft.state == State.SENT and draft.sent_at and draft.answer_due_at
    grants = AccessGrant.objects.filter(source_type="referral", source_id=str(draft.pk))
    assert grants.count() == 1  # one consent used
    assert grants.get().consent == world.consent
    assert privacy_policies.visible_categories(actor=cast.tom, person=world.person) == {
        "identity",
        "contact",
        "education",
    }
    assert policies.shown_categories(cast.tom, draft) == {"identity", "contact", "education"}
    assert ReferralShare.objects.filter(referral=draft).count() == 3
    assert Notification.objects.filter(user=cast.tom, referral=draft, kind="new").exists()


def test_full_loop_with_audit(world, sent):
    cast = world.cast
    services.referral_transition(actor=cast.tom, referral=sent, action=Action.ACCEPT)
    services.referral_transition(actor=cast.tom, referral=sent, action=Action.START)
    services.referral_transition(
        actor=cast.tom,
        referral=sent,
        action=Action.COMPLETE,
        outcome="helped",
        work_done="Zajęcia z pedagogiem",
        feedback="Uczeń chodzi na zajęcia.",
    )
    sent.refresh_from_db()
    assert sent.state == State.COMPLETED
    assert sent.accepted is True and sent.closed_with_feedback and sent.first_answered_at and sent.completed_at
    assert _transitions(sent) == [
        ("create", "", "draft"),
        ("send", "draft", "sent"),
        ("receive", "sent", "received"),
        ("accept", "received", "accepted"),
        ("start", "accepted", "in_progress"),
        ("complete", "in_progress", "completed"),
    ]
    assert AuditEvent.objects.filter(object_id=str(sent.pk), action__startswith="referrals.").count() == 6
    # closed: the recipient's grant ended
    assert not privacy_policies.can_see_person(cast.tom, world.person)
    assert Notification.objects.filter(user=cast.alice, referral=sent, kind="completed").exists()


def test_invalid_transition_refused_in_polish(world, sent):
    with pytest.raises(ValidationError) as exc:
        services.referral_transition(
            actor=world.cast.tom, referral=sent, action=Action.COMPLETE, outcome="helped", work_done="x"
        )
    assert "nie może" in exc.value.messages[0]
    sent.refresh_from_db()
    assert sent.state == State.SENT


def test_wrong_side_and_reader_refused(world, sent, school_dpo):
    with pytest.raises(PermissionDenied):
        services.referral_transition(actor=world.cast.alice, referral=sent, action=Action.ACCEPT)
    with pytest.raises(PermissionDenied):
        services.referral_transition(actor=school_dpo, referral=sent, action=Action.ACCEPT)
    with pytest.raises(Http404):
        services.referral_transition(actor=world.cast.bob, referral=sent, action=Action.ACCEPT)
    with pytest.raises(PermissionDenied):
        services.referral_transition(actor=world.cast.tom, referral=sent, action=Action.CANCEL, reason_text="x")


def test_idempotent_accept(world, sent):
    first = services.referral_transition(actor=world.cast.tom, referral=sent, action=Action.ACCEPT)
    count = ReferralTransition.objects.filter(referral=sent).count()
    again = services.referral_transition(actor=world.cast.tom, referral=sent, action=Action.ACCEPT)
    assert first.changed and not again.changed
    assert again.referral.state == State.ACCEPTED
    assert ReferralTransition.objects.filter(referral=sent).count() == count


def test_decline_needs_reason_from_list(world, sent):
    with pytest.raises(ValidationError):
        services.referral_transition(actor=world.cast.tom, referral=sent, action=Action.DECLINE, reason="bogus")
    with pytest.raises(ValidationError):
        services.referral_transition(actor=world.cast.tom, referral=sent, action=Action.DECLINE, reason="other")
    sent.refresh_from_db()
    assert sent.state == State.SENT
    services.referral_transition(actor=world.cast.tom, referral=sent, action=Action.DECLINE, reason="no_capacity")
    sent.refresh_from_db()
    assert sent.state == State.DECLINED and sent.accepted is False and sent.decline_reason == "no_capacity"


def test_failure_mid_transition_leaves_referral_unchanged(world, sent, monkeypatch):
    services.referral_transition(actor=world.cast.tom, referral=sent, action=Action.ACCEPT)
    services.referral_transition(actor=world.cast.tom, referral=sent, action=Action.START)
    before = _transitions(sent)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    # grants_end runs inside the complete step, after the outcome fields were set on the instance
    monkeypatch.setattr(services.privacy_services, "grants_end", boom)
    with pytest.raises(RuntimeError):
        services.referral_transition(
            actor=world.cast.tom, referral=sent, action=Action.COMPLETE, outcome="helped", work_done="x", feedback="y"
        )
    fresh = Referral.objects.get(pk=sent.pk)
    assert fresh.state == State.IN_PROGRESS and fresh.outcome == "" and fresh.completed_at is None
    assert _transitions(sent) == before
    assert privacy_policies.can_see_person(world.cast.tom, world.person)


def test_cancel_by_sender_needs_reason(world, sent):
    with pytest.raises(ValidationError):
        services.referral_transition(actor=world.cast.alice, referral=sent, action=Action.CANCEL)
    services.referral_transition(
        actor=world.cast.alice, referral=sent, action=Action.CANCEL, reason_text="Rodzina wyjechała"
    )
    sent.refresh_from_db()
    assert sent.state == State.CANCELLED
    assert not privacy_policies.can_see_person(world.cast.tom, world.person)


def test_every_table_entry_from_every_state(world, draft):
    """Every (action, state) pair: allowed exactly when the table says so (system side)."""
    for action, transition in TRANSITIONS.items():
        for state in State.values:
            Referral.objects.filter(pk=draft.pk).update(
                state=state,
                sent_at=None if state == "draft" else timezone.now(),
                suspended_from="sent" if state == "suspended" else "",
                decline_reason="other" if state == "declined" else "",
                outcome="helped" if state == "completed" else "",
                completed_at=timezone.now() if state == "completed" else None,
            )
            draft.refresh_from_db()
            allowed = state in transition.sources
            assert policies.can_act(world.cast.alice, draft, action) == (allowed and transition.side == "sender"), (
                action,
                state,
            )


def test_consent_withdrawal_suspends_and_resume_needs_new_basis(world, sent):
    cast = world.cast
    services.referral_transition(actor=cast.tom, referral=sent, action=Action.ACCEPT)
    privacy_services.consent_withdraw(actor=cast.alice, consent=world.consent)
    sent.refresh_from_db()
    assert sent.state == State.SUSPENDED and sent.suspended_from == State.ACCEPTED
    assert sent.suspension_reason == "consent_withdrawn"
    assert not privacy_policies.can_see_person(cast.tom, world.person)
    with pytest.raises(Http404):
        privacy_policies.get_person_for_actor(cast.tom, world.person.pk)
    assert policies.shown_categories(cast.tom, sent) == set()
    assert Notification.objects.filter(referral=sent, kind="suspended", user=cast.tom).exists()
    assert Notification.objects.filter(referral=sent, kind="suspended", user=cast.alice).exists()
    with pytest.raises(ValidationError):
        services.referral_resume(actor=cast.alice, referral=sent)
    sent.refresh_from_db()
    assert sent.state == State.SUSPENDED
    new_consent = make_consent(cast, world.person)
    services.referral_resume(actor=cast.alice, referral=sent)
    sent.refresh_from_db()
    assert sent.state == State.ACCEPTED
    assert ReferralShare.objects.filter(referral=sent, consent=new_consent).count() == 3
    assert privacy_policies.visible_categories(actor=cast.tom, person=world.person) == {
        "identity",
        "contact",
        "education",
    }


def test_deadline_by_urgency_and_partnership_rule(world, draft):
    sent_at = timezone.make_aware(datetime.datetime(2026, 12, 23, 10, 0))
    draft.urgency = "urgent"
    services._set_deadlines(draft, sent_at)
    assert timezone.localtime(draft.answer_due_at).date() == datetime.date(2026, 12, 29)
    ReferralDeadlineRule.objects.create(partnership=world.cast.partnership_a, urgent_days=1, normal_days=3)
    services._set_deadlines(draft, sent_at)
    assert timezone.localtime(draft.answer_due_at).date() == datetime.date(2026, 12, 28)
    draft.urgency = "normal"
    services._set_deadlines(draft, sent_at)
    assert timezone.localtime(draft.answer_due_at).date() == datetime.date(2026, 12, 30)


def test_sweep_reminds_escalates_and_expires(world, sent, school_manager):
    mail.outbox.clear()
    result = services.referral_deadlines_sweep(now=sent.remind_at + datetime.timedelta(minutes=1))
    assert result.reminded == 1
    assert Notification.objects.filter(referral=sent, kind="reminder", user=world.cast.tom).exists()
    again = services.referral_deadlines_sweep(now=sent.remind_at + datetime.timedelta(minutes=2))
    assert again.reminded == 0
    after_due = sent.answer_due_at + datetime.timedelta(minutes=1)
    result = services.referral_deadlines_sweep(now=after_due)
    assert result.escalated == 1
    assert Notification.objects.filter(referral=sent, kind="escalation", user=school_manager).exists()
    assert Notification.objects.filter(referral=sent, kind="overdue_notice", user=world.cast.alice).exists()
    result = services.referral_deadlines_sweep(now=sent.expires_at + datetime.timedelta(minutes=1))
    assert result.expired == 1
    sent.refresh_from_db()
    assert sent.state == State.EXPIRED
    assert not privacy_policies.can_see_person(world.cast.tom, world.person)


def test_sweep_suspends_referrals_whose_consent_expired(world, sent):
    world.consent.valid_until = timezone.localdate() - datetime.timedelta(days=1)
    world.consent.save()
    result = services.referral_deadlines_sweep()
    assert result.suspended == 1
    sent.refresh_from_db()
    assert sent.state == State.SUSPENDED and sent.suspension_reason == "consent_expired"


def test_emails_hold_no_personal_data(world, draft, django_capture_on_commit_callbacks):
    sent = draft
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_send(actor=world.cast.alice, referral=draft)
        services.comment_add(actor=world.cast.tom, referral=sent, text="Proszę o kontakt z rodzicem.")
        services.referral_transition(actor=world.cast.tom, referral=sent, action=Action.ACCEPT)
    assert len(mail.outbox) >= 3
    person = world.person
    for message in mail.outbox:
        text = message.subject + message.body
        for value in (
            person.first_name,
            person.last_name,
            person.phone,
            person.street,
            "2012",
            str(person.pk),
            "Proszę",
        ):
            assert value not in text
        assert f"/referrals/{sent.pk}/" in message.body
    assert Notification.objects.filter(emailed_at__isnull=False).count() >= 3


def test_comment_rules(world, sent, school_dpo):
    with pytest.raises(PermissionDenied):
        services.comment_add(actor=school_dpo, referral=sent, text="x")
    with pytest.raises(Http404):
        services.comment_add(actor=world.cast.bob, referral=sent, text="x")
    with pytest.raises(ValidationError):
        services.comment_add(actor=world.cast.alice, referral=sent, text="  ")
    comment = services.comment_add(actor=world.cast.alice, referral=sent, text="Dziękuję")
    assert comment.institution == world.cast.ops_a
    assert Notification.objects.filter(kind="comment", user=world.cast.tom).exists()


def test_mark_read(world, sent):
    notification = Notification.objects.get(user=world.cast.tom, kind="new")
    with pytest.raises(Http404):
        services.notification_mark_read(actor=world.cast.alice, notification_id=notification.pk)
    services.notification_mark_read(actor=world.cast.tom, notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_monitoring_reads_the_referral_facts(world, sent):
    from kooperacja.monitoring.indicators import load_referral_facts

    services.referral_transition(actor=world.cast.tom, referral=sent, action=Action.ACCEPT)
    facts = load_referral_facts(frozenset({world.cast.gmina_a.pk}), period=None, as_of=timezone.localdate())
    assert facts is not None and len(facts) == 1
    fact = facts[0]
    assert fact.sector == "education" and fact.accepted is True
    assert fact.days_to_first_answer is not None and fact.days_to_completion is None and not fact.closed_with_feedback


def test_privacy_consent_expiry_suspends_with_the_expired_reason(world, sent):
    Consent = type(world.consent)
    Consent.objects.filter(pk=world.consent.pk).update(valid_until=timezone.localdate() - datetime.timedelta(days=1))
    assert privacy_services.consents_expire() == 1
    sent.refresh_from_db()
    assert sent.state == State.SUSPENDED and sent.suspension_reason == "consent_expired"
    assert not privacy_policies.can_see_person(world.cast.tom, world.person)


def test_resuming_a_referral_awaiting_an_answer_restarts_its_deadline_and_repeating_it_is_harmless(world, sent):
    cast = world.cast
    privacy_services.consent_withdraw(actor=cast.alice, consent=world.consent)
    Referral.objects.filter(pk=sent.pk).update(
        answer_due_at=timezone.now() - datetime.timedelta(days=9),
        expires_at=timezone.now() - datetime.timedelta(days=1),
        escalated_at=timezone.now() - datetime.timedelta(days=8),
    )
    make_consent(cast, world.person)
    assert services.referral_resume(actor=cast.alice, referral=sent).changed
    sent.refresh_from_db()
    assert sent.state == State.SENT and sent.answer_due_at > timezone.now() and sent.escalated_at is None
    assert services.referral_deadlines_sweep().expired == 0
    count = ReferralTransition.objects.filter(referral=sent).count()
    again = services.referral_resume(actor=cast.alice, referral=sent)
    assert not again.changed and ReferralTransition.objects.filter(referral=sent).count() == count


def test_the_recipient_sees_nothing_else_of_the_case(world, sent, client_for):
    from django.urls import reverse

    client = client_for(world.cast.tom)
    assert client.get(reverse("cases:detail", args=[world.case.pk])).status_code == 404
    assert client.get(f"/api/v1/cases/{world.case.pk}").status_code == 404
    assert privacy_policies.visible_categories(actor=world.cast.tom, person=world.person) == set(sent.categories)


def test_escalation_without_a_manager_reaches_the_recipients_staff(world, sent):
    result = services.referral_deadlines_sweep(now=sent.answer_due_at + datetime.timedelta(minutes=1))
    assert result.escalated == 1
    assert Notification.objects.filter(referral=sent, kind="escalation", user=world.cast.tom).exists()
    assert Notification.objects.filter(referral=sent, kind="overdue_notice", user=world.cast.alice).exists()


def test_escalation_goes_to_the_manager_only_when_there_is_one(world, sent, school_manager):
    services.referral_deadlines_sweep(now=sent.answer_due_at + datetime.timedelta(minutes=1))
    escalated = set(Notification.objects.filter(referral=sent, kind="escalation").values_list("user_id", flat=True))
    assert escalated == {school_manager.pk}
