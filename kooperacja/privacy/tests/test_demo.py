"""The privacy demo loads on top of the directory demo, once, and the demo DPO sees her registers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kooperacja.accounts.models import User
from kooperacja.demo.directory_demo import demo_load
from kooperacja.privacy import demo
from kooperacja.privacy.models import Breach, ProcessingActivity, RetentionRule, SubjectRequest

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return (
        ProcessingActivity.objects.count(),
        RetentionRule.objects.count(),
        Breach.objects.count(),
        SubjectRequest.objects.count(),
    )


def test_demo_loads_once_and_deletes(client_for):
    demo_load()
    assert demo.load(rng_seed=1).startswith("privacy: ")
    counts = _counts()
    assert all(counts)
    assert "already loaded" in demo.load(rng_seed=1)
    assert _counts() == counts
    page = client_for(User.objects.get(username="iod")).get(reverse("privacy:activity_list")).content.decode()
    assert "Praca socjalna i indywidualne plany" in page
    assert client_for(User.objects.get(username="pedagog")).get(reverse("privacy:dpo_home")).status_code == 404
    demo.delete()
    assert _counts() == (0, 0, 0, 0)
