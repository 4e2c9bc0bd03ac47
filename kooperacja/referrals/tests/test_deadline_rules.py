"""A partnership's answer deadlines, set by those who maintain it (page and API), and used by the next referral
between its members."""

from __future__ import annotations

import json

from django.urls import reverse
from django.utils import timezone

from kooperacja.core.models import AuditEvent
from kooperacja.referrals import services
from kooperacja.referrals.models import ReferralDeadlineRule
from kooperacja.referrals.workdays import add_working_days

FORM = {"urgent_days": "1", "normal_days": "3", "reminder_days": "1", "expire_after_days": "2"}


def test_the_partnership_page_shows_the_deadlines(world, client_for):
    partnership = world.cast.partnership_a
    page = client_for(world.cast.tom).get(reverse("directory:partnership_detail", args=[partnership.pk]))
    body = page.content.decode()
    assert 'id="referral-deadlines"' in body and "<dd>7</dd>" in body
    assert reverse("referrals:partnership_deadlines", args=[partnership.pk]) in body


def test_maintainer_sets_the_deadlines_others_may_not(world, client_for, draft):
    cast = world.cast
    url = reverse("referrals:partnership_deadlines", args=[cast.partnership_a.pk])
    api = f"/api/v1/referrals/partnerships/{cast.partnership_a.pk}/deadlines"
    for user, status in ((cast.tom, 403), (cast.dora, 403), (cast.olga, 404)):
        client = client_for(user)
        assert client.post(url, FORM).status_code == status, user
        response = client.put(
            api, data=json.dumps({k: int(v) for k, v in FORM.items()}), content_type="application/json"
        )
        assert response.status_code == status, user
        assert 'name="urgent_days"' not in client.get(url).content.decode()
    assert not ReferralDeadlineRule.objects.exists()
    client = client_for(cast.alice)
    assert 'name="urgent_days"' in client.get(url).content.decode()
    assert client.post(url, {**FORM, "urgent_days": "0"}).status_code == 200  # refused: at least one day
    assert client.post(url, FORM).status_code == 302
    rule = ReferralDeadlineRule.objects.get(partnership=cast.partnership_a)
    assert (rule.urgent_days, rule.normal_days, rule.reminder_days, rule.expire_after_days) == (1, 3, 1, 2)
    assert AuditEvent.objects.filter(action="referrals.rule_add", object_id=str(rule.pk), actor=cast.alice).exists()
    body = client.put(
        api,
        data=json.dumps({**{k: int(v) for k, v in FORM.items()}, "normal_days": 4}),
        content_type="application/json",
    )
    assert body.status_code == 200 and body.json()["normal_days"] == 4
    assert client_for(cast.olga).get(api).json()["normal_days"] == 4  # public like the partnership itself
    # The next referral between members follows the rule.
    services.referral_send(actor=cast.alice, referral=draft)
    draft.refresh_from_db()
    sent_on = timezone.localtime(draft.sent_at).date()
    assert timezone.localtime(draft.answer_due_at).date() == add_working_days(sent_on, 4)
    assert timezone.localtime(draft.expires_at).date() == add_working_days(add_working_days(sent_on, 4), 2)
