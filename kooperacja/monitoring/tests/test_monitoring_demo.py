"""The monitoring demo: loads once on top of the directory demo, `rops` sees her voivodeship, `admin` the country."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse

from kooperacja.accounts.models import User
from kooperacja.demo import monitoring_demo
from kooperacja.demo.directory_demo import demo_load
from kooperacja.monitoring.models import IndicatorSnapshot, Milestone, Pilot, Project


@pytest.mark.django_db
def test_demo_loads_once_and_scopes_the_accounts(client: Client) -> None:
    demo_load()
    out = io.StringIO()
    monitoring_demo.load(stdout=out)
    assert Project.objects.count() == 3
    assert Milestone.objects.count() == 12
    assert Pilot.objects.values("gmina").distinct().count() == 23
    assert Pilot.objects.values("gmina__voivodeship__macroregion").distinct().count() == 3
    assert IndicatorSnapshot.objects.filter(period="2020-Q2", scope_kind="country").exists()
    counts = (Pilot.objects.count(), IndicatorSnapshot.objects.count())
    monitoring_demo.load(stdout=out)
    assert (Pilot.objects.count(), IndicatorSnapshot.objects.count()) == counts
    assert "already loaded" in out.getvalue()

    client.force_login(User.objects.get(username="rops"))
    assert client.get(reverse("monitoring:dashboard"))["Location"] == reverse("monitoring:voivodeship", args=["24"])
    page = client.get(reverse("monitoring:voivodeship", args=["24"]))
    assert page.status_code == 200
    assert "Gliwice" in page.content.decode() and "Rybnik" in page.content.decode()
    assert client.get(reverse("monitoring:gmina", args=["1807012"])).status_code == 404  # Chorkówka, podkarpackie

    client.force_login(User.objects.get(username="admin"))
    country = client.get(reverse("monitoring:dashboard")).content.decode()
    for code in ("east", "north-west", "south"):
        assert reverse("monitoring:macroregion", args=[code]) in country
    frozen = client.get(reverse("monitoring:dashboard"), {"period": "2020-Q2"}).content.decode()
    assert "2020-Q2" in frozen

    monitoring_demo.delete()
    assert not Project.objects.exists() and not Pilot.objects.exists()
