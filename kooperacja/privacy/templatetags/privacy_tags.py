from __future__ import annotations

from typing import Any

from django import template

from kooperacja.privacy.models import DataCategory

register = template.Library()


@register.filter
def category_labels(categories: Any) -> str:
    """The translated labels of a list of data categories, comma-separated."""
    labels = dict(DataCategory.choices)
    return ", ".join(str(labels.get(c, c)) for c in (categories or [])) or "—"


@register.filter
def is_dpo(memberships: Any) -> bool:
    """True when one of the (already loaded) memberships is a data protection officer's: for the nav link."""
    return any(getattr(m, "role", "") == "data_protection_officer" for m in (memberships or []))
