"""Walk the hash chain of the access log: prints the entries checked and OK, or the ids of changed or removed entries
(exit status 1)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kooperacja.privacy.services import access_log_check


class Command(BaseCommand):
    help = "Verify the hash chain of the access log; exit 1 listing the entries changed or removed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        result = access_log_check(chunk_size=options["chunk_size"])
        self.stdout.write(f"Entries checked: {result.checked}")
        if result.ok:
            self.stdout.write(self.style.SUCCESS("OK: the access log is intact."))
            return
        for _pk, message in result.problems:
            self.stderr.write(message)
        ids = ", ".join(str(pk) for pk in result.entry_ids) or "-"
        raise CommandError(f"The access log was tampered with: {len(result.problems)} problem(s); entries: {ids}")
