"""generate_cases on a small N: cases over existing persons, with teams, plans, tasks and grants; resumable."""

from __future__ import annotations

import pytest

from kooperacja.cases import policies, selectors
from kooperacja.cases.models import Case, Task
from kooperacja.cases.scale import generate_cases
from kooperacja.cases.tests import factories
from kooperacja.privacy.models import AccessGrant

pytestmark = pytest.mark.django_db


def test_generate_cases_small(cast, bases) -> None:
    for index in range(30):
        factories.person(recorded_by=cast.ops_a, gmina=cast.gmina_a, first_name=f"Osoba{index}")
    calls: list[tuple[int, int]] = []
    summary = generate_cases(cases=20, chunk=8, progress=lambda advance, total: calls.append((advance, total)))
    assert summary.cases == 20 and Case.objects.count() == 20
    assert [advance for advance, _total in calls] == [8, 8, 4]
    assert AccessGrant.objects.filter(source_type="case_owner").count() == 20
    assert Task.objects.exists()
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 20
    # The generated cases answer the same policies as real ones.
    coordinator_id = Case.objects.first().coordinator_id
    from kooperacja.accounts.models import User

    coordinator = User.objects.get(pk=coordinator_id)
    assert policies.owned_cases(coordinator).count() == 20
    assert selectors.caseload(coordinator).count() == 20
    again = generate_cases(cases=50)
    assert again.cases == 10 and again.skipped_persons == 20 and Case.objects.count() == 30
