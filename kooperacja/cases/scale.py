"""Synthetic cases at national size, for benchmarks: `generate_cases(cases=300_000)` over the persons already in the
database (people's generate_people writes them), in bulk.

Each case belongs to the OPS of its person's gmina (gminy without an OPS are skipped), with one synthetic case
coordinator per OPS (created when the OPS has none), the owner's grant on ups-art-100, and — by stage — a consent
naming a school of the gmina with the school in the case team and its consent-based grant, a plan with two goals and
three tasks (OPS, school), closure with an outcome. No audit records or timeline lines: this is generated data, not
work. Persons that already have a case are skipped, so a second run adds only what is missing (and an interrupted
run resumes).
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kooperacja.accounts.models import Membership, Role, User
from kooperacja.cases.models import (
    Case,
    CaseCounter,
    CaseRules,
    CaseTeamMember,
    Goal,
    GoalOutcome,
    IntakeChannel,
    IntakeSource,
    Plan,
    PlanStatus,
    QualificationDecision,
    Stage,
    Task,
    TaskStatus,
    TeamRole,
    TeamShare,
)
from kooperacja.cases.services import _number_prefix
from kooperacja.directory.models import Institution, InstitutionKind
from kooperacja.people.models import Person
from kooperacja.privacy.models import AccessGrant, Consent, DataCategory, LegalBasis

DEFAULT_SEED = 300_000
NAMESPACE = uuid.UUID("3f6b2c1d-9e8a-4b7c-8d6e-5f4a3b2c1d0e")
# How the generated cases spread over the stages (closed cases dominate a mature caseload).
STAGE_WEIGHTS: tuple[tuple[str, int], ...] = (
    (Stage.INTAKE, 4),
    (Stage.QUALIFICATION, 4),
    (Stage.ASSESSMENT, 8),
    (Stage.PLANNING, 8),
    (Stage.IMPLEMENTATION, 30),
    (Stage.SUMMARY, 6),
    (Stage.CLOSED, 34),
    (Stage.REFUSED, 6),
)
WITH_PLAN = {Stage.PLANNING, Stage.IMPLEMENTATION, Stage.SUMMARY, Stage.CLOSED}
WITH_TEAM = WITH_PLAN | {Stage.ASSESSMENT}
ALL_CATEGORIES = list(DataCategory.values)


@dataclass
class CasesScaleSummary:
    cases: int = 0
    grants: int = 0
    tasks: int = 0
    skipped_persons: int = 0
    seconds: float = 0.0


def _coordinators(ops_ids: list[Any]) -> dict[Any, int]:
    """A case coordinator per OPS (an existing one, or a synthetic account without a usable password)."""
    found: dict[Any, int] = {}
    for institution_id, user_id in (
        Membership.objects.filter(institution_id__in=ops_ids, role=Role.CASE_COORDINATOR)
        .order_by("institution_id", "user_id")
        .values_list("institution_id", "user_id")
    ):
        found.setdefault(institution_id, user_id)
    missing = [pk for pk in ops_ids if pk not in found]
    if missing:
        users = [
            User(username=f"synt-koord-{pk.hex[:12]}", first_name="Koordynator", last_name="(synt.)") for pk in missing
        ]
        for user in users:
            user.set_unusable_password()
        User.objects.bulk_create(users, batch_size=2000, ignore_conflicts=True)
        by_name = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk"))
        Membership.objects.bulk_create(
            [
                Membership(user_id=by_name[f"synt-koord-{pk.hex[:12]}"], institution_id=pk, role=Role.CASE_COORDINATOR)
                for pk in missing
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        for pk in missing:
            found[pk] = by_name[f"synt-koord-{pk.hex[:12]}"]
    return found


def generate_cases(
    *,
    cases: int = 300_000,
    seed: int = DEFAULT_SEED,
    chunk: int = 5_000,
    batch_size: int = 2_000,
    progress: Callable[[int, int], None] | None = None,
) -> CasesScaleSummary:
    """Bring the number of persons with a case up to `cases` (a second run adds nothing), over the live persons with a
    gmina that has an OPS, in bulk, one transaction per chunk; `progress(advance, total)` after each chunk."""
    import time

    started = time.monotonic()
    summary = CasesScaleSummary()
    owner_basis = LegalBasis.objects.filter(code="ups-art-100").first()
    if owner_basis is None:
        raise RuntimeError("The legal basis ups-art-100 is missing: load privacy's legal bases first.")
    rng = random.Random(seed)
    ops_by_gmina: dict[Any, Institution] = {}
    for ops in Institution.objects.filter(kind__in=[InstitutionKind.OPS, InstitutionKind.CUS]).order_by("pk"):
        ops_by_gmina.setdefault(ops.gmina_id, ops)
    school_by_gmina: dict[Any, Any] = {}
    for gmina_id, pk in (
        Institution.objects.filter(kind=InstitutionKind.SCHOOL).order_by("pk").values_list("gmina_id", "pk")
    ):
        school_by_gmina.setdefault(gmina_id, pk)
    coordinators = _coordinators([ops.pk for ops in ops_by_gmina.values()])
    rules = {r.gmina_id: r for r in CaseRules.objects.all()}
    counters = {
        (c.institution_id, c.year): c.last for c in CaseCounter.objects.filter(institution__in=ops_by_gmina.values())
    }
    stages = [stage for stage, _w in STAGE_WEIGHTS]
    weights = [w for _s, w in STAGE_WEIGHTS]
    today = timezone.localdate()
    now = timezone.now()
    with_case = set(Case.objects.filter(person__isnull=False).values_list("person_id", flat=True))
    candidates = (
        Person.objects.live().filter(gmina_id__in=list(ops_by_gmina)).order_by("pk").values_list("pk", "gmina_id")
    )
    needed = max(0, cases - len(with_case))
    todo: list[tuple[Any, Any]] = []
    for person_id, gmina_id in candidates.iterator(chunk_size=10_000) if needed else ():
        if person_id in with_case:
            summary.skipped_persons += 1
            continue
        todo.append((person_id, gmina_id))
        if len(todo) >= needed:
            break
    total = len(todo)
    for start in range(0, total, chunk):
        part = todo[start : start + chunk]
        with transaction.atomic():
            _chunk(
                part,
                rng=rng,
                stages=stages,
                weights=weights,
                ops_by_gmina=ops_by_gmina,
                school_by_gmina=school_by_gmina,
                coordinators=coordinators,
                rules=rules,
                counters=counters,
                owner_basis=owner_basis,
                today=today,
                now=now,
                batch_size=batch_size,
                summary=summary,
            )
            for (institution_id, year), last in counters.items():
                CaseCounter.objects.update_or_create(institution_id=institution_id, year=year, defaults={"last": last})
        if progress is not None:
            progress(len(part), total)
    summary.seconds = time.monotonic() - started
    return summary


def _chunk(
    part: list[tuple[Any, Any]],
    *,
    rng: random.Random,
    stages: list[str],
    weights: list[int],
    ops_by_gmina: dict[Any, Institution],
    school_by_gmina: dict[Any, Any],
    coordinators: dict[Any, int],
    rules: dict[Any, CaseRules],
    counters: dict[tuple[Any, int], int],
    owner_basis: LegalBasis,
    today: datetime.date,
    now: datetime.datetime,
    batch_size: int,
    summary: CasesScaleSummary,
) -> None:
    case_rows: list[Case] = []
    grants: list[AccessGrant] = []
    consents: list[Consent] = []
    consent_for: dict[uuid.UUID, Consent] = {}
    for person_id, gmina_id in part:
        ops = ops_by_gmina[gmina_id]
        stage = rng.choices(stages, weights)[0]
        opened = now - datetime.timedelta(days=rng.randint(1, 900))
        year = opened.year
        counters[(ops.pk, year)] = counters.get((ops.pk, year), 0) + 1
        rule = rules.get(gmina_id)
        application = opened.date()
        closed_on = min(today, application + datetime.timedelta(days=rng.randint(60, 420)))
        case_id = uuid.uuid5(NAMESPACE, str(person_id))  # one generated case per person: stable across runs
        case_rows.append(
            Case(
                id=case_id,
                ref=str(case_id),
                number=f"{_number_prefix(ops)}/{year}/{counters[(ops.pk, year)]:06d}",
                owner_institution_id=ops.pk,
                coordinator_id=coordinators[ops.pk],
                gmina_id=gmina_id,
                person_id=person_id,
                variant=rule.variant if rule else "standard",
                plan_label=rule.plan_label if rule else "plan",
                stage=stage,
                intake_source=IntakeSource.APPLICATION,
                channel=rng.choice(IntakeChannel.values),
                application_date=application,
                qualification_decision=(
                    QualificationDecision.REFUSED
                    if stage == Stage.REFUSED
                    else (QualificationDecision.ACCEPTED if stage not in (Stage.INTAKE, Stage.QUALIFICATION) else "")
                ),
                qualified_on=application if stage not in (Stage.INTAKE, Stage.QUALIFICATION) else None,
                refusal_reason="Brak przesłanek." if stage == Stage.REFUSED else "",
                plan_due_on=(
                    application + datetime.timedelta(days=rule.plan_due_days) if rule and rule.plan_due_days else None
                ),
                opened_at=opened,
                closed_on=closed_on if stage == Stage.CLOSED else None,
                success=(rng.random() < 0.81) if stage == Stage.CLOSED else None,
                summary_conversation_on=closed_on if stage == Stage.CLOSED else None,
            )
        )
        grants.append(
            AccessGrant(
                institution_id=ops.pk,
                person_id=person_id,
                categories=ALL_CATEGORIES,
                source_type="case_owner",
                source_id=str(case_id),
                legal_basis=owner_basis,
                started_at=opened,
            )
        )
        if stage in WITH_TEAM and gmina_id in school_by_gmina:
            consent = Consent(
                person_id=person_id,
                recorded_by_institution_id=ops.pk,
                purpose="Współpraca w zespole kooperacyjnym (dane syntetyczne)",
                categories=["identity", "contact", "education"],
                given_on=application,
                recorded_orally_by_id=coordinators[ops.pk],  # recorded orally by the case's coordinator
                created_at=opened,
            )
            consents.append(consent)
            consent_for[case_id] = consent
    for row in case_rows:
        row.refresh_derived_fields()  # bulk_create does not call save()
    Case.objects.bulk_create(case_rows, batch_size=batch_size)
    Consent.objects.bulk_create(consents, batch_size=batch_size)
    Consent.recipients.through.objects.bulk_create(
        [
            Consent.recipients.through(
                consent_id=consent_for[case.pk].pk, institution_id=school_by_gmina[case.gmina_id]
            )
            for case in case_rows
            if case.pk in consent_for
        ],
        batch_size=batch_size,
    )
    members = [
        CaseTeamMember(
            case_id=case.pk,
            institution_id=school_by_gmina[case.gmina_id],
            role=TeamRole.PEDAGOGUE,
            joined_on=case.application_date or today,
            left_on=case.closed_on,
        )
        for case in case_rows
        if case.pk in consent_for
    ]
    CaseTeamMember.objects.bulk_create(members, batch_size=batch_size)
    by_case = {case.pk: case for case in case_rows}
    shares = []
    for member in members:
        case = by_case[member.case_id]
        consent = consent_for[case.pk]
        for category in ("identity", "education"):
            shares.append(TeamShare(member=member, person_id=case.person_id, category=category, consent=consent))
        grants.append(
            AccessGrant(
                institution_id=member.institution_id,
                person_id=case.person_id,
                categories=["education", "identity"],
                source_type="case_team",
                source_id=str(member.pk),
                consent=consent,
                started_at=case.opened_at,
                ended_at=timezone.now() if case.stage == Stage.CLOSED else None,
                end_reason="case_closed" if case.stage == Stage.CLOSED else "",
            )
        )
    TeamShare.objects.bulk_create(shares, batch_size=batch_size)
    plans = []
    for case in case_rows:
        if case.stage not in WITH_PLAN:
            continue
        approved = case.stage != Stage.PLANNING
        plans.append(
            Plan(
                case_id=case.pk,
                version=1,
                status=PlanStatus.APPROVED if approved else PlanStatus.DRAFT,
                starts_on=case.application_date,
                ends_on=(case.application_date or today) + datetime.timedelta(days=330),
                created_by_id=case.coordinator_id,
                created_at=case.opened_at,
                approved_by_id=case.coordinator_id if approved else None,
                approved_at=case.opened_at if approved else None,
            )
        )
    Plan.objects.bulk_create(plans, batch_size=batch_size)
    goals = []
    for plan in plans:
        closed = by_case[plan.case_id].stage == Stage.CLOSED
        for order in (1, 2):
            outcome = rng.choice(GoalOutcome.values) if closed else ""
            goals.append(Goal(plan=plan, order=order, title=f"Cel {order}", outcome=outcome))
    Goal.objects.bulk_create(goals, batch_size=batch_size)
    tasks = []
    for goal in goals:
        case = by_case[goal.plan.case_id]
        owners = [case.owner_institution_id]
        if case.pk in consent_for:
            owners.append(school_by_gmina[case.gmina_id])
        for index, owner in enumerate(owners if goal.order == 1 else owners[:1]):
            status = (
                TaskStatus.DONE
                if case.stage in (Stage.CLOSED, Stage.SUMMARY)
                else rng.choice([TaskStatus.PLANNED, TaskStatus.IN_PROGRESS, TaskStatus.DONE])
            )
            tasks.append(
                Task(
                    plan=goal.plan,
                    goal=goal,
                    title=f"Zadanie {goal.order}.{index + 1}",
                    owner_institution_id=owner,
                    due_on=today + datetime.timedelta(days=rng.randint(-60, 120)),
                    status=status,
                    created_at=case.opened_at,
                )
            )
    Task.objects.bulk_create(tasks, batch_size=batch_size)
    AccessGrant.objects.bulk_create(grants, batch_size=batch_size)
    summary.cases += len(case_rows)
    summary.grants += len(grants)
    summary.tasks += len(tasks)
