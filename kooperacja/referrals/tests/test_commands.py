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


def test_admin_rule_is_audited_and_referrals_read_only(world, sent, client_for):
    from kooperacja.core.models import AuditEvent
    from kooperacja.referrals.models import ReferralDeadlineRule

    client = client_for(world.cast.root)
    response = client.post(
        "/admin/referrals/referraldeadlinerule/add/",
        {
            "partnership": str(world.cast.partnership_a.pk),
            "urgent_days": "1",
            "normal_days": "5",
            "reminder_days": "1",
            "expire_after_days": "3",
        },
    )
    assert response.status_code == 302
    rule = ReferralDeadlineRule.objects.get()
    assert AuditEvent.objects.filter(action="referrals.rule_add", object_id=str(rule.pk)).exists()
    assert client.get("/admin/referrals/referral/").status_code == 404  # persons' data stays out of the admin


def test_ready_registers_the_callback():
    from django.apps import apps

    from kooperacja.privacy import services as privacy_services
    from kooperacja.referrals.services import referrals_suspend_for_consent

    saved = list(privacy_services._consent_ended_callbacks)
    try:
        privacy_services._consent_ended_callbacks.clear()
        apps.get_app_config("referrals").ready()
        assert referrals_suspend_for_consent in privacy_services._consent_ended_callbacks
    finally:
        privacy_services._consent_ended_callbacks[:] = saved
