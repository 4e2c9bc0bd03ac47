"""manage.py load_demo [--reset]: the demo data (three pilot gminy, their institutions, partnerships, accounts), then
the monitoring demo (projects, 23 pilots, support, snapshots) and the evaluation demo (questionnaires, findings and
recommendations, good practices) on top of it. Each part is idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kooperacja.demo import evaluation_demo, monitoring_demo
from kooperacja.demo.directory_demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load the demo data (idempotent: a second run changes nothing). --reset deletes the demo and loads it again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="delete the demo data first, then load it again")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            # The monitoring parts refer to the directory demo's gminy and ROPS: they go first.
            evaluation_demo.delete()
            monitoring_demo.delete()
        self._directory(demo_load(reset=options["reset"]))
        monitoring_demo.load(stdout=self.stdout)
        evaluation_demo.load(stdout=self.stdout)

    def _directory(self, summary: Any) -> None:
        if not summary.loaded:
            self.stdout.write("The demo data is already loaded; nothing changed (use --reset to load it again).")
            return
        if summary.deleted:
            self.stdout.write("Deleted the previous demo data.")
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded in {summary.seconds:.1f} s:")
            + f"\n  territory: {summary.voivodeships} voivodeships in {summary.macroregions} macroregions"
            + "".join(f"\n  pilot gmina: {line}" for line in summary.gminy)
            + f"\n  directory: {summary.institutions} institutions, {summary.services} services, "
            f"{summary.locations} locations"
            + f"\n  partnerships: {summary.partnerships} with {summary.members} members and "
            f"{summary.agreements} signed agreements"
            + f"\n  accounts (password {DEMO_PASSWORD}): {', '.join(summary.accounts)}"
        )
