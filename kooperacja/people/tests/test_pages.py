"""Every page: outsiders (olga, bob) get 404, tom (a consent for identity only) sees only identity and gets 403 on
writes; the access log is written on each read with the categories shown; query counts stay constant."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from kooperacja.core.testing.cast import Cast
from kooperacja.people import services
from kooperacja.people.models import Household, HouseholdMember, Person, PersonMerge
from kooperacja.people.tests import factories as pf
from kooperacja.privacy.models import AccessLogEntry

SEARCH = reverse("people:search")


@pytest.fixture
def home(cast: Cast, anna: Person) -> Household:
    return pf.household(institution=cast.ops_a, members=[(anna, "head")])


@pytest.fixture
def dup(cast: Cast, anna: Person) -> Person:
    return pf.person(institution=cast.ops_a, first_name="Ania", last_name="Zolkiewska")


def _html(response: Any) -> str:
    return response.content.decode()


def _reads(person: Person) -> list[tuple[str, list[str], str, str]]:
    return [
        (e.actor_username, e.categories, e.channel, e.resource)
        for e in AccessLogEntry.objects.filter(person=person).order_by("id")
    ]


def read_pages(anna: Person, home: Household) -> list[str]:
    return [
        reverse("people:person_detail", args=[anna.pk]),
        reverse("people:household_detail", args=[home.pk]),
    ]


def write_pages(anna: Person, home: Household, member: HouseholdMember) -> list[str]:
    return [
        reverse("people:person_edit", args=[anna.pk]),
        reverse("people:person_merge", args=[anna.pk]),
        reverse("people:member_add", args=[home.pk]),
        reverse("people:member_end", args=[member.pk]),
    ]


# dora is the DPO of OPS A (the recording institution): she supervises through the access log and the art. 15
# report, and does not see person pages.
@pytest.mark.parametrize("who", ["olga", "bob", "rosa", "paula", "root", "dora"])
def test_outsiders_get_404_everywhere(cast: Cast, client_for: Any, anna: Person, home: Household, who: str) -> None:
    dup = pf.person(institution=cast.ops_a, first_name="Ania", last_name="Zolkiewska")
    merge = services.person_merge(actor=cast.alice, survivor=anna, merged=dup, reason="duplikat")
    client = client_for(getattr(cast, who))
    member = home.members.get()
    unmerge = reverse("people:person_unmerge", args=[merge.pk])
    for url in [*read_pages(anna, home), *write_pages(anna, home, member), unmerge]:
        assert client.get(url).status_code == 404, url
    for url in [*write_pages(anna, home, member), unmerge]:
        assert client.post(url, {"reason": "x", "confirm": "on", "until": "2025-01-01"}).status_code == 404, url
    page = _html(client.post(SEARCH, {"q": "zolkiewska"}))
    assert "Żółkiewska" not in page
    assert "rodzina Żółkiewskich" not in _html(client.get(reverse("people:household_list")))
    assert not AccessLogEntry.objects.exists()
    assert PersonMerge.objects.get().unmerged_at is None


def test_the_household_list_logs_the_family_it_reveals(cast: Cast, client_for: Any, anna: Person, home: Household):
    page = _html(client_for(cast.alice).get(reverse("people:household_list")))
    assert "rodzina Żółkiewskich" in page
    assert _reads(anna) == [("alice", ["family"], "page", "people:household_list")]
    # The API list too.
    assert [h["name"] for h in client_for(cast.alice).get("/api/v1/people/households").json()] == [
        "rodzina Żółkiewskich"
    ]
    assert _reads(anna)[-1] == ("alice", ["family"], "api", "api:people:households")


def test_the_person_page_links_consents_and_cases(cast: Cast, client_for: Any, anna: Person) -> None:
    page = _html(client_for(cast.alice).get(reverse("people:person_detail", args=[anna.pk])))
    assert reverse("privacy:person_consents", args=[anna.pk]) in page
    assert f"/cases/?person={anna.pk}" in page and f"/cases/new/?person={anna.pk}" in page
    # A reader sees the consents link (the consents her institution received), not the case links.
    page = _html(client_for(cast.tom).get(reverse("people:person_detail", args=[anna.pk])))
    assert reverse("privacy:person_consents", args=[anna.pk]) in page and "/cases/?person=" not in page


def test_a_partner_with_an_identity_consent_sees_only_identity(
    cast: Cast, client_for: Any, anna: Person, home: Household
) -> None:
    client = client_for(cast.tom)
    page = _html(client.get(reverse("people:person_detail", args=[anna.pk])))
    assert "Anna Żółkiewska" in page
    assert services.person_pesel(anna) not in page and services.person_pesel(anna)[-4:] in page  # masked
    assert "Lipowa" not in page and "600100200" not in page  # contact: not granted
    assert "rodzina Żółkiewskich" not in page  # family: not granted
    assert reverse("people:person_edit", args=[anna.pk]) not in page
    assert _reads(anna) == [("tom", ["identity"], "page", f"people:person_detail:{anna.pk}")]
    # Family not granted: the household is not visible either.
    assert client.get(reverse("people:household_detail", args=[home.pk])).status_code == 404


def test_a_partner_cannot_write(cast: Cast, client_for: Any, anna: Person, home: Household) -> None:
    client = client_for(cast.tom)
    assert client.get(reverse("people:person_edit", args=[anna.pk])).status_code == 403
    response = client.post(reverse("people:person_edit", args=[anna.pk]), {"first_name": "X", "last_name": "Y"})
    assert response.status_code == 403
    anna.refresh_from_db()
    assert anna.first_name == "Anna"
    assert client.get(reverse("people:person_merge", args=[anna.pk])).status_code == 403
    assert client.get(reverse("people:person_create")).status_code == 403
    assert client.get(reverse("people:household_create")).status_code == 403


def test_a_partner_with_family_consent_sees_the_household_but_cannot_change_it(
    cast: Cast, client_for: Any, anna: Person, home: Household
) -> None:
    pf.consent_grant(person=anna, recorded_by=cast.ops_a, recipient=cast.school_a, categories=["family"])
    child = pf.person(institution=cast.ops_a, first_name="Kasia", last_name="Żółkiewska", birth_date=None, sex="F")
    HouseholdMember.objects.create(household=home, person=child, relation="child")
    client = client_for(cast.tom)
    page = _html(client.get(reverse("people:household_detail", args=[home.pk])))
    assert "Anna Żółkiewska" in page and "Kasia" not in page  # tom has no basis for the child
    assert "1 inny członek nie jest pokazany" in page
    assert client.get(reverse("people:member_add", args=[home.pk])).status_code == 403
    member = home.members.get(person=anna)
    assert client.post(reverse("people:member_end", args=[member.pk]), {"until": "2025-01-01"}).status_code == 403
    assert not AccessLogEntry.objects.filter(person=child).exists()
    assert _reads(anna) == [("tom", ["family", "identity"], "page", f"people:household_detail:{home.pk}")]


def test_the_coordinator_sees_everything_with_the_full_pesel(
    cast: Cast, client_for: Any, anna: Person, home: Household
) -> None:
    client = client_for(cast.alice)
    page = _html(client.get(reverse("people:person_detail", args=[anna.pk])))
    assert services.person_pesel(anna) in page
    assert "ul. Lipowa 3" in page and "600100200" in page and "rodzina Żółkiewskich" in page
    assert "<title>Osoba" in page  # no personal data in the page title
    assert _reads(anna) == [("alice", ["contact", "family", "identity"], "page", f"people:person_detail:{anna.pk}")]


def test_search_page_finds_without_diacritics_and_logs_each_result(cast: Cast, client_for: Any, anna: Person) -> None:
    client = client_for(cast.alice)
    assert client.get(SEARCH).status_code == 200
    page = _html(client.post(SEARCH, {"q": "zolkiewska"}))
    assert "Żółkiewska Anna" in page
    assert _reads(anna) == [("alice", ["identity"], "page", "people:search")]
    page = _html(client.post(SEARCH, {"pesel": services.person_pesel(anna)}))
    assert "Żółkiewska Anna" in page


def test_query_counts_do_not_grow(
    cast: Cast, client_for: Any, anna: Person, home: Household, django_assert_max_num_queries: Any
) -> None:
    client = client_for(cast.alice)
    client.post(SEARCH, {"q": "zolkiewska"})  # warm the session
    for n in range(30):
        person = pf.person(institution=cast.ops_a, first_name=f"Ewa{n}", last_name="Żółkiewska", birth_date=None)
        HouseholdMember.objects.create(household=home, person=person, relation="child")
    # Search: one page (20 rows, each logged — in one append of 20 entries) whatever the number of matches. On
    # PostgreSQL the append also takes the chain's advisory lock: one more query.
    ceiling = 18 + (1 if connection.vendor == "postgresql" else 0)
    with django_assert_max_num_queries(ceiling) as small:
        client.post(SEARCH, {"q": "zolkiewska"})
    for n in range(30):
        pf.person(institution=cast.ops_a, first_name=f"Iza{n}", last_name="Żółkiewska", birth_date=None)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.post(SEARCH, {"q": "zolkiewska"})
    # Person page: the same count with 1 or 31 household memberships.
    with django_assert_max_num_queries(40) as one:
        client.get(reverse("people:person_detail", args=[anna.pk]))
    for n in range(5):
        HouseholdMember.objects.create(
            household=pf.household(institution=cast.ops_a, name=f"h{n}"), person=anna, relation="other"
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("people:person_detail", args=[anna.pk]))


def test_record_a_person_with_the_duplicate_step(cast: Cast, client_for: Any, anna: Person) -> None:
    client = client_for(cast.alice)
    data = {"first_name": "Anna", "last_name": "Zolkiewska", "birth_date": "1980-03-14", "sex": "F"}
    page = _html(client.post(reverse("people:person_create"), data))
    assert "Ta osoba może już być zarejestrowana" in page
    assert "ta sama data urodzenia i podobne imię i nazwisko" in page and "/100" in page
    assert reverse("people:person_detail", args=[anna.pk]) in page
    assert 'type="checkbox" name="confirm_not_duplicate"' in page  # the confirmation is offered now
    assert 'type="checkbox" name="confirm_not_duplicate"' not in _html(client.get(reverse("people:person_create")))
    assert Person.objects.count() == 1
    assert _reads(anna)[-1][3] == "people:person_create:duplicates"
    response = client.post(reverse("people:person_create"), {**data, "confirm_not_duplicate": "on"})
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_the_form_says_when_the_pesel_does_not_match(cast: Cast, client_for: Any, bases: dict) -> None:
    client = client_for(cast.alice)
    page = _html(
        client.post(
            reverse("people:person_create"),
            {"first_name": "Jan", "last_name": "Nowak", "pesel": "44051401359", "birth_date": "1945-05-14"},
        )
    )
    assert "Data urodzenia nie zgadza się z numerem PESEL" in page
    assert 'aria-invalid="true"' in page
    assert not Person.objects.exists()


def test_edit_household_and_members_flow(cast: Cast, client_for: Any, anna: Person) -> None:
    client = client_for(cast.alice)
    response = client.post(reverse("people:household_create"), {"name": "rodzina Żółkiewskich", "town": "Miastko A"})
    household = Household.objects.get()
    assert response.status_code == 302
    page = _html(client.post(reverse("people:member_add", args=[household.pk]), {"action": "find", "q": "zolk"}))
    assert "Żółkiewska Anna" in page
    response = client.post(
        reverse("people:member_add", args=[household.pk]), {"action": "add", "person": str(anna.pk), "relation": "head"}
    )
    assert response.status_code == 302
    member = household.members.get()
    assert "Anna Żółkiewska" in _html(client.get(reverse("people:household_detail", args=[household.pk])))
    response = client.post(reverse("people:member_end", args=[member.pk]), {"until": "2026-01-31"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert str(member.until) == "2026-01-31"
    response = client.post(
        reverse("people:person_edit", args=[anna.pk]),
        {
            "first_name": "Anna",
            "last_name": "Żółkiewska-Nowak",
            "pesel": services.person_pesel(anna),
            "birth_date": "1980-03-14",
            "sex": "F",
        },
    )
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.last_name == "Żółkiewska-Nowak" and anna.name_search.startswith("zolkiewska-nowak")


def test_merge_and_unmerge_pages(cast: Cast, client_for: Any, anna: Person, dup: Person) -> None:
    client = client_for(cast.alice)
    page = _html(client.get(reverse("people:person_merge", args=[anna.pk])))
    assert f"?other={dup.pk}" in page  # offered as a candidate (similar name, same birth date)
    page = _html(client.get(reverse("people:person_merge", args=[anna.pk]) + f"?other={dup.pk}"))
    assert "Oba rekordy obok siebie" in page and "Ania Zolkiewska" in page
    response = client.post(
        reverse("people:person_merge", args=[anna.pk]),
        {"action": "merge", "other": str(dup.pk), "reason": "ten sam PESEL w dokumentach", "confirm": "on"},
    )
    assert response.status_code == 302
    merge = PersonMerge.objects.get()
    assert client.get(reverse("people:person_detail", args=[dup.pk])).status_code == 404  # merged: not live
    assert client_for(cast.tom).get(reverse("people:person_unmerge", args=[merge.pk])).status_code == 403
    client = client_for(cast.alice)
    assert client.post(reverse("people:person_unmerge", args=[merge.pk])).status_code == 302
    dup.refresh_from_db()
    assert dup.merged_into_id is None
    assert client.get(reverse("people:person_detail", args=[dup.pk])).status_code == 200
