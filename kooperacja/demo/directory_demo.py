"""The demo: three pilot gminy with their institutions, services, partnerships and agreements, and the demo accounts.

`demo_load()` writes everything in one transaction, in bulk. Every object has a fixed UUID derived from a stable key and
every name comes from Faker("pl_PL") with a fixed seed, so the demo is the same on every machine and after every
`--reset`. A second load finds the demo in place and changes nothing.
"""

from __future__ import annotations

import datetime
import functools
import random
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from kooperacja.accounts.models import Membership, Role, User
from kooperacja.demo import catalogue
from kooperacja.demo.pilots import PILOTS, ROPS, Partner, Pilot, county_institutions
from kooperacja.directory.models import (
    CapacityStatus,
    CooperationAgreement,
    Institution,
    InstitutionKind,
    Location,
    Partnership,
    PartnershipMember,
    Representative,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from kooperacja.directory.text import normalise
from kooperacja.territory.models import County, Gmina, Voivodeship
from kooperacja.territory.services import macroregions_seed

DEMO_PASSWORD = "kooperacja-demo"
DEMO_SEED = 20190301
NAMESPACE = uuid.UUID("0b6e7f4c-2d1a-4f0e-9c3b-6a5d8e7f1029")
EMAIL_DOMAIN = "example.invalid"


def demo_id(*parts: str) -> uuid.UUID:
    """The fixed id of a demo object, from a stable key."""
    return uuid.uuid5(NAMESPACE, "/".join(parts))


# --- the demo accounts ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountSpec:
    username: str
    # (institution key, role, job title)
    memberships: tuple[tuple[str, str, str], ...]
    is_admin: bool = False
    female: bool = True


ACCOUNTS: tuple[AccountSpec, ...] = (
    AccountSpec(
        "koordynator",
        (
            ("city:ops", Role.CASE_COORDINATOR, "starsza pracownica socjalna, koordynatorka przypadku"),
            ("city:ops", Role.PARTNERSHIP_FACILITATOR, "animatorka partnerstwa"),
        ),
    ),
    AccountSpec("pedagog", (("city:partner:0", Role.PARTNER_PROFESSIONAL, "pedagog szkolny"),), female=False),
    AccountSpec(
        "kurator",
        (("city:county:court", Role.PARTNER_PROFESSIONAL, "kurator zawodowy dla dorosłych i nieletnich"),),
        female=False,
    ),
    AccountSpec("ops-b", (("rural:ops", Role.CASE_COORDINATOR, "pracownica socjalna"),)),
    AccountSpec("rops", (("rops:24", Role.REGIONAL_SPECIALIST, "specjalistka regionalna ds. kooperacji"),)),
    AccountSpec("iod", (("city:ops", Role.DATA_PROTECTION_OFFICER, "inspektor ochrony danych"),), female=False),
    AccountSpec(
        "admin", (("rops:24", Role.SYSTEM_ADMINISTRATOR, "administrator systemu"),), is_admin=True, female=False
    ),
)
USERNAMES: tuple[str, ...] = tuple(account.username for account in ACCOUNTS)
ROPS_BY_VOIVODESHIP = {rops.voivodeship_code: rops for rops in ROPS}


# --- what the demo holds: the keys of its institutions and partnerships ----------------------------------------------


def _institution_specs() -> list[tuple[str, Pilot | None, Partner, str]]:
    """(key, pilot, partner, level) of every demo institution; level is gmina, county or voivodeship."""
    specs: list[tuple[str, Pilot | None, Partner, str]] = []
    for pilot in PILOTS:
        specs.append(
            (f"{pilot.key}:ops", pilot, Partner(InstitutionKind.OPS, pilot.ops_name, pilot.ops_short_name), "gmina")
        )
        for index, partner in enumerate(pilot.partners):
            specs.append((f"{pilot.key}:partner:{index}", pilot, partner, "gmina"))
        for partner in county_institutions(pilot):
            specs.append((f"{pilot.key}:county:{partner.kind}", pilot, partner, "county"))
    for rops in ROPS:
        partner = Partner(InstitutionKind.ROPS, rops.name, rops.short_name, rops.city)
        specs.append((f"rops:{rops.voivodeship_code}", None, partner, "voivodeship"))
    return specs


def demo_institution_ids() -> list[uuid.UUID]:
    return [demo_id("institution", key) for key, *_ in _institution_specs()]


def demo_partnership_ids() -> list[uuid.UUID]:
    return [demo_id("partnership", pilot.key) for pilot in PILOTS]


def is_loaded() -> bool:
    """Whether the demo is in the database (its first institution, written in the same transaction as the rest)."""
    return Institution.objects.filter(pk=demo_id("institution", f"{PILOTS[0].key}:ops")).exists()


# --- the summary ----------------------------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    loaded: bool = False
    deleted: bool = False
    voivodeships: int = 0
    macroregions: int = 0
    gminy: list[str] = field(default_factory=list)
    institutions: int = 0
    services: int = 0
    locations: int = 0
    partnerships: int = 0
    members: int = 0
    agreements: int = 0
    accounts: list[str] = field(default_factory=list)
    seconds: float = 0.0


# --- a small signed agreement ---------------------------------------------------------------------------------------


_ASCII_EXTRA = str.maketrans({"ł": "l", "Ł": "L", "–": "-", "—": "-", "„": '"', "”": '"'})


def agreement_pdf(lines: list[str]) -> bytes:
    """A minimal valid one-page PDF (Helvetica, ASCII) showing `lines`."""

    def ascii_text(text: str) -> str:
        text = text.translate(_ASCII_EXTRA)
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        return folded.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    commands = ["BT", "/F1 12 Tf", "56 780 Td", "16 TL"]
    for line in lines:
        commands.append(f"({ascii_text(line)}) Tj T*")
    commands.append("ET")
    content = "\n".join(commands)
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Length {len(content.encode('latin-1'))} >>\nstream\n{content}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("latin-1")
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode("latin-1")
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode("latin-1")
    return bytes(out)


# --- loading --------------------------------------------------------------------------------------------------------


def _email_local(*parts: str) -> str:
    return ".".join(slugify(normalise(part)).replace("-", "") for part in parts if part)


class _Builder:
    """Builds the demo objects in memory, then writes each table in bulk."""

    def __init__(self, *, now: datetime.datetime) -> None:
        self.now = now
        self.fake = Faker("pl_PL")
        self.fake.seed_instance(DEMO_SEED)
        self.rng = random.Random(DEMO_SEED)
        self.institutions: dict[str, Institution] = {}
        self.main_locations: dict[str, Location] = {}
        self.locations: list[Location] = []
        self.services: list[Service] = []
        self.service_terms: list[Any] = []
        self.service_gminy: list[Any] = []
        self.service_locations: list[ServiceAtLocation] = []
        self.domain_terms = {t.code: t.pk for t in TaxonomyTerm.objects.filter(taxonomy__code="cus-domains")}
        self.sector_terms = {t.code: t.pk for t in TaxonomyTerm.objects.filter(taxonomy__code="sectors")}

    # territory ------------------------------------------------------------------------------------------------------

    def territory(self) -> tuple[dict[str, Voivodeship], dict[str, Gmina]]:
        macroregions_seed()
        voivodeships = {v.code: v for v in Voivodeship.objects.all()}
        gminy: dict[str, Gmina] = {}
        for pilot in PILOTS:
            voivodeship = voivodeships[pilot.voivodeship_code]
            county, _ = County.objects.get_or_create(
                code=pilot.county_code,
                defaults={
                    "name": pilot.county_name,
                    "kind_label": pilot.county_kind_label,
                    "voivodeship": voivodeship,
                },
            )
            gmina, created = Gmina.objects.get_or_create(
                code=pilot.gmina_code,
                defaults={
                    "name": pilot.gmina_name,
                    "kind": pilot.gmina_kind,
                    "kind_label": pilot.gmina_kind_label,
                    "county": county,
                    "voivodeship": voivodeship,
                    "population": pilot.population,
                },
            )
            if not created and gmina.population is None and pilot.population is not None:
                gmina.population = pilot.population
                gmina.save(update_fields=["population"])
            gminy[pilot.key] = gmina
        return voivodeships, gminy

    # institutions ---------------------------------------------------------------------------------------------------

    def street(self) -> str:
        return f"ul. {self.fake.street_name()} {self.rng.randint(1, 120)}"

    def phone(self) -> str:
        rng = self.rng
        return f"+48 {rng.randint(12, 99)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"

    def institution(
        self,
        key: str,
        partner: Partner,
        *,
        gmina: Gmina | None,
        county: County | None,
        voivodeship: Voivodeship,
        town: str,
        postal_code: str,
        coordinates: tuple[str, str] | None,
    ) -> Institution:
        short = partner.short_name or partner.name
        domain = slugify(normalise(f"{short} {town}" if town and normalise(town) not in normalise(short) else short))
        institution = Institution(
            id=demo_id("institution", key),
            name=partner.name,
            short_name=partner.short_name,
            description=catalogue.DESCRIPTIONS.get(partner.kind, ""),
            sector=catalogue.KIND_SECTOR[partner.kind],
            kind=partner.kind,
            gmina=gmina,
            county=county,
            voivodeship=voivodeship,
            street=self.street(),
            postal_code=postal_code,
            city=partner.town or town,
            email=f"kontakt@{domain[:40].strip('-')}.{EMAIL_DOMAIN}",
            phone=self.phone(),
            opening_hours=catalogue.HOURS.get(partner.kind, catalogue.OFFICE_HOURS),
            created_at=self.now,
        )
        institution.search_text = institution.compute_search_text()
        self.institutions[key] = institution
        main = self.location(key, institution, "siedziba", institution.street, gmina, coordinates)
        self.main_locations[key] = main
        extra: Location | None = None
        if partner.kind == InstitutionKind.OPS or (gmina is not None and self.rng.random() < 0.2):
            label = "punkt konsultacyjny" if partner.kind == InstitutionKind.OPS else "filia"
            extra = self.location(key, institution, label, self.street(), gmina, coordinates)
        self.services_of(key, institution, main, extra, gmina)
        return institution

    def location(
        self,
        key: str,
        institution: Institution,
        label: str,
        street: str,
        gmina: Gmina | None,
        coordinates: tuple[str, str] | None,
    ) -> Location:
        latitude = longitude = None
        if coordinates is not None:
            latitude = Decimal(coordinates[0]) + Decimal(self.rng.randint(-150, 150)) / Decimal(10_000)
            longitude = Decimal(coordinates[1]) + Decimal(self.rng.randint(-150, 150)) / Decimal(10_000)
        location = Location(
            id=demo_id("location", key, label),
            institution=institution,
            name=f"{institution.short_name or institution.name} – {label}",
            street=street,
            postal_code=institution.postal_code,
            city=institution.city,
            gmina=gmina,
            latitude=latitude,
            longitude=longitude,
            accessibility=self.rng.choice(
                [
                    "Wejście bez schodów, toaleta dostosowana do potrzeb osób z niepełnosprawnościami.",
                    "Parter dostępny; piętro bez windy – spotkanie można umówić na parterze.",
                    "Winda, pętla indukcyjna w punkcie obsługi.",
                    "",
                ]
            ),
            opening_hours=institution.opening_hours,
        )
        self.locations.append(location)
        return location

    def services_of(
        self,
        key: str,
        institution: Institution,
        main: Location,
        extra: Location | None,
        gmina: Gmina | None,
    ) -> None:
        templates = catalogue.SERVICES.get(institution.kind, ())
        if not templates:
            return
        count = 4 if institution.kind == InstitutionKind.OPS else self.rng.randint(1, min(4, len(templates)))
        for index, template in enumerate(self.rng.sample(list(templates), count)):
            status, wait = self.capacity()
            confirmed = self.now - datetime.timedelta(
                days=self.rng.randint(0, 30) if self.rng.random() < 0.65 else self.rng.randint(120, 400)
            )
            service = Service(
                id=demo_id("service", key, str(index)),
                institution=institution,
                name=template.name,
                description=template.description,
                email=institution.email,
                phone=institution.phone,
                minimum_age=template.minimum_age,
                maximum_age=template.maximum_age,
                eligibility_description=template.eligibility,
                application_process=template.application,
                languages=template.languages
                if template.languages != "pl"
                else self.rng.choice(catalogue.LANGUAGES_EXTRA),
                is_free=not template.fees,
                fees_description=template.fees,
                capacity_status=status,
                expected_wait_days=wait,
                capacity_confirmed_at=confirmed,
                created_at=self.now,
            )
            service.search_text = service.compute_search_text()
            self.services.append(service)
            through = Service.terms.through
            for code in template.domains:
                self.service_terms.append(through(service_id=service.pk, taxonomyterm_id=self.domain_terms[code]))
            self.service_terms.append(
                through(service_id=service.pk, taxonomyterm_id=self.sector_terms[institution.sector])
            )
            if gmina is not None:
                self.service_gminy.append(Service.eligible_gminy.through(service_id=service.pk, gmina_id=gmina.pk))
            places = [main] if extra is None or index % 2 else [main, extra]
            for place in places:
                self.service_locations.append(
                    ServiceAtLocation(
                        id=demo_id("sal", str(service.pk), str(place.pk)), service=service, location=place
                    )
                )

    def capacity(self) -> tuple[str, int | None]:
        draw = self.rng.random()
        if draw < 0.6:
            return CapacityStatus.ACCEPTING, None
        if draw < 0.85:
            return CapacityStatus.WAITLIST, self.rng.choice([7, 14, 21, 30, 45, 60, 90])
        return CapacityStatus.NOT_ACCEPTING, None

    def write_directory(self) -> None:
        Institution.objects.bulk_create(self.institutions.values())
        Location.objects.bulk_create(self.locations)
        Service.objects.bulk_create(self.services)
        Service.terms.through.objects.bulk_create(self.service_terms)
        Service.eligible_gminy.through.objects.bulk_create(self.service_gminy)
        ServiceAtLocation.objects.bulk_create(self.service_locations)

    # accounts -------------------------------------------------------------------------------------------------------

    def accounts(self) -> dict[str, User]:
        users: dict[str, User] = {}
        memberships: list[Membership] = []
        for account in ACCOUNTS:
            first = self.fake.first_name_female() if account.female else self.fake.first_name_male()
            last = self.fake.last_name_female() if account.female else self.fake.last_name_male()
            user = User.objects.filter(username=account.username).first() or User(username=account.username)
            user.first_name, user.last_name = first, last
            user.email = f"{account.username}@{EMAIL_DOMAIN}"
            user.is_staff = user.is_superuser = account.is_admin
            user.is_active = True
            user.preferred_language = "pl"
            user.set_password(DEMO_PASSWORD)
            user.save()
            users[account.username] = user
            for institution_key, role, job_title in account.memberships:
                memberships.append(
                    Membership(
                        user=user,
                        institution=self.institutions[institution_key],
                        role=role,
                        job_title=job_title,
                        started_on=datetime.date(2019, 1, 2),
                    )
                )
        Membership.objects.bulk_create(memberships, ignore_conflicts=True)
        return users

    # partnerships ---------------------------------------------------------------------------------------------------

    def partnerships(self, gminy: dict[str, Gmina], users: dict[str, User]) -> tuple[int, int]:
        member_count = agreement_count = 0
        for pilot in PILOTS:
            gmina = gminy[pilot.key]
            lead = self.institutions[f"{pilot.key}:ops"]
            partnership = Partnership.objects.create(
                id=demo_id("partnership", pilot.key),
                name=pilot.partnership_name,
                gmina=gmina,
                county=gmina.county if pilot.partnership_has_county else None,
                lead_institution=lead,
                description=(
                    f"Wariant modelu kooperacji: „{pilot.variant}”. {pilot.variant_note} "
                    f"Lider instytucjonalny: {lead.name}. Dane demonstracyjne (syntetyczne)."
                ),
                established_on=pilot.established_on,
                created_at=self.now,
            )
            keys = (
                [f"{pilot.key}:ops"]
                + [f"{pilot.key}:partner:{i}" for i in range(len(pilot.partners))]
                + [f"{pilot.key}:county:{p.kind}" for p in county_institutions(pilot)]
            )
            members: list[PartnershipMember] = []
            for position, key in enumerate(keys):
                founding = position < len(keys) - 3
                joined = pilot.established_on + datetime.timedelta(
                    days=self.rng.randint(0, 20) if founding else self.rng.randint(200, 500)
                )
                members.append(
                    PartnershipMember(
                        partnership=partnership,
                        institution=self.institutions[key],
                        joined_on=pilot.established_on if position == 0 else joined,
                    )
                )
            if pilot.key == "city":
                # One member left: the page shows the partnership's history, not only its present.
                leaver = next(m for m in members if m.institution.kind == InstitutionKind.SPORTS_CENTRE)
                leaver.left_on = datetime.date(2021, 6, 30)
            PartnershipMember.objects.bulk_create(members)
            members = list(PartnershipMember.objects.filter(partnership=partnership).select_related("institution"))
            member_count += len(members)
            representatives: list[Representative] = []
            for member in members:
                representatives.append(self.representative(member, member.institution.kind))
                if member.institution_id == lead.pk:
                    facilitator = users["koordynator"] if pilot.key == "city" else None
                    representatives.append(
                        self.representative(
                            member, InstitutionKind.OPS, function="animator partnerstwa", user=facilitator
                        )
                    )
            Representative.objects.bulk_create(representatives)
            self.agreement(pilot, partnership, [m for m in members if m.left_on is None])
            agreement_count += 1
        return member_count, agreement_count

    def representative(
        self, member: PartnershipMember, kind: str, *, function: str = "", user: User | None = None
    ) -> Representative:
        if user is not None:
            first, last = user.first_name, user.last_name
        elif self.rng.random() < 0.6:
            first, last = self.fake.first_name_female(), self.fake.last_name_female()
        else:
            first, last = self.fake.first_name_male(), self.fake.last_name_male()
        return Representative(
            member=member,
            full_name=f"{first} {last}",
            function=function or catalogue.REPRESENTATIVE_FUNCTIONS.get(kind, "przedstawiciel"),
            email=user.email if user is not None else f"{_email_local(first, last)}@{EMAIL_DOMAIN}",
            phone=self.phone(),
            user=user,
        )

    def agreement(self, pilot: Pilot, partnership: Partnership, members: list[PartnershipMember]) -> None:
        signed_on = pilot.established_on + datetime.timedelta(days=45)
        valid_until = None if pilot.key != "rural" else datetime.date(2027, 12, 31)
        agreement = CooperationAgreement(
            id=demo_id("agreement", pilot.key),
            partnership=partnership,
            title=f"Porozumienie o współpracy – {partnership.name}",
            signed_on=signed_on,
            valid_from=signed_on,
            valid_until=valid_until,
            scope=(
                "Wspólne działania na rzecz osób i rodzin z gminy: wymiana informacji o ofercie instytucji, "
                "zgłaszanie i przyjmowanie skierowań, udział przedstawicieli w posiedzeniach zespołu co najmniej raz "
                "na kwartał, tworzenie zespołów zadaniowych dla osób i rodzin, wspólna diagnoza lokalnych potrzeb "
                f"oraz testowanie wariantu modelu „{pilot.variant}”."
            ),
            legal_basis_text=(
                "Art. 7 ust. 1 pkt 6 ustawy z dnia 8 marca 1990 r. o samorządzie gminnym; art. 110 ustawy z dnia "
                "12 marca 2004 r. o pomocy społecznej; ustawa z dnia 9 czerwca 2011 r. o wspieraniu rodziny i systemie "
                "pieczy zastępczej. Porozumienie samo w sobie nie stanowi podstawy do udostępniania danych osobowych."
            ),
            created_at=self.now,
        )
        pdf = agreement_pdf(
            [
                agreement.title,
                f"Zawarte dnia {signed_on:%d.%m.%Y} r.",
                f"Strony: {len(members)} instytucji, lider: {partnership.lead_institution.name}",
                "Egzemplarz demonstracyjny - dane syntetyczne.",
            ]
        )
        agreement.signed_file.save("porozumienie.pdf", ContentFile(pdf), save=False)
        agreement.save()
        agreement.parties.set([member.institution for member in members])


def demo_delete() -> None:
    """Remove the demo's institutions (with their services, locations, memberships), partnerships and accounts.

    The territory stays: TERYT units are reference data other records may point to.
    """
    partnership_ids = demo_partnership_ids()
    institution_ids = demo_institution_ids()
    with transaction.atomic():
        files = [
            agreement.signed_file
            for agreement in CooperationAgreement.objects.filter(partnership_id__in=partnership_ids)
            if agreement.signed_file
        ]
        Partnership.objects.filter(pk__in=partnership_ids).delete()
        PartnershipMember.objects.filter(institution_id__in=institution_ids).delete()
        User.objects.filter(username__in=USERNAMES).delete()
        Institution.objects.filter(pk__in=institution_ids).delete()
        for stored in files:
            transaction.on_commit(functools.partial(stored.storage.delete, str(stored.name)))


def demo_load(*, reset: bool = False) -> DemoSummary:
    """Load the demo unless it is already there (then nothing changes). With `reset`, delete it first."""
    started = time.monotonic()
    summary = DemoSummary()
    if reset:
        demo_delete()
        summary.deleted = True
    if is_loaded():
        summary.seconds = time.monotonic() - started
        return summary
    now = timezone.now()
    with transaction.atomic():
        builder = _Builder(now=now)
        voivodeships, gminy = builder.territory()
        for key, pilot, partner, level in _institution_specs():
            if pilot is None:  # a ROPS: voivodeship level
                rops = ROPS_BY_VOIVODESHIP[key.split(":")[1]]
                builder.institution(
                    key,
                    partner,
                    gmina=None,
                    county=None,
                    voivodeship=voivodeships[rops.voivodeship_code],
                    town=rops.city,
                    postal_code=f"{rops.postal_prefix}-{builder.rng.randint(1, 999):03d}",
                    coordinates=None,
                )
                continue
            gmina = gminy[pilot.key]
            at_gmina = level == "gmina"
            builder.institution(
                key,
                partner,
                gmina=gmina if at_gmina else None,
                county=gmina.county,
                voivodeship=voivodeships[pilot.voivodeship_code],
                town=pilot.town if at_gmina else pilot.county_seat,
                postal_code=pilot.town_postal_code if at_gmina else pilot.county_seat_postal_code,
                coordinates=(pilot.latitude, pilot.longitude) if at_gmina else None,
            )
        builder.write_directory()
        users = builder.accounts()
        members, agreements = builder.partnerships(gminy, users)
    summary.loaded = True
    summary.voivodeships = len(voivodeships)
    summary.macroregions = len({v.macroregion_id for v in Voivodeship.objects.all() if v.macroregion_id})
    summary.gminy = [f"{gminy[p.key].name} ({gminy[p.key].code}, {p.variant})" for p in PILOTS]
    summary.institutions = len(builder.institutions)
    summary.services = len(builder.services)
    summary.locations = len(builder.locations)
    summary.partnerships = len(PILOTS)
    summary.members = members
    summary.agreements = agreements
    summary.accounts = list(users)
    summary.seconds = time.monotonic() - started
    return summary
