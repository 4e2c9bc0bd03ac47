"""The Django admin of accounts and the audit trail, for the system administrator, in Polish."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kooperacja.accounts.models import ApiToken, Membership, Role
from kooperacja.accounts.services import api_token_create
from kooperacja.core.models import AuditEvent
from kooperacja.core.testing.cast import Cast

CHANGELISTS = ["accounts_user", "accounts_membership", "accounts_apitoken", "core_auditevent"]


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelists_load_and_search_for_root(cast: Cast, client_for: Any, model: str) -> None:
    api_token_create(actor=cast.alice, name="skrypt", days=5)
    client = client_for(cast.root)
    response = client.get(reverse(f"admin:{model}_changelist"), {"q": "a"})
    assert response.status_code == 200
    assert '<html lang="pl"' in response.content.decode()


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelists_are_refused_to_non_staff(cast: Cast, client_for: Any, model: str) -> None:
    response = client_for(cast.alice).get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_is_in_polish(cast: Cast, client_for: Any) -> None:
    html = client_for(cast.root).get(reverse("admin:index")).content.decode()
    assert "Konta" in html
    assert "Przynależności do instytucji" in html
    assert "Tokeny API" in html
    assert "Dziennik zmian" in html


def test_user_filters_by_role_and_shows_memberships_inline(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.root)
    response = client.get(
        reverse("admin:accounts_user_changelist"), {"memberships__role__exact": Role.DATA_PROTECTION_OFFICER}
    )
    html = response.content.decode()
    assert ">dora<" in html
    assert ">alice<" not in html
    assert "inspektor ochrony danych" in html  # the filter's choices, in Polish

    page = client.get(reverse("admin:accounts_user_change", args=[cast.alice.pk])).content.decode()
    assert cast.ops_a.name in page
    assert "memberships-TOTAL_FORMS" in page


def test_user_search(cast: Cast, client_for: Any) -> None:
    html = (
        client_for(cast.root).get(reverse("admin:accounts_user_changelist"), {"q": cast.paula.email}).content.decode()
    )
    assert ">paula<" in html
    assert ">tom<" not in html


def test_membership_filters(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.root)
    html = client.get(
        reverse("admin:accounts_membership_changelist"), {"institution__sector__exact": "justice"}
    ).content.decode()
    assert cast.court.name in html
    assert cast.ops_a.name not in html
    html = client.get(
        reverse("admin:accounts_membership_changelist"), {"role__exact": Role.REGIONAL_SPECIALIST}
    ).content.decode()
    assert "specjalista regionalny (ROPS)" in html


def test_adding_a_membership_in_the_admin_is_audited(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.root)
    response = client.post(
        reverse("admin:accounts_membership_add"),
        {"user": cast.tom.pk, "institution": cast.ops_a.pk, "role": Role.PARTNER_PROFESSIONAL, "job_title": ""},
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    membership = Membership.objects.get(user=cast.tom, institution=cast.ops_a)
    event = AuditEvent.objects.get(action="accounts.admin_add", object_id=str(membership.pk))
    assert event.actor == cast.root


def test_token_admin_never_shows_a_secret_and_cannot_add_or_edit(cast: Cast, client_for: Any) -> None:
    token, secret = api_token_create(actor=cast.alice, name="skrypt", days=5)
    client = client_for(cast.root)
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert secret not in html
    assert token.token_hash in html  # the fingerprint, read-only
    assert 'name="name"' not in html  # no editable fields
    response = client.post(reverse("admin:accounts_apitoken_change", args=[token.pk]), {"name": "inna"})
    assert response.status_code == 403
    token.refresh_from_db()
    assert token.name == "skrypt"
    assert secret not in client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()


def test_token_admin_revoke_action(cast: Cast, client_for: Any) -> None:
    token, _secret = api_token_create(actor=cast.alice, name="skrypt", days=5)
    client = client_for(cast.root)
    response = client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="accounts.api_token_revoke", object_id=str(token.pk))
    assert event.actor == cast.root
    html = client.get(reverse("admin:accounts_apitoken_changelist"), {"state": "revoked"}).content.decode()
    assert "skrypt" in html
    html = client.get(reverse("admin:accounts_apitoken_changelist"), {"state": "active"}).content.decode()
    assert "skrypt" not in html


def test_audit_trail_is_read_only(cast: Cast, client_for: Any) -> None:
    token, _secret = api_token_create(actor=cast.alice, name="skrypt", days=5)
    event = AuditEvent.objects.get(action="accounts.api_token_create")
    client = client_for(cast.root)
    changelist = client.get(
        reverse("admin:core_auditevent_changelist"), {"action": "accounts.api_token_create"}
    ).content.decode()
    assert "accounts.api_token_create" in changelist
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:core_auditevent_delete", args=[event.pk])).status_code == 403
    page = client.get(reverse("admin:core_auditevent_change", args=[event.pk])).content.decode()
    assert 'name="action"' not in page
    response = client.post(reverse("admin:core_auditevent_change", args=[event.pk]), {"action": "forged"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.action == "accounts.api_token_create"
    assert ApiToken.objects.filter(pk=token.pk).exists()
