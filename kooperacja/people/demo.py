"""Demo persons and households: about 200 persons in 80 households in each of the three pilot gminy, recorded by the
gmina's OPS (with its "record" grant on ups-art-100). Synthetic: Faker pl_PL names, valid PESELs consistent with the
birth dates, addresses in the pilot towns.

`load(*, rng_seed=…)` is idempotent (a second call adds nothing); `delete()` removes them. Call `load` after the
directory demo (it needs the pilot gminy and their OPS) and after privacy's legal bases are seeded; call `delete`
before the directory demo's reset, and after the cases demo's delete (cases point to persons).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from kooperacja.directory.models import Institution
from kooperacja.people.models import Household, HouseholdMember, Person
from kooperacja.people.scale import PeopleSummary, generate_people
from kooperacja.privacy.models import AccessGrant, AccessLogEntry
from kooperacja.territory.models import Gmina

DEMO_SEED = 20190301
PERSONS_PER_GMINA = 200
HOUSEHOLDS_PER_GMINA = 80
NAMESPACE = "demo"


def pilot_institutions() -> dict[Gmina, Institution]:
    """The three pilot gminy of the demo and their OPS (from the directory demo), when loaded."""
    from kooperacja.demo.directory_demo import demo_id
    from kooperacja.demo.pilots import PILOTS

    result: dict[Gmina, Institution] = {}
    for pilot in PILOTS:
        ops = Institution.objects.filter(pk=demo_id("institution", f"{pilot.key}:ops")).select_related("gmina").first()
        if ops is not None and ops.gmina is not None:
            result[ops.gmina] = ops
    return result


def load(
    *,
    rng_seed: int = DEMO_SEED,
    institutions_by_gmina: dict[Gmina, Institution] | None = None,
    persons_per_gmina: int = PERSONS_PER_GMINA,
    households_per_gmina: int = HOUSEHOLDS_PER_GMINA,
    stdout: Any = None,
) -> PeopleSummary:
    """Write the demo persons and households of each gmina (default: the three pilot gminy and their OPS)."""
    chosen = institutions_by_gmina if institutions_by_gmina is not None else pilot_institutions()
    gminy = sorted(chosen, key=lambda g: g.code)
    summary = generate_people(
        gminy=gminy,
        persons=persons_per_gmina * len(gminy),
        households=households_per_gmina * len(gminy),
        seed=rng_seed,
        batch_size=1000,
        institutions_by_gmina={g.pk: chosen[g].pk for g in gminy},
        namespace=NAMESPACE,
    )
    if stdout is not None:
        if summary.persons:
            stdout.write(
                f"  people: {summary.persons} persons in {summary.households} households in {len(gminy)} pilot gminy"
                + (" (no legal basis ups-art-100 yet: no access grants written)" if summary.basis_missing else "")
            )
        else:
            stdout.write("  people: already loaded; nothing changed.")
    return summary


def _demo_ids(institution_ids: list[Any]) -> tuple[list[Any], list[Any]]:
    persons = list(Person.objects.filter(recorded_by_institution_id__in=institution_ids).values_list("pk", flat=True))
    households = list(
        Household.objects.filter(recorded_by_institution_id__in=institution_ids).values_list("pk", flat=True)
    )
    return persons, households


def delete(*, institutions: list[Institution] | None = None) -> int:
    """Remove the persons and households recorded by the demo's pilot OPS (default), with their memberships and
    grants. Persons whose reads are in the access log (append-only) cannot be removed: they are anonymised instead.
    Returns how many persons were removed or anonymised."""
    chosen = institutions if institutions is not None else list(pilot_institutions().values())
    ids = [i.pk for i in chosen]
    with transaction.atomic():
        person_ids, household_ids = _demo_ids(ids)
        logged = set(AccessLogEntry.objects.filter(person_id__in=person_ids).values_list("person_id", flat=True))
        HouseholdMember.objects.filter(person_id__in=person_ids).delete()
        HouseholdMember.objects.filter(household_id__in=household_ids).delete()
        Household.objects.filter(pk__in=household_ids).delete()
        AccessGrant.objects.filter(person_id__in=person_ids).delete()
        Person.objects.filter(merged_into_id__in=person_ids).update(merged_into=None)
        Person.objects.filter(pk__in=logged).update(
            first_name="—",
            second_name="",
            last_name="(dane usunięte)",
            family_name="",
            name_search="",
            pesel_encrypted="",
            pesel_index="",
            street="",
            postal_code="",
            town="",
            phone="",
            email="",
            recorded_by_institution=None,
            anonymised_at=timezone.now(),
        )
        Person.objects.filter(pk__in=[pk for pk in person_ids if pk not in logged]).delete()
    return len(person_ids)
