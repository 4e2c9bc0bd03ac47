"""Fixtures of the people tests: the legal bases, and a person recorded by OPS A whom tom sees through a consent
covering identity only."""

from __future__ import annotations

from typing import Any

import pytest

from kooperacja.core.testing.cast import Cast
from kooperacja.people.models import Person
from kooperacja.people.tests import factories as pf
from kooperacja.privacy.models import DataCategory


@pytest.fixture
def bases(db: None) -> dict[str, Any]:
    return pf.legal_bases()


@pytest.fixture
def anna(cast: Cast, bases: dict[str, Any]) -> Person:
    """Recorded by OPS A (alice's and dora's), seen by tom (school A) through a consent for identity only."""
    person = pf.person(
        institution=cast.ops_a,
        street="ul. Lipowa 3",
        postal_code="44-200",
        town="Miastko A",
        phone="600100200",
        email="anna@example.invalid",
        gmina=cast.gmina_a,
    )
    pf.consent_grant(person=person, recorded_by=cast.ops_a, recipient=cast.school_a, categories=[DataCategory.IDENTITY])
    return person
