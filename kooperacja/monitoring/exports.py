"""Exports of dashboard views, comparisons and pilots to CSV, XLSX and printable PDF: the same (already suppressed)
figures the page shows, built from the same sections."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from kooperacja.core.pdf import Document
from kooperacja.monitoring.indicators import format_value
from kooperacja.monitoring.models import ModelVariant
from kooperacja.monitoring.selectors import Comparison, Dashboard, Filters, PilotPage
from kooperacja.territory.models import GminaKind

Section = tuple[str, list[str], list[list[str]]]  # (title, header, rows)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """Text of a cell; never something a spreadsheet would run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and text != "—":
        return "'" + text
    return text


def dashboard_sections(dashboard: Dashboard) -> list[Section]:
    sections: list[Section] = []
    sections.append(
        (
            _("Indicators"),
            [_("Indicator"), _("Value"), _("Note")],
            [[str(item.label), format_value(item.value, item.unit), str(item.note)] for item in dashboard.indicators],
        )
    )
    for breakdown in dashboard.breakdowns:
        rows = [[label, format_value(value, breakdown.unit)] for label, value in breakdown.rows]
        rows.append([_("Total"), format_value(breakdown.total, breakdown.unit)])
        sections.append((breakdown.title, [_("Category"), _("Value")], rows))
    if dashboard.children:
        header = [_("Code"), _("Name"), *[str(label) for _key, label in dashboard.child_columns]]
        rows = [
            [child.code, child.name, *[format_value(cell, unit) for cell, unit in child.cells]]
            for child in dashboard.children
        ]
        # The same totals row as the page: only person and plan counts, already suppressed with their column.
        rows.append(
            [
                "",
                _("Total of persons and plans"),
                *[format_value(total, "count") if total is not None else "" for total in dashboard.child_totals],
            ]
        )
        sections.append((_("Units below"), header, rows))
    if dashboard.custom:
        sections.append(
            (
                _("Custom indicators"),
                [_("Indicator"), _("Value"), _("Target"), _("Unit")],
                [
                    [
                        item.indicator.name,
                        format_value(item.value, "count"),
                        format_value(item.indicator.target, "count"),
                        item.indicator.unit,
                    ]
                    for item in dashboard.custom
                ],
            )
        )
    return sections


def comparison_sections(comparison: Comparison) -> list[Section]:
    header = [_("Indicator"), *[name for _code, name in comparison.gminy]]
    rows = [[label, *[format_value(value, unit) for value in values]] for label, unit, values in comparison.rows]
    return [(_("Comparison of gminy"), header, rows)]


