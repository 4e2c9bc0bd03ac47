"""50 simultaneous transitions on one referral (PostgreSQL: real row locks): one valid final state, each change
audited once. Run with DATABASE_URL=postgres://…"""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from kooperacja.core.models import AuditEvent
from kooperacja.referrals import services
from kooperacja.referrals.models import Action, Referral, ReferralTransition, State

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)"),
]


def test_fifty_simultaneous_transitions(world, sent):
    tom = world.cast.tom
    services.referral_mark_received(actor=tom, referral=sent)
    barrier = threading.Barrier(50)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        action = Action.ACCEPT if n % 2 == 0 else Action.DECLINE
        try:
            barrier.wait()
            result = services.referral_transition(actor=tom, referral=sent.pk, action=action, reason="no_capacity")
            with lock:
                outcomes.append("changed" if result.changed else "same")
        except ValidationError:
            with lock:
                outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    referral = Referral.objects.get(pk=sent.pk)
    assert referral.state in (State.ACCEPTED, State.DECLINED)
    assert len(outcomes) == 50
    assert outcomes.count("changed") == 1
    answers = ReferralTransition.objects.filter(referral=referral, from_state=State.RECEIVED)
    assert answers.count() == 1 and answers.get().to_state == referral.state
    assert (
        AuditEvent.objects.filter(
            object_id=str(referral.pk), action__in=["referrals.accept", "referrals.decline"]
        ).count()
        == 1
    )
    assert referral.version == 3  # send, receive, one answer


def test_a_transition_does_not_hold_up_another_referral_of_the_same_institutions(world, sent, draft):
    """While one referral's transition is still open, a transition of ANOTHER referral between the same institutions
    (same sender, recipient and person) goes through: only the referral's own row is locked. Locking the joined
    institution rows as well queued every transition of a busy institution and deadlocked under load."""
    tom, alice = world.cast.tom, world.cast.alice
    second = services.referral_create(
        actor=alice,
        case=world.case,
        recipient=world.cast.school_a,
        reason="Druga prośba o konsultację.",
        categories=["identity"],
    )
    services.referral_send(actor=alice, referral=second)
    first_locked, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold_first() -> None:
        try:
            from django.db import transaction

            with transaction.atomic():
                services.referral_transition(actor=tom, referral=sent.pk, action=Action.ACCEPT)
                first_locked.set()
                release.wait(10)
        except BaseException as exc:  # reported below
            errors.append(exc)
            first_locked.set()
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_first)
    holder.start()
    try:
        assert first_locked.wait(10)
        from django.db import transaction

        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '3s'")
            result = services.referral_transition(actor=tom, referral=second.pk, action=Action.ACCEPT)
        assert result.changed and result.referral.state == State.ACCEPTED
    finally:
        release.set()
        holder.join()
    assert not errors
    assert Referral.objects.get(pk=sent.pk).state == State.ACCEPTED
