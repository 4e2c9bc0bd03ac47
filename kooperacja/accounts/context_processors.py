from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kooperacja.accounts.selectors import request_memberships


def active_membership(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "active_membership": getattr(request, "active_membership", None),
        "my_memberships": request_memberships(request),
    }
