"""load_demo: the demo the README promises — three pilot gminy, their institutions, partnerships and accounts."""

from __future__ import annotations

import datetime
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kooperacja.accounts.models import Membership, Role, User
from kooperacja.demo import monitoring_demo
from kooperacja.demo.directory_demo import DEMO_PASSWORD, USERNAMES, agreement_pdf, demo_institution_ids
from kooperacja.demo.pilots import PILOTS
from kooperacja.directory.models import (
    CapacityStatus,
    CooperationAgreement,
    Institution,
    InstitutionKind,
    Location,
    Partnership,
    PartnershipMember,
    Representative,
    Sector,
    Service,
    ServiceAtLocation,
)
from kooperacja.territory.models import Gmina, GminaKind, Macroregion, Voivodeship

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def demo(media: Path) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "voivodeships": Voivodeship.objects.count(),
        "gminy": Gmina.objects.count(),
        "institutions": Institution.objects.count(),
        "services": Service.objects.count(),
        "locations": Location.objects.count(),
        "service_at_locations": ServiceAtLocation.objects.count(),
        "terms": Service.terms.through.objects.count(),
        "partnerships": Partnership.objects.count(),
        "members": PartnershipMember.objects.count(),
        "representatives": Representative.objects.count(),
        "agreements": CooperationAgreement.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
    }


def pilot_gmina(key: str) -> Gmina:
    pilot = next(p for p in PILOTS if p.key == key)
    return Gmina.objects.select_related("county", "voivodeship__macroregion").get(code=pilot.gmina_code)


def test_a_second_load_changes_nothing(demo: str) -> None:
    assert "Demo data loaded" in demo
    before = counts()
    last_change = Service.objects.order_by("-modified_at").values_list("modified_at", flat=True).first()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert counts() == before
    assert Service.objects.order_by("-modified_at").values_list("modified_at", flat=True).first() == last_change
    # The directory demo's own institutions (the monitoring demo adds those of 20 more gminy).
    expected_institutions = sum(1 + len(p.partners) + 4 for p in PILOTS) + 16
    assert Institution.objects.filter(pk__in=demo_institution_ids()).count() == expected_institutions
    # load_demo also loads the monitoring demo, whose 20 more pilot gminy have institutions of their own.
    more_gminy = [row[0] for row in monitoring_demo.MORE_GMINY]
    assert Institution.objects.exclude(gmina__code__in=more_gminy).count() == expected_institutions
    assert (
        Institution.objects.filter(gmina__code__in=more_gminy).count() == before["institutions"] - expected_institutions
    )
    assert "monitoring: 3 projects" in demo and "evaluation: 2 questionnaires" in demo


def test_reset_loads_the_same_demo_again(demo: str, media: Path, django_capture_on_commit_callbacks: Any) -> None:
    before = counts()
    names = sorted(Institution.objects.values_list("id", "name", "street"))
    people = sorted(User.objects.filter(username__in=USERNAMES).values_list("username", "first_name", "last_name"))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", "--reset", stdout=out)
    assert "Deleted the previous demo data" in out.getvalue()
    assert counts() == before
    assert sorted(Institution.objects.values_list("id", "name", "street")) == names
    assert sorted(User.objects.filter(username__in=USERNAMES).values_list("username", "first_name", "last_name")) == (
        people
    )
    # The replaced agreement files are gone from the private storage: one file per agreement remains.
    files = [path for path in (media / "private-media").rglob("*") if path.is_file()]
    assert len(files) == CooperationAgreement.objects.count() == len(PILOTS)


