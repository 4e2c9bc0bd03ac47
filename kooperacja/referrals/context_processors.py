from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest

from kooperacja.referrals.models import Notification

# The header shows the unread count on every page; it is kept in the cache (primed at sign-in, forgotten whenever a
# notification is written or read) so that pages do not pay a query for it. A short life bounds the staleness
# across app servers with a per-process cache (set REDIS_URL for a shared one).
UNREAD_TTL_SECONDS = 60


def _key(user_id: Any) -> str:
    return f"referrals:unread:{user_id}"


def unread_count(user_id: Any) -> int:
    value = cache.get(_key(user_id))
    if value is None:
        value = Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()
        cache.set(_key(user_id), value, UNREAD_TTL_SECONDS)
    return int(value)


def forget_unread(user_ids: list[Any]) -> None:
    cache.delete_many([_key(user_id) for user_id in user_ids])


def prime_unread(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """user_logged_in receiver: count once at sign-in."""
    cache.delete(_key(user.pk))
    unread_count(user.pk)


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's unread referral notifications, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": lambda: unread_count(user.pk)}
