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
