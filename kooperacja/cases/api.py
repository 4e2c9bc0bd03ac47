"""Cases in the JSON API (/api/v1/cases/): the same policies, selectors and services as the pages. Outsiders get
404, readers who try to write get 403; every read that shows a person's data is written to the access log."""

import datetime
import uuid
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kooperacja.accounts.models import User
from kooperacja.cases import policies, selectors, services
from kooperacja.cases.models import (
    Case,
    CaseTeamMember,
    Goal,
    GoalOutcome,
    IntakeChannel,
    IntakeSource,
    LifeDomain,
    Plan,
    QualificationDecision,
    Sensitivity,
    Stage,
    Task,
    TaskStatus,
    TeamRole,
)
from kooperacja.core.pagination import PageNumberPagination
from kooperacja.directory.models import Institution
from kooperacja.people.models import Household, Person
from kooperacja.privacy import services as privacy_services
from kooperacja.privacy.models import Channel, DataCategory, Purpose

router = Router(tags=["cases"])


# --- schemas ----------------------------------------------------------------------------------------------------------


class CaseBase(Schema):
    id: uuid.UUID
    number: str
    stage: str
    variant: str
    plan_label: str
    owner_institution_id: uuid.UUID
    coordinator: str
    gmina: str
    subject: str
    niebieska_karta: bool
    plan_due_on: datetime.date | None
    opened_at: datetime.datetime
    closed_on: datetime.date | None


class CaseOut(CaseBase):
    @staticmethod
    def resolve_coordinator(obj: Case) -> str:
        return obj.coordinator.username

    @staticmethod
    def resolve_gmina(obj: Case) -> str:
        return obj.gmina.code

    @staticmethod
    def resolve_subject(obj: Case) -> str:
        return "person" if obj.person_id else "household"


def _case_fields(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "stage": case.stage,
        "variant": case.variant,
        "plan_label": case.plan_label,
        "owner_institution_id": case.owner_institution_id,
        "coordinator": case.coordinator.username,
        "gmina": case.gmina.code,
        "subject": "person" if case.person_id else "household",
        "niebieska_karta": case.niebieska_karta,
        "plan_due_on": case.plan_due_on,
        "opened_at": case.opened_at,
        "closed_on": case.closed_on,
    }


class CaseListOut(CaseOut):
    open_tasks: int
    overdue_tasks: int
    next_due: datetime.date | None


class PersonOut(Schema):
    id: uuid.UUID
    categories: list[str]
    first_name: str | None = None
    last_name: str | None = None
    birth_date: datetime.date | None = None
    street: str | None = None
    town: str | None = None
    phone: str | None = None
    email: str | None = None


class ShareOut(Schema):
    person_id: uuid.UUID
    category: str
    legal_basis: str | None
    consent_id: int | None


class MemberOut(Schema):
    id: int
    institution_id: uuid.UUID
    user: str | None
    role: str
    joined_on: datetime.date
    left_on: datetime.date | None
    shares: list[ShareOut]


class ProgressOut(Schema):
    at: datetime.datetime
    author: str
    text: str
    status_after: str


class TaskOut(Schema):
    id: int
    case_id: uuid.UUID
    plan_id: int
    goal_id: int
    title: str
    owner_institution_id: uuid.UUID
    owner_user: str | None
    due_on: datetime.date | None
    status: str


class TaskDetailOut(TaskOut):
    progress: list[ProgressOut]


class GoalOut(Schema):
    id: int
    order: int
    title: str
    outcome: str
    tasks: list[TaskOut]


class PlanOut(Schema):
    id: int
    version: int
    status: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    approved_by: str | None
    approved_at: datetime.datetime | None
    goals: list[GoalOut]


class AssessmentOut(Schema):
    domain: str
    strengths: str
    needs: str
    assessed_by: str
    assessed_by_institution_id: uuid.UUID
    assessed_on: datetime.date


class NoteOut(Schema):
    id: int
    at: datetime.datetime
    author: str
    sensitivity: str
    text: str


class EventOut(Schema):
    at: datetime.datetime
    kind: str
    summary: str
    actor: str | None


class DeadlineOut(Schema):
    on: datetime.date
    days: int
    overdue: bool


