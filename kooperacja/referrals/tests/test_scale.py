"""generate_referrals on a small N: referrals over generated cases, in the shape the services give them (history,
deadlines, grants and shares that the policies accept); a second run adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q

from kooperacja.accounts.models import User
from kooperacja.cases.scale import generate_cases
from kooperacja.cases.tests import factories as case_factories
from kooperacja.core.testing import factories as f
from kooperacja.directory.models import InstitutionKind, Sector
from kooperacja.privacy.models import AccessGrant
from kooperacja.referrals import policies, selectors
from kooperacja.referrals.models import CLOSED_STATES, OPEN_STATES, Referral, ReferralShare, ReferralTransition, State
from kooperacja.referrals.scale import MARKER, generate_referrals

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated_cases(cast) -> None:  # type: ignore[no-untyped-def]
    case_factories.legal_bases()
    county = cast.gmina_a.county
    for name, kind, sector, gmina in (
        ("Przychodnia POZ", InstitutionKind.POZ, Sector.HEALTH, cast.gmina_a),
        ("Powiatowe Centrum Pomocy Rodzinie", InstitutionKind.PCPR, Sector.SOCIAL_ASSISTANCE, None),
        ("Powiatowy Urząd Pracy", InstitutionKind.PUP, Sector.LABOUR_MARKET, None),
    ):
        f.InstitutionFactory(name=name, kind=kind, sector=sector, gmina=gmina, county=None if gmina else county)
    for index in range(60):
        case_factories.person(recorded_by=cast.ops_a, gmina=cast.gmina_a, first_name=f"Osoba{index}")
    generate_cases(cases=60)


def test_generate_referrals_small(cast, generated_cases) -> None:  # type: ignore[no-untyped-def]
    calls: list[tuple[int, int]] = []
    summary = generate_referrals(
        referrals=400, chunk=10, progress=lambda advance, total: calls.append((advance, total))
    )
    assert summary.referrals == 400 == Referral.objects.filter(reason__endswith=MARKER).count()
    assert sum(advance for advance, _total in calls) == 400 and len(calls) > 1
    # Spread over the states, some of them overdue, from the OPS (and its school's plan tasks) to its gmina and county.
    states = set(Referral.objects.values_list("state", flat=True))
    assert {State.DRAFT, State.COMPLETED, State.DECLINED, State.IN_PROGRESS} <= states
    assert len(states) >= 7
    assert Referral.objects.filter(sender=cast.ops_a).count() > 300
    same_gmina_or_county = Q(recipient__gmina=cast.gmina_a) | Q(
        recipient__gmina__isnull=True, recipient__county=cast.gmina_a.county
    )
    assert not Referral.objects.exclude(same_gmina_or_county).exists()
    assert Referral.objects.filter(recipient__gmina__isnull=True).exists()
    # Every referral's history leads from its creation to its state, one step after another.
    for referral in Referral.objects.all()[:120]:
        steps = list(ReferralTransition.objects.filter(referral=referral).order_by("at", "id"))
        assert steps[0].action == "create" and steps[-1].to_state == referral.state
        assert all(a.to_state == b.from_state for a, b in zip(steps, steps[1:], strict=False))
        assert referral.version == len(steps) - 1
    # The grants: every sent referral has them, in force while it is open, ended once it closed or was suspended.
    for referral in Referral.objects.exclude(state=State.DRAFT)[:150]:
        grants = AccessGrant.objects.filter(source_type="referral", source_id=str(referral.pk))
        assert grants.exists() and {g.institution_id for g in grants} == {referral.recipient_id}
        shares = ReferralShare.objects.filter(referral=referral)
        assert sorted(s.category for s in shares) == sorted(referral.categories)
        assert {s.grant_id for s in shares} == {g.pk for g in grants}
        if referral.state in OPEN_STATES:
            assert all(g.ended_at is None for g in grants) and referral.answer_due_at is not None
        if referral.state in CLOSED_STATES or referral.state == State.SUSPENDED:
            assert all(g.ended_at is not None for g in grants)
    assert not AccessGrant.objects.filter(
        source_type="referral",
        source_id__in=[str(pk) for pk in Referral.objects.filter(state=State.DRAFT).values_list("pk", flat=True)],
    ).exists()


def test_generated_referrals_answer_the_same_policies(cast, generated_cases) -> None:  # type: ignore[no-untyped-def]
    generate_referrals(referrals=300)
    open_referral = (
        Referral.objects.filter(state__in=[State.ACCEPTED, State.IN_PROGRESS, State.RECEIVED], task__isnull=True)
        .exclude(recipient=cast.school_a)
        .first()
    )
    assert open_referral is not None
    worker = User.objects.get(
        pk=ReferralTransition.objects.filter(referral=open_referral, action="receive").get().actor_id
    )
    # The recipient's worker finds it in the inbox and sees exactly the shared categories, through its own grants.
    assert open_referral in selectors.inbox(actor=worker)
    assert policies.shown_categories(worker, open_referral) == set(open_referral.categories)
    # The sender's coordinator finds it in the outbox; what was shared is what the policy allows for the recipient.
    coordinator = open_referral.sender_user
    assert open_referral in selectors.outbox(actor=coordinator)
    options = {
        o.category: o
        for o in policies.category_options(
            actor=coordinator,
            person=open_referral.person,
            recipient=open_referral.recipient,
            sender=open_referral.sender,
        )
    }
    for share in ReferralShare.objects.filter(referral=open_referral):
        assert options[share.category].allowed
        assert options[share.category].basis == (share.consent or share.legal_basis)
    # Outsiders see none of it.
    assert not policies.visible_referrals(cast.bob).exists()


def test_generate_scale_referrals_second_run_adds_nothing(cast, generated_cases) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("generate_scale", "--gminy", "1", "--referrals", "150", stdout=out, verbosity=0)
    assert Referral.objects.count() == 150
    assert "referrals: 150 from" in out.getvalue()
    again = StringIO()
    call_command("generate_scale", "--gminy", "1", "--referrals", "150", stdout=again, verbosity=0)
    assert Referral.objects.count() == 150
    assert "referrals: 0 from 0 cases (150 already there)" in again.getvalue()
