"""manage.py load_demo [--reset]: the demo data of every context (directory first, then the contexts built on it)."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import ProtectedError
from django.test.utils import override_settings

from kooperacja.demo import evaluation_demo, governance_demo, monitoring_demo, person_level
from kooperacja.demo.directory_demo import DEMO_PASSWORD, demo_delete, demo_load

# The contexts built on the directory demo, in load order; each part's load() is idempotent and delete() removes
# only what it created. --reset deletes them in reverse order, then the directory demo.
PARTS = [*person_level.PARTS, governance_demo, monitoring_demo, evaluation_demo]


class Command(BaseCommand):
    help = "Load the demo data (idempotent: a second run changes nothing). --reset deletes the demo and loads it again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="delete the demo data first, then load it again")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            try:
                with transaction.atomic():  # all of the reset or none of it
                    for part in reversed(PARTS):
                        part.delete()
                    demo_delete()
            except ProtectedError as exc:
                raise CommandError(
                    "The demo cannot be reset in place: the access log (append-only by law and by design) records "
                    "reads of demo persons by demo institutions. Start from an empty database instead "
                    "(SQLite: delete var/kooperacja.sqlite3, then `make demo`)."
                ) from exc
            self.stdout.write("Deleted the previous demo data.")
        summary = demo_load()
        if not summary.loaded:
            self.stdout.write("directory: already loaded; nothing changed (use --reset to load it again).")
        else:
            self.stdout.write(
                "Directory:"
                + f"\n  territory: {summary.voivodeships} voivodeships in {summary.macroregions} macroregions"
                + "".join(f"\n  pilot gmina: {line}" for line in summary.gminy)
                + f"\n  directory: {summary.institutions} institutions, {summary.services} services, "
                f"{summary.locations} locations"
                + f"\n  partnerships: {summary.partnerships} with {summary.members} members and "
                f"{summary.agreements} signed agreements"
                + f"\n  accounts (password {DEMO_PASSWORD}): {', '.join(summary.accounts)}"
            )
        # The demo's history (referrals sent, accepted, …) would print an e-mail per notification to the console:
        # its in-app notifications are kept, its e-mails discarded. E-mails of what users do afterwards are sent.
        # The background tasks of that history run in-process; their per-task log lines are left out too.
        started = time.monotonic()
        tasks_log = logging.getLogger("django_tasks")
        tasks_level = tasks_log.level
        tasks_log.setLevel(logging.WARNING)
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                for part in PARTS:
                    part.load(stdout=self.stdout)
        finally:
            tasks_log.setLevel(tasks_level)
        total = (summary.seconds if summary.loaded else 0.0) + time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {total:.1f} s."))
