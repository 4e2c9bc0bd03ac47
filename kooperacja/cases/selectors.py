"""Reads of the cases context, scoped to what the actor may see, each page with a constant number of queries."""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from kooperacja.cases import policies
from kooperacja.cases.models import (
    OPEN_STAGES,
    OPEN_TASK_STATUSES,
    AssessmentEntry,
    Case,
    CaseEvent,
    CaseRules,
    CaseTeamMember,
    Goal,
    LifeDomain,
    Note,
    Plan,
    PlanStatus,
    Review,
    Stage,
    Task,
    TaskProgress,
    TeamShare,
    months_after,
)
from kooperacja.people.models import Person
from kooperacja.privacy.models import DataCategory

# Which data category each life domain of the assessment belongs to (what a partner must have been given to see it).
DOMAIN_CATEGORY: dict[str, str] = {
    LifeDomain.HOUSING: DataCategory.HOUSING,
    LifeDomain.INCOME: DataCategory.FINANCES,
    LifeDomain.WORK: DataCategory.EMPLOYMENT,
    LifeDomain.HEALTH: DataCategory.HEALTH,
    LifeDomain.MENTAL_HEALTH: DataCategory.HEALTH,
    LifeDomain.ADDICTION: DataCategory.ADDICTION,
    LifeDomain.EDUCATION: DataCategory.EDUCATION,
    LifeDomain.PARENTING: DataCategory.FAMILY,
    LifeDomain.VIOLENCE: DataCategory.VIOLENCE,
    LifeDomain.DISABILITY: DataCategory.HEALTH,
    LifeDomain.JUSTICE: DataCategory.JUSTICE,
    LifeDomain.SOCIAL_RELATIONS: DataCategory.FAMILY,
}
DUE_SOON_DAYS = 14
CASE_LIST_RELATED = ("owner_institution", "coordinator", "gmina")


@dataclass(frozen=True)
class Deadline:
    """A date and where today stands to it: 'due' in N days (near when ≤ 14), or 'overdue' by N days."""

    on: datetime.date
    days: int
    overdue: bool

    @property
    def near(self) -> bool:
        return not self.overdue and self.days <= DUE_SOON_DAYS


def deadline(on: datetime.date | None, today: datetime.date | None = None) -> Deadline | None:
    if on is None:
        return None
    today = today or timezone.localdate()
    delta = (on - today).days
    return Deadline(on=on, days=abs(delta), overdue=delta < 0)


# --- the coordinator's caseload --------------------------------------------------------------------------------------


def _with_counts(cases: QuerySet[Case]) -> QuerySet[Case]:
    today = timezone.localdate()
    # Open tasks of the plan in force of an open case (a closed case's leftover tasks are no longer due).
    in_force = Q(stage__in=OPEN_STAGES, plans__status=PlanStatus.APPROVED, plans__tasks__status__in=OPEN_TASK_STATUSES)
    return cases.select_related(*CASE_LIST_RELATED).annotate(
        open_tasks=Count("plans__tasks", filter=in_force, distinct=True),
        overdue_tasks=Count("plans__tasks", filter=in_force & Q(plans__tasks__due_on__lt=today), distinct=True),
        next_due=Min("plans__tasks__due_on", filter=in_force),
        has_plan=Exists(Plan.objects.filter(case_id=OuterRef("pk"), status=PlanStatus.APPROVED)),
    )


def caseload(
    actor: Any,
    *,
    scope: str = "mine",
    stage: str = "",
    number: str = "",
    overdue_only: bool = False,
    person_id: Any = None,
) -> QuerySet[Case]:
    """The cases the actor sees as staff of their owner institution: hers (scope "mine") or the institution's; with
    `person_id`, only those about that person or a household she belongs or belonged to."""
    cases = policies.owned_cases(actor)
    if scope == "mine":
        cases = cases.filter(coordinator=actor)
    if person_id is not None:
        from kooperacja.people.models import HouseholdMember

        households = HouseholdMember.objects.filter(person_id=person_id).values("household_id")
        cases = cases.filter(Q(person_id=person_id) | Q(household_id__in=households))
    if stage == "open":
        cases = cases.filter(stage__in=OPEN_STAGES)
    elif stage in Stage.values:
        cases = cases.filter(stage=stage)
    if number.strip():
        cases = cases.filter(number__icontains=number.strip())
    cases = _with_counts(cases)
    if overdue_only:
        cases = cases.filter(overdue_tasks__gt=0)  # type: ignore[misc]
    return cases.order_by("-opened_at", "pk")


