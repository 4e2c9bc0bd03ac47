"""Demo of pilots and indicators: the three macroregional projects with their milestones, the three demo pilot gminy
plus 20 more across the macroregions (real TERC codes and names, 1 January 2020), each with a synthetic partnership
of local institutions, support given by the ROPS, custom indicators, a few running CUS pilots, and frozen quarterly
snapshots. Run after the directory demo (it reuses its territory, ROPS and pilot gminy). Institution names are
synthetic.

`load(stdout=...)` is idempotent (a second run changes nothing); `delete()` removes what it made (for a reset).
"""

from __future__ import annotations

import datetime
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from kooperacja.demo.pilots import PILOTS
from kooperacja.directory.models import Institution, InstitutionKind, Partnership, PartnershipMember, Sector
from kooperacja.monitoring.indicators import Period
from kooperacja.monitoring.models import (
    CustomIndicator,
    IndicatorSnapshot,
    Milestone,
    MilestoneNumber,
    MilestoneStatus,
    ModelVariant,
    Pilot,
    PilotStatus,
    Project,
    SupportActivity,
    SupportKind,
)
from kooperacja.monitoring.services import snapshot_freeze
from kooperacja.territory.models import County, Gmina, GminaKind, Macroregion, Voivodeship

SEED = 20190401
NAMESPACE = uuid.UUID("7d1e3c0a-5b2f-4c8e-9a61-2f4b8d0c6e13")
D = datetime.date


def demo_id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(parts))


def _directory_demo_id(*parts: str) -> uuid.UUID:
    from kooperacja.demo.directory_demo import demo_id as directory_demo_id

    return directory_demo_id(*parts)


@dataclass(frozen=True)
class ProjectSpec:
    macroregion: str
    name: str
    lead_rops_voivodeship: str
    variant: str


PROJECTS: tuple[ProjectSpec, ...] = (
    ProjectSpec("east", "Liderzy kooperacji", "18", ModelVariant.RURAL_LEADERS),
    ProjectSpec("north-west", "Kooperacja – efektywna i skuteczna", "04", ModelVariant.URBAN_RURAL),
    ProjectSpec(
        "south",
        "Kooperacje 3D – model wielosektorowej współpracy na rzecz wsparcia osób i rodzin",
        "24",
        ModelVariant.CITIES_3D,
    ),
)
# The same four milestones in all three projects (April 2018 – March 2021).
MILESTONES = (
    (MilestoneNumber.I, D(2018, 4, 1), D(2019, 3, 31)),
    (MilestoneNumber.II, D(2019, 4, 1), D(2020, 9, 30)),
    (MilestoneNumber.III, D(2020, 10, 1), D(2020, 12, 31)),
    (MilestoneNumber.IV, D(2021, 1, 1), D(2021, 3, 31)),
)

