"""Pages of the privacy context. Thin: policy accessor, form, one service call, redirect or render.

Person-level pages answer 404 to everyone who may not see the person (ROPS, model experts, institutions without a
grant); readers who try to write get 403. Every page that shows a person's data writes an access-log entry. The DPO
pages exist only for data protection officers, scoped to their institutions.
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kooperacja.accounts.models import Membership
from kooperacja.directory.models import Institution
from kooperacja.privacy import forms, policies, reports, selectors, services
from kooperacja.privacy.models import (
    Breach,
    DataCategory,
    ProcessingActivity,
    Purpose,
    RetentionRule,
    SubjectRequest,
)

Crumbs = list[tuple[str, str]]
User = get_user_model()
LOG_PAGE_SIZE = 50


def _add_errors(form: django_forms.BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            if name == "person" and "person_ref" in form.fields:
                target = "person_ref"
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
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "privacy/form.html",
        {
            "form": form,
            "title": title,
            "crumbs": crumbs,
            "cancel_url": cancel_url,
            "submit_label": submit_label or _("Save"),
            "multipart": multipart,
            "intro": intro,
        },
        status=status,
    )


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


# --- a person's consents ------------------------------------------------------------------------------------------------


def _person_label(person: Any, categories: set[str]) -> str:
    if DataCategory.IDENTITY in categories:
        return person.full_name
    return _("Person %(id)s") % {"id": str(person.pk)[:8]}


def _consents_crumbs(person: Any, categories: set[str]) -> Crumbs:
    return [(_("Consents: %(person)s") % {"person": _person_label(person, categories)}, _consents_url(person.pk))]


def _consents_url(person_id: Any) -> str:
    return reverse("privacy:person_consents", args=[person_id])


def _shown(categories: set[str], *extra: str) -> list[str]:
    """The categories a consent page shows: the person's identity (the name) when visible, and the given ones."""
    return sorted({DataCategory.IDENTITY, *extra} & categories)