class ReviewOut(Schema):
    id: int
    held_on: datetime.date
    plan_version: int | None
    author: str
    notes: str


class IntakeOut(Schema):
    source: str
    channel: str
    application_date: datetime.date | None
    reported_on: datetime.date | None
    reporter_name: str
    reporter_institution_id: uuid.UUID | None
    qualification_decision: str
    qualified_on: datetime.date | None
    refusal_reason: str


class ClosureOut(Schema):
    closed_on: datetime.date | None
    success: bool | None
    summary_conversation_on: datetime.date | None
    summary_notes: str
    early_closure_reason: str


class CaseDetailOut(CaseBase):
    access: str
    persons: list[PersonOut]
    intake: IntakeOut | None
    team: list[MemberOut]
    assessment: list[AssessmentOut]
    plans: list[PlanOut]
    reviews: list[ReviewOut]
    my_tasks: list[TaskOut]
    notes: list[NoteOut]
    timeline: list[EventOut]
    plan_deadline: DeadlineOut | None
    plan_end: DeadlineOut | None
    typical_end: DeadlineOut | None
    closure: ClosureOut | None
    success: bool | None
    early_closure_reason: str


class CaseIn(Schema):
    owner_institution_id: uuid.UUID
    person_id: uuid.UUID | None = None
    household_id: uuid.UUID | None = None
    intake_source: IntakeSource
    channel: IntakeChannel
    application_date: datetime.date | None = None
    reported_on: datetime.date | None = None
    reporter_name: str = ""
    reporter_institution_id: uuid.UUID | None = None
    niebieska_karta: bool = False


class TransitionIn(Schema):
    to_stage: Stage | None = None
    decision: QualificationDecision | None = None
    reason: str = ""


class MemberIn(Schema):
    institution_id: uuid.UUID
    user: str | None = None
    role: TeamRole
    categories: list[DataCategory]


class AssessmentIn(Schema):
    domain: LifeDomain
    strengths: str = ""
    needs: str = ""
    institution_id: uuid.UUID | None = None


class PlanIn(Schema):
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


class PlanActionIn(Schema):
    action: str  # "submit", "approve", "return", "new_version"


class GoalIn(Schema):
    title: str


class TaskIn(Schema):
    goal_id: int
    title: str
    owner_institution_id: uuid.UUID
    owner_user: str | None = None
    due_on: datetime.date | None = None


class ProgressIn(Schema):
    text: str
    status: TaskStatus


class ReviewIn(Schema):
    notes: str
    held_on: datetime.date | None = None


class NoteIn(Schema):
    text: str
    sensitivity: Sensitivity = Sensitivity.ORDINARY


class ClosureIn(Schema):
    success: bool
    outcomes: dict[int, GoalOutcome] = {}
    summary_conversation_on: datetime.date | None = None
    summary_notes: str = ""
    early_closure_reason: str = ""


class CaseFilters(Schema):
    scope: str = ""
    stage: str = ""
    number: str = ""
    overdue: bool = False
    person: uuid.UUID | None = None


# --- helpers ----------------------------------------------------------------------------------------------------------


def _task_out(task: Task) -> dict[str, Any]:
    return {
        "id": task.pk,
        "case_id": task.plan.case_id,
        "plan_id": task.plan_id,
        "goal_id": task.goal_id,
        "title": task.title,
        "owner_institution_id": task.owner_institution_id,
        "owner_user": task.owner_user.username if task.owner_user else None,
        "due_on": task.due_on,
        "status": task.status,
    }


def _person_out(item: selectors.ShownPerson) -> dict[str, Any]:
    person = item.person
    out: dict[str, Any] = {"id": person.pk, "categories": sorted(item.categories)}
    if item.identity:
        out.update(first_name=person.first_name, last_name=person.last_name, birth_date=person.birth_date)
    if item.contact:
        out.update(street=person.street, town=person.town, phone=person.phone, email=person.email)
    return out


def _user(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"user": "No such user."})
    return user


def _institution(pk: Any) -> Institution:
    institution = Institution.objects.filter(pk=pk).first()
    if institution is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"institution_id": "No such institution."})
    return institution


