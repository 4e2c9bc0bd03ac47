"""Pages of the governance context. Thin: policy accessor, form, one service call, redirect or render.
Every page needs sign-in; outsiders get 404 and readers who try to write get 403 (from the policies)."""

from __future__ import annotations

import datetime
import mimetypes
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kooperacja.accounts.models import Membership, User
from kooperacja.directory.models import Institution
from kooperacja.governance import exports, forms, pdfs, policies, selectors, services
from kooperacja.governance.ics import meeting_calendar
from kooperacja.governance.models import (
    AgendaItem,
    Decision,
    Invitation,
    MeetingDocument,
    SubGroup,
    TeamMember,
    WorkPlan,
    WorkPlanItem,
)

Crumbs = list[tuple[str, str]]


def _home_crumbs() -> Crumbs:
    return [(_("Teams and meetings"), reverse("governance:home"))]


def _team_crumbs(team: Any) -> Crumbs:
    return [*_home_crumbs(), (team.name, reverse("governance:team_detail", args=[team.pk]))]


def _meeting_crumbs(meeting: Any) -> Crumbs:
    return [*_team_crumbs(meeting.team), (meeting.title, reverse("governance:meeting_detail", args=[meeting.pk]))]


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
    multipart: bool = False,
    intro: str = "",
) -> HttpResponse:
    return render(
        request,
        "governance/form.html",
        {
            "form": form,
            "title": title,
            "crumbs": crumbs,
            "cancel_url": cancel_url,
            "submit_label": submit_label or _("Save"),
            "multipart": multipart,
            "intro": intro,
        },
    )


def _meeting_url(meeting: Any, anchor: str = "") -> str:
    url = reverse("governance:meeting_detail", args=[meeting.pk])
    return f"{url}#{anchor}" if anchor else url


def _actor_institutions(user: Any) -> Any:
    return Institution.objects.filter(pk__in=Membership.objects.current().filter(user=user).values("institution_id"))


# --- reading ------------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    page = selectors.home_page(request.user)
    return render(
        request,
        "governance/home.html",
        {"page": page, "may_create_team": policies.can_create_team(request.user), "crumbs": []},
    )


@login_required
@require_GET
def my_actions(request: HttpRequest) -> HttpResponse:
    items = list(selectors.my_action_items(request.user)[:500])
    return render(request, "governance/my_actions.html", {"items": items, "crumbs": _home_crumbs()})


@login_required
@require_GET
def calendar_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
        month = int(request.GET.get("month", today.month))
        datetime.date(year, month, 1)
    except (TypeError, ValueError):
        year, month = today.year, today.month
    if not 1900 <= year <= 2200:
        year, month = today.year, today.month
    month_view = selectors.calendar_month(request.user, year, month)
    return render(
        request,
        "governance/calendar.html",
        {"month": month_view, "month_start": datetime.date(year, month, 1), "today": today, "crumbs": _home_crumbs()},
    )


@login_required
@require_GET
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = policies.get_team_for_actor(request.user, pk)
    return render(
        request,
        "governance/team_detail.html",
        {
            "team": team,
            "page": selectors.team_page(team, request.user),
            "may_write": policies.can_write_team(request.user, team),
            "crumbs": _home_crumbs(),
        },
    )


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_actor(request.user, pk)
    page = selectors.meeting_page(meeting, request.user)
    return render(
        request,
        "governance/meeting_detail.html",
        {
            "meeting": meeting,
            "page": page,
            "may_write": policies.can_write_meeting(request.user, meeting),
            "may_create_plan_tasks": bool(page.decisions) and policies.can_create_plan_task(request.user, meeting),
            "reply_form": forms.ReplyForm(initial={"reply": page.my_invitation.reply}) if page.my_invitation else None,
            "replies_open": services.replies_open(meeting),
            "today": timezone.localdate(),
            "crumbs": _team_crumbs(meeting.team),
        },
    )


