"""A synthetic national-size directory for benchmarks: about 12 institutions and 40 services in each gmina.

It uses the gminy in the database (the official TERYT register when it is loaded); when there are fewer than asked
for, it adds a synthetic territory: counties and gminy with TERYT-shaped codes that no real unit uses (county numbers
40–59 and 80–99) and names marked "(synt.)", so they cannot be taken for real ones.

Everything is written in bulk (bulk_create in batches), one transaction per chunk of gminy. The data of a gmina
depends only on the seed and the gmina's code; institution ids are derived from the gmina's code and a number, so a
second run finds the gminy already done and adds nothing (and an interrupted run resumes where it stopped).
"""

from __future__ import annotations

import datetime
import math
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from kooperacja.demo import catalogue
from kooperacja.directory.models import (
    CapacityStatus,
    Institution,
    InstitutionKind,
    Location,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from kooperacja.territory.models import County, Gmina, GminaKind, Voivodeship
from kooperacja.territory.services import macroregions_seed

NAMESPACE = uuid.UUID("5c0a1e77-8a3f-4b7e-a0d2-9e1f4c6b2d83")
DEFAULT_SEED = 2477
NATIONAL_GMINY = 2477
SYNTHETIC_MARK = "(synt.)"
SYNTHETIC_COUNTY_NUMBERS = [*range(40, 60), *range(80, 100)]  # unused by any real county
GMINY_PER_COUNTY = NATIONAL_GMINY / 380
# Kinds of gminy in the real register: 302 urban, 1,533 rural, 642 urban-rural.
KIND_WEIGHTS: tuple[tuple[str, int], ...] = (
    (GminaKind.URBAN, 302),
    (GminaKind.RURAL, 1533),
    (GminaKind.URBAN_RURAL, 642),
)
KIND_LABELS: dict[str, str] = {
    GminaKind.URBAN: "gmina miejska",
    GminaKind.RURAL: "gmina wiejska",
    GminaKind.URBAN_RURAL: "gmina miejsko-wiejska",
}
# The partner institutions of a gmina, with how often each kind turns up.
PARTNER_KINDS: tuple[tuple[str, int], ...] = (
    (InstitutionKind.SCHOOL, 30),
    (InstitutionKind.KINDERGARTEN, 12),
    (InstitutionKind.PPP, 3),
    (InstitutionKind.POZ, 10),
    (InstitutionKind.CZP, 2),
    (InstitutionKind.ADDICTION_CLINIC, 4),
    (InstitutionKind.GKRPA, 6),
    (InstitutionKind.POLICE_STATION, 6),
    (InstitutionKind.HOUSING_MANAGER, 4),
    (InstitutionKind.CULTURE_CENTRE, 10),
    (InstitutionKind.SPORTS_CENTRE, 5),
    (InstitutionKind.NGO, 16),
    (InstitutionKind.PARISH_CHARITY, 8),
    (InstitutionKind.CIS, 2),
)
COUNTY_KINDS = (InstitutionKind.PCPR, InstitutionKind.PUP, InstitutionKind.COURT)
OPS_NAMES: dict[str, str] = {
    GminaKind.URBAN: "Miejski Ośrodek Pomocy Społecznej",
    GminaKind.RURAL: "Gminny Ośrodek Pomocy Społecznej",
    GminaKind.URBAN_RURAL: "Miejsko-Gminny Ośrodek Pomocy Społecznej",
}
NGO_WORDS = (
    "Razem",
    "Przystań",
    "Dobry Start",
    "Nadzieja",
    "Otwarte Drzwi",
    "Tęcza",
    "Sąsiedzi",
    "Krok Dalej",
    "Most",
    "Horyzont",
    "Pomocna Dłoń",
    "Iskra",
    "Promyk",
    "Wspólnota",
    "Bliżej",
)
SAINTS = ("św. Józefa", "św. Stanisława", "św. Mikołaja", "św. Jana Chrzciciela", "św. Anny", "Wniebowzięcia NMP")
CLINIC_WORDS = ("Zdrowie", "Rodzinna", "Medyk", "Familia", "Salus", "Vita", "Przy Parku")
VARIANTS = ("filia", "grupa popołudniowa", "dyżur sobotni", "edycja jesienna", "grupa dla początkujących")
EXTRA_SENTENCES = (
    "Informacje także w punkcie informacyjnym urzędu gminy.",
    "Dla osób z niepełnosprawnościami możliwy kontakt przez tłumacza języka migowego.",
    "Pierwsza wizyta bez skierowania.",
    "Spotkania można umówić także poza godzinami pracy.",
    "Wsparcie w ramach gminnego programu profilaktyki.",
    "Zajęcia prowadzą specjaliści z wieloletnim doświadczeniem.",
    "",
)

Progress = Callable[[int], None]


def institution_id(gmina_code: str, index: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"gmina/{gmina_code}/{index}")


def county_institution_id(county_code: str, kind: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"county/{county_code}/{kind}")


@dataclass
class ScaleSummary:
    gminy: int = 0
    gminy_generated: int = 0
    synthetic_counties: int = 0
    synthetic_gminy: int = 0
    institutions: int = 0
    services: int = 0
    locations: int = 0
    terms: int = 0
    deleted_institutions: int = 0
    seconds: float = 0.0
    totals: dict[str, int] = field(default_factory=dict)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# --- territory ------------------------------------------------------------------------------------------------------


def ensure_gminy(count: int, *, seed: int) -> tuple[list[Gmina], int, int]:
    """The first `count` gminy by code, adding a synthetic territory when the database holds fewer.

    Returns (gminy, synthetic counties created, synthetic gminy created).
    """
    gminy = list(Gmina.objects.select_related("county").order_by("code")[:count])
    missing = count - len(gminy)
    if missing <= 0:
        return gminy, 0, 0
    macroregions_seed()
    rng = random.Random(f"{seed}:territory")
    fake = Faker("pl_PL")
    fake.seed_instance(seed)
    voivodeships = list(Voivodeship.objects.order_by("code"))
    used = set(County.objects.values_list("code", flat=True))
    free: dict[str, list[str]] = {
        v.code: [f"{v.code}{n:02d}" for n in SYNTHETIC_COUNTY_NUMBERS if f"{v.code}{n:02d}" not in used]
        for v in voivodeships
    }
    kinds = [kind for kind, _ in KIND_WEIGHTS]
    weights = [weight for _, weight in KIND_WEIGHTS]
    county_count = max(1, math.ceil(missing / GMINY_PER_COUNTY))
    counties: list[County] = []
    new_gminy: list[Gmina] = []
    left = missing
    with transaction.atomic():
        for number in range(county_count):
            voivodeship = voivodeships[number % len(voivodeships)]
            if not free[voivodeship.code]:
                raise RuntimeError("No free synthetic county codes left in voivodeship " + voivodeship.code)
            code = free[voivodeship.code].pop(0)
            county = County(
                code=code,
                name=f"{fake.city()} {SYNTHETIC_MARK}",
                kind_label="powiat (dane syntetyczne)",
                voivodeship=voivodeship,
            )
            counties.append(county)
            # Spread what is left evenly over the counties still to come.
            size = min(left, math.ceil(left / (county_count - number)), 99)
            for gmi in range(1, size + 1):
                kind = rng.choices(kinds, weights)[0]
                new_gminy.append(
                    Gmina(
                        code=f"{code}{gmi:02d}{GminaKind(kind).rodz}",
                        name=f"{fake.city()} {SYNTHETIC_MARK}",
                        kind=kind,
                        kind_label=f"{KIND_LABELS[kind]} (dane syntetyczne)",
                        county=county,
                        voivodeship=voivodeship,
                        population=rng.randint(2_500, 60_000),
                    )
                )
            left -= size
        County.objects.bulk_create(counties, batch_size=500)
        Gmina.objects.bulk_create(new_gminy, batch_size=500)
    gminy = list(Gmina.objects.select_related("county").order_by("code")[:count])
    return gminy, len(counties), len(new_gminy)


# --- the directory of one gmina -------------------------------------------------------------------------------------


class _Rows:
    """Rows of one chunk of gminy, written together."""

    def __init__(self) -> None:
        self.institutions: list[Institution] = []
        self.locations: list[Location] = []
        self.services: list[Service] = []
        self.terms: list[Any] = []
        self.gminy: list[Any] = []
        self.service_locations: list[ServiceAtLocation] = []

    def write(self, batch_size: int) -> None:
        Institution.objects.bulk_create(self.institutions, batch_size=batch_size)
        Location.objects.bulk_create(self.locations, batch_size=batch_size)
        Service.objects.bulk_create(self.services, batch_size=batch_size)
        Service.terms.through.objects.bulk_create(self.terms, batch_size=batch_size)
        Service.eligible_gminy.through.objects.bulk_create(self.gminy, batch_size=batch_size)
        ServiceAtLocation.objects.bulk_create(self.service_locations, batch_size=batch_size)


class _Generator:
    def __init__(self, *, seed: int, institutions_per_gmina: int, services_per_institution: float) -> None:
        self.seed = seed
        self.institutions_per_gmina = institutions_per_gmina
        self.services_per_institution = services_per_institution
        self.now = timezone.now()
        fake = Faker("pl_PL")
        fake.seed_instance(seed)
        self.streets = sorted({fake.street_name() for _ in range(600)})
        self.domain_terms = {t.code: t.pk for t in TaxonomyTerm.objects.filter(taxonomy__code="cus-domains")}
        self.sector_terms = {t.code: t.pk for t in TaxonomyTerm.objects.filter(taxonomy__code="sectors")}
        self.partner_kinds: list[str] = [kind for kind, _ in PARTNER_KINDS]
        self.partner_weights = [weight for _, weight in PARTNER_KINDS]

    def _name(self, rng: random.Random, kind: str, place: str, gmina_kind: str, counter: dict[str, int]) -> str:
        counter[kind] = counter.get(kind, 0) + 1
        n = counter[kind]
        names: dict[str, str] = {
            InstitutionKind.OPS: OPS_NAMES.get(gmina_kind, OPS_NAMES[GminaKind.RURAL]),
            InstitutionKind.SCHOOL: f"Szkoła Podstawowa nr {n}",
            InstitutionKind.KINDERGARTEN: f"Przedszkole nr {n}",
            InstitutionKind.PPP: "Poradnia Psychologiczno-Pedagogiczna",
            InstitutionKind.POZ: f"Przychodnia „{rng.choice(CLINIC_WORDS)}”",
            InstitutionKind.CZP: "Centrum Zdrowia Psychicznego",
            InstitutionKind.ADDICTION_CLINIC: "Poradnia Terapii Uzależnień",
            InstitutionKind.GKRPA: "Gminna Komisja Rozwiązywania Problemów Alkoholowych",
            InstitutionKind.POLICE_STATION: rng.choice(("Posterunek Policji", "Komisariat Policji")),
            InstitutionKind.HOUSING_MANAGER: "Zakład Gospodarki Mieszkaniowej",
            InstitutionKind.CULTURE_CENTRE: rng.choice(("Gminny Ośrodek Kultury", "Biblioteka Publiczna")),
            InstitutionKind.SPORTS_CENTRE: "Ośrodek Sportu i Rekreacji",
            InstitutionKind.NGO: f"{rng.choice(('Stowarzyszenie', 'Fundacja'))} „{rng.choice(NGO_WORDS)}”",
            InstitutionKind.PARISH_CHARITY: f"Parafialny Zespół Caritas parafii pw. {rng.choice(SAINTS)}",
            InstitutionKind.CIS: "Klub Integracji Społecznej",
            InstitutionKind.PCPR: "Powiatowe Centrum Pomocy Rodzinie",
            InstitutionKind.PUP: "Powiatowy Urząd Pracy",
            InstitutionKind.COURT: "Sąd Rejonowy",
        }
        base = names[kind]
        return f"{base} – {place}"

    def _service_count(self, rng: random.Random) -> int:
        mean = self.services_per_institution
        base = int(mean)
        count = base + (1 if rng.random() < mean - base else 0) + rng.choice((-1, 0, 1))
        return max(1, count)

    def institution(
        self,
        rows: _Rows,
        rng: random.Random,
        *,
        pk: uuid.UUID,
        kind: str,
        name: str,
        gmina: Gmina | None,
        county: County,
        town: str,
    ) -> None:
        postal_code = f"{rng.randint(0, 99):02d}-{rng.randint(0, 999):03d}"
        street = f"ul. {rng.choice(self.streets)} {rng.randint(1, 150)}"
        institution = Institution(
            id=pk,
            name=name,
            description=catalogue.DESCRIPTIONS.get(kind, ""),
            sector=catalogue.KIND_SECTOR[kind],
            kind=kind,
            gmina=gmina,
            county=county,
            voivodeship_id=county.voivodeship_id,
            street=street,
            postal_code=postal_code,
            city=town,
            email=f"kontakt.{pk.hex[:12]}@example.invalid",
            phone=f"+48 {rng.randint(12, 99)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            opening_hours=catalogue.HOURS.get(kind, catalogue.OFFICE_HOURS),
            created_at=self.now,
        )
        institution.search_text = institution.compute_search_text()
        rows.institutions.append(institution)
        location = Location(
            id=_uuid(rng),
            institution=institution,
            name=f"{name} – siedziba",
            street=street,
            postal_code=postal_code,
            city=town,
            gmina=gmina,
            opening_hours=institution.opening_hours,
        )
        rows.locations.append(location)
        templates = list(catalogue.SERVICES.get(kind, ()))
        count = self._service_count(rng)
        chosen = rng.sample(templates, min(count, len(templates)))
        while len(chosen) < count:
            chosen.append(rng.choice(templates))
        sector_term = self.sector_terms[institution.sector]
        for index, template in enumerate(chosen):
            name_ = template.name if index < len(templates) else f"{template.name} – {rng.choice(VARIANTS)}"
            draw = rng.random()
            if draw < 0.6:
                status, wait = CapacityStatus.ACCEPTING, None
            elif draw < 0.85:
                status, wait = CapacityStatus.WAITLIST, rng.choice((7, 14, 21, 30, 45, 60, 90))
            else:
                status, wait = CapacityStatus.NOT_ACCEPTING, None
            stale = rng.random() < 0.35
            service = Service(
                id=_uuid(rng),
                institution=institution,
                name=name_,
                description=f"{template.description} {rng.choice(EXTRA_SENTENCES)}".strip(),
                minimum_age=template.minimum_age,
                maximum_age=template.maximum_age,
                eligibility_description=template.eligibility,
                application_process=template.application,
                languages=template.languages if template.languages != "pl" else rng.choice(catalogue.LANGUAGES_EXTRA),
                is_free=not template.fees,
                fees_description=template.fees,
                capacity_status=status,
                expected_wait_days=wait,
                capacity_confirmed_at=self.now
                - datetime.timedelta(days=rng.randint(120, 400) if stale else rng.randint(0, 30)),
                created_at=self.now,
            )
            service.search_text = service.compute_search_text()
            rows.services.append(service)
            terms = {self.domain_terms[code] for code in template.domains} | {sector_term}
            rows.terms.extend(Service.terms.through(service_id=service.pk, taxonomyterm_id=term) for term in terms)
            if gmina is not None:
                rows.gminy.append(Service.eligible_gminy.through(service_id=service.pk, gmina_id=gmina.pk))
            rows.service_locations.append(ServiceAtLocation(id=_uuid(rng), service=service, location=location))

    def gmina(self, rows: _Rows, gmina: Gmina) -> None:
        rng = random.Random(f"{self.seed}:{gmina.code}")
        counter: dict[str, int] = {}
        kinds: list[str] = [InstitutionKind.OPS, InstitutionKind.SCHOOL]
        kinds += rng.choices(self.partner_kinds, self.partner_weights, k=max(0, self.institutions_per_gmina - 2))
        for index, kind in enumerate(kinds[: self.institutions_per_gmina]):
            self.institution(
                rows,
                rng,
                pk=institution_id(gmina.code, index),
                kind=kind,
                name=self._name(rng, kind, gmina.name, gmina.kind, counter),
                gmina=gmina,
                county=gmina.county,
                town=gmina.name,
            )

    def county(self, rows: _Rows, county: County) -> None:
        rng = random.Random(f"{self.seed}:county:{county.code}")
        place = county.name if county.kind_label.startswith("miasto") else f"powiat {county.name}"
        for kind in COUNTY_KINDS:
            self.institution(
                rows,
                rng,
                pk=county_institution_id(county.code, kind),
                kind=kind,
                name=self._name(rng, kind, place, GminaKind.URBAN, {}),
                gmina=None,
                county=county,
                town=county.name,
            )


def _existing(ids: list[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), 500):
        found.update(Institution.objects.filter(pk__in=ids[start : start + 500]).values_list("pk", flat=True))
    return found


def scale_delete(gminy: list[Gmina], *, institutions_per_gmina: int) -> int:
    """Delete what the generator created for these gminy and their counties; return the number of institutions."""
    ids = [institution_id(g.code, i) for g in gminy for i in range(institutions_per_gmina)]
    ids += [
        county_institution_id(code, kind) for code in sorted({g.county.code for g in gminy}) for kind in COUNTY_KINDS
    ]
    deleted = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        with transaction.atomic():
            Service.terms.through.objects.filter(service__institution_id__in=chunk).delete()
            Service.eligible_gminy.through.objects.filter(service__institution_id__in=chunk).delete()
            ServiceAtLocation.objects.filter(service__institution_id__in=chunk).delete()
            Service.objects.filter(institution_id__in=chunk).delete()
            Location.objects.filter(institution_id__in=chunk).delete()
            deleted += Institution.objects.filter(pk__in=chunk).delete()[1].get("directory.Institution", 0)
    return deleted


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load; on PostgreSQL also VACUUM when not inside a transaction.

    VACUUM sets the visibility map, without which index-only scans read the table anyway (the count of every service
    on HSDS page 1 took 50–67 ms on a fresh load) — what autovacuum does soon after a load, done at once so that the
    benchmark does not depend on when (or whether: it can be switched off) autovacuum runs. The taxonomy tables are
    included: small, but without statistics the planner misjudged the directory's domain filter (430–640 ms).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            for model in (
                Institution,
                Location,
                Service,
                ServiceAtLocation,
                Service.terms.through,
                Service.eligible_gminy.through,
                TaxonomyTerm,
                Taxonomy,
            ):
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def scale_generate(
    *,
    gminy: int = NATIONAL_GMINY,
    institutions_per_gmina: int = 12,
    services_per_institution: float = 3.3,
    seed: int = DEFAULT_SEED,
    reset: bool = False,
    chunk: int = 50,
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> ScaleSummary:
    """Generate the synthetic directory for the first `gminy` gminy (and their counties); skip gminy already done."""
    started = time.monotonic()
    summary = ScaleSummary()
    if connection.vendor == "sqlite":
        # A bigger page cache for this connection: the indexes of the big tables grow past SQLite's default 2 MB.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")
    targets, summary.synthetic_counties, summary.synthetic_gminy = ensure_gminy(gminy, seed=seed)
    summary.gminy = len(targets)
    if reset:
        summary.deleted_institutions = scale_delete(targets, institutions_per_gmina=institutions_per_gmina)
    done = _existing([institution_id(g.code, 0) for g in targets])
    todo = [g for g in targets if institution_id(g.code, 0) not in done]
    counties = {g.county.code: g.county for g in targets}
    county_done = _existing([county_institution_id(code, COUNTY_KINDS[0]) for code in counties])
    county_todo = {code for code in counties if county_institution_id(code, COUNTY_KINDS[0]) not in county_done}
    generator = _Generator(
        seed=seed, institutions_per_gmina=institutions_per_gmina, services_per_institution=services_per_institution
    )
    if progress is not None:
        progress(len(targets) - len(todo), len(targets))
    for start in range(0, len(todo), chunk):
        part = todo[start : start + chunk]
        rows = _Rows()
        for gmina in part:
            generator.gmina(rows, gmina)
            if gmina.county.code in county_todo:
                generator.county(rows, gmina.county)
                county_todo.discard(gmina.county.code)
        with transaction.atomic():
            rows.write(batch_size)
        summary.gminy_generated += len(part)
        summary.institutions += len(rows.institutions)
        summary.services += len(rows.services)
        summary.locations += len(rows.locations)
        summary.terms += len(rows.terms)
        if progress is not None:
            progress(len(part), len(targets))
    if county_todo:  # counties whose gminy were all done before, but not the county itself
        rows = _Rows()
        for code in sorted(county_todo):
            generator.county(rows, counties[code])
        with transaction.atomic():
            rows.write(batch_size)
        summary.institutions += len(rows.institutions)
        summary.services += len(rows.services)
    if summary.institutions:
        _analyze()
    summary.totals = {
        "gminy": Gmina.objects.count(),
        "institutions": Institution.objects.count(),
        "services": Service.objects.count(),
    }
    summary.seconds = time.monotonic() - started
    return summary
