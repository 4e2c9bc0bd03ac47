"""Template helpers of the evaluation pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def result_for(group: Any, question: Any) -> Any:
    """The result of `question` within a group of questionnaire results (None if absent)."""
    for item in getattr(group, "questions", []):
        if item.question.pk == question.pk:
            return item
    return None


@register.simple_tag
def distribution_chart(item: Any, title: str) -> str:
    """A server-rendered SVG bar chart of one question's distribution (the table beside it holds the same data)."""
    bars = list(getattr(item, "bars", []) or [])
    if not bars:
        return ""
    row, label_width, bar_width = 26, 170, 260
    height = row * len(bars) + 8
    description = "; ".join(f"{bar.label}: {bar.count} ({bar.share:.1f}%)" for bar in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_width + bar_width + 90} {height}" '
        f'width="{label_width + bar_width + 90}" height="{height}" '
        f'role="img" aria-labelledby="{{id}}-t {{id}}-d">',
        f'<title id="{{id}}-t">{escape(title)}</title><desc id="{{id}}-d">{escape(description)}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = 4 + i * row
        width = round(bar_width * bar.share / 100)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 16}" text-anchor="end" font-size="13">{escape(bar.label[:28])}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{max(width, 1)}" height="18" fill="#0b5394"></rect>'
            f'<text x="{label_width + max(width, 1) + 6}" y="{y + 16}" font-size="13">{bar.count}</text>'
        )
    parts.append("</svg>")
    chart_id = f"chart-{getattr(item.question, 'pk', 'q')}"
    return mark_safe("".join(parts).replace("{id}", chart_id))  # noqa: S308 — every text above is escaped