def _detail(request: HttpRequest, access: policies.CaseAccess) -> dict[str, Any]:
    page = selectors.case_page(access, request.user)
    services.case_read_record(
        actor=request.user, page=page, channel=Channel.API, resource=f"api cases.detail {access.case.pk}"
    )
    case = access.case
    plans = [
        {
            "id": plan.pk,
            "version": plan.version,
            "status": plan.status,
            "starts_on": plan.starts_on,
            "ends_on": plan.ends_on,
            "approved_by": plan.approved_by.username if plan.approved_by else None,
            "approved_at": plan.approved_at,
            "goals": [
                {
                    "id": goal.pk,
                    "order": goal.order,
                    "title": goal.title,
                    "outcome": goal.outcome,
                    "tasks": [_task_out(task) for task in goal.tasks.all()],
                }
                for goal in plan.goals.all()
            ],
        }
        for plan in page.plans
    ]
    for plan in page.plans:
        plan.case = case
    return {
        **_case_fields(case),
        "access": access.level,
        "persons": [_person_out(item) for item in page.persons],
        "team": [
            {
                "id": member.pk,
                "institution_id": member.institution_id,
                "user": member.user.username if member.user else None,
                "role": member.role,
                "joined_on": member.joined_on,
                "left_on": member.left_on,
                "shares": [
                    {
                        "person_id": share.person_id,
                        "category": share.category,
                        "legal_basis": share.legal_basis.code if share.legal_basis else None,
                        "consent_id": share.consent_id,
                    }
                    for share in member.shares.all()
                ],
            }
            for member in page.members
        ],
        "assessment": [
            {
                "domain": entry.domain,
                "strengths": entry.strengths,
                "needs": entry.needs,
                "assessed_by": entry.assessed_by.username,
                "assessed_by_institution_id": entry.assessed_by_institution_id,
                "assessed_on": entry.assessed_on,
            }
            for entry in page.assessment
        ],
        "plans": plans,
        "my_tasks": [_task_out(task) for task in page.my_tasks],
        "notes": [
            {"id": n.pk, "at": n.at, "author": n.author.username, "sensitivity": n.sensitivity, "text": n.text}
            for n in page.notes
        ],
        "timeline": [
            {"at": e.at, "kind": e.kind, "summary": e.summary, "actor": e.actor.username if e.actor else None}
            for e in page.events
        ],
        "reviews": [
            {
                "id": review.pk,
                "held_on": review.held_on,
                "plan_version": review.plan.version if review.plan else None,
                "author": review.author.username,
                "notes": review.notes,
            }
            for review in page.reviews
        ],
        "intake": {
            "source": case.intake_source,
            "channel": case.channel,
            "application_date": case.application_date,
            "reported_on": case.reported_on,
            "reporter_name": case.reporter_name,
            "reporter_institution_id": case.reporter_institution_id,
            "qualification_decision": case.qualification_decision,
            "qualified_on": case.qualified_on,
            "refusal_reason": case.refusal_reason,
        }
        if access.full
        else None,
        "plan_deadline": page.plan_deadline.__dict__ if page.plan_deadline else None,
        "plan_end": page.plan_end.__dict__ if page.plan_end else None,
        "typical_end": page.typical_end.__dict__ if page.typical_end else None,
        "closure": {
            "closed_on": case.closed_on,
            "success": case.success,
            "summary_conversation_on": case.summary_conversation_on,
            "summary_notes": case.summary_notes,
            "early_closure_reason": case.early_closure_reason,
        }
        if access.full and case.stage == Stage.CLOSED
        else None,
        "success": case.success,
        "early_closure_reason": case.early_closure_reason if access.full else "",
    }


def _case(request: HttpRequest, case_id: uuid.UUID, need: policies.Need = "read") -> Case:
    return policies.get_case_for_actor(request.user, case_id, need=need).case


def _plan(request: HttpRequest, plan_id: int, need: policies.Need = "write") -> Plan:
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    plan.case = _case(request, plan.case_id, need)
    return plan


# --- cases ------------------------------------------------------------------------------------------------------------


@router.get("/", response=list[CaseListOut], summary="My caseload (cases I see as staff of their owner)")
@paginate(PageNumberPagination)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    return selectors.caseload(
        request.user,
        scope=filters.scope or ("institution" if filters.person else "mine"),
        stage=filters.stage,
        number=filters.number,
        overdue_only=filters.overdue,
        person_id=filters.person,
    )


