"""Consents: recording them (document or oral, exactly one), and what withdrawal and expiry change, at once."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterator

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from kooperacja.privacy import policies, services
from kooperacja.privacy.models import AccessGrant, Consent
from kooperacja.privacy.tests.conftest import pdf_upload, school_consent, team_grant

pytestmark = pytest.mark.django_db


def _today() -> datetime.date:
    """The local date when the test runs (not when the module was imported: a suite can cross midnight)."""
    return timezone.localdate()


@contextlib.contextmanager
def _extra_callback(callback: Callable[..., None]) -> Iterator[None]:
    """Register a probe callback for the block, then restore the registry as it was: the callbacks that cases and
    referrals registered in ready() must survive for the tests that run after this one in the same process."""
    saved = list(services._consent_ended_callbacks)
    services.on_consent_ended(callback)
    try:
        yield
    finally:
        services._consent_ended_callbacks[:] = saved


def test_tom_sees_the_consented_categories_only_and_withdrawal_stops_it_at_once(cast, recorded):
    person = recorded.person
    assert policies.visible_categories(actor=cast.tom, person=person) == set()
    consent = school_consent(cast, person)
    # A consent alone shares nothing: a case team (or a referral) opens a grant on it.
    assert policies.visible_categories(actor=cast.tom, person=person) == set()
    team_grant(cast, consent)
    assert policies.visible_categories(actor=cast.tom, person=person) == {"identity", "education", "family"}
    assert policies.can_see_person(cast.tom, person)
    assert not policies.can_see_person(cast.paula, person)

    ended: list[Consent] = []
    with _extra_callback(lambda *, consent, actor: ended.append(consent)):
        services.consent_withdraw(actor=cast.alice, consent=consent)
    assert policies.visible_categories(actor=cast.tom, person=person) == set()
    assert not policies.can_see_person(cast.tom, person)
    assert [c.pk for c in ended] == [consent.pk]
    grant = AccessGrant.objects.get(consent=consent)
    assert grant.ended_at is not None and grant.end_reason == "consent_withdrawn"
    # OPS A still sees the person on its statutory basis.
    assert "health" in policies.visible_categories(actor=cast.alice, person=person)
    with pytest.raises(ValidationError):
        services.consent_withdraw(actor=cast.alice, consent=consent)


def test_a_consent_grant_never_shows_more_than_the_consent(cast, recorded):
    consent = school_consent(cast, recorded.person, categories=["identity", "education"])
    with pytest.raises(ValidationError):
        services.grant_open(
            actor=cast.alice,
            person=recorded.person,
            institution=cast.school_a,
            categories=["identity", "health"],
            source_type="case_team",
            source_id="x",
            consent=consent,
        )
    # Not a recipient: the court cannot get a grant on the school's consent.
    with pytest.raises(ValidationError):
        services.grant_open(
            actor=cast.alice,
            person=recorded.person,
            institution=cast.court,
            categories=["identity"],
            source_type="case_team",
            source_id="x",
            consent=consent,
        )


def test_consent_past_valid_until_stops_counting_and_the_task_ends_its_grants(cast, recorded):
    consent = school_consent(
        cast, recorded.person, given_on=_today() - datetime.timedelta(days=30), valid_until=_today()
    )
    team_grant(cast, consent)
    assert policies.can_see_person(cast.tom, recorded.person)
    # The day after valid_until the policy no longer counts it, before any task ran.
    Consent.objects.filter(pk=consent.pk).update(valid_until=_today() - datetime.timedelta(days=1))
    assert not policies.can_see_person(cast.tom, recorded.person)
    assert AccessGrant.objects.get(consent=consent).ended_at is None

    ended: list[int] = []
    with _extra_callback(lambda *, consent, actor: ended.append(consent.pk)):
        call_command("expire_consents")
        call_command("expire_consents")  # idempotent: callbacks once
    assert ended == [consent.pk]
    grant = AccessGrant.objects.get(consent=consent)
    assert grant.ended_at is not None and grant.end_reason == "consent_expired"
    assert Consent.objects.get(pk=consent.pk).ended_processed_at is not None


def test_the_task_runs_through_django_tasks(cast, recorded):
    from kooperacja.privacy.tasks import expire_consents

    consent = school_consent(
        cast, recorded.person, given_on=_today() - datetime.timedelta(days=10), valid_until=_today()
    )
    team_grant(cast, consent)
    Consent.objects.filter(pk=consent.pk).update(valid_until=_today() - datetime.timedelta(days=1))
    result = expire_consents.enqueue()
    assert result.return_value == 1
    assert AccessGrant.objects.get(consent=consent).ended_at is not None


def test_document_or_oral_exactly_one(cast, recorded):
    with pytest.raises(ValidationError) as both:
        school_consent(cast, recorded.person, document=pdf_upload())
    assert "document" in both.value.message_dict
    with pytest.raises(ValidationError):
        school_consent(cast, recorded.person, recorded_orally_by=None)
    consent = school_consent(cast, recorded.person, recorded_orally_by=None, document=pdf_upload())
    assert consent.document.name.startswith("consents/") and "zgoda-" in consent.document.name
    # The database refuses a consent with neither.
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(document="")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("zgoda.exe", b"MZ...", "rozszerzenie"),
        ("zgoda.pdf", b"not a pdf at all", "Zawarto"),
        ("zgoda.pdf", b"", "pusty"),
    ],
)
def test_the_signed_document_is_checked(cast, recorded, name, content, message):
    with pytest.raises(ValidationError) as caught:
        school_consent(cast, recorded.person, recorded_orally_by=None, document=pdf_upload(name, content))
    assert message in " ".join(caught.value.message_dict["document"])
    assert not Consent.objects.exists()


def test_the_signed_document_size_is_limited(cast, recorded, settings):
    settings.MAX_UPLOAD_MB = 1
    big = b"%PDF-" + b"0" * (1024 * 1024 + 1)
    with pytest.raises(ValidationError):
        school_consent(cast, recorded.person, recorded_orally_by=None, document=pdf_upload("duzy.pdf", big))


def test_bad_dates_and_empty_choices_are_refused(cast, recorded):
    with pytest.raises(ValidationError) as caught:
        school_consent(
            cast,
            recorded.person,
            given_on=_today() + datetime.timedelta(days=1),
            recipients=[],
            categories=["identity"],
        )
    assert {"given_on", "recipients"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError):
        school_consent(cast, recorded.person, valid_until=_today() - datetime.timedelta(days=10))
    with pytest.raises(ValidationError):
        school_consent(cast, recorded.person, categories=["gossip"])
    assert not Consent.objects.exists()