@dataclass
class CaseloadPanel:
    tasks_due: list[Task]
    tasks_overdue: list[Task]
    plan_deadlines: list[tuple[Case, Deadline]]


def caseload_panel(actor: Any, *, limit: int = 20) -> CaseloadPanel:
    """Tasks due soon and overdue in the actor's own cases, and the plans still to be drawn up before a deadline."""
    today = timezone.localdate()
    mine = policies.owned_cases(actor).filter(coordinator=actor, stage__in=OPEN_STAGES)
    tasks = (
        Task.objects.filter(plan__case__in=mine, plan__status=PlanStatus.APPROVED, status__in=OPEN_TASK_STATUSES)
        .select_related("plan__case", "owner_institution")
        .order_by("due_on", "pk")
    )
    due = list(tasks.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))[:limit])
    overdue = list(tasks.filter(due_on__lt=today)[:limit])
    pending = (
        mine.filter(plan_due_on__isnull=False)
        .exclude(Exists(Plan.objects.filter(case_id=OuterRef("pk"), status__in=[PlanStatus.APPROVED])))
        .order_by("plan_due_on", "pk")[:limit]
    )
    plan_deadlines = [(case, d) for case in pending if (d := deadline(case.plan_due_on, today)) is not None]
    return CaseloadPanel(tasks_due=due, tasks_overdue=overdue, plan_deadlines=plan_deadlines)


# --- the partner's inbox ---------------------------------------------------------------------------------------------


def inbox(actor: Any, *, open_only: bool = True) -> QuerySet[Task]:
    """The tasks of the actor's institutions across the cases she may see."""
    tasks = policies.partner_tasks(actor).select_related(
        "plan__case", "plan__case__owner_institution", "goal", "owner_institution", "owner_user"
    )
    if open_only:
        tasks = tasks.filter(status__in=OPEN_TASK_STATUSES, plan__case__stage__in=OPEN_STAGES)
    return tasks.order_by("due_on", "pk")


# --- the case page ----------------------------------------------------------------------------------------------------


@dataclass
class ShownPerson:
    person: Person
    categories: set[str]

    @property
    def identity(self) -> bool:
        return DataCategory.IDENTITY in self.categories

    @property
    def contact(self) -> bool:
        return DataCategory.CONTACT in self.categories

    @property
    def shown_categories(self) -> set[str]:
        """What the page shows of the person herself: identity and contact fields (when visible)."""
        return self.categories & {DataCategory.IDENTITY, DataCategory.CONTACT}


def shown_persons(actor: Any, case: Case) -> list[ShownPerson]:
    """The case's persons with the categories the actor may see of each (two queries)."""
    from kooperacja.cases.services import subject_persons

    persons = subject_persons(case)
    categories: dict[Any, set[str]] = {person.pk: set() for person in persons}
    rows = policies.actor_grants(actor).filter(person_id__in=list(categories)).values_list("person_id", "categories")
    for person_id, grant_categories in rows:
        categories[person_id].update(grant_categories or [])
    return [ShownPerson(person=p, categories=categories[p.pk]) for p in persons if categories[p.pk]]


def _plans(case: Case) -> QuerySet[Plan]:
    tasks = Task.objects.select_related("owner_institution", "owner_user").prefetch_related(
        Prefetch("progress", queryset=TaskProgress.objects.select_related("author", "institution"))
    )
    return (
        Plan.objects.filter(case=case)
        .select_related("approved_by", "created_by")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.prefetch_related(Prefetch("tasks", queryset=tasks))))
        .order_by("-version")
    )