@router.post("/", response={201: CaseDetailOut}, summary="Open a case")
def create_case(request: HttpRequest, payload: CaseIn) -> tuple[int, dict[str, Any]]:
    owner = Institution.objects.filter(pk=payload.owner_institution_id).first()
    if owner is None or not policies.can_open_case_at(request.user, owner):
        raise Http404
    person = Person.objects.live().filter(pk=payload.person_id).first() if payload.person_id else None
    household = Household.objects.filter(pk=payload.household_id).first() if payload.household_id else None
    if (payload.person_id and person is None) or (payload.household_id and household is None):
        raise Http404
    case = services.case_open(
        actor=request.user,
        owner_institution=owner,
        person=person,
        household=household,
        intake_source=payload.intake_source.value,
        channel=payload.channel.value,
        application_date=payload.application_date,
        reported_on=payload.reported_on,
        reporter_name=payload.reporter_name,
        reporter_institution=_institution(payload.reporter_institution_id) if payload.reporter_institution_id else None,
        niebieska_karta=payload.niebieska_karta,
    )
    return Status(201, _detail(request, policies.get_case_for_actor(request.user, case.pk, need="read")))


class TaskPageOut(Schema):
    items: list[TaskOut]
    count: int
    page: int
    per_page: int
    total_pages: int


@router.get("/tasks", response=TaskPageOut, summary="Tasks of my institutions (the partner's inbox)")
def list_tasks(request: HttpRequest, all: bool = False, page: int = 1, per_page: int = 50) -> dict[str, Any]:
    paginator = Paginator(selectors.inbox(request.user, open_only=not all), max(1, min(per_page, 200)))
    current = paginator.get_page(page)
    return {
        "items": [_task_out(task) for task in current.object_list],
        "count": paginator.count,
        "page": current.number,
        "per_page": paginator.per_page,
        "total_pages": paginator.num_pages,
    }


@router.get("/tasks/{task_id}", response=TaskDetailOut, summary="One task with its progress reports")
def get_task(request: HttpRequest, task_id: int) -> dict[str, Any]:
    task, _level = policies.get_task_for_actor(request.user, task_id)
    for item in selectors.shown_persons(request.user, task.plan.case):
        if item.shown_categories:
            privacy_services.access_log_record(
                actor=request.user,
                person=item.person,
                categories=item.shown_categories,
                purpose=Purpose.PLAN_TASK,
                channel=Channel.API,
                resource=f"api cases.task {task.pk}",
            )
    return {
        **_task_out(task),
        "progress": [
            {"at": p.at, "author": p.author.username, "text": p.text, "status_after": p.status_after}
            for p in selectors.task_page(task)
        ],
    }


@router.post("/tasks/{task_id}/progress", response={201: TaskOut}, summary="Report progress on a task")
def report_progress(request: HttpRequest, task_id: int, payload: ProgressIn) -> tuple[int, dict[str, Any]]:
    task, _level = policies.get_task_for_actor(request.user, task_id, need="report")
    services.task_progress_report(actor=request.user, task=task, text=payload.text, status=payload.status.value)
    task.refresh_from_db()
    return Status(201, _task_out(task))


@router.get("/{case_id}", response=CaseDetailOut, summary="One case (what the actor may see of it)")
def get_case(request: HttpRequest, case_id: uuid.UUID) -> dict[str, Any]:
    return _detail(request, policies.get_case_for_actor(request.user, case_id, need="partner"))


@router.post("/{case_id}/transition", response=CaseOut, summary="Qualify, refuse or move the case to its next stage")
def transition(request: HttpRequest, case_id: uuid.UUID, payload: TransitionIn) -> Case:
    case = _case(request, case_id, "write")
    if payload.decision is not None:
        return services.case_qualify(
            actor=request.user, case=case, decision=payload.decision.value, reason=payload.reason
        )
    if payload.to_stage is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"to_stage": "Give the next stage or a qualification decision."})
    return services.case_advance(actor=request.user, case=case, to_stage=payload.to_stage.value)


