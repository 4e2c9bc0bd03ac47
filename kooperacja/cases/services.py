"""Writes of the cases context. Each checks its policy, validates, saves in one transaction, writes the audit record
and a line of the case's timeline (CaseEvent, without personal data), and opens or ends access grants through
`privacy.services`."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kooperacja.accounts.models import Membership
from kooperacja.cases import policies
from kooperacja.cases.models import (
    NEXT_STAGE,
    OPEN_TASK_STATUSES,
    AssessmentEntry,
    Case,
    CaseCounter,
    CaseEvent,
    CaseRules,
    CaseTeamMember,
    Goal,
    GoalOutcome,
    IntakeSource,
    LifeDomain,
    Note,
    Plan,
    PlanStatus,
    QualificationDecision,
    Review,
    Sensitivity,
    Stage,
    Task,
    TaskProgress,
    TaskStatus,
    TeamShare,
    months_after,
)
from kooperacja.core.services import audit_record
from kooperacja.people.models import Household, Person
from kooperacja.privacy import policies as privacy_policies
from kooperacja.privacy import retention
from kooperacja.privacy import services as privacy_services
from kooperacja.privacy.models import Consent, DataCategory, LegalBasis

# What a task owner outside the team sees of the person, at most (need to know): who she is and how to reach her.
TASK_CATEGORIES = (DataCategory.IDENTITY, DataCategory.CONTACT)


def _save(instance: Any) -> None:
    instance.full_clean()
    instance.save()


def _event(*, actor: Any, case: Case, kind: str, summary: str = "", target: Any = None, **data: Any) -> CaseEvent:
    """A line of the timeline and the audit record, inside the caller's transaction."""
    event = CaseEvent.objects.create(
        case=case, actor=actor if getattr(actor, "is_authenticated", False) else None, kind=kind, summary=summary[:300]
    )
    audit_record(
        actor=actor,
        action=f"cases.{kind}",
        target=target if target is not None else case,
        institution_id=case.owner_institution_id,
        data={"case": str(case.pk), **data},
    )
    return event


def _access(actor: Any, case: Case, need: policies.Need = "write") -> policies.CaseAccess:
    access = policies.get_case_for_actor(actor, case.pk, need=need)
    if need == "write":
        policies.require_open(access.case)
    return access


def subject_persons(case: Case) -> list[Person]:
    """The persons the case is about: its person, or the current members of its household."""
    if case.person_id:
        return [case.person] if case.person is not None else []
    today = timezone.localdate()
    return list(
        Person.objects.live()
        .filter(memberships__household=case.household)
        .exclude(memberships__until__lt=today)
        .distinct()
        .order_by("name_search", "pk")
    )


def _basis(code: str) -> LegalBasis:
    basis = LegalBasis.objects.filter(code=code, active=True).first()
    if basis is None:
        raise ValidationError(
            _("The legal basis %(code)s is missing from the register of legal bases: ask the administrator.")
            % {"code": code}
        )
    return basis


def _number_prefix(institution: Any) -> str:
    text = institution.short_name or institution.name or "OPS"
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").upper()
    return text[:20] or "OPS"


