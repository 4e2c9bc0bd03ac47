"""Demo cases for the three pilot gminy of the directory demo: 60 cases per gmina spread over every stage, with the
persons' consents, case teams with the school (user `pedagog`) and the district court (user `kurator`), assessments,
plans with tasks owned by the school and the court (so that `pedagog` and `kurator` find them in their inbox),
progress reports, reviews, notes and closures.

Everything is written through the cases services, so grants, the timeline and the audit are what the application
itself would write. The persons are the gmina's existing ones (the people demo); when there are too few, the loader
adds synthetic persons (Faker pl_PL, fixed seed, fixed ids) recorded by the gmina's OPS. Needs the directory demo
(`kooperacja.demo.directory_demo.demo_load`) and the legal bases of privacy (codes ups-art-100, upprzd-art-9c).
`load()` is idempotent: a second call finds the cases in place and adds nothing. `delete()` removes them.
"""

from __future__ import annotations

import datetime
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from faker import Faker

from kooperacja.accounts.models import Membership, Role, User
from kooperacja.cases import services
from kooperacja.cases.models import (
    Case,
    CaseRules,
    GoalOutcome,
    IntakeChannel,
    IntakeSource,
    LifeDomain,
    ModelVariant,
    Sensitivity,
    Stage,
    TaskStatus,
    TeamRole,
)
from kooperacja.directory.models import Institution
from kooperacja.people.models import Household, HouseholdMember, Person
from kooperacja.privacy.models import AccessGrant, Consent
from kooperacja.territory.models import Gmina

NAMESPACE = uuid.UUID("7d1f0c2a-5b8e-4c3d-9a6f-1e2b3c4d5e6f")
DEMO_SEED = 20190301
MAX_DEMO_ROWS = 2000
CONSENT_PURPOSE = "Współpraca w zadaniowym zespole kooperacyjnym (IPW/plan) — dane demonstracyjne"
# The pilot key of the directory demo → the gmina's model variant.
PILOT_VARIANTS = {
    "city": ModelVariant.CITIES_3D,
    "rural": ModelVariant.RURAL_LEADERS,
    "urban_rural": ModelVariant.URBAN_RURAL,
}
STAGES = (
    Stage.INTAKE,
    Stage.QUALIFICATION,
    Stage.ASSESSMENT,
    Stage.PLANNING,
    Stage.IMPLEMENTATION,
    Stage.SUMMARY,
    Stage.CLOSED,
    Stage.REFUSED,
)
GOALS = (
    "Regularne uczęszczanie dzieci do szkoły",
    "Poprawa sytuacji mieszkaniowej rodziny",
    "Podjęcie zatrudnienia lub aktywizacji zawodowej",
    "Utrzymanie abstynencji i udział w terapii",
    "Wzmocnienie kompetencji rodzicielskich",
)
SCHOOL_TASKS = ("Cotygodniowe konsultacje z pedagogiem", "Monitorowanie frekwencji i ocen", "Zajęcia wyrównawcze")
COURT_TASKS = ("Nadzór kuratorski — wizyty w miejscu zamieszkania", "Informacja dla sądu rodzinnego")
OPS_TASKS = ("Praca socjalna — kontrakt socjalny", "Wniosek o dodatek mieszkaniowy", "Skierowanie do PUP")
EARLY_CLOSURE_REASONS = (
    "Rodzina wyprowadziła się z gminy.",
    "Osoba zrezygnowała ze współpracy.",
    "Sprawę przejęła instytucja właściwa (umieszczenie w placówce).",
)


def demo_id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def _directory_id(*parts: str) -> uuid.UUID:
    from kooperacja.demo.directory_demo import demo_id as directory_demo_id

    return directory_demo_id(*parts)


@dataclass
class CasesDemoSummary:
    cases: int = 0
    persons_created: int = 0
    consents: int = 0
    skipped_gminy: list[str] = field(default_factory=list)
    already_loaded: bool = False


def is_loaded() -> bool:
    return Case.objects.filter(owner_institution_id__in=_ops_ids()).exists()


def _ops_ids() -> list[uuid.UUID]:
    return [_directory_id("institution", f"{key}:ops") for key in PILOT_VARIANTS]


def _coordinator(key: str, ops: Institution) -> User:
    existing = (
        User.objects.filter(memberships__institution=ops, memberships__role=Role.CASE_COORDINATOR, is_active=True)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing
    user, created = User.objects.get_or_create(
        username=f"koordynator-{key}".replace("_", "-"),
        defaults={"first_name": "Koordynatorka", "last_name": ops.short_name or "OPS", "email": ""},
    )
    if created:  # a demo account like the others: it signs in with the demo password
        from kooperacja.demo.directory_demo import DEMO_PASSWORD

        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, institution=ops, role=Role.CASE_COORDINATOR)
    return user


