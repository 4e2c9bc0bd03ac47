"""A small, hand-countable world of pilots on top of the shared cast (see the figures in each test's docstring).

- Voivodeship A (24, macroregion "poludnie"): pilot A in gmina A (urban, Kooperacje 3D, running, with county A),
  pilot B in gmina B (rural, Liderzy kooperacji, running, with county A), a planned pilot in gmina A (not counted).
- Voivodeship Z (20, no macroregion): pilot Z in gmina Z (urban-rural, running), run by ROPS Z.
- Partnership A (cast): ops_a, school_a, court (joined 2024-01-10), established 2024-01-01, still active.
- Partnership B (gmina B, county A): ops_b and the court (joined 2024-03-01), established 2024-03-01, ended 2024-12-31.
- Support: pilot A 6 h training (2024-02-10) + 2.5 h coaching (2024-05-20); pilot B 4 h supervision (2024-04-15);
  pilot Z 3 h advisory (2024-02-01).
- mia: model expert (country reader), zoe: regional specialist at ROPS Z, dan: DPO at ROPS A (reader of A).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from kooperacja.accounts.models import Role, User
from kooperacja.core.testing import factories as f
from kooperacja.core.testing.cast import Cast
from kooperacja.directory.models import Institution, InstitutionKind, Partnership, PartnershipMember
from kooperacja.monitoring.models import ModelVariant, Pilot, PilotStatus, SupportActivity, SupportKind

D = datetime.date


@dataclass
class World:
    pilot_a: Pilot
    pilot_b: Pilot
    pilot_planned: Pilot
    pilot_z: Pilot
    partnership_b: Partnership
    rops_z: Institution
    mia: User
    zoe: User
    dan: User


def build_world(cast: Cast) -> World:
    rops_z = f.InstitutionFactory(
        name="Regionalny Ośrodek Polityki Społecznej w Białymstoku",
        short_name="ROPS Białystok",
        gmina=None,
        county=None,
        voivodeship=cast.voivodeship_z,
        kind=InstitutionKind.ROPS,
    )
    pa = cast.partnership_a
    pa.established_on = D(2024, 1, 1)
    pa.save()
    PartnershipMember.objects.filter(partnership=pa).update(joined_on=D(2024, 1, 10))
    partnership_b = f.PartnershipFactory(
        name="PZK Wieś B",
        lead_institution=cast.ops_b,
        gmina=cast.gmina_b,
        county=cast.county_a,
        established_on=D(2024, 3, 1),
        ended_on=D(2024, 12, 31),
    )
    for institution in (cast.ops_b, cast.court):
        f.PartnershipMemberFactory(partnership=partnership_b, institution=institution, joined_on=D(2024, 3, 1))

    def pilot(gmina: object, variant: str, rops: Institution, **extra: object) -> Pilot:
        return Pilot.objects.create(
            gmina=gmina,
            variant=variant,
            rops=rops,
            status=extra.pop("status", PilotStatus.RUNNING),
            started_on=extra.pop("started_on", D(2024, 1, 1)),
            **extra,
        )

    pilot_a = pilot(
        cast.gmina_a, ModelVariant.CITIES_3D, cast.rops_a, county=cast.county_a, funding_amount=Decimal("60000")
    )
    pilot_b = pilot(cast.gmina_b, ModelVariant.RURAL_LEADERS, cast.rops_a, county=cast.county_a)
    pilot_planned = pilot(cast.gmina_a, ModelVariant.CUS, cast.rops_a, status=PilotStatus.PLANNED)
    pilot_z = pilot(cast.gmina_z, ModelVariant.URBAN_RURAL, rops_z)
    for target, kind, day, hours in (
        (pilot_a, SupportKind.TRAINING, D(2024, 2, 10), "6"),
        (pilot_a, SupportKind.COACHING, D(2024, 5, 20), "2.5"),
        (pilot_b, SupportKind.SUPERVISION, D(2024, 4, 15), "4"),
        (pilot_z, SupportKind.ADVISORY, D(2024, 2, 1), "3"),
    ):
        SupportActivity.objects.create(
            pilot=target, kind=kind, given_on=day, hours=Decimal(hours), given_by="ROPS", for_whom="PZK"
        )
    mia = f.UserFactory(username="mia")
    f.MembershipFactory(user=mia, institution=cast.rops_a, role=Role.MODEL_EXPERT)
    zoe = f.UserFactory(username="zoe")
    f.MembershipFactory(user=zoe, institution=rops_z, role=Role.REGIONAL_SPECIALIST)
    dan = f.UserFactory(username="dan")
    f.MembershipFactory(user=dan, institution=cast.rops_a, role=Role.DATA_PROTECTION_OFFICER)
    return World(pilot_a, pilot_b, pilot_planned, pilot_z, partnership_b, rops_z, mia, zoe, dan)
