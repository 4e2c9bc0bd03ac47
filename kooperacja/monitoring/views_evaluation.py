"""Pages of evaluation and knowledge. Thin: accessor, form, one service call, redirect or render."""

from __future__ import annotations

import csv
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kooperacja.monitoring import forms_evaluation as forms
from kooperacja.monitoring import policies_evaluation as policies
from kooperacja.monitoring import selectors_evaluation as selectors
from kooperacja.monitoring import services_evaluation as services
from kooperacja.monitoring.models.evaluation import (
    RECOMMENDATION_TRANSITIONS,
    Question,
    QuestionnaireStatus,
    RecommendationStatus,
)

Crumbs = list[tuple[str, str]]


def _questionnaire_crumbs() -> Crumbs:
    return [(_("Questionnaires"), reverse("monitoring:questionnaire_list"))]


def _add_errors(form: django_forms.BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error.messages)
    else:
        form.add_error(None, exc.messages)


def _form_page(
    request: HttpRequest, *, form: Any, title: str, crumbs: Crumbs, cancel_url: str, submit_label: str = ""
) -> HttpResponse:
    return render(
        request,
        "monitoring/evaluation/form.html",
        {
            "form": form,
            "title": title,
            "crumbs": crumbs,
            "cancel_url": cancel_url,
            "submit_label": submit_label or _("Save"),
        },
    )


