"""The access log is written on every read of a person's data, page or API, in the three person-level contexts
(people, privacy, cases): one sweep over every read endpoint, each checked for a new entry naming the reader, the
person, the categories, the purpose and the channel; then `verify_access_log` checks the chain, and catches a row
changed behind the application's back."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from kooperacja.people.models import HouseholdMember
from kooperacja.people.tests import factories as pf
from kooperacja.privacy.models import AccessLogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(world):
    household = pf.household(institution=world.cast.ops_a, name="rodzina Testowa", members=[])
    HouseholdMember.objects.create(household=household, person=world.case.person, relation="head")
    return household


def _reads(world, home) -> list[tuple[str, str, str, dict | None]]:
    """(who, method, url, body) of every read endpoint that shows the case's person."""
    person, case, task, consent = world.case.person, world.case, world.task, world.consent
    p = person.pk
    return [
        ("alice", "post", reverse("people:search"), {"q": person.last_name}),
        ("alice", "get", reverse("people:person_detail", args=[p]), None),
        ("alice", "get", reverse("people:person_edit", args=[p]), None),
        ("alice", "get", reverse("people:person_merge", args=[p]), None),
        ("alice", "get", reverse("people:household_list"), None),
        ("alice", "get", reverse("people:household_detail", args=[home.pk]), None),
        ("alice", "get", reverse("people:member_add", args=[home.pk]) + f"?person={p}", None),
        ("alice", "get", reverse("privacy:person_consents", args=[p]), None),
        ("alice", "get", reverse("privacy:consent_create", args=[p]), None),
        ("alice", "get", reverse("privacy:consent_detail", args=[consent.pk]), None),
        ("alice", "get", reverse("privacy:consent_withdraw", args=[consent.pk]), None),
        ("alice", "get", reverse("cases:detail", args=[case.pk]), None),
        ("alice", "get", reverse("cases:team", args=[case.pk]) + f"?institution={world.cast.court.pk}", None),
        ("alice", "get", reverse("cases:task", args=[task.pk]), None),
        ("tom", "get", reverse("people:person_detail", args=[p]), None),
        ("tom", "get", reverse("cases:detail", args=[case.pk]), None),
        ("tom", "get", reverse("cases:task", args=[task.pk]), None),
        ("dora", "get", reverse("privacy:person_report", args=[p]), None),
        ("dora", "get", reverse("privacy:person_report_pdf", args=[p]), None),
        ("alice", "post", "/api/v1/people/persons/search", {"q": person.last_name}),
        ("alice", "get", f"/api/v1/people/persons/{p}", None),
        ("alice", "get", "/api/v1/people/households", None),
        ("alice", "get", f"/api/v1/people/households/{home.pk}", None),
        ("alice", "get", f"/api/v1/privacy/persons/{p}/consents", None),
        ("alice", "get", f"/api/v1/privacy/consents/{consent.pk}", None),
        ("alice", "get", f"/api/v1/cases/{case.pk}", None),
        ("alice", "get", f"/api/v1/cases/{case.pk}/notes", None),
        ("alice", "get", f"/api/v1/cases/tasks/{task.pk}", None),
        ("tom", "get", f"/api/v1/people/persons/{p}", None),
        ("tom", "get", f"/api/v1/cases/{case.pk}", None),
        ("tom", "get", f"/api/v1/cases/tasks/{task.pk}", None),
        ("dora", "get", f"/api/v1/privacy/persons/{p}/report", None),
    ]


def test_every_read_of_the_person_is_logged(world, home, client_for):
    from kooperacja.cases import services

    services.note_add(actor=world.cast.alice, case=world.case, text="Notatka")  # the notes endpoint lists one
    person = world.case.person
    for who, method, url, body in _reads(world, home):
        client = client_for(getattr(world.cast, who))
        before = AccessLogEntry.objects.filter(person=person).count()
        if method == "post":
            response = (
                client.post(url, json.dumps(body), content_type="application/json")
                if "/api/" in url
                else (client.post(url, body))
            )
        else:
            response = client.get(url)
        assert response.status_code == 200, (who, url, response.status_code)
        entries = list(AccessLogEntry.objects.filter(person=person).order_by("id")[before:])
        assert entries, (who, url)
        entry = entries[-1]
        assert entry.actor_username == who and entry.categories, (who, url)
        # The art. 15 report is its own channel (page, PDF or API alike).
        expected_channel = "report" if who == "dora" else "api" if "/api/" in url else "page"
        assert entry.purpose and entry.channel == expected_channel, (who, url, entry.channel)
        assert person.last_name not in entry.resource  # ids only, never personal data
    out = StringIO()
    call_command("verify_access_log", stdout=out)
    assert "OK" in out.getvalue()


def test_verify_access_log_catches_a_tampered_read(world, client_for):
    client_for(world.cast.tom).get(reverse("cases:detail", args=[world.case.pk]))
    entry = AccessLogEntry.objects.filter(actor=world.cast.tom).latest("id")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the trigger refuses it: an owner disabling triggers could still do it
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE privacy_accesslogentry SET actor_username = %s WHERE id = %s", ["alice", entry.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    with pytest.raises(CommandError) as caught:
        call_command("verify_access_log", stdout=StringIO(), stderr=StringIO())
    assert str(entry.pk) in str(caught.value)
