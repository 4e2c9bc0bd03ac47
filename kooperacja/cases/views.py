"""Pages of the cases context. Thin: policy accessor, form, one service call, redirect or render. Every page needs
sign-in; outsiders get 404 and readers who try to write get 403 (from the policies). Every page that shows a
person's data writes the access log with the categories shown."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kooperacja.accounts.models import Membership, User
from kooperacja.cases import forms, policies, selectors, services
from kooperacja.cases.models import Case, CaseTeamMember, Plan, PlanStatus, Stage
from kooperacja.directory.models import Institution
from kooperacja.people.models import Household, Person
from kooperacja.privacy import policies as privacy_policies
from kooperacja.privacy import services as privacy_services
from kooperacja.privacy.models import Channel, DataCategory, Purpose

Crumbs = list[tuple[str, str]]
PER_PAGE = 25


def _home_crumbs() -> Crumbs:
    return [(_("Cases"), reverse("cases:caseload"))]


def _case_crumbs(case: Case) -> Crumbs:
    return [*_home_crumbs(), (_("Case %(number)s") % {"number": case.number}, reverse("cases:detail", args=[case.pk]))]


def _add_errors(form: django_forms.BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error.messages)
    else:
        form.add_error(None, exc.messages)


def _form_page(
    request: HttpRequest,
    *,
    form: django_forms.BaseForm,
    title: str,
    crumbs: Crumbs,
    cancel_url: str,
    submit_label: str | None = None,
    intro: str = "",
    extra: dict[str, Any] | None = None,
    template: str = "cases/form.html",
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "crumbs": crumbs,
        "cancel_url": cancel_url,
        "submit_label": submit_label or _("Save"),
        "intro": intro,
        **(extra or {}),
    }
    return render(request, template, context)


def _done(request: HttpRequest, message: str, case: Case, anchor: str = "") -> HttpResponse:
    messages.success(request, message)
    url = reverse("cases:detail", args=[case.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


# --- lists ------------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    form = forms.CaseFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    person_id = data.get("person")
    cases = selectors.caseload(
        request.user,
        scope=data.get("scope") or ("institution" if person_id else "mine"),
        stage=data.get("stage") or "",
        number=data.get("number") or "",
        overdue_only=bool(data.get("overdue")),
        person_id=person_id,
    )
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/caseload.html",
        {
            "form": form,
            "page": page,
            "panel": selectors.caseload_panel(request.user),
            "may_open": bool(policies.owner_institutions_of(request.user)),
            "person_filter": person_id,
            "query": query.urlencode(),
            "crumbs": [],
        },
    )


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    page = Paginator(selectors.inbox(request.user, open_only=not show_all), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "cases/inbox.html", {"page": page, "show_all": show_all, "crumbs": _home_crumbs()})


# --- intake -----------------------------------------------------------------------------------------------------------


def _intake_choices(actor: Any) -> tuple[Any, Any, Any]:
    acting = privacy_policies.acting_institution_ids(actor)
    persons = Person.objects.live().filter(
        Q(pk__in=privacy_policies.person_ids_visible_to(actor)) | Q(recorded_by_institution_id__in=acting)
    )
    households = Household.objects.filter(anonymised_at__isnull=True).filter(
        Q(recorded_by_institution_id__in=acting)
        | Q(members__person_id__in=privacy_policies.person_ids_visible_to(actor))
    )
    return persons.order_by("name_search", "pk")[:500], households.distinct().order_by("name", "pk")[:500], acting


@login_required
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    owners = policies.owner_institutions_of(request.user)
    if not owners:
        raise Http404
    persons, households, _acting = _intake_choices(request.user)
    initial = {"person": request.GET.get("person")} if request.GET.get("person") else None
    form = forms.CaseOpenForm(
        request.POST or None,
        initial=initial,
        owners=Institution.objects.filter(pk__in=[o.pk for o in owners]),
        persons=Person.objects.filter(pk__in=[p.pk for p in persons]).order_by("name_search", "pk"),
        households=Household.objects.filter(pk__in=[h.pk for h in households]).order_by("name", "pk"),
        institutions=Institution.objects.filter(is_active=True).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                actor=request.user,
                owner_institution=data["owner_institution"],
                person=data["person"],
                household=data["household"],
                intake_source=data["intake_source"],
                channel=data["channel"],
                application_date=data["application_date"],
                reported_on=data["reported_on"],
                reporter_name=data["reporter_name"],
                reporter_institution=data["reporter_institution"],
                niebieska_karta=data["niebieska_karta"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _done(request, _("Case %(number)s has been opened.") % {"number": case.number}, case)
    return _form_page(
        request,
        form=form,
        title=_("New case"),
        crumbs=_home_crumbs(),
        cancel_url=reverse("cases:caseload"),
        submit_label=_("Open the case"),
        intro=_(
            "A case starts from an application or a report. Choose a person or a household your institution "
            "may see; a new person is first added in the register of persons."
        ),
    )


# --- the case page ----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def detail(request: HttpRequest, pk: Any) -> HttpResponse:
    access = policies.get_case_for_actor(request.user, pk, need="partner")
    page = selectors.case_page(access, request.user)
    services.case_read_record(
        actor=request.user, page=page, channel=Channel.PAGE, resource=f"cases:detail {access.case.pk}"
    )
    case = access.case
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "page": page,
            "may_write": access.may_write and case.is_open,
            "may_approve": policies.can_approve_plan(request.user, case, page.rules),
            "next_stage": services.NEXT_STAGE.get(case.stage),
            "next_stage_label": Stage(services.NEXT_STAGE[case.stage]).label
            if case.stage in services.NEXT_STAGE
            else "",
            "crumbs": _home_crumbs(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def qualify(request: HttpRequest, pk: Any) -> HttpResponse:
    case = policies.get_case_for_actor(request.user, pk, need="write").case
    form = forms.QualifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_qualify(
                actor=request.user, case=case, decision=data["decision"], on=data["on"], reason=data["reason"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _done(request, _("The qualification has been recorded."), case)
    return _form_page(
        request,
        form=form,
        title=_("Qualification of case %(number)s") % {"number": case.number},
        crumbs=_case_crumbs(case),
        cancel_url=reverse("cases:detail", args=[case.pk]),
        intro=_("A decision is needed only on refusal; give the reason then."),
    )


@login_required
@require_POST
def advance(request: HttpRequest, pk: Any) -> HttpResponse:
    case = policies.get_case_for_actor(request.user, pk, need="write").case
    form = forms.AdvanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the next stage."))
        return redirect("cases:detail", pk=case.pk)
    try:
        services.case_advance(actor=request.user, case=case, to_stage=form.cleaned_data["to_stage"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:detail", pk=case.pk)
    return _done(request, _("The case has moved to its next stage."), case)


# --- the team ---------------------------------------------------------------------------------------------------------


def _basis_rows(case: Case, institution: Any) -> list[dict[str, Any]]:
    """Per person and category: what allows sharing it with `institution`, or that nothing does."""
    rows = []
    for person in services.subject_persons(case):
        bases = policies.team_sharing_bases(case=case, person=person, institution=institution)
        for category, basis in bases.items():
            rows.append(
                {
                    "person": person,
                    "category": DataCategory(category).label,
                    "basis": basis,
                    "is_consent": basis is not None and basis.__class__.__name__ == "Consent",
                }
            )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, pk: Any) -> HttpResponse:
    access = policies.get_case_for_actor(request.user, pk, need="read")
    case = access.case
    if request.method == "POST" and not access.may_write:
        raise PermissionDenied
    institutions = Institution.objects.filter(is_active=True).exclude(pk=case.owner_institution_id).order_by("name")
    chosen: Institution | None = None
    chosen_id = request.POST.get("institution") or request.GET.get("institution")
    if chosen_id:
        chosen = institutions.filter(pk=chosen_id).first() if _is_uuid(chosen_id) else None
    users = User.objects.filter(is_active=True)
    if chosen is not None:
        users = users.filter(pk__in=Membership.objects.current().filter(institution=chosen).values("user_id"))
    form = forms.TeamMemberForm(
        request.POST or None,
        initial={"institution": chosen.pk if chosen else None},
        institutions=institutions,
        users=users.order_by("last_name", "first_name", "username"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.team_member_add(
                actor=request.user,
                case=case,
                institution=data["institution"],
                user=data["user"],
                role=data["role"],
                categories=data["categories"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _done(request, _("The institution has joined the case team."), case, "team")
    members = list(
        CaseTeamMember.objects.filter(case=case)
        .select_related("institution", "user")
        .prefetch_related("shares__legal_basis", "shares__consent")
        .order_by("left_on", "joined_on", "pk")
    )
    rows = _basis_rows(case, chosen) if chosen is not None else []
    if rows:
        privacy_services.access_log_record_many(
            privacy_services.LogRead(
                request.user,
                person,
                [DataCategory.IDENTITY],
                Purpose.CASE_WORK,
                Channel.PAGE,
                resource=f"cases:team {case.pk}",
                institution=case.owner_institution,
            )
            for person in {row["person"] for row in rows}
        )
    return render(
        request,
        "cases/team.html",
        {
            "case": case,
            "form": form,
            "members": members,
            "chosen": chosen,
            "rows": rows,
            "refused_persons": list({row["person"].pk: row["person"] for row in rows if row["basis"] is None}.values()),
            "may_write": access.may_write and case.is_open,
            "crumbs": _case_crumbs(case),
            "title": _("Case team of case %(number)s") % {"number": case.number},
        },
    )


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@login_required
@require_POST
def team_remove(request: HttpRequest, pk: Any, member_pk: int) -> HttpResponse:
    case = policies.get_case_for_actor(request.user, pk, need="write").case
    member = CaseTeamMember.objects.filter(case=case, pk=member_pk).select_related("institution").first()
    if member is None:
        raise Http404
    services.team_member_remove(actor=request.user, case=case, member=member)
    return _done(request, _("The institution has left the case team; its access has ended."), case, "team")


# --- assessment, plan -------------------------------------------------------------------------------------------------


def _team_institutions(case: Case) -> Any:
    member_ids = CaseTeamMember.objects.filter(case=case, left_on__isnull=True).values("institution_id")
    return Institution.objects.filter(Q(pk=case.owner_institution_id) | Q(pk__in=member_ids)).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def assessment(request: HttpRequest, pk: Any) -> HttpResponse:
    case = policies.get_case_for_actor(request.user, pk, need="write").case
    form = forms.AssessmentForm(
        request.POST or None,
        initial={"institution": case.owner_institution_id},
        institutions=_team_institutions(case),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assessment_record(
                actor=request.user,
                case=case,
                domain=data["domain"],
                strengths=data["strengths"],
                needs=data["needs"],
                institution=data["institution"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _done(request, _("The assessment of the domain has been recorded."), case, "assessment")
    return _form_page(
        request,
        form=form,
        title=_("Joint assessment: case %(number)s") % {"number": case.number},
        crumbs=_case_crumbs(case),
        cancel_url=reverse("cases:detail", args=[case.pk]) + "#assessment",
        intro=_("Record the strengths and needs of one life domain, and who assessed it."),
    )


def _draft(case: Case) -> Plan | None:
    return case.plans.filter(status__in=[PlanStatus.DRAFT, PlanStatus.AWAITING_APPROVAL]).first()


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, pk: Any) -> HttpResponse:
    """The plan editor: dates, goals and tasks of the draft (create the first version here)."""
    case = policies.get_case_for_actor(request.user, pk, need="write").case
    draft = _draft(case)
    action = request.POST.get("action", "")
    institutions = Institution.objects.filter(is_active=True).order_by("name")
    dates_form = forms.PlanDatesForm(
        request.POST if action == "dates" else None,
        initial={"starts_on": draft.starts_on, "ends_on": draft.ends_on} if draft else None,
        prefix="dates",
    )
    goal_form = forms.GoalForm(request.POST if action == "goal" else None, prefix="goal")
    task_form = forms.TaskForm(
        request.POST if action == "task" else None,
        prefix="task",
        goals=draft.goals.order_by("order") if draft else Plan.objects.none(),
        institutions=institutions,
        users=User.objects.filter(is_active=True).order_by("last_name", "first_name", "username"),
    )
    if request.method == "POST":
        try:
            if action == "create":
                services.plan_create(actor=request.user, case=case)
                messages.success(request, _("The draft plan has been created: add its goals and tasks."))
                return redirect("cases:plan", pk=case.pk)
            if draft is None:
                raise ValidationError(_("Create the plan first."))
            if action == "dates" and dates_form.is_valid():
                services.plan_update(actor=request.user, plan=draft, **dates_form.cleaned_data)
                messages.success(request, _("The dates of the plan have been saved."))
                return redirect("cases:plan", pk=case.pk)
            if action == "goal" and goal_form.is_valid():
                services.goal_add(actor=request.user, plan=draft, title=goal_form.cleaned_data["title"])
                messages.success(request, _("The goal has been added."))
                return redirect("cases:plan", pk=case.pk)
            if action == "task" and task_form.is_valid():
                services.task_add(actor=request.user, plan=draft, **task_form.cleaned_data)
                messages.success(request, _("The task has been added."))
                return redirect("cases:plan", pk=case.pk)
            if action == "submit":
                submitted = services.plan_submit(actor=request.user, plan=draft)
                if submitted.status == PlanStatus.APPROVED:
                    return _done(request, _("The plan has been adopted and is in force."), case, "plan")
                return _done(request, _("The plan has been sent for approval."), case, "plan")
        except ValidationError as exc:
            target = {"dates": dates_form, "goal": goal_form, "task": task_form}.get(action)
            if target is not None:
                _add_errors(target, exc)
            else:
                messages.error(request, " ".join(exc.messages))
                return redirect("cases:plan", pk=case.pk)
    goals = (
        list(draft.goals.prefetch_related("tasks__owner_institution", "tasks__owner_user").order_by("order"))
        if draft
        else []
    )
    return render(
        request,
        "cases/plan.html",
        {
            "case": case,
            "draft": draft,
            "goals": goals,
            "dates_form": dates_form,
            "goal_form": goal_form,
            "task_form": task_form,
            "rules": policies.rules_for(case),
            "crumbs": _case_crumbs(case),
            "title": _("Plan of case %(number)s") % {"number": case.number},
        },
    )


def _plan_for(request: HttpRequest, plan_pk: int) -> tuple[Plan, Case]:
    plan_obj = Plan.objects.filter(pk=plan_pk).first()
    if plan_obj is None:
        raise Http404
    access = policies.get_case_for_actor(request.user, plan_obj.case_id, need="read")
    plan_obj.case = access.case
    return plan_obj, access.case


@login_required
@require_POST
def plan_approve(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan_obj, case = _plan_for(request, plan_pk)
    try:
        if request.POST.get("action") == "return":
            services.plan_return(actor=request.user, plan=plan_obj)
            return _done(request, _("The plan has been sent back for changes."), case, "plan")
        services.plan_approve(actor=request.user, plan=plan_obj)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:detail", pk=case.pk)
    return _done(request, _("The plan has been approved."), case, "plan")


@login_required
@require_POST
def plan_new_version(request: HttpRequest, pk: Any) -> HttpResponse:
    case = policies.get_case_for_actor(request.user, pk, need="write").case
    try:
        services.plan_new_version(actor=request.user, case=case)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:detail", pk=case.pk)
    messages.success(request, _("A new version of the plan has been drafted."))
    return redirect("cases:plan", pk=case.pk)


# --- reviews, notes, closure ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review_add(request: HttpRequest, pk: Any) -> HttpResponse:
    case = policies.get_case_for_actor(request.user, pk, need="write").case
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _done(request, _("The review has been recorded."), case, "reviews")
    return _form_page(
        request,
        form=form,
        title=_("Plan review: case %(number)s") % {"number": case.number},
        crumbs=_case_crumbs(case),
        cancel_url=reverse("cases:detail", args=[case.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_add(request: HttpRequest, pk: Any) -> HttpResponse:
    case = policies.get_case_for_actor(request.user, pk, need="write").case
    form = forms.NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _done(request, _("The note has been added."), case, "notes")
    return _form_page(
        request,
        form=form,
        title=_("New note: case %(number)s") % {"number": case.number},
        crumbs=_case_crumbs(case),
        cancel_url=reverse("cases:detail", args=[case.pk]),
        intro=_(
            "Sensitive notes are seen only by the case's coordinators; Niebieska Karta notes only in a Niebieska "
            "Karta case, by the named members of the interdisciplinary team."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, pk: Any) -> HttpResponse:
    case = policies.get_case_for_actor(request.user, pk, need="write").case
    current = case.plans.filter(status=PlanStatus.APPROVED).first()
    goals = list(current.goals.order_by("order", "pk")) if current else []
    form = forms.CloseForm(request.POST or None, goals=goals)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_close(
                actor=request.user,
                case=case,
                outcomes=form.outcomes(),
                success=data["success"],
                summary_conversation_on=data["summary_conversation_on"],
                summary_notes=data["summary_notes"],
                early_closure_reason=data["early_closure_reason"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _done(request, _("The case has been closed."), case)
    early = case.stage != Stage.SUMMARY
    return _form_page(
        request,
        form=form,
        title=_("Closing case %(number)s") % {"number": case.number},
        crumbs=_case_crumbs(case),
        cancel_url=reverse("cases:detail", args=[case.pk]),
        submit_label=_("Close the case"),
        intro=_(
            "The case has not reached its summary conversation: closing it now is an early closure, give the reason."
        )
        if early
        else _("Record the outcome of each goal and of the whole case."),
    )


# --- a task (the partner's view) --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, task_pk: int) -> HttpResponse:
    task, level = policies.get_task_for_actor(request.user, task_pk, need="read")
    case = task.plan.case
    may_report = (
        case.is_open
        and task.plan.status != PlanStatus.SUPERSEDED
        and (task.owner_institution_id in privacy_policies.acting_institution_ids(request.user) or level == "write")
    )
    if request.method == "POST" and not may_report:
        raise PermissionDenied
    form = forms.ProgressForm(request.POST or None, initial={"status": task.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.task_progress_report(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Your progress report has been saved."))
            return redirect("cases:task", task_pk=task.pk)
    persons = selectors.shown_persons(request.user, case)
    for item in persons:
        if item.shown_categories:
            privacy_services.access_log_record(
                actor=request.user,
                person=item.person,
                categories=item.shown_categories,
                purpose=Purpose.PLAN_TASK,
                channel=Channel.PAGE,
                resource=f"cases:task {task.pk}",
                institution=task.owner_institution
                if task.owner_institution_id in privacy_policies.acting_institution_ids(request.user)
                else case.owner_institution,
            )
    return render(
        request,
        "cases/task.html",
        {
            "task": task,
            "case": case,
            "persons": persons,
            "progress": selectors.task_page(task),
            "form": form,
            "may_report": may_report,
            "deadline": selectors.deadline(task.due_on) if task.is_open else None,
            "crumbs": [*_home_crumbs(), (_("Tasks of my institution"), reverse("cases:inbox"))],
        },
    )
