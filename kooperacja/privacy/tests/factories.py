"""Factories of the privacy tests (persons are made here because people's factories live in the people branch)."""

from __future__ import annotations

import datetime

import factory

from kooperacja.people import crypto
from kooperacja.people.models import Household, HouseholdMember, Person


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Żółkiewska-{n}")
    birth_date = datetime.date(1990, 5, 17)
    sex = "F"
    street = "ul. Lipowa 3"
    postal_code = "44-200"
    town = "Miastko A"
    phone = "600100200"
    email = factory.Sequence(lambda n: f"osoba{n}@example.invalid")
    pesel_encrypted = factory.LazyFunction(lambda: crypto.encrypt("90051712345"))
    pesel_index = factory.LazyFunction(lambda: crypto.blind_index("90051712345"))


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    name = factory.Sequence(lambda n: f"rodzina Nowaków {n}")
    street = "ul. Lipowa 3"
    town = "Miastko A"


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory)
    person = factory.SubFactory(PersonFactory)
    relation = "parent"
