"""What the cases context promises: consent decides what a partner sees, the team refuses a member without a basis,
Niebieska Karta cases stay inside the named team, IPUS deadlines and approval, closure, the access log, query
counts, the timeline, and the figures for monitoring."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kooperacja.accounts.models import Role
from kooperacja.cases import policies, selectors, services
from kooperacja.cases.models import Case, CaseEvent, GoalOutcome, PlanStatus, Sensitivity, Stage, TeamRole
from kooperacja.cases.tests import factories
from kooperacja.cases.tests.conftest import open_case
from kooperacja.core.testing import factories as f
from kooperacja.privacy import services as privacy_services
from kooperacja.privacy.models import AccessGrant, AccessLogEntry

pytestmark = pytest.mark.django_db


def test_consent_withdrawn_tom_no_longer_sees_case_person_or_task(world, client_for) -> None:
    cast = world.cast
    tom = client_for(cast.tom)
    detail = reverse("cases:detail", args=[world.case.pk])
    page = tom.get(detail)
    assert page.status_code == 200
    assert world.case.person.last_name in page.content.decode()  # identity was shared
    assert world.task.title in tom.get(reverse("cases:inbox")).content.decode()

    privacy_services.consent_withdraw(actor=cast.alice, consent=world.consent)

    assert tom.get(detail).status_code == 404
    assert tom.get(reverse("cases:task", args=[world.task.pk])).status_code == 404
    assert tom.get(f"/api/v1/cases/{world.case.pk}").status_code == 404
    assert world.task.title not in tom.get(reverse("cases:inbox")).content.decode()
    # The coordinator still sees the case, and its timeline says what happened (without personal data).
    assert client_for(cast.alice).get(detail).status_code == 200
    event = CaseEvent.objects.get(case=world.case, kind="consent_ended")
    assert world.case.person.last_name not in event.summary


def test_a_member_without_basis_is_refused_and_nothing_changes(world, client_for) -> None:
    cast = world.cast
    grants = AccessGrant.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.team_member_add(
            actor=cast.alice,
            case=world.case,
            institution=cast.court,
            user=cast.paula,
            role=TeamRole.PROBATION_OFFICER,
            categories=["identity", "justice"],
        )
    assert "categories" in refused.value.error_dict
    assert AccessGrant.objects.count() == grants
    assert world.case.team_members.count() == 1
    # The page shows per category why it is not allowed, and refuses the form with the message.
    client = client_for(cast.alice)
    url = reverse("cases:team", args=[world.case.pk])
    table = client.get(url + f"?institution={cast.court.pk}").content.decode()
    assert "not allowed" in table or "niedozwolone" in table
    response = client.post(
        url, {"institution": str(cast.court.pk), "role": "probation_officer", "categories": ["identity"]}
    )
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    # Also beyond what the consent covers: the school may not receive health data.
    with pytest.raises(ValidationError):
        services.team_member_add(
            actor=cast.alice, case=world.case, institution=cast.court, role="other", categories=["health"]
        )


def test_team_member_on_consent_gets_one_grant_per_basis_and_loses_it_on_removal(world, client_for) -> None:
    cast = world.cast
    factories.consent(
        person=world.case.person, recorded_by=cast.ops_a, recipients=[cast.court], categories=["identity", "justice"]
    )
    member = services.team_member_add(
        actor=cast.alice,
        case=world.case,
        institution=cast.court,
        user=cast.paula,
        role=TeamRole.PROBATION_OFFICER,
        categories=["identity", "justice"],
    )
    grants = AccessGrant.objects.filter(source_type="case_team", source_id=str(member.pk), ended_at__isnull=True)
    assert grants.count() == 1 and sorted(grants.get().categories) == ["identity", "justice"]
    assert {s.consent_id is not None for s in member.shares.all()} == {True}
    paula = client_for(cast.paula)
    assert paula.get(reverse("cases:detail", args=[world.case.pk])).status_code == 200
    services.team_member_remove(actor=cast.alice, case=world.case, member=member)
    assert not grants.exists()
    assert paula.get(reverse("cases:detail", args=[world.case.pk])).status_code == 404


def test_task_for_an_institution_outside_the_team(world, cast) -> None:
    plan = services.plan_new_version(actor=cast.alice, case=world.case)
    goal = plan.goals.get()
    with pytest.raises(ValidationError) as refused:
        services.task_add(
            actor=cast.alice, plan=plan, goal=goal, title="Nadzór kuratorski", owner_institution=cast.court
        )
    assert "owner_institution" in refused.value.error_dict
    factories.consent(
        person=world.case.person, recorded_by=cast.ops_a, recipients=[cast.court], categories=["identity"]
    )
    task = services.task_add(
        actor=cast.alice, plan=plan, goal=goal, title="Nadzór kuratorski", owner_institution=cast.court
    )
    grant = AccessGrant.objects.get(source_type="plan_task", source_id=str(task.pk))
    assert grant.categories == ["identity"] and grant.consent_id is not None
    assert policies.visible_cases(cast.paula).filter(pk=world.case.pk).exists()
    assert list(selectors.inbox(cast.paula)) == [task]


def test_niebieska_karta_case_is_visible_only_to_the_named_team(cast, bases, client_for) -> None:
    case = open_case(cast, niebieska_karta=True)
    assert not AccessGrant.objects.filter(source_type="case_owner").exists()
    detail = reverse("cases:detail", args=[case.pk])
    assert client_for(cast.alice).get(detail).status_code == 200
    # Dora works at the owner institution but is not on the interdisciplinary team.
    assert client_for(cast.dora).get(detail).status_code == 404
    with pytest.raises(ValidationError):  # a named user is required
        services.team_member_add(
            actor=cast.alice, case=case, institution=cast.court, role="other", categories=["identity"]
        )
    services.team_member_add(
        actor=cast.alice,
        case=case,
        institution=cast.court,
        user=cast.paula,
        role="probation_officer",
        categories=["identity", "violence"],
    )
    grant = AccessGrant.objects.get(source_type="blue_card", institution=cast.court)
    assert grant.user_id == cast.paula.pk and grant.legal_basis.code == "upprzd-art-9c"
    assert client_for(cast.paula).get(detail).status_code == 200
    # Another probation officer of the same court is not named: 404.
    other = f.UserFactory(username="kurator2")
    f.MembershipFactory(user=other, institution=cast.court, role=Role.PARTNER_PROFESSIONAL)
    assert client_for(other).get(detail).status_code == 404
    note = services.note_add(actor=cast.alice, case=case, text="Notatka NK", sensitivity=Sensitivity.NIEBIESKA_KARTA)
    assert note.pk
    ordinary = open_case(cast)
    with pytest.raises(ValidationError):
        services.note_add(actor=cast.alice, case=ordinary, text="x", sensitivity=Sensitivity.NIEBIESKA_KARTA)


def test_sensitive_notes_only_for_writers(world, client_for) -> None:
    cast = world.cast
    services.note_add(actor=cast.alice, case=world.case, text="Zwykła notatka")
    services.note_add(actor=cast.alice, case=world.case, text="Wrażliwa notatka", sensitivity=Sensitivity.SENSITIVE)
    alice = client_for(cast.alice).get(reverse("cases:detail", args=[world.case.pk])).content.decode()
    assert "Wrażliwa notatka" in alice and "Zwykła notatka" in alice
    assistant = f.UserFactory(username="fiona")  # a family assistant at OPS A: reads the case, does not write
    f.MembershipFactory(user=assistant, institution=cast.ops_a, role=Role.PARTNER_PROFESSIONAL)
    reader = client_for(assistant).get(reverse("cases:detail", args=[world.case.pk])).content.decode()
    assert "Wrażliwa notatka" not in reader and "Zwykła notatka" in reader
    tom = client_for(cast.tom).get(reverse("cases:detail", args=[world.case.pk])).content.decode()
    assert "Zwykła notatka" not in tom


def test_ipus_deadline_and_approval(cast, bases, cus_rules, client_for) -> None:
    application = timezone.localdate() - datetime.timedelta(days=25)
    case = open_case(cast, application_date=application)
    assert case.variant == "cus" and case.plan_label == "ipus"
    assert case.plan_due_on == application + datetime.timedelta(days=30)
    page = client_for(cast.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "za 5 dni" in page  # "termin sporządzenia planu: za 5 dni"
    late = open_case(cast, application_date=timezone.localdate() - datetime.timedelta(days=33))
    page = client_for(cast.alice).get(reverse("cases:detail", args=[late.pk])).content.decode()
    assert "przekroczony o 3 dni" in page
    services.case_qualify(actor=cast.alice, case=case, decision="accepted")
    start = timezone.localdate()
    with pytest.raises(ValidationError):  # at most 12 months
        services.plan_create(actor=cast.alice, case=case, starts_on=start, ends_on=start + datetime.timedelta(days=400))
    plan = services.plan_create(
        actor=cast.alice, case=case, starts_on=start, ends_on=start + datetime.timedelta(days=300)
    )
    goal = services.goal_add(actor=cast.alice, plan=plan, title="Cel")
    services.task_add(actor=cast.alice, plan=plan, goal=goal, title="Zadanie", owner_institution=cast.ops_a)
    plan = services.plan_submit(actor=cast.alice, plan=plan)
    assert plan.status == PlanStatus.AWAITING_APPROVAL
    with pytest.raises(PermissionDenied):  # the coordinator may not approve an IPUS
        services.plan_approve(actor=cast.alice, plan=plan)
    director = f.UserFactory(username="dyrektor")
    f.MembershipFactory(user=director, institution=cast.ops_a, role=Role.INSTITUTION_MANAGER)
    response = client_for(director).post(reverse("cases:plan_approve", args=[plan.pk]))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_by == director


def test_versions_are_kept_and_the_old_one_superseded(world) -> None:
    cast = world.cast
    v2 = services.plan_new_version(actor=cast.alice, case=world.case)
    assert v2.version == 2 and v2.tasks.count() == 1
    services.plan_submit(actor=cast.alice, plan=v2)
    world.plan.refresh_from_db()
    assert world.plan.status == PlanStatus.SUPERSEDED
    assert list(world.case.plans.order_by("version").values_list("status", flat=True)) == ["superseded", "approved"]


def test_closure_with_outcomes_and_success(world, client_for) -> None:
    cast = world.cast
    case = world.case
    services.case_advance(actor=cast.alice, case=case, to_stage=Stage.IMPLEMENTATION)
    services.case_advance(actor=cast.alice, case=case, to_stage=Stage.SUMMARY)
    with pytest.raises(ValidationError):  # every goal needs an outcome
        services.case_close(
            actor=cast.alice, case=case, outcomes={}, success=True, summary_conversation_on=timezone.localdate()
        )
    response = client_for(cast.alice).post(
        reverse("cases:close", args=[case.pk]),
        {
            "success": "yes",
            "summary_conversation_on": timezone.localdate().isoformat(),
            "summary_notes": "Cele osiągnięte.",
            f"goal_{world.goal.pk}": GoalOutcome.ACHIEVED,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    world.goal.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.success is True and world.goal.outcome == "achieved"
    # The partners' grants end with the case; the owner's stays (retention).
    assert not AccessGrant.objects.filter(source_type="case_team", ended_at__isnull=True).exists()
    assert AccessGrant.objects.filter(source_type="case_owner", ended_at__isnull=True).exists()
    assert client_for(cast.tom).get(reverse("cases:detail", args=[case.pk])).status_code == 404


def test_early_closure_needs_a_reason(world) -> None:
    with pytest.raises(ValidationError) as refused:
        services.case_close(actor=world.cast.alice, case=world.case, outcomes={world.goal.pk: "partly"}, success=False)
    assert "early_closure_reason" in refused.value.error_dict
    case = services.case_close(
        actor=world.cast.alice,
        case=world.case,
        outcomes={world.goal.pk: "partly"},
        success=False,
        early_closure_reason="Wyprowadzka z gminy",
    )
    assert case.stage == Stage.CLOSED and case.early_closure_reason


def test_reads_are_written_to_the_access_log(world, client_for) -> None:
    cast = world.cast
    before = AccessLogEntry.objects.count()
    client_for(cast.alice).get(reverse("cases:detail", args=[world.case.pk]))
    entry = AccessLogEntry.objects.order_by("-id").first()
    assert AccessLogEntry.objects.count() == before + 1
    assert entry.person_id == world.case.person_id and entry.purpose == "case_work" and entry.channel == "page"
    assert "identity" in entry.categories and str(world.case.pk) in entry.resource
    client_for(cast.tom).get(f"/api/v1/cases/{world.case.pk}")
    entry = AccessLogEntry.objects.order_by("-id").first()
    assert entry.actor == cast.tom and entry.purpose == "plan_task" and entry.channel == "api"
    assert set(entry.categories) <= {"identity", "education"}
    assert entry.institution_id == cast.school_a.pk
    client_for(cast.tom).get(reverse("cases:task", args=[world.task.pk]))
    assert AccessLogEntry.objects.order_by("-id").first().resource == f"cases:task {world.task.pk}"
    assert privacy_services.access_log_verify() == []


def _more_cases(world, n: int) -> None:
    cast = world.cast
    for index in range(n):
        case = open_case(cast)
        services.case_qualify(actor=cast.alice, case=case, decision="accepted")
        factories.consent(
            person=case.person, recorded_by=cast.ops_a, recipients=[cast.school_a], categories=["identity"]
        )
        services.team_member_add(
            actor=cast.alice, case=case, institution=cast.school_a, role="pedagogue", categories=["identity"]
        )
        plan = services.plan_create(actor=cast.alice, case=case)
        goal = services.goal_add(actor=cast.alice, plan=plan, title=f"Cel {index}")
        services.task_add(
            actor=cast.alice,
            plan=plan,
            goal=goal,
            title=f"Zadanie {index}",
            owner_institution=cast.school_a,
            due_on=timezone.localdate() - datetime.timedelta(days=index),
        )
        services.task_add(
            actor=cast.alice, plan=plan, goal=goal, title=f"Zadanie OPS {index}", owner_institution=cast.ops_a
        )
        services.plan_submit(actor=cast.alice, plan=plan)
        services.note_add(actor=cast.alice, case=case, text="Notatka")
        services.assessment_record(actor=cast.alice, case=case, domain="education", needs="Wsparcie")


@pytest.mark.parametrize("extra", [0, 4])
def test_constant_queries(world, client_for, django_assert_max_num_queries, extra: int) -> None:
    _more_cases(world, extra)
    alice = client_for(world.cast.alice)
    with django_assert_max_num_queries(22):
        assert alice.get(reverse("cases:caseload")).status_code == 200
    with django_assert_max_num_queries(34):
        assert alice.get(reverse("cases:detail", args=[world.case.pk])).status_code == 200
    tom = client_for(world.cast.tom)
    with django_assert_max_num_queries(14):
        assert tom.get(reverse("cases:inbox")).status_code == 200
    # The page logs the person's read; on PostgreSQL that append also takes the chain's advisory lock.
    with django_assert_max_num_queries(22 + (1 if connection.vendor == "postgresql" else 0)):
        assert tom.get(reverse("cases:detail", args=[world.case.pk])).status_code == 200
    with django_assert_max_num_queries(24):
        assert tom.get(reverse("cases:task", args=[world.task.pk])).status_code == 200
    with django_assert_max_num_queries(30):
        assert client_for(world.cast.alice).get(reverse("cases:team", args=[world.case.pk])).status_code == 200


def test_timeline_and_audit_in_every_write(world) -> None:
    from kooperacja.core.models import AuditEvent

    kinds = list(CaseEvent.objects.filter(case=world.case).order_by("at", "pk").values_list("kind", flat=True))
    assert kinds[:3] == ["case_open", "case_qualify", "team_member_add"]
    assert {"plan_create", "goal_add", "task_add", "plan_approve"} <= set(kinds)
    audited = set(AuditEvent.objects.filter(action__startswith="cases.").values_list("action", flat=True))
    assert {f"cases.{kind}" for kind in kinds} <= audited


def test_case_figures_by_gmina(world, cast) -> None:
    other = open_case(cast)
    services.case_qualify(actor=cast.alice, case=other, decision="refused", reason="Brak przesłanek")
    closed = open_case(cast)
    services.case_close(
        actor=cast.alice, case=closed, outcomes={}, success=True, early_closure_reason="Cel osiągnięty wcześniej"
    )
    opened = timezone.now() - datetime.timedelta(days=100)
    Case.objects.filter(pk=closed.pk).update(opened_at=opened, opened_on=timezone.localtime(opened).date())
    closed.refresh_from_db()
    assert (closed.subject_kind, closed.outcome) == ("person", "successful")
    today = timezone.localdate()
    figures = selectors.case_figures_by_gmina(
        gmina_ids=[cast.gmina_a.pk, cast.gmina_b.pk],
        period_start=today - datetime.timedelta(days=365),
        period_end=today,
    )
    a = figures[cast.gmina_a.pk]
    assert a["cases_active"] == 2 and a["persons_supported"] == 2 and a["households_supported"] == 0
    # Days between the local dates (100 × 24 h ago can be 99 calendar days in Warsaw across a DST change at night).
    expected_days = (closed.closed_on - timezone.localtime(opened).date()).days
    assert expected_days in (99, 100, 101)
    assert a["closed"] == 1 and a["closed_successfully"] == 1 and a["median_duration_days"] == expected_days
    assert figures[cast.gmina_b.pk]["cases_active"] == 0 and figures[cast.gmina_b.pk]["median_duration_days"] is None


def test_api_workflow(cast, bases, client_for) -> None:
    person = factories.person(recorded_by=cast.ops_a, gmina=cast.gmina_a)
    client = client_for(cast.alice)
    post = lambda url, body: client.post(url, json.dumps(body), content_type="application/json")  # noqa: E731
    created = post(
        "/api/v1/cases/",
        {
            "owner_institution_id": str(cast.ops_a.pk),
            "person_id": str(person.pk),
            "intake_source": "report",
            "channel": "phone",
            "reported_on": timezone.localdate().isoformat(),
            "reporter_name": "Sąsiadka",
        },
    )
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]
    assert post(f"/api/v1/cases/{case_id}/transition", {"decision": "accepted"}).json()["stage"] == "assessment"
    plan = post(f"/api/v1/cases/{case_id}/plans", {}).json()
    goal = post(f"/api/v1/cases/plans/{plan['id']}/goals", {"title": "Cel"}).json()
    task = post(
        f"/api/v1/cases/plans/{plan['id']}/tasks",
        {
            "goal_id": goal["id"],
            "title": "Zadanie",
            "owner_institution_id": str(cast.ops_a.pk),
        },
    )
    assert task.status_code == 201
    assert post(f"/api/v1/cases/plans/{plan['id']}/actions", {"action": "submit"}).json()["status"] == "approved"
    refused = post(
        f"/api/v1/cases/{case_id}/team",
        {
            "institution_id": str(cast.school_a.pk),
            "role": "pedagogue",
            "categories": ["identity"],
        },
    )
    assert refused.status_code == 422 and "categories" in refused.json()["fields"]
    detail = client.get(f"/api/v1/cases/{case_id}").json()
    assert detail["persons"][0]["last_name"] == person.last_name and detail["access"] == "write"
    assert [e["kind"] for e in detail["timeline"]][-1] == "case_open"


def test_api_covers_intake_reviews_plan_dates_and_closure(world, client_for) -> None:
    cast = world.cast
    client = client_for(cast.alice)
    post = lambda url, body: client.post(url, json.dumps(body), content_type="application/json")  # noqa: E731
    case_id = world.case.pk
    review = post(f"/api/v1/cases/{case_id}/reviews", {"notes": "Przegląd: zadania idą zgodnie z planem."})
    assert review.status_code == 201 and review.json()["plan_version"] == 1
    v2 = post(f"/api/v1/cases/plans/{world.plan.pk}/actions", {"action": "new_version"}).json()
    start = timezone.localdate()
    dated = client.patch(
        f"/api/v1/cases/plans/{v2['id']}",
        json.dumps({"starts_on": start.isoformat(), "ends_on": (start + datetime.timedelta(days=200)).isoformat()}),
        content_type="application/json",
    )
    assert dated.status_code == 200 and dated.json()["starts_on"] == start.isoformat()
    detail = client.get(f"/api/v1/cases/{case_id}").json()
    assert [r["notes"] for r in detail["reviews"]] == ["Przegląd: zadania idą zgodnie z planem."]
    assert detail["intake"]["source"] == "application" and detail["intake"]["qualification_decision"] == "accepted"
    assert detail["closure"] is None
    closed = post(
        f"/api/v1/cases/{case_id}/closure",
        {"success": False, "outcomes": {str(world.goal.pk): "partly"}, "early_closure_reason": "Wyprowadzka"},
    )
    assert closed.status_code == 200, closed.content
    detail = client.get(f"/api/v1/cases/{case_id}").json()
    assert detail["closure"]["early_closure_reason"] == "Wyprowadzka" and detail["closure"]["success"] is False
    # A partner sees neither the intake (who reported) nor the reviews.
    partner = client_for(cast.tom)
    services_consent = world.consent  # still valid, but the case is closed: the team's grants ended
    assert services_consent.withdrawn_on is None
    assert partner.get(f"/api/v1/cases/{case_id}").status_code == 404


def test_ipw_says_when_the_typical_duration_is_near_or_passed(cast, bases, client_for) -> None:
    from kooperacja.cases.models import CaseRules

    rules = CaseRules.for_variant("rural_leaders", gmina=cast.gmina_a)
    rules.full_clean()
    rules.save()
    case = open_case(cast)
    assert case.plan_label == "ipw"
    long_ago = timezone.now() - datetime.timedelta(days=31 * 14)
    Case.objects.filter(pk=case.pk).update(opened_at=long_ago, opened_on=timezone.localtime(long_ago).date())
    page = client_for(cast.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "zwykle 10–13 mies." in page
    assert "koniec typowego czasu trwania (13 miesięcy): przekroczony" in page
    detail = client_for(cast.alice).get(f"/api/v1/cases/{case.pk}").json()
    assert detail["typical_end"]["overdue"] is True
    soon = timezone.now() - datetime.timedelta(days=365 + 20)
    Case.objects.filter(pk=case.pk).update(opened_at=soon, opened_on=timezone.localtime(soon).date())
    page = client_for(cast.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "koniec typowego czasu trwania (13 miesięcy): za" in page and "badge waitlist" in page


def test_the_intake_says_who_reported_when_and_how_in_polish(cast, bases, client_for) -> None:
    case = open_case(
        cast,
        intake_source="report",
        channel="phone",
        application_date=None,
        reported_on=timezone.localdate(),
        reporter_name="Sąsiadka",
        reporter_institution=cast.school_a,
    )
    page = client_for(cast.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "zgłoszenie (telefon)" in page and "raport" not in page  # not privacy's "report" channel
    assert "Sąsiadka" in page and cast.school_a.name in page


def test_a_partner_landing_on_the_caseload_is_pointed_to_her_inbox(world, client_for) -> None:
    page = client_for(world.cast.tom).get(reverse("cases:caseload")).content.decode()
    assert "Twoja instytucja nie prowadzi tu spraw" in page and reverse("cases:inbox") in page
    page = client_for(world.cast.alice).get(reverse("cases:caseload")).content.decode()
    assert "Twoja instytucja nie prowadzi tu spraw" not in page
