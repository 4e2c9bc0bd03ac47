"""factory_boy factories shared by every context's tests."""

from __future__ import annotations

import factory
from django.utils import timezone

from kooperacja.accounts.models import Membership, Role, User
from kooperacja.directory.models import (
    CapacityStatus,
    CooperationAgreement,
    Institution,
    InstitutionKind,
    Location,
    Partnership,
    PartnershipMember,
    Representative,
    Sector,
    Service,
)
from kooperacja.territory.models import County, Gmina, GminaKind, Macroregion, Voivodeship

PASSWORD = "kooperacja-demo"


class MacroregionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Macroregion
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"macro-{n}")
    name = factory.Sequence(lambda n: f"Makroregion {n}")


class VoivodeshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Voivodeship
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{(n % 90) + 10:02d}")
    name = factory.Sequence(lambda n: f"województwo {n}")


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ("code",)

    voivodeship = factory.SubFactory(VoivodeshipFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.voivodeship.code}{(n % 90) + 1:02d}")
    name = factory.Sequence(lambda n: f"powiat {n}")
    kind_label = "powiat"


class GminaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Gmina
        django_get_or_create = ("code",)

    county = factory.SubFactory(CountyFactory)
    voivodeship = factory.LazyAttribute(lambda o: o.county.voivodeship)
    kind = GminaKind.URBAN
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.county.code}{(n % 90) + 1:02d}{GminaKind(o.kind).rodz}")
    name = factory.Sequence(lambda n: f"Gmina {n}")


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Instytucja {n}")
    sector = Sector.SOCIAL_ASSISTANCE
    kind = InstitutionKind.OPS
    gmina = factory.SubFactory(GminaFactory)
    county = factory.LazyAttribute(lambda o: o.gmina.county if o.gmina else None)
    voivodeship = factory.LazyAttribute(lambda o: o.gmina.voivodeship if o.gmina else o.county.voivodeship)
    street = "ul. Przykładowa 1"
    postal_code = "00-001"
    city = factory.LazyAttribute(lambda o: o.gmina.name if o.gmina else "")
    email = factory.Sequence(lambda n: f"instytucja{n}@example.invalid")
    description = "Opis instytucji."


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.LazyAttribute(lambda o: f"Siedziba: {o.institution.name}")
    street = "ul. Przykładowa 1"
    postal_code = "00-001"
    city = factory.LazyAttribute(lambda o: o.institution.city)
    gmina = factory.LazyAttribute(lambda o: o.institution.gmina)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Usługa {n}")
    description = "Opis usługi."
    capacity_status = CapacityStatus.ACCEPTING
    capacity_confirmed_at = factory.LazyFunction(timezone.now)
    languages = "pl"


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    lead_institution = factory.SubFactory(InstitutionFactory)
    gmina = factory.LazyAttribute(lambda o: o.lead_institution.gmina)
    name = factory.Sequence(lambda n: f"Partnerski Zespół Kooperacyjny {n}")


class PartnershipMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipMember

    partnership = factory.SubFactory(PartnershipFactory)
    institution = factory.SubFactory(InstitutionFactory)


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    member = factory.SubFactory(PartnershipMemberFactory)
    full_name = factory.Faker("name", locale="pl_PL")
    function = "przedstawiciel"


class CooperationAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationAgreement

    partnership = factory.SubFactory(PartnershipFactory)
    title = "Porozumienie o współpracy"
    scope = "Współpraca na rzecz osób i rodzin."
    legal_basis_text = "art. 45 ustawy o pomocy społecznej"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="pl_PL")
    last_name = factory.Faker("last_name", locale="pl_PL")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.invalid")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = Role.CASE_COORDINATOR
