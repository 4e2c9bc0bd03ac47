"""Template filters of the pilots and dashboard pages."""

from __future__ import annotations

from typing import Any

from django import template

from kooperacja.monitoring.indicators import format_value

register = template.Library()


@register.filter
def indicator_value(value: Any, unit: str = "count") -> str:
    """An indicator value as text: "—" for none, "<5" for a hidden count, shares in per cent."""
    return format_value(value, unit)