@login_required
@require_GET
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_actor(request.user, pk)
    response = HttpResponse(meeting_calendar(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="spotkanie-{meeting.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def action_items_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    meeting = policies.get_meeting_for_actor(request.user, pk)
    items = list(meeting.action_items.select_related(*selectors.ACTION_RELATED).order_by("due_on", "pk"))
    if fmt == "csv":
        response = HttpResponse(exports.action_items_csv(items), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            exports.action_items_xlsx(items, title=meeting.title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="zadania-spotkania-{meeting.pk}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def meeting_minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_actor(request.user, pk)
    content = pdfs.minutes_pdf(meeting, selectors.meeting_page(meeting, request.user))
    return _pdf_response(content, f"protokol-spotkania-{meeting.pk}.pdf")


@login_required
@require_GET
def meeting_attendance_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_actor(request.user, pk)
    content = pdfs.attendance_pdf(meeting, selectors.meeting_page(meeting, request.user))
    return _pdf_response(content, f"lista-obecnosci-{meeting.pk}.pdf")


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    try:
        document = MeetingDocument.objects.select_related("meeting").get(pk=pk)
    except (MeetingDocument.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    policies.get_meeting_for_actor(request.user, document.meeting_id)
    extension = document.extension
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"dokument-{document.pk}.{extension}",
        content_type=mimetypes.types_map.get(f".{extension}", "application/octet-stream"),
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- teams -------------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    if not policies.can_create_team(request.user):
        raise Http404
    institutions = _actor_institutions(request.user)
    form = forms.TeamForm(request.POST or None, institutions=institutions, cases=selectors.writable_cases(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = services.team_create(
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                description=data["description"],
                institution=data["institution"],
                case=data["case"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The team has been created. You are its coordinator."))
            return redirect("governance:team_detail", pk=team.pk)
    return _form_page(
        request, form=form, title=_("New team"), crumbs=_home_crumbs(), cancel_url=reverse("governance:home")
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = policies.get_team_for_actor(request.user, pk, need="write")
    form = forms.MemberForm(
        request.POST or None,
        users=User.objects.filter(is_active=True).order_by("last_name", "first_name", "username"),
        institutions=Institution.objects.order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_add(
                actor=request.user,
                team=team,
                role=data["role"],
                user=data["user"],
                full_name=data["full_name"],
                email=data["email"],
                institution=data["institution"],
                started_on=data["started_on"],
                ended_on=data["ended_on"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The member has been added."))
            return redirect("governance:team_detail", pk=team.pk)
    return _form_page(
        request,
        form=form,
        title=_("Add a member"),
        crumbs=_team_crumbs(team),
        cancel_url=reverse("governance:team_detail", args=[team.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        member = TeamMember.objects.select_related("team", "user", "institution").get(pk=pk)
    except (TeamMember.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    team = policies.get_team_for_actor(request.user, member.team_id, need="write")
    member.team = team
    initial = {
        "full_name": member.full_name,
        "email": member.email,
        "institution": member.institution_id,
        "role": member.role,
        "started_on": member.started_on,
        "ended_on": member.ended_on,
    }
    form = forms.MemberEditForm(
        request.POST or None, member=member, institutions=Institution.objects.order_by("name"), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_update(
                actor=request.user,
                member=member,
                role=data["role"],
                institution=data["institution"],
                full_name=data.get("full_name", ""),
                email=data.get("email", ""),
                started_on=data["started_on"],
                ended_on=data["ended_on"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The member has been saved."))
            return redirect(reverse("governance:team_detail", args=[team.pk]) + "#members")
    return _form_page(
        request,
        form=form,
        title=_("Member: %(name)s") % {"name": member.display_name},
        crumbs=_team_crumbs(team),
        cancel_url=reverse("governance:team_detail", args=[team.pk]) + "#members",
    )


# --- meetings ------------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    team = policies.get_team_for_actor(request.user, pk, need="write")
    teams = policies.visible_teams(request.user).exclude(pk=team.pk).order_by("name")
    form = forms.MeetingForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                actor=request.user,
                team=team,
                title=data["title"],
                description=data["description"],
                days=data["days"],
                place=data["place"],
                online_url=data["online_url"],
                invited_teams=data["invited_teams"],
                organiser_institution=_actor_institutions(request.user).first(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The meeting has been created. Add its agenda and send the invitations."))
            return redirect("governance:meeting_detail", pk=meeting.pk)
    return _form_page(
        request,
        form=form,
        title=_("New meeting"),
        crumbs=_team_crumbs(team),
        cancel_url=reverse("governance:team_detail", args=[team.pk]),
        intro=_("A meeting has one to three days. Give a place, an online link or both."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_status(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_actor(request.user, pk, need="write")
    form = forms.MeetingStatusForm(request.POST or None, initial={"status": meeting.status})
    if request.method == "POST" and form.is_valid():
        services.meeting_set_status(actor=request.user, meeting=meeting, status=form.cleaned_data["status"])
        messages.success(request, _("The status of the meeting has been changed."))
        return redirect(_meeting_url(meeting))
    return _form_page(
        request,
        form=form,
        title=_("Status of the meeting"),
        crumbs=_meeting_crumbs(meeting),
        cancel_url=_meeting_url(meeting),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_actor(request.user, pk, need="write")
    form = forms.AgendaItemForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.agenda_item_add(
                actor=request.user,
                day=data["day"],
                title=data["title"],
                presenter=data["presenter"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The agenda item has been added."))
            return redirect(_meeting_url(meeting, "agenda"))
    return _form_page(
        request,
        form=form,
        title=_("Add an agenda item"),
        crumbs=_meeting_crumbs(meeting),
        cancel_url=_meeting_url(meeting, "agenda"),
    )


@login_required
@require_POST
def invitations_send(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_actor(request.user, pk, need="write")
    try:
        sent = services.invitations_send(actor=request.user, meeting=meeting, resend=bool(request.POST.get("resend")))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invitations e-mailed: %(count)d.") % {"count": sent})
    return redirect(_meeting_url(meeting, "invitations"))


@login_required
@require_POST
def invitation_reply(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        invitation = Invitation.objects.select_related("meeting", "meeting__team").get(pk=pk)
    except (Invitation.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    form = forms.ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose attending, not attending or maybe."))
    else:
        try:
            services.invitation_reply(actor=request.user, invitation=invitation, reply=form.cleaned_data["reply"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your reply has been saved."))
    return redirect(_meeting_url(invitation.meeting, "invitations"))


@require_http_methods(["GET", "POST"])
def reply_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The reply link of an invitation e-mail: the invitee (with or without an account, signed in or not) answers.
    The page shows the meeting's outward title, days and place — nothing about the invitee or anyone else."""
    invitation = policies.get_invitation_for_reply_token(token)
    meeting = invitation.meeting
    form = forms.ReplyForm(request.POST or None, initial={"reply": invitation.reply})
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_reply_by_link(invitation=invitation, reply=form.cleaned_data["reply"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Thank you: your reply has been saved."))
            return redirect(request.path)
    response = render(
        request,
        "governance/reply_by_link.html",
        {
            "meeting": meeting,
            "title": meeting.outward_title,
            "days": list(meeting.days.order_by("date")),
            "invitation": invitation,
            "form": form,
            "replies_open": services.replies_open(meeting),
            "crumbs": [],
        },
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int, day_pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_actor(request.user, pk, need="write")
    day = meeting.days.filter(pk=day_pk).first()
    if day is None:
        raise Http404
    invitations = list(meeting.invitations.order_by("full_name", "pk"))
    current = dict(day.attendance.values_list("invitation_id", "status"))
    form = forms.AttendanceForm(request.POST or None, invitations=invitations, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(actor=request.user, day=day, statuses=form.statuses())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The attendance list has been saved."))
            return redirect(_meeting_url(meeting, "attendance"))
    title = _("Attendance on %(date)s") % {"date": day.date.strftime("%d.%m.%Y")}
    intro = "" if invitations else _("Nobody has been invited yet: send the invitations first.")
    return _form_page(
        request, form=form, title=title, crumbs=_meeting_crumbs(meeting), cancel_url=_meeting_url(meeting), intro=intro
    )


@login_required
@require_http_methods(["GET", "POST"])
def minutes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = AgendaItem.objects.select_related("day", "day__meeting", "minutes").get(pk=pk)
    except (AgendaItem.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    meeting = policies.get_meeting_for_actor(request.user, item.day.meeting_id, need="write")
    existing = getattr(item, "minutes", None)
    form = forms.MinutesForm(request.POST or None, initial={"text": existing.text if existing else ""})
    if request.method == "POST" and form.is_valid():
        services.minutes_record(actor=request.user, agenda_item=item, text=form.cleaned_data["text"])
        messages.success(request, _("The minutes have been saved."))
        return redirect(_meeting_url(meeting, "minutes"))
    return _form_page(
        request,
        form=form,
        title=_("Minutes: %(item)s") % {"item": item.title},
        crumbs=_meeting_crumbs(meeting),
        cancel_url=_meeting_url(meeting, "minutes"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_actor(request.user, pk, need="write")
    form = forms.DecisionForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.decision_record(
                actor=request.user,
                meeting=meeting,
                text=data["text"],
                by_consensus=data["by_consensus"],
                votes_for=data["votes_for"],
                votes_against=data["votes_against"],
                votes_abstain=data["votes_abstain"],
                agenda_item=data["agenda_item"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Decision no. %(number)d has been recorded.") % {"number": decision.number})
            return redirect(_meeting_url(meeting, "decisions"))
    return _form_page(
        request,
        form=form,
        title=_("Record a decision"),
        crumbs=_meeting_crumbs(meeting),
        cancel_url=_meeting_url(meeting, "decisions"),
        intro=_("Decisions are numbered in order within the meeting."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_plan_task(request: HttpRequest, pk: int) -> HttpResponse:
    """A decision of a case conference becomes a task of the case's plan (for those who may write the case)."""
    try:
        decision = Decision.objects.select_related("meeting").get(pk=pk)
    except (Decision.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    meeting = policies.get_meeting_for_actor(request.user, decision.meeting_id)
    if not policies.can_create_plan_task(request.user, meeting):
        raise PermissionDenied
    decision.meeting = meeting
    form = forms.PlanTaskForm(request.POST or None, team=meeting.team, initial={"title": decision.text[:300]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decision_plan_task_create(
                actor=request.user,
                decision=decision,
                title=data["title"],
                owner_institution=data["owner_institution"],
                owner_user=data["owner_user"],
                due_on=data["due_on"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The decision is now a task in the case's plan."))
            return redirect(_meeting_url(meeting, f"decision-{decision.number}"))
    return _form_page(
        request,
        form=form,
        title=_("Create a plan task from decision no. %(number)d") % {"number": decision.number},
        crumbs=_meeting_crumbs(meeting),
        cancel_url=_meeting_url(meeting, f"decision-{decision.number}"),
        submit_label=_("Create the plan task"),
        intro=_("The task is added to the case's plan being drafted, owned by an institution of the case team."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_actor(request.user, pk, need="write")
    form = forms.ActionItemForm(
        request.POST or None, meeting=meeting, initial={"decision": request.GET.get("decision")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.action_item_create(
                actor=request.user,
                meeting=meeting,
                title=data["title"],
                description=data["description"],
                owner_user=data["owner_user"],
                owner_institution=data["owner_institution"],
                due_on=data["due_on"],
                decision=data["decision"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The action item has been added."))
            return redirect(_meeting_url(meeting, "actions"))
    return _form_page(
        request,
        form=form,
        title=_("Add an action item"),
        crumbs=_meeting_crumbs(meeting),
        cancel_url=_meeting_url(meeting, "actions"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_item_status(request: HttpRequest, pk: int) -> HttpResponse:
    item = policies.get_action_item_for_actor(request.user, pk, need="status")
    form = forms.ActionStatusForm(request.POST or None, initial={"status": item.status})
    if request.method == "POST" and form.is_valid():
        services.action_item_update_status(actor=request.user, item=item, status=form.cleaned_data["status"])
        messages.success(request, _("The status of the action item has been changed."))
        if request.GET.get("from") == "meeting":
            return redirect(_meeting_url(item.meeting, "actions"))
        return redirect("governance:my_actions")
    return _form_page(
        request,
        form=form,
        title=_("Status: %(item)s") % {"item": item.title},
        crumbs=[*_home_crumbs(), (_("My action items"), reverse("governance:my_actions"))],
        cancel_url=reverse("governance:my_actions"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def conclusion_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_actor(request.user, pk, need="write")
    form = forms.ConclusionForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.conclusion_add(
                actor=request.user,
                meeting=meeting,
                text=form.cleaned_data["text"],
                subgroup=form.cleaned_data["subgroup"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The conclusion has been added."))
            return redirect(_meeting_url(meeting, "conclusions"))
    return _form_page(
        request,
        form=form,
        title=_("Add a conclusion"),
        crumbs=_meeting_crumbs(meeting),
        cancel_url=_meeting_url(meeting, "conclusions"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def subgroup_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_actor(request.user, pk, need="write")
    form = forms.SubGroupForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.subgroup_create(
                actor=request.user,
                meeting=meeting,
                topic=data["topic"],
                facilitator=data["facilitator"],
                members=data["members"],
                notes=data["notes"],
                outputs=data["outputs"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The working sub-group has been added."))
            return redirect(_meeting_url(meeting, "subgroups"))
    return _form_page(
        request,
        form=form,
        title=_("Add a working sub-group"),
        crumbs=_meeting_crumbs(meeting),
        cancel_url=_meeting_url(meeting, "subgroups"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def subgroup_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        subgroup = SubGroup.objects.select_related("meeting").get(pk=pk)
    except (SubGroup.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    meeting = policies.get_meeting_for_actor(request.user, subgroup.meeting_id, need="write")
    initial = {
        "topic": subgroup.topic,
        "facilitator": subgroup.facilitator_id,
        "members": list(subgroup.members.values_list("pk", flat=True)),
        "notes": subgroup.notes,
        "outputs": subgroup.outputs,
    }
    form = forms.SubGroupForm(request.POST or None, meeting=meeting, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.subgroup_update(
                actor=request.user,
                subgroup=subgroup,
                topic=data["topic"],
                facilitator=data["facilitator"],
                members=data["members"],
                notes=data["notes"],
                outputs=data["outputs"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The working sub-group has been saved."))
            return redirect(_meeting_url(meeting, "subgroups"))
    return _form_page(
        request,
        form=form,
        title=_("Working sub-group: %(topic)s") % {"topic": subgroup.topic},
        crumbs=_meeting_crumbs(meeting),
        cancel_url=_meeting_url(meeting, "subgroups"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_actor(request.user, pk, need="write")
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_upload(
                actor=request.user, meeting=meeting, title=data["title"], kind=data["kind"], upload=data["file"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The document has been attached."))
            return redirect(_meeting_url(meeting, "documents"))
    return _form_page(
        request,
        form=form,
        title=_("Attach a document"),
        crumbs=_meeting_crumbs(meeting),
        cancel_url=_meeting_url(meeting, "documents"),
        multipart=True,
    )


# --- work plans ------------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def workplan_create(request: HttpRequest, pk: int) -> HttpResponse:
    team = policies.get_team_for_actor(request.user, pk, need="write")
    form = forms.WorkPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.workplan_create(
                actor=request.user,
                team=team,
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The work plan has been created."))
            return redirect(reverse("governance:team_detail", args=[team.pk]) + "#plans")
    return _form_page(
        request,
        form=form,
        title=_("New work plan"),
        crumbs=_team_crumbs(team),
        cancel_url=reverse("governance:team_detail", args=[team.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def workplan_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        plan = WorkPlan.objects.select_related("team").get(pk=pk)
    except (WorkPlan.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    team = policies.get_team_for_actor(request.user, plan.team_id, need="write")
    form = forms.WorkPlanItemForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.workplan_item_add(
                actor=request.user,
                plan=plan,
                title=data["title"],
                owner_user=data["owner_user"],
                owner_institution=data["owner_institution"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                status=data["status"],
                decisions=data["decisions"],
                action_items=data["action_items"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The item has been added to the work plan."))
            return redirect(reverse("governance:team_detail", args=[team.pk]) + "#plans")
    return _form_page(
        request,
        form=form,
        title=_("Add to the work plan: %(plan)s") % {"plan": plan.title},
        crumbs=_team_crumbs(team),
        cancel_url=reverse("governance:team_detail", args=[team.pk]) + "#plans",
    )


@login_required
@require_http_methods(["GET", "POST"])
def workplan_item_status(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = WorkPlanItem.objects.select_related("plan", "plan__team").get(pk=pk)
    except (WorkPlanItem.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    team = policies.get_team_for_actor(request.user, item.plan.team_id, need="write")
    plans_url = reverse("governance:team_detail", args=[team.pk]) + f"#plan-{item.plan_id}"
    form = forms.PlanItemStatusForm(request.POST or None, initial={"status": item.status})
    if request.method == "POST" and form.is_valid():
        services.workplan_item_update_status(actor=request.user, item=item, status=form.cleaned_data["status"])
        messages.success(request, _("The status of the work plan item has been changed."))
        return redirect(plans_url)
    return _form_page(
        request,
        form=form,
        title=_("Status: %(item)s") % {"item": item.title},
        crumbs=_team_crumbs(team),
        cancel_url=plans_url,
    )


@login_required
@require_POST
def workplan_draft(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_actor(request.user, pk, need="write")
    try:
        plan = services.workplan_draft_from_meeting(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_meeting_url(meeting, "conclusions"))
    messages.success(request, _("A draft work plan has been created: %(plan)s.") % {"plan": plan.title})
    return redirect(reverse("governance:team_detail", args=[meeting.team_id]) + "#plans")