def _next_number(institution: Any, year: int) -> str:
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(institution=institution, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{_number_prefix(institution)}/{year}/{counter.last:04d}"


def rules_for_gmina(gmina: Any) -> CaseRules:
    """The gmina's case rules (set in the admin or the demo), or the standard rules."""
    rules = CaseRules.objects.filter(gmina=gmina).first()
    return rules or CaseRules.for_variant("standard", gmina=gmina)


def plan_due_date(rules: CaseRules, application_date: datetime.date | None) -> datetime.date | None:
    if rules.plan_due_days and application_date:
        return application_date + datetime.timedelta(days=rules.plan_due_days)
    return None


def _may_see_subject(actor: Any, owner: Any, person: Person | None, household: Household | None) -> bool:
    if person is not None:
        return person.recorded_by_institution_id == owner.pk or privacy_policies.can_see_person(actor, person)
    assert household is not None
    if household.recorded_by_institution_id == owner.pk:
        return True
    member_ids = household.members.values("person_id")
    return (
        privacy_policies.valid_grants()
        .filter(person_id__in=member_ids, institution_id__in=privacy_policies.acting_institution_ids(actor))
        .exists()
    )


# --- opening and moving a case --------------------------------------------------------------------------------------


def case_open(
    *,
    actor: Any,
    owner_institution: Any,
    intake_source: str,
    channel: str,
    person: Person | None = None,
    household: Household | None = None,
    gmina: Any = None,
    application_date: datetime.date | None = None,
    reported_on: datetime.date | None = None,
    reporter_name: str = "",
    reporter_institution: Any = None,
    niebieska_karta: bool = False,
    coordinator: Any = None,
) -> Case:
    """Open a case at the actor's OPS/CUS for a person or a household she may see; the owner institution gets a
    grant on its statutory basis (a Niebieska Karta case: only the coordinator, named, on art. 9c)."""
    if not policies.can_open_case_at(actor, owner_institution):
        raise PermissionDenied(_("Only a case coordinator or the manager of an OPS/CUS opens cases there."))
    if (person is None) == (household is None):
        raise ValidationError(_("A case is about one person or one household: choose one."))
    if not _may_see_subject(actor, owner_institution, person, household):
        raise Http404
    coordinator = coordinator or actor
    if not Membership.objects.current().filter(user=coordinator, institution=owner_institution).exists():
        raise ValidationError({"coordinator": _("The coordinator must work at the owner institution.")})
    if intake_source == IntakeSource.APPLICATION and application_date is None:
        raise ValidationError({"application_date": _("Give the date of the application.")})
    if intake_source == IntakeSource.REPORT and reported_on is None:
        raise ValidationError({"reported_on": _("Give the date of the report.")})
    today = timezone.localdate()
    for field, value in (("application_date", application_date), ("reported_on", reported_on)):
        if value is not None and value > today:
            raise ValidationError({field: _("The date cannot be in the future.")})
    subject = person if person is not None else household
    gmina = gmina or getattr(subject, "gmina", None) or owner_institution.gmina
    if gmina is None:
        raise ValidationError({"gmina": _("Choose the gmina of the case.")})
    rules = rules_for_gmina(gmina)
    basis = _basis(policies.BLUE_CARD_BASIS_CODE if niebieska_karta else policies.owner_basis_code(owner_institution))
    with transaction.atomic():
        case = Case(
            number=_next_number(owner_institution, today.year),
            owner_institution=owner_institution,
            coordinator=coordinator,
            gmina=gmina,
            person=person,
            household=household,
            variant=rules.variant,
            plan_label=rules.plan_label,
            intake_source=intake_source,
            channel=channel,
            application_date=application_date if intake_source == IntakeSource.APPLICATION else None,
            reported_on=reported_on if intake_source == IntakeSource.REPORT else None,
            reporter_name=reporter_name.strip() if intake_source == IntakeSource.REPORT else "",
            reporter_institution=reporter_institution if intake_source == IntakeSource.REPORT else None,
            plan_due_on=plan_due_date(rules, application_date if intake_source == IntakeSource.APPLICATION else None),
            niebieska_karta=niebieska_karta,
        )
        case.ref = str(case.pk)
        _save(case)
        categories = basis.covers or policies.all_categories()
        for subject_person in subject_persons(case):
            privacy_services.grant_open(
                actor=actor,
                person=subject_person,
                institution=owner_institution,
                categories=categories,
                source_type=policies.BLUE_CARD if niebieska_karta else policies.CASE_OWNER,
                source_id=case.ref,
                legal_basis=basis,
                user=coordinator if niebieska_karta else None,
            )
        _event(
            actor=actor,
            case=case,
            kind="case_open",
            summary=_("Case opened from %(source)s (%(channel)s).")
            % {"source": case.get_intake_source_display(), "channel": case.get_channel_display()},
            source=intake_source,
        )
    return case


def case_advance(*, actor: Any, case: Case, to_stage: str) -> Case:
    """Move the case to its next stage (planning → implementation needs a plan in force)."""
    case = _access(actor, case).case
    if NEXT_STAGE.get(case.stage) != to_stage:
        raise ValidationError(
            _("The case cannot move from %(from)s to %(to)s.") % {"from": case.get_stage_display(), "to": to_stage}
        )
    if to_stage == Stage.IMPLEMENTATION and not case.plans.filter(status=PlanStatus.APPROVED).exists():
        raise ValidationError(_("The plan must be approved before its implementation starts."))
    with transaction.atomic():
        before = case.get_stage_display()
        case.stage = to_stage
        _save(case)
        _event(
            actor=actor,
            case=case,
            kind="case_stage",
            summary=_("Stage: %(from)s → %(to)s.") % {"from": before, "to": case.get_stage_display()},
            stage=to_stage,
        )
    return case


def case_qualify(*, actor: Any, case: Case, decision: str, on: datetime.date | None = None, reason: str = "") -> Case:
    """Qualify the case (it moves on to the joint assessment) or refuse it (with the reason)."""
    case = _access(actor, case).case
    if case.stage not in (Stage.INTAKE, Stage.QUALIFICATION):
        raise ValidationError(_("The case has already been qualified."))
    if decision not in QualificationDecision.values:
        raise ValidationError({"decision": _("Choose qualified or refused.")})
    if decision == QualificationDecision.REFUSED and not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the refusal.")})
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    with transaction.atomic():
        case.qualification_decision = decision
        case.qualified_on = on
        case.qualified_by = actor
        case.refusal_reason = reason.strip() if decision == QualificationDecision.REFUSED else ""
        case.stage = Stage.ASSESSMENT if decision == QualificationDecision.ACCEPTED else Stage.REFUSED
        _save(case)
        _event(
            actor=actor,
            case=case,
            kind="case_qualify",
            summary=_("Qualification: %(decision)s.") % {"decision": case.get_qualification_decision_display()},
            decision=decision,
        )
    return case


# --- the case team ----------------------------------------------------------------------------------------------------


def team_member_add(
    *,
    actor: Any,
    case: Case,
    institution: Any,
    role: str,
    categories: Iterable[str],
    user: Any = None,
    joined_on: datetime.date | None = None,
) -> CaseTeamMember:
    """Add a member institution to the case team. Each category shared needs a legal basis or a valid consent for
    each person of the case (else refused, nothing changed); one grant per basis/consent used."""
    case = _access(actor, case).case
    chosen = sorted(set(categories))
    if not chosen or any(category not in DataCategory.values for category in chosen):
        raise ValidationError({"categories": _("Choose the data categories to share.")})
    if institution.pk == case.owner_institution_id:
        raise ValidationError({"institution": _("The owner institution is already in the team.")})
    if case.team_members.filter(institution=institution, left_on__isnull=True).exists():
        raise ValidationError({"institution": _("This institution is already a member of the team.")})
    if case.niebieska_karta and user is None:
        raise ValidationError(
            {"user": _("In a Niebieska Karta case name the member of the interdisciplinary team (a user).")}
        )
    if user is not None and not Membership.objects.current().filter(user=user, institution=institution).exists():
        raise ValidationError({"user": _("This person does not work at the chosen institution.")})
    persons = subject_persons(case)
    plan: list[tuple[Person, str, LegalBasis | Consent]] = []
    refused: list[str] = []
    for person in persons:
        bases = policies.team_sharing_bases(case=case, person=person, institution=institution)
        for category in chosen:
            basis = bases.get(category)
            if basis is None:
                refused.append(str(DataCategory(category).label))
            else:
                plan.append((person, category, basis))
    if refused:
        raise ValidationError(
            {
                "categories": _(
                    "No legal basis and no valid consent of the person allows sharing: %(categories)s. Record the "
                    "person's consent naming this institution, or share fewer categories."
                )
                % {"categories": ", ".join(sorted(set(refused)))}
            }
        )
    with transaction.atomic():
        member = CaseTeamMember(
            case=case, institution=institution, user=user, role=role, joined_on=joined_on or timezone.localdate()
        )
        _save(member)
        groups: dict[tuple[Any, str, Any], tuple[Person, LegalBasis | Consent, list[str]]] = {}
        for person, category, basis in plan:
            kind = _kind(basis)
            TeamShare.objects.create(
                member=member,
                person=person,
                category=category,
                legal_basis=basis if isinstance(basis, LegalBasis) else None,
                consent=basis if isinstance(basis, Consent) else None,
            )
            groups.setdefault((person.pk, kind, basis.pk), (person, basis, []))[2].append(category)
        for person, basis, group_categories in groups.values():
            privacy_services.grant_open(
                actor=actor,
                person=person,
                institution=institution,
                categories=group_categories,
                source_type=policies.BLUE_CARD if case.niebieska_karta else policies.CASE_TEAM,
                source_id=str(member.pk),
                legal_basis=basis if isinstance(basis, LegalBasis) else None,
                consent=basis if isinstance(basis, Consent) else None,
                user=user if case.niebieska_karta else None,
            )
        _event(
            actor=actor,
            case=case,
            kind="team_member_add",
            summary=_("%(institution)s joined the case team (%(role)s).")
            % {"institution": institution.short_name or institution.name, "role": member.get_role_display()},
            target=member,
            categories=chosen,
        )
    return member


def _kind(basis: LegalBasis | Consent) -> str:
    return "consent" if isinstance(basis, Consent) else "basis"


def team_member_remove(*, actor: Any, case: Case, member: CaseTeamMember, on: datetime.date | None = None) -> None:
    """The institution leaves the team; its grants for this case end at once."""
    case = _access(actor, case).case
    if member.case_id != case.pk or member.left_on is not None:
        raise Http404
    with transaction.atomic():
        member.left_on = max(on or timezone.localdate(), member.joined_on)
        _save(member)
        for source_type in (policies.CASE_TEAM, policies.BLUE_CARD):
            privacy_services.grants_end(
                actor=actor, source_type=source_type, source_id=str(member.pk), reason="team_member_left"
            )
        _event(
            actor=actor,
            case=case,
            kind="team_member_remove",
            summary=_("%(institution)s left the case team.")
            % {"institution": member.institution.short_name or member.institution.name},
            target=member,
        )


# --- the assessment ---------------------------------------------------------------------------------------------------


def assessment_record(
    *,
    actor: Any,
    case: Case,
    domain: str,
    strengths: str = "",
    needs: str = "",
    institution: Any = None,
    assessed_on: datetime.date | None = None,
) -> AssessmentEntry:
    """Record the assessment of one life domain (strengths, needs), by the actor for her institution or a team's."""
    case = _access(actor, case).case
    if domain not in LifeDomain.values:
        raise ValidationError({"domain": _("Choose a life domain from the list.")})
    if not strengths.strip() and not needs.strip():
        raise ValidationError({"needs": _("Describe the strengths or the needs (or both).")})
    institution_id = getattr(institution, "pk", None) or case.owner_institution_id
    allowed = {
        case.owner_institution_id,
        *case.team_members.filter(left_on__isnull=True).values_list("institution_id", flat=True),
    }
    if institution_id not in allowed:
        raise ValidationError({"institution": _("Choose the owner institution or a member of the case team.")})
    with transaction.atomic():
        entry = AssessmentEntry(
            case=case,
            domain=domain,
            strengths=strengths.strip(),
            needs=needs.strip(),
            assessed_by=actor,
            assessed_by_institution_id=institution_id,
            assessed_on=assessed_on or timezone.localdate(),
        )
        _save(entry)
        _event(
            actor=actor,
            case=case,
            kind="assessment_record",
            summary=_("Assessment: %(domain)s.") % {"domain": entry.get_domain_display()},
            target=entry,
            domain=domain,
        )
    return entry


# --- the plan ---------------------------------------------------------------------------------------------------------


def _check_plan_dates(case: Case, starts_on: datetime.date | None, ends_on: datetime.date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The plan cannot end before it starts.")})
    rules = policies.rules_for(case)
    if rules.plan_max_months and starts_on and ends_on and ends_on > months_after(starts_on, rules.plan_max_months):
        raise ValidationError(
            {"ends_on": _("The plan may last at most %(months)d months.") % {"months": rules.plan_max_months}}
        )


def plan_create(
    *, actor: Any, case: Case, starts_on: datetime.date | None = None, ends_on: datetime.date | None = None
) -> Plan:
    """The first version of the plan, as a draft."""
    case = _access(actor, case).case
    if case.stage not in (Stage.ASSESSMENT, Stage.PLANNING):
        raise ValidationError(_("The plan is drawn up after qualification, during the assessment or planning."))
    if case.plans.exists():
        raise ValidationError(_("The case already has a plan: make a new version of it."))
    _check_plan_dates(case, starts_on, ends_on)
    with transaction.atomic():
        plan = Plan(case=case, version=1, starts_on=starts_on, ends_on=ends_on, created_by=actor)
        _save(plan)
        if case.stage == Stage.ASSESSMENT:
            case.stage = Stage.PLANNING
            _save(case)
        _event(actor=actor, case=case, kind="plan_create", summary=_("Plan version 1 drafted."), target=plan)
    return plan


def _editable_plan(actor: Any, plan: Plan) -> Case:
    case = _access(actor, plan.case).case
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan can be changed: make a new version."))
    return case


def plan_update(*, actor: Any, plan: Plan, starts_on: datetime.date | None, ends_on: datetime.date | None) -> Plan:
    case = _editable_plan(actor, plan)
    _check_plan_dates(case, starts_on, ends_on)
    with transaction.atomic():
        plan.starts_on, plan.ends_on = starts_on, ends_on
        _save(plan)
        _event(actor=actor, case=case, kind="plan_update", summary=_("Plan dates changed."), target=plan)
    return plan


def goal_add(*, actor: Any, plan: Plan, title: str) -> Goal:
    case = _editable_plan(actor, plan)
    if not title.strip():
        raise ValidationError({"title": _("Give the goal.")})
    with transaction.atomic():
        order = (plan.goals.aggregate(m=Max("order"))["m"] or 0) + 1
        goal = Goal(plan=plan, order=order, title=title.strip())
        _save(goal)
        _event(actor=actor, case=case, kind="goal_add", summary=_("Goal %(n)d added.") % {"n": order}, target=goal)
    return goal


def _open_task_grants(actor: Any, case: Case, task: Task) -> None:
    """A task owned by an institution outside the team: a "plan_task" grant on a basis or consent (identity at
    least), else refused."""
    institution = task.owner_institution
    if institution.pk == case.owner_institution_id:
        return
    if case.team_members.filter(institution=institution, left_on__isnull=True).exists():
        return
    for person in subject_persons(case):
        bases = policies.team_sharing_bases(case=case, person=person, institution=institution)
        if bases.get(DataCategory.IDENTITY) is None:
            raise ValidationError(
                {
                    "owner_institution": _(
                        "%(institution)s is not in the case team and no legal basis or valid consent lets it see "
                        "who the person is: add it to the team or record the person's consent naming it first."
                    )
                    % {"institution": institution.short_name or institution.name}
                }
            )
        groups: dict[tuple[str, Any], tuple[LegalBasis | Consent, list[str]]] = {}
        for category in TASK_CATEGORIES:
            basis = bases.get(category)
            if basis is not None:
                groups.setdefault((_kind(basis), basis.pk), (basis, []))[1].append(category)
        for basis, categories in groups.values():
            privacy_services.grant_open(
                actor=actor,
                person=person,
                institution=institution,
                categories=categories,
                source_type=policies.PLAN_TASK,
                source_id=str(task.pk),
                legal_basis=basis if isinstance(basis, LegalBasis) else None,
                consent=basis if isinstance(basis, Consent) else None,
                user=task.owner_user if case.niebieska_karta else None,
            )


def task_add(
    *,
    actor: Any,
    plan: Plan,
    goal: Goal,
    title: str,
    owner_institution: Any,
    owner_user: Any = None,
    due_on: datetime.date | None = None,
) -> Task:
    """A task of a goal, owned by an institution (and optionally a person there)."""
    case = _editable_plan(actor, plan)
    if goal.plan_id != plan.pk:
        raise ValidationError({"goal": _("Choose a goal of this plan.")})
    if not title.strip():
        raise ValidationError({"title": _("Give the task.")})
    if (
        owner_user is not None
        and not Membership.objects.current().filter(user=owner_user, institution=owner_institution).exists()
    ):
        raise ValidationError({"owner_user": _("This person does not work at the owner institution.")})
    if case.niebieska_karta and owner_institution.pk != case.owner_institution_id and owner_user is None:
        raise ValidationError({"owner_user": _("In a Niebieska Karta case name the person who owns the task.")})
    with transaction.atomic():
        task = Task(
            plan=plan,
            goal=goal,
            title=title.strip(),
            owner_institution=owner_institution,
            owner_user=owner_user,
            due_on=due_on,
        )
        _save(task)
        _open_task_grants(actor, case, task)
        _event(
            actor=actor,
            case=case,
            kind="task_add",
            summary=_("Task for %(institution)s added.")
            % {"institution": owner_institution.short_name or owner_institution.name},
            target=task,
        )
    return task


def task_progress_report(*, actor: Any, task: Task, text: str, status: str) -> TaskProgress:
    """The owner institution (or the case's writers) reports progress on a task and sets its status."""
    task, _level = policies.get_task_for_actor(actor, task.pk, need="report")
    case = task.plan.case
    policies.require_open(case)
    if task.plan.status == PlanStatus.SUPERSEDED:
        raise ValidationError(_("This plan has been replaced by a newer version."))
    if status not in TaskStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    if not text.strip():
        raise ValidationError({"text": _("Describe the progress.")})
    acting = privacy_policies.acting_institution_ids(actor)
    institution_id = task.owner_institution_id if task.owner_institution_id in acting else case.owner_institution_id
    with transaction.atomic():
        progress = TaskProgress(
            task=task, author=actor, institution_id=institution_id, text=text.strip(), status_after=status
        )
        _save(progress)
        task.status = status
        _save(task)
        _event(
            actor=actor,
            case=case,
            kind="task_progress",
            summary=_("Progress on a task of %(institution)s: %(status)s.")
            % {
                "institution": task.owner_institution.short_name or task.owner_institution.name,
                "status": task.get_status_display(),
            },
            target=progress,
        )
    return progress


def plan_submit(*, actor: Any, plan: Plan) -> Plan:
    """Finish the draft: it goes for approval (IPUS), or is adopted at once where the rules need no approval."""
    case = _editable_plan(actor, plan)
    if not plan.goals.exists() or not plan.tasks.exists():
        raise ValidationError(_("A plan needs at least one goal and one task."))
    rules = policies.rules_for(case)
    if rules.approval_required:
        with transaction.atomic():
            plan.status = PlanStatus.AWAITING_APPROVAL
            _save(plan)
            _event(
                actor=actor,
                case=case,
                kind="plan_submit",
                summary=_("Plan version %(v)d sent for approval.") % {"v": plan.version},
                target=plan,
            )
        return plan
    return plan_approve(actor=actor, plan=plan)


def plan_approve(*, actor: Any, plan: Plan) -> Plan:
    """Approve the plan (IPUS: the director or an organiser); the version in force before it is superseded."""
    access = policies.get_case_for_actor(actor, plan.case_id, need="read")
    case = access.case
    policies.require_open(case)
    rules = policies.rules_for(case)
    if not policies.can_approve_plan(actor, case, rules):
        raise PermissionDenied(_("The plan is approved by the director or an authorised organiser."))
    expected = PlanStatus.AWAITING_APPROVAL if rules.approval_required else PlanStatus.DRAFT
    if plan.status not in (expected, PlanStatus.AWAITING_APPROVAL):
        raise ValidationError(_("This plan is not waiting for approval."))
    if not plan.goals.exists() or not plan.tasks.exists():
        raise ValidationError(_("A plan needs at least one goal and one task."))
    with transaction.atomic():
        previous = list(case.plans.filter(status=PlanStatus.APPROVED).exclude(pk=plan.pk))
        for old in previous:
            old.status = PlanStatus.SUPERSEDED
            _save(old)
            for task_id in old.tasks.values_list("pk", flat=True):
                privacy_services.grants_end(
                    actor=actor, source_type=policies.PLAN_TASK, source_id=str(task_id), reason="plan_superseded"
                )
        plan.status = PlanStatus.APPROVED
        plan.approved_by = actor
        plan.approved_at = timezone.now()
        _save(plan)
        _event(
            actor=actor,
            case=case,
            kind="plan_approve",
            summary=_("Plan version %(v)d approved.") % {"v": plan.version},
            target=plan,
        )
    return plan


def plan_return(*, actor: Any, plan: Plan, reason: str = "") -> Plan:
    """Send a plan awaiting approval back to draft."""
    case = policies.get_case_for_actor(actor, plan.case_id, need="read").case
    if not policies.can_approve_plan(actor, case):
        raise PermissionDenied(_("The plan is approved by the director or an authorised organiser."))
    if plan.status != PlanStatus.AWAITING_APPROVAL:
        raise ValidationError(_("This plan is not waiting for approval."))
    with transaction.atomic():
        plan.status = PlanStatus.DRAFT
        _save(plan)
        _event(actor=actor, case=case, kind="plan_return", summary=_("Plan sent back for changes."), target=plan)
    return plan


def plan_new_version(*, actor: Any, case: Case) -> Plan:
    """A new draft version from the plan in force: its goals and open tasks are copied; the old one stays until the
    new one is approved."""
    case = _access(actor, case).case
    current = case.plans.filter(status=PlanStatus.APPROVED).first()
    if current is None:
        raise ValidationError(_("There is no approved plan to make a new version of."))
    if case.plans.filter(status__in=[PlanStatus.DRAFT, PlanStatus.AWAITING_APPROVAL]).exists():
        raise ValidationError(_("A new version is already being prepared."))
    with transaction.atomic():
        version = (case.plans.aggregate(m=Max("version"))["m"] or 0) + 1
        plan = Plan(case=case, version=version, starts_on=current.starts_on, ends_on=current.ends_on, created_by=actor)
        _save(plan)
        for goal in current.goals.prefetch_related("tasks").order_by("order", "pk"):
            copy = Goal.objects.create(plan=plan, order=goal.order, title=goal.title)
            for task in goal.tasks.all():
                if task.status not in OPEN_TASK_STATUSES:
                    continue
                new_task = Task.objects.create(
                    plan=plan,
                    goal=copy,
                    title=task.title,
                    owner_institution=task.owner_institution,
                    owner_user=task.owner_user,
                    due_on=task.due_on,
                    status=task.status,
                )
                _open_task_grants(actor, case, new_task)
        _event(
            actor=actor,
            case=case,
            kind="plan_new_version",
            summary=_("Plan version %(v)d drafted from version %(old)d.") % {"v": version, "old": current.version},
            target=plan,
        )
    return plan


# --- reviews, notes, closure ------------------------------------------------------------------------------------------


def review_add(*, actor: Any, case: Case, notes: str, held_on: datetime.date | None = None) -> Review:
    case = _access(actor, case).case
    if not notes.strip():
        raise ValidationError({"notes": _("Write the notes of the review.")})
    held_on = held_on or timezone.localdate()
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("The date cannot be in the future.")})
    with transaction.atomic():
        review = Review(
            case=case,
            plan=case.plans.filter(status=PlanStatus.APPROVED).first(),
            held_on=held_on,
            notes=notes.strip(),
            author=actor,
        )
        _save(review)
        _event(actor=actor, case=case, kind="review_add", summary=_("Plan review recorded."), target=review)
    return review


