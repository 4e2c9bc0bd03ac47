"""The fixed cast of actors every test shares (see HOUSE_STYLE habit 9).

Two gminy in one county of one voivodeship, a second voivodeship elsewhere:
- alice: case coordinator at OPS A (gmina A); also partnership facilitator of partnership A
- tom:   teacher (pedagogue) at school A (gmina A), partner professional
- paula: probation officer at the district court (county of A), partner professional
- bob:   case coordinator at OPS B (gmina B, same county)
- rosa:  regional specialist at the ROPS of voivodeship A
- dora:  data protection officer of OPS A
- root:  system administrator (superuser)
- olga:  outsider — staff of an NGO in another voivodeship
"""

from __future__ import annotations

from dataclasses import dataclass

from kooperacja.accounts.models import Membership, Role, User
from kooperacja.core.testing import factories as f
from kooperacja.directory.models import Institution, InstitutionKind, Partnership, Sector
from kooperacja.territory.models import County, Gmina, GminaKind, Voivodeship


@dataclass
class Cast:
    voivodeship_a: Voivodeship
    voivodeship_z: Voivodeship
    county_a: County
    gmina_a: Gmina
    gmina_b: Gmina
    gmina_z: Gmina
    ops_a: Institution
    school_a: Institution
    court: Institution
    ops_b: Institution
    rops_a: Institution
    ngo_z: Institution
    partnership_a: Partnership
    alice: User
    tom: User
    paula: User
    bob: User
    rosa: User
    dora: User
    root: User
    olga: User

    def membership(self, user: User) -> Membership:
        return Membership.objects.filter(user=user).order_by("pk").first()  # type: ignore[return-value]


def build_cast() -> Cast:
    macro = f.MacroregionFactory(code="poludnie", name="Makroregion III (południe)")
    woj_a = f.VoivodeshipFactory(code="24", name="śląskie", macroregion=macro)
    woj_z = f.VoivodeshipFactory(code="20", name="podlaskie")
    county_a = f.CountyFactory(code="2411", name="powiat rybnicki", voivodeship=woj_a)
    county_z = f.CountyFactory(code="2001", name="powiat augustowski", voivodeship=woj_z)
    gmina_a = f.GminaFactory(code="2411011", name="Miastko A", county=county_a, kind=GminaKind.URBAN)
    gmina_b = f.GminaFactory(code="2411022", name="Wieś B", county=county_a, kind=GminaKind.RURAL)
    gmina_z = f.GminaFactory(code="2001033", name="Zet", county=county_z, kind=GminaKind.URBAN_RURAL)

    ops_a = f.InstitutionFactory(
        name="Miejski Ośrodek Pomocy Społecznej w Miastku A", short_name="MOPS A", gmina=gmina_a
    )
    school_a = f.InstitutionFactory(
        name="Szkoła Podstawowa nr 1 w Miastku A",
        short_name="SP 1",
        gmina=gmina_a,
        sector=Sector.EDUCATION,
        kind=InstitutionKind.SCHOOL,
    )
    court = f.InstitutionFactory(
        name="Sąd Rejonowy w Rybniku",
        short_name="SR Rybnik",
        gmina=None,
        county=county_a,
        voivodeship=woj_a,
        sector=Sector.JUSTICE,
        kind=InstitutionKind.COURT,
    )
    ops_b = f.InstitutionFactory(name="Gminny Ośrodek Pomocy Społecznej we Wsi B", short_name="GOPS B", gmina=gmina_b)
    rops_a = f.InstitutionFactory(
        name="Regionalny Ośrodek Polityki Społecznej w Katowicach",
        short_name="ROPS Katowice",
        gmina=None,
        county=None,
        voivodeship=woj_a,
        kind=InstitutionKind.ROPS,
    )
    ngo_z = f.InstitutionFactory(
        name="Stowarzyszenie Zet",
        gmina=gmina_z,
        sector=Sector.NGO,
        kind=InstitutionKind.NGO,
    )
    partnership_a = f.PartnershipFactory(name="PZK Miastko A", lead_institution=ops_a, gmina=gmina_a, county=county_a)
    for institution in (ops_a, school_a, court):
        f.PartnershipMemberFactory(partnership=partnership_a, institution=institution)

    def person(username: str, institution: Institution, role: Role, **extra: object) -> User:
        user = f.UserFactory(username=username, **extra)
        f.MembershipFactory(user=user, institution=institution, role=role)
        return user

    alice = person("alice", ops_a, Role.CASE_COORDINATOR)
    f.MembershipFactory(user=alice, institution=ops_a, role=Role.PARTNERSHIP_FACILITATOR)
    tom = person("tom", school_a, Role.PARTNER_PROFESSIONAL)
    paula = person("paula", court, Role.PARTNER_PROFESSIONAL)
    bob = person("bob", ops_b, Role.CASE_COORDINATOR)
    rosa = person("rosa", rops_a, Role.REGIONAL_SPECIALIST)
    dora = person("dora", ops_a, Role.DATA_PROTECTION_OFFICER)
    root = person("root", rops_a, Role.SYSTEM_ADMINISTRATOR, is_staff=True, is_superuser=True)
    olga = person("olga", ngo_z, Role.PARTNER_PROFESSIONAL)
    return Cast(
        voivodeship_a=woj_a,
        voivodeship_z=woj_z,
        county_a=county_a,
        gmina_a=gmina_a,
        gmina_b=gmina_b,
        gmina_z=gmina_z,
        ops_a=ops_a,
        school_a=school_a,
        court=court,
        ops_b=ops_b,
        rops_a=rops_a,
        ngo_z=ngo_z,
        partnership_a=partnership_a,
        alice=alice,
        tom=tom,
        paula=paula,
        bob=bob,
        rosa=rosa,
        dora=dora,
        root=root,
        olga=olga,
    )
