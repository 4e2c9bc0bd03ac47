"""Pages of pilots, indicators and dashboards. Thin: accessor, form, one service or selector call, render."""

from __future__ import annotations

import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kooperacja.monitoring import exports, forms, policies, selectors, services
from kooperacja.monitoring.charts import bar_chart
from kooperacja.monitoring.models import CustomIndicator, ScopeKind
from kooperacja.territory.models import Voivodeship

Crumbs = list[tuple[str, str]]


def _filters(request: HttpRequest) -> tuple[forms.DashboardFilterForm, selectors.Filters]:
    form = forms.DashboardFilterForm(request.GET or None)
    if request.GET and form.is_valid():
        data = form.cleaned_data
        return form, selectors.Filters(variant=data["variant"], kind=data["kind"], period=data["period"])
    return form, selectors.Filters()


def _add_errors(form: BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error.messages)
    else:
        form.add_error(None, exc.messages)


def _with_query(url: str, query: dict[str, str]) -> str:
    return f"{url}?{urlencode(query)}" if query else url


def _crumbs(request: HttpRequest, unit: Any, filters: selectors.Filters) -> Crumbs:
    """Start › Poland › macroregion › voivodeship: only the levels this actor may open."""
    query = filters.query()
    crumbs: Crumbs = []
    country = policies.can_see_country(request.user)
    if country and unit is not None:
        crumbs.append((_("Poland"), _with_query(reverse("monitoring:dashboard"), query)))
    voivodeship = getattr(unit, "voivodeship", None) if not isinstance(unit, Voivodeship) else None
    macroregion = getattr(voivodeship or unit, "macroregion", None)
    if country and macroregion is not None and unit is not macroregion:
        crumbs.append(
            (macroregion.name, _with_query(reverse("monitoring:macroregion", args=[macroregion.code]), query))
        )
    if voivodeship is not None:
        crumbs.append(
            (voivodeship.display_name, _with_query(reverse("monitoring:voivodeship", args=[voivodeship.code]), query))
        )
    return crumbs


def _charts(dashboard: selectors.Dashboard) -> list[dict[str, Any]]:
    charts = []
    for breakdown in dashboard.breakdowns:
        charts.append(
            {
                "breakdown": breakdown,
                "svg": bar_chart(
                    title=breakdown.title,
                    description=_("Bar chart of %(what)s in %(where)s; the table beside it gives the same figures.")
                    % {"what": breakdown.title, "where": dashboard.name},
                    rows=breakdown.rows,
                ),
            }
        )
    return charts


def _render_dashboard(request: HttpRequest, *, level: str, unit: Any) -> HttpResponse:
    scope = policies.require_monitoring(request.user)
    form, filters = _filters(request)
    dashboard = selectors.dashboard_for(scope=scope, level=level, unit=unit, filters=filters)
    export = request.GET.get("format", "")
    filename = f"monitoring-{level}-{dashboard.code or 'pl'}{'-' + filters.period.code if filters.period else ''}"
    title = _("Pilots and indicators: %(name)s") % {"name": dashboard.name}
    if export == "csv":
        return exports.csv_response(filename=filename, title=title, sections=exports.dashboard_sections(dashboard))
    if export == "xlsx":
        return exports.xlsx_response(filename=filename, title=title, sections=exports.dashboard_sections(dashboard))
    if export == "pdf":
        return exports.pdf_response(
            filename=filename,
            title=title,
            lines=exports.filter_lines(filters, snapshot=dashboard.snapshot),
            sections=exports.dashboard_sections(dashboard),
        )
    child_chart = None
    if dashboard.children:
        column = selectors.CHILD_COLUMNS.index("member_institutions")
        child_chart = bar_chart(
            title=_("Member institutions of the partnerships, by unit"),
            description=_(
                "Bar chart of member institutions in each unit of %(where)s; the table below gives all figures."
            )
            % {"where": dashboard.name},
            rows=[(child.name, child.cells[column][0]) for child in dashboard.children],
        )
    query = filters.query()
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "dashboard": dashboard,
            "title": title,
            "form": form,
            "charts": _charts(dashboard),
            "child_chart": child_chart,
            "crumbs": _crumbs(request, unit, filters),
            "csv_url": "?" + urlencode({**query, "format": "csv"}),
            "xlsx_url": "?" + urlencode({**query, "format": "xlsx"}),
            "pdf_url": "?" + urlencode({**query, "format": "pdf"}),
            "filter_query": urlencode(query),
            "may_create_pilot": policies.can_create_pilot(request.user),
            "may_add_indicator": level == ScopeKind.VOIVODESHIP
            and policies.scope_for(request.user).writes_voivodeship(getattr(unit, "pk", None)),
        },
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = policies.require_monitoring(request.user)
    if not scope.country:
        # A ROPS sees its voivodeship: the national view is not its to read.
        code = Voivodeship.objects.filter(pk__in=scope.voivodeship_ids).order_by("code").values_list("code", flat=True)
        target = reverse("monitoring:voivodeship", args=[code[0]])
        return redirect(
            _with_query(target, {k: v for k, v in request.GET.items() if k in ("variant", "kind", "period")})
        )
    return _render_dashboard(request, level=ScopeKind.COUNTRY, unit=None)


