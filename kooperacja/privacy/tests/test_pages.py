"""The consent pages: who sees them (404 for everyone without a grant), who writes (403 for readers), the access log
written on every read, and what a recorded or withdrawn consent changes for tom at school A."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kooperacja.privacy.models import AccessLogEntry, Consent, Purpose
from kooperacja.privacy.tests.conftest import PDF, pdf_upload, school_consent, team_grant

pytestmark = pytest.mark.django_db


def _today() -> datetime.date:
    """The local date when the test runs (not when the module was imported: a suite can cross midnight)."""
    return timezone.localdate()


@pytest.fixture
def shared(cast, recorded):
    """Anna is recorded by OPS A; she consented to share identity, education and family with school A, whose
    pedagogue tom is in her case team; the consent is kept as a signed PDF."""
    consent = school_consent(cast, recorded.person, recorded_orally_by=None, document=pdf_upload())
    team_grant(cast, consent)
    return consent


def _read_urls(person, consent) -> list[str]:
    return [
        reverse("privacy:person_consents", args=[person.pk]),
        reverse("privacy:consent_detail", args=[consent.pk]),
        reverse("privacy:consent_document", args=[consent.pk]),
    ]


def _write_urls(person, consent) -> list[str]:
    return [
        reverse("privacy:consent_create", args=[person.pk]),
        reverse("privacy:consent_withdraw", args=[consent.pk]),
    ]


def test_anonymous_is_sent_to_sign_in(client, recorded, shared):
    for url in _read_urls(recorded.person, shared):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_policy_matrix_over_the_cast(cast, recorded, shared, client_for):
    person = recorded.person
    expected = {
        "alice": (200, 200),  # OPS A: records the person on its statutory basis, coordinator
        "tom": (200, 403),  # school A: a recipient of the consent, a reader of it
        "paula": (404, 404),  # court: no grant
        "bob": (404, 404),  # OPS B: no grant
        "rosa": (404, 404),  # ROPS: never person-level data
        "dora": (404, 404),  # the DPO reads through the report and the access log, not these pages
        "root": (404, 404),  # the system administrator has no grant
        "olga": (404, 404),  # outsider
    }
    for name, (read_status, write_status) in expected.items():
        client = client_for(getattr(cast, name))
        for url in _read_urls(person, shared):
            assert client.get(url).status_code == read_status, (name, url)
        for url in _write_urls(person, shared):
            assert client.get(url).status_code == write_status, (name, url)
            if write_status != 200:
                assert client.post(url, {}).status_code == write_status, (name, url)
    assert Consent.objects.get(pk=shared.pk).withdrawn_on is None


def test_a_model_expert_at_ops_a_gets_404(cast, recorded, shared, client_for):
    from kooperacja.accounts.models import Role
    from kooperacja.core.testing import factories as f

    expert = f.UserFactory(username="ewa")
    f.MembershipFactory(user=expert, institution=cast.ops_a, role=Role.MODEL_EXPERT)
    client = client_for(expert)
    for url in _read_urls(recorded.person, shared):
        assert client.get(url).status_code == 404, url


def test_unknown_ids_are_404(cast, client_for):
    client = client_for(cast.alice)
    assert client.get(reverse("privacy:consent_detail", args=[999999])).status_code == 404
    assert client.get("/privacy/persons/00000000-0000-0000-0000-000000000000/consents/").status_code == 404


def test_every_read_is_logged_with_the_categories_shown(cast, recorded, shared, client_for):
    client = client_for(cast.tom)
    for url in _read_urls(recorded.person, shared):
        before = AccessLogEntry.objects.count()
        response = client.get(url)
        assert response.status_code == 200, url
        assert AccessLogEntry.objects.count() == before + 1, url
        entry = AccessLogEntry.objects.order_by("-id").first()
        assert entry.person_id == recorded.person.pk
        assert entry.actor == cast.tom and entry.institution == cast.school_a
        assert entry.categories == ["identity"] and entry.purpose == Purpose.CASE_WORK and entry.channel == "page"
        assert str(recorded.person.last_name) not in entry.resource
    # 404s write nothing.
    before = AccessLogEntry.objects.count()
    client_for(cast.paula).get(_read_urls(recorded.person, shared)[0])
    assert AccessLogEntry.objects.count() == before


def test_the_document_is_served_to_those_who_see_the_person(cast, recorded, shared, client_for):
    response = client_for(cast.tom).get(reverse("privacy:consent_document", args=[shared.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"] and "zgoda-" in response["Content-Disposition"]


def test_tom_sees_only_consents_his_school_received(cast, recorded, shared, client_for):
    school_consent(
        cast,
        recorded.person,
        recipients=[cast.court],
        purpose="Informacja dla kuratora sądowego",
        categories=["identity", "justice"],
    )
    page = client_for(cast.tom).get(reverse("privacy:person_consents", args=[recorded.person.pk])).content.decode()
    assert "Szkoła Podstawowa nr 1" in page and "Sąd Rejonowy" not in page
    page = client_for(cast.alice).get(reverse("privacy:person_consents", args=[recorded.person.pk])).content.decode()
    assert "Sąd Rejonowy" in page


def test_consent_list_has_a_constant_query_count(cast, recorded, shared, client_for, django_assert_max_num_queries):
    client = client_for(cast.alice)
    url = reverse("privacy:person_consents", args=[recorded.person.pk])
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for n in range(5):
        school_consent(cast, recorded.person, purpose=f"Cel {n}", recipients=[cast.school_a, cast.court])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("privacy/consents/") >= 6


def test_record_a_consent_through_the_form_and_tom_sees_it_once_the_team_grant_opens(cast, recorded, client_for):
    client = client_for(cast.alice)
    url = reverse("privacy:consent_create", args=[recorded.person.pk])
    page = client.get(url).content.decode()
    assert "Szkoła Podstawowa nr 1" in page  # the partnership's institutions are offered
    assert "edukacja" in page.lower() or "education" in page.lower()
    response = client.post(
        url,
        {
            "recorded_by_institution": cast.ops_a.pk,
            "recipients": [cast.school_a.pk],
            "purpose": "Pomoc w nauce",
            "categories": ["identity", "education"],
            "given_on": _today().isoformat(),
            "document": pdf_upload(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    consent = Consent.objects.get()
    assert consent.document and consent.recorded_orally_by is None
    assert list(consent.recipients.all()) == [cast.school_a]
    tom = client_for(cast.tom)
    assert tom.get(reverse("privacy:person_consents", args=[recorded.person.pk])).status_code == 404
    team_grant(cast, consent)
    assert tom.get(reverse("privacy:person_consents", args=[recorded.person.pk])).status_code == 200


def test_the_form_refuses_both_or_neither_and_changes_nothing(cast, recorded, client_for):
    client = client_for(cast.alice)
    url = reverse("privacy:consent_create", args=[recorded.person.pk])
    base = {
        "recorded_by_institution": cast.ops_a.pk,
        "recipients": [cast.school_a.pk],
        "purpose": "Pomoc w nauce",
        "categories": ["identity"],
        "given_on": _today().isoformat(),
    }
    response = client.post(url, {**base, "recorded_orally_by": cast.alice.pk, "document": pdf_upload()})
    assert response.status_code == 400
    assert "jedno z dwóch" in response.content.decode()
    response = client.post(url, base)
    assert response.status_code == 400
    response = client.post(url, {**base, "recorded_orally_by": cast.alice.pk, "recipients": [cast.ngo_z.pk]})
    assert response.status_code == 400  # an institution of another voivodeship is not offered
    assert not Consent.objects.exists()


def test_withdraw_through_the_confirm_page(cast, recorded, shared, client_for):
    tom = client_for(cast.tom)
    assert tom.get(reverse("privacy:person_consents", args=[recorded.person.pk])).status_code == 200
    client = client_for(cast.alice)
    url = reverse("privacy:consent_withdraw", args=[shared.pk])
    assert "natychmiast" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert Consent.objects.get(pk=shared.pk).withdrawn_on == _today()
    tom = client_for(cast.tom)
    for url in _read_urls(recorded.person, shared):
        assert tom.get(url).status_code == 404, url
