from __future__ import annotations

import pytest

from kooperacja.accounts.models import Role
from kooperacja.core.testing import factories as f
from kooperacja.core.testing.cast import Cast
from kooperacja.referrals import services
from kooperacja.referrals.models import Referral
from kooperacja.referrals.tests.factories import World, make_world


@pytest.fixture(autouse=True)
def _consent_callback_registered() -> None:
    """ReferralsConfig.ready() registers the suspension callback once per process; privacy's own tests clear the whole
    registry (services._consent_ended_callbacks.clear()) when they run in the same worker, so re-register it here
    (on_consent_ended is idempotent). test_ready_registers_the_callback checks ready() itself."""
    from kooperacja.privacy.services import on_consent_ended

    on_consent_ended(services.referrals_suspend_for_consent)


@pytest.fixture
def world(cast: Cast) -> World:
    return make_world(cast)


@pytest.fixture
def school_manager(cast: Cast):  # type: ignore[no-untyped-def]
    user = f.UserFactory(username="dyrektor", email="dyrektor@example.invalid")
    f.MembershipFactory(user=user, institution=cast.school_a, role=Role.INSTITUTION_MANAGER)
    return user


@pytest.fixture
def school_dpo(cast: Cast):  # type: ignore[no-untyped-def]
    user = f.UserFactory(username="iod-szkola")
    f.MembershipFactory(user=user, institution=cast.school_a, role=Role.DATA_PROTECTION_OFFICER)
    return user


@pytest.fixture
def draft(world: World) -> Referral:
    return services.referral_create(
        actor=world.cast.alice,
        case=world.case,
        recipient=world.cast.school_a,
        reason="Proszę o objęcie ucznia pomocą psychologiczno-pedagogiczną.",
        categories=["identity", "contact", "education"],
    )


@pytest.fixture
def sent(draft: Referral) -> Referral:
    services.referral_send(actor=draft.sender_user, referral=draft)
    draft.refresh_from_db()
    return draft
