"""Reads of the people context, scoped to what the actor may see (privacy's grants), with a constant query count."""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from kooperacja.core.text import normalise
from kooperacja.people import crypto
from kooperacja.people.models import Household, HouseholdMember, Person, PersonMerge
from kooperacja.people.pesel import pesel_clean
from kooperacja.privacy import policies as privacy
from kooperacja.privacy.models import DataCategory

SEARCH_MIN_LENGTH = 2


def identity_visible_ids(actor: Any) -> QuerySet[Any, Any]:
    """Subquery: persons whose identity category the actor may see (a search lists names: identity data)."""
    return privacy.person_ids_visible_to(actor).filter(categories__icontains=f'"{DataCategory.IDENTITY}"')


def person_search(*, actor: Any, q: str = "", pesel: str = "") -> QuerySet[Person]:
    """Live persons the actor may see, by name fragments (case and diacritics ignored) and/or exact PESEL.

    Nothing is decrypted: the PESEL is found through its blind index. No criterion: nothing (no browsing of all).
    """
    words = normalise(q).split()
    number = pesel_clean(pesel)
    if not number and not any(len(word) >= SEARCH_MIN_LENGTH for word in words):
        return Person.objects.none()
    persons = Person.objects.live().filter(pk__in=identity_visible_ids(actor)).select_related("gmina")
    for word in words:
        persons = persons.filter(name_search__contains=word)
    if number:
        persons = persons.filter(pesel_index=crypto.blind_index(number))
    return persons.order_by("name_search", "id")


# --- duplicates -------------------------------------------------------------------------------------------------------


class Reason:
    SAME_PESEL = "same_pesel"
    BIRTH_DATE_AND_NAME = "birth_date_and_name"
    ADDRESS_AND_NAME = "address_and_name"


@dataclass
class Candidate:
    person: Person
    score: int
    reasons: list[str] = field(default_factory=list)


NAME_SIMILARITY = 0.8


def name_similarity(a: str, b: str) -> float:
    """0..1: how alike two normalised names are (word order ignored)."""
    left, right = " ".join(sorted(normalise(a).split())), " ".join(sorted(normalise(b).split()))
    if not left or not right:
        return 0.0
    return difflib.SequenceMatcher(None, left, right).ratio()


def _address_key(street: str, postal_code: str, town: str) -> str:
    return " ".join(normalise(part) for part in (street, postal_code or town) if part)


def person_duplicates(
    *,
    actor: Any,
    first_name: str,
    last_name: str,
    birth_date: datetime.date | None = None,
    pesel: str = "",
    street: str = "",
    postal_code: str = "",
    town: str = "",
    exclude: Any = None,
    limit: int = 10,
) -> list[Candidate]:
    """Records the actor may see that may be the same person, best first, each with its reasons and a score (0–100):
    same PESEL (100); same birth date and a similar name (60–90); same address and a similar name (40–70)."""
    name = f"{last_name} {first_name}"
    number = pesel_clean(pesel)
    address = _address_key(street, postal_code, town) if street else ""
    criteria = Q()
    if number:
        criteria |= Q(pesel_index=crypto.blind_index(number))
    if birth_date is not None:
        criteria |= Q(birth_date=birth_date)
    if address:
        criteria |= Q(street__iexact=street.strip())
    if not criteria:
        return []
    rows = Person.objects.live().filter(pk__in=identity_visible_ids(actor)).filter(criteria).select_related("gmina")
    if exclude is not None:
        rows = rows.exclude(pk=getattr(exclude, "pk", exclude))
    candidates: list[Candidate] = []
    for person in rows[:200]:
        similarity = name_similarity(name, f"{person.last_name} {person.first_name}")
        score = 0
        reasons: list[str] = []
        if number and person.pesel_index == crypto.blind_index(number):
            reasons.append(Reason.SAME_PESEL)
            score = 100
        if birth_date is not None and person.birth_date == birth_date and similarity >= NAME_SIMILARITY:
            reasons.append(Reason.BIRTH_DATE_AND_NAME)
            score = max(score, 60 + round(30 * similarity))
        if (
            address
            and _address_key(person.street, person.postal_code, person.town) == address
            and similarity >= NAME_SIMILARITY
        ):
            reasons.append(Reason.ADDRESS_AND_NAME)
            score = max(score, 40 + round(30 * similarity))
        if reasons:
            candidates.append(Candidate(person=person, score=min(score, 100), reasons=reasons))
    candidates.sort(key=lambda c: (-c.score, c.person.name_search))
    return candidates[:limit]


# --- households -------------------------------------------------------------------------------------------------------


def person_memberships(*, person: Person) -> list[HouseholdMember]:
    """The person's memberships (current first), with their households (one query)."""
    return list(
        HouseholdMember.objects.filter(person=person, household__anonymised_at__isnull=True)
        .select_related("household", "household__gmina")
        .order_by("until", "-since", "id")
    )


def household_members(*, household: Household, person_ids: set[Any]) -> list[HouseholdMember]:
    """Members of the household among `person_ids` (the ones the actor may see), current first."""
    return list(
        household.members.filter(person_id__in=person_ids)
        .select_related("person")
        .order_by("until", "since", "person__name_search", "id")
    )


def households_for(*, actor: Any) -> QuerySet[Household]:
    """Households recorded by the actor's institutions or holding a member whose family category the actor sees."""
    family_ids = privacy.person_ids_visible_to(actor).filter(categories__icontains=f'"{DataCategory.FAMILY}"')
    return (
        Household.objects.filter(anonymised_at__isnull=True)
        .filter(
            Q(recorded_by_institution_id__in=privacy.acting_institution_ids(actor))
            | Q(pk__in=HouseholdMember.objects.filter(person_id__in=family_ids).values("household_id"))
        )
        .select_related("gmina")
        .order_by("name", "id")
    )


def household_list_reads(*, actor: Any, households: list[Household]) -> list[tuple[Any, list[str]]]:
    """What a list of households reveals, for the access log: the family situation of each member (current or past)
    whose family category the actor sees (two queries, whatever the number of households)."""
    ids = [household.pk for household in households]
    if not ids:
        return []
    person_ids = list(
        HouseholdMember.objects.filter(household_id__in=ids).values_list("person_id", flat=True).distinct()
    )
    family = privacy.person_ids_visible_to(actor).filter(
        person_id__in=person_ids, categories__icontains=f'"{DataCategory.FAMILY}"'
    )
    return [(person_id, [DataCategory.FAMILY]) for person_id in sorted(set(family.values_list("person_id", flat=True)))]


def person_merges(*, person: Person) -> list[PersonMerge]:
    """Merges into this person (active ones first), with the merged records."""
    return list(
        PersonMerge.objects.filter(survivor=person)
        .select_related("merged", "merged_by")
        .order_by("unmerged_at", "-merged_at")
    )
