"""Pages of the referrals context. Thin: policy accessor, form, one service call, redirect or render.
Every page needs sign-in; outsiders get 404 and readers who try to write get 403 (from the policies)."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kooperacja.cases.models import Case, Task
from kooperacja.directory.models import Institution, Sector
from kooperacja.privacy import services as privacy_services
from kooperacja.privacy.models import Channel, DataCategory, Purpose
from kooperacja.referrals import forms, policies, selectors, services
from kooperacja.referrals.models import Action, Referral, State

Crumbs = list[tuple[str, str]]


def _add_errors(form: django_forms.BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error.messages)
    else:
        form.add_error(None, exc.messages)


def _filters(request: HttpRequest) -> dict[str, str]:
    state = request.GET.get("state", "")
    sector = request.GET.get("sector", "")
    deadline = request.GET.get("deadline", "")
    return {
        "state": state if state in State.values else "",
        "sector": sector if sector in Sector.values else "",
        "deadline": deadline if deadline in selectors.DEADLINE_FILTERS else "",
    }


def _list_page(request: HttpRequest, *, box: str, queryset: Any, tab: str, filters: dict[str, str]) -> HttpResponse:
    page = Paginator(selectors.paged(queryset), selectors.PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    return render(
        request,
        "referrals/list.html",
        {
            "box": box,
            "tab": tab,
            "tabs": [
                ("all", _("all")),
                ("new", _("new")),
                ("waiting", _("waiting for my answer")),
                ("in_progress", _("in progress")),
                ("overdue", _("overdue")),
            ],
            "page": page,
            "filters": filters,
            "states": State.choices,
            "sectors": Sector.choices,
            "deadlines": [("overdue", _("overdue")), ("today", _("due today")), ("week", _("due within 7 days"))],
        },
    )


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "all")
    tab = tab if tab in selectors.INBOX_TABS else "all"
    filters = _filters(request)
    return _list_page(
        request, box="inbox", queryset=selectors.inbox(actor=request.user, tab=tab, **filters), tab=tab, filters=filters
    )


@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    return _list_page(
        request, box="outbox", queryset=selectors.outbox(actor=request.user, **filters), tab="", filters=filters
    )


def _case_for_referral(request: HttpRequest) -> tuple[Case, Task | None, Any]:
    """The case (and plan task) the referral starts from, and the institution it is sent from; 404 for outsiders,
    403 for staff of that institution who may not send (a reader, e.g. its DPO)."""
    try:
        case = Case.objects.select_related("owner_institution", "person").get(pk=request.GET.get("case"))
    except (Case.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc
    task = None
    if request.GET.get("task"):
        try:
            task = Task.objects.select_related("owner_institution", "plan").get(pk=request.GET["task"], plan__case=case)
        except (Task.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404 from exc
    sender = policies.sender_institution_for_case(request.user, case, task)
    if sender is None:
        staff_of = set(policies.institution_ids(request.user))
        if {case.owner_institution_id, getattr(task, "owner_institution_id", None)} & staff_of:
            raise PermissionDenied(_("You may not send referrals from this case."))
        raise Http404
    return case, task, sender


@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the recipient (GET ?case=…&task=…, a search `q`, in a family's case the person); step 2: the
    recipient's services with their capacity (and, for a chosen service, similar services nearby), urgency, what is
    asked, the categories to share and why the others may not be shared."""
    case, task, sender = _case_for_referral(request)
    members = selectors.household_members_for_referral(case=case) if case.person_id is None else None
    chosen = None
    if request.GET.get("recipient"):
        chosen = Institution.objects.filter(pk=request.GET["recipient"], is_active=True).exclude(pk=sender.pk).first()
    offered = selectors.recipients_offered(sender=sender, q=request.GET.get("q", ""), chosen=chosen)
    recipient_form = forms.RecipientForm(
        request.GET if "recipient" in request.GET else None,
        exclude=sender.pk,
        offered=offered,
        members=members,
    )
    title = _("New referral")
    context: dict[str, Any] = {
        "title": title,
        "case": case,
        "task": task,
        "search_form": forms.RecipientSearchForm(initial={"q": request.GET.get("q", "")}),
        "recipient_form": recipient_form,
    }
    if not recipient_form.is_bound or not recipient_form.is_valid():
        return render(request, "referrals/create.html", {**context, "form": None})
    recipient = recipient_form.cleaned_data["recipient"]
    person = recipient_form.cleaned_data.get("person") or case.person
    options = policies.category_options(actor=request.user, person=person, recipient=recipient, sender=sender)
    recipient_services = list(selectors.services_of(institution=recipient))
    service = next((s for s in recipient_services if str(s.pk) == request.GET.get("service", "")), None)
    form = forms.ReferralForm(request.POST or None, initial={"service": service}, recipient=recipient, options=options)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(
                actor=request.user,
                case=case,
                task=task,
                person=person,
                recipient=recipient,
                service=form.cleaned_data["service"],
                urgency=form.cleaned_data["urgency"],
                reason=form.cleaned_data["reason"],
                categories=form.cleaned_data["categories"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The draft is saved. Check the service's capacity, then send it."))
            return redirect("referrals:detail", pk=referral.pk)
    query = request.GET.copy()
    query.pop("service", None)
    return render(
        request,
        "referrals/create.html",
        {
            **context,
            "recipient": recipient,
            "person": person,
            "form": form,
            "refused": [o for o in options if not o.allowed],
            "nothing_allowed": not any(o.allowed for o in options),
            "recipient_services": recipient_services,
            "service": service,
            "alternatives": selectors.services_nearby(service=service),
            "base_query": query.urlencode(),
        },
    )


def _person_fields(referral: Referral, categories: set[str]) -> list[tuple[str, str]]:
    person = referral.person
    rows: list[tuple[str, str]] = []
    if "identity" in categories:
        rows.append(
            (
                pgettext("person", "Name"),
                " ".join(p for p in (person.first_name, person.second_name, person.last_name) if p),
            )
        )
        if person.birth_date:
            rows.append((_("Birth date"), person.birth_date.isoformat()))
        if person.sex:
            rows.append((_("Sex"), str(person.get_sex_display())))
    if "contact" in categories:
        address = ", ".join(p for p in (person.street, f"{person.postal_code} {person.town}".strip()) if p)
        if address:
            rows.append((_("Address"), address))
        if person.phone:
            rows.append((_("Phone"), person.phone))
        if person.email:
            rows.append((_("E-mail"), person.email))
    return rows


@login_required
@require_GET
def referral_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    referral = policies.get_referral_for_actor(request.user, pk)
    services.referral_mark_received(actor=request.user, referral=referral)
    data = selectors.referral_page(actor=request.user, referral=referral)
    person_rows: list[tuple[str, str]] = []
    if data.categories:
        person_rows = _person_fields(referral, data.categories)
        privacy_services.access_log_record(
            actor=request.user,
            person=referral.person_id,
            categories=data.categories,
            purpose=Purpose.REFERRAL,
            channel=Channel.PAGE,
            resource=f"referrals:detail:{referral.pk}",
            institution=referral.recipient if data.standing.recipient else referral.sender,
        )
    actions = [
        (action, label, forms.ACTION_FORMS.get(action, forms.NoteForm)(prefix=action))
        for action, label in Action.choices
        if action != Action.RECEIVE and policies.can_act(request.user, referral, action)
    ]
    return render(
        request,
        "referrals/detail.html",
        {
            "data": data,
            "referral": referral,
            "person_rows": person_rows,
            "shared_labels": [str(label) for value, label in DataCategory.choices if value in referral.categories],
            "actions": actions,
            "comment_form": forms.CommentForm() if policies.can_comment(request.user, referral) else None,
        },
    )


@login_required
@require_POST
def referral_act(request: HttpRequest, pk: Any, action: str) -> HttpResponse:
    referral = policies.get_referral_for_actor(request.user, pk, need="write")
    if action not in services.USER_ACTIONS:
        raise Http404
    form = forms.ACTION_FORMS.get(action, forms.NoteForm)(request.POST, prefix=action)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("referrals:detail", pk=referral.pk)
    try:
        result = services.referral_transition(actor=request.user, referral=referral, action=action, **form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if result.changed:
            messages.success(request, _("Saved: %(state)s.") % {"state": result.referral.get_state_display()})
    return redirect("referrals:detail", pk=referral.pk)


@login_required
@require_POST
def comment_add(request: HttpRequest, pk: Any) -> HttpResponse:
    referral = policies.get_referral_for_actor(request.user, pk, need="write")
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(actor=request.user, referral=referral, text=form.cleaned_data["text"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Comment added."))
    else:
        messages.error(request, _("Write the comment."))
    return redirect(reverse("referrals:detail", args=[referral.pk]) + "#comments")


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(actor=request.user), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "referrals/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = services.notification_mark_read(actor=request.user, notification_id=pk)
    if request.POST.get("open"):
        return redirect("referrals:detail", pk=notification.referral_id)
    return redirect("referrals:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(actor=request.user)
    return redirect("referrals:notifications")


@login_required
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Per sector (all recipients of a sector) and per institution of the actor: answer times, declines, feedback."""
    by_sector = [(label, selectors.sector_metrics(sector=value)) for value, label in Sector.choices]
    own = [
        (institution, selectors.institution_metrics(institution=institution))
        for institution in Institution.objects.filter(pk__in=policies.institution_ids(request.user))
    ]
    return render(request, "referrals/metrics.html", {"by_sector": by_sector, "own": own})


@login_required
@require_http_methods(["GET", "POST"])
def partnership_deadlines(request: HttpRequest, pk: Any) -> HttpResponse:
    """A partnership's answer deadlines for referrals between its members; those who maintain it change them."""
    from kooperacja.directory.policies import can_maintain_partnership, get_partnership_for_actor

    partnership = get_partnership_for_actor(request.user, pk, need="write" if request.method == "POST" else "read")
    current = selectors.deadlines_of(partnership=partnership)
    may_change = can_maintain_partnership(request.user, partnership)
    form = forms.DeadlineRuleForm(request.POST or None, initial=current) if may_change else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.deadline_rule_set(actor=request.user, partnership=partnership, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The referral deadlines of the partnership are saved."))
            return redirect("referrals:partnership_deadlines", pk=partnership.pk)
    return render(
        request,
        "referrals/deadlines.html",
        {"partnership": partnership, "current": current, "form": form},
    )
