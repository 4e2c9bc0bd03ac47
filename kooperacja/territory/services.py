"""Writes of the territory: importing the official TERC list and seeding the programme's macroregions.

Territory is reference data: the writes here run from management commands (actor None) or from the demo loader.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from kooperacja.core.services import audit_record
from kooperacja.territory.models import County, Gmina, GminaKind, Macroregion, Voivodeship
from kooperacja.territory.reference import MACROREGIONS, VOIVODESHIPS

TERC_HEADER = ("WOJ", "POW", "GMI", "RODZ", "NAZWA", "NAZWA_DOD", "STAN_NA")
GMINA_RODZ = ("1", "2", "3")
# Parts of gminy that TERC lists but that are not gminy: the town (4) and rural area (5) of an urban-rural gmina,
# the districts of Warsaw (8) and the delegations / districts of other cities (9).
PART_RODZ = ("4", "5", "8", "9")
NAME_MAX_LENGTH = 100
MAX_REPORTED_ERRORS = 20
WRITE_BATCH = 500

_TWO_DIGITS = re.compile(r"\d{2}")
_ONE_DIGIT = re.compile(r"\d")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# progress(advance, total): `advance` more units written out of `total` in the file.
Progress = Callable[[int, int], None]


# --- the TERC file --------------------------------------------------------------------------------------------------


class TercFileError(Exception):
    """The TERC file cannot be imported; `errors` lists (line number, message), first problems first."""

    def __init__(self, errors: list[tuple[int, str]], *, more: bool = False) -> None:
        self.errors = sorted(errors)
        self.more = more
        super().__init__(self.message)

    @property
    def first_line(self) -> int:
        return self.errors[0][0]

    @property
    def message(self) -> str:
        lines = [_("The TERC file cannot be imported; nothing was changed.")]
        lines += [_("line %(number)d: %(problem)s") % {"number": n, "problem": problem} for n, problem in self.errors]
        if self.more:
            lines.append(_("(further problems are not listed)"))
        return "\n".join(lines)


@dataclass(frozen=True)
class TercRow:
    line: int
    code: str
    name: str
    kind_label: str
    valid_on: datetime.date
    rodz: str = ""


@dataclass
class TercList:
    """A parsed, validated TERC list: units by code, and the parts of gminy counted by RODZ."""

    voivodeships: dict[str, TercRow] = field(default_factory=dict)
    counties: dict[str, TercRow] = field(default_factory=dict)
    gminy: dict[str, TercRow] = field(default_factory=dict)
    parts: dict[str, TercRow] = field(default_factory=dict)
    last_line: int = 0

    @property
    def valid_on(self) -> datetime.date | None:
        dates = {row.valid_on for row in self.voivodeships.values()}
        return max(dates) if dates else None


class _Errors:
    def __init__(self) -> None:
        self.items: list[tuple[int, str]] = []
        self.more = False

    def add(self, line: int, problem: str) -> None:
        if len(self.items) >= MAX_REPORTED_ERRORS:
            self.more = True
        else:
            self.items.append((line, problem))

    def raise_if_any(self) -> None:
        if self.items:
            raise TercFileError(self.items, more=self.more)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TercFileError([(line, _("the text is not UTF-8 (byte %(byte)d).") % {"byte": exc.start})]) from None


def _read(path: str | Path | None, stream: IO[Any] | None) -> str:
    if (path is None) == (stream is None):
        raise TypeError("give either path or stream")
    if path is not None:
        return _decode(Path(path).read_bytes())
    assert stream is not None
    content = stream.read()
    if isinstance(content, bytes):
        return _decode(content)
    return str(content).removeprefix("\ufeff")


def _check_row(number: int, fields: list[str], errors: _Errors) -> TercRow | None:
    """One data row: codes, name and date checked; None (with errors added) when it is damaged."""
    woj, pow_, gmi, rodz, name, kind_label, stan_na = (value.strip() for value in fields)
    ok = True
    if not _TWO_DIGITS.fullmatch(woj):
        errors.add(number, _("WOJ must be two digits, found “%(value)s”.") % {"value": woj})
        ok = False
    elif woj not in VOIVODESHIPS:
        errors.add(number, _("unknown voivodeship code “%(value)s”.") % {"value": woj})
        ok = False
    for column, value, pattern, wanted in (
        ("POW", pow_, _TWO_DIGITS, _("two digits")),
        ("GMI", gmi, _TWO_DIGITS, _("two digits")),
        ("RODZ", rodz, _ONE_DIGIT, _("one digit")),
    ):
        if value and not pattern.fullmatch(value):
            errors.add(
                number,
                _("%(column)s must be empty or %(wanted)s, found “%(value)s”.")
                % {"column": column, "wanted": wanted, "value": value},
            )
            ok = False
    if ok and ((not pow_ and (gmi or rodz)) or (bool(gmi) != bool(rodz))):
        errors.add(
            number,
            _("incomplete code “%(code)s”: a county needs WOJ and POW, a gmina WOJ, POW, GMI and RODZ.")
            % {"code": ";".join((woj, pow_, gmi, rodz))},
        )
        ok = False
    if ok and rodz and rodz not in GMINA_RODZ + PART_RODZ:
        errors.add(
            number,
            _("unknown RODZ “%(value)s” (1, 2, 3 are gminy; 4, 5, 8, 9 are parts of gminy).") % {"value": rodz},
        )
        ok = False
    if not name:
        errors.add(number, _("NAZWA is empty."))
        ok = False
    elif len(name) > NAME_MAX_LENGTH or len(kind_label) > NAME_MAX_LENGTH:
        errors.add(number, _("NAZWA or NAZWA_DOD is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH})
        ok = False
    valid_on = None
    if _ISO_DATE.fullmatch(stan_na):
        try:
            valid_on = datetime.date.fromisoformat(stan_na)
        except ValueError:
            valid_on = None
    if valid_on is None:
        errors.add(number, _("STAN_NA must be a date YYYY-MM-DD, found “%(value)s”.") % {"value": stan_na})
        ok = False
    if not ok or valid_on is None:
        return None
    return TercRow(
        line=number, code=woj + pow_ + gmi + rodz, name=name, kind_label=kind_label, valid_on=valid_on, rodz=rodz
    )


def terc_parse(text: str) -> TercList:
    """Parse and validate a whole TERC list; raises TercFileError listing the damaged lines."""
    errors = _Errors()
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise TercFileError([(1, _("the file is empty."))])
    header = tuple(value.strip() for value in lines[0].rstrip("\r").split(";"))
    if header != TERC_HEADER:
        raise TercFileError(
            [
                (
                    1,
                    _("the header is “%(found)s”, expected “%(expected)s”.")
                    % {"found": ";".join(header), "expected": ";".join(TERC_HEADER)},
                )
            ]
        )
    parsed = TercList(last_line=len(lines))
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        fields = line.split(";")
        if len(fields) != len(TERC_HEADER):
            problem = _("expected %(expected)d columns separated by “;”, found %(found)d.") % {
                "expected": len(TERC_HEADER),
                "found": len(fields),
            }
            errors.add(number, problem)
            continue
        row = _check_row(number, fields, errors)
        if row is None:
            continue
        if row.code in first_seen:
            errors.add(
                number,
                _("code %(code)s already appeared on line %(first)d.")
                % {"code": row.code, "first": first_seen[row.code]},
            )
            continue
        first_seen[row.code] = number
        if len(row.code) == 2:
            parsed.voivodeships[row.code] = row
        elif len(row.code) == 4:
            parsed.counties[row.code] = row
        elif row.rodz in GMINA_RODZ:
            parsed.gminy[row.code] = row
        else:
            parsed.parts[row.code] = row
    if errors.items and errors.items[-1][0] == parsed.last_line and not text.endswith("\n"):
        # A damaged last line without a line break after it: most likely an interrupted download or copy.
        last_number, last_problem = errors.items[-1]
        errors.items[-1] = (last_number, last_problem + " " + _("The file seems to be cut off."))
    errors.raise_if_any()
    _check_structure(parsed, errors)
    errors.raise_if_any()
    return parsed


def _check_structure(parsed: TercList, errors: _Errors) -> None:
    """Every unit's parent is in the file, and no voivodeship or county is empty (a sign of a cut-off file)."""
    counties_of: Counter[str] = Counter()
    gminy_of: Counter[str] = Counter()
    for code, row in parsed.counties.items():
        if code[:2] not in parsed.voivodeships:
            errors.add(
                row.line,
                _("county %(code)s: its voivodeship %(parent)s is not in the file.")
                % {"code": code, "parent": code[:2]},
            )
        counties_of[code[:2]] += 1
    for code, row in parsed.gminy.items():
        if code[:4] not in parsed.counties:
            errors.add(
                row.line,
                _("gmina %(code)s: its county %(parent)s is not in the file.") % {"code": code, "parent": code[:4]},
            )
        gminy_of[code[:4]] += 1
    for code, row in parsed.parts.items():
        if code[:4] not in parsed.counties:
            errors.add(
                row.line,
                _("part of a gmina %(code)s: its county %(parent)s is not in the file.")
                % {"code": code, "parent": code[:4]},
            )
        elif row.rodz in ("4", "5") and code[:6] + "3" not in parsed.gminy:
            errors.add(
                row.line,
                _("part of a gmina %(code)s: its urban-rural gmina %(parent)s is not in the file.")
                % {"code": code, "parent": code[:6] + "3"},
            )
    if not parsed.gminy:
        errors.add(parsed.last_line, _("the file lists no gminy. Is it cut off?"))
        return
    for code, row in parsed.voivodeships.items():
        if not counties_of[code]:
            errors.add(row.line, _("voivodeship %(code)s has no counties. Is the file cut off?") % {"code": code})
    for code, row in parsed.counties.items():
        if not gminy_of[code]:
            errors.add(row.line, _("county %(code)s has no gminy. Is the file cut off?") % {"code": code})


