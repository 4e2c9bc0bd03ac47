"""manage.py import_hsds PATH: import HSDS 3.0 (Open Referral) JSON into the directory, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kooperacja.directory.hsds_import import HsdsImportError, hsds_import


class Command(BaseCommand):
    help = (
        "Import HSDS 3.0 JSON: a file, or a directory of *.json files, each holding an object, a list, an HSDS page "
        "or the tabular form — organizations (with nested locations and services), services (with their "
        "organization), services at locations, locations, taxonomies, taxonomy terms. Everything is checked against "
        "the HSDS schemas first and written in one transaction: on any error nothing changes and the command lists "
        "each problem with its file and JSON path. HSDS ids become the directory's ids, so importing again updates "
        "the same rows (and changes nothing when the data is the same). A new institution is placed in the "
        "voivodeship given with --voivodeship; without it, in the voivodeship named by its first address "
        "(state_province, e.g. 'mazowieckie'), else in the first voivodeship by TERYT code. The territory must "
        "be loaded first (import_teryt or the demo). New institutions get sector and kind 'other' unless they carry "
        "a term of the 'sectors' taxonomy; existing ones keep their territory, sector and kind."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="an HSDS JSON file or a directory of them")
        parser.add_argument(
            "--voivodeship",
            metavar="CODE",
            help="TERYT code (2 digits, e.g. 14 for mazowieckie) of the voivodeship of new institutions",
        )

    def handle(self, *args: Any, path: Path, voivodeship: str | None, **options: Any) -> None:
        if not path.exists():
            raise CommandError(f"No such file or directory: {path}")
        try:
            summary = hsds_import(path=path, voivodeship_code=voivodeship)
        except HsdsImportError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Nothing was imported: {len(exc.problems)} problem(s) in {path}"
                + (" (first ones shown)" if len(exc.problems) >= 200 else "")
            ) from None
        self.stdout.write(f"Imported {summary.objects} object(s) from {summary.files} file(s):")
        for line in summary.lines():
            self.stdout.write(f"  {line}")
        for note in summary.notes:
            self.stdout.write(note)
