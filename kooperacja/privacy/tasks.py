"""Background tasks (django-tasks): run them daily — enqueue from a scheduler (cron, systemd timer) or run the
equivalent management commands `manage.py expire_consents` and `manage.py apply_retention`."""

from __future__ import annotations

from django_tasks import task

from kooperacja.privacy import retention, services


@task()
def expire_consents() -> int:
    """End the grants of the consents past their validity and run the consent-ended callbacks."""
    return services.consents_expire()


@task()
def apply_retention() -> dict[str, int]:
    """Anonymise the records past their institution's retention rules."""
    return retention.apply_retention()
