"""Every write page: outsiders get 404, readers 403, anonymous users go to sign-in; editors succeed and are audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kooperacja.core.models import AuditEvent
from kooperacja.core.testing.cast import Cast

from .conftest import PDF_BYTES


@dataclass
class Case:
    url: str
    data: dict[str, Any]
    editor: str
    reader: str
    outsiders: tuple[str, ...]
    action: str
    post_only: bool = False
    files: dict[str, Callable[[], Any]] = field(default_factory=dict)


def _case(name: str, cast: Cast, request: pytest.FixtureRequest) -> Case:
    today = timezone.localdate().isoformat()
    if name == "institution_edit":
        return Case(
            reverse("directory:institution_edit", args=[cast.ops_a.pk]),
            {"name": "MOPS w Miastku A (nowa nazwa)", "short_name": "MOPS A", "city": "Miastko A", "phone": "32 1"},
            "alice",
            "dora",
            ("bob", "olga"),
            "directory.institution_update",
        )
    if name == "service_create":
        return Case(
            reverse("directory:service_create", args=[cast.ops_a.pk]),
            {"name": "Poradnictwo", "status": "active", "capacity_status": "accepting", "languages": "pl"},
            "alice",
            "dora",
            ("bob", "olga"),
            "directory.service_create",
        )
    if name == "service_edit":
        service = request.getfixturevalue("service_a")
        return Case(
            reverse("directory:service_edit", args=[service.pk]),
            {"name": "Asystent rodziny 2", "status": "active", "capacity_status": "accepting", "languages": "pl"},
            "alice",
            "dora",
            ("bob", "olga"),
            "directory.service_update",
        )
    if name == "service_confirm_capacity":
        service = request.getfixturevalue("service_a")
        return Case(
            reverse("directory:service_confirm_capacity", args=[service.pk]),
            {},
            "alice",
            "dora",
            ("bob", "olga"),
            "directory.service_confirm_capacity",
            post_only=True,
        )
    if name == "location_create":
        return Case(
            reverse("directory:location_create", args=[cast.ops_a.pk]),
            {"name": "Filia", "city": "Miastko A"},
            "alice",
            "dora",
            ("bob", "olga"),
            "directory.location_create",
        )
    if name == "location_edit":
        location = request.getfixturevalue("location_a")
        return Case(
            reverse("directory:location_edit", args=[location.pk]),
            {"name": "Filia 2"},
            "alice",
            "dora",
            ("bob", "olga"),
            "directory.location_update",
        )
    if name == "partnership_edit":
        return Case(
            reverse("directory:partnership_edit", args=[cast.partnership_a.pk]),
            {"name": "PZK Miastko A — zmiana", "county": cast.county_a.pk, "established_on": "2025-01-10"},
            "alice",
            "tom",
            ("bob", "olga"),
            "directory.partnership_update",
        )
    if name == "partnership_member_add":
        return Case(
            reverse("directory:partnership_member_add", args=[cast.partnership_a.pk]),
            {"institution": cast.ops_b.pk, "joined_on": today},
            "alice",
            "tom",
            ("bob", "olga"),
            "directory.partnership_member_add",
        )
    if name == "partnership_member_leave":
        member = request.getfixturevalue("member_school")
        return Case(
            reverse("directory:partnership_member_leave", args=[member.pk]),
            {"left_on": today},
            "alice",
            "tom",
            ("bob", "olga"),
            "directory.partnership_member_leave",
        )
    if name == "representative_add":
        member = request.getfixturevalue("member_school")
        return Case(
            reverse("directory:representative_add", args=[member.pk]),
            {"full_name": "Jan Nowak", "function": "pedagog"},
            "alice",
            "tom",
            ("bob", "olga"),
            "directory.representative_add",
        )
    if name == "representative_remove":
        representative = request.getfixturevalue("representative")
        return Case(
            reverse("directory:representative_remove", args=[representative.pk]),
            {},
            "alice",
            "tom",
            ("bob", "olga"),
            "directory.representative_remove",
        )
    if name == "agreement_create":
        return Case(
            reverse("directory:agreement_create", args=[cast.partnership_a.pk]),
            {"title": "Porozumienie nowe", "parties": [str(cast.ops_a.pk), str(cast.court.pk)], "scope": "Zakres"},
            "alice",
            "tom",
            ("bob", "olga"),
            "directory.agreement_create",
            files={"upload": lambda: SimpleUploadedFile("skan.pdf", PDF_BYTES, "application/pdf")},
        )
    if name == "agreement_edit":
        agreement = request.getfixturevalue("agreement")
        return Case(
            reverse("directory:agreement_edit", args=[agreement.pk]),
            {"title": "Porozumienie 2026 (aneks)", "parties": [str(cast.ops_a.pk)], "scope": "Zakres"},
            "alice",
            "tom",
            ("bob", "olga"),
            "directory.agreement_update",
        )
    raise AssertionError(name)


CASES = [
    "institution_edit",
    "service_create",
    "service_edit",
    "service_confirm_capacity",
    "location_create",
    "location_edit",
    "partnership_edit",
    "partnership_member_add",
    "partnership_member_leave",
    "representative_add",
    "representative_remove",
    "agreement_create",
    "agreement_edit",
]


def _post(client: Any, case: Case) -> Any:
    data = dict(case.data)
    for name, make in case.files.items():
        data[name] = make()
    return client.post(case.url, data)


@pytest.mark.parametrize("name", CASES)
def test_outsiders_get_404(name: str, cast: Cast, client_for: Any, request: pytest.FixtureRequest) -> None:
    case = _case(name, cast, request)
    for username in case.outsiders:
        client = client_for(getattr(cast, username))
        if not case.post_only:
            assert client.get(case.url).status_code == 404, username
        assert _post(client, case).status_code == 404, username
    assert not AuditEvent.objects.filter(action=case.action).exists()


@pytest.mark.parametrize("name", CASES)
def test_readers_get_403(name: str, cast: Cast, client_for: Any, request: pytest.FixtureRequest) -> None:
    case = _case(name, cast, request)
    client = client_for(getattr(cast, case.reader))
    if not case.post_only:
        assert client.get(case.url).status_code == 403
    assert _post(client, case).status_code == 403
    assert not AuditEvent.objects.filter(action=case.action).exists()


@pytest.mark.parametrize("name", CASES)
def test_anonymous_users_are_sent_to_sign_in(
    name: str, cast: Cast, client: Any, request: pytest.FixtureRequest
) -> None:
    case = _case(name, cast, request)
    response = _post(client, case)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not AuditEvent.objects.filter(action=case.action).exists()


@pytest.mark.parametrize("name", CASES)
def test_editors_succeed_and_are_audited(
    name: str, cast: Cast, client_for: Any, request: pytest.FixtureRequest
) -> None:
    case = _case(name, cast, request)
    client = client_for(getattr(cast, case.editor))
    if not case.post_only:
        page = client.get(case.url)
        assert page.status_code == 200
        assert b'method="post"' in page.content
    response = _post(client, case)
    assert response.status_code == 302, response.content.decode()[-3000:]
    event = AuditEvent.objects.get(action=case.action)
    assert event.actor == getattr(cast, case.editor)
    follow = client.get(response["Location"])
    assert follow.status_code == 200


@pytest.mark.parametrize("name", ["institution_edit", "service_edit", "partnership_edit"])
def test_system_administrator_may_edit(name: str, cast: Cast, client_for: Any, request: pytest.FixtureRequest) -> None:
    case = _case(name, cast, request)
    response = _post(client_for(cast.root), case)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=case.action, actor=cast.root).exists()