def _persons(gmina: Gmina, ops: Institution, needed: int, fake: Faker, rng: random.Random) -> tuple[list[Person], int]:
    persons = list(Person.objects.live().filter(gmina=gmina, recorded_by_institution=ops).order_by("pk")[:needed])
    created = 0
    index = 0
    while len(persons) < needed:
        pk = demo_id("person", gmina.code, index)
        index += 1
        if Person.objects.filter(pk=pk).exists():
            continue
        sex = rng.choice("FM")
        person = Person(
            id=pk,
            first_name=fake.first_name_female() if sex == "F" else fake.first_name_male(),
            last_name=fake.last_name_female() if sex == "F" else fake.last_name_male(),
            birth_date=fake.date_of_birth(minimum_age=18, maximum_age=80),
            sex=sex,
            street=fake.street_address(),
            postal_code=fake.postcode(),
            town=gmina.name,
            gmina=gmina,
            phone=fake.phone_number()[:40],
            recorded_by_institution=ops,
        )
        person.save()
        persons.append(person)
        created += 1
    return persons, created


def _household(gmina: Gmina, ops: Institution, person: Person, number: int) -> Household:
    existing = Household.objects.filter(members__person=person).first()
    if existing is not None:
        return existing
    household, _created = Household.objects.get_or_create(
        id=demo_id("household", gmina.code, number),
        defaults={
            "name": f"rodzina {person.last_name}",
            "street": person.street,
            "town": person.town,
            "gmina": gmina,
            "recorded_by_institution": ops,
        },
    )
    HouseholdMember.objects.get_or_create(household=household, person=person, defaults={"relation": "head"})
    return household


def _consent(
    person: Person, ops: Institution, recipients: list[Institution], by: User, given_on: datetime.date
) -> Consent:
    consent = Consent(
        person=person,
        recorded_by_institution=ops,
        purpose=CONSENT_PURPOSE,
        categories=["identity", "contact", "family", "education", "justice"],
        given_on=given_on,
        recorded_orally_by=by,
    )
    consent.full_clean()
    consent.save()
    consent.recipients.set(recipients)
    return consent


