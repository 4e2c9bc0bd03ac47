"""Anonymise the records past their institution's retention rules (daily; also the `apply_retention` task)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kooperacja.privacy.retention import apply_retention


class Command(BaseCommand):
    help = "Anonymise the records past the retention rules of their institution."

    def handle(self, *args: Any, **options: Any) -> None:
        totals = apply_retention()
        if not totals:
            self.stdout.write("No retention rules.")
        for record_type, count in sorted(totals.items()):
            if count < 0:
                self.stdout.write(f"{record_type}: no handler registered, kept")
            else:
                self.stdout.write(f"{record_type}: {count} anonymised")
