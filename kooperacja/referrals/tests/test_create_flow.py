"""Writing a referral as the coordinator does it on the pages: from the case (or a plan task), the recipient chosen
from those nearby or found by name, the services' capacity and similar services nearby before sending, the categories
the privacy policy allows and why the others are refused."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kooperacja.cases.models import Case, Goal, ModelVariant, Plan, PlanLabel, Task
from kooperacja.core.testing import factories as f
from kooperacja.directory.models import Taxonomy, TaxonomyTerm
from kooperacja.people.models import Household, HouseholdMember
from kooperacja.privacy import services as privacy_services
from kooperacja.referrals.models import Referral, State
from kooperacja.referrals.tests.factories import ALL, legal_basis, make_consent, make_person


def _url(case, **params) -> str:  # type: ignore[no-untyped-def]
    query = "&".join(f"{k}={v}" for k, v in {"case": case.pk, **params}.items())
    return reverse("referrals:create") + "?" + query


def _domain(code: str) -> TaxonomyTerm:
    taxonomy, _ = Taxonomy.objects.get_or_create(code="cus-domains", defaults={"name": "Obszary usług społecznych"})
    term, _ = TaxonomyTerm.objects.get_or_create(taxonomy=taxonomy, code=code, defaults={"name": code})
    return term


def test_first_step_offers_nearby_institutions_and_finds_others_by_name(world, client_for):
    cast = world.cast
    client = client_for(cast.alice)
    page = client.get(_url(world.case)).content.decode()
    assert "errorlist" not in page  # nothing chosen yet: no error
    assert cast.school_a.name in page and cast.ops_b.name in page and cast.court.name in page
    assert cast.ngo_z.name not in page and cast.ops_a.name not in page
    found = client.get(_url(world.case, q=cast.ngo_z.name[3:12])).content.decode()
    assert cast.ngo_z.name in found and cast.court.name not in found
    # Any active institution may be chosen by id, even one the list does not offer.
    second = client.get(_url(world.case, recipient=cast.ngo_z.pk)).content.decode()
    assert f"{cast.ngo_z.name}" in second and 'id="nothing-to-share"' in second  # no consent covers it


def test_capacity_and_similar_services_before_sending(world, client_for):
    cast = world.cast
    family = _domain("family_support")
    therapy = f.ServiceFactory(
        institution=cast.school_a,
        name="Terapia pedagogiczna",
        capacity_status="waitlist",
        expected_wait_days=21,
        capacity_confirmed_at=timezone.now() - datetime.timedelta(days=3),
    )
    therapy.terms.add(family)
    nearby = f.ServiceFactory(institution=cast.ops_b, name="Asystent rodziny", capacity_status="accepting")
    nearby.terms.add(family)
    far = f.ServiceFactory(institution=cast.ngo_z, name="Daleka pomoc", capacity_status="accepting")
    far.terms.add(family)
    client = client_for(cast.alice)
    page = client.get(_url(world.case, recipient=cast.school_a.pk)).content.decode()
    assert "Terapia pedagogiczna" in page and "lista oczekujących" in page and "21 dni" in page
    page = client.get(_url(world.case, recipient=cast.school_a.pk, service=therapy.pk)).content.decode()
    assert 'id="alternatives"' in page and "Asystent rodziny" in page and "Daleka pomoc" not in page
    assert "Ostatnio potwierdzono" in page
    response = client.post(
        _url(world.case, recipient=cast.school_a.pk, service=therapy.pk),
        {"service": therapy.pk, "urgency": "normal", "reason": "Proszę", "categories": ["identity"]},
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and referral.service == therapy and referral.state == State.DRAFT
    draft_page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "lista oczekujących" in draft_page and "Asystent rodziny" in draft_page


def test_the_form_says_why_a_category_is_refused_and_the_service_refuses_it_too(world, client_for):
    client = client_for(world.cast.alice)
    url = _url(world.case, recipient=world.cast.school_a.pk)
    page = client.get(url).content.decode()
    refused = page[page.index('id="refused-categories"') :]
    assert "ochrona zdrowia" in refused and "Żadna podstawa prawna ani ważna zgoda" in refused
    assert 'value="health"' not in page and 'value="education"' in page
    response = client.post(url, {"urgency": "normal", "reason": "x", "categories": ["identity", "health"]})
    assert response.status_code == 200 and not Referral.objects.exists()


def test_no_category_allowed_points_to_the_consents(world, client_for):
    client = client_for(world.cast.alice)
    page = client.get(_url(world.case, recipient=world.cast.court.pk)).content.decode()
    assert 'id="nothing-to-share"' in page
    assert reverse("privacy:person_consents", args=[world.person.pk]) in page


def test_reader_gets_403_outsider_404_and_nothing_is_created(world, client_for):
    cast = world.cast
    url = _url(world.case, recipient=cast.school_a.pk)
    data = {"urgency": "normal", "reason": "x", "categories": ["identity"]}
    for user, status in ((cast.dora, 403), (cast.bob, 404), (cast.olga, 404), (cast.tom, 404)):
        client = client_for(user)
        assert client.get(url).status_code == status, user
        assert client.post(url, data).status_code == status, user
    assert not Referral.objects.exists()
    assert client_for(cast.alice).get(reverse("referrals:create") + "?case=nonsense").status_code == 404


def test_referral_from_a_plan_task(world, client_for):
    cast = world.cast
    plan = Plan.objects.create(case=world.case, version=1, created_by=cast.alice)
    goal = Goal.objects.create(plan=plan, title="Nauka")
    task = Task.objects.create(plan=plan, goal=goal, title="Zajęcia wyrównawcze", owner_institution=cast.ops_a)
    client = client_for(cast.alice)
    url = _url(world.case, task=task.pk, recipient=cast.school_a.pk)
    assert "Zajęcia wyrównawcze" in client.get(url).content.decode()
    client.post(url, {"urgency": "urgent", "reason": "Proszę", "categories": ["identity", "education"]})
    referral = Referral.objects.get()
    assert referral.task == task and referral.case == world.case and referral.urgency == "urgent"
    other_case = Case.objects.create(
        number="S/2/2026",
        owner_institution=cast.ops_a,
        coordinator=cast.alice,
        gmina=cast.gmina_a,
        person=world.person,
        variant=ModelVariant.STANDARD,
        plan_label=PlanLabel.PLAN,
        intake_source="application",
        application_date=timezone.localdate(),
        channel="in_person",
        stage="implementation",
    )
    assert client.get(_url(other_case, task=task.pk)).status_code == 404  # a task of another case


def test_family_case_refers_a_chosen_member_of_the_household(world, client_for):
    cast = world.cast
    household = Household.objects.create(name="rodzina Testowych", recorded_by_institution=cast.ops_a)
    child = make_person(cast, first_name="Kacper")
    mother = world.person
    for person, relation in ((mother, "parent"), (child, "child")):
        HouseholdMember.objects.create(household=household, person=person, relation=relation)
    privacy_services.grant_open(
        actor=cast.alice,
        person=child,
        institution=cast.ops_a,
        categories=ALL,
        source_type="record",
        source_id=str(child.pk),
        legal_basis=legal_basis("ups-art-100"),
    )
    make_consent(cast, child, categories=["identity", "education"])
    case = Case.objects.create(
        number="R/1/2026",
        owner_institution=cast.ops_a,
        coordinator=cast.alice,
        gmina=cast.gmina_a,
        household=household,
        variant=ModelVariant.STANDARD,
        plan_label=PlanLabel.PLAN,
        intake_source="application",
        application_date=timezone.localdate(),
        channel="in_person",
        stage="implementation",
    )
    client = client_for(cast.alice)
    first = client.get(_url(case)).content.decode()
    assert "Kacper" in first and 'name="person"' in first
    url = _url(case, recipient=cast.school_a.pk, person=child.pk)
    page = client.get(url).content.decode()
    assert 'value="education"' in page and 'value="contact"' not in page  # the child's consent, not the mother's
    client.post(url, {"urgency": "normal", "reason": "Proszę", "categories": ["identity", "education"]})
    assert Referral.objects.get().person == child


@pytest.mark.django_db
def test_case_page_lists_its_referrals_and_leads_to_a_new_one(world, sent, client_for):
    from kooperacja.cases.policies import CASE_OWNER

    privacy_services.grant_open(
        actor=world.cast.alice,
        person=world.person,
        institution=world.cast.ops_a,
        categories=ALL,
        source_type=CASE_OWNER,
        source_id=str(world.case.pk),
        legal_basis=legal_basis("ups-art-100"),
    )
    page = client_for(world.cast.alice).get(reverse("cases:detail", args=[world.case.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert f"{reverse('referrals:create')}?case={world.case.pk}" in body
    assert reverse("referrals:detail", args=[sent.pk]) in body
