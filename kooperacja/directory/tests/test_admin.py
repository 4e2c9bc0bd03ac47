"""The admin of the directory, for the system administrator."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kooperacja.core.models import AuditEvent
from kooperacja.core.testing.cast import Cast


@pytest.mark.parametrize(
    "model",
    ["institution", "service", "location", "taxonomy", "taxonomyterm", "partnership", "cooperationagreement"],
)
def test_admin_lists_and_searches(cast: Cast, client_for: Any, service_a: Any, agreement: Any, model: str) -> None:
    client = client_for(cast.root)
    assert client.get(reverse(f"admin:directory_{model}_changelist"), {"q": "a"}).status_code == 200
    assert client.get(reverse(f"admin:directory_{model}_add")).status_code == 200


def test_admin_change_pages(cast: Cast, client_for: Any, service_a: Any, agreement: Any) -> None:
    client = client_for(cast.root)
    for model, pk in [
        ("institution", cast.ops_a.pk),
        ("service", service_a.pk),
        ("partnership", cast.partnership_a.pk),
        ("cooperationagreement", agreement.pk),
    ]:
        assert client.get(reverse(f"admin:directory_{model}_change", args=[pk])).status_code == 200


def test_admin_filters_institutions(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.root)
    response = client.get(reverse("admin:directory_institution_changelist"), {"sector__exact": "education"})
    assert cast.school_a.name in response.content.decode()
    assert cast.ops_a.name not in response.content.decode()


def test_admin_edit_of_a_taxonomy_is_audited(cast: Cast, client_for: Any) -> None:
    from kooperacja.directory.models import Taxonomy

    taxonomy = Taxonomy.objects.get(code="sectors")
    client = client_for(cast.root)
    url = reverse("admin:directory_taxonomy_change", args=[taxonomy.pk])
    data = {
        "code": "sectors",
        "name": "Sektory",
        "description": "",
        "uri": "",
        "version": "2",
        "terms-TOTAL_FORMS": "0",
        "terms-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert AuditEvent.objects.filter(action="directory.admin_change", object_id=str(taxonomy.pk)).exists()


def test_staff_of_institutions_cannot_use_the_admin(cast: Cast, client_for: Any) -> None:
    response = client_for(cast.alice).get(reverse("admin:directory_institution_changelist"))
    assert response.status_code == 302
