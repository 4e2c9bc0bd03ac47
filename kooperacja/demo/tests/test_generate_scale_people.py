"""generate_scale --persons/--cases: synthetic persons in households and cases over them, after the directory."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from kooperacja.cases.models import Case
from kooperacja.people.models import Household, Person
from kooperacja.privacy.models import AccessGrant

pytestmark = pytest.mark.django_db


def test_persons_households_and_cases_in_bulk_and_a_second_run_adds_nothing() -> None:
    out = StringIO()
    call_command("generate_scale", "--gminy", "3", "--persons", "90", "--cases", "30", stdout=out, verbosity=0)
    assert Person.objects.count() == 90
    assert Household.objects.count() == 36  # 40 % of the persons by default
    assert Case.objects.count() == 30
    # Every person is visible to the OPS that recorded it (its "record" grant), and no one else.
    assert AccessGrant.objects.filter(source_type="record").count() == 90
    assert "persons: 90 in 36 households" in out.getvalue()
    call_command("generate_scale", "--gminy", "3", "--persons", "90", "--cases", "30", stdout=StringIO(), verbosity=0)
    assert (Person.objects.count(), Case.objects.count()) == (90, 30)
