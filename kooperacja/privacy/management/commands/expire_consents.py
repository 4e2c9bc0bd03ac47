"""End the grants of expired consents and run the consent-ended callbacks (daily; also the `expire_consents` task)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kooperacja.privacy.services import consents_expire


class Command(BaseCommand):
    help = "Process the consents past their validity: end their grants and notify the contexts that relied on them."

    def handle(self, *args: Any, **options: Any) -> None:
        count = consents_expire()
        self.stdout.write(f"Expired consents processed: {count}")
