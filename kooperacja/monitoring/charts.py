"""Server-rendered SVG bar charts: no script, role="img" with a <title> and <desc>; the page shows the data table
beside each chart for screen readers and for reading exact values."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_ids = itertools.count(1)

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 220
BAR_AREA = 320
VALUE_WIDTH = 70


def _number(value: Any) -> float | None:
    """A drawable number: hidden cells ("<5") and missing values are not drawn."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    return None


def _label(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (float, Decimal)):
        number = float(value)
        return f"{number:.0f}" if number == int(number) else f"{number:.1f}"
    return str(value)


def bar_chart(*, title: str, description: str, rows: Sequence[tuple[str, Any]]) -> SafeString:
    """A horizontal bar chart of (label, value) rows. Hidden or missing values get an empty bar and their text."""
    chart_id = next(_ids)
    numbers = [_number(value) for _label_text, value in rows]
    top = max([number for number in numbers if number is not None] or [0]) or 1
    height = max(1, len(rows)) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="chart-{chart_id}-title chart-{chart_id}-desc" '
        f'class="bar-chart">',
        f'<title id="chart-{chart_id}-title">{escape(title)}</title>',
        f'<desc id="chart-{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, ((text, value), number) in enumerate(zip(rows, numbers, strict=True)):
        y = GAP + index * (BAR_HEIGHT + GAP)
        bar = 0 if number is None else max(1.0, BAR_AREA * number / top) if number > 0 else 0
        short = text if len(text) <= 32 else text[:31] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT * 0.7:.1f}" text-anchor="end" font-size="13" '
            f'fill="#1d2733">{escape(short)}</text>'
        )
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar:.1f}" height="{BAR_HEIGHT}" fill="#1f5fa8"></rect>')
        parts.append(
            f'<text x="{LABEL_WIDTH + bar + 6:.1f}" y="{y + BAR_HEIGHT * 0.7:.1f}" font-size="13" '
            f'fill="#1d2733">{escape(_label(value))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
