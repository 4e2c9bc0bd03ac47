"""A person recorded by OPS A (alice's institution) on its statutory basis, around the shared cast."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kooperacja.core.testing.cast import Cast
from kooperacja.people.models import Person
from kooperacja.privacy import services
from kooperacja.privacy.models import AccessGrant, Consent, LegalBasis
from kooperacja.privacy.tests.factories import PersonFactory

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf_upload(name: str = "zgoda.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@dataclass
class Recorded:
    person: Person
    record_grant: AccessGrant


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from kooperacja.directory.storage import private_storage

    private_storage().__dict__.pop("base_location", None)
    private_storage().__dict__.pop("location", None)


@pytest.fixture
def recorded(cast: Cast) -> Recorded:
    person = PersonFactory(recorded_by_institution=cast.ops_a, gmina=cast.gmina_a)
    grant = services.grant_open(
        actor=cast.alice,
        person=person,
        institution=cast.ops_a,
        categories=list(LegalBasis.objects.get(code="ups-art-100").covers),
        source_type="record",
        source_id=person.pk,
        legal_basis=LegalBasis.objects.get(code="ups-art-100"),
    )
    return Recorded(person=person, record_grant=grant)


def school_consent(cast: Cast, person: Person, **extra: Any) -> Consent:
    values: dict[str, Any] = {
        "actor": cast.alice,
        "person": person,
        "recorded_by_institution": cast.ops_a,
        "recipients": [cast.school_a],
        "purpose": "Współpraca ze szkołą w sprawie nauki dziecka",
        "categories": ["identity", "education", "family"],
        "given_on": timezone.localdate() - datetime.timedelta(days=3),
        "recorded_orally_by": cast.alice,
    }
    values.update(extra)
    return services.consent_record(**values)


def team_grant(cast: Cast, consent: Consent, source_id: str = "case-1") -> list[AccessGrant]:
    """What cases does when the school joins the case team on the consent."""
    return services.grants_open_for_consent(
        actor=cast.alice, consent=consent, source_type="case_team", source_id=source_id
    )
