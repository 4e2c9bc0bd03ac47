"""The authorisation matrix: every role of the cast × every page and API endpoint of cases.

alice (coordinator, OPS A, owner) writes; fiona (a family assistant at OPS A: a partner professional there, not a
coordinator) reads the case and gets 403 on writes; tom (pedagogue, school A, in the case team on the person's
consent) sees the case as a partner (his institution's tasks), reports progress on them and gets 403 on everything
else; paula, bob, rosa, root, olga and dora (the DPO of OPS A: she supervises through the access log and the art. 15
report, not by reading cases) have no grant that counts for them: 404 everywhere.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from kooperacja.accounts.models import Role
from kooperacja.cases.models import Case, CaseEvent
from kooperacja.core.testing import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1/cases"

OWNER_WRITER = "alice"
OWNER_READER = "fiona"
PARTNER = "tom"
OUTSIDERS = ("paula", "bob", "rosa", "root", "olga", "dora")
ROLES = (OWNER_WRITER, OWNER_READER, PARTNER, *OUTSIDERS)


def _pages(world) -> dict[str, tuple[str, dict[str, int]]]:
    """Page → (url, expected status per role; outsiders: 404)."""
    case, task = world.case, world.task
    c = case.pk
    write = {OWNER_WRITER: 200, OWNER_READER: 403, PARTNER: 403}
    read = {OWNER_WRITER: 200, OWNER_READER: 200, PARTNER: 403}
    partner = {OWNER_WRITER: 200, OWNER_READER: 200, PARTNER: 200}
    return {
        "detail": (reverse("cases:detail", args=[c]), partner),
        "task": (reverse("cases:task", args=[task.pk]), partner),
        "team": (reverse("cases:team", args=[c]), read),
        "qualify": (reverse("cases:qualify", args=[c]), write),
        "assessment": (reverse("cases:assessment", args=[c]), write),
        "plan": (reverse("cases:plan", args=[c]), write),
        "review": (reverse("cases:review_add", args=[c]), write),
        "note": (reverse("cases:note_add", args=[c]), write),
        "close": (reverse("cases:close", args=[c]), write),
    }


def _posts(world) -> dict[str, tuple[str, dict[str, str], dict[str, int]]]:
    """Writes by non-writers: (url, data, expected status per role); outsiders 404."""
    case, task, plan = world.case, world.task, world.plan
    c = case.pk
    cast = world.cast
    refused = {OWNER_READER: 403, PARTNER: 403}
    return {
        "advance": (reverse("cases:advance", args=[c]), {"to_stage": "implementation"}, refused),
        "qualify": (reverse("cases:qualify", args=[c]), {"decision": "refused", "reason": "x"}, refused),
        "team": (
            reverse("cases:team", args=[c]),
            {"institution": str(cast.court.pk), "role": "probation_officer", "categories": ["identity"]},
            refused,
        ),
        "team_remove": (reverse("cases:team_remove", args=[c, case.team_members.get().pk]), {}, refused),
        "assessment": (reverse("cases:assessment", args=[c]), {"domain": "housing", "needs": "x"}, refused),
        "plan": (reverse("cases:plan", args=[c]), {"action": "create"}, refused),
        "new_version": (reverse("cases:plan_new_version", args=[c]), {}, refused),
        "approve": (reverse("cases:plan_approve", args=[plan.pk]), {}, refused),
        "review": (reverse("cases:review_add", args=[c]), {"notes": "x"}, refused),
        "note": (reverse("cases:note_add", args=[c]), {"sensitivity": "ordinary", "text": "x"}, refused),
        "close": (reverse("cases:close", args=[c]), {"success": "no", "early_closure_reason": "x"}, refused),
        "progress": (
            reverse("cases:task", args=[task.pk]),
            {"status": "in_progress", "text": "x"},
            {OWNER_READER: 403, PARTNER: 302},
        ),
    }


def _user(world, name: str):
    if name == OWNER_READER:
        user = f.UserFactory(username=OWNER_READER)
        f.MembershipFactory(user=user, institution=world.cast.ops_a, role=Role.PARTNER_PROFESSIONAL)
        return user
    return getattr(world.cast, name)


@pytest.mark.parametrize("role", ROLES)
def test_pages(world, client_for, role: str) -> None:
    client = client_for(_user(world, role))
    for name, (url, expected) in _pages(world).items():
        status = client.get(url).status_code
        assert status == expected.get(role, 404), (role, name, status)
    # Lists answer everyone, scoped: only the owner's staff see the case in the caseload, only tom the task.
    caseload = client.get(reverse("cases:caseload") + "?scope=institution").content.decode()
    assert (world.case.number in caseload) == (role in (OWNER_WRITER, OWNER_READER)), role
    inbox = client.get(reverse("cases:inbox")).content.decode()
    assert (world.task.title in inbox) == (role == PARTNER), role
    intake = client.get(reverse("cases:open")).status_code
    # Case coordinators open cases at their own OPS (bob at OPS B); nobody else.
    assert intake == (200 if role in (OWNER_WRITER, "bob") else 404), role


@pytest.mark.parametrize("role", [r for r in ROLES if r != OWNER_WRITER])
def test_writes_of_others_are_refused_and_change_nothing(world, client_for, role: str) -> None:
    client = client_for(_user(world, role))
    events = CaseEvent.objects.filter(case=world.case).count()
    for name, (url, data, expected) in _posts(world).items():
        status = client.post(url, data).status_code
        assert status == expected.get(role, 404), (role, name, status)
    case = Case.objects.get(pk=world.case.pk)
    assert case.stage == world.case.stage
    assert case.team_members.filter(left_on__isnull=True).count() == 1
    expected_events = events + (1 if role == PARTNER else 0)  # tom's progress report
    assert CaseEvent.objects.filter(case=world.case).count() == expected_events


def _api_calls(world) -> list[tuple[str, str, str, dict | None, dict[str, int]]]:
    """(name, method, url, body, expected per role); outsiders 404."""
    case, task, plan = world.case, world.task, world.plan
    c = case.pk
    cast = world.cast
    write = {OWNER_WRITER: None, OWNER_READER: 403, PARTNER: 403}
    return [
        ("detail", "get", f"{API}/{c}", None, {OWNER_WRITER: 200, OWNER_READER: 200, PARTNER: 200}),
        ("notes", "get", f"{API}/{c}/notes", None, {OWNER_WRITER: 200, OWNER_READER: 200, PARTNER: 403}),
        ("task", "get", f"{API}/tasks/{task.pk}", None, {OWNER_WRITER: 200, OWNER_READER: 200, PARTNER: 200}),
        ("transition", "post", f"{API}/{c}/transition", {"to_stage": "implementation"}, write),
        (
            "team",
            "post",
            f"{API}/{c}/team",
            {"institution_id": str(cast.court.pk), "role": "probation_officer", "categories": ["identity"]},
            write,
        ),
        ("assessment", "post", f"{API}/{c}/assessment", {"domain": "housing", "needs": "x"}, write),
        ("plans", "post", f"{API}/{c}/plans", {}, write),
        ("plan_action", "post", f"{API}/plans/{plan.pk}/actions", {"action": "new_version"}, write),
        ("approve", "post", f"{API}/plans/{plan.pk}/actions", {"action": "approve"}, write),
        ("goal", "post", f"{API}/plans/{plan.pk}/goals", {"title": "x"}, write),
        (
            "task_add",
            "post",
            f"{API}/plans/{plan.pk}/tasks",
            {"goal_id": world.goal.pk, "title": "x", "owner_institution_id": str(cast.ops_a.pk)},
            write,
        ),
        ("note", "post", f"{API}/{c}/notes", {"text": "x"}, write),
        ("review", "post", f"{API}/{c}/reviews", {"notes": "x"}, write),
        ("plan_dates", "patch", f"{API}/plans/{plan.pk}", {"starts_on": "2026-01-01"}, write),
        ("closure", "post", f"{API}/{c}/closure", {"success": False, "early_closure_reason": "x"}, write),
        ("remove", "delete", f"{API}/{c}/team/{case.team_members.get().pk}", None, write),
        (
            "progress",
            "post",
            f"{API}/tasks/{task.pk}/progress",
            {"text": "x", "status": "in_progress"},
            {OWNER_WRITER: None, OWNER_READER: 403, PARTNER: 201},
        ),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_api(world, client_for, role: str) -> None:
    client = client_for(_user(world, role))
    for name, method, url, body, expected in _api_calls(world):
        want = expected.get(role, 404)
        if want is None:  # the writer: covered by the workflow tests
            continue
        if method == "get":
            response = client.get(url)
        elif method == "delete":
            response = client.delete(url)
        elif method == "patch":
            response = client.patch(url, json.dumps(body), content_type="application/json")
        else:
            response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == want, (role, name, response.status_code, response.content[:200])
    listing = client.get(f"{API}/?scope=institution").json()
    assert (listing["count"] == 1) == (role in (OWNER_WRITER, OWNER_READER)), role
    tasks = client.get(f"{API}/tasks").json()
    assert (tasks["count"] == 1) == (role == PARTNER), role


def test_anonymous(client, world) -> None:
    response = client.get(reverse("cases:detail", args=[world.case.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.get(f"{API}/{world.case.pk}").status_code == 401
    assert client.get(f"{API}/").status_code == 401
