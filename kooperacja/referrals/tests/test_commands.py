from __future__ import annotations

import datetime
from io import StringIO

from django.core.management import call_command
from django.template import Context, Template
from django.utils import timezone

from kooperacja.referrals.models import Notification, Referral, State


def test_command_sweeps_and_enqueues(world, sent):
    Referral.objects.filter(pk=sent.pk).update(
        answer_due_at=timezone.now() - datetime.timedelta(days=3),
        remind_at=timezone.now() - datetime.timedelta(days=4),
        expires_at=timezone.now() - datetime.timedelta(hours=1),
    )
    out = StringIO()
    call_command("referral_deadlines", stdout=out)
    assert "escalated=1" in out.getvalue() and "expired=1" in out.getvalue()
    sent.refresh_from_db()
    assert sent.state == State.EXPIRED
    assert Notification.objects.filter(referral=sent, kind="overdue_notice", user=world.cast.alice).exists()
    out = StringIO()
    call_command("referral_deadlines", "--enqueue", stdout=out)
    assert "Enqueued task" in out.getvalue()


def test_institution_metrics_tag(world, sent):
    html = Template("{% load referrals %}{% referral_metrics institution %}").render(
        Context({"institution": world.cast.school_a})
    )
    assert "Skierowania otrzymane" in html and "<dd>1</dd>" in html
