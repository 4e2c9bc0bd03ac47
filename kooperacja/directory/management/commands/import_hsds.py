"""manage.py import_hsds PATH: import HSDS 3.0 (Open Referral) JSON into the directory, all or nothing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kooperacja.directory.hsds_import import HsdsImportError, hsds_import, missing_schemas

SCHEMA_ENV = "HSDS_SCHEMA_DIR"


def default_schema_dir() -> Path:
    """Where a working copy keeps the standards beside the project (not shipped with it)."""
    return Path(settings.BASE_DIR).parent / "shared" / "standards" / "hsds-3.0" / "schema"


class Command(BaseCommand):
    help = (
        "Import HSDS 3.0 JSON: a file, or a directory of *.json files, each holding an object, a list, an HSDS page "
        "or the tabular form — organizations (with nested locations and services), services (with their "
        "organization), services at locations, locations, taxonomies, taxonomy terms. Everything is checked first "
        "and written in one transaction: on any error nothing changes and the command lists each problem with its "
        "file and JSON path. The check is a full validation against the HSDS 3.0 JSON schemas when they are at hand: "
        "the project does not ship them; give the schema/ directory of the specification (github.com/openreferral/"
        f"specification, branch 3.0) with --schemas DIR or the {SCHEMA_ENV} environment variable (or setting); "
        "without either, ../shared/standards/hsds-3.0/schema beside the project is used if it exists. Without the "
        "schemas, only what the importer reads is checked (ids are UUIDs, required names are present, the fields it "
        "maps have the right types) and the command says so. HSDS ids become the directory's ids, so importing again "
        "updates the same rows (and changes nothing when the data is the same). A new institution is placed in the "
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
        parser.add_argument(
            "--schemas",
            metavar="DIR",
            type=Path,
            help=(
                "the schema/ directory of HSDS 3.0 (openreferral/specification, branch 3.0) to validate against; "
                f"default: ${SCHEMA_ENV}, else ../shared/standards/hsds-3.0/schema beside the project if it exists; "
                "a directory without them means structural checks only"
            ),
        )

    def _schema_dir(self, option: Path | None) -> tuple[Path | None, str]:
        """The schema directory to validate against, or None and why there is none."""
        configured = os.environ.get(SCHEMA_ENV) or getattr(settings, SCHEMA_ENV, None)
        if option is not None:
            candidate, origin = option, "--schemas"
        elif configured:
            candidate, origin = Path(configured), SCHEMA_ENV
        else:
            candidate = default_schema_dir()
            if not candidate.is_dir():
                return None, "no HSDS schema directory is configured"
            origin = ""
        if not candidate.is_dir():
            raise CommandError(f"{origin}: no such directory: {candidate}")
        missing = missing_schemas(candidate)
        if missing:
            return None, f"{candidate} lacks {len(missing)} HSDS 3.0 schema file(s) ({', '.join(missing[:3])}…)"
        return candidate, ""

    def handle(
        self, *args: Any, path: Path, voivodeship: str | None, schemas: Path | None = None, **options: Any
    ) -> None:
        if not path.exists():
            raise CommandError(f"No such file or directory: {path}")
        schema_dir, why_not = self._schema_dir(schemas)
        if schema_dir is None:
            self.stdout.write(
                f"Full HSDS schema validation skipped: {why_not}; only ids, required names and the types of the "
                "fields the importer reads are checked. To validate fully, pass --schemas DIR or set "
                f"{SCHEMA_ENV} to the schema/ directory of HSDS 3.0 (github.com/openreferral/specification, "
                "branch 3.0)."
            )
        try:
            summary = hsds_import(path=path, voivodeship_code=voivodeship, schema_dir=schema_dir)
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
