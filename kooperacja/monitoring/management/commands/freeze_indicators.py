"""manage.py freeze_indicators [--period 2026-Q3] [--refreeze]: freeze the indicators of an ended period."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kooperacja.monitoring.indicators import Period
from kooperacja.monitoring.services import snapshot_freeze


class Command(BaseCommand):
    help = (
        "Freeze the indicator values of an ended month (2026-07) or quarter (2026-Q3) for the country and every "
        "macroregion, voivodeship and gmina with pilots, so that reports of that period do not change afterwards. "
        "Without --period: the previous quarter. Snapshots already frozen stay as they are unless --refreeze."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", default="", help="a month (2026-07) or a quarter (2026-Q3)")
        parser.add_argument("--refreeze", action="store_true", help="recompute snapshots already frozen (audited)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = Period.parse(options["period"]) if options["period"] else Period.previous_quarter()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            frozen = snapshot_freeze(period=period, refreeze=options["refreeze"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{period.code}: {len(frozen)} snapshot(s) frozen.")
