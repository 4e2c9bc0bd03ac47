"""The demo cases: loaded over the directory demo, idempotent, with tasks in the inboxes of `pedagog` and `kurator`."""

from __future__ import annotations

import pytest

from kooperacja.accounts.models import User
from kooperacja.cases import demo, policies, selectors
from kooperacja.cases.models import Case, Stage
from kooperacja.cases.tests import factories

pytestmark = pytest.mark.django_db


def test_load_is_idempotent_and_fills_the_inboxes(django_db_blocker) -> None:
    from kooperacja.demo.directory_demo import demo_load

    demo_load()
    factories.legal_bases()
    summary = demo.load(cases_per_gmina=16)
    assert summary.cases == 48 and not summary.skipped_gminy
    assert set(Case.objects.values_list("stage", flat=True)) == set(Stage.values)
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