@login_required
@require_GET
def macroregion(request: HttpRequest, code: str) -> HttpResponse:
    unit = policies.get_macroregion_for_actor(request.user, code)
    return _render_dashboard(request, level=ScopeKind.MACROREGION, unit=unit)


@login_required
@require_GET
def voivodeship(request: HttpRequest, code: str) -> HttpResponse:
    unit = policies.get_voivodeship_for_actor(request.user, code)
    return _render_dashboard(request, level=ScopeKind.VOIVODESHIP, unit=unit)


@login_required
@require_GET
def gmina(request: HttpRequest, code: str) -> HttpResponse:
    unit = policies.get_gmina_for_actor(request.user, code)
    return _render_dashboard(request, level=ScopeKind.GMINA, unit=unit)


@login_required
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    scope = policies.require_monitoring(request.user)
    form, filters = _filters(request)
    codes = request.GET.getlist("gmina")
    comparison = selectors.compare_gminy(scope=scope, codes=codes, filters=filters)
    title = _("Comparison of gminy")
    export = request.GET.get("format", "")
    if export in ("csv", "xlsx"):
        response_for = exports.csv_response if export == "csv" else exports.xlsx_response
        return response_for(
            filename="monitoring-comparison", title=title, sections=exports.comparison_sections(comparison)
        )
    if export == "pdf":
        return exports.pdf_response(
            filename="monitoring-comparison",
            title=title,
            lines=exports.filter_lines(filters),
            sections=exports.comparison_sections(comparison),
        )
    query = [*(("gmina", code) for code, _name in comparison.gminy), *filters.query().items()]
    return render(
        request,
        "monitoring/compare.html",
        {
            "comparison": comparison,
            "title": title,
            "form": form,
            "max_compared": selectors.MAX_COMPARED,
            "crumbs": [(_("Pilots and indicators"), reverse("monitoring:dashboard"))],
            "csv_url": "?" + urlencode([*query, ("format", "csv")]),
            "xlsx_url": "?" + urlencode([*query, ("format", "xlsx")]),
            "pdf_url": "?" + urlencode([*query, ("format", "pdf")]),
        },
    )


# --- pilots ---------------------------------------------------------------------------------------------------------


def _pilot_crumbs(request: HttpRequest) -> Crumbs:
    return [(_("Pilots"), reverse("monitoring:pilot_list"))]


@login_required
@require_GET
def pilot_list(request: HttpRequest) -> HttpResponse:
    scope = policies.require_monitoring(request.user)
    form = forms.PilotStatusFilterForm(request.GET or None)
    filters, status = selectors.Filters(), ""
    if request.GET and form.is_valid():
        data = form.cleaned_data
        filters = selectors.Filters(variant=data["variant"], kind=data["kind"])
        status = data["status"]
    pilots = selectors.pilot_list_for(scope=scope, filters=filters, status=status)
    return render(
        request,
        "monitoring/pilot_list.html",
        {
            "pilots": pilots,
            "form": form,
            "may_create": policies.can_create_pilot(request.user),
            "crumbs": [],
        },
    )


@login_required
@require_GET
def pilot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = policies.get_pilot_for_actor(request.user, pk)
    page = selectors.pilot_page(pilot=pilot)
    charts = [
        {
            "breakdown": breakdown,
            "svg": bar_chart(
                title=breakdown.title,
                description=_("Bar chart of %(what)s in the pilot; the table beside it gives the same figures.")
                % {"what": breakdown.title},
                rows=breakdown.rows,
            ),
        }
        for breakdown in page.breakdowns
        if breakdown.rows
    ]
    return render(
        request,
        "monitoring/pilot_detail.html",
        {
            "page": page,
            "pilot": pilot,
            "charts": charts,
            "may_manage": policies.can_manage_pilot(request.user, pilot),
            "crumbs": _pilot_crumbs(request),
        },
    )


