"""task_create_from_decision: what governance calls to turn a case conference's decision into a plan task."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kooperacja.cases import services
from kooperacja.cases.models import CaseEvent, PlanStatus

pytestmark = pytest.mark.django_db


def test_decision_becomes_a_task_of_the_draft_plan(world) -> None:
    cast = world.cast
    with pytest.raises(ValidationError):  # no draft: the plan in force is not changed behind the approver's back
        services.task_create_from_decision(
            actor=cast.alice, case=world.case, title="Konsultacja", owner_institution=cast.school_a
        )
    draft = services.plan_new_version(actor=cast.alice, case=world.case)
    task = services.task_create_from_decision(
        actor=cast.alice,
        case=world.case,
        title="Konsultacja psychologiczna",
        owner_institution=cast.school_a,
        owner_user=cast.tom,
        source="governance.decision:7",
    )
    assert task.plan == draft and draft.status == PlanStatus.DRAFT
    event = CaseEvent.objects.get(case=world.case, kind="task_from_decision")
    assert event.summary == "governance.decision:7"
    with pytest.raises(PermissionDenied):  # readers may not: tom (a partner in the team)
        services.task_create_from_decision(actor=cast.tom, case=world.case, title="x", owner_institution=cast.ops_a)
