"""Exports of dashboard views and comparisons to CSV and XLSX: the same (already suppressed) figures the page shows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from kooperacja.monitoring.indicators import format_value
from kooperacja.monitoring.selectors import Comparison, Dashboard

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
