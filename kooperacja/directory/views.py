"""Pages of the directory. Thin: accessor, form, one service call, redirect or render."""

from __future__ import annotations

import copy
import mimetypes
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kooperacja.directory import forms, policies, selectors, services

Crumbs = list[tuple[str, str]]


def _home_crumbs() -> Crumbs:
    return [(_("Directory"), reverse("directory:search"))]


def _institution_crumbs(institution: Any) -> Crumbs:
    return [*_home_crumbs(), (institution.name, reverse("directory:institution_detail", args=[institution.pk]))]


def _partnership_crumbs(partnership: Any) -> Crumbs:
    return [
        *_home_crumbs(),
        (_("Partnerships"), reverse("directory:partnership_list")),
        (partnership.name, reverse("directory:partnership_detail", args=[partnership.pk])),
    ]


def _add_errors(form: django_forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's validation errors on the form's fields (or on the whole form)."""
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
        "directory/form.html",
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


# --- search and reading ---------------------------------------------------------------------------------------------


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    try:
        page_number = int(request.GET.get("page", "1"))
    except ValueError:
        page_number = 1
    results = selectors.directory_search(**filters, page=page_number)
    query = {key: value for key, value in filters.items() if value}
    return render(
        request,
        "directory/search.html",
        {
            "form": form,
            "results": results,
            "searched": bool(query),
            "page_query": urlencode(query),
            "crumbs": [],
        },
    )


@require_GET
def institution_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    institution = policies.get_institution_for_actor(request.user, pk)
    page = selectors.institution_page(institution=institution)
    return render(
        request,
        "directory/institution_detail.html",
        {
            "institution": institution,
            "page": page,
            "may_edit": policies.can_edit_institution(request.user, institution),
            "crumbs": _home_crumbs(),
        },
    )


@require_GET
def service_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    service = selectors.service_detail(service=policies.get_service_for_actor(request.user, pk))
    return render(
        request,
        "directory/service_detail.html",
        {
            "service": service,
            "institution": service.institution,
            "may_edit": policies.can_edit_institution(request.user, service.institution),
            "crumbs": _institution_crumbs(service.institution),
        },
    )


@require_GET
def partnership_list(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.partnership_list(gmina=request.GET.get("gmina")), selectors.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "directory/partnership_list.html",
        {
            "page": page,
            "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
            "crumbs": _home_crumbs(),
            "page_query": "",
        },
    )


@require_GET
def partnership_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    partnership = policies.get_partnership_for_actor(request.user, pk)
    access = policies.partnership_access(request.user, partnership)
    page = selectors.partnership_page(partnership=partnership, show_internals=access in ("maintain", "member"))
    return render(
        request,
        "directory/partnership_detail.html",
        {
            "partnership": partnership,
            "page": page,
            "may_maintain": access == "maintain",
            "crumbs": [*_home_crumbs(), (_("Partnerships"), reverse("directory:partnership_list"))],
        },
    )


@login_required
@require_GET
def agreement_file(request: HttpRequest, pk: Any) -> FileResponse:
    """The signed agreement, only for staff of member institutions (404 for everyone else)."""
    agreement = policies.get_agreement_for_actor(request.user, pk, need="read")
    if not agreement.signed_file:
        raise Http404
    name = agreement.signed_file.name
    extension = name.rsplit(".", 1)[-1].lower()
    content_type = mimetypes.types_map.get(f".{extension}", "application/octet-stream")
    response = FileResponse(
        agreement.signed_file.open("rb"),
        as_attachment=True,
        filename=f"porozumienie-{agreement.pk}.{extension}",
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- institution's own entries --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def institution_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    institution = policies.get_institution_for_actor(request.user, pk, need="write")
    form = forms.InstitutionForm(request.POST or None, instance=copy.copy(institution))
    if request.method == "POST" and form.is_valid():
        try:
            services.institution_update(
                actor=request.user,
                institution=institution,
                data={name: form.cleaned_data[name] for name in forms.InstitutionForm.Meta.fields},
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("directory:institution_detail", pk=institution.pk)
    return _form_page(
        request,
        form=form,
        title=_("Edit institution"),
        crumbs=_institution_crumbs(institution),
        cancel_url=reverse("directory:institution_detail", args=[institution.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest, pk: Any) -> HttpResponse:
    institution = policies.get_institution_for_actor(request.user, pk, need="write")
    form = forms.ServiceForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(
                actor=request.user,
                institution=institution,
                data=form.service_data(),
                terms=form.terms(),
                eligible_gminy=form.cleaned_data["eligible_gminy"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Service added."))
            return redirect("directory:service_detail", pk=service.pk)
    return _form_page(
        request,
        form=form,
        title=_("New service"),
        crumbs=_institution_crumbs(institution),
        cancel_url=reverse("directory:institution_detail", args=[institution.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    service = policies.get_service_for_actor(request.user, pk, need="write")
    form = forms.ServiceForm(request.POST or None, instance=copy.copy(service), institution=service.institution)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(
                actor=request.user,
                service=service,
                data=form.service_data(),
                terms=form.terms(),
                eligible_gminy=form.cleaned_data["eligible_gminy"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("directory:service_detail", pk=service.pk)
    return _form_page(
        request,
        form=form,
        title=_("Edit service"),
        crumbs=[
            *_institution_crumbs(service.institution),
            (service.name, reverse("directory:service_detail", args=[service.pk])),
        ],
        cancel_url=reverse("directory:service_detail", args=[service.pk]),
    )


@login_required
@require_POST
def service_confirm_capacity(request: HttpRequest, pk: Any) -> HttpResponse:
    service = policies.get_service_for_actor(request.user, pk, need="write")
    services.service_confirm_capacity(actor=request.user, service=service)
    messages.success(request, _("Capacity confirmed."))
    return redirect("directory:service_detail", pk=service.pk)


@login_required
@require_http_methods(["GET", "POST"])
def location_create(request: HttpRequest, pk: Any) -> HttpResponse:
    institution = policies.get_institution_for_actor(request.user, pk, need="write")
    form = forms.LocationForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        try:
            services.location_create(actor=request.user, institution=institution, data=form.location_data())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Location added."))
            return redirect("directory:institution_detail", pk=institution.pk)
    return _form_page(
        request,
        form=form,
        title=_("New location"),
        crumbs=_institution_crumbs(institution),
        cancel_url=reverse("directory:institution_detail", args=[institution.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def location_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    location = policies.get_location_for_actor(request.user, pk, need="write")
    institution = location.institution
    form = forms.LocationForm(request.POST or None, instance=copy.copy(location), institution=institution)
    if request.method == "POST" and form.is_valid():
        try:
            services.location_update(actor=request.user, location=location, data=form.location_data())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("directory:institution_detail", pk=institution.pk)
    return _form_page(
        request,
        form=form,
        title=_("Edit location"),
        crumbs=_institution_crumbs(institution),
        cancel_url=reverse("directory:institution_detail", args=[institution.pk]),
    )


# --- partnership maintenance ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def partnership_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    partnership = policies.get_partnership_for_actor(request.user, pk, need="write")
    form = forms.PartnershipForm(request.POST or None, instance=copy.copy(partnership))
    if request.method == "POST" and form.is_valid():
        try:
            services.partnership_update(
                actor=request.user,
                partnership=partnership,
                data={name: form.cleaned_data[name] for name in forms.PartnershipForm.Meta.fields},
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("directory:partnership_detail", pk=partnership.pk)
    return _form_page(
        request,
        form=form,
        title=_("Edit partnership"),
        crumbs=_partnership_crumbs(partnership),
        cancel_url=reverse("directory:partnership_detail", args=[partnership.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_member_add(request: HttpRequest, pk: Any) -> HttpResponse:
    partnership = policies.get_partnership_for_actor(request.user, pk, need="write")
    form = forms.MemberAddForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            services.partnership_member_add(
                actor=request.user,
                partnership=partnership,
                institution=form.cleaned_data["institution"],
                joined_on=form.cleaned_data["joined_on"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Member added."))
            return redirect("directory:partnership_detail", pk=partnership.pk)
    return _form_page(
        request,
        form=form,
        title=_("Add a member institution"),
        crumbs=_partnership_crumbs(partnership),
        cancel_url=reverse("directory:partnership_detail", args=[partnership.pk]),
        submit_label=_("Add"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_member_leave(request: HttpRequest, pk: Any) -> HttpResponse:
    member = policies.get_member_for_actor(request.user, pk, need="write")
    form = forms.MemberLeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.partnership_member_leave(actor=request.user, member=member, left_on=form.cleaned_data["left_on"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The institution's leaving has been recorded."))
            return redirect("directory:partnership_detail", pk=member.partnership_id)
    return _form_page(
        request,
        form=form,
        title=_("Mark as left: %(institution)s") % {"institution": member.institution.name},
        crumbs=_partnership_crumbs(member.partnership),
        cancel_url=reverse("directory:partnership_detail", args=[member.partnership_id]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def representative_add(request: HttpRequest, pk: Any) -> HttpResponse:
    member = policies.get_member_for_actor(request.user, pk, need="write")
    form = forms.RepresentativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.representative_add(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Representative added."))
            return redirect("directory:partnership_detail", pk=member.partnership_id)
    return _form_page(
        request,
        form=form,
        title=_("Add a representative: %(institution)s") % {"institution": member.institution.name},
        crumbs=_partnership_crumbs(member.partnership),
        cancel_url=reverse("directory:partnership_detail", args=[member.partnership_id]),
        submit_label=_("Add"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def representative_remove(request: HttpRequest, pk: Any) -> HttpResponse:
    representative = policies.get_representative_for_actor(request.user, pk, need="write")
    partnership = representative.member.partnership
    if request.method == "POST":
        services.representative_remove(actor=request.user, representative=representative)
        messages.success(request, _("Representative removed."))
        return redirect("directory:partnership_detail", pk=partnership.pk)
    return render(
        request,
        "directory/confirm.html",
        {
            "title": _("Remove a representative"),
            "question": _("Remove %(name)s from the representatives of %(institution)s?")
            % {"name": representative.full_name, "institution": representative.member.institution.name},
            "submit_label": _("Remove"),
            "cancel_url": reverse("directory:partnership_detail", args=[partnership.pk]),
            "crumbs": _partnership_crumbs(partnership),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest, pk: Any) -> HttpResponse:
    partnership = policies.get_partnership_for_actor(request.user, pk, need="write")
    form = forms.AgreementForm(request.POST or None, request.FILES or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_create(
                actor=request.user,
                partnership=partnership,
                data=form.agreement_data(),
                parties=form.cleaned_data["parties"],
                signed_file=form.cleaned_data.get("upload"),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Agreement added."))
            return redirect("directory:partnership_detail", pk=partnership.pk)
    return _form_page(
        request,
        form=form,
        title=_("New cooperation agreement"),
        crumbs=_partnership_crumbs(partnership),
        cancel_url=reverse("directory:partnership_detail", args=[partnership.pk]),
        multipart=True,
        intro=_agreement_note(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    agreement = policies.get_agreement_for_actor(request.user, pk, need="write")
    partnership = agreement.partnership
    form = forms.AgreementForm(
        request.POST or None, request.FILES or None, instance=copy.copy(agreement), partnership=partnership
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(
                actor=request.user,
                agreement=agreement,
                data=form.agreement_data(),
                parties=form.cleaned_data["parties"],
                signed_file=form.cleaned_data.get("upload"),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("directory:partnership_detail", pk=partnership.pk)
    return _form_page(
        request,
        form=form,
        title=_("Edit cooperation agreement"),
        crumbs=_partnership_crumbs(partnership),
        cancel_url=reverse("directory:partnership_detail", args=[partnership.pk]),
        multipart=True,
        intro=_agreement_note(),
    )


def _agreement_note() -> str:
    return _(
        "A cooperation agreement alone is not a legal basis for sharing personal data: that needs a statutory "
        "provision or the person's explicit consent."
    )