def note_add(*, actor: Any, case: Case, text: str, sensitivity: str = Sensitivity.ORDINARY) -> Note:
    """A case note. Niebieska Karta notes only in a Niebieska Karta case (seen only by its named team users)."""
    case = _access(actor, case).case
    if sensitivity not in Sensitivity.values:
        raise ValidationError({"sensitivity": _("Choose a sensitivity from the list.")})
    if sensitivity == Sensitivity.NIEBIESKA_KARTA and not case.niebieska_karta:
        raise ValidationError(
            {
                "sensitivity": _(
                    "A Niebieska Karta note belongs to a case under the Niebieska Karta procedure, which only the "
                    "interdisciplinary team sees."
                )
            }
        )
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    with transaction.atomic():
        note = Note(
            case=case, author=actor, institution=case.owner_institution, sensitivity=sensitivity, text=text.strip()
        )
        _save(note)
        _event(
            actor=actor,
            case=case,
            kind="note_add",
            summary=_("Note added (%(sensitivity)s).") % {"sensitivity": note.get_sensitivity_display()},
            target=note,
        )
    return note


def case_close(
    *,
    actor: Any,
    case: Case,
    outcomes: Mapping[int, str],
    success: bool,
    summary_conversation_on: datetime.date | None = None,
    summary_notes: str = "",
    early_closure_reason: str = "",
    closed_on: datetime.date | None = None,
    outcome_notes: Mapping[int, str] | None = None,
) -> Case:
    """Close the case: an outcome for each goal of the plan in force, overall success, the summary conversation; a
    case closed before its summary stage needs the reason. The partners' grants end; the owner's stays."""
    case = _access(actor, case).case
    today = timezone.localdate()
    closed_on = closed_on or today
    early = case.stage != Stage.SUMMARY
    if early and not early_closure_reason.strip():
        raise ValidationError(
            {"early_closure_reason": _("The case is closed before its summary conversation: give the reason.")}
        )
    if not early and summary_conversation_on is None:
        raise ValidationError({"summary_conversation_on": _("Give the date of the summary conversation.")})
    for field, value in (("closed_on", closed_on), ("summary_conversation_on", summary_conversation_on)):
        if value is not None and value > today:
            raise ValidationError({field: _("The date cannot be in the future.")})
    plan = case.plans.filter(status=PlanStatus.APPROVED).first()
    goals = list(plan.goals.all()) if plan else []
    missing = [goal for goal in goals if outcomes.get(goal.pk) not in GoalOutcome.values]
    if missing:
        raise ValidationError({"outcomes": _("Give the outcome of every goal of the plan.")})
    with transaction.atomic():
        for goal in goals:
            goal.outcome = outcomes[goal.pk]
            goal.outcome_note = (outcome_notes or {}).get(goal.pk, "").strip()
            _save(goal)
        case.stage = Stage.CLOSED
        case.closed_on = closed_on
        case.success = success
        case.summary_conversation_on = summary_conversation_on
        case.summary_notes = summary_notes.strip()
        case.early_closure_reason = early_closure_reason.strip() if early else ""
        _save(case)
        for member_id in case.team_members.filter(left_on__isnull=True).values_list("pk", flat=True):
            for source_type in (policies.CASE_TEAM, policies.BLUE_CARD):
                privacy_services.grants_end(
                    actor=actor, source_type=source_type, source_id=str(member_id), reason="case_closed"
                )
        case.team_members.filter(left_on__isnull=True).update(left_on=closed_on)
        for task_id in Task.objects.filter(plan__case=case).values_list("pk", flat=True):
            privacy_services.grants_end(
                actor=actor, source_type=policies.PLAN_TASK, source_id=str(task_id), reason="case_closed"
            )
        _event(
            actor=actor,
            case=case,
            kind="case_close",
            summary=(_("Case closed successfully.") if success else _("Case closed without success."))
            + (" " + _("Closed early.") if early else ""),
            success=success,
            early=early,
        )
    return case


