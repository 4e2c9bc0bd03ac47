"""The DPO's registers: only the DPO, scoped to her institution; create, change, remove, with validation."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kooperacja.accounts.models import Role
from kooperacja.core.testing import factories as f
from kooperacja.privacy import services
from kooperacja.privacy.models import Breach, ProcessingActivity, RetentionRule, SubjectRequest, add_months

pytestmark = pytest.mark.django_db


def _today() -> datetime.date:
    """The local date when the test runs (not when the module was imported: a suite can cross midnight)."""
    return timezone.localdate()


LIST_NAMES = ["dpo_home", "access_log", "activity_list", "breach_list", "request_list", "retention_list"]
CREATE_NAMES = ["activity_create", "breach_create", "request_create", "retention_create"]


def test_dpo_pages_only_for_the_dpo(cast, client_for):
    for name in ("alice", "tom", "paula", "bob", "rosa", "olga", "root"):
        client = client_for(getattr(cast, name))
        for url_name in LIST_NAMES + CREATE_NAMES:
            assert client.get(reverse(f"privacy:{url_name}")).status_code == 404, (name, url_name)
        assert client.post(reverse("privacy:retention_create"), {}).status_code == 404
    client = client_for(cast.dora)
    for url_name in LIST_NAMES + CREATE_NAMES:
        assert client.get(reverse(f"privacy:{url_name}")).status_code == 200, url_name


def test_another_institutions_dpo_does_not_see_the_entries(cast, client_for):
    activity = services.processing_activity_create(
        actor=cast.dora,
        institution=cast.ops_a,
        values={
            "name": "Pomoc społeczna",
            "purposes": "Przyznawanie świadczeń",
            "data_subject_categories": "Osoby i rodziny",
            "data_categories": ["identity", "finances"],
            "retention": "10 lat",
            "security_measures": "Szyfrowanie",
        },
    )
    other = f.UserFactory(username="dpo-b")
    f.MembershipFactory(user=other, institution=cast.ops_b, role=Role.DATA_PROTECTION_OFFICER)
    client = client_for(other)
    assert "Pomoc społeczna" not in client.get(reverse("privacy:activity_list")).content.decode()
    assert client.get(reverse("privacy:activity_edit", args=[activity.pk])).status_code == 404
    assert client.post(reverse("privacy:activity_delete", args=[activity.pk])).status_code == 404
    assert ProcessingActivity.objects.filter(pk=activity.pk).exists()


def test_processing_activity_crud(cast, client_for):
    client = client_for(cast.dora)
    data = {
        "institution": cast.ops_a.pk,
        "name": "Praca socjalna i IPUS",
        "purposes": "Realizacja zadań ośrodka",
        "data_subject_categories": "Osoby i rodziny korzystające z pomocy",
        "data_categories": ["identity", "health", "family"],
        "retention": "10 lat od zamknięcia sprawy",
        "security_measures": "Szyfrowanie PESEL, dziennik dostępu",
    }
    response = client.post(reverse("privacy:activity_create"), {**data, "security_measures": ""})
    assert response.status_code == 400 and not ProcessingActivity.objects.exists()
    response = client.post(reverse("privacy:activity_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = ProcessingActivity.objects.get()
    assert activity.institution == cast.ops_a
    assert set(activity.data_categories) == {"identity", "health", "family"}
    page = client.get(reverse("privacy:activity_list")).content.decode()
    assert "Praca socjalna i IPUS" in page
    response = client.post(
        reverse("privacy:activity_edit", args=[activity.pk]), {**data, "name": "Praca socjalna", "transfers": ""}
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.name == "Praca socjalna"
    # Duplicate names in one institution are refused.
    response = client.post(reverse("privacy:activity_create"), {**data, "name": "Praca socjalna"})
    assert response.status_code == 400 and ProcessingActivity.objects.count() == 1
    assert client.post(reverse("privacy:activity_delete", args=[activity.pk])).status_code == 302
    assert not ProcessingActivity.objects.exists()


def test_breach_register_with_the_72_hour_deadline(cast, client_for):
    client = client_for(cast.dora)
    discovered = timezone.localtime() - datetime.timedelta(hours=60)
    data = {
        "institution": cast.ops_a.pk,
        "discovered_at": discovered.strftime("%Y-%m-%dT%H:%M"),
        "description": "Zgubiony pendrive z wykazem",
        "data_categories": ["identity", "finances"],
        "approx_persons": "40",
        "consequences": "Ryzyko kradzieży tożsamości",
        "measures": "Zmiana haseł, szyfrowanie nośników",
    }
    bad = client.post(reverse("privacy:breach_create"), {**data, "approx_persons": "-3"})
    assert bad.status_code == 400
    future = client.post(
        reverse("privacy:breach_create"),
        {**data, "discovered_at": (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")},
    )
    assert future.status_code == 400
    assert client.post(reverse("privacy:breach_create"), data).status_code == 302
    breach = Breach.objects.get()
    assert breach.deadline_state == "near"  # 60 of 72 hours gone
    page = client.get(reverse("privacy:breach_list")).content.decode()
    assert "Zgubiony pendrive" in page and "not_accepting" not in page and "waitlist" in page
    Breach.objects.filter(pk=breach.pk).update(discovered_at=timezone.now() - datetime.timedelta(hours=80))
    assert Breach.objects.get().deadline_state == "passed"
    both = client.post(
        reverse("privacy:breach_edit", args=[breach.pk]),
        {**data, "reported_to_uodo_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "not_reported_reason": "x"},
    )
    assert both.status_code == 400
    reported = client.post(
        reverse("privacy:breach_edit", args=[breach.pk]),
        {**data, "reported_to_uodo_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    assert reported.status_code == 302
    assert Breach.objects.get().deadline_state == "done"


def test_subject_requests_with_deadlines(cast, recorded, client_for):
    client = client_for(cast.dora)
    received = _today() - datetime.timedelta(days=27)
    data = {
        "institution": cast.ops_a.pk,
        "kind": "access",
        "received_on": received.isoformat(),
        "requester": "Anna Ż.",
        "status": "received",
    }
    assert client.post(reverse("privacy:request_create"), {**data, "extended": "on"}).status_code == 400
    assert client.post(reverse("privacy:request_create"), {**data, "person_ref": "not-a-uuid"}).status_code == 400
    unknown = client.post(
        reverse("privacy:request_create"), {**data, "person_ref": "00000000-0000-0000-0000-000000000001"}
    )
    assert unknown.status_code == 400
    assert not SubjectRequest.objects.exists()
    assert (
        client.post(reverse("privacy:request_create"), {**data, "person_ref": str(recorded.person.pk)}).status_code
        == 302
    )
    request = SubjectRequest.objects.get()
    assert request.deadline == add_months(received, 1)
    assert request.deadline_state in ("near", "passed")
    page = client.get(reverse("privacy:request_list")).content.decode()
    assert reverse("privacy:person_report", args=[recorded.person.pk]) in page
    extended = client.post(
        reverse("privacy:request_edit", args=[request.pk]),
        {**data, "extended": "on", "extension_reason": "Złożoność żądania", "person_ref": str(recorded.person.pk)},
    )
    assert extended.status_code == 302
    request.refresh_from_db()
    assert request.deadline == add_months(received, 3) and request.deadline_state == "open"
    answered = client.post(reverse("privacy:request_edit", args=[request.pk]), {**data, "status": "answered"})
    assert answered.status_code == 400  # an answer needs its date and summary
    answered = client.post(
        reverse("privacy:request_edit", args=[request.pk]),
        {**data, "status": "answered", "answered_on": _today().isoformat(), "answer": "Przekazano informację"},
    )
    assert answered.status_code == 302
    assert SubjectRequest.objects.get().deadline_state == "done"


def test_add_months_keeps_the_end_of_month():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 11, 15), 3) == datetime.date(2027, 2, 15)


def test_retention_rules_crud(cast, client_for):
    client = client_for(cast.dora)
    data = {"institution": cast.ops_a.pk, "record_type": "person", "period_years": "10", "basis": "JRWA"}
    assert client.post(reverse("privacy:retention_create"), {**data, "period_years": "0"}).status_code == 400
    assert client.post(reverse("privacy:retention_create"), data).status_code == 302
    assert client.post(reverse("privacy:retention_create"), data).status_code == 400  # one rule per type
    rule = RetentionRule.objects.get()
    assert (
        client.post(reverse("privacy:retention_edit", args=[rule.pk]), {**data, "period_years": "5"}).status_code == 302
    )
    rule.refresh_from_db()
    assert rule.period_years == 5
    assert client.post(reverse("privacy:retention_delete", args=[rule.pk])).status_code == 302
    assert not RetentionRule.objects.exists()


def test_the_access_log_browser(cast, recorded, client_for, django_assert_max_num_queries):
    for n in range(3):
        services.access_log_record(
            actor=cast.alice,
            person=recorded.person,
            categories=["identity"],
            purpose="case_work",
            channel="page",
            resource=f"people:person_detail:{n}",
            institution=cast.ops_a,
        )
    services.access_log_record(
        actor=cast.bob,
        person=recorded.person,
        categories=["identity"],
        purpose="case_work",
        channel="page",
        resource="elsewhere",
        institution=cast.ops_b,
    )
    client = client_for(cast.dora)
    url = reverse("privacy:access_log")
    page = client.get(url).content.decode()
    assert "people:person_detail:0" in page and "elsewhere" not in page  # only OPS A's staff
    assert str(recorded.person.pk) in page and recorded.person.last_name not in page
    assert "people:person_detail" not in client.get(url, {"username": "bob"}).content.decode()
    assert "people:person_detail" in client.get(url, {"person": str(recorded.person.pk)}).content.decode()
    assert client.get(url, {"person": "nonsense"}).status_code == 200
    tomorrow = (_today() + datetime.timedelta(days=1)).isoformat()
    assert "people:person_detail" not in client.get(url, {"date_from": tomorrow}).content.decode()
    assert "people:person_detail" in client.get(url, {"date_to": _today().isoformat()}).content.decode()
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(60):
        services.access_log_record(
            actor=cast.alice,
            person=recorded.person,
            categories=["identity"],
            purpose="case_work",
            channel="page",
            resource=f"more:{n}",
            institution=cast.ops_a,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url, {"page": "2"}).content.decode()
    assert 'aria-current="page"' in page


def test_the_nav_links_the_dpo_pages_for_the_dpo_only(cast, client_for):
    link = f'href="{reverse("privacy:dpo_home")}"'
    assert link in client_for(cast.dora).get(reverse("accounts:profile")).content.decode()
    assert link not in client_for(cast.alice).get(reverse("accounts:profile")).content.decode()
