"""Test data of the referrals context, built on the shared cast (the models of people, privacy and cases)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kooperacja.cases.models import Case, ModelVariant, PlanLabel
from kooperacja.core.testing.cast import Cast
from kooperacja.people.models import Person
from kooperacja.privacy import services as privacy_services
from kooperacja.privacy.models import Consent, LegalBasis, LegalBasisKind

ALL = [
    "identity",
    "contact",
    "family",
    "health",
    "addiction",
    "violence",
    "education",
    "employment",
    "finances",
    "housing",
    "justice",
]


def legal_basis(code: str) -> LegalBasis:
    """The legal bases privacy seeds (get_or_create: the same codes as privacy's data migration)."""
    specs: dict[str, dict[str, Any]] = {
        "ups-art-100": {
            "kind": LegalBasisKind.NATIONAL_ACT,
            "title": "Zadania ośrodka pomocy społecznej",
            "reference": "art. 100 ustawy o pomocy społecznej",
            "covers": ALL,
            "institution_kinds": ["ops", "cus", "pcpr"],
        },
        "gdpr-6-1-a": {
            "kind": LegalBasisKind.GDPR_ART6,
            "title": "Zgoda",
            "reference": "art. 6 ust. 1 lit. a RODO",
            "covers": [],
            "is_consent": True,
        },
    }
    basis, _ = LegalBasis.objects.get_or_create(code=code, defaults=specs[code])
    return basis


@dataclass
class World:
    cast: Cast
    person: Person
    case: Case
    consent: Consent


def make_person(cast: Cast, **fields: Any) -> Person:
    values: dict[str, Any] = {
        "first_name": "Janina",
        "last_name": "Testowa",
        "birth_date": datetime.date(2012, 3, 4),
        "sex": "F",
        "phone": "600100200",
        "street": "ul. Polna 1",
        "town": "Miastko A",
        "recorded_by_institution": cast.ops_a,
    }
    values.update(fields)
    return Person.objects.create(**values)


def make_case(cast: Cast, person: Person, *, number: str = "S/1/2026") -> Case:
    return Case.objects.create(
        number=number,
        owner_institution=cast.ops_a,
        coordinator=cast.alice,
        gmina=cast.gmina_a,
        person=person,
        variant=ModelVariant.STANDARD,
        plan_label=PlanLabel.PLAN,
        intake_source="application",
        application_date=timezone.localdate(),
        channel="in_person",
        stage="implementation",
    )


def make_consent(cast: Cast, person: Person, *, recipient: Any = None, categories: list[str] | None = None) -> Consent:
    consent = Consent.objects.create(
        person=person,
        recorded_by_institution=cast.ops_a,
        purpose="Pomoc w szkole",
        categories=categories or ["identity", "contact", "education"],
        given_on=timezone.localdate() - datetime.timedelta(days=10),
        recorded_orally_by=cast.alice,
    )
    consent.recipients.add(recipient or cast.school_a)
    return consent


def make_world(cast: Cast) -> World:
    """A person recorded by OPS A (statutory basis), her case at OPS A, and her consent to share three categories
    with school A."""
    person = make_person(cast)
    privacy_services.grant_open(
        actor=cast.alice,
        person=person,
        institution=cast.ops_a,
        categories=ALL,
        source_type="record",
        source_id=str(person.pk),
        legal_basis=legal_basis("ups-art-100"),
    )
    case = make_case(cast, person)
    consent = make_consent(cast, person)
    return World(cast=cast, person=person, case=case, consent=consent)
