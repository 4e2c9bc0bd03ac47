"""The bulk generator on a small N: valid, consistent, encrypted and indexed PESELs; households; the "record" grants;
idempotent."""

from __future__ import annotations

from kooperacja.core.testing.cast import Cast
from kooperacja.people import crypto
from kooperacja.people.models import Household, HouseholdMember, Person
from kooperacja.people.pesel import pesel_birth_date, pesel_sex, pesel_validate
from kooperacja.people.scale import generate_people
from kooperacja.people.selectors import person_search
from kooperacja.privacy.models import AccessGrant


def test_generate_people_small(cast: Cast, bases: dict) -> None:
    calls: list[tuple[int, int]] = []
    summary = generate_people(
        gminy=[cast.gmina_a, cast.gmina_b, cast.gmina_z],
        persons=90,
        households=30,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert (summary.persons, summary.households) == (90, 30)
    assert calls[-1] == (90, 90)
    assert Person.objects.count() == 90 and Household.objects.count() == 30
    assert HouseholdMember.objects.count() == summary.members >= 30
    for person in Person.objects.all():
        number = crypto.decrypt(person.pesel_encrypted)
        assert pesel_validate(number) == number
        assert pesel_birth_date(number) == person.birth_date and pesel_sex(number) == person.sex
        assert person.pesel_index == crypto.blind_index(number)
        assert number not in person.pesel_encrypted
    # Recorded by each gmina's OPS (the NGO's gmina Z has none: no grant there).
    assert AccessGrant.objects.filter(institution=cast.ops_a, source_type="record").count() == 30
    assert AccessGrant.objects.filter(institution=cast.ops_b).count() == 30
    assert summary.grants == 60
    someone = Person.objects.filter(gmina=cast.gmina_a).first()
    assert someone in person_search(actor=cast.alice, q=someone.last_name)
    assert someone not in person_search(actor=cast.bob, q=someone.last_name)
    again = generate_people(gminy=[cast.gmina_a, cast.gmina_b, cast.gmina_z], persons=90, households=30)
    assert again.persons == 0 and again.gminy_skipped == 3
    assert Person.objects.count() == 90
