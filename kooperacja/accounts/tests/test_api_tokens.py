"""Personal API tokens: created on "My account" (secret shown once), used as Bearer, listed, revoked; the command."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kooperacja.accounts.models import ApiToken, hash_token
from kooperacja.accounts.services import api_token_create
from kooperacja.core.models import AuditEvent
from kooperacja.core.testing.cast import Cast

ME = "/api/v1/accounts/me"


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def create_on_the_page(client: Client, name: str = "Skrypt raportów", days: Any = 30) -> Any:
    return client.post(reverse("accounts:api_token_create"), {"name": name, "days": days})


def secret_in(html: str) -> str:
    match = re.search(r'id="token-secret"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*id="token-secret"', html
    )
    assert match, "the new token is not on the page"
    return match.group(1)


def assert_unauthorised(response: Any) -> None:
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "unauthorised"
    assert body["fields"] == {}


def test_create_a_token_on_the_page_and_use_it(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.alice)
    response = create_on_the_page(client)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = secret_in(response.content.decode())

    token = ApiToken.objects.get(user=cast.alice)
    assert token.name == "Skrypt raportów"
    assert token.token_hash == hash_token(secret)
    assert secret.startswith(token.hint)
    assert abs((token.expires_at - timezone.now()) - datetime.timedelta(days=30)) < datetime.timedelta(minutes=1)
    assert AuditEvent.objects.filter(action="accounts.api_token_create", object_id=str(token.pk)).exists()

    api = Client()
    me = api.get(ME, **bearer(secret))
    assert me.status_code == 200
    assert me.json()["username"] == "alice"
    token.refresh_from_db()
    assert token.last_used_at is not None

    # Shown once: the list has only the first characters, never the secret.
    page = client.get(reverse("accounts:profile")).content.decode()
    assert secret not in page
    assert token.hint in page
    assert "Skrypt raportów" in page


def test_the_token_form_defaults_to_the_configured_validity(cast: Cast, client_for: Any) -> None:
    html = client_for(cast.alice).get(reverse("accounts:profile")).content.decode()
    assert re.search(rf'name="days"[^>]*value="{settings.API_TOKEN_DEFAULT_DAYS}"', html) or re.search(
        rf'value="{settings.API_TOKEN_DEFAULT_DAYS}"[^>]*name="days"', html
    )
    token, _secret = api_token_create(actor=cast.alice, name="domyślny")
    expected = timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    assert abs(token.expires_at - expected) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize(("name", "days"), [("", 30), ("ok", 0), ("ok", 100000), ("ok", "dużo")])
def test_bad_input_creates_nothing_and_says_why(cast: Cast, client_for: Any, name: str, days: Any) -> None:
    response = create_on_the_page(client_for(cast.alice), name=name, days=days)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="token-secret"' not in html
    assert not ApiToken.objects.exists()


def test_the_token_pages_need_sign_in(client: Client, cast: Cast) -> None:
    token, _secret = api_token_create(actor=cast.alice, name="x", days=5)
    for url in (reverse("accounts:api_token_create"), reverse("accounts:api_token_revoke", args=[token.pk])):
        response = client.post(url, {"name": "y", "days": 5})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1


def test_revoke_own_token_after_confirming(cast: Cast, client_for: Any) -> None:
    token, secret = api_token_create(actor=cast.tom, name="Eksport", days=10)
    client = client_for(cast.tom)
    url = reverse("accounts:api_token_revoke", args=[token.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Eksport" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # asking is not doing

    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="accounts.api_token_revoke", object_id=str(token.pk)).count() == 1

    assert_unauthorised(Client().get(ME, **bearer(secret)))
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "unieważniony" in page  # its state, in Polish

    # Revoking again changes nothing and writes no second audit record.
    client.post(url)
    assert AuditEvent.objects.filter(action="accounts.api_token_revoke", object_id=str(token.pk)).count() == 1


def test_another_users_token_is_not_found(cast: Cast, client_for: Any) -> None:
    token, secret = api_token_create(actor=cast.alice, name="Alicji", days=10)
    client = client_for(cast.bob)
    url = reverse("accounts:api_token_revoke", args=[token.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert "Alicji" not in client.get(reverse("accounts:profile")).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    assert Client().get(ME, **bearer(secret)).status_code == 200


def test_a_missing_token_is_not_found(cast: Cast, client_for: Any) -> None:
    assert client_for(cast.bob).post(reverse("accounts:api_token_revoke", args=[999999])).status_code == 404


def test_an_expired_token_is_refused(cast: Cast, client_for: Any) -> None:
    token, secret = api_token_create(actor=cast.alice, name="stary", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert_unauthorised(Client().get(ME, **bearer(secret)))
    page = client_for(cast.alice).get(reverse("accounts:profile")).content.decode()
    assert "wygasł" in page


def test_unknown_or_malformed_tokens_are_refused(db: None) -> None:
    assert_unauthorised(Client().get(ME, **bearer("koop_not-a-real-token")))
    assert_unauthorised(Client().get(ME, HTTP_AUTHORIZATION="Token abc"))


def test_a_token_of_a_deactivated_user_is_refused(cast: Cast) -> None:
    _token, secret = api_token_create(actor=cast.tom, name="x", days=5)
    cast.tom.is_active = False
    cast.tom.save()
    assert_unauthorised(Client().get(ME, **bearer(secret)))


def test_profile_lists_tokens_in_a_constant_number_of_queries(
    cast: Cast, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(cast.alice)
    api_token_create(actor=cast.alice, name="t0", days=5)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("accounts:profile"))
    for n in range(1, 8):
        api_token_create(actor=cast.alice, name=f"t{n}", days=5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("accounts:profile"))
    assert response.content.decode().count('<th scope="row">t') == 8


# --- manage.py create_api_token -------------------------------------------------------------------------------------


def test_command_prints_only_a_working_token(cast: Cast) -> None:
    out = io.StringIO()
    call_command("create_api_token", "paula", "--name", "cron", "--days", "7", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    secret = lines[0]
    token = ApiToken.objects.get(token_hash=hash_token(secret))
    assert token.user == cast.paula
    assert token.name == "cron"
    assert abs(token.expires_at - (timezone.now() + datetime.timedelta(days=7))) < datetime.timedelta(minutes=1)
    me = Client().get(ME, **bearer(secret))
    assert me.status_code == 200
    assert me.json()["username"] == "paula"


def test_command_uses_the_default_validity(cast: Cast) -> None:
    out = io.StringIO()
    call_command("create_api_token", "paula", stdout=out)
    token = ApiToken.objects.get(token_hash=hash_token(out.getvalue().strip()))
    expected = timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    assert abs(token.expires_at - expected) < datetime.timedelta(minutes=1)


def test_command_refuses_an_unknown_user(db: None) -> None:
    out = io.StringIO()
    with pytest.raises(CommandError, match="nobody"):
        call_command("create_api_token", "nobody", stdout=out)
    assert out.getvalue() == ""
    assert not ApiToken.objects.exists()


def test_command_refuses_a_bad_validity(cast: Cast) -> None:
    with pytest.raises(CommandError):
        call_command("create_api_token", "paula", "--days", "0", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_command_exits_non_zero_for_an_unknown_user(db: None, capsys: Any) -> None:
    from kooperacja.accounts.management.commands.create_api_token import Command

    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "create_api_token", "nobody-at-all"])
    assert exit_info.value.code != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "nobody-at-all" in captured.err