@dataclass
class CasePage:
    access: policies.CaseAccess
    rules: CaseRules
    persons: list[ShownPerson]
    members: list[CaseTeamMember] = field(default_factory=list)
    assessment: list[AssessmentEntry] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)
    my_tasks: list[Task] = field(default_factory=list)
    plan_deadline: Deadline | None = None
    plan_end: Deadline | None = None
    # The end of the variant's typical duration (IPW: 13 months from the opening), while the case is open.
    typical_end: Deadline | None = None
    duration_months: int = 0

    @property
    def current_plan(self) -> Plan | None:
        return next((p for p in self.plans if p.status == PlanStatus.APPROVED), None)

    @property
    def draft_plan(self) -> Plan | None:
        return next((p for p in self.plans if p.status in (PlanStatus.DRAFT, PlanStatus.AWAITING_APPROVAL)), None)

    @property
    def categories_shown(self) -> set[str]:
        """The categories the page shows, for the access log."""
        shown: set[str] = set()
        for item in self.persons:
            shown |= item.shown_categories
        for entry in self.assessment:
            shown.add(DOMAIN_CATEGORY[entry.domain])
        if self.access.full and (self.notes or self.reviews):
            for item in self.persons:
                shown |= item.categories
        return shown


def case_page(access: policies.CaseAccess, actor: Any) -> CasePage:
    """Everything the actor may see of the case: all of it for the owner's staff; for a partner only her
    institution's tasks and the assessment domains whose categories were shared with her."""
    case = access.case
    today = timezone.localdate()
    persons = shown_persons(actor, case)
    page = CasePage(access=access, rules=policies.rules_for(case), persons=persons)
    visible: set[str] = set()
    for item in persons:
        visible |= item.categories
    assessment = AssessmentEntry.objects.filter(case=case).select_related("assessed_by", "assessed_by_institution")
    if access.full:
        page.members = list(
            CaseTeamMember.objects.filter(case=case)
            .select_related("institution", "user")
            .prefetch_related(
                Prefetch("shares", queryset=TeamShare.objects.select_related("legal_basis", "consent", "person"))
            )
            .order_by("left_on", "joined_on", "pk")
        )
        page.assessment = list(assessment)
        page.plans = list(_plans(case))
        page.reviews = list(Review.objects.filter(case=case).select_related("author", "plan"))
        page.notes = list(policies.visible_notes(access).select_related("author", "institution"))
        page.events = list(CaseEvent.objects.filter(case=case).select_related("actor")[:200])
        current = page.current_plan
        if case.is_open and current is None and case.plan_due_on:
            page.plan_deadline = deadline(case.plan_due_on, today)
        if current is not None and current.ends_on and case.is_open:
            page.plan_end = deadline(current.ends_on, today)
        if case.is_open and page.rules.typical_months_max and case.opened_on:
            page.typical_end = deadline(months_after(case.opened_on, page.rules.typical_months_max), today)
    else:
        domains = [d for d, category in DOMAIN_CATEGORY.items() if category in visible]
        page.assessment = list(assessment.filter(domain__in=domains))
        from kooperacja.privacy.policies import acting_institution_ids

        page.my_tasks = list(
            Task.objects.filter(
                plan__case=case,
                plan__status__in=policies.OPEN_PLAN_STATUSES,
                owner_institution_id__in=acting_institution_ids(actor),
            )
            .select_related("goal", "owner_institution", "owner_user", "plan")
            .prefetch_related(Prefetch("progress", queryset=TaskProgress.objects.select_related("author")))
            .order_by("due_on", "pk")
        )
    end = case.closed_on or today
    page.duration_months = (end.year - case.opened_at.year) * 12 + end.month - case.opened_at.month
    return page


def task_page(task: Task) -> list[TaskProgress]:
    return list(task.progress.select_related("author", "institution").order_by("-at", "-pk"))


# --- for the monitoring indicators ------------------------------------------------------------------------------------


