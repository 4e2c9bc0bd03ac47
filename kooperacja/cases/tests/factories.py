"""Factories for the cases tests. Persons, households, legal bases and consents are made here (not in the shared
core factories) until the people and privacy branches land; the legal bases use the codes agreed in the contract."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from kooperacja.accounts.models import User
from kooperacja.people.models import Household, HouseholdMember, Person
from kooperacja.privacy.models import Consent, DataCategory, LegalBasis

ALL = list(DataCategory.values)

LEGAL_BASES: tuple[dict[str, Any], ...] = (
    {"code": "gdpr-6-1-a", "kind": "gdpr_art6", "reference": "RODO art. 6 ust. 1 lit. a", "is_consent": True},
    {"code": "gdpr-6-1-c", "kind": "gdpr_art6", "reference": "RODO art. 6 ust. 1 lit. c", "covers": ALL},
    {"code": "gdpr-6-1-e", "kind": "gdpr_art6", "reference": "RODO art. 6 ust. 1 lit. e", "covers": ALL},
    {"code": "gdpr-9-2-a", "kind": "gdpr_art9", "reference": "RODO art. 9 ust. 2 lit. a", "is_consent": True},
    {"code": "gdpr-9-2-b", "kind": "gdpr_art9", "reference": "RODO art. 9 ust. 2 lit. b"},
    {"code": "gdpr-9-2-h", "kind": "gdpr_art9", "reference": "RODO art. 9 ust. 2 lit. h"},
    {
        "code": "ups-art-100",
        "kind": "national_act",
        "reference": "ustawa o pomocy społecznej, art. 100",
        "covers": ALL,
        "institution_kinds": ["ops", "cus", "pcpr"],
    },
    {
        "code": "uwr-art-15",
        "kind": "national_act",
        "reference": "ustawa o wspieraniu rodziny, art. 15",
        "covers": ["identity", "contact", "family", "education", "health", "housing", "finances"],
        "institution_kinds": ["ops", "cus", "pcpr"],
    },
    {
        "code": "upprzd-art-9c",
        "kind": "national_act",
        "reference": "ustawa o przeciwdziałaniu przemocy domowej, art. 9c",
        "covers": ALL,
    },
    {
        "code": "ucus-art-8",
        "kind": "national_act",
        "reference": "ustawa o realizowaniu usług społecznych przez CUS, art. 8",
        "covers": ALL,
        "institution_kinds": ["cus"],
    },
)


def legal_bases() -> dict[str, LegalBasis]:
    """The contract's legal bases (get or create: privacy's data migration may already have seeded them)."""
    result = {}
    for spec in LEGAL_BASES:
        data = dict(spec)
        code = data.pop("code")
        basis, _created = LegalBasis.objects.get_or_create(code=code, defaults={"title": code, **data})
        result[code] = basis
    return result


def person(*, recorded_by: Any, gmina: Any = None, **fields: Any) -> Person:
    values: dict[str, Any] = {
        "first_name": "Anna",
        "last_name": "Żółkiewska",
        "birth_date": datetime.date(1985, 4, 12),
        "sex": "F",
        "street": "ul. Testowa 1",
        "town": "Miastko A",
        "phone": "600100200",
        **fields,
    }
    return Person.objects.create(recorded_by_institution=recorded_by, gmina=gmina, **values)


def household(*, recorded_by: Any, members: list[Person], gmina: Any = None) -> Household:
    home = Household.objects.create(name="rodzina Testowa", recorded_by_institution=recorded_by, gmina=gmina)
    for index, member in enumerate(members):
        HouseholdMember.objects.create(household=home, person=member, relation="head" if index == 0 else "child")
    return home


def consent(
    *,
    person: Person,
    recorded_by: Any,
    recipients: list[Any],
    categories: list[str],
    given_on: datetime.date | None = None,
    recorded_orally_by: Any = None,
) -> Consent:
    item = Consent.objects.create(
        person=person,
        recorded_by_institution=recorded_by,
        purpose="Współpraca w zespole kooperacyjnym",
        categories=categories,
        given_on=given_on or timezone.localdate(),
        # A consent has its signed document or the worker who recorded it orally (privacy's database constraint):
        # by default a worker of the recording institution.
        recorded_orally_by=recorded_orally_by
        or User.objects.filter(memberships__institution=recorded_by).order_by("pk").first(),
    )
    item.recipients.set(recipients)
    return item
