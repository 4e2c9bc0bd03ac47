"""manage.py load_demo [--reset]: the demo data (three pilot gminy, their institutions, partnerships, accounts; the
teams, meetings and work plans of the governance context)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kooperacja.demo import governance_demo
from kooperacja.demo.directory_demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load the demo data (idempotent: a second run changes nothing). --reset deletes the demo and loads it again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="delete the demo data first, then load it again")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            # Team members and action items keep the demo accounts: remove them before the accounts go.
            governance_demo.delete()
        summary = demo_load(reset=options["reset"])
        if not summary.loaded:
            self.stdout.write("The demo data is already loaded; nothing changed (use --reset to load it again).")
        else:
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
        # Idempotent on its own: a database loaded before the governance demo existed gets it now.
        self.stdout.write("  ", ending="")
        governance_demo.load(stdout=self.stdout)