# (TERYT code, name, RODZ, NAZWA_DOD, county code, county name, county kind) — real TERC rows of 1 January 2020.
MORE_GMINY: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    # Macroregion I (east): rural gminy, "Liderzy kooperacji"
    ("1807052", "Korczyna", "2", "gmina wiejska", "1807", "krośnieński", "powiat"),
    ("1807072", "Miejsce Piastowe", "2", "gmina wiejska", "1807", "krośnieński", "powiat"),
    ("1807092", "Wojaszówka", "2", "gmina wiejska", "1807", "krośnieński", "powiat"),
    ("0609072", "Jastków", "2", "gmina wiejska", "0609", "lubelski", "powiat"),
    ("0609082", "Konopnica", "2", "gmina wiejska", "0609", "lubelski", "powiat"),
    ("2002052", "Juchnowiec Kościelny", "2", "gmina wiejska", "2002", "białostocki", "powiat"),
    ("2604092", "Masłów", "2", "gmina wiejska", "2604", "kielecki", "powiat"),
    ("1418032", "Lesznowola", "2", "gmina wiejska", "1418", "piaseczyński", "powiat"),
    # Macroregion II (north-west): "Kooperacja – efektywna i skuteczna"
    ("3021093", "Kórnik", "3", "gmina miejsko-wiejska", "3021", "poznański", "powiat"),
    ("2814013", "Barczewo", "3", "gmina miejsko-wiejska", "2814", "olsztyński", "powiat"),
    ("0415042", "Lubicz", "2", "gmina wiejska", "0415", "toruński", "powiat"),
    ("2204042", "Pruszcz Gdański", "2", "gmina wiejska", "2204", "gdański", "powiat"),
    ("0405032", "Golub-Dobrzyń", "2", "gmina wiejska", "0405", "golubsko-dobrzyński", "powiat"),
    # Macroregion III (south): cities over 20,000 residents, "Kooperacje 3D"
    ("2466011", "Gliwice", "1", "gmina miejska", "2466", "Gliwice", "miasto na prawach powiatu"),
    ("2479011", "Żory", "1", "gmina miejska", "2479", "Żory", "miasto na prawach powiatu"),
    ("2467011", "Jastrzębie-Zdrój", "1", "gmina miejska", "2467", "Jastrzębie-Zdrój", "miasto na prawach powiatu"),
    ("2415041", "Wodzisław Śląski", "1", "gmina miejska", "2415", "wodzisławski", "powiat"),
    ("2411011", "Racibórz", "1", "gmina miejska", "2411", "raciborski", "powiat"),
    ("1263011", "Tarnów", "1", "gmina miejska", "1263", "Tarnów", "miasto na prawach powiatu"),
    ("1603011", "Kędzierzyn-Koźle", "1", "gmina miejska", "1603", "kędzierzyńsko-kozielski", "powiat"),
)
VARIANT_OF_DEMO = {
    "Kooperacje 3D": ModelVariant.CITIES_3D,
    "Liderzy kooperacji": ModelVariant.RURAL_LEADERS,
    "Kooperacja – efektywna i skuteczna": ModelVariant.URBAN_RURAL,
}
# Gminy that also run a CUS pilot now (2025–2026), so the "as of today" view has running pilots.
CUS_NOW = ("2479011", "1418032", "3021093", "2473011")
PARTNER_KINDS: tuple[tuple[str, str, str], ...] = (
    (InstitutionKind.SCHOOL, Sector.EDUCATION, "Szkoła Podstawowa nr {n} w {place}"),
    (InstitutionKind.KINDERGARTEN, Sector.EDUCATION, "Przedszkole Samorządowe nr {n} w {place}"),
    (InstitutionKind.POZ, Sector.HEALTH, "Przychodnia Rejonowa nr {n} w {place}"),
    (InstitutionKind.POLICE_STATION, Sector.POLICE, "Posterunek Policji w {place}"),
    (InstitutionKind.NGO, Sector.NGO, "Stowarzyszenie „Razem” nr {n} w {place}"),
    (InstitutionKind.GKRPA, Sector.HEALTH, "Gminna Komisja Rozwiązywania Problemów Alkoholowych w {place}"),
    (InstitutionKind.HOUSING_MANAGER, Sector.HOUSING, "Zakład Gospodarki Mieszkaniowej w {place}"),
    (InstitutionKind.CULTURE_CENTRE, Sector.CULTURE_SPORT, "Gminny Ośrodek Kultury w {place}"),
    (InstitutionKind.PARISH_CHARITY, Sector.CHURCH_CHARITY, "Parafialny Zespół Caritas nr {n} w {place}"),
)
SNAPSHOT_PERIODS = ("2019-Q4", "2020-Q2", "2020-Q3")
CUSTOM_NAMES = (
    "Partnerstwa w województwie (cel projektu)",
    "Godziny wsparcia ROPS w makroregionie",
)


def _rops(code: str) -> Institution | None:
    return Institution.objects.filter(pk=_directory_demo_id("institution", f"rops:{code}")).first()


def _ensure_territory() -> list[Gmina]:
    """The 20 gminy and their counties, created when the database holds no TERC import."""
    voivodeships = {v.code: v for v in Voivodeship.objects.all()}
    gminy: list[Gmina] = []
    for code, name, rodz, kind_label, county_code, county_name, county_kind in MORE_GMINY:
        county, _created = County.objects.get_or_create(
            code=county_code,
            defaults={"name": county_name, "kind_label": county_kind, "voivodeship": voivodeships[code[:2]]},
        )
        gmina, _created = Gmina.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": GminaKind.from_rodz(rodz),
                "kind_label": kind_label,
                "county": county,
                "voivodeship": voivodeships[code[:2]],
            },
        )
        gminy.append(gmina)
    return gminy


def _locative(name: str) -> str:
    return f"gminie {name}"


