"""Sweep the referrals' deadlines: reminders before the answer deadline, escalation to the recipient institution's
manager and a notice to the sender after it, expiry, and suspension of referrals whose consent expired.

Run it from cron (e.g. every 15 minutes), or with `--enqueue` hand it to the django-tasks backend (a worker runs it).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kooperacja.referrals.services import referral_deadlines_sweep


class Command(BaseCommand):
    help = "Referral deadlines: reminders, escalation, expiry, expired consents."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Enqueue the sweep as a background task instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from kooperacja.referrals.tasks import referral_deadlines

            result = referral_deadlines.enqueue()
            self.stdout.write(f"Enqueued task {result.id} ({result.status}).")
            return
        swept = referral_deadlines_sweep()
        self.stdout.write(
            f"reminded={swept.reminded} escalated={swept.escalated} expired={swept.expired} suspended={swept.suspended}"
        )