def case_figures_by_gmina(
    *, gmina_ids: Iterable[Any], period_start: datetime.date, period_end: datetime.date
) -> dict[Any, dict[str, Any]]:
    """Aggregates per gmina for the monitoring indicators (no personal data leaves): cases active in the period,
    persons and households supported, cases closed in the period, closed successfully, median duration (days) of
    the cases closed in the period. Refused cases are not counted as supported."""
    ids = list(gmina_ids)
    result: dict[Any, dict[str, Any]] = {
        gmina_id: {
            "cases_active": 0,
            "persons_supported": 0,
            "households_supported": 0,
            "closed": 0,
            "closed_successfully": 0,
            "median_duration_days": None,
        }
        for gmina_id in ids
    }
    active = (
        Case.objects.filter(gmina_id__in=ids, opened_at__date__lte=period_end)
        .exclude(stage=Stage.REFUSED)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=period_start))
    )
    for row in active.values("gmina_id").annotate(
        cases=Count("pk"),
        persons=Count("person_id", distinct=True),
        households=Count("household_id", distinct=True),
    ):
        figures = result[row["gmina_id"]]
        figures.update(
            cases_active=row["cases"], persons_supported=row["persons"], households_supported=row["households"]
        )
    closed = Case.objects.filter(
        gmina_id__in=ids, stage=Stage.CLOSED, closed_on__gte=period_start, closed_on__lte=period_end
    )
    durations: dict[Any, list[int]] = {}
    for gmina_id, opened_at, closed_on, success in closed.values_list("gmina_id", "opened_at", "closed_on", "success"):
        figures = result[gmina_id]
        figures["closed"] += 1
        figures["closed_successfully"] += 1 if success else 0
        if closed_on is not None:
            durations.setdefault(gmina_id, []).append((closed_on - timezone.localtime(opened_at).date()).days)
    for gmina_id, values in durations.items():
        result[gmina_id]["median_duration_days"] = statistics.median(values)
    return result


# --- the person's report (GDPR art. 15) --------------------------------------------------------------------------------


