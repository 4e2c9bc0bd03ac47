"""The services of the cases context: what they write, what they refuse, and the grants they open and end."""

from __future__ import annotations

import pytest

from kooperacja.cases import policies
from kooperacja.cases.models import CaseEvent, PlanStatus, Stage
from kooperacja.core.models import AuditEvent
from kooperacja.privacy.models import AccessGrant

pytestmark = pytest.mark.django_db


def test_world_builds(world) -> None:
    case = world.case
    assert case.number.startswith("MOPS-A/")
    assert case.stage == Stage.PLANNING
    assert world.plan.status == PlanStatus.APPROVED
    grants = AccessGrant.objects.filter(person=case.person, ended_at__isnull=True)
    assert {g.source_type for g in grants} == {"case_owner", "case_team"}
    assert CaseEvent.objects.filter(case=case).count() >= 6
    assert AuditEvent.objects.filter(action__startswith="cases.").count() >= 6
    assert policies.visible_cases(world.cast.tom).filter(pk=case.pk).exists()
    assert not policies.visible_cases(world.cast.bob).filter(pk=case.pk).exists()
