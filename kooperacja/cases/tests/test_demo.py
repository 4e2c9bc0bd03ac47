"""The demo cases: loaded over the directory demo, idempotent, with tasks in the inboxes of `pedagog` and `kurator`."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kooperacja.accounts.models import User
from kooperacja.cases import demo, policies, selectors
from kooperacja.cases.models import Case, CaseEvent, Stage
from kooperacja.cases.tests import factories

pytestmark = pytest.mark.django_db


def test_load_is_idempotent_and_fills_the_inboxes(django_db_blocker) -> None:
    from kooperacja.demo.directory_demo import demo_load

    demo_load()
    factories.legal_bases()
    summary = demo.load(cases_per_gmina=16)
    assert summary.cases == 48 and not summary.skipped_gminy
    assert set(Case.objects.values_list("stage", flat=True)) == set(Stage.values)
    # Closed with a summary conversation, and early with a reason.
    closed = Case.objects.filter(stage=Stage.CLOSED)
    assert closed.exclude(early_closure_reason="").exists() and closed.filter(early_closure_reason="").exists()
    # The history is spread over the time since the application, not dated at load time.
    today = timezone.localdate()
    for case in Case.objects.all():
        start = case.application_date or case.reported_on
        assert case.opened_on == start and case.opened_on <= today
        assert case.closed_on is None or start <= case.closed_on <= today
        moments = list(CaseEvent.objects.filter(case=case).order_by("pk").values_list("at", flat=True))
        assert moments == sorted(moments) and moments[-1] <= timezone.now()
    implemented = Case.objects.filter(stage=Stage.IMPLEMENTATION).first()
    assert implemented is not None and implemented.opened_on < today - datetime.timedelta(days=30)
    assert implemented.team_members.filter(joined_on__lt=today).exists()
    assert demo.load(cases_per_gmina=16).already_loaded
    assert Case.objects.count() == 48
    pedagog = User.objects.get(username="pedagog")
    kurator = User.objects.get(username="kurator")
    assert selectors.inbox(pedagog).exists()
    assert selectors.inbox(kurator).exists()
    coordinator = User.objects.get(username="koordynator")
    assert policies.owned_cases(coordinator).count() == 16
    counts = demo.delete()
    assert counts["cases"] and not Case.objects.exists()