@login_required
@require_GET
def person_consents(request: HttpRequest, person_id: Any) -> HttpResponse:
    person, categories = policies.get_person_for_actor(request.user, person_id)
    consents = list(selectors.person_consents(actor=request.user, person=person))
    services.log_person_read(request, person=person, categories=_shown(categories))
    return _no_store(
        render(
            request,
            "privacy/consent_list.html",
            {
                "person": person,
                "person_label": _person_label(person, categories),
                "consents": consents,
                "may_record": policies.can_record_consent(request.user, person),
                "crumbs": [],
            },
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_create(request: HttpRequest, person_id: Any) -> HttpResponse:
    person, categories = policies.get_person_for_actor(request.user, person_id)
    institution_ids = policies.consent_writer_institution_ids(request.user, person)
    if not institution_ids:
        raise PermissionDenied(_("Only a case coordinator of an institution working with the person may do this."))
    institutions = Institution.objects.filter(pk__in=institution_ids).select_related("gmina").order_by("name")
    recipients = Institution.objects.none()
    for institution in institutions:
        recipients = recipients | selectors.consent_recipient_choices(institution)
    workers = User.objects.filter(
        pk__in=Membership.objects.current().filter(institution_id__in=institution_ids).values("user_id"),
        is_active=True,
    ).order_by("last_name", "first_name", "username")
    form = forms.ConsentForm(
        request.POST or None,
        request.FILES or None,
        institutions=institutions,
        recipients=recipients.distinct().order_by("name"),
        workers=workers,
    )
    if request.method == "GET":
        form.initial.setdefault("recorded_orally_by", request.user.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                actor=request.user,
                person=person,
                recorded_by_institution=data["recorded_by_institution"],
                recipients=data["recipients"],
                purpose=data["purpose"],
                categories=data["categories"],
                given_on=data["given_on"],
                valid_until=data["valid_until"],
                document=data["document"] or None,
                recorded_orally_by=data["recorded_orally_by"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The consent has been recorded."))
            return redirect(_consents_url(person.pk))
    services.log_person_read(request, person=person, categories=_shown(categories))
    return _form_page(
        request,
        form=form,
        title=_("Record a consent"),
        crumbs=_consents_crumbs(person, categories),
        cancel_url=_consents_url(person.pk),
        submit_label=_("Record the consent"),
        multipart=True,
        intro=_(
            "Record what the person agreed to share, with whom and for what purpose. The consent can be withdrawn "
            "at any time; the withdrawal takes effect at once."
        ),
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
def consent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consent, categories = policies.get_consent_for_actor(request.user, pk)
    person = consent.person
    services.log_person_read(request, person=person, categories=_shown(categories))
    may_write = consent.recorded_by_institution_id in policies.consent_writer_institution_ids(request.user, person)
    return _no_store(
        render(
            request,
            "privacy/consent_detail.html",
            {
                "consent": consent,
                "recipients": list(consent.recipients.order_by("name")),
                "person_label": _person_label(person, categories),
                "may_withdraw": may_write and consent.withdrawn_on is None,
                "crumbs": _consents_crumbs(person, categories),
            },
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    consent, categories = policies.get_consent_for_actor(request.user, pk, need="write")
    detail_url = reverse("privacy:consent_detail", args=[consent.pk])
    if request.method == "POST":
        try:
            services.consent_withdraw(actor=request.user, consent=consent)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The consent has been withdrawn. What relied on it no longer counts."))
        return redirect(detail_url)
    services.log_person_read(request, person=consent.person, categories=_shown(categories))
    return render(
        request,
        "privacy/confirm.html",
        {
            "title": _("Withdraw the consent"),
            "text": _(
                "The withdrawal takes effect at once: the institutions that see data on this consent stop seeing "
                "them, and the referrals that rely on it are suspended."
            ),
            "submit_label": _("Withdraw the consent"),
            "cancel_url": detail_url,
            "crumbs": [
                *_consents_crumbs(consent.person, categories),
                (_("Consent of %(day)s") % {"day": consent.given_on}, detail_url),
            ],
        },
    )


@login_required
@require_GET
def consent_document(request: HttpRequest, pk: int) -> FileResponse:
    consent, categories = policies.get_consent_for_actor(request.user, pk)
    if not consent.document:
        raise Http404
    services.log_person_read(request, person=consent.person, categories=_shown(categories))
    extension = consent.document.name.rsplit(".", 1)[-1].lower()
    content_type = {"pdf": "application/pdf", "png": "image/png"}.get(extension, "image/jpeg")
    response = FileResponse(
        consent.document.open("rb"),
        as_attachment=True,
        filename=f"zgoda-{consent.pk}.{extension}",
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the person's report (art. 15) --------------------------------------------------------------------------------------


@login_required
@require_GET
def person_report(request: HttpRequest, person_id: Any) -> HttpResponse:
    person, institution = policies.get_person_for_report(request.user, person_id)
    form = forms.ReportForm(request.GET or None)
    include_usernames = bool(form.is_valid() and form.cleaned_data["include_usernames"])
    report = reports.person_report(
        actor=request.user, person=person, institution=institution, include_usernames=include_usernames
    )
    pdf_url = reverse("privacy:person_report_pdf", args=[person.pk])
    if include_usernames:
        pdf_url += "?" + urlencode({"include_usernames": "on"})
    return _no_store(
        render(
            request,
            "privacy/report.html",
            {"report": report, "form": form, "pdf_url": pdf_url, "crumbs": _dpo_crumbs()},
        )
    )


@login_required
@require_GET
def person_report_pdf(request: HttpRequest, person_id: Any) -> HttpResponse:
    person, institution = policies.get_person_for_report(request.user, person_id)
    form = forms.ReportForm(request.GET or None)
    include_usernames = bool(form.is_valid() and form.cleaned_data["include_usernames"])
    report = reports.person_report(
        actor=request.user, person=person, institution=institution, include_usernames=include_usernames
    )
    response = HttpResponse(reports.report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="informacja-art-15-{str(person.pk)[:8]}.pdf"'
    return _no_store(response)


# --- the DPO's pages ----------------------------------------------------------------------------------------------------


def _dpo_crumbs() -> Crumbs:
    return [(_("Data protection"), reverse("privacy:dpo_home"))]


@login_required
@require_GET
def dpo_home(request: HttpRequest) -> HttpResponse:
    institutions = list(selectors.dpo_institutions(request.user))
    open_requests = [r for r in selectors.subject_requests(request.user).order_by("received_on") if not r.is_closed]
    open_breaches = [b for b in selectors.breaches(request.user) if b.deadline_state != "done"]
    return render(
        request,
        "privacy/dpo_home.html",
        {
            "institutions": institutions,
            "open_requests": open_requests,
            "open_breaches": open_breaches,
            "crumbs": [],
        },
    )


class Register:
    """How the generic DPO views treat one register: its model, form, services, templates and names."""

    def __init__(
        self,
        *,
        model: Any,
        form: type[forms._DpoForm],
        create: Any,
        update: Any,
        delete: Any,
        selector: Any,
        name: str,
        title: str,
        new_title: str,
        edit_title: str,
        template: str,
        instance_kwarg: str,
    ) -> None:
        self.model, self.form, self.create, self.update, self.delete = model, form, create, update, delete
        self.selector, self.name, self.template, self.instance_kwarg = selector, name, template, instance_kwarg
        self.title, self.new_title, self.edit_title = title, new_title, edit_title

    def list_url(self) -> str:
        return reverse(f"privacy:{self.name}_list")


def _registers() -> dict[str, Register]:
    return {
        "activity": Register(
            model=ProcessingActivity,
            form=forms.ProcessingActivityForm,
            create=services.processing_activity_create,
            update=services.processing_activity_update,
            delete=services.processing_activity_delete,
            selector=selectors.processing_activities,
            name="activity",
            title=_("Record of processing activities"),
            new_title=_("New processing activity"),
            edit_title=_("Change the processing activity"),
            template="privacy/activity_list.html",
            instance_kwarg="activity",
        ),
        "breach": Register(
            model=Breach,
            form=forms.BreachForm,
            create=services.breach_create,
            update=services.breach_update,
            delete=None,
            selector=selectors.breaches,
            name="breach",
            title=_("Breach register"),
            new_title=_("Record a breach"),
            edit_title=_("Change the breach entry"),
            template="privacy/breach_list.html",
            instance_kwarg="breach",
        ),
        "request": Register(
            model=SubjectRequest,
            form=forms.SubjectRequestForm,
            create=services.subject_request_create,
            update=services.subject_request_update,
            delete=None,
            selector=selectors.subject_requests,
            name="request",
            title=_("Requests of data subjects"),
            new_title=_("Register a request"),
            edit_title=_("Change the request"),
            template="privacy/request_list.html",
            instance_kwarg="request",
        ),
        "retention": Register(
            model=RetentionRule,
            form=forms.RetentionRuleForm,
            create=services.retention_rule_create,
            update=services.retention_rule_update,
            delete=services.retention_rule_delete,
            selector=selectors.retention_rules,
            name="retention",
            title=_("Retention rules"),
            new_title=_("New retention rule"),
            edit_title=_("Change the retention rule"),
            template="privacy/retention_list.html",
            instance_kwarg="rule",
        ),
    }


def _register(name: str) -> Register:
    return _registers()[name]


@login_required
@require_GET
def register_list(request: HttpRequest, register: str) -> HttpResponse:
    spec = _register(register)
    policies.require_dpo(request.user)
    items = list(spec.selector(request.user))
    return render(
        request,
        spec.template,
        {"items": items, "title": spec.title, "register": spec.name, "crumbs": _dpo_crumbs()},
    )


def _save_register(request: HttpRequest, spec: Register, instance: Any = None) -> HttpResponse:
    institutions = selectors.dpo_institutions(request.user)
    form = spec.form(request.POST or None, instance=instance, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        m2m = {name: form.cleaned_data.get(name) or [] for name in form.many_to_many()}
        try:
            if instance is None:
                spec.create(actor=request.user, institution=form.cleaned_data["institution"], values=values, **m2m)
            else:
                spec.update(actor=request.user, **{spec.instance_kwarg: instance}, values=values, **m2m)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(spec.list_url())
    return _form_page(
        request,
        form=form,
        title=spec.new_title if instance is None else spec.edit_title,
        crumbs=[*_dpo_crumbs(), (spec.title, spec.list_url())],
        cancel_url=spec.list_url(),
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def register_create(request: HttpRequest, register: str) -> HttpResponse:
    spec = _register(register)
    policies.require_dpo(request.user)
    return _save_register(request, spec)


@login_required
@require_http_methods(["GET", "POST"])
def register_edit(request: HttpRequest, register: str, pk: int) -> HttpResponse:
    spec = _register(register)
    instance = policies.get_dpo_record_for_actor(request.user, spec.model, pk)
    return _save_register(request, spec, instance)


@login_required
@require_http_methods(["GET", "POST"])
def register_delete(request: HttpRequest, register: str, pk: int) -> HttpResponse:
    spec = _register(register)
    if spec.delete is None:
        raise Http404
    instance = policies.get_dpo_record_for_actor(request.user, spec.model, pk)
    if request.method == "POST":
        spec.delete(actor=request.user, **{spec.instance_kwarg: instance})
        messages.success(request, _("Removed."))
        return redirect(spec.list_url())
    return render(
        request,
        "privacy/confirm.html",
        {
            "title": _("Remove: %(name)s") % {"name": instance},
            "text": _("The entry will be removed from the register. The removal is recorded in the audit trail."),
            "submit_label": _("Remove"),
            "cancel_url": spec.list_url(),
            "crumbs": [*_dpo_crumbs(), (spec.title, spec.list_url())],
        },
    )


@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    policies.require_dpo(request.user)
    form = forms.AccessLogFilterForm(request.GET or None)
    filters = selectors.LogFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.LogFilters(
            date_from=data["date_from"], date_to=data["date_to"], username=data["username"], person_id=data["person"]
        )
    entries = selectors.access_log_for_dpo(actor=request.user, filters=filters)
    paginator = Paginator(entries, LOG_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    purposes = dict(Purpose.choices)
    return render(
        request,
        "privacy/access_log.html",
        {
            "form": form,
            "page": page,
            "entries": [(entry, purposes.get(entry.purpose, entry.purpose)) for entry in page.object_list],
            "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
            "page_query": urlencode(query),
            "crumbs": _dpo_crumbs(),
        },
    )
