"""Template filters of the account pages."""

from __future__ import annotations

import datetime
import math

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def whole_minutes(delta: datetime.timedelta | None) -> int:
    """A waiting time in whole minutes, rounded up (so "wait 1 minute" is never too short)."""
    if not delta:
        return 0
    return max(1, math.ceil(delta.total_seconds() / 60))


@register.filter
def from_now(delta: datetime.timedelta | None) -> datetime.datetime:
    """The local time when a waiting time that starts now ends."""
    return timezone.localtime(timezone.now() + (delta or datetime.timedelta()))
