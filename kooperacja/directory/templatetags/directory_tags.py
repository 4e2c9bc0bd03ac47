"""Small display helpers for directory templates (no decisions: those are made in views and policies)."""

from __future__ import annotations

import uuid
from typing import Any

from django import template
from django.template.context import Context
from django.urls import reverse
from django.utils.translation import get_language

from kooperacja.directory.models import CapacityStatus, InstitutionKind, Sector

register = template.Library()

_SENTINEL_ID = str(uuid.UUID(int=0))


@register.simple_tag(takes_context=True)
def detail_url(context: Context, name: str, pk: uuid.UUID | str) -> str:
    """`{% url name pk %}` of a page with a UUID in its path, reversed once per render and name: a page of 50 results
    reversed 50 URLs (a fifth of the search page's rendering). The same string: the UUID converter writes str(pk)."""
    parts = context.render_context.setdefault("directory_detail_url", {})
    if name not in parts:
        parts[name] = reverse(name, args=[_SENTINEL_ID]).split(_SENTINEL_ID)
    prefix, suffix = parts[name]
    return f"{prefix}{uuid.UUID(str(pk))}{suffix}"


@register.filter
def term_label(term: Any) -> str:
    """A taxonomy term in the current language (terms are stored in Polish, with an English name)."""
    language = (get_language() or "pl").split("-")[0]
    if language == "en" and getattr(term, "name_en", ""):
        return str(term.name_en)
    return str(term.name)


# Labels of choices by value. Cheaper than Model.get_FOO_display(), which rebuilds a dict of every (lazy) choice
# on each call — it showed up as a third of the search page's time at national scale.
_LABELS: dict[str, dict[str, Any]] = {
    "sector": dict(Sector.choices),
    "kind": dict(InstitutionKind.choices),
    "capacity": dict(CapacityStatus.choices),
}


@register.filter
def sector_label(value: str) -> Any:
    return _LABELS["sector"].get(value, value)


@register.filter
def kind_label(value: str) -> Any:
    return _LABELS["kind"].get(value, value)


@register.filter
def capacity_label(value: str) -> Any:
    return _LABELS["capacity"].get(value, value)


@register.filter
def service_status_label(value: str) -> Any:
    from kooperacja.directory.forms import SERVICE_STATUS_LABELS

    return SERVICE_STATUS_LABELS.get(value, value)  # type: ignore[call-overload]
