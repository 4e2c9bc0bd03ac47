from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from kooperacja.accounts.models import User
from kooperacja.cases.models import Case
from kooperacja.demo.directory_demo import demo_load
from kooperacja.privacy import policies as privacy_policies
from kooperacja.referrals import demo
from kooperacja.referrals.models import Notification, Referral, State

pytestmark = pytest.mark.django_db


def test_demo_every_state_some_overdue_idempotent_and_deletable(client_for):
    demo_load()
    out = io.StringIO()
    assert demo.load(stdout=out) == len(demo.PLAN)
    assert set(Referral.objects.values_list("state", flat=True)) == set(State.values)
    assert sum(1 for r in Referral.objects.all() if r.is_overdue) >= 2
    # Every demo referral names a directory service: the draft shows its capacity and similar services nearby.
    assert not Referral.objects.filter(service__isnull=True).exists()
    coordinator = User.objects.get(username="koordynator")
    draft = Referral.objects.get(state=State.DRAFT)
    draft_page = client_for(coordinator).get(reverse("referrals:detail", args=[draft.pk])).content.decode()
    assert draft.service.name in draft_page and draft.service.get_capacity_status_display() in draft_page
    # The deadline sweep ran: the overdue ones were escalated and their sender told.
    overdue = [r for r in Referral.objects.all() if r.is_overdue]
    assert all(r.escalated_at is not None for r in overdue)
    assert Notification.objects.filter(user=coordinator, kind="overdue_notice").count() == len(overdue)
    # Deadlines fall on working days (recomputed after the demo moved the dates into the past).
    from kooperacja.referrals.workdays import is_working_day

    assert all(
        is_working_day(timezone.localtime(r.answer_due_at).date()) for r in Referral.objects.exclude(answer_due_at=None)
    )
    assert demo.load(stdout=out) == 0 and "already loaded" in out.getvalue()
    teacher = User.objects.get(username="pedagog")
    client = client_for(teacher)
    page = client.get(reverse("referrals:inbox") + "?tab=overdue")
    assert page.status_code == 200 and "po terminie" in page.content.decode()
    suspended = Referral.objects.get(state=State.SUSPENDED)
    assert not privacy_policies.can_see_person(teacher, suspended.person)
    completed = Referral.objects.filter(state=State.COMPLETED, recipient__referrals_received__isnull=False).first()
    assert completed is not None and completed.completed_at > completed.sent_at
    outsider = client_for(User.objects.get(username="ops-b"))
    assert outsider.get(reverse("referrals:detail", args=[completed.pk])).status_code == 404
    demo.delete()
    assert not Referral.objects.exists()
    assert not Case.objects.filter(number__startswith=demo.CASE_PREFIX).exists()
