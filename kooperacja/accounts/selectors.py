"""Reads about users and memberships."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from kooperacja.accounts.models import ApiToken, Membership

ACTIVE_MEMBERSHIP_SESSION_KEY = "active_membership_id"


def memberships_for(*, user: Any) -> QuerySet[Membership]:
    """Current memberships of a user, with institution and its territory loaded."""
    return (
        Membership.objects.current()
        .filter(user=user)
        .select_related("institution", "institution__gmina", "institution__county", "institution__voivodeship")
        .order_by("institution__name", "role")
    )


def active_membership_for_request(request: HttpRequest) -> Membership | None:
    """The membership chosen in the session, or the user's first current one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    memberships = request_memberships(request)
    if not memberships:
        return None
    chosen = request.session.get(ACTIVE_MEMBERSHIP_SESSION_KEY)
    for membership in memberships:
        if membership.pk == chosen:
            return membership
    return memberships[0]


def request_memberships(request: HttpRequest) -> list[Membership]:
    """The signed-in user's current memberships, fetched once per request."""
    cached = getattr(request, "_current_memberships", None)
    if cached is None:
        cached = list(memberships_for(user=request.user))
        request._current_memberships = cached  # type: ignore[attr-defined]
    return cached


def api_tokens_for(*, user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")
