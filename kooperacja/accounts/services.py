"""Writes of accounts: personal API tokens. Each one checks its policy, validates, saves and is audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kooperacja.accounts import policies
from kooperacja.accounts.models import TOKEN_PREFIX, ApiToken, hash_token, new_token_secret
from kooperacja.core.services import audit_record

# A token lives at most a year (or the configured default, if an operator chose a longer one).
API_TOKEN_MAX_DAYS = 365
HINT_LENGTH = len(TOKEN_PREFIX) + 4


def api_token_max_days() -> int:
    return max(API_TOKEN_MAX_DAYS, int(settings.API_TOKEN_DEFAULT_DAYS))


def api_token_create(*, actor: Any, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Create a personal token for the actor themselves; return it with its secret, which is never stored.

    `days` is the validity (1 … `api_token_max_days()`), by default settings.API_TOKEN_DEFAULT_DAYS.
    """
    if not policies.can_create_api_token(actor):
        raise PermissionDenied
    if days is None:
        days = int(settings.API_TOKEN_DEFAULT_DAYS)
    if not 1 <= days <= api_token_max_days():
        raise ValidationError(
            {"days": _("Choose between 1 and %(max)d days.") % {"max": api_token_max_days()}}, code="invalid"
        )
    secret = new_token_secret()
    now = timezone.now()
    token = ApiToken(
        user=actor,
        name=(name or "").strip(),
        token_hash=hash_token(secret),
        hint=secret[:HINT_LENGTH],
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    token.full_clean(exclude=["token_hash", "hint"])
    with transaction.atomic():
        token.save()
        audit_record(actor=actor, action="accounts.api_token_create", target=token, data={"days": days})
    return token, secret


def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token: its owner, or a staff member allowed to change tokens. Revoking twice changes nothing."""
    if not policies.can_revoke_api_token(actor, token):
        # Someone else's token: the same answer as for a token that does not exist.
        raise Http404
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                action="accounts.api_token_revoke",
                target=locked,
                data={"owner_id": locked.user_id, "by_owner": locked.user_id == actor.pk},
            )
    token.revoked_at = locked.revoked_at
    return token


def user_set_preferred_language(*, actor: Any, language: str) -> None:
    """Remember the signed-in user's interface language (one of settings.LANGUAGES)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the available languages.")})
    if actor.preferred_language == language:
        return
    with transaction.atomic():
        before = actor.preferred_language
        actor.preferred_language = language
        actor.save(update_fields=["preferred_language"])
        audit_record(actor=actor, action="user.preferred_language", target=actor, data={"from": before, "to": language})