def _build_case(
    *,
    index: int,
    stage: str,
    gmina: Gmina,
    ops: Institution,
    school: Institution | None,
    court: Institution | None,
    coordinator: User,
    pedagog: User | None,
    kurator: User | None,
    person: Person,
    rng: random.Random,
    today: datetime.date,
    summary: CasesDemoSummary,
) -> Case:
    age_days = {Stage.INTAKE: 3, Stage.QUALIFICATION: 8, Stage.ASSESSMENT: 20, Stage.PLANNING: 28}.get(
        stage, rng.randint(60, 400)
    )
    application = today - datetime.timedelta(days=age_days)
    household = _household(gmina, ops, person, index) if index % 5 == 4 else None
    from_report = index % 3 == 2
    blue_card = index % 20 == 13 and court is not None and kurator is not None
    case = services.case_open(
        actor=coordinator,
        owner_institution=ops,
        person=None if household else person,
        household=household,
        intake_source=IntakeSource.REPORT if from_report else IntakeSource.APPLICATION,
        channel=rng.choice(IntakeChannel.values),
        application_date=None if from_report else application,
        reported_on=application if from_report else None,
        reporter_institution=school if from_report else None,
        niebieska_karta=blue_card,
    )
    if stage == Stage.INTAKE:
        return case
    if stage == Stage.QUALIFICATION:
        return services.case_advance(actor=coordinator, case=case, to_stage=Stage.QUALIFICATION)
    if stage == Stage.REFUSED:
        return services.case_qualify(
            actor=coordinator, case=case, decision="refused", reason="Brak przesłanek do objęcia wsparciem."
        )
    services.case_qualify(actor=coordinator, case=case, decision="accepted", on=application)
    for domain in rng.sample(LifeDomain.values, 3):
        services.assessment_record(
            actor=coordinator,
            case=case,
            domain=domain,
            strengths="Motywacja do zmiany, wsparcie dalszej rodziny.",
            needs="Potrzebne wsparcie specjalistyczne i regularny kontakt.",
        )
    if stage == Stage.ASSESSMENT:
        return case
    persons = services.subject_persons(case)
    recipients = [i for i in (school, court) if i is not None]
    if not blue_card:
        for subject in persons:
            _consent(subject, ops, recipients, coordinator, application)
            summary.consents += 1
    if school is not None and not blue_card:
        services.team_member_add(
            actor=coordinator,
            case=case,
            institution=school,
            user=pedagog,
            role=TeamRole.PEDAGOGUE,
            categories=["identity", "contact", "education", "family"],
        )
    if court is not None:
        services.team_member_add(
            actor=coordinator,
            case=case,
            institution=court,
            user=kurator,
            role=TeamRole.PROBATION_OFFICER,
            categories=["identity", "family", "justice", "violence"] if blue_card else ["identity", "justice"],
        )
    plan = services.plan_create(
        actor=coordinator,
        case=case,
        starts_on=application + datetime.timedelta(days=21),
        ends_on=application + datetime.timedelta(days=21 + 30 * rng.randint(10, 12)),
    )
    tasks = []
    for goal_title in rng.sample(GOALS, 2):
        goal = services.goal_add(actor=coordinator, plan=plan, title=goal_title)
        owners: list[tuple[Institution, User | None, tuple[str, ...]]] = [(ops, coordinator, OPS_TASKS)]
        if school is not None and not blue_card:
            owners.append((school, pedagog, SCHOOL_TASKS))
        if court is not None:
            owners.append((court, kurator, COURT_TASKS))
        for owner, owner_user, titles in owners:
            tasks.append(
                services.task_add(
                    actor=coordinator,
                    plan=plan,
                    goal=goal,
                    title=rng.choice(titles),
                    owner_institution=owner,
                    owner_user=owner_user,
                    due_on=today + datetime.timedelta(days=rng.randint(-20, 60)),
                )
            )
    if stage == Stage.PLANNING:
        return case
    services.plan_submit(actor=coordinator, plan=plan)
    services.case_advance(actor=coordinator, case=case, to_stage=Stage.IMPLEMENTATION)
    for task in tasks:
        reporter = {ops.pk: coordinator, getattr(school, "pk", None): pedagog, getattr(court, "pk", None): kurator}.get(
            task.owner_institution_id
        )
        if reporter is not None and rng.random() < 0.6:
            services.task_progress_report(
                actor=reporter,
                task=task,
                text="Spotkanie odbyło się zgodnie z planem; kolejne za dwa tygodnie.",
                status=rng.choice([TaskStatus.IN_PROGRESS, TaskStatus.DONE]),
            )
    services.review_add(actor=coordinator, case=case, notes="Przegląd planu: realizacja zgodna z harmonogramem.")
    services.note_add(
        actor=coordinator,
        case=case,
        text="Rozmowa z osobą; ustalono kolejne kroki.",
        sensitivity=Sensitivity.NIEBIESKA_KARTA if blue_card else Sensitivity.ORDINARY,
    )
    if stage == Stage.IMPLEMENTATION:
        return case
    # Some cases end before their summary conversation (every third closed case: stages cycle every 8 indices).
    early = stage == Stage.CLOSED and (index // len(STAGES)) % 3 == 1
    if early:
        outcomes = {
            goal.pk: rng.choice([GoalOutcome.PARTLY, GoalOutcome.NOT_ACHIEVED])
            for goal in case.plans.get(status="approved").goals.all()
        }
        return services.case_close(
            actor=coordinator,
            case=case,
            outcomes=outcomes,
            success=False,
            early_closure_reason=rng.choice(EARLY_CLOSURE_REASONS),
        )
    services.case_advance(actor=coordinator, case=case, to_stage=Stage.SUMMARY)
    if stage == Stage.SUMMARY:
        return case
    success = rng.random() < 0.81  # the rural pilot: 140 of 172 IPW completed successfully
    outcomes = {
        goal.pk: (GoalOutcome.ACHIEVED if success else rng.choice([GoalOutcome.PARTLY, GoalOutcome.NOT_ACHIEVED]))
        for goal in case.plans.get(status="approved").goals.all()
    }
    return services.case_close(
        actor=coordinator,
        case=case,
        outcomes=outcomes,
        success=success,
        summary_conversation_on=today,
        summary_notes="Rozmowa podsumowująca: omówiono przebieg współpracy i jej efekty.",
    )


# Days after the application (or report) on which the demo's steps happened, by the kind of the timeline's event.
STEP_DAYS = {
    "case_open": 0,
    "case_stage": 1,
    "case_qualify": 3,
    "assessment_record": 7,
    "team_member_add": 12,
    "plan_create": 14,
    "goal_add": 15,
    "task_add": 16,
    "plan_submit": 20,
    "plan_approve": 21,
}


def _backdate(case: Case, *, rng: random.Random, now: datetime.datetime) -> None:
    """Spread the demo case's history over the time since its application (the services wrote it all "now"): the
    timeline, the opening, qualification, team, assessment, plan approval, progress, reviews, notes and closure, and
    the start and end of the grants that rest on it. Each moment stays in the past and in the order it happened."""
    from kooperacja.cases.models import AssessmentEntry, CaseEvent, CaseTeamMember, Note, Plan, Review, TaskProgress

    start_day = case.application_date or case.reported_on
    if start_day is None:
        return
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(start_day, datetime.time(9, 0), tzinfo=tz)
    events = list(CaseEvent.objects.filter(case=case).order_by("at", "pk"))
    span = max((now - start).total_seconds(), 3600.0)
    moments: list[datetime.datetime] = []
    previous = start
    late = [e for e in events if e.kind not in STEP_DAYS]
    late_slots = sorted(rng.uniform(0.25, 0.95) for _ in late)
    for event in events:
        if event.kind in STEP_DAYS:
            moment = start + datetime.timedelta(days=STEP_DAYS[event.kind], minutes=len(moments))
        else:
            moment = start + datetime.timedelta(seconds=span * late_slots.pop(0))
        moment = min(max(moment, previous + datetime.timedelta(minutes=1)), now - datetime.timedelta(minutes=1))
        moments.append(moment)
        previous = moment
    by_kind: dict[str, list[datetime.datetime]] = {}
    for event, moment in zip(events, moments, strict=True):
        CaseEvent.objects.filter(pk=event.pk).update(at=moment)
        by_kind.setdefault(event.kind, []).append(moment)

    def local_day(moment: datetime.datetime) -> datetime.date:
        return timezone.localtime(moment).date()

    def assign(queryset: Any, kind: str, field: str, as_date: bool = False) -> None:
        for row, moment in zip(queryset.order_by("pk"), by_kind.get(kind, []), strict=False):
            queryset.model.objects.filter(pk=row.pk).update(**{field: local_day(moment) if as_date else moment})

    Case.objects.filter(pk=case.pk).update(opened_at=start, opened_on=start_day)
    if by_kind.get("case_qualify"):
        Case.objects.filter(pk=case.pk, qualified_on__isnull=False).update(
            qualified_on=local_day(by_kind["case_qualify"][0])
        )
    assign(AssessmentEntry.objects.filter(case=case), "assessment_record", "assessed_on", as_date=True)
    assign(CaseTeamMember.objects.filter(case=case), "team_member_add", "joined_on", as_date=True)
    assign(Plan.objects.filter(case=case, approved_at__isnull=False), "plan_approve", "approved_at")
    assign(Plan.objects.filter(case=case), "plan_create", "created_at")
    assign(TaskProgress.objects.filter(task__plan__case=case), "task_progress", "at")
    assign(Review.objects.filter(case=case), "review_add", "held_on", as_date=True)
    assign(Note.objects.filter(case=case), "note_add", "at")
    grants = AccessGrant.objects.filter(source_id=case.ref)
    grants.update(started_at=start)
    member_moments = by_kind.get("team_member_add", [])
    for member, moment in zip(CaseTeamMember.objects.filter(case=case).order_by("pk"), member_moments, strict=False):
        AccessGrant.objects.filter(source_id=str(member.pk), source_type__in=["case_team", "blue_card"]).update(
            started_at=moment
        )
    tasks = by_kind.get("task_add", [])
    if tasks:
        AccessGrant.objects.filter(
            source_type="plan_task", source_id__in=[str(pk) for pk in case.plans.values_list("tasks__pk", flat=True)]
        ).update(started_at=tasks[0])
    closed = by_kind.get("case_close")
    if closed:
        day = local_day(closed[0])
        values: dict[str, Any] = {"closed_on": day}
        if case.summary_conversation_on is not None:
            values["summary_conversation_on"] = day
        Case.objects.filter(pk=case.pk).update(**values)
        CaseTeamMember.objects.filter(case=case, left_on__isnull=False).update(left_on=day)
        AccessGrant.objects.filter(end_reason="case_closed", ended_at__isnull=False).filter(
            source_id__in=[str(pk) for pk in CaseTeamMember.objects.filter(case=case).values_list("pk", flat=True)]
            + [str(pk) for pk in case.plans.values_list("tasks__pk", flat=True)]
        ).update(ended_at=closed[0])


def load(*, rng_seed: int = DEMO_SEED, cases_per_gmina: int = 60) -> CasesDemoSummary:
    """Load the demo cases of the pilot gminy (nothing changes when they are already there)."""
    summary = CasesDemoSummary()
    if is_loaded():
        summary.already_loaded = True
        return summary
    from kooperacja.demo.pilots import PILOTS

    rng = random.Random(rng_seed)
    fake = Faker("pl_PL")
    fake.seed_instance(rng_seed)
    today = timezone.localdate()
    pedagog = User.objects.filter(username="pedagog").first()
    kurator = User.objects.filter(username="kurator").first()
    with transaction.atomic():
        for pilot in PILOTS:
            ops = Institution.objects.filter(pk=_directory_id("institution", f"{pilot.key}:ops")).first()
            gmina = Gmina.objects.filter(code=pilot.gmina_code).first()
            if ops is None or gmina is None:
                summary.skipped_gminy.append(pilot.gmina_code)
                continue
            if not CaseRules.objects.filter(gmina=gmina).exists():
                rules = CaseRules.for_variant(PILOT_VARIANTS.get(pilot.key, ModelVariant.STANDARD), gmina=gmina)
                rules.full_clean()
                rules.save()
            school = Institution.objects.filter(pk=_directory_id("institution", f"{pilot.key}:partner:0")).first()
            court = Institution.objects.filter(pk=_directory_id("institution", f"{pilot.key}:county:court")).first()
            coordinator = _coordinator(pilot.key, ops)
            # The named partner users work in the city pilot's school and court.
            named_pedagog = pedagog if pedagog and school and _works_at(pedagog, school) else None
            named_kurator = kurator if kurator and court and _works_at(kurator, court) else None
            persons, created = _persons(gmina, ops, cases_per_gmina, fake, rng)
            summary.persons_created += created
            for index in range(cases_per_gmina):
                case = _build_case(
                    index=index,
                    stage=STAGES[index % len(STAGES)],
                    gmina=gmina,
                    ops=ops,
                    school=school,
                    court=court,
                    coordinator=coordinator,
                    pedagog=named_pedagog,
                    kurator=named_kurator,
                    person=persons[index],
                    rng=rng,
                    today=today,
                    summary=summary,
                )
                _backdate(case, rng=rng, now=timezone.now())
                summary.cases += 1
    return summary


def _works_at(user: User, institution: Institution) -> bool:
    return Membership.objects.current().filter(user=user, institution=institution).exists()


def delete() -> dict[str, int]:
    """Remove the demo cases, their grants and consents, the demo households and persons (those never read: the
    access log keeps the ones that were, as it must), the pilot gminy's case rules and the coordinators it added."""
    ops_ids = _ops_ids()
    counts: dict[str, int] = {}
    with transaction.atomic():
        cases = Case.objects.filter(owner_institution_id__in=ops_ids)
        refs = list(cases.values_list("ref", flat=True))
        member_ids = [str(pk) for pk in cases.values_list("team_members__pk", flat=True) if pk is not None]
        task_ids = [str(pk) for pk in cases.values_list("plans__tasks__pk", flat=True) if pk is not None]
        grants = AccessGrant.objects.filter(source_id__in=[*refs, *member_ids, *task_ids]).filter(
            source_type__in=["case_owner", "case_team", "plan_task", "blue_card"]
        )
        counts["grants"] = grants.delete()[0]
        counts["cases"] = cases.delete()[0]
        counts["consents"] = Consent.objects.filter(purpose=CONSENT_PURPOSE).delete()[0]
        from kooperacja.demo.pilots import PILOTS

        codes = [pilot.gmina_code for pilot in PILOTS]
        counts["rules"] = CaseRules.objects.filter(gmina__code__in=codes).delete()[0]
        household_ids = {demo_id("household", code, i) for code in codes for i in range(MAX_DEMO_ROWS)}
        counts["households"] = Household.objects.filter(pk__in=household_ids).delete()[0]
        person_ids = {demo_id("person", code, i) for code in codes for i in range(MAX_DEMO_ROWS)}
        removed = 0
        for person in Person.objects.filter(pk__in=person_ids):
            try:
                with transaction.atomic():
                    person.delete()
                removed += 1
            except ProtectedError:  # read, so in the append-only access log: it stays
                continue
        counts["persons"] = removed
        counts["users"] = User.objects.filter(username__startswith="koordynator-").delete()[0]
    return counts
