"""Fixtures of the directory tests: a service and a location at OPS A and at OPS B, an agreement, a representative."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kooperacja.core.testing import factories as f
from kooperacja.core.testing.cast import Cast
from kooperacja.directory.models import CapacityStatus, PartnershipMember, TaxonomyTerm

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def domain(db: None) -> TaxonomyTerm:
    return TaxonomyTerm.objects.get(taxonomy__code="cus-domains", code="family_support")


@pytest.fixture
def service_a(cast: Cast, domain: TaxonomyTerm) -> Any:
    service = f.ServiceFactory(
        institution=cast.ops_a,
        name="Asystent rodziny",
        description="Wsparcie rodzin w opiece i wychowaniu dzieci.",
        capacity_status=CapacityStatus.ACCEPTING,
    )
    service.terms.add(domain)
    return service


@pytest.fixture
def service_b(cast: Cast) -> Any:
    return f.ServiceFactory(
        institution=cast.ops_b,
        name="Klub seniora",
        capacity_status=CapacityStatus.WAITLIST,
        expected_wait_days=30,
    )


@pytest.fixture
def location_a(cast: Cast) -> Any:
    return f.LocationFactory(institution=cast.ops_a, name="Punkt konsultacyjny")


@pytest.fixture
def member_school(cast: Cast) -> PartnershipMember:
    return PartnershipMember.objects.get(partnership=cast.partnership_a, institution=cast.school_a)


@pytest.fixture
def representative(member_school: PartnershipMember) -> Any:
    return f.RepresentativeFactory(member=member_school, full_name="Zofia Przykładowa", email="zofia@example.invalid")


@pytest.fixture
def agreement(cast: Cast) -> Any:
    from django.core.files.base import ContentFile

    agreement = f.CooperationAgreementFactory(partnership=cast.partnership_a, title="Porozumienie 2026")
    agreement.parties.set([cast.ops_a, cast.school_a])
    agreement.signed_file.save("skan.pdf", ContentFile(PDF_BYTES), save=True)
    return agreement
