"""Synthetic persons and households in bulk: for benchmarks (`generate_people`, up to 1,000,000 persons in 400,000
households) and for the demo (kooperacja/people/demo.py uses the same writer).

Every person has a valid PESEL consistent with the birth date and sex, stored encrypted (Fernet) with its blind
index, a name from Faker("pl_PL") lists, an address in its gmina, and is recorded by the gmina's OPS (or CUS) with
its "record" access grant on the statutory basis (ups-art-100) — so that searches and pages see realistic scopes.
Rows are written with bulk_create in batches, one transaction per gmina; ids derive from a namespace, the seed and
the gmina's code, so a second run skips the gminy already done (and an interrupted run resumes).

Cost (measured on the development machine): Fernet encrypt ≈ 47 µs and HMAC blind index ≈ 7 µs per PESEL, so the
cryptography of 1,000,000 persons is about one minute of one core — fine; the database inserts dominate.
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from kooperacja.core.text import normalise
from kooperacja.directory.models import Institution, InstitutionKind
from kooperacja.people import crypto
from kooperacja.people.models import Household, HouseholdMember, Person, Relation
from kooperacja.people.pesel import pesel_for
from kooperacja.privacy.models import AccessGrant, LegalBasis
from kooperacja.territory.models import Gmina

NAMESPACE = uuid.UUID("8d3c2f5e-1b7a-4c9d-a6e2-3f0b9c4d7e15")
DEFAULT_SEED = 1_000_000
RECORD_BASIS = "ups-art-100"
RECORDING_KINDS = (InstitutionKind.OPS, InstitutionKind.CUS)
HOUSEHOLD_SIZES = (1, 2, 2, 3, 3, 3, 4, 4, 5, 6)
STREETS = (
    "Lipowa",
    "Polna",
    "Leśna",
    "Słoneczna",
    "Krótka",
    "Szkolna",
    "Ogrodowa",
    "Kościuszki",
    "Mickiewicza",
    "Kwiatowa",
    "Łąkowa",
    "Zielona",
    "Parkowa",
    "Długa",
    "Sienkiewicza",
    "Żeromskiego",
)

Progress = Callable[[int, int], None]


@dataclass
class PeopleSummary:
    gminy: int = 0
    gminy_skipped: int = 0
    persons: int = 0
    households: int = 0
    members: int = 0
    grants: int = 0
    basis_missing: bool = False
    seconds: float = 0.0
    crypto_seconds: float = 0.0


class _Names:
    """Name lists drawn once from Faker pl_PL (drawing from lists is much faster than calling Faker per row)."""

    def __init__(self, seed: int) -> None:
        fake = Faker("pl_PL")
        fake.seed_instance(seed)
        self.female_first = sorted({fake.first_name_female() for _ in range(600)})
        self.male_first = sorted({fake.first_name_male() for _ in range(600)})
        pairs = set()
        for _ in range(1500):
            male = fake.last_name_male()
            female = fake.last_name_female()
            pairs.add((male, female))
        self.last = sorted(pairs)


def _uuid(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def _birth_date(rng: random.Random, *, low: int, high: int, today: datetime.date) -> datetime.date:
    age_days = rng.randint(low * 365, high * 365 + 364)
    return today - datetime.timedelta(days=age_days)


class PeopleWriter:
    """Builds the rows of one gmina and writes them in bulk."""

    def __init__(self, *, seed: int, namespace: str, batch_size: int = 5000) -> None:
        self.seed = seed
        self.namespace = namespace
        self.batch_size = batch_size
        self.names = _Names(seed)
        self.basis = LegalBasis.objects.filter(code=RECORD_BASIS, active=True).first()
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.crypto_seconds = 0.0

        # gmina code → round: ids of round n > 0 replace a set whose persons were anonymised (demo delete).
        self.rounds: dict[str, int] = {}

    def _salt(self, gmina_code: str) -> str:
        round_ = self.rounds.get(gmina_code, 0)
        return f"{self.namespace}/{self.seed}" + (f"/r{round_}" if round_ else "")

    def person_id(self, gmina_code: str, index: int) -> uuid.UUID:
        return _uuid(self._salt(gmina_code), gmina_code, "person", index)

    def household_id(self, gmina_code: str, index: int) -> uuid.UUID:
        return _uuid(self._salt(gmina_code), gmina_code, "household", index)

    def todo(self, gminy: Sequence[Gmina]) -> set[str]:
        """Codes of the gminy still to write; picks a fresh round where an earlier one was anonymised."""
        todo: set[str] = set()
        pending = list(gminy)
        while pending:
            first_ids = {self.person_id(g.code, 0): g for g in pending}
            found = dict(Person.objects.filter(pk__in=list(first_ids)).values_list("pk", "anonymised_at"))
            retry = []
            for pk, gmina in first_ids.items():
                if pk not in found:
                    todo.add(gmina.code)
                elif found[pk] is not None:  # anonymised stubs hold these ids: use the next round
                    self.rounds[gmina.code] = self.rounds.get(gmina.code, 0) + 1
                    retry.append(gmina)
            pending = retry
        return todo

    def _person(
        self,
        rng: random.Random,
        pk: uuid.UUID,
        *,
        gmina: Gmina,
        institution_id: Any,
        last: tuple[str, str],
        address: tuple[str, str, str],
        sex: str,
        birth_date: datetime.date,
    ) -> Person:
        first = rng.choice(self.names.female_first if sex == "F" else self.names.male_first)
        last_name = last[1] if sex == "F" else last[0]
        second = (
            rng.choice(self.names.female_first if sex == "F" else self.names.male_first) if rng.random() < 0.3 else ""
        )
        if second == first:  # "Franciszek Franciszek": nobody is named twice alike
            second = ""
        started = time.perf_counter()
        number = pesel_for(birth_date, sex, rng)
        encrypted, index = crypto.encrypt(number), crypto.blind_index(number)
        self.crypto_seconds += time.perf_counter() - started
        person = Person(
            id=pk,
            first_name=first,
            second_name=second,
            last_name=last_name,
            birth_date=birth_date,
            sex=sex,
            pesel_encrypted=encrypted,
            pesel_index=index,
            street=address[0],
            postal_code=address[1],
            town=address[2],
            gmina=gmina,
            phone=f"5{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.6 else "",
            recorded_by_institution_id=institution_id,
            created_at=self.now,
        )
        person.name_search = " ".join(normalise(f"{last_name} {first} {second}").split())
        return person

    def gmina(
        self, gmina: Gmina, *, persons: int, households: int, institution_id: Any, summary: PeopleSummary
    ) -> None:
        """Write `persons` persons of which most live in `households` households, recorded by `institution_id`."""
        rng = random.Random(f"{self.seed}:{self.namespace}:{gmina.code}")
        town = gmina.name.replace(" (synt.)", "")
        postal = f"{rng.randint(0, 99):02d}-{rng.randint(0, 999):03d}"
        people: list[Person] = []
        homes: list[Household] = []
        members: list[HouseholdMember] = []
        left = persons
        for h in range(households):
            if left <= 0:
                break
            # Leave room for at least one person in each household still to come.
            size = max(1, min(rng.choice(HOUSEHOLD_SIZES), left - (households - h - 1)))
            last = rng.choice(self.names.last)
            address = (f"ul. {rng.choice(STREETS)} {rng.randint(1, 120)}", postal, town)
            home = Household(
                id=self.household_id(gmina.code, h),
                name=f"rodzina {last[0]}",
                street=address[0],
                postal_code=postal,
                town=town,
                gmina=gmina,
                recorded_by_institution_id=institution_id,
                created_at=self.now,
            )
            homes.append(home)
            since = self.today - datetime.timedelta(days=rng.randint(30, 3650))
            for m in range(size):
                if m == 0:
                    relation, sex, bd = (
                        Relation.HEAD,
                        rng.choice("FM"),
                        _birth_date(rng, low=22, high=80, today=self.today),
                    )
                elif m == 1 and size > 2:
                    relation, sex, bd = (
                        Relation.PARTNER,
                        rng.choice("FM"),
                        _birth_date(rng, low=22, high=75, today=self.today),
                    )
                else:
                    relation, sex, bd = (
                        Relation.CHILD,
                        rng.choice("FM"),
                        _birth_date(rng, low=0, high=21, today=self.today),
                    )
                person = self._person(
                    rng,
                    self.person_id(gmina.code, len(people)),
                    gmina=gmina,
                    institution_id=institution_id,
                    last=last,
                    address=address,
                    sex=sex,
                    birth_date=bd,
                )
                people.append(person)
                members.append(HouseholdMember(household=home, person=person, relation=relation, since=since))
            left -= size
        while left > 0:  # persons living alone, outside the recorded households
            last = rng.choice(self.names.last)
            address = (f"ul. {rng.choice(STREETS)} {rng.randint(1, 120)}", postal, town)
            people.append(
                self._person(
                    rng,
                    self.person_id(gmina.code, len(people)),
                    gmina=gmina,
                    institution_id=institution_id,
                    last=last,
                    address=address,
                    sex=rng.choice("FM"),
                    birth_date=_birth_date(rng, low=18, high=90, today=self.today),
                )
            )
            left -= 1
        # Ids still held by anonymised stubs of an earlier demo (kept for the access log): leave those persons out.
        taken = set(
            Person.objects.filter(pk__in=[p.pk for p in people], anonymised_at__isnull=False).values_list(
                "pk", flat=True
            )
        )
        if taken:
            people = [p for p in people if p.pk not in taken]
            members = [m for m in members if m.person_id not in taken]
        grants: list[AccessGrant] = []
        if institution_id is not None and self.basis is not None:
            categories = sorted(self.basis.covers)
            grants = [
                AccessGrant(
                    institution_id=institution_id,
                    person_id=person.pk,
                    categories=categories,
                    source_type="record",
                    source_id=str(person.pk),
                    legal_basis=self.basis,
                    started_at=self.now,
                )
                for person in people
            ]
        with transaction.atomic():
            Person.objects.bulk_create(people, batch_size=self.batch_size)
            Household.objects.bulk_create(homes, batch_size=self.batch_size)
            HouseholdMember.objects.bulk_create(members, batch_size=self.batch_size)
            AccessGrant.objects.bulk_create(grants, batch_size=self.batch_size)
        summary.persons += len(people)
        summary.households += len(homes)
        summary.members += len(members)
        summary.grants += len(grants)
        summary.basis_missing = summary.basis_missing or self.basis is None


def recording_institutions_by_gmina(gminy: Sequence[Gmina]) -> dict[Any, Any]:
    """gmina id → the id of its OPS (or CUS), the first by name (one query)."""
    result: dict[Any, Any] = {}
    rows = (
        Institution.objects.filter(gmina_id__in=[g.pk for g in gminy], kind__in=RECORDING_KINDS)
        .order_by("gmina_id", "kind", "name")
        .values_list("gmina_id", "pk")
    )
    for gmina_id, pk in rows:
        result.setdefault(gmina_id, pk)
    return result


def _shares(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


TRIGRAM_INDEX = "people_person_name_search_trgm"
BIG_RUN = 100_000  # from this many persons, the trigram index is rebuilt once at the end instead of row by row


def _trigram_index_exists() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [TRIGRAM_INDEX])
        return cursor.fetchone() is not None


def _trigram_index(create: bool) -> None:
    with connection.cursor() as cursor:
        if create:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON people_person USING gin (name_search gin_trgm_ops)"
            )
        else:
            cursor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


def _analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("people_person", "people_household", "people_householdmember", "privacy_accessgrant"):
                cursor.execute(f"ANALYZE {table}")


def generate_people(
    *,
    gminy: Sequence[Gmina],
    persons: int = 1_000_000,
    households: int = 400_000,
    progress: Progress | None = None,
    seed: int = DEFAULT_SEED,
    batch_size: int = 5000,
    institutions_by_gmina: dict[Any, Any] | None = None,
    namespace: str = "scale",
) -> PeopleSummary:
    """Spread `persons` in `households` evenly over `gminy`, recorded by each gmina's OPS/CUS with its "record" grant.

    Idempotent: a gmina whose first person exists (live) is skipped. `progress(persons done, persons in all)` after each
    gmina. `institutions_by_gmina` (gmina id → institution id) overrides the gmina's OPS/CUS lookup.
    """
    started = time.monotonic()
    summary = PeopleSummary(gminy=len(gminy))
    if not gminy:
        return summary
    gminy = list(gminy)
    writer = PeopleWriter(seed=seed, namespace=namespace, batch_size=batch_size)
    institutions = (
        institutions_by_gmina if institutions_by_gmina is not None else recording_institutions_by_gmina(gminy)
    )
    person_shares, household_shares = _shares(persons, len(gminy)), _shares(households, len(gminy))
    todo = writer.todo(gminy)
    rebuild = persons >= BIG_RUN and bool(todo) and _trigram_index_exists()
    if rebuild:
        _trigram_index(create=False)
    done = 0
    try:
        for gmina, n_persons, n_households in zip(gminy, person_shares, household_shares, strict=True):
            if gmina.code not in todo or n_persons == 0:
                summary.gminy_skipped += 1
            else:
                writer.gmina(
                    gmina,
                    persons=n_persons,
                    households=min(n_households, n_persons),
                    institution_id=institutions.get(gmina.pk),
                    summary=summary,
                )
            done += n_persons
            if progress is not None:
                progress(done, persons)
    finally:
        if rebuild:
            _trigram_index(create=True)
    _analyze()
    summary.crypto_seconds = writer.crypto_seconds
    summary.seconds = time.monotonic() - started
    return summary
