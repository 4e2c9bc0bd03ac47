"""Recording persons (the "record" grant, who may), search, duplicates, households, merge and unmerge."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kooperacja.core.testing import factories as f
from kooperacja.core.testing.cast import Cast
from kooperacja.people import services
from kooperacja.people.models import HouseholdMember, Person
from kooperacja.people.selectors import Reason, person_duplicates, person_search
from kooperacja.people.tests import factories as pf
from kooperacja.privacy.models import AccessGrant, Consent, DataCategory
from kooperacja.privacy.policies import visible_categories


def test_person_create_opens_the_record_grant_on_the_statutory_basis(cast: Cast, bases: dict) -> None:
    person = services.person_create(actor=cast.alice, first_name="Zofia", last_name="Żółkiewska")
    grant = AccessGrant.objects.get(person=person)
    assert grant.institution_id == cast.ops_a.pk
    assert (grant.source_type, grant.source_id) == ("record", str(person.pk))
    assert grant.legal_basis.code == "ups-art-100"
    assert set(grant.categories) == set(DataCategory.values)
    assert person.recorded_by_institution_id == cast.ops_a.pk
    assert visible_categories(actor=cast.bob, person=person) == set()


def test_a_cus_records_on_the_cus_act(cast: Cast, bases: dict) -> None:
    cus = f.InstitutionFactory(kind="cus", gmina=cast.gmina_a)
    f.MembershipFactory(user=cast.bob, institution=cus)
    person = services.person_create(actor=cast.bob, institution=cus, first_name="Ewa", last_name="Nowak")
    assert AccessGrant.objects.get(person=person).legal_basis.code == "ucus-art-8"


@pytest.mark.parametrize("who", ["tom", "paula", "rosa", "olga", "dora"])
def test_only_writers_of_ops_cus_pcpr_record_persons(cast: Cast, bases: dict, who: str) -> None:
    with pytest.raises(PermissionDenied) as caught:
        services.person_create(actor=getattr(cast, who), first_name="Ewa", last_name="Nowak")
    assert "OPS" in str(caught.value)
    assert not Person.objects.exists()


def test_without_an_active_statutory_basis_nobody_records(cast: Cast, bases: dict) -> None:
    from kooperacja.privacy.models import LegalBasis

    LegalBasis.objects.update(active=False)  # also when privacy's data migration has seeded them
    with pytest.raises(PermissionDenied):
        services.person_create(actor=cast.alice, first_name="Ewa", last_name="Nowak")


def test_search_ignores_case_and_diacritics_and_stays_in_scope(cast: Cast, anna: Person) -> None:
    other = pf.person(institution=cast.ops_b, first_name="Anna", last_name="Żółkiewska")
    for q in ("zolkiewska", "ŻÓŁKIEWSKA", "Zółk an", "anna zolk"):
        assert list(person_search(actor=cast.alice, q=q)) == [anna], q
    assert list(person_search(actor=cast.bob, q="zolkiewska")) == [other]
    assert list(person_search(actor=cast.tom, q="zolkiewska")) == [anna]  # identity through the consent
    assert list(person_search(actor=cast.olga, q="zolkiewska")) == []
    assert list(person_search(actor=cast.alice, q="")) == []
    assert list(person_search(actor=cast.alice, q="nowak")) == []


def test_duplicates_with_reasons_and_scores(cast: Cast, anna: Person) -> None:
    pesel = services.person_pesel(anna)
    same_pesel = person_duplicates(actor=cast.alice, first_name="X", last_name="Y", pesel=pesel)
    assert [(c.person, c.reasons, c.score) for c in same_pesel] == [(anna, [Reason.SAME_PESEL], 100)]
    by_date = person_duplicates(
        actor=cast.alice, first_name="Ana", last_name="Zolkiewska", birth_date=datetime.date(1980, 3, 14)
    )
    assert [c.reasons for c in by_date] == [[Reason.BIRTH_DATE_AND_NAME]]
    assert 80 < by_date[0].score < 100
    by_address = person_duplicates(
        actor=cast.alice, first_name="Anna", last_name="Żółkiewska", street="ul. Lipowa 3", postal_code="44-200"
    )
    assert [c.reasons for c in by_address] == [[Reason.ADDRESS_AND_NAME]]
    assert by_address[0].score < by_date[0].score
    assert (
        person_duplicates(
            actor=cast.alice, first_name="Jan", last_name="Kowalski", birth_date=datetime.date(1980, 3, 14)
        )
        == []
    )
    # Only among the persons the actor may see.
    assert person_duplicates(actor=cast.bob, first_name="X", last_name="Y", pesel=pesel) == []


def test_create_refuses_a_likely_duplicate_until_confirmed(cast: Cast, anna: Person) -> None:
    with pytest.raises(services.DuplicateCandidates) as caught:
        services.person_create(
            actor=cast.alice, first_name="Anna", last_name="Zolkiewska", birth_date=datetime.date(1980, 3, 14)
        )
    assert [c.person for c in caught.value.candidates] == [anna]
    assert Person.objects.count() == 1
    services.person_create(
        actor=cast.alice,
        first_name="Anna",
        last_name="Zolkiewska",
        birth_date=datetime.date(1980, 3, 14),
        confirm_not_duplicate=True,
    )
    assert Person.objects.count() == 2


def test_update_checks_pesel_consistency_and_who_may(cast: Cast, anna: Person) -> None:
    with pytest.raises(ValidationError) as caught:
        services.person_update(actor=cast.alice, person=anna, birth_date=datetime.date(1981, 3, 14))
    assert "birth_date" in caught.value.error_dict
    services.person_update(actor=cast.alice, person=anna, phone="500600700", pesel="")
    anna.refresh_from_db()
    assert anna.phone == "500600700" and anna.pesel_encrypted == "" and anna.pesel_index == ""
    with pytest.raises(PermissionDenied):
        services.person_update(actor=cast.tom, person=anna, phone="1")
    from django.http import Http404

    with pytest.raises(Http404):
        services.person_update(actor=cast.bob, person=anna, phone="1")


def test_households_over_time(cast: Cast, anna: Person) -> None:
    first = services.household_create(actor=cast.alice, name="rodzina Żółkiewskich")
    second = services.household_create(actor=cast.alice, name="Anna z partnerem")
    member = services.household_member_add(
        actor=cast.alice, household=first, person=anna, relation="head", since=datetime.date(2010, 1, 1)
    )
    with pytest.raises(ValidationError):
        services.household_member_add(actor=cast.alice, household=first, person=anna, relation="head")
    services.household_member_end(actor=cast.alice, member=member, until=datetime.date(2024, 6, 30))
    services.household_member_add(
        actor=cast.alice, household=second, person=anna, relation="partner", since=datetime.date(2024, 7, 1)
    )
    assert [(m.household.name, m.until) for m in anna.memberships.order_by("since")] == [
        ("rodzina Żółkiewskich", datetime.date(2024, 6, 30)),
        ("Anna z partnerem", None),
    ]
    with pytest.raises(PermissionDenied):
        services.household_create(actor=cast.tom, name="x")
    with pytest.raises(PermissionDenied):
        services.household_member_add(actor=cast.bob, household=second, person=anna, relation="child")


def _merge_setup(cast: Cast, anna: Person) -> tuple[Person, Any, Any]:
    dup = pf.person(institution=cast.ops_a, first_name="Ania", last_name="Zolkiewska")
    consent_grant = pf.consent_grant(person=dup, recorded_by=cast.ops_a, recipient=cast.court, categories=["identity"])
    household = pf.household(institution=cast.ops_a, members=[(dup, "child")])
    return dup, consent_grant, household


def test_merge_moves_rows_and_unmerge_restores_exactly(cast: Cast, anna: Person) -> None:
    dup, consent_grant, household = _merge_setup(cast, anna)
    anna_grants = set(AccessGrant.objects.filter(person=anna).values_list("pk", flat=True))
    dup_grants = set(AccessGrant.objects.filter(person=dup).values_list("pk", flat=True))
    dup_members = set(HouseholdMember.objects.filter(person=dup).values_list("pk", flat=True))
    dup_consents = set(Consent.objects.filter(person=dup).values_list("pk", flat=True))
    calls: list[str] = []

    def cases_merge(*, survivor: Person, merged: Person, snapshot: dict) -> list[str]:
        calls.append(f"merge {merged.pk}->{survivor.pk}")
        return ["case-1", "case-2"]

    def cases_unmerge(*, survivor: Person, merged: Person, snapshot: dict) -> None:
        calls.append(f"unmerge {snapshot['cases']}")

    services.on_person_merge(cases_merge, key="cases")
    services.on_person_unmerge(cases_unmerge, key="cases")
    try:
        with pytest.raises(PermissionDenied):
            services.person_merge(actor=cast.tom, survivor=anna, merged=dup)
        merge = services.person_merge(actor=cast.alice, survivor=anna, merged=dup, reason="ta sama osoba")
        dup.refresh_from_db()
        assert dup.merged_into_id == anna.pk
        assert set(AccessGrant.objects.filter(person=anna).values_list("pk", flat=True)) == anna_grants | dup_grants
        assert set(HouseholdMember.objects.filter(person=anna).values_list("pk", flat=True)) == dup_members
        assert set(Consent.objects.filter(person=anna).values_list("pk", flat=True)) >= dup_consents
        assert merge.snapshot["cases"] == ["case-1", "case-2"]
        assert visible_categories(actor=cast.paula, person=anna) == {"identity"}  # the court's grant moved
        assert list(person_search(actor=cast.alice, q="ania")) == []  # the merged record is not live

        # A row added to the survivor after the merge stays with it at the unmerge.
        later = HouseholdMember.objects.create(household=household, person=anna, relation="parent")
        services.person_unmerge(actor=cast.alice, merge=merge)
        dup.refresh_from_db()
        assert dup.merged_into_id is None
        assert set(AccessGrant.objects.filter(person=anna).values_list("pk", flat=True)) == anna_grants
        assert set(AccessGrant.objects.filter(person=dup).values_list("pk", flat=True)) == dup_grants
        assert set(HouseholdMember.objects.filter(person=dup).values_list("pk", flat=True)) == dup_members
        assert set(Consent.objects.filter(person=dup).values_list("pk", flat=True)) == dup_consents
        assert HouseholdMember.objects.get(pk=later.pk).person_id == anna.pk
        assert calls == [f"merge {dup.pk}->{anna.pk}", "unmerge ['case-1', 'case-2']"]
        with pytest.raises(ValidationError):
            services.person_unmerge(actor=cast.alice, merge=merge)  # already undone (a stale copy)
        merge.refresh_from_db()
        with pytest.raises(PermissionDenied):
            services.person_unmerge(actor=cast.alice, merge=merge)
    finally:
        services._merge_callbacks.pop("cases", None)
        services._unmerge_callbacks.pop("cases", None)


def test_merge_needs_an_institution_that_sees_both(cast: Cast, anna: Person) -> None:
    other = pf.person(institution=cast.ops_b, first_name="Anna", last_name="Żółkiewska")
    with pytest.raises(PermissionDenied):
        services.person_merge(actor=cast.alice, survivor=anna, merged=other)
    with pytest.raises(PermissionDenied):
        services.person_merge(actor=cast.bob, survivor=other, merged=anna)
    with pytest.raises(ValidationError):
        services.person_merge(actor=cast.alice, survivor=anna, merged=anna)