# --- the import -----------------------------------------------------------------------------------------------------


@dataclass
class LevelCounts:
    """What an import did to one level of units."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    not_in_file: int = 0

    @property
    def in_file(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class ImportSummary:
    valid_on: datetime.date | None
    voivodeships: LevelCounts = field(default_factory=LevelCounts)
    counties: LevelCounts = field(default_factory=LevelCounts)
    gminy: LevelCounts = field(default_factory=LevelCounts)
    gminy_by_kind: dict[str, int] = field(default_factory=dict)
    skipped_parts: dict[str, int] = field(default_factory=dict)

    @property
    def levels(self) -> tuple[LevelCounts, LevelCounts, LevelCounts]:
        return (self.voivodeships, self.counties, self.gminy)

    @property
    def created(self) -> int:
        return sum(level.created for level in self.levels)

    @property
    def updated(self) -> int:
        return sum(level.updated for level in self.levels)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    @property
    def skipped(self) -> int:
        return sum(self.skipped_parts.values())

    def as_data(self) -> dict[str, Any]:
        """The summary as plain JSON values (for the audit record)."""

        def level(counts: LevelCounts) -> dict[str, int]:
            return {
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
                "not_in_file": counts.not_in_file,
            }

        return {
            "valid_on": self.valid_on.isoformat() if self.valid_on else None,
            "voivodeships": level(self.voivodeships),
            "counties": level(self.counties),
            "gminy": level(self.gminy),
            "gminy_by_kind": self.gminy_by_kind,
            "skipped_parts": self.skipped_parts,
        }


def _sync(
    model: type[models.Model],
    wanted: dict[str, dict[str, Any]],
    rows: dict[str, TercRow],
    counts: LevelCounts,
    progress: Callable[[int], None],
) -> None:
    """Create the missing units and update the changed ones of one level, in bulk."""
    existing = {obj.code: obj for obj in model._default_manager.all()}  # type: ignore[attr-defined]
    counts.not_in_file = len(set(existing) - set(wanted))
    to_create: list[models.Model] = []
    to_update: list[models.Model] = []
    fields = sorted({name for values in wanted.values() for name in values})
    for code, values in wanted.items():
        obj = existing.get(code)
        if obj is None:
            obj = model(code=code, **values)
            to_create.append(obj)
        elif any(getattr(obj, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(obj, name, value)
            to_update.append(obj)
        else:
            counts.unchanged += 1
            continue
        try:
            # Field checks only: the parents were checked in the file, and uniqueness is the database's job.
            obj.full_clean(
                exclude=["voivodeship", "county", "macroregion"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            raise TercFileError([(rows[code].line, "; ".join(exc.messages))]) from None
    for start in range(0, len(to_create), WRITE_BATCH):
        batch = to_create[start : start + WRITE_BATCH]
        model._default_manager.bulk_create(batch)
        progress(len(batch))
    for start in range(0, len(to_update), WRITE_BATCH):
        batch = to_update[start : start + WRITE_BATCH]
        model._default_manager.bulk_update(batch, fields)
        progress(len(batch))
    if counts.unchanged:
        progress(counts.unchanged)
    counts.created = len(to_create)
    counts.updated = len(to_update)


def teryt_import(
    *,
    path: str | Path | None = None,
    stream: IO[Any] | None = None,
    actor: Any = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a TERC list (file at `path` or an open `stream`): all of it, or nothing if any line is damaged.

    Creates missing voivodeships, counties and gminy, updates changed names and kinds, and never deletes: units that
    are in the database but not in the file are counted and left as they are (institutions may refer to them).
    `progress(advance, total)` is called as units are written.
    """
    parsed = terc_parse(_read(path, stream))
    total = len(parsed.voivodeships) + len(parsed.counties) + len(parsed.gminy)

    def advance(count: int) -> None:
        if progress is not None:
            progress(count, total)

    summary = ImportSummary(valid_on=parsed.valid_on)
    summary.gminy_by_kind = {kind.value: 0 for kind in GminaKind}
    for code in parsed.gminy:
        summary.gminy_by_kind[GminaKind.from_rodz(code[6]).value] += 1
    summary.skipped_parts = dict.fromkeys(PART_RODZ, 0)
    for row in parsed.parts.values():
        summary.skipped_parts[row.rodz] += 1

    with transaction.atomic():
        _sync(
            Voivodeship,
            {code: {"name": row.name, "valid_on": row.valid_on} for code, row in parsed.voivodeships.items()},
            parsed.voivodeships,
            summary.voivodeships,
            advance,
        )
        voivodeship_ids = dict(Voivodeship.objects.filter(code__in=parsed.voivodeships).values_list("code", "id"))
        _sync(
            County,
            {
                code: {
                    "name": row.name,
                    "kind_label": row.kind_label,
                    "valid_on": row.valid_on,
                    "voivodeship_id": voivodeship_ids[code[:2]],
                }
                for code, row in parsed.counties.items()
            },
            parsed.counties,
            summary.counties,
            advance,
        )
        county_ids = dict(County.objects.filter(code__in=parsed.counties).values_list("code", "id"))
        _sync(
            Gmina,
            {
                code: {
                    "name": row.name,
                    "kind": GminaKind.from_rodz(row.rodz).value,
                    "kind_label": row.kind_label,
                    "valid_on": row.valid_on,
                    "county_id": county_ids[code[:4]],
                    "voivodeship_id": voivodeship_ids[code[:2]],
                }
                for code, row in parsed.gminy.items()
            },
            parsed.gminy,
            summary.gminy,
            advance,
        )
        if summary.changed:
            # One record per import, attached to the first voivodeship of the file (the register as a whole has no
            # row of its own); a run that changes nothing writes nothing, not even an audit record.
            audit_record(
                actor=actor,
                action="territory.teryt_import",
                target=Voivodeship.objects.get(code=min(parsed.voivodeships)),
                data=summary.as_data(),
            )
    return summary


