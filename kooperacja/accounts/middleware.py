"""Attach the active membership (the institution the user acts for) to each request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from kooperacja.accounts.selectors import active_membership_for_request


class ActiveMembershipMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.active_membership = SimpleLazyObject(lambda: active_membership_for_request(request))  # type: ignore[attr-defined]
        return self.get_response(request)