def _partnerships(gminy: list[Gmina], rng: random.Random) -> tuple[int, int]:
    """An OPS, some partners and a partnership (PZK) per gmina, written in bulk."""
    institutions: list[Institution] = []
    partnerships: list[Partnership] = []
    members: list[PartnershipMember] = []
    for gmina in gminy:
        place = _locative(gmina.name)
        ops = Institution(
            id=demo_id("institution", gmina.code, "ops"),
            name=f"{'Miejski' if gmina.kind == GminaKind.URBAN else 'Gminny'} Ośrodek Pomocy Społecznej w {place}",
            short_name=f"OPS {gmina.name}",
            sector=Sector.SOCIAL_ASSISTANCE,
            kind=InstitutionKind.OPS,
            gmina=gmina,
            county=gmina.county,
            voivodeship=gmina.voivodeship,
            city=gmina.name,
        )
        established = D(2019, rng.choice((3, 4, 5, 6)), rng.randint(1, 28))
        partnership = Partnership(
            id=demo_id("partnership", gmina.code),
            name=f"Partnerski Zespół Kooperacyjny w {place}",
            gmina=gmina,
            county=gmina.county if gmina.kind != GminaKind.URBAN else None,
            lead_institution=ops,
            established_on=established,
            ended_on=None if rng.random() < 0.7 else D(2020, 12, 31),
        )
        institutions.append(ops)
        partnerships.append(partnership)
        members.append(PartnershipMember(partnership=partnership, institution=ops, joined_on=established))
        for index, (kind, sector, pattern) in enumerate(rng.sample(PARTNER_KINDS, rng.randint(4, 8))):
            partner = Institution(
                id=demo_id("institution", gmina.code, str(index)),
                name=pattern.format(n=index + 1, place=place),
                sector=sector,
                kind=kind,
                gmina=gmina,
                county=gmina.county,
                voivodeship=gmina.voivodeship,
                city=gmina.name,
            )
            institutions.append(partner)
            members.append(
                PartnershipMember(
                    partnership=partnership,
                    institution=partner,
                    joined_on=established + datetime.timedelta(days=rng.randint(0, 120)),
                )
            )
    for institution in institutions:
        institution.search_text = institution.compute_search_text()
    Institution.objects.bulk_create(institutions)
    Partnership.objects.bulk_create(partnerships)
    PartnershipMember.objects.bulk_create(members)
    return len(partnerships), len(members)


def _projects() -> dict[str, Project]:
    projects: dict[str, Project] = {}
    for spec in PROJECTS:
        project = Project.objects.create(
            name=spec.name,
            macroregion=Macroregion.objects.get(code=spec.macroregion),
            lead_rops=_rops(spec.lead_rops_voivodeship),
            started_on=D(2018, 4, 1),
            ended_on=D(2021, 3, 31),
        )
        Milestone.objects.bulk_create(
            Milestone(
                project=project,
                number=number,
                planned_start=start,
                planned_end=end,
                actual_start=start,
                actual_end=end + datetime.timedelta(days=30 if number == MilestoneNumber.II else 0),
                status=MilestoneStatus.DONE,
            )
            for number, start, end in MILESTONES
        )
        projects[spec.macroregion] = project
    return projects


def _support(pilot: Pilot, rng: random.Random, start: D, end: D) -> list[SupportActivity]:
    givers = {
        SupportKind.TRAINING: ("trenerka ROPS", "pracownicy instytucji partnerskich"),
        SupportKind.COACHING: ("coach ROPS", "pracownicy socjalni OPS"),
        SupportKind.SUPERVISION: ("superwizor", "członkowie zespołów zadaniowych"),
        SupportKind.ADVISORY: ("regionalny animator współpracy", "koordynator pilotażu"),
    }
    activities = []
    span = (end - start).days
    for _index in range(rng.randint(6, 12)):
        kind = rng.choice(list(givers))
        giver, audience = givers[kind]
        activities.append(
            SupportActivity(
                pilot=pilot,
                kind=kind,
                given_by=giver,
                given_on=start + datetime.timedelta(days=rng.randint(0, span)),
                hours=Decimal(rng.choice((2, 3, 4, 6, 8, 12, 16))),
                for_whom=audience,
            )
        )
    return activities


def delete() -> None:
    """Remove what `load` created (for `load_demo --reset`); the territory rows stay."""
    with transaction.atomic():
        IndicatorSnapshot.objects.filter(period__in=SNAPSHOT_PERIODS).delete()
        CustomIndicator.objects.filter(name__in=CUSTOM_NAMES).delete()
        Pilot.objects.filter(project__name__in=[spec.name for spec in PROJECTS]).delete()
        Pilot.objects.filter(variant=ModelVariant.CUS, gmina__code__in=CUS_NOW, started_on=D(2025, 1, 1)).delete()
        Project.objects.filter(name__in=[spec.name for spec in PROJECTS]).delete()
        codes = [row[0] for row in MORE_GMINY]
        Partnership.objects.filter(pk__in=[demo_id("partnership", code) for code in codes]).delete()
        Institution.objects.filter(gmina__code__in=codes, pk__in=_all_institution_ids()).delete()


def _all_institution_ids() -> list[uuid.UUID]:
    return [demo_id("institution", row[0], suffix) for row in MORE_GMINY for suffix in ["ops", *map(str, range(9))]]


