"""Platform behaviour every page and endpoint relies on: health, headers, errors, settings."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_the_database_answers(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_answers_503_when_the_database_does_not(client: Client) -> None:
    with mock.patch("kooperacja.core.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("connection refused")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert "refused" not in response.content.decode()


def test_pages_send_a_strict_content_security_policy(client: Client) -> None:
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_home_has_no_inline_script_or_style(client: Client) -> None:
    html = client.get("/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> found"
    assert " style=" not in html


def test_polish_is_the_default_language_and_english_is_switchable(client: Client) -> None:
    html = client.get("/").content.decode()
    assert '<html lang="pl">' in html
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert '<html lang="en">' in response.content.decode()


def test_api_errors_have_one_body_shape(client: Client) -> None:
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "unauthorised"


def test_api_rejects_a_garbage_bearer_token(client: Client) -> None:
    response = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401


def test_openapi_schema_and_docs_are_served(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Kooperacja API"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    # No asset from a CDN host (a bare "cdn" can occur inside a random CSRF token or nonce).
    assert not re.search(r"(https?:)?//[^\s\"'<>]*cdn", docs.content.decode().lower())


def test_env_example_documents_every_setting_read_from_the_environment() -> None:
    source = (Path(settings.BASE_DIR) / "kooperacja" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_]+)"', source))
    documented = set(
        re.findall(r"^([A-Z_]+)=", (Path(settings.BASE_DIR) / ".env.example").read_text(encoding="utf-8"), re.M)
    )
    assert names, "no settings found"
    assert names <= documented, f"undocumented: {sorted(names - documented)}"


def test_env_helpers_fail_loudly_on_bad_values(monkeypatch: pytest.MonkeyPatch) -> None:
    from kooperacja.env import ImproperlyConfiguredEnv, env_bool, env_int, env_list

    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfiguredEnv):
        env_bool("X_BOOL")
    monkeypatch.setenv("X_INT", "12a")
    with pytest.raises(ImproperlyConfiguredEnv):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_list("X_LIST") == ["a", "b", "c"]


def test_secret_can_come_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from kooperacja.env import env_str

    secret = tmp_path / "secret"
    secret.write_text("s3cret\n", encoding="utf-8")
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret))
    assert env_str("SOME_SECRET") == "s3cret"


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction() -> None:
    from kooperacja.core.services import audit_record
    from kooperacja.territory.models import Macroregion

    region = Macroregion.objects.create(code="x", name="X")
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="test", target=region)