@login_required
@require_GET
def pilot_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The pilot page as a printable PDF: agreement, milestones, support, indicators (small cells hidden)."""
    pilot = policies.get_pilot_for_actor(request.user, pk)
    page = selectors.pilot_page(pilot=pilot)
    return exports.pdf_response(
        filename=f"monitoring-pilot-{pilot.pk}-{pilot.gmina.code}",
        title=_("Pilot in %(gmina)s") % {"gmina": pilot.gmina.name},
        lines=exports.pilot_lines(pilot),
        sections=exports.pilot_sections(page),
    )


def _form_page(
    request: HttpRequest, *, form: BaseForm, title: str, cancel_url: str, multipart: bool = False
) -> HttpResponse:
    return render(
        request,
        "directory/form.html",
        {
            "form": form,
            "title": title,
            "crumbs": _pilot_crumbs(request),
            "cancel_url": cancel_url,
            "submit_label": _("Save"),
            "multipart": multipart,
            "intro": "",
        },
    )


def _pilot_data(form: forms.PilotForm) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name) for name in services.PILOT_EDITABLE_FIELDS if name in form.cleaned_data}


@login_required
@require_http_methods(["GET", "POST"])
def pilot_create(request: HttpRequest) -> HttpResponse:
    scope = policies.require_monitoring(request.user)
    if not policies.can_create_pilot(request.user):
        raise PermissionDenied
    form = forms.PilotForm(request.POST or None, request.FILES or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            pilot = services.pilot_create(
                actor=request.user,
                data=_pilot_data(form),
                facilitators=form.cleaned_data.get("facilitators") or [],
                signed_file=form.cleaned_data.get("signed_file"),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The pilot has been saved."))
            return redirect("monitoring:pilot_detail", pk=pilot.pk)
    return _form_page(
        request, form=form, title=_("New pilot"), cancel_url=reverse("monitoring:pilot_list"), multipart=True
    )


@login_required
@require_http_methods(["GET", "POST"])
def pilot_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = policies.get_pilot_for_actor(request.user, pk, need="write")
    scope = policies.scope_for(request.user)
    form = forms.PilotForm(request.POST or None, request.FILES or None, instance=pilot, scope=scope)
    if request.method == "POST" and form.is_valid():
        # The form wrote the cleaned values onto `pilot`; reload so the service sees the stored state first.
        stored = policies.get_pilot_for_actor(request.user, pk, need="write")
        try:
            services.pilot_update(
                actor=request.user,
                pilot=stored,
                data=_pilot_data(form),
                facilitators=form.cleaned_data.get("facilitators") or [],
                signed_file=form.cleaned_data.get("signed_file"),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The pilot has been saved."))
            return redirect("monitoring:pilot_detail", pk=pk)
    return _form_page(
        request,
        form=form,
        title=_("Edit the pilot"),
        cancel_url=reverse("monitoring:pilot_detail", args=[pk]),
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def support_create(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = policies.get_pilot_for_actor(request.user, pk, need="write")
    form = forms.SupportActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.support_activity_create(actor=request.user, pilot=pilot, data=form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The support has been recorded."))
            return redirect("monitoring:pilot_detail", pk=pk)
    return _form_page(
        request,
        form=form,
        title=_("Record support for %(gmina)s") % {"gmina": pilot.gmina.name},
        cancel_url=reverse("monitoring:pilot_detail", args=[pk]),
    )


@login_required
@require_GET
def pilot_agreement_file(request: HttpRequest, pk: int) -> FileResponse:
    pilot = policies.get_pilot_for_actor(request.user, pk)
    if not pilot.signed_file:
        raise Http404
    name = pilot.signed_file.name or ""
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    extension = name.rsplit(".", 1)[-1] if "." in name else "bin"
    response = FileResponse(
        pilot.signed_file.open("rb"),
        content_type=content_type,
        as_attachment=True,
        filename=f"pilot-{pilot.pk}-agreement.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _custom_indicator_page(
    request: HttpRequest, *, scope_data: dict[str, Any], title: str, back_url: str
) -> HttpResponse:
    # The form validates the model too: give it the scope the service will use.
    form = forms.CustomIndicatorForm(request.POST or None, instance=CustomIndicator(**scope_data))
    if request.method == "POST" and form.is_valid():
        try:
            services.custom_indicator_create(actor=request.user, data={**form.cleaned_data, **scope_data})
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The indicator has been saved."))
            return redirect(back_url)
    return _form_page(request, form=form, title=title, cancel_url=back_url)


@login_required
@require_http_methods(["GET", "POST"])
def pilot_custom_indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = policies.get_pilot_for_actor(request.user, pk, need="write")
    return _custom_indicator_page(
        request,
        scope_data={"pilot": pilot},
        title=_("New custom indicator of the pilot in %(gmina)s") % {"gmina": pilot.gmina.name},
        back_url=reverse("monitoring:pilot_detail", args=[pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def voivodeship_custom_indicator_create(request: HttpRequest, code: str) -> HttpResponse:
    unit = policies.get_voivodeship_for_actor(request.user, code)
    if not policies.scope_for(request.user).writes_voivodeship(unit.pk):
        raise PermissionDenied
    return _custom_indicator_page(
        request,
        scope_data={"voivodeship": unit},
        title=_("New custom indicator of %(voivodeship)s") % {"voivodeship": unit.display_name},
        back_url=reverse("monitoring:voivodeship", args=[code]),
    )
