"""Exports of a meeting: its action items as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kooperacja.governance.models import ActionItem


def _rows(items: Iterable[ActionItem]) -> tuple[list[str], list[list[str]]]:
    header = [
        _("No."),
        _("Title"),
        _("Owner (person)"),
        _("Owner (institution)"),
        _("Due date"),
        _("Status"),
        _("Decision"),
    ]
    rows = []
    for number, item in enumerate(items, start=1):
        rows.append(
            [
                str(number),
                item.title,
                str(item.owner_user) if item.owner_user else "",
                item.owner_institution.name if item.owner_institution else "",
                item.due_on.isoformat() if item.due_on else "",
                str(item.get_status_display()),
                str(item.decision.number) if item.decision else "",
            ]
        )
    return header, rows


def _safe(value: str) -> str:
    """Spreadsheet programs run cells starting with = + - @ as formulas: prefix them with a quote."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def action_items_csv(items: Iterable[ActionItem]) -> bytes:
    header, rows = _rows(items)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
    # With a BOM, so that Excel reads the Polish letters.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def action_items_xlsx(items: Iterable[ActionItem], *, title: str) -> bytes:
    header, rows = _rows(items)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Action items")[:31]
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(cell) for cell in row])
    for column, width in zip("ABCDEFG", (6, 50, 28, 40, 12, 16, 10), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