def person_report_sections(*, person: Person, actor: Any = None) -> list[Any]:
    """privacy.reports' section "cases and plans": every case about the person (or a household she belongs or belonged
    to) with what it holds — intake, team and what was shared on which basis, assessment, plan goals and tasks,
    reviews, ordinary notes, closure. Sensitive and Niebieska Karta notes are counted, not copied: the DPO decides
    what of them is handed over (art. 15(4), art. 23 GDPR). A constant number of queries whatever the number of cases.
    """
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from kooperacja.cases.models import Sensitivity
    from kooperacja.privacy.reports import ReportSection, ReportTable, categories_text

    def day(value: Any) -> str:
        return date_format(value, "SHORT_DATE_FORMAT") if value else "—"

    household_ids = person.memberships.values("household_id")
    cases = list(
        Case.objects.filter(Q(person=person) | Q(household_id__in=household_ids))
        .select_related("owner_institution", "reporter_institution", "household")
        .prefetch_related(
            Prefetch(
                "team_members",
                queryset=CaseTeamMember.objects.select_related("institution").prefetch_related(
                    Prefetch("shares", queryset=TeamShare.objects.select_related("legal_basis", "consent"))
                ),
            ),
            Prefetch("assessment", queryset=AssessmentEntry.objects.select_related("assessed_by_institution")),
            Prefetch(
                "plans",
                queryset=Plan.objects.prefetch_related(
                    Prefetch(
                        "goals",
                        queryset=Goal.objects.prefetch_related(
                            Prefetch("tasks", queryset=Task.objects.select_related("owner_institution"))
                        ),
                    )
                ).order_by("version"),
            ),
            Prefetch("reviews", queryset=Review.objects.order_by("held_on", "pk")),
            Prefetch("notes", queryset=Note.objects.order_by("at", "pk")),
        )
        .order_by("opened_at", "pk")
    )
    if not cases:
        return [ReportSection(title=_("Cases and plans"), paragraphs=[_("No case concerns the person.")])]
    sections = []
    for case in cases:
        subject = case.household.name if case.household_id and case.household else _("the person")
        fields = [
            (_("Case number"), case.number),
            (_("Owner institution"), case.owner_institution.name),
            (_("About"), subject),
            (_("Stage"), str(case.get_stage_display())),
            (_("Name of the plan"), str(case.get_plan_label_display())),
            (_("Started from"), f"{case.get_intake_source_display()} ({case.get_channel_display()})"),
            (_("Application date"), day(case.application_date)),
            (_("Reported on"), day(case.reported_on)),
            (
                _("Reported by"),
                ", ".join(p for p in (case.reporter_name, getattr(case.reporter_institution, "name", "")) if p) or "—",
            ),
            (_("Qualification"), f"{case.get_qualification_decision_display() or '—'} {day(case.qualified_on)}"),
            (_("Closed on"), day(case.closed_on)),
            (
                _("Completed successfully"),
                "—" if case.success is None else (_("yes") if case.success else _("no")),
            ),
            (_("Summary of the course and results"), case.summary_notes or "—"),
            (_("Reason for closing early"), case.early_closure_reason or "—"),
        ]
        team = ReportTable(
            caption=_("Case team: member institutions and what was shared with them"),
            headers=[_("Institution"), _("Role in the team"), _("Shared, and on what basis"), _("Membership")],
            rows=[
                [
                    member.institution.name,
                    str(member.get_role_display()),
                    "; ".join(
                        f"{categories_text([share.category])}: "
                        + (
                            share.legal_basis.reference
                            if share.legal_basis
                            else _("consent given on %(day)s") % {"day": day(getattr(share.consent, "given_on", None))}
                        )
                        for share in member.shares.all()
                        if share.person_id == person.pk
                    )
                    or "—",
                    f"{day(member.joined_on)} – {day(member.left_on) if member.left_on else ''}",
                ]
                for member in case.team_members.all()
            ],
            empty=_("No partner institution was in the case team."),
        )
        assessment = ReportTable(
            caption=_("Joint assessment"),
            headers=[_("Life domain"), _("Strengths"), _("Needs"), _("Assessed by")],
            rows=[
                [
                    str(entry.get_domain_display()),
                    entry.strengths or "—",
                    entry.needs or "—",
                    f"{entry.assessed_by_institution.name}, {day(entry.assessed_on)}",
                ]
                for entry in case.assessment.all()
            ],
            empty=_("No life domain assessed yet."),
        )
        plan_rows: list[Sequence[str]] = [
            [
                f"{plan.version}. {goal.title}",
                str(plan.get_status_display()),
                "; ".join(
                    f"{task.title} ({task.owner_institution.name}, {task.get_status_display()})"
                    for task in goal.tasks.all()
                )
                or "—",
                str(goal.get_outcome_display()) if goal.outcome else "—",
            ]
            for plan in case.plans.all()
            for goal in plan.goals.all()
        ]
        plans = ReportTable(
            caption=_("Individual plan: goals and tasks (by version)"),
            headers=[_("Goal"), _("Status"), _("Tasks"), _("Outcome")],
            rows=plan_rows,
            empty=_("No plan yet."),
        )
        notes = list(case.notes.all())
        ordinary = [note for note in notes if note.sensitivity == Sensitivity.ORDINARY]
        review_rows: list[Sequence[str]] = [
            [day(review.held_on), _("review"), review.notes] for review in case.reviews.all()
        ]
        review_rows += [[day(timezone.localtime(note.at).date()), _("note"), note.text] for note in ordinary]
        reviews = ReportTable(
            caption=_("Reviews and ordinary notes"),
            headers=[_("Date"), _("Kind"), _("Text")],
            rows=review_rows,
            empty=_("No reviews or ordinary notes."),
        )
        withheld = len(notes) - len(ordinary)
        paragraphs = []
        if withheld:
            paragraphs.append(
                _(
                    "The case also holds %(count)d sensitive or Niebieska Karta notes; the data protection officer "
                    "decides what of them may be handed over (art. 15(4) and art. 23 GDPR)."
                )
                % {"count": withheld}
            )
        sections.append(
            ReportSection(
                title=_("Case %(number)s") % {"number": case.number},
                fields=fields,
                paragraphs=paragraphs,
                tables=[team, assessment, plans, reviews],
            )
        )
    return sections