# --- macroregions ---------------------------------------------------------------------------------------------------


@dataclass
class MacroregionSeedSummary:
    macroregions_created: list[str] = field(default_factory=list)
    voivodeships_created: list[str] = field(default_factory=list)
    assigned: dict[str, str] = field(default_factory=dict)
    kept_elsewhere: dict[str, str] = field(default_factory=dict)
    unassigned: list[Voivodeship] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.macroregions_created or self.voivodeships_created or self.assigned)


def macroregions_seed(*, actor: Any = None) -> MacroregionSeedSummary:
    """Create the programme's three macroregions and group the voivodeships into them (idempotent).

    Missing voivodeships are created with their official codes and names (as GUS writes them), so this works before
    any TERC import. Existing macroregions keep their names, and a voivodeship that an
    administrator already placed in a macroregion stays there: the seed only fills gaps.
    """
    wanted_codes = sorted(VOIVODESHIPS)
    summary = MacroregionSeedSummary()
    with transaction.atomic():
        voivodeships = {v.code: v for v in Voivodeship.objects.select_for_update().filter(code__in=wanted_codes)}
        for code in wanted_codes:
            if code in voivodeships:
                continue
            voivodeship = Voivodeship(code=code, name=VOIVODESHIPS[code])
            voivodeship.full_clean()
            voivodeship.save()
            voivodeships[code] = voivodeship
            summary.voivodeships_created.append(code)
            audit_record(actor=actor, action="territory.voivodeship_seed", target=voivodeship)
        for reference in MACROREGIONS:
            region = Macroregion.objects.filter(code=reference.code).first()
            created = region is None
            if region is None:
                region = Macroregion(code=reference.code, name=reference.name, description=reference.description)
                region.full_clean()
                region.save()
                summary.macroregions_created.append(reference.code)
            assigned: list[str] = []
            for code in reference.voivodeship_codes:
                voivodeship = voivodeships[code]
                if voivodeship.macroregion_id is None:
                    voivodeship.macroregion = region
                    voivodeship.save(update_fields=["macroregion"])
                    assigned.append(code)
                    summary.assigned[code] = reference.code
                elif voivodeship.macroregion_id != region.pk:
                    summary.kept_elsewhere[code] = reference.code
            if created or assigned:
                audit_record(
                    actor=actor,
                    action="territory.macroregion_seed",
                    target=region,
                    data={"created": created, "voivodeships_assigned": assigned},
                )
        summary.unassigned = sorted(
            (v for v in voivodeships.values() if v.macroregion_id is None), key=lambda v: v.code
        )
    return summary