@router.post("/{case_id}/team", response={201: MemberOut}, summary="Add an institution to the case team")
def add_member(request: HttpRequest, case_id: uuid.UUID, payload: MemberIn) -> tuple[int, dict[str, Any]]:
    case = _case(request, case_id, "write")
    member = services.team_member_add(
        actor=request.user,
        case=case,
        institution=_institution(payload.institution_id),
        user=_user(payload.user),
        role=payload.role.value,
        categories=[c.value for c in payload.categories],
    )
    return Status(
        201,
        {
            "id": member.pk,
            "institution_id": member.institution_id,
            "user": member.user.username if member.user else None,
            "role": member.role,
            "joined_on": member.joined_on,
            "left_on": member.left_on,
            "shares": [
                {
                    "person_id": s.person_id,
                    "category": s.category,
                    "legal_basis": s.legal_basis.code if s.legal_basis else None,
                    "consent_id": s.consent_id,
                }
                for s in member.shares.select_related("legal_basis")
            ],
        },
    )


@router.delete("/{case_id}/team/{member_id}", response={204: None}, summary="Remove an institution from the team")
def remove_member(request: HttpRequest, case_id: uuid.UUID, member_id: int) -> tuple[int, None]:
    case = _case(request, case_id, "write")
    member = CaseTeamMember.objects.filter(case=case, pk=member_id).select_related("institution").first()
    if member is None:
        raise Http404
    services.team_member_remove(actor=request.user, case=case, member=member)
    return Status(204, None)


@router.post("/{case_id}/assessment", response={201: AssessmentOut}, summary="Assess a life domain")
def add_assessment(request: HttpRequest, case_id: uuid.UUID, payload: AssessmentIn) -> tuple[int, dict[str, Any]]:
    case = _case(request, case_id, "write")
    entry = services.assessment_record(
        actor=request.user,
        case=case,
        domain=payload.domain.value,
        strengths=payload.strengths,
        needs=payload.needs,
        institution=_institution(payload.institution_id) if payload.institution_id else None,
    )
    return Status(
        201,
        {
            "domain": entry.domain,
            "strengths": entry.strengths,
            "needs": entry.needs,
            "assessed_by": request.user.get_username(),
            "assessed_by_institution_id": entry.assessed_by_institution_id,
            "assessed_on": entry.assessed_on,
        },
    )


def _plan_out(plan: Plan) -> dict[str, Any]:
    goals = plan.goals.prefetch_related("tasks__owner_user").order_by("order", "pk")
    return {
        "id": plan.pk,
        "version": plan.version,
        "status": plan.status,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "approved_by": plan.approved_by.username if plan.approved_by else None,
        "approved_at": plan.approved_at,
        "goals": [
            {
                "id": g.pk,
                "order": g.order,
                "title": g.title,
                "outcome": g.outcome,
                "tasks": [_task_out(t) for t in g.tasks.all()],
            }
            for g in goals
        ],
    }


@router.post("/{case_id}/plans", response={201: PlanOut}, summary="Draw up the plan (first version)")
def create_plan(request: HttpRequest, case_id: uuid.UUID, payload: PlanIn) -> tuple[int, dict[str, Any]]:
    case = _case(request, case_id, "write")
    plan = services.plan_create(actor=request.user, case=case, starts_on=payload.starts_on, ends_on=payload.ends_on)
    return Status(201, _plan_out(plan))


@router.post("/plans/{plan_id}/actions", response=PlanOut, summary="Submit, approve, return or make a new version")
def plan_action(request: HttpRequest, plan_id: int, payload: PlanActionIn) -> dict[str, Any]:
    need: policies.Need = "read" if payload.action in ("approve", "return") else "write"
    plan = _plan(request, plan_id, need)
    if payload.action == "submit":
        plan = services.plan_submit(actor=request.user, plan=plan)
    elif payload.action == "approve":
        plan = services.plan_approve(actor=request.user, plan=plan)
    elif payload.action == "return":
        plan = services.plan_return(actor=request.user, plan=plan)
    elif payload.action == "new_version":
        plan = services.plan_new_version(actor=request.user, case=plan.case)
    else:
        from django.core.exceptions import ValidationError

        raise ValidationError({"action": "Choose submit, approve, return or new_version."})
    return _plan_out(plan)


