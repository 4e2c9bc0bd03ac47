"""Who may do what with accounts.

- A user manages only their own API tokens on "My account": another user's token is 404 there, the same
  answer as for a token that does not exist.
- A system administrator (staff with the change permission on tokens) may also revoke any token, in the admin.
- A user switches only among their own current memberships; any other membership id is 404.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import Http404

from kooperacja.accounts.models import ApiToken, Membership
from kooperacja.accounts.selectors import memberships_for

Need = Literal["read", "write"]


def _is_signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and bool(getattr(actor, "is_active", False))


def can_create_api_token(actor: Any) -> bool:
    """Any active, signed-in user may create personal tokens for themselves."""
    return _is_signed_in(actor)


def can_revoke_api_token(actor: Any, token: ApiToken) -> bool:
    """The token's owner, or a staff member allowed to change tokens (the admin's revoke action)."""
    if not _is_signed_in(actor):
        return False
    if token.user_id == actor.pk:
        return True
    return bool(actor.is_staff) and bool(actor.has_perm("accounts.change_apitoken"))


def get_api_token_for_actor(actor: Any, pk: Any, need: Need = "read") -> ApiToken:
    """One of the actor's OWN tokens; any other id (someone else's, or missing) is 404, for reading and writing."""
    if not _is_signed_in(actor):
        raise Http404
    try:
        return ApiToken.objects.select_related("user").get(pk=pk, user=actor)
    except (ApiToken.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_membership_for_actor(actor: Any, pk: Any, need: Need = "read") -> Membership:
    """One of the actor's own CURRENT memberships; anything else is 404."""
    if not _is_signed_in(actor):
        raise Http404
    try:
        return memberships_for(user=actor).get(pk=pk)
    except (Membership.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