def csv_response(*, filename: str, title: str, sections: Iterable[Section]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_cell(title)])
    for section_title, header, rows in sections:
        writer.writerow([])
        writer.writerow([_cell(section_title)])
        writer.writerow([_cell(value) for value in header])
        for row in rows:
            writer.writerow([_cell(value) for value in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _sheet_title(text: str, used: set[str]) -> str:
    cleaned = "".join(ch for ch in text if ch not in "[]:*?/\\")[:28] or "Sheet"
    title, number = cleaned, 2
    while title in used:
        title, number = f"{cleaned[:25]} {number}", number + 1
    used.add(title)
    return title


def xlsx_response(*, filename: str, title: str, sections: Sequence[Section]) -> HttpResponse:
    workbook = Workbook()
    used: set[str] = set()
    first = True
    for section_title, header, rows in sections:
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        sheet.title = _sheet_title(section_title, used)  # type: ignore[union-attr]
        sheet.append([_cell(title)])  # type: ignore[union-attr]
        sheet.append([_cell(value) for value in header])  # type: ignore[union-attr]
        for row in rows:
            sheet.append([_cell(value) for value in row])  # type: ignore[union-attr]
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# --- printable PDF ----------------------------------------------------------------------------------------------------

PDF_COMPRESS = True  # tests switch it off to read the text of the PDF


def _date(value: Any) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def filter_lines(filters: Filters, *, snapshot: Any = None) -> list[str]:
    """The period and the filters of a view, named in words for the head of a report."""
    if filters.period is None:
        period = _("Period: from the start of the pilots to %(date)s (current data)") % {
            "date": _date(timezone.localdate())
        }
    elif snapshot is not None:
        period = _("Period: %(period)s (%(start)s – %(end)s), figures frozen on %(frozen)s") % {
            "period": filters.period.code,
            "start": _date(filters.period.start),
            "end": _date(filters.period.end),
            "frozen": formats.date_format(timezone.localtime(snapshot.frozen_at), "SHORT_DATETIME_FORMAT"),
        }
    else:
        period = _("Period: %(period)s (%(start)s – %(end)s), computed from the current data") % {
            "period": filters.period.code,
            "start": _date(filters.period.start),
            "end": _date(filters.period.end),
        }
    variant = str(ModelVariant(filters.variant).label) if filters.variant else _("all")
    kind = str(GminaKind(filters.kind).label) if filters.kind else _("all")
    return [
        period,
        _("Model variant: %(variant)s; gmina kind: %(kind)s") % {"variant": variant, "kind": kind},
    ]


def _widths(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    """Relative column widths from the text: the longest word of a header, the longest cell (from 2 to 12)."""
    widths = []
    for index, title in enumerate(header):
        longest_word = max((len(word) for word in str(title).split()), default=1)
        longest_cell = max((len(str(row[index])) for row in rows if index < len(row)), default=1)
        widths.append(min(12, max(2, longest_word, min(longest_cell, 40) // 2)))
    return widths


def pdf_response(*, filename: str, title: str, lines: Sequence[str], sections: Iterable[Section]) -> HttpResponse:
    """A printable A4 report of the sections; the filename names the unit and period, never a person."""
    generated = formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
    document = Document(
        title=title, subtitle="\n".join([*lines, _("Generated on %(when)s by Kooperacja") % {"when": generated}])
    )
    document.pdf.compress = PDF_COMPRESS
    document.paragraph(
        _(
            "Figures computed from the data of the platform. Above the gmina only totals are shown, and counts of "
            "persons from 1 to 4 appear as “<5” (with a second cell hidden where a total would reveal the first)."
        )
    )
    for section_title, header, rows in sections:
        document.heading(section_title)
        if rows:
            document.table(header, rows, _widths(header, rows))
        else:
            document.paragraph("—")
    response = HttpResponse(document.bytes(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def pilot_lines(pilot: Any) -> list[str]:
    """The head of a pilot's report: its variant and status, and the date of the figures."""
    return [
        f"{pilot.get_variant_display()} — {pilot.get_status_display()}",
        _("Period: from the start of the pilots to %(date)s (current data)") % {"date": _date(timezone.localdate())},
    ]


def pilot_sections(page: PilotPage) -> list[Section]:
    """The pilot page as report sections: agreement, milestones, support, indicators (suppressed), custom ones."""
    pilot = page.pilot
    sections: list[Section] = []
    agreement = [
        [_("Gmina"), f"{pilot.gmina.name} ({pilot.gmina.get_kind_display()}) — {pilot.gmina.code}"],
        [_("County"), pilot.county.name if pilot.county_id else "—"],  # type: ignore[union-attr]
        [_("Voivodeship"), pilot.gmina.voivodeship.display_name],
        [_("Model variant"), str(pilot.get_variant_display())],
        [_("Status"), str(pilot.get_status_display())],
        [_("ROPS running the pilot"), pilot.rops.name],
        [_("Project"), pilot.project.name if pilot.project_id else "—"],  # type: ignore[union-attr]
        [_("Agreement signed on"), _date(pilot.agreement_signed_on)],
        [_("Start"), _date(pilot.started_on)],
        [_("End"), _date(pilot.ended_on)],
        [_("Funding (PLN)"), format_value(pilot.funding_amount, "amount")],
        [_("Facilitators"), ", ".join(page.facilitators) or "—"],
        [
            _("Model expert"),
            str(pilot.model_expert) if pilot.model_expert_id else (pilot.model_expert_name or "—"),
        ],
    ]
    sections.append((_("Agreement"), [_("Field"), _("Value")], [[str(a), str(b)] for a, b in agreement]))
    sections.append(
        (
            _("Milestones"),
            [_("Milestone"), _("Planned"), _("Actual"), _("Status")],
            [
                [
                    str(milestone.get_number_display()),
                    f"{_date(milestone.planned_start)} – {_date(milestone.planned_end)}",
                    f"{_date(milestone.actual_start)} – {_date(milestone.actual_end)}",
                    str(milestone.get_status_display()),
                ]
                for milestone in page.milestones
            ],
        )
    )
    support_rows = [
        [
            _date(activity.given_on),
            str(activity.get_kind_display()),
            format_value(activity.hours, "hours"),
            activity.given_by,
            activity.for_whom,
        ]
        for activity in page.support
    ]
    if support_rows:
        support_rows.append([_("Total"), "", format_value(page.support_total, "hours"), "", ""])
    sections.append(
        (
            _("Support given"),
            [_("Date"), _("Kind of support"), _("Hours"), _("Given by"), _("For whom")],
            support_rows,
        )
    )
    sections.append(
        (
            _("Indicators of the pilot"),
            [_("Indicator"), _("Value"), _("Note")],
            [[str(item.label), format_value(item.value, item.unit), str(item.note)] for item in page.indicators],
        )
    )
    for breakdown in page.breakdowns:
        if breakdown.rows:
            rows = [[label, format_value(value, breakdown.unit)] for label, value in breakdown.rows]
            rows.append([_("Total"), format_value(breakdown.total, breakdown.unit)])
            sections.append((breakdown.title, [_("Category"), _("Value")], rows))
    if page.custom:
        sections.append(
            (
                _("Custom indicators"),
                [_("Indicator"), _("Value"), _("Target"), _("Unit")],
                [
                    [
                        item.indicator.name,
                        format_value(item.value, "count"),
                        format_value(item.indicator.target, "count"),
                        item.indicator.unit,
                    ]
                    for item in page.custom
                ],
            )
        )
    return sections
