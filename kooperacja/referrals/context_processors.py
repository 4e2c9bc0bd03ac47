from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kooperacja.referrals.models import Notification


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's unread referral notifications (for the header); one small query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread() -> int:
        return Notification.objects.filter(user=user, read_at__isnull=True).count()

    # Lazy: pages that never show the header badge do not pay for the count.
    return {"unread_notifications": unread}
