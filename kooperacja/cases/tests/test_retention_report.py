"""Cases in privacy's retention and in the person's art. 15 report: a closed case past its owner's retention rule is
anonymised by the scheduled task (`apply_retention`), and the report lists what every case about the person holds."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kooperacja.cases import services
from kooperacja.cases.models import AssessmentEntry, Case, CaseEvent, Goal, Note, Review, Sensitivity, Stage, Task
from kooperacja.people.models import Person
from kooperacja.privacy import reports, retention
from kooperacja.privacy.models import AccessGrant, RecordType, RetentionRule
from kooperacja.privacy.services import ANONYMISED, access_log_verify

pytestmark = pytest.mark.django_db


def _close(world, *, years_ago: int) -> Case:
    cast, case = world.cast, world.case
    services.note_add(actor=cast.alice, case=case, text="Rozmowa z Janem o długach")
    services.review_add(actor=cast.alice, case=case, notes="Przegląd: Jan chodzi na terapię")
    services.assessment_record(actor=cast.alice, case=case, domain="housing", needs="Zadłużenie czynszu")
    services.task_progress_report(actor=cast.tom, task=world.task, text="Uczeń był na zajęciach", status="done")
    services.case_close(
        actor=cast.alice,
        case=case,
        outcomes={world.goal.pk: "achieved"},
        success=True,
        early_closure_reason="Przeprowadzka do Gdańska",
    )
    closed_on = timezone.localdate() - datetime.timedelta(days=365 * years_ago + 5)
    Case.objects.filter(pk=case.pk).update(closed_on=closed_on)
    return Case.objects.get(pk=case.pk)


def test_the_case_handler_is_registered_for_the_scheduled_task():
    assert retention.handlers()[RecordType.CASE] is services.cases_anonymise_past_retention


def test_apply_retention_anonymises_a_closed_case_past_the_rule_and_its_person(world):
    case = _close(world, years_ago=11)
    person = case.person
    RetentionRule.objects.create(institution=world.cast.ops_a, record_type=RecordType.CASE, period_years=10)
    assert AccessGrant.objects.filter(source_type="case_owner", source_id=case.ref, ended_at__isnull=True).exists()

    call_command("apply_retention")

    case.refresh_from_db()
    assert case.anonymised_at is not None and case.stage == Stage.CLOSED and case.success is True  # indicators kept
    assert case.early_closure_reason == ANONYMISED
    assert set(Note.objects.filter(case=case).values_list("text", flat=True)) == {ANONYMISED}
    assert set(Review.objects.filter(case=case).values_list("notes", flat=True)) == {ANONYMISED}
    assert set(AssessmentEntry.objects.filter(case=case).values_list("needs", flat=True)) == {ANONYMISED}
    assert set(Task.objects.filter(plan__case=case).values_list("title", flat=True)) == {ANONYMISED}
    assert set(Goal.objects.filter(plan__case=case).values_list("outcome", flat=True)) == {"achieved"}
    assert not AccessGrant.objects.filter(person=person, ended_at__isnull=True).exclude(source_type="record").exists()
    assert Person.objects.get(pk=person.pk).anonymised_at is not None  # nothing else needed her
    assert CaseEvent.objects.filter(case=case, kind="case_anonymise").exists()
    assert access_log_verify() == []
    # A second run finds nothing more to do.
    assert (
        services.cases_anonymise_past_retention(institution=world.cast.ops_a, cutoff=timezone.localdate(), actor=None)
        == 0
    )


def test_a_case_within_its_retention_and_an_open_case_are_kept(world, client_for):
    from kooperacja.cases.tests.conftest import open_case

    recent = _close(world, years_ago=3)
    still_open = open_case(world.cast)
    RetentionRule.objects.create(institution=world.cast.ops_a, record_type=RecordType.CASE, period_years=10)
    call_command("apply_retention")
    assert Case.objects.get(pk=recent.pk).anonymised_at is None
    assert Case.objects.get(pk=still_open.pk).anonymised_at is None
    assert client_for(world.cast.alice).get(reverse("cases:detail", args=[recent.pk])).status_code == 200


def test_the_person_stays_when_another_case_still_needs_her(world):
    from kooperacja.cases.tests.conftest import open_case

    case = _close(world, years_ago=11)
    open_case(world.cast, person=case.person)  # a new case about the same person
    RetentionRule.objects.create(institution=world.cast.ops_a, record_type=RecordType.CASE, period_years=10)
    call_command("apply_retention")
    assert Case.objects.get(pk=case.pk).anonymised_at is not None
    assert Person.objects.get(pk=case.person_id).anonymised_at is None


def test_the_art_15_report_lists_the_cases_of_the_person(world, client_for):
    cast = world.cast
    services.note_add(actor=cast.alice, case=world.case, text="Zwykła notatka o spotkaniu")
    services.note_add(
        actor=cast.alice, case=world.case, text="Wrażliwa notatka o zdrowiu", sensitivity=Sensitivity.SENSITIVE
    )
    services.assessment_record(actor=cast.alice, case=world.case, domain="education", needs="Zaległości w nauce")
    page = client_for(cast.dora).get(reverse("privacy:person_report", args=[world.case.person_id])).content.decode()
    assert f"Sprawa {world.case.number}" in page
    assert cast.school_a.name in page and "Zaległości w nauce" in page
    assert world.goal.title in page and world.task.title in page
    assert "Zwykła notatka o spotkaniu" in page and "Wrażliwa notatka o zdrowiu" not in page
    report = reports.person_report(actor=cast.dora, person=world.case.person, institution=cast.ops_a)
    case_sections = [s for s in report.sections if world.case.number in s.title]
    assert len(case_sections) == 1 and case_sections[0].paragraphs  # the withheld sensitive note is counted
    assert reports.report_pdf(report).startswith(b"%PDF-")


def test_the_report_costs_the_same_queries_with_more_cases(world, client_for, django_assert_max_num_queries):
    from kooperacja.cases.tests.conftest import open_case

    client = client_for(world.cast.dora)
    url = reverse("privacy:person_report", args=[world.case.person_id])
    client.get(url)
    with django_assert_max_num_queries(60) as one:
        client.get(url)
    for _ in range(3):
        other = open_case(world.cast, person=world.case.person)
        services.case_qualify(actor=world.cast.alice, case=other, decision="accepted")
        services.assessment_record(actor=world.cast.alice, case=other, domain="work", needs="Praca")
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)
