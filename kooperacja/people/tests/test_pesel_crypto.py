"""PESEL validation and its consistency with the birth date and sex; encryption at rest and the blind index."""

from __future__ import annotations

import datetime
import random

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from kooperacja.core.testing.cast import Cast
from kooperacja.people import crypto
from kooperacja.people.forms import PersonForm
from kooperacja.people.models import Person
from kooperacja.people.pesel import pesel_consistency_errors, pesel_for, pesel_mask, pesel_validate
from kooperacja.people.selectors import person_search
from kooperacja.people.services import person_create, person_pesel, pesel_keys_rotate

VALID = "44051401359"  # a published example: born 14 May 1944, male


def test_valid_pesel_and_the_synthetic_ones_are_accepted() -> None:
    assert pesel_validate(" 4405 1401359 ") == VALID
    rng = random.Random(3)
    for day in (datetime.date(1899, 12, 31), datetime.date(1950, 2, 28), datetime.date(2004, 7, 1)):
        for sex in "FM":
            number = pesel_for(day, sex, rng)
            assert pesel_validate(number) == number
            assert pesel_consistency_errors(number, birth_date=day, sex=sex) == {}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("4405140135", "PESEL ma 11 cyfr."),
        ("4405140135X", "PESEL składa się wyłącznie z cyfr."),
        ("44051401358", "cyfra kontrolna"),
    ],
)
def test_invalid_pesel_says_why_in_polish(value: str, message: str) -> None:
    with translation.override("pl"), pytest.raises(ValidationError) as caught:
        pesel_validate(value)
    assert message in " ".join(caught.value.messages)


def test_the_form_says_when_pesel_contradicts_birth_date_and_sex() -> None:
    with translation.override("pl"):
        form = PersonForm(
            {"first_name": "Jan", "last_name": "Nowak", "pesel": VALID, "birth_date": "1944-05-15", "sex": "F"},
            institutions=[],
        )
        assert not form.is_valid()
        assert "nie zgadza się z numerem PESEL" in form.errors["birth_date"][0]
        assert "14 maja 1944" in form.errors["birth_date"][0]
        assert "PESEL wskazuje: mężczyzna" in form.errors["sex"][0]
        form = PersonForm({"first_name": "Jan", "last_name": "Nowak", "pesel": VALID}, institutions=[])
        assert form.is_valid(), form.errors


def test_pesel_mask_keeps_the_last_four_digits() -> None:
    assert pesel_mask(VALID) == "•••••••1359"


def test_the_raw_row_does_not_contain_the_pesel_and_the_blind_index_finds_it(cast: Cast, bases: dict) -> None:
    person = person_create(actor=cast.alice, first_name="Jan", last_name="Nowak", pesel=VALID)
    assert person.birth_date == datetime.date(1944, 5, 14) and person.sex == "M"  # filled from the PESEL
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM people_person WHERE id = %s", [person.pk.hex if connection.vendor == "sqlite" else person.pk]
        )
        row = cursor.fetchone()
    assert row is not None
    assert not any(VALID in str(value) for value in row)
    assert not any("1359" in str(value) and len(str(value)) < 20 for value in row)
    assert person_pesel(Person.objects.get(pk=person.pk)) == VALID
    assert list(person_search(actor=cast.alice, pesel=VALID)) == [person]
    assert list(person_search(actor=cast.alice, pesel="44051401366")) == []
    assert list(person_search(actor=cast.bob, pesel=VALID)) == []  # another OPS: not visible


def test_key_rotation_reencrypts_under_the_new_key(cast: Cast, bases: dict, settings) -> None:
    old = Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [old]
    person = person_create(actor=cast.alice, first_name="Jan", last_name="Nowak", pesel=VALID)
    token = Person.objects.get(pk=person.pk).pesel_encrypted
    new = Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [new, old]
    assert crypto.decrypt(token) == VALID and not crypto.is_current(token)
    assert pesel_keys_rotate() == 1
    rotated = Person.objects.get(pk=person.pk).pesel_encrypted
    settings.PERSONAL_DATA_KEYS = [new]
    assert crypto.decrypt(rotated) == VALID
    assert pesel_keys_rotate() == 0
    settings.PERSONAL_DATA_KEYS = [old]
    with pytest.raises(ValueError):
        crypto.decrypt(rotated)
