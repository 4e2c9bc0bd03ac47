"""Fixtures of the cases tests: the legal bases, a person of OPS A with a case, consents for the school."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from kooperacja.cases import services
from kooperacja.cases.models import Case, CaseRules, Goal, IntakeChannel, IntakeSource, Plan, Task, TeamRole
from kooperacja.cases.tests import factories
from kooperacja.core.testing.cast import Cast
from kooperacja.privacy.models import Consent, LegalBasis


@pytest.fixture
def bases(db: None) -> dict[str, LegalBasis]:
    return factories.legal_bases()


@dataclass
class World:
    cast: Cast
    bases: dict[str, LegalBasis]
    case: Case
    consent: Consent
    plan: Plan
    goal: Goal
    task: Task


def open_case(cast: Cast, **extra: Any) -> Case:
    person = extra.pop("person", None) or factories.person(recorded_by=cast.ops_a, gmina=cast.gmina_a)
    values: dict[str, Any] = {
        "actor": cast.alice,
        "owner_institution": cast.ops_a,
        "person": person,
        "intake_source": IntakeSource.APPLICATION,
        "channel": IntakeChannel.IN_PERSON,
        "application_date": timezone.localdate() - datetime.timedelta(days=3),
        **extra,
    }
    return services.case_open(**values)


@pytest.fixture
def world(cast: Cast, bases: dict[str, LegalBasis]) -> World:
    """Alice's case of a person, qualified, with the school in the team on the person's consent, an approved plan
    with a task for the school."""
    case = open_case(cast)
    services.case_qualify(actor=cast.alice, case=case, decision="accepted")
    consent = factories.consent(
        person=case.person,
        recorded_by=cast.ops_a,
        recipients=[cast.school_a],
        categories=["identity", "contact", "education"],
        recorded_orally_by=cast.alice,
    )
    services.team_member_add(
        actor=cast.alice,
        case=case,
        institution=cast.school_a,
        user=cast.tom,
        role=TeamRole.PEDAGOGUE,
        categories=["identity", "education"],
    )
    plan = services.plan_create(actor=cast.alice, case=case)
    goal = services.goal_add(actor=cast.alice, plan=plan, title="Regularne uczęszczanie do szkoły")
    task = services.task_add(
        actor=cast.alice,
        plan=plan,
        goal=goal,
        title="Cotygodniowe konsultacje z pedagogiem",
        owner_institution=cast.school_a,
        owner_user=cast.tom,
        due_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    services.plan_submit(actor=cast.alice, plan=plan)
    case.refresh_from_db()
    plan.refresh_from_db()
    return World(cast=cast, bases=bases, case=case, consent=consent, plan=plan, goal=goal, task=task)


@pytest.fixture
def cus_rules(cast: Cast) -> CaseRules:
    rules = CaseRules.for_variant("cus", gmina=cast.gmina_a)
    rules.full_clean()
    rules.save()
    return rules