@router.patch("/plans/{plan_id}", response=PlanOut, summary="Change the dates of a draft plan")
def update_plan(request: HttpRequest, plan_id: int, payload: PlanIn) -> dict[str, Any]:
    plan = _plan(request, plan_id)
    plan = services.plan_update(actor=request.user, plan=plan, starts_on=payload.starts_on, ends_on=payload.ends_on)
    return _plan_out(plan)


@router.post("/plans/{plan_id}/goals", response={201: GoalOut}, summary="Add a goal to a draft plan")
def add_goal(request: HttpRequest, plan_id: int, payload: GoalIn) -> tuple[int, dict[str, Any]]:
    plan = _plan(request, plan_id)
    goal = services.goal_add(actor=request.user, plan=plan, title=payload.title)
    return Status(201, {"id": goal.pk, "order": goal.order, "title": goal.title, "outcome": goal.outcome, "tasks": []})


@router.post("/plans/{plan_id}/tasks", response={201: TaskOut}, summary="Add a task to a draft plan")
def add_task(request: HttpRequest, plan_id: int, payload: TaskIn) -> tuple[int, dict[str, Any]]:
    plan = _plan(request, plan_id)
    goal = Goal.objects.filter(pk=payload.goal_id, plan=plan).first()
    if goal is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"goal_id": "Choose a goal of this plan."})
    task = services.task_add(
        actor=request.user,
        plan=plan,
        goal=goal,
        title=payload.title,
        owner_institution=_institution(payload.owner_institution_id),
        owner_user=_user(payload.owner_user),
        due_on=payload.due_on,
    )
    return Status(201, _task_out(task))


@router.post("/{case_id}/reviews", response={201: ReviewOut}, summary="Record a review of the plan")
def add_review(request: HttpRequest, case_id: uuid.UUID, payload: ReviewIn) -> Any:
    case = _case(request, case_id, "write")
    review = services.review_add(actor=request.user, case=case, notes=payload.notes, held_on=payload.held_on)
    return Status(
        201,
        {
            "id": review.pk,
            "held_on": review.held_on,
            "plan_version": review.plan.version if review.plan else None,
            "author": request.user.get_username(),
            "notes": review.notes,
        },
    )


@router.get("/{case_id}/notes", response=list[NoteOut], summary="The notes of a case I may see")
def list_notes(request: HttpRequest, case_id: uuid.UUID) -> list[dict[str, Any]]:
    access = policies.get_case_for_actor(request.user, case_id, need="read")
    notes = list(policies.visible_notes(access).select_related("author"))
    if notes:
        for item in selectors.shown_persons(request.user, access.case):
            privacy_services.access_log_record(
                actor=request.user,
                person=item.person,
                categories=item.categories,
                purpose=Purpose.CASE_WORK,
                channel=Channel.API,
                resource=f"api cases.notes {access.case.pk}",
                institution=access.case.owner_institution,
            )
    return [
        {"id": n.pk, "at": n.at, "author": n.author.username, "sensitivity": n.sensitivity, "text": n.text}
        for n in notes
    ]


@router.post("/{case_id}/notes", response={201: NoteOut}, summary="Add a note")
def add_note(request: HttpRequest, case_id: uuid.UUID, payload: NoteIn) -> tuple[int, dict[str, Any]]:
    case = _case(request, case_id, "write")
    note = services.note_add(actor=request.user, case=case, text=payload.text, sensitivity=payload.sensitivity.value)
    return Status(
        201,
        {
            "id": note.pk,
            "at": note.at,
            "author": request.user.get_username(),
            "sensitivity": note.sensitivity,
            "text": note.text,
        },
    )


@router.post("/{case_id}/closure", response=CaseOut, summary="Close the case with outcomes")
def close_case(request: HttpRequest, case_id: uuid.UUID, payload: ClosureIn) -> Case:
    case = _case(request, case_id, "write")
    return services.case_close(
        actor=request.user,
        case=case,
        outcomes={int(k): v.value for k, v in payload.outcomes.items()},
        success=payload.success,
        summary_conversation_on=payload.summary_conversation_on,
        summary_notes=payload.summary_notes,
        early_closure_reason=payload.early_closure_reason,
    )
