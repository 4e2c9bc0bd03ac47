"""The interface language follows the user: chosen once, used at every sign-in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kooperacja.core.models import AuditEvent
from kooperacja.core.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_switching_language_when_signed_in_is_remembered_for_the_next_sign_in(cast, client_for) -> None:
    client = client_for(cast.tom)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    cast.tom.refresh_from_db()
    assert cast.tom.preferred_language == "en"
    assert AuditEvent.objects.filter(action="user.preferred_language", object_id=str(cast.tom.pk)).count() == 1

    fresh = Client()  # another computer: no language cookie
    response = fresh.post(reverse("accounts:login"), {"username": "tom", "password": PASSWORD}, follow=True)
    assert '<html lang="en">' in response.content.decode()


def test_anonymous_language_switch_changes_no_account(cast, client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert '<html lang="en">' in response.content.decode()
    assert not AuditEvent.objects.filter(action="user.preferred_language").exists()


def test_an_unknown_language_is_ignored(cast, client_for) -> None:
    client = client_for(cast.tom)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    cast.tom.refresh_from_db()
    assert cast.tom.preferred_language == "pl"
