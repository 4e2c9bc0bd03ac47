"""Background work of the referrals context (django-tasks): notification e-mails and the deadline sweep.

With the database backend (`django_tasks_db.DatabaseBackend`) a worker (`manage.py db_worker`) runs them; the demo
and the tests use the immediate backend, which runs them in-process at enqueue time.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from kooperacja.referrals.models import Notification, NotificationKind


def email_for(notification: Notification) -> tuple[str, str]:
    """Subject and body of a notification's e-mail: the kind of event and a link, no personal data at all."""
    link = settings.SITE_URL.rstrip("/") + reverse("referrals:detail", args=[notification.referral_id])
    kind = NotificationKind(notification.kind).label
    subject = _("Kooperacja: %(event)s") % {"event": kind}
    body = "\n\n".join(
        [
            _("There is a new notification about a referral in Kooperacja: %(event)s.") % {"event": kind},
            _("Sign in to open it: %(link)s") % {"link": link},
            _("This message holds no personal data on purpose; everything is in Kooperacja after you sign in."),
        ]
    )
    return subject, body + "\n"


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail each notification (not yet e-mailed) to its user, in the user's language."""
    sent = 0
    for notification in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related(
        "user"
    ):
        if not notification.user.email:
            continue
        with translation.override(getattr(notification.user, "preferred_language", None) or settings.LANGUAGE_CODE):
            subject, body = email_for(notification)
        send_mail(subject, body, None, [notification.user.email])
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


@task()
def referral_deadlines() -> dict[str, int]:
    """The deadline sweep (reminders, escalation, expiry, expired consents) as a background task."""
    from kooperacja.referrals.services import referral_deadlines_sweep

    result = referral_deadlines_sweep()
    return {
        "reminded": result.reminded,
        "escalated": result.escalated,
        "expired": result.expired,
        "suspended": result.suspended,
    }