# --- reactions to other contexts --------------------------------------------------------------------------------------


def on_consent_ended(*, consent: Consent, actor: Any) -> None:
    """privacy calls this when a consent is withdrawn or expires (its grants have already ended): a line in the
    timeline of every case that shared data on it. Nobody else is notified yet (referrals come later)."""
    member_case_ids = set(
        TeamShare.objects.filter(consent=consent).values_list("member__case_id", flat=True).distinct()
    )
    from kooperacja.privacy.models import AccessGrant

    task_ids = AccessGrant.objects.filter(consent=consent, source_type=policies.PLAN_TASK).values_list(
        "source_id", flat=True
    )
    numeric = [int(t) for t in task_ids if str(t).isdigit()]
    member_case_ids.update(Task.objects.filter(pk__in=numeric).values_list("plan__case_id", flat=True))
    for case in Case.objects.filter(pk__in=member_case_ids):
        _event(
            actor=actor,
            case=case,
            kind="consent_ended",
            summary=_("A consent of the person ended: what was shared on it is no longer visible to its recipients."),
            target=consent,
        )


# --- retention ------------------------------------------------------------------------------------------------------

RETENTION_BATCH = 500


def case_anonymise(*, actor: Any, case: Case) -> Case:
    """Anonymise a closed or refused case past its owner's retention rule: its free texts (notes, reviews, assessment,
    goals, tasks and their progress, the reporter, the summary) are blanked, every grant that rests on it ends, and its
    persons are anonymised when no other live source still needs them (privacy.retention.person_still_needed). The
    stage, dates, outcomes and the timeline (which holds no personal data) stay for the indicators."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.anonymised_at is not None:
            raise ValidationError(_("This case has already been anonymised."))
        if case.is_open:
            raise ValidationError(_("An open case is not anonymised: close it first."))
        anonymised = privacy_services.ANONYMISED
        member_ids = [str(pk) for pk in case.team_members.values_list("pk", flat=True)]
        task_ids = [str(pk) for pk in Task.objects.filter(plan__case=case).values_list("pk", flat=True)]
        sources = (
            Q(source_type__in=(policies.CASE_OWNER, policies.BLUE_CARD), source_id=case.ref)
            | Q(source_type__in=(policies.CASE_TEAM, policies.BLUE_CARD), source_id__in=member_ids)
            | Q(source_type=policies.PLAN_TASK, source_id__in=task_ids)
        )
        from kooperacja.privacy.models import AccessGrant

        person_ids = set(AccessGrant.objects.filter(sources).values_list("person_id", flat=True))
        if case.person_id:
            person_ids.add(case.person_id)
        Note.objects.filter(case=case).update(text=anonymised)
        Review.objects.filter(case=case).update(notes=anonymised)
        AssessmentEntry.objects.filter(case=case).update(strengths="", needs=anonymised)
        TaskProgress.objects.filter(task__plan__case=case).update(text=anonymised)
        Task.objects.filter(plan__case=case).update(title=anonymised)
        Goal.objects.filter(plan__case=case).update(title=anonymised, outcome_note="")
        case.reporter_name = ""
        case.refusal_reason = anonymised if case.refusal_reason else ""
        case.summary_notes = anonymised if case.summary_notes else ""
        case.early_closure_reason = anonymised if case.early_closure_reason else ""
        case.anonymised_at = timezone.now()
        case.save(
            update_fields=[
                "reporter_name",
                "refusal_reason",
                "summary_notes",
                "early_closure_reason",
                "anonymised_at",
                "updated_at",
            ]
        )
        for grant in (
            AccessGrant.objects.filter(sources, ended_at__isnull=True)
            .values_list("source_type", "source_id")
            .distinct()
        ):
            privacy_services.grants_end(actor=actor, source_type=grant[0], source_id=grant[1], reason="case_anonymised")
        _event(actor=actor, case=case, kind="case_anonymise", summary=_("Case anonymised after its retention period."))
        for person in Person.objects.filter(pk__in=person_ids, anonymised_at__isnull=True).order_by("pk"):
            if not retention.person_still_needed(person):
                privacy_services.person_anonymise(actor=actor, person=person)
    return case


def cases_anonymise_past_retention(*, institution: Any, cutoff: datetime.date, actor: Any = None) -> int:
    """privacy.retention's handler of the record type "case": the institution's cases closed (or refused) before
    `cutoff` and not yet anonymised, at most RETENTION_BATCH per run; returns how many were anonymised."""
    past = Q(stage=Stage.CLOSED, closed_on__lt=cutoff) | Q(stage=Stage.REFUSED, qualified_on__lt=cutoff)
    ids = list(
        Case.objects.filter(owner_institution=institution, anonymised_at__isnull=True)
        .filter(past)
        .order_by("closed_on", "qualified_on", "pk")
        .values_list("pk", flat=True)[:RETENTION_BATCH]
    )
    for pk in ids:
        case_anonymise(actor=actor, case=Case(pk=pk))
    return len(ids)


# --- for governance (case conferences) --------------------------------------------------------------------------------


def task_create_from_decision(
    *,
    actor: Any,
    case: Case,
    title: str,
    owner_institution: Any,
    owner_user: Any = None,
    due_on: datetime.date | None = None,
    goal: Goal | None = None,
    source: str = "",
) -> Task:
    """A case conference's decision becomes a task of the plan being drafted (governance calls this; `source` is a
    non-personal label such as "governance.decision:12"). Without a draft plan: refused (make a new version)."""
    access = _access(actor, case)
    plan = access.case.plans.filter(status=PlanStatus.DRAFT).first()
    if plan is None:
        raise ValidationError(_("Draft a plan (or a new version of it) before adding tasks from a decision."))
    if goal is None:
        goal = plan.goals.order_by("order", "pk").first() or goal_add(
            actor=actor, plan=plan, title=_("Decisions of the case conference")
        )
    task = task_add(
        actor=actor,
        plan=plan,
        goal=goal,
        title=title,
        owner_institution=owner_institution,
        owner_user=owner_user,
        due_on=due_on,
    )
    if source:
        with transaction.atomic():
            _event(actor=actor, case=access.case, kind="task_from_decision", summary=source[:300], target=task)
    return task


# --- the access log of reads ------------------------------------------------------------------------------------------


def case_read_record(*, actor: Any, page: Any, channel: str, resource: str) -> None:
    """One access-log entry per person a case page (selectors.CasePage) shows, with the categories shown of her."""
    from kooperacja.privacy.models import Purpose

    access: policies.CaseAccess = page.access
    purpose = Purpose.CASE_WORK if access.full else Purpose.PLAN_TASK
    categories = page.categories_shown
    institution = _acting_institution(actor, access.case)
    privacy_services.access_log_record_many(
        privacy_services.LogRead(
            actor, item.person, shown, purpose, channel, resource=resource, institution=institution
        )
        for item in page.persons
        if (shown := categories & item.categories)
    )


def _acting_institution(actor: Any, case: Case) -> Any:
    """The institution the actor reads the case for: the owner, else the one whose grant lets her see it."""
    if case.owner_institution_id in privacy_policies.acting_institution_ids(actor):
        return case.owner_institution
    person_ids = [p.pk for p in subject_persons(case)]
    grant = policies.actor_grants(actor).filter(person_id__in=person_ids).select_related("institution").first()
    return grant.institution if grant else None
