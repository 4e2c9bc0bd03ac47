"""Factories of the people tests: the statutory legal bases (until privacy's data migration seeds them), persons
recorded by an institution with its "record" grant, consent grants for partners, households."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from kooperacja.accounts.models import User
from kooperacja.people import crypto
from kooperacja.people.models import Household, HouseholdMember, Person
from kooperacja.people.pesel import pesel_for
from kooperacja.privacy.models import AccessGrant, Consent, DataCategory, LegalBasis, LegalBasisKind

ALL = list(DataCategory.values)


def legal_bases() -> dict[str, LegalBasis]:
    """The bases people relies on, with the contract's codes (get_or_create: a no-op once privacy seeds them)."""
    specs = {
        "ups-art-100": (
            LegalBasisKind.NATIONAL_ACT,
            "Ustawa o pomocy społecznej, art. 100",
            ALL,
            ["ops", "cus", "pcpr"],
        ),
        "ucus-art-8": (LegalBasisKind.NATIONAL_ACT, "Ustawa o realizowaniu usług społecznych przez CUS", ALL, ["cus"]),
        "upprzd-art-9c": (LegalBasisKind.NATIONAL_ACT, "Ustawa o przeciwdziałaniu przemocy domowej, art. 9c", ALL, []),
        "gdpr-6-1-a": (LegalBasisKind.GDPR_ART6, "RODO art. 6 ust. 1 lit. a", [], []),
    }
    bases = {}
    for code, (kind, reference, covers, kinds) in specs.items():
        bases[code], _ = LegalBasis.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "title": reference,
                "reference": reference,
                "covers": covers,
                "institution_kinds": kinds,
                "is_consent": code == "gdpr-6-1-a",
            },
        )
    return bases


def person(
    *,
    institution: Any,
    first_name: str = "Anna",
    last_name: str = "Żółkiewska",
    birth_date: datetime.date | None = datetime.date(1980, 3, 14),
    sex: str = "F",
    pesel: str | None = "auto",
    grant: bool = True,
    **extra: Any,
) -> Person:
    """A person recorded by `institution` (with its "record" grant on ups-art-100 unless grant=False)."""
    if pesel == "auto":
        pesel = pesel_for(birth_date, sex, random.Random(f"{first_name}{last_name}")) if birth_date else ""
    obj = Person(
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        sex=sex,
        recorded_by_institution=institution,
        pesel_encrypted=crypto.encrypt(pesel) if pesel else "",
        pesel_index=crypto.blind_index(pesel) if pesel else "",
        **extra,
    )
    obj.save()
    if grant:
        basis = legal_bases()["ups-art-100"]
        AccessGrant.objects.create(
            institution=institution,
            person=obj,
            categories=ALL,
            source_type="record",
            source_id=str(obj.pk),
            legal_basis=basis,
        )
    return obj


def consent_grant(*, person: Person, recorded_by: Any, recipient: Any, categories: list[str]) -> AccessGrant:
    """A consent naming `recipient` and a grant resting on it (what a case team would open for a partner)."""
    consent = Consent.objects.create(
        person=person,
        recorded_by_institution=recorded_by,
        purpose="współpraca w ramach planu",
        categories=categories,
        given_on=timezone.localdate() - datetime.timedelta(days=1),
        # A consent has its signed document or the worker who recorded it orally (a database constraint).
        recorded_orally_by=User.objects.filter(memberships__institution=recorded_by).order_by("pk").first(),
    )
    consent.recipients.add(recipient)
    return AccessGrant.objects.create(
        institution=recipient,
        person=person,
        categories=categories,
        source_type="case_team",
        source_id="test",
        consent=consent,
    )


def household(
    *, institution: Any, name: str = "rodzina Żółkiewskich", members: list[tuple[Person, str]] = ()
) -> Household:
    obj = Household.objects.create(name=name, recorded_by_institution=institution, town="Miastko A")
    for member, relation in members:
        HouseholdMember.objects.create(household=obj, person=member, relation=relation, since=datetime.date(2020, 1, 1))
    return obj
