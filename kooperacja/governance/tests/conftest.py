"""A steering committee around the shared cast: alice chairs it, tom is a model expert (a reader), rosa's team is
invited to its meeting; bob and olga are outsiders."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from kooperacja.cases import services as case_services
from kooperacja.cases.models import Case
from kooperacja.cases.models import TeamRole as CaseTeamRole
from kooperacja.cases.tests import factories as case_factories
from kooperacja.cases.tests.conftest import open_case
from kooperacja.core.testing.cast import Cast
from kooperacja.governance import services
from kooperacja.governance.models import Meeting, Team, TeamKind, TeamMember, TeamRole
from kooperacja.privacy.models import Consent


@dataclass
class Committee:
    team: Team
    invited_team: Team
    meeting: Meeting
    guest: TeamMember


DAY_1 = datetime.date(2031, 3, 10)
DAY_2 = datetime.date(2031, 3, 11)


@pytest.fixture
def committee(cast: Cast) -> Committee:
    team = services.team_create(
        actor=cast.alice, kind=TeamKind.STEERING_COMMITTEE, name="Komitet Sterujący", institution=cast.ops_a
    )
    TeamMember.objects.filter(team=team, user=cast.alice).update(role=TeamRole.CHAIR)
    services.member_add(
        actor=cast.alice, team=team, user=cast.tom, institution=cast.school_a, role=TeamRole.MODEL_EXPERT
    )
    guest = services.member_add(
        actor=cast.alice,
        team=team,
        full_name="Jan Gość",
        email="jan.gosc@example.invalid",
        institution=cast.court,
        role=TeamRole.GUEST,
    )
    invited_team = services.team_create(
        actor=cast.rosa, kind=TeamKind.MODEL_TEAM, name="Zespół ds. Modelu", voivodeship=cast.voivodeship_a
    )
    meeting = services.meeting_create(
        actor=cast.alice,
        team=team,
        title="Posiedzenie Komitetu Sterującego",
        days=[
            (DAY_1, datetime.time(10, 0), datetime.time(16, 0)),
            (DAY_2, datetime.time(9, 0), datetime.time(13, 30)),
        ],
        place="Katowice, ul. Modelowa 1",
        invited_teams=[invited_team],
    )
    return Committee(team=team, invited_team=invited_team, meeting=meeting, guest=guest)


@dataclass
class CaseOfAlice:
    case: Case
    consent: Consent


@pytest.fixture
def case_of_alice(cast: Cast) -> CaseOfAlice:
    """Alice's (OPS A) qualified case of a person; tom (school A) and paula (the court) are in its case team on the
    person's consent (the cases tests' helpers, read-only)."""
    case_factories.legal_bases()
    case = open_case(cast)
    case_services.case_qualify(actor=cast.alice, case=case, decision="accepted")
    consent = case_factories.consent(
        person=case.person,
        recorded_by=cast.ops_a,
        recipients=[cast.school_a, cast.court],
        categories=["identity", "contact", "education"],
        recorded_orally_by=cast.alice,
    )
    case_services.team_member_add(
        actor=cast.alice,
        case=case,
        institution=cast.school_a,
        user=cast.tom,
        role=CaseTeamRole.PEDAGOGUE,
        categories=["identity", "education"],
    )
    case_services.team_member_add(
        actor=cast.alice,
        case=case,
        institution=cast.court,
        user=cast.paula,
        role=CaseTeamRole.PROBATION_OFFICER,
        categories=["identity"],
    )
    case.refresh_from_db()
    return CaseOfAlice(case=case, consent=consent)
