"""manage.py import_teryt FILE: import the official TERC list of GUS (all or nothing, idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from tqdm import tqdm

from kooperacja.territory.models import GminaKind
from kooperacja.territory.services import ImportSummary, LevelCounts, TercFileError, teryt_import

PART_LABELS = {
    "4": gettext_noop("town parts of urban-rural gminy (RODZ 4)"),
    "5": gettext_noop("rural areas of urban-rural gminy (RODZ 5)"),
    "8": gettext_noop("districts of Warsaw (RODZ 8)"),
    "9": gettext_noop("delegations and districts of other cities (RODZ 9)"),
}


class Command(BaseCommand):
    help = (
        "Import the TERC list of the TERYT register as GUS publishes it (CSV, ';', UTF-8 with or without BOM): "
        "voivodeships, counties and gminy. A damaged file changes nothing; a second run of the same file neither."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the TERC CSV file (e.g. TERC_Urzedowy_2024-01-01.csv)")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        with tqdm(disable=not self.stdout.isatty(), unit=" units", leave=False) as bar:

            def progress(advance: int, total: int) -> None:
                bar.total = total
                bar.update(advance)

            try:
                summary = teryt_import(path=file, progress=progress)
            except TercFileError as exc:
                raise CommandError(exc.message) from None
        self._report(file, summary)

    def _level(self, label: str, counts: LevelCounts) -> str:
        line = _("%(label)s: %(total)d (created %(created)d, updated %(updated)d, unchanged %(unchanged)d)") % {
            "label": label,
            "total": counts.in_file,
            "created": counts.created,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
        }
        if counts.not_in_file:
            line += "; " + _("%(count)d more in the database but not in this file, left as they are") % {
                "count": counts.not_in_file
            }
        return line

    def _report(self, file: Path, summary: ImportSummary) -> None:
        write = self.stdout.write
        write(
            _("TERC list as of %(date)s: %(file)s")
            % {"date": summary.valid_on.isoformat() if summary.valid_on else "?", "file": file.name}
        )
        write(self._level(_("Voivodeships"), summary.voivodeships))
        write(self._level(_("Counties"), summary.counties))
        write(self._level(_("Gminy"), summary.gminy))
        for kind in GminaKind:
            write(f"  {kind.label}: {summary.gminy_by_kind.get(kind.value, 0)}")
        write(_("Skipped, parts of gminy that are not gminy: %(count)d") % {"count": summary.skipped})
        for rodz, count in summary.skipped_parts.items():
            write(f"  {_(PART_LABELS[rodz])}: {count}")
        if summary.changed:
            write(
                self.style.SUCCESS(
                    _("Imported: %(created)d created, %(updated)d updated.")
                    % {"created": summary.created, "updated": summary.updated}
                )
            )
        else:
            write(self.style.SUCCESS(_("No changes: the database already matches this file.")))
