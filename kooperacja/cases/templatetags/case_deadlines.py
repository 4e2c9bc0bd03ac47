"""`{{ task.due_on|deadline }}`: where today stands to a date (cases.selectors.Deadline), for the badge that says when
a deadline is near or passed (cases/_deadline.html)."""

from __future__ import annotations

import datetime

from django import template

from kooperacja.cases.selectors import Deadline
from kooperacja.cases.selectors import deadline as deadline_of

register = template.Library()


@register.filter
def deadline(value: datetime.date | None) -> Deadline | None:
    return deadline_of(value)