def _page(request: HttpRequest, queryset: Any) -> tuple[Any, list[Any]]:
    paginator = Paginator(queryset, selectors.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return page, list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


def _check_manager(request: HttpRequest) -> None:
    if not policies.can_manage_questionnaires(request.user):
        raise PermissionDenied


# --- questionnaires --------------------------------------------------------------------------------------------------


@login_required
@require_GET
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page, page_range = _page(request, selectors.questionnaire_list_for(actor=request.user, status=status))
    return render(
        request,
        "monitoring/evaluation/questionnaire_list.html",
        {
            "page": page,
            "page_range": page_range,
            "page_query": urlencode({"status": status}) if status else "",
            "may_manage": policies.can_manage_questionnaires(request.user),
            "crumbs": [],
            "statuses": QuestionnaireStatus.choices,
            "status": status,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_create(request: HttpRequest) -> HttpResponse:
    _check_manager(request)
    form = forms.QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire = services.questionnaire_create(
                actor=request.user, **{name: form.cleaned_data[name] for name in form.Meta.fields}
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The questionnaire was created. Add its questions."))
            return redirect("monitoring:questionnaire_detail", questionnaire.pk)
    return _form_page(
        request,
        form=form,
        title=_("New questionnaire"),
        crumbs=_questionnaire_crumbs(),
        cancel_url=reverse("monitoring:questionnaire_list"),
    )


@login_required
@require_GET
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = policies.get_questionnaire_for_actor(request.user, pk)
    may_manage = policies.questionnaire_access(request.user, questionnaire) == "manage"
    return render(
        request,
        "monitoring/evaluation/questionnaire_detail.html",
        {
            "questionnaire": questionnaire,
            "questions": selectors.questionnaire_questions(questionnaire=questionnaire),
            "may_manage": may_manage,
            "may_answer": policies.respondent_membership(request.user, questionnaire) is not None
            and questionnaire.status == QuestionnaireStatus.OPEN,
            "answered": selectors.has_answered(actor=request.user, questionnaire=questionnaire),
            "status_form": forms.StatusForm() if may_manage else None,
            "next_statuses": [
                (value, label)
                for value, label in QuestionnaireStatus.choices
                if value in services.QUESTIONNAIRE_TRANSITIONS.get(questionnaire.status, frozenset())
            ],
            "invitation_form": forms.InvitationForm() if may_manage else None,
            "is_draft": questionnaire.status == QuestionnaireStatus.DRAFT,
            "crumbs": _questionnaire_crumbs(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_edit(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = policies.get_questionnaire_for_actor(request.user, pk, need="manage")
    form = forms.QuestionnaireForm(request.POST or None, instance=questionnaire)
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_update(
                actor=request.user,
                questionnaire=policies.get_questionnaire_for_actor(request.user, pk, need="manage"),
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The questionnaire was saved."))
            return redirect("monitoring:questionnaire_detail", questionnaire.pk)
    detail = reverse("monitoring:questionnaire_detail", args=[questionnaire.pk])
    return _form_page(
        request,
        form=form,
        title=_("Edit questionnaire"),
        crumbs=[*_questionnaire_crumbs(), (questionnaire.title, detail)],
        cancel_url=detail,
    )


@login_required
@require_POST
def questionnaire_status(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = policies.get_questionnaire_for_actor(request.user, pk, need="manage")
    form = forms.StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
    else:
        try:
            services.questionnaire_set_status(
                actor=request.user, questionnaire=questionnaire, status=form.cleaned_data["status"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The status of the questionnaire was changed."))
    return redirect("monitoring:questionnaire_detail", questionnaire.pk)


def _scale_from(form: forms.QuestionForm) -> Any:
    data = form.cleaned_data
    if data.get("scale") is not None:
        return data["scale"]
    if data.get("kind") != "scale":
        return None
    return services.scale_get_or_create(
        minimum=data["scale_minimum"],
        maximum=data["scale_maximum"],
        minimum_label=data.get("scale_minimum_label") or "",
        maximum_label=data.get("scale_maximum_label") or "",
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = policies.get_questionnaire_for_actor(request.user, pk, need="manage")
    form = forms.QuestionForm(
        request.POST or None,
        initial={"scale_minimum": 1, "scale_maximum": 5, "kind": "scale", "required": True},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.question_add(
                actor=request.user,
                questionnaire=questionnaire,
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
                scale=_scale_from(form),
                options=form.option_lines(),
                help_text=form.cleaned_data.get("help_text") or "",
                required=form.cleaned_data.get("required", False),
                order=form.cleaned_data.get("order"),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The question was added."))
            return redirect("monitoring:questionnaire_detail", questionnaire.pk)
    detail = reverse("monitoring:questionnaire_detail", args=[questionnaire.pk])
    return _form_page(
        request,
        form=form,
        title=_("New question"),
        crumbs=[*_questionnaire_crumbs(), (questionnaire.title, detail)],
        cancel_url=detail,
    )


def _question_for(request: HttpRequest, pk: int) -> Question:
    try:
        question = Question.objects.select_related("questionnaire").get(pk=pk)
    except Question.DoesNotExist as exc:
        raise Http404 from exc
    policies.get_questionnaire_for_actor(request.user, question.questionnaire_id, need="manage")
    return question


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_for(request, pk)
    form = forms.QuestionForm(request.POST or None, initial=forms.QuestionForm.initial_for(question))
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(
                actor=request.user,
                question=question,
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
                scale=_scale_from(form),
                options=form.option_lines(),
                help_text=form.cleaned_data.get("help_text") or "",
                required=form.cleaned_data.get("required", False),
                order=form.cleaned_data.get("order"),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The question was saved."))
            return redirect("monitoring:questionnaire_detail", question.questionnaire_id)
    detail = reverse("monitoring:questionnaire_detail", args=[question.questionnaire_id])
    return _form_page(
        request,
        form=form,
        title=_("Edit question"),
        crumbs=[*_questionnaire_crumbs(), (question.questionnaire.title, detail)],
        cancel_url=detail,
    )


@login_required
@require_POST
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_for(request, pk)
    try:
        services.question_delete(actor=request.user, question=question)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The question was removed."))
    return redirect("monitoring:questionnaire_detail", question.questionnaire_id)


@login_required
@require_POST
def invitation_create(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = policies.get_questionnaire_for_actor(request.user, pk, need="manage")
    form = forms.InvitationForm(request.POST)
    links: list[str] = []
    if form.is_valid():
        try:
            secrets = services.invitations_create(
                actor=request.user,
                questionnaire=questionnaire,
                count=form.cleaned_data["count"],
                pilot=form.cleaned_data.get("pilot"),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            links = [request.build_absolute_uri(reverse("monitoring:answer_with_link", args=[s])) for s in secrets]
    response = render(
        request,
        "monitoring/evaluation/invitations.html",
        {
            "questionnaire": questionnaire,
            "form": form,
            "links": links,
            "crumbs": [
                *_questionnaire_crumbs(),
                (questionnaire.title, reverse("monitoring:questionnaire_detail", args=[questionnaire.pk])),
            ],
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _answer_page(request: HttpRequest, *, questionnaire: Any, invitation: Any = None, action_url: str) -> HttpResponse:
    questions = selectors.questionnaire_questions(questionnaire=questionnaire)
    form = forms.AnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.response_submit(
                actor=request.user, questionnaire=questionnaire, answers=form.answers(), invitation=invitation
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return render(
                request,
                "monitoring/evaluation/thanks.html",
                {"questionnaire": questionnaire, "crumbs": [] if invitation else _questionnaire_crumbs()},
            )
    return render(
        request,
        "monitoring/evaluation/answer.html",
        {
            "questionnaire": questionnaire,
            "form": form,
            "action_url": action_url,
            "crumbs": [] if invitation else _questionnaire_crumbs(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_answer(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = policies.get_questionnaire_for_actor(request.user, pk)
    if policies.respondent_membership(request.user, questionnaire) is None:
        # An evaluator who is not also among the addressed staff reads it but does not answer it.
        raise PermissionDenied
    if questionnaire.status != QuestionnaireStatus.OPEN:
        messages.error(request, _("This questionnaire is not open for answers."))
        return redirect("monitoring:questionnaire_detail", questionnaire.pk)
    if selectors.has_answered(actor=request.user, questionnaire=questionnaire):
        messages.info(request, _("You have already answered this questionnaire."))
        return redirect("monitoring:questionnaire_detail", questionnaire.pk)
    return _answer_page(
        request,
        questionnaire=questionnaire,
        action_url=reverse("monitoring:questionnaire_answer", args=[questionnaire.pk]),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def answer_with_link(request: HttpRequest, token: str) -> HttpResponse:
    """Answer without an account through a one-time link; a used or unknown link is a 404."""
    invitation = services.invitation_for_secret(token)
    if invitation is None:
        raise Http404
    response = _answer_page(
        request,
        questionnaire=invitation.questionnaire,
        invitation=invitation,
        action_url=reverse("monitoring:answer_with_link", args=[token]),
    )
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_GET
def questionnaire_results(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = policies.get_questionnaire_for_actor(request.user, pk, need="manage")
    form = forms.ResultsForm(request.GET or None)
    by = form.cleaned_data.get("by") or "pilot" if form.is_valid() else "pilot"
    results = selectors.questionnaire_results(questionnaire=questionnaire, by=by)
    return render(
        request,
        "monitoring/evaluation/results.html",
        {
            "questionnaire": questionnaire,
            "results": results,
            "form": form,
            "by": by,
            "csv_query": urlencode({"by": by}),
            "crumbs": [
                *_questionnaire_crumbs(),
                (questionnaire.title, reverse("monitoring:questionnaire_detail", args=[questionnaire.pk])),
            ],
        },
    )


@login_required
@require_GET
def questionnaire_results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = policies.get_questionnaire_for_actor(request.user, pk, need="manage")
    form = forms.ResultsForm(request.GET or None)
    by = form.cleaned_data.get("by") or "pilot" if form.is_valid() else "pilot"
    results = selectors.questionnaire_results(questionnaire=questionnaire, by=by)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ankieta-{questionnaire.pk}-wyniki-{by}.csv"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")  # so that spreadsheet programs read UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerows([[_csv_cell(cell) for cell in row] for row in selectors.results_csv_rows(results)])
    return response


def _csv_cell(value: str) -> str:
    """Texts typed by users never start a formula in a spreadsheet."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- recommendations -------------------------------------------------------------------------------------------------


def _recommendation_crumbs() -> Crumbs:
    return [(_("Findings and recommendations"), reverse("monitoring:recommendation_list"))]


@login_required
@require_GET
def recommendation_list(request: HttpRequest) -> HttpResponse:
    form = forms.RecommendationFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    page, page_range = _page(request, selectors.recommendation_list(**filters))
    return render(
        request,
        "monitoring/evaluation/recommendation_list.html",
        {
            "form": form,
            "page": page,
            "page_range": page_range,
            "page_query": urlencode({k: v for k, v in filters.items() if v}),
            "may_write": policies.can_write_recommendations(request.user),
            "crumbs": [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_create(request: HttpRequest) -> HttpResponse:
    policies.check_recommendation_create(request.user)
    form = forms.RecommendationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = services.recommendation_create(actor=request.user, **form.values())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The finding or recommendation was saved as proposed."))
            return redirect("monitoring:recommendation_detail", recommendation.pk)
    return _form_page(
        request,
        form=form,
        title=_("New finding or recommendation"),
        crumbs=_recommendation_crumbs(),
        cancel_url=reverse("monitoring:recommendation_list"),
    )


@login_required
@require_GET
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = policies.get_recommendation_for_actor(request.user, pk)
    may_write = policies.can_write_recommendations(request.user)
    allowed = RECOMMENDATION_TRANSITIONS.get(recommendation.status, frozenset())
    return render(
        request,
        "monitoring/evaluation/recommendation_detail.html",
        {
            "recommendation": recommendation,
            "history": selectors.recommendation_history(recommendation=recommendation),
            "may_write": may_write,
            "may_change_status": may_write and bool(allowed),
            "crumbs": _recommendation_crumbs(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = policies.get_recommendation_for_actor(request.user, pk, need="write")
    form = forms.RecommendationForm(request.POST or None, instance=recommendation)
    detail = reverse("monitoring:recommendation_detail", args=[recommendation.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_update(
                actor=request.user,
                recommendation=policies.get_recommendation_for_actor(request.user, pk, need="write"),
                **form.values(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The finding or recommendation was saved."))
            return redirect(detail)
    return _form_page(
        request,
        form=form,
        title=_("Edit finding or recommendation"),
        crumbs=[*_recommendation_crumbs(), (recommendation.title, detail)],
        cancel_url=detail,
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_status(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = policies.get_recommendation_for_actor(request.user, pk, need="write")
    allowed = RECOMMENDATION_TRANSITIONS.get(recommendation.status, frozenset())
    form = forms.RecommendationStatusForm(request.POST or None)
    form.fields["status"].choices = [(v, lbl) for v, lbl in RecommendationStatus.choices if v in allowed] or list(
        RecommendationStatus.choices
    )
    detail = reverse("monitoring:recommendation_detail", args=[recommendation.pk])
    if request.method == "POST":
        # The service decides whether the move is allowed, so that the page and the API refuse the same moves.
        form.fields["status"].choices = list(RecommendationStatus.choices)
        if form.is_valid():
            try:
                services.recommendation_change_status(
                    actor=request.user,
                    recommendation=recommendation,
                    to_status=form.cleaned_data["status"],
                    note=form.cleaned_data.get("note") or "",
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The status was changed."))
                return redirect(detail)
    return _form_page(
        request,
        form=form,
        title=_("Change the status"),
        crumbs=[*_recommendation_crumbs(), (recommendation.title, detail)],
        cancel_url=detail,
        submit_label=_("Change the status"),
    )


# --- good practices --------------------------------------------------------------------------------------------------


def _practice_crumbs() -> Crumbs:
    return [(_("Good practices"), reverse("monitoring:practice_list"))]


@login_required
@require_GET
def practice_list(request: HttpRequest) -> HttpResponse:
    form = forms.PracticeFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    page, page_range = _page(request, selectors.practice_list(**filters))
    return render(
        request,
        "monitoring/evaluation/practice_list.html",
        {
            "form": form,
            "page": page,
            "page_range": page_range,
            "page_query": urlencode({k: v for k, v in filters.items() if v}),
            "searched": any(filters.values()),
            "may_write": policies.can_write_practices(request.user),
            "crumbs": [],
        },
    )


@login_required
@require_GET
def practice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    practice = policies.get_practice_for_actor(request.user, pk)
    return render(
        request,
        "monitoring/evaluation/practice_detail.html",
        {
            "practice": practice,
            **selectors.practice_detail(practice=practice),
            "may_write": policies.can_write_practices(request.user),
            "crumbs": _practice_crumbs(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def practice_create(request: HttpRequest) -> HttpResponse:
    policies.check_practice_create(request.user)
    form = forms.PracticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            practice = services.practice_create(
                actor=request.user, institutions=form.cleaned_data["institutions"], **form.values()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The good practice was added to the catalogue."))
            return redirect("monitoring:practice_detail", practice.pk)
    return _form_page(
        request,
        form=form,
        title=_("New good practice"),
        crumbs=_practice_crumbs(),
        cancel_url=reverse("monitoring:practice_list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def practice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    practice = policies.get_practice_for_actor(request.user, pk, need="write")
    form = forms.PracticeForm(request.POST or None, instance=practice)
    detail = reverse("monitoring:practice_detail", args=[practice.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.practice_update(
                actor=request.user,
                practice=policies.get_practice_for_actor(request.user, pk, need="write"),
                institutions=form.cleaned_data["institutions"],
                **form.values(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The good practice was saved."))
            return redirect(detail)
    return _form_page(
        request,
        form=form,
        title=_("Edit good practice"),
        crumbs=[*_practice_crumbs(), (practice.title, detail)],
        cancel_url=detail,
    )