def load(*, stdout: Any) -> None:
    """Load the monitoring demo once (a second run changes nothing)."""
    if Project.objects.filter(name=PROJECTS[0].name).exists():
        stdout.write("monitoring: already loaded; nothing changed.")
        return
    if _rops("24") is None:
        stdout.write("monitoring: the directory demo is not loaded (no ROPS); nothing done.")
        return
    rng = random.Random(SEED)
    with transaction.atomic():
        projects = _projects()
        gminy = _ensure_territory()
        partnerships, members = _partnerships(gminy, rng)
        macro_of = {
            v.code: v.macroregion.code for v in Voivodeship.objects.select_related("macroregion") if v.macroregion
        }
        variant_of = {spec.macroregion: spec.variant for spec in PROJECTS}
        pilots: list[Pilot] = []
        for spec in PILOTS:
            gmina = Gmina.objects.get(code=spec.gmina_code)
            pilots.append(
                Pilot(
                    gmina=gmina,
                    county=gmina.county if spec.partnership_has_county else None,
                    variant=VARIANT_OF_DEMO[spec.variant],
                    rops=_rops(spec.voivodeship_code),
                    project=projects[macro_of[spec.voivodeship_code]],
                    agreement_signed_on=spec.established_on - datetime.timedelta(days=14),
                    started_on=spec.established_on,
                    ended_on=D(2020, 9, 30),
                    funding_amount=Decimal("60000.00"),
                    status=PilotStatus.FINISHED,
                    facilitator_names="animatorka gminna, animator powiatowy",
                    model_expert_name="ekspertka ds. modelu",
                )
            )
        for gmina in gminy:
            macro = macro_of[gmina.voivodeship.code]
            started = D(2019, rng.choice((4, 5, 6)), 1)
            pilots.append(
                Pilot(
                    gmina=gmina,
                    county=gmina.county if gmina.kind != GminaKind.URBAN else None,
                    variant=variant_of[macro],
                    rops=_rops(gmina.voivodeship.code),
                    project=projects[macro],
                    agreement_signed_on=started - datetime.timedelta(days=rng.randint(10, 40)),
                    started_on=started,
                    ended_on=D(2020, 9, 30),
                    funding_amount=Decimal(rng.choice(("55000.00", "60000.00", "62500.00"))),
                    status=PilotStatus.WITHDRAWN if gmina.code == "2604092" else PilotStatus.FINISHED,
                )
            )
        for code in CUS_NOW:
            gmina = Gmina.objects.get(code=code)
            pilots.append(
                Pilot(
                    gmina=gmina,
                    variant=ModelVariant.CUS,
                    rops=_rops(gmina.voivodeship.code),
                    agreement_signed_on=D(2024, 12, 10),
                    started_on=D(2025, 1, 1),
                    ended_on=D(2026, 12, 31),
                    funding_amount=Decimal("80000.00"),
                    status=PilotStatus.RUNNING,
                )
            )
        for pilot in pilots:
            pilot.full_clean()
        Pilot.objects.bulk_create(pilots)
        activities: list[SupportActivity] = []
        for pilot in Pilot.objects.filter(pk__in=[p.pk for p in pilots]):
            activities.extend(
                _support(
                    pilot, rng, pilot.started_on or D(2019, 4, 1), min(pilot.ended_on or D(2020, 9, 30), D(2026, 9, 30))
                )
            )
        SupportActivity.objects.bulk_create(activities)
        city = next(p for p in pilots if p.gmina.code == PILOTS[0].gmina_code)
        rural = next(p for p in pilots if p.gmina.code == PILOTS[1].gmina_code)
        CustomIndicator.objects.bulk_create(
            [
                CustomIndicator(
                    name="Osoby i rodziny objęte wsparciem zespołów zadaniowych",
                    unit="osób/rodzin",
                    target=Decimal(40),
                    manual_value=Decimal(46),
                    pilot=city,
                ),
                CustomIndicator(
                    name="Godziny wsparcia ROPS w pilotażu",
                    unit="godz.",
                    target=Decimal(120),
                    computed_key="support_hours",
                    pilot=rural,
                ),
                CustomIndicator(
                    name=CUSTOM_NAMES[0],
                    unit="",
                    target=Decimal(8),
                    computed_key="partnerships",
                    voivodeship=Voivodeship.objects.get(code="24"),
                ),
                CustomIndicator(
                    name=CUSTOM_NAMES[1],
                    unit="godz.",
                    target=Decimal(1500),
                    computed_key="support_hours",
                    macroregion=Macroregion.objects.get(code="east"),
                ),
            ]
        )
        frozen = sum(len(snapshot_freeze(period=Period.parse(code))) for code in SNAPSHOT_PERIODS)
    stdout.write(
        f"  monitoring: 3 projects with milestones I–IV, {len(pilots)} pilots in {len(gminy) + len(PILOTS)} gminy, "
        f"{partnerships} more partnerships ({members} members), {len(activities)} support entries, 4 custom "
        f"indicators, {frozen} frozen snapshots ({', '.join(SNAPSHOT_PERIODS)})"
    )
