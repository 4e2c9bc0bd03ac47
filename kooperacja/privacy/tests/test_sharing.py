"""Legal bases as data, and what may be shared with an institution and why."""

from __future__ import annotations

import pytest

from kooperacja.privacy import policies
from kooperacja.privacy.models import DataCategory, LegalBasis
from kooperacja.privacy.tests.conftest import school_consent

pytestmark = pytest.mark.django_db

CONTRACT_CODES = {
    "gdpr-6-1-a",
    "gdpr-6-1-c",
    "gdpr-6-1-e",
    "gdpr-9-2-a",
    "gdpr-9-2-b",
    "gdpr-9-2-h",
    "ups-art-100",
    "uwr-art-15",
    "upprzd-art-9c",
    "ucus-art-8",
}


def test_the_agreed_legal_bases_are_seeded():
    bases = {basis.code: basis for basis in LegalBasis.objects.all()}
    assert set(bases) >= CONTRACT_CODES
    assert bases["gdpr-6-1-a"].is_consent and bases["gdpr-9-2-a"].is_consent
    assert not bases["ups-art-100"].is_consent
    assert set(bases["ups-art-100"].covers) == set(DataCategory.values)
    assert bases["ups-art-100"].institution_kinds == ["ops", "cus", "pcpr"]
    assert set(bases["uwr-art-15"].covers) == {
        "identity",
        "contact",
        "family",
        "education",
        "health",
        "housing",
        "finances",
    }
    assert bases["upprzd-art-9c"].institution_kinds == [] and bases["upprzd-art-9c"].procedure == "blue_card"
    assert bases["ucus-art-8"].institution_kinds == ["cus"]
    assert "pomocy społecznej" in bases["ups-art-100"].reference
    for basis in bases.values():
        basis.full_clean()


def test_ops_shares_on_its_statute_a_school_only_on_consent(cast, recorded):
    explanations = policies.sharing_explanations(person=recorded.person, institution=cast.ops_b)
    assert all(allowed for _c, _l, allowed, _r in explanations)
    assert "art. 100" in explanations[0][3]

    before = {
        c: allowed
        for c, _l, allowed, _r in policies.sharing_explanations(person=recorded.person, institution=cast.school_a)
    }
    assert not any(before.values())
    school_consent(cast, recorded.person, categories=["identity", "education"])
    rows = policies.sharing_explanations(person=recorded.person, institution=cast.school_a)
    allowed = {c for c, _l, ok, _r in rows if ok}
    assert allowed == {"identity", "education"}
    reasons = {c: r for c, _l, _ok, r in rows}
    assert "zgod" in reasons["education"].lower()
    assert "brak" in reasons["health"].lower() or "nie" in reasons["health"].lower()
    labels = {c: label for c, label, _ok, _r in rows}
    assert labels["family"] == "sytuacja rodzinna"


def test_art_9c_counts_only_in_a_niebieska_karta_procedure(cast, recorded):
    outside = policies.sharing_bases(person=recorded.person, institution=cast.court)
    assert all(basis is None for basis in outside.values())
    inside = policies.sharing_bases(person=recorded.person, institution=cast.court, procedure="blue_card")
    assert all(isinstance(basis, LegalBasis) and basis.code == "upprzd-art-9c" for basis in inside.values())
