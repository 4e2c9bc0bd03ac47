"""Retention: person anonymisation, the registry of anonymisers, and the task."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from kooperacja.people.models import Household, Person
from kooperacja.privacy import policies, retention, services
from kooperacja.privacy.models import AccessGrant, Consent, RetentionRule
from kooperacja.privacy.tests.conftest import pdf_upload, school_consent, team_grant
from kooperacja.privacy.tests.factories import HouseholdMemberFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_person_anonymise_clears_the_record_and_keeps_the_log_verifiable(
    cast, recorded, django_capture_on_commit_callbacks
):
    person = recorded.person
    HouseholdMemberFactory(person=person, household__name="rodzina Kowalskich")
    consent = school_consent(cast, person, recorded_orally_by=None, document=pdf_upload())
    team_grant(cast, consent)
    stored = consent.document.name
    services.log_person_read(cast.alice, person=person, categories=["identity"])
    assert consent.document.storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        services.person_anonymise(actor=cast.alice, person=person)
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("Anonimizowano", "Anonimizowano")
    assert person.pesel_encrypted == "" and person.pesel_index == "" and person.birth_date is None
    assert person.phone == "" and person.email == "" and person.street == "" and person.anonymised_at is not None
    assert not AccessGrant.objects.filter(person=person, ended_at__isnull=True).exists()
    assert not policies.can_see_person(cast.alice, person)
    consent.refresh_from_db()
    assert consent.anonymised_at is not None and not consent.document and consent.purpose == "Anonimizowano"
    assert not consent.document.storage.exists(stored)
    household = Household.objects.get()
    assert household.name == "Anonimizowano" and household.anonymised_at is not None
    assert services.access_log_verify() == []
    assert not Person.objects.live().filter(pk=person.pk).exists()
    with pytest.raises(ValidationError):
        services.person_anonymise(actor=cast.alice, person=person)


def test_apply_retention_anonymises_persons_past_the_rule_only(cast, recorded):
    old = recorded.person
    Person.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=365 * 12))
    young = PersonFactory(recorded_by_institution=cast.ops_a)
    still_in_a_case = PersonFactory(recorded_by_institution=cast.ops_a)
    Person.objects.filter(pk=still_in_a_case.pk).update(created_at=timezone.now() - datetime.timedelta(days=365 * 12))
    services.grant_open(
        actor=cast.alice,
        person=still_in_a_case,
        institution=cast.ops_a,
        categories=["identity"],
        source_type="case_owner",
        source_id="case-9",
        legal_basis=recorded.record_grant.legal_basis,
    )
    RetentionRule.objects.create(institution=cast.ops_a, record_type="person", period_years=10)
    RetentionRule.objects.create(institution=cast.ops_a, record_type="access_log", period_years=10)
    call_command("apply_retention")
    assert Person.objects.get(pk=old.pk).anonymised_at is not None
    assert Person.objects.get(pk=young.pk).anonymised_at is None
    assert Person.objects.get(pk=still_in_a_case.pk).anonymised_at is None
    assert retention.person_still_needed(still_in_a_case)


def test_registered_handlers_run_with_the_cutoff(cast):
    calls = []

    def cases_handler(*, institution, cutoff, actor):
        calls.append((institution, cutoff))
        return 2

    previous = retention.handlers().get("case")
    retention.register("case", cases_handler)
    try:
        RetentionRule.objects.create(institution=cast.ops_a, record_type="case", period_years=10)
        totals = retention.apply_retention(today=datetime.date(2030, 6, 1))
    finally:
        if previous is None:
            retention._handlers.pop("case", None)
        else:
            retention.register("case", previous)
    assert totals["case"] == 2
    assert calls == [(cast.ops_a, datetime.date(2020, 6, 1))]


def test_consents_past_retention_lose_their_document(cast, recorded):
    consent = school_consent(
        cast, recorded.person, recorded_orally_by=None, document=pdf_upload(), given_on=datetime.date(2015, 1, 1)
    )
    services.consent_withdraw(actor=cast.alice, consent=consent, on=datetime.date(2015, 6, 1))
    kept = school_consent(cast, recorded.person)
    RetentionRule.objects.create(institution=cast.ops_a, record_type="consent", period_years=5)
    from kooperacja.privacy.tasks import apply_retention

    assert apply_retention.enqueue().return_value["consent"] == 1
    assert Consent.objects.get(pk=consent.pk).anonymised_at is not None
    assert Consent.objects.get(pk=kept.pk).anonymised_at is None
