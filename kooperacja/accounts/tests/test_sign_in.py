"""Signing in and out, lockout after failed attempts, CSRF, session expiry, password hashing."""

from __future__ import annotations

import datetime
import os
import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kooperacja.core.testing.cast import Cast
from kooperacja.core.testing.factories import PASSWORD

LOGIN = reverse("accounts:login")


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_login_page_has_a_labelled_accessible_form(client: Client, db: None) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1>") == 1
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'id="id_username"' in html and 'id="id_password"' in html
    assert 'type="submit"' in html
    assert f'href="{reverse("accounts:password_reset")}"' in html
    assert "Nie pamiętasz hasła?" in html  # "Forgot password?" in Polish, the default language


def test_sign_in_and_out_through_the_page(client: Client, cast: Cast) -> None:
    response = sign_in(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.get(reverse("accounts:profile")).status_code == 200

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 302  # back to the sign-in page


def test_sign_in_goes_to_the_page_asked_for_but_never_elsewhere(client: Client, cast: Cast) -> None:
    profile = reverse("accounts:profile")
    assert sign_in(client, "alice", next=profile)["Location"] == profile
    client.post(reverse("accounts:logout"))
    assert sign_in(client, "alice", next="https://evil.example/")["Location"] == reverse("core:home")


def test_sign_out_needs_post(client_for: Any, cast: Cast) -> None:
    client = client_for(cast.alice)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_wrong_password_shows_an_error_tied_to_the_form(client: Client, cast: Cast) -> None:
    response = sign_in(client, "alice", "wrong password")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary" role="alert"' in html
    assert "_auth_user_id" not in client.session


def test_lockout_after_the_failure_limit_refuses_even_the_right_password(client: Client, cast: Cast) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(1, limit):
        response = sign_in(client, "alice", f"wrong {attempt}")
        assert response.status_code == 200, f"locked too early, after {attempt} failures"
    response = sign_in(client, "alice", "wrong again")
    assert response.status_code == 429

    response = sign_in(client, "alice")  # the right password
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert html.count("<h1>") == 1
    assert "zablokowane" in html  # a Polish message
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    assert re.search(rf"za {minutes} minut[yę]?, po \d\d:\d\d", html)  # when to try again
    assert "administratora" in html  # whom to ask
    assert "alice" not in html.split("<main", 1)[1]  # the page does not echo the username


def test_lockout_is_per_account_not_per_office(client: Client, cast: Cast) -> None:
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice", f"wrong {attempt}")
    # A colleague from the same IP address signs in normally.
    assert sign_in(Client(), "dora").status_code == 302


def test_a_successful_sign_in_resets_the_failure_count(client: Client, cast: Cast) -> None:
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "alice", f"wrong {attempt}")
    assert sign_in(client, "alice").status_code == 302
    client.post(reverse("accounts:logout"))
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "alice", f"wrong {attempt}").status_code == 200
    assert sign_in(client, "alice").status_code == 302


def test_csrf_is_enforced_on_sign_in(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    assert sign_in(client, "alice").status_code == 403
    client.get(LOGIN)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    assert sign_in(client, "alice", csrfmiddlewaretoken=token).status_code == 302


def test_csrf_is_enforced_on_sign_out_and_token_creation(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.alice)
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert client.post(reverse("accounts:api_token_create"), {"name": "x", "days": 5}).status_code == 403
    assert not cast.alice.api_tokens.exists()


def test_sessions_expire_when_idle() -> None:
    idle_minutes = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    assert idle_minutes * 60 == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_each_request_renews_the_session_and_an_idle_one_is_gone(client: Client, cast: Cast) -> None:
    sign_in(client, "alice")
    session = Session.objects.get(session_key=client.session.session_key)
    expected = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((session.expire_date - expected).total_seconds()) < 60

    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_argon2_is_the_first_password_hasher() -> None:
    from kooperacja import settings as production_settings

    assert production_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    # The tests themselves use a fast hasher.
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_argon2_hashes_and_checks_a_password() -> None:
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("kooperacja-demo", hasher.salt())
    assert encoded.startswith("argon2$")
    assert hasher.verify("kooperacja-demo", encoded)
    assert not hasher.verify("something else", encoded)


@pytest.mark.parametrize(
    ("language", "heading", "forgot"),
    [("pl", "Zaloguj się", "Nie pamiętasz hasła?"), ("en", "Sign in", "Forgot password?")],
)
def test_sign_in_page_in_both_languages(client: Client, db: None, language: str, heading: str, forgot: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(LOGIN).content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert forgot in html