@pytest.mark.parametrize("username", USERNAMES)
def test_every_demo_account_signs_in_with_the_demo_password(client: Client, demo: str, username: str) -> None:
    response = client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_a_wrong_password_does_not_sign_in(client: Client, demo: str) -> None:
    response = client.post(reverse("accounts:login"), {"username": "koordynator", "password": "kooperacja"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def roles(username: str) -> set[tuple[str, str]]:
    return {
        (m.role, str(m.institution_id))
        for m in Membership.objects.filter(user__username=username).select_related("institution")
    }


def test_the_accounts_hold_the_roles_the_readme_lists(demo: str) -> None:
    city, rural = pilot_gmina("city"), pilot_gmina("rural")
    city_ops = Institution.objects.get(gmina=city, kind=InstitutionKind.OPS)
    rural_ops = Institution.objects.get(gmina=rural, kind=InstitutionKind.OPS)
    court = Institution.objects.get(county=city.county, gmina=None, kind=InstitutionKind.COURT)
    rops = Institution.objects.get(voivodeship=city.voivodeship, kind=InstitutionKind.ROPS)
    assert roles("koordynator") == {
        (Role.CASE_COORDINATOR, str(city_ops.pk)),
        (Role.PARTNERSHIP_FACILITATOR, str(city_ops.pk)),
    }
    (pedagog,) = Membership.objects.filter(user__username="pedagog").select_related("institution")
    assert pedagog.role == Role.PARTNER_PROFESSIONAL
    assert pedagog.institution.kind == InstitutionKind.SCHOOL
    assert pedagog.institution.gmina == city
    assert "Szkoła Podstawowa" in pedagog.institution.name
    assert roles("kurator") == {(Role.PARTNER_PROFESSIONAL, str(court.pk))}
    assert court.sector == Sector.JUSTICE
    assert roles("ops-b") == {(Role.CASE_COORDINATOR, str(rural_ops.pk))}
    assert roles("rops") == {(Role.REGIONAL_SPECIALIST, str(rops.pk))}
    assert roles("iod") == {(Role.DATA_PROTECTION_OFFICER, str(city_ops.pk))}
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert (Role.SYSTEM_ADMINISTRATOR, str(rops.pk)) in roles("admin")
    for user in User.objects.filter(username__in=USERNAMES):
        assert user.email.endswith("@example.invalid")
        assert user.first_name and user.last_name
        assert user.password.startswith(("argon2", "md5", "pbkdf2"))  # hashed, never the plain password


def test_the_admin_account_opens_the_django_admin(client: Client, demo: str) -> None:
    client.post(reverse("accounts:login"), {"username": "admin", "password": DEMO_PASSWORD})
    assert client.get("/admin/").status_code == 200


def test_the_territory_has_16_voivodeships_in_three_macroregions(demo: str) -> None:
    assert Voivodeship.objects.count() == 16
    assert Macroregion.objects.count() == 3
    assert Voivodeship.objects.get(code="02").macroregion is None
    assert pilot_gmina("city").voivodeship.macroregion.code == "south"
    assert pilot_gmina("rural").voivodeship.macroregion.code == "east"
    assert pilot_gmina("urban_rural").voivodeship.macroregion.code == "north-west"


@pytest.mark.parametrize(
    ("key", "kind", "variant"),
    [
        ("city", GminaKind.URBAN, "Kooperacje 3D"),
        ("rural", GminaKind.RURAL, "Liderzy kooperacji"),
        ("urban_rural", GminaKind.URBAN_RURAL, "Kooperacja – efektywna i skuteczna"),
    ],
)
def test_each_pilot_gmina_has_its_ops_partners_and_partnership(demo: str, key: str, kind: str, variant: str) -> None:
    gmina = pilot_gmina(key)
    assert gmina.kind == kind
    assert re.fullmatch(r"\d{6}[123]", gmina.code) and gmina.code[:4] == gmina.county.code
    assert gmina.code[6] == GminaKind(kind).rodz
    if kind == GminaKind.URBAN:
        assert gmina.population and gmina.population > 20_000

    (ops,) = Institution.objects.filter(gmina=gmina, kind=InstitutionKind.OPS)
    assert ops.sector == Sector.SOCIAL_ASSISTANCE
    partners = list(Institution.objects.filter(gmina=gmina).exclude(pk=ops.pk))
    assert 10 <= len(partners) <= 15
    assert len({p.sector for p in partners}) >= 6
    for institution in [ops, *partners]:
        assert institution.street and institution.postal_code and institution.city
        assert institution.email and institution.phone and institution.opening_hours
        services = list(institution.services.prefetch_related("terms__taxonomy", "locations", "eligible_gminy"))
        assert 1 <= len(services) <= 4
        for service in services:
            taxonomies = {term.taxonomy.code: term.code for term in service.terms.all()}
            assert "cus-domains" in taxonomies
            assert taxonomies["sectors"] == institution.sector
            assert list(service.eligible_gminy.all()) == [gmina]
            assert service.locations.exists()
            assert service.application_process and service.capacity_confirmed_at
            assert service.search_text == service.compute_search_text()

    (partnership,) = Partnership.objects.filter(gmina=gmina)
    assert partnership.lead_institution == ops
    assert variant in partnership.description
    members = list(partnership.members.select_related("institution").prefetch_related("representatives"))
    member_ids = {m.institution_id for m in members}
    assert {ops.pk, *(p.pk for p in partners)} <= member_ids
    assert all(m.joined_on >= partnership.established_on for m in members)
    assert all(m.representatives.exists() for m in members)
    (agreement,) = partnership.agreements.all()
    assert agreement.signed_on and agreement.scope and agreement.legal_basis_text
    current = {m.institution_id for m in members if m.left_on is None}
    assert set(agreement.parties.values_list("pk", flat=True)) == current
    with agreement.signed_file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_the_city_facilitator_represents_the_ops_in_the_partnership(demo: str) -> None:
    koordynator = User.objects.get(username="koordynator")
    representative = Representative.objects.select_related("member__partnership").get(user=koordynator)
    assert representative.member.partnership.gmina == pilot_gmina("city")
    assert representative.full_name == koordynator.get_full_name()


def test_capacity_languages_and_confirmation_dates_vary(demo: str) -> None:
    services = list(Service.objects.all())
    assert {s.capacity_status for s in services} == set(CapacityStatus.values)
    assert all(s.expected_wait_days for s in services if s.capacity_status == CapacityStatus.WAITLIST)
    assert all(s.expected_wait_days is None for s in services if s.capacity_status != CapacityStatus.WAITLIST)
    now = timezone.now()
    assert any(now - s.capacity_confirmed_at <= datetime.timedelta(days=30) for s in services)
    assert any(now - s.capacity_confirmed_at > datetime.timedelta(days=90) for s in services)
    languages = {code for s in services for code in s.language_list}
    assert {"pl", "uk", "en"} <= languages
    assert any(not s.is_free and s.fees_description for s in services)


def test_county_institutions_and_the_rops_of_every_voivodeship(demo: str) -> None:
    for key in ("city", "rural", "urban_rural"):
        county = pilot_gmina(key).county
        kinds = set(Institution.objects.filter(county=county, gmina=None).values_list("kind", flat=True))
        assert {InstitutionKind.PCPR, InstitutionKind.PUP, InstitutionKind.COURT, InstitutionKind.PROBATION} <= kinds
        assert set(
            Institution.objects.filter(
                county=county, kind__in=[InstitutionKind.COURT, InstitutionKind.PROBATION]
            ).values_list("sector", flat=True)
        ) == {Sector.JUSTICE}
    rops = Institution.objects.filter(kind=InstitutionKind.ROPS)
    assert rops.count() == 16
    assert rops.filter(gmina=None, county=None).count() == 16
    assert set(rops.values_list("voivodeship__code", flat=True)) == set(
        Voivodeship.objects.values_list("code", flat=True)
    )


def test_the_demo_is_found_in_the_directory(client: Client, demo: str) -> None:
    response = client.get(reverse("directory:search"), {"q": "osrodek pomocy rybnik"})
    assert response.status_code == 200
    assert "Miejski Ośrodek Pomocy Społecznej w Rybniku" in response.content.decode()
    # A county institution serves the gminy of its county.
    response = client.get(reverse("directory:search"), {"gmina": pilot_gmina("rural").code, "sector": "justice"})
    assert "Sąd Rejonowy w Krośnie" in response.content.decode()
    partnership = Partnership.objects.get(gmina=pilot_gmina("city"))
    response = client.get(reverse("directory:partnership_detail", args=[partnership.pk]))
    assert response.status_code == 200
    assert partnership.name in response.content.decode()


def test_the_generated_agreement_is_a_well_formed_pdf() -> None:
    pdf = agreement_pdf(["Porozumienie o współpracy – próba", "(nawiasy) i ukośnik \\"])
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.endswith(b"%%EOF\n")
    xref_at = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[xref_at:].startswith(b"xref\n0 6\n")
    entries = pdf[xref_at:].split(b"\n")[3:8]
    for number, entry in enumerate(entries, start=1):
        offset = int(entry[:10])
        assert pdf[offset:].startswith(f"{number} 0 obj".encode())
    assert b"wspolpracy - proba" in pdf
    assert pdf.isascii()


def test_load_demo_loads_the_contexts_built_on_the_directory(demo: str) -> None:
    from kooperacja.demo import evaluation_demo, governance_demo, monitoring_demo
    from kooperacja.governance.models import Team
    from kooperacja.monitoring.models import Project, Questionnaire

    assert Team.objects.filter(name=governance_demo.STEERING_NAME).exists()
    assert Project.objects.filter(name=monitoring_demo.PROJECTS[0].name).exists()
    assert Questionnaire.objects.filter(title=evaluation_demo.AFTER_TITLE).exists()


def test_the_urban_rural_coordinator_signs_in_and_sees_her_caseload(client: Client, demo: str) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": "koordynator-urban-rural", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    page = client.get(reverse("cases:caseload"))
    assert page.status_code == 200
    assert "cases:" in demo and "people:" in demo
