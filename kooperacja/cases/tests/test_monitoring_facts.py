"""The monitoring indicators light up from live cases: persons and families supported, plans closed and successful."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from kooperacja.cases import services
from kooperacja.cases.facts import case_facts_for_monitoring
from kooperacja.cases.tests import factories
from kooperacja.cases.tests.conftest import open_case
from kooperacja.core.testing.cast import Cast
from kooperacja.monitoring import indicators
from kooperacja.monitoring.models import ModelVariant, Pilot, PilotStatus

pytestmark = pytest.mark.django_db


def test_rows_one_per_person_or_family_refused_left_out(cast: Cast, bases: object) -> None:
    today = timezone.localdate()
    closed = open_case(cast)
    services.case_qualify(actor=cast.alice, case=closed, decision="accepted")
    plan = services.plan_create(actor=cast.alice, case=closed)
    goal = services.goal_add(actor=cast.alice, plan=plan, title="Praca")
    services.case_close(
        actor=cast.alice,
        case=closed,
        outcomes={goal.pk: "achieved"},
        success=True,
        early_closure_reason="cel osiągnięty",
    )
    # A second, later case of the same person counts once (the latest stands for the person).
    again = open_case(cast, person=closed.person)
    refused = open_case(cast)
    services.case_qualify(actor=cast.alice, case=refused, decision="refused", reason="poza kryteriami")
    members = [factories.person(recorded_by=cast.ops_a, gmina=cast.gmina_a) for _ in range(2)]
    household = factories.household(recorded_by=cast.ops_a, members=members, gmina=cast.gmina_a)
    services.case_open(
        actor=cast.alice,
        owner_institution=cast.ops_a,
        household=household,
        intake_source="application",
        channel="in_person",
        application_date=today,
    )

    rows = list(case_facts_for_monitoring(gmina_ids=frozenset({cast.gmina_a.pk}), start=None, as_of=today))
    persons = [row for row in rows if row[1] == "person"]
    assert len(persons) == 1  # `closed` and `again` are one person; `refused` is no support
    assert persons[0][3] is None and persons[0][4] == ""  # the latest case (`again`) is open
    assert again.person_id == closed.person_id
    assert [row[1] for row in rows].count("family") == 1
    # Nothing opened after `as_of` is counted.
    assert (
        list(
            case_facts_for_monitoring(
                gmina_ids=frozenset({cast.gmina_a.pk}), start=None, as_of=today - datetime.timedelta(days=1)
            )
        )
        == []
    )


def test_the_dashboard_shows_case_figures_once_cases_exist(
    cast: Cast, bases: object, client_for: Callable[..., Client]
) -> None:
    Pilot.objects.create(
        gmina=cast.gmina_a,
        county=cast.county_a,
        variant=ModelVariant.CITIES_3D,
        rops=cast.rops_a,
        status=PilotStatus.RUNNING,
        started_on=datetime.date(2024, 1, 1),
    )
    for _ in range(6):
        case = open_case(cast)
        services.case_qualify(actor=cast.alice, case=case, decision="accepted")
    assert indicators.is_available("persons_supported")
    facts = indicators.load_case_facts(frozenset({cast.gmina_a.pk}), period=None, as_of=timezone.localdate())
    assert facts is not None and len(facts) == 6
    response = client_for(cast.rosa).get("/api/v1/monitoring/indicators?level=voivodeship&code=24")
    assert response.status_code == 200, response.content
    rows = {row["key"]: row for row in response.json()["indicators"]}
    assert rows["persons_supported"]["value"] == 6
    assert not rows["persons_supported"]["note"]
