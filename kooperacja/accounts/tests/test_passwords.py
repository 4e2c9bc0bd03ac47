"""Changing a password when signed in, and setting a new one through the link sent by e-mail."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from kooperacja.core.testing.cast import Cast
from kooperacja.core.testing.factories import PASSWORD

NEW_PASSWORD = "Zielona-Jabłonka-2026"


def sign_in(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_password_change_needs_sign_in(client: Client, db: None) -> None:
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_change_password(client_for: Any, cast: Cast) -> None:
    client = client_for(cast.tom)
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200
    assert 'for="id_old_password"' in page.content.decode()
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    # The session survives the change (Django updates the session hash).
    assert client.get(reverse("accounts:password_change_done")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert sign_in(client, "tom", PASSWORD).status_code == 200
    assert sign_in(client, "tom", NEW_PASSWORD).status_code == 302


def test_a_wrong_current_password_changes_nothing(client_for: Any, cast: Cast) -> None:
    client = client_for(cast.tom)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'aria-describedby="id_old_password_error"' in html
    assert 'aria-invalid="true"' in html
    cast.tom.refresh_from_db()
    assert cast.tom.check_password(PASSWORD)


def test_a_weak_new_password_is_refused_with_a_polish_message(client_for: Any, cast: Cast) -> None:
    client = client_for(cast.tom)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "krotkie", "new_password2": "krotkie"},
    )
    assert response.status_code == 200
    assert "za krótkie" in response.content.decode()
    cast.tom.refresh_from_db()
    assert cast.tom.check_password(PASSWORD)


def test_password_reset_by_e_mail(client: Client, cast: Cast) -> None:
    page = client.get(reverse("accounts:password_reset"))
    assert page.status_code == 200
    response = client.post(reverse("accounts:password_reset"), {"email": cast.paula.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert client.get(response["Location"]).status_code == 200

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [cast.paula.email]
    assert "\n" not in message.subject
    # Only a greeting and the link: no username, no name, no institution.
    for personal in (cast.paula.username, cast.paula.first_name, cast.paula.last_name, cast.court.name):
        assert personal not in message.body
    links = re.findall(r"https?://\S+", message.body)
    assert len(links) == 1

    path = links[0].split("testserver", 1)[1]
    response = client.get(path)  # Django swaps the token for a session-bound URL
    assert response.status_code == 302
    form_url = response["Location"]
    page = client.get(form_url)
    assert page.status_code == 200
    assert 'for="id_new_password1"' in page.content.decode()
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert client.get(response["Location"]).status_code == 200

    assert sign_in(client, "paula", PASSWORD).status_code == 200
    assert sign_in(client, "paula", NEW_PASSWORD).status_code == 302

    # The link works once.
    client.post(reverse("accounts:logout"))
    used = client.get(path, follow=True)
    assert used.status_code == 200
    assert 'id="id_new_password1"' not in used.content.decode()


def test_password_reset_does_not_tell_whether_an_address_is_known(client: Client, db: None) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.invalid"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_reset_lifts_a_lockout(client: Client, cast: Cast) -> None:
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "paula", f"wrong {attempt}")
    assert sign_in(client, "paula", PASSWORD).status_code == 429

    client.post(reverse("accounts:password_reset"), {"email": cast.paula.email})
    path = re.findall(r"https?://testserver(\S+)", mail.outbox[0].body)[0]
    form_url = client.get(path)["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert sign_in(client, "paula", NEW_PASSWORD).status_code == 302


def test_reset_e_mail_in_english_for_an_english_request(client: Client, cast: Cast) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(reverse("accounts:password_reset"), {"email": cast.paula.email})
    assert mail.outbox[0].body.startswith("Hello,")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pl"
    client.post(reverse("accounts:password_reset"), {"email": cast.paula.email})
    assert mail.outbox[1].body.startswith("Dzień dobry,")
