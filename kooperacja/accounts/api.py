"""Accounts in the JSON API: bearer-token authentication and the caller's own profile."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.security import HttpBearer

from kooperacja.accounts.models import ApiToken, hash_token
from kooperacja.accounts.selectors import memberships_for

router = Router(tags=["accounts"])


class BearerTokenAuth(HttpBearer):
    """Accepts `Authorization: Bearer <personal API token>`; an unknown, expired or revoked token fails."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token:
            return None
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True)
            .first()
        )
        if api_token is None or not api_token.is_active or not api_token.user.is_active:
            return None
        now = timezone.now()
        # Record use at most once a minute, so that reads stay reads.
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


class MembershipOut(Schema):
    id: int
    institution_id: str
    institution_name: str
    role: str
    role_label: str


class MeOut(Schema):
    username: str
    full_name: str
    email: str
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, summary="The signed-in user and their memberships")
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "username": user.get_username(),
        "full_name": user.get_full_name(),
        "email": user.email,
        "memberships": [
            {
                "id": m.pk,
                "institution_id": str(m.institution_id),
                "institution_name": m.institution.name,
                "role": m.role,
                "role_label": str(m.get_role_display()),
            }
            for m in memberships_for(user=user)
        ],
    }
