"""manage.py import_teryt: the official TERC list, all or nothing, idempotent, with a summary."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from kooperacja.core.models import AuditEvent
from kooperacja.core.testing.cast import Cast
from kooperacja.territory.models import County, Gmina, GminaKind, Voivodeship
from kooperacja.territory.reference import VOIVODESHIPS
from kooperacja.territory.services import teryt_import

from .conftest import MINI_ROWS, terc_text

pytestmark = pytest.mark.django_db


def db_state() -> dict[str, Any]:
    """Everything an import may change, to compare before and after."""
    return {
        "voivodeships": sorted(Voivodeship.objects.values_list("code", "name", "valid_on")),
        "counties": sorted(County.objects.values_list("code", "name", "kind_label", "voivodeship__code")),
        "gminy": sorted(Gmina.objects.values_list("code", "name", "kind", "county__code", "voivodeship__code")),
        "audit": AuditEvent.objects.count(),
    }


def counts() -> tuple[int, int, int]:
    return Voivodeship.objects.count(), County.objects.count(), Gmina.objects.count()


def summary_numbers(output: str) -> dict[str, str]:
    """The lines "label: number ..." of the printed summary, by label."""
    return {m.group(1).strip(): m.group(2) for m in re.finditer(r"^\s*([^:\n]+): (\d+)", output, re.M)}


# --- a good file ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bom", "newline"),
    [(False, "\r\n"), (True, "\r\n"), (False, "\n"), (True, "\n")],
    ids=["crlf", "bom-crlf", "lf", "bom-lf"],
)
def test_imports_the_units_and_prints_a_summary(
    write_terc: Callable[..., Path], run_command: Any, bom: bool, newline: str
) -> None:
    output = run_command("import_teryt", str(write_terc(bom=bom, newline=newline)))

    assert counts() == (2, 3, 5)
    numbers = summary_numbers(output)
    assert numbers["Voivodeships"] == "2" and numbers["Counties"] == "3" and numbers["Gminy"] == "5"
    assert numbers["urban gmina"] == "3" and numbers["rural gmina"] == "1" and numbers["urban-rural gmina"] == "1"
    assert numbers["Skipped, parts of gminy that are not gminy"] == "4"
    assert "Imported: 10 created, 0 updated." in output
    assert "TERC list as of 2020-01-01" in output

    voivodeship = Voivodeship.objects.get(code="02")
    assert voivodeship.name == "DOLNOŚLĄSKIE" and voivodeship.display_name == "dolnośląskie"
    assert str(voivodeship) == "dolnośląskie"
    assert voivodeship.valid_on.isoformat() == "2020-01-01"
    wroclaw = County.objects.get(code="0264")
    assert wroclaw.kind_label == "miasto na prawach powiatu" and wroclaw.voivodeship == voivodeship
    nowogrodziec = Gmina.objects.get(code="0201043")
    assert nowogrodziec.kind == GminaKind.URBAN_RURAL and nowogrodziec.county.code == "0201"
    assert nowogrodziec.voivodeship == voivodeship
    assert {g.kind for g in Gmina.objects.filter(name="Bolesławiec")} == {GminaKind.URBAN, GminaKind.RURAL}
    # the parts of gminy (town, rural area, districts, delegations) are not gminy
    assert not Gmina.objects.filter(code__in=["0201044", "0201045", "0264029", "1061028"]).exists()


def test_second_run_changes_nothing_and_says_so(write_terc: Callable[..., Path], run_command: Any) -> None:
    path = write_terc()
    run_command("import_teryt", str(path))
    before = db_state()

    output = run_command("import_teryt", str(path))

    assert db_state() == before
    assert "No changes: the database already matches this file." in output
    assert "Gminy: 5 (created 0, updated 0, unchanged 5)" in output


def test_the_import_is_audited_once(write_terc: Callable[..., Path], run_command: Any) -> None:
    run_command("import_teryt", str(write_terc()))
    event = AuditEvent.objects.get()
    assert event.action == "territory.teryt_import" and event.actor is None
    assert event.object_type == "territory.voivodeship"
    assert event.object_id == str(Voivodeship.objects.get(code="02").pk)
    assert event.data["gminy"]["created"] == 5 and event.data["gminy_by_kind"] == {
        "urban": 3,
        "rural": 1,
        "urban_rural": 1,
    }


def test_changed_names_and_kinds_are_updated(write_terc: Callable[..., Path], run_command: Any) -> None:
    run_command("import_teryt", str(write_terc()))
    Gmina.objects.filter(code="0201022").update(kind=GminaKind.URBAN)  # a wrong hand edit; RODZ 2 says rural
    renamed = [row.replace(";Wrocław;gmina miejska", ";Wrocław (nowa nazwa);gmina miejska") for row in MINI_ROWS]

    output = run_command("import_teryt", str(write_terc(renamed)))

    assert "Gminy: 5 (created 0, updated 2, unchanged 3)" in output
    assert Gmina.objects.get(code="0264011").name == "Wrocław (nowa nazwa)"
    assert Gmina.objects.get(code="0201022").kind == GminaKind.RURAL
    assert counts() == (2, 3, 5)


def test_units_missing_from_the_file_are_kept_and_counted(
    cast: Cast, write_terc: Callable[..., Path], run_command: Any
) -> None:
    output = run_command("import_teryt", str(write_terc()))
    assert Gmina.objects.filter(pk=cast.gmina_a.pk).exists()
    assert "Gminy: 5 (created 5, updated 0, unchanged 0); 3 more in the database but not in this file" in output


def test_the_service_reads_streams_of_bytes_and_text(db: None) -> None:
    text = terc_text(MINI_ROWS)
    summary = teryt_import(stream=io.BytesIO(b"\xef\xbb\xbf" + text.encode()))
    assert (summary.voivodeships.created, summary.counties.created, summary.gminy.created) == (2, 3, 5)
    assert summary.skipped_parts == {"4": 1, "5": 1, "8": 1, "9": 1}
    again = teryt_import(stream=io.StringIO("\ufeff" + text))
    assert not again.changed and again.gminy.unchanged == 5


def test_a_file_without_a_final_newline_is_complete(write_terc: Callable[..., Path], run_command: Any) -> None:
    run_command("import_teryt", str(write_terc(final_newline=False)))
    assert counts() == (2, 3, 5)


def test_the_progress_bar_shows_only_on_a_terminal(
    write_terc: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    path = write_terc()
    call_command("import_teryt", str(path), stdout=io.StringIO())
    assert capsys.readouterr().err == ""
    Gmina.objects.all().delete()
    call_command("import_teryt", str(path), stdout=Terminal())
    assert "units" in capsys.readouterr().err


def test_the_summary_speaks_polish_by_default(write_terc: Callable[..., Path], run_command: Any) -> None:
    output = run_command("import_teryt", str(write_terc()), language="pl")
    assert "Gminy: 5 (utworzono 5, zmieniono 0, bez zmian 0)" in output
    assert "gmina miejsko-wiejska: 1" in output


def test_a_missing_file_is_an_error(db: None, tmp_path: Path) -> None:
    with translation.override("en"), pytest.raises(CommandError, match="No such file"):
        call_command("import_teryt", str(tmp_path / "nope.csv"), stdout=io.StringIO())


# --- damaged files: exit non-zero with the line number, change nothing ----------------------------------------------


def _without(rows: list[str], prefix: str) -> list[str]:
    return [row for row in rows if not row.startswith(prefix)]


def _line_of(rows: list[str], prefix: str) -> int:
    """The line number of the first row starting with `prefix` in a file of these rows (the header is line 1)."""
    return next(i for i, row in enumerate(rows, start=2) if row.startswith(prefix))


def _replace(rows: list[str], prefix: str, new: str) -> list[str]:
    return [new if row.startswith(prefix) else row for row in rows]


def _damaged(rows: list[str], blamed: str, words: str) -> tuple[list[str], int, str]:
    return rows, _line_of(rows, blamed), words


_DUPLICATED = [*MINI_ROWS, "02;01;01;1;Bolesławiec;gmina miejska;2020-01-01"]

# name: (rows, the line to blame, words of the message)
DAMAGED: dict[str, tuple[list[str], int, str]] = {
    "wrong column count": _damaged(
        _replace(MINI_ROWS, "02;01;02;2", "02;01;02;2;Bolesławiec;2020-01-01"), "02;01;02;2", "expected 7 columns"
    ),
    "non-digit code": _damaged(
        _replace(MINI_ROWS, "02;01;02;2", "02;01;0X;2;Bolesławiec;gmina wiejska;2020-01-01"), "02;01;0X", "GMI must be"
    ),
    "wrong-length code": _damaged(
        _replace(MINI_ROWS, "02;64;;;", "02;640;;;Wrocław;miasto na prawach powiatu;2020-01-01"),
        "02;640",
        "POW must be",
    ),
    "unknown voivodeship code": _damaged(
        [
            *MINI_ROWS,
            "34;;;;NOWE;województwo;2020-01-01",
            "34;01;;;nowy;powiat;2020-01-01",
            "34;01;01;1;Nowe;gmina miejska;2020-01-01",
        ],
        "34;;;;",
        "unknown voivodeship code",
    ),
    "unknown RODZ": _damaged(
        _replace(MINI_ROWS, "02;01;04;5", "02;01;04;6;Nowogrodziec;obszar;2020-01-01"), "02;01;04;6", "unknown RODZ"
    ),
    "incomplete code": _damaged(
        _replace(MINI_ROWS, "02;01;04;5", "02;01;04;;Nowogrodziec;obszar;2020-01-01"), "02;01;04;;", "incomplete code"
    ),
    "county without its voivodeship": _damaged(
        _without(MINI_ROWS, "10;;;;"), "10;61;;;", "voivodeship 10 is not in the file"
    ),
    "gmina without its county": _damaged(
        _without(MINI_ROWS, "02;64;;;"), "02;64;01;1", "county 0264 is not in the file"
    ),
    "town part without its gmina": _damaged(
        _without(MINI_ROWS, "02;01;04;3"), "02;01;04;4", "urban-rural gmina 0201043"
    ),
    # cut: the file ends in the middle of its last row, with no line break after it
    "cut mid-row": _damaged([*MINI_ROWS[:-1], "10;61;02;8;Łódź-Ba"], "10;61;02;8", "expected 7 columns"),
    "cut in the date": _damaged(
        [*MINI_ROWS[:-1], "10;61;02;8;Łódź-Bałuty;dzielnica;20"], "10;61;02;8", "The file seems to be cut off."
    ),
    "cut after a county": _damaged(
        [*MINI_ROWS[:-3], "10;61;;;Łódź;miasto na prawach powiatu;2020-01-01"], "10;61;;;", "has no gminy"
    ),
    "no gmina rows": _damaged(
        ["02;;;;DOLNOŚLĄSKIE;województwo;2020-01-01", "02;01;;;bolesławiecki;powiat;2020-01-01"],
        "02;01;;;",
        "lists no gminy",
    ),
    "bad STAN_NA": _damaged(
        _replace(MINI_ROWS, "02;64;01;1", "02;64;01;1;Wrocław;gmina miejska;2020-13-01"),
        "02;64;01;1",
        "STAN_NA must be a date",
    ),
    "empty name": _damaged(
        _replace(MINI_ROWS, "02;64;01;1", "02;64;01;1;;gmina miejska;2020-01-01"), "02;64;01;1", "NAZWA is empty"
    ),
    "duplicate code": (_DUPLICATED, len(_DUPLICATED) + 1, "already appeared on line 4"),
}


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_a_damaged_file_changes_nothing(
    cast: Cast, write_terc: Callable[..., Path], run_command: Any, case: str
) -> None:
    run_command("import_teryt", str(write_terc()))  # a good import first: the damaged one must not touch it
    before = db_state()
    rows, line, words = DAMAGED[case]
    # The damaged file also renames a voivodeship, so that a partial import would show.
    rows = [row.replace(";DOLNOŚLĄSKIE;", ";DOLNOŚLĄSKIE ZMIENIONE;") for row in rows]

    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command(
            "import_teryt", str(write_terc(rows, final_newline=not case.startswith("cut"))), stdout=io.StringIO()
        )

    message = str(error.value)
    if case in ("cut mid-row", "cut in the date"):
        assert "The file seems to be cut off." in message
    assert f"line {line}: " in message
    assert words in message
    assert "nothing was changed" in message
    assert db_state() == before


@pytest.mark.parametrize(
    ("raw", "line", "words"),
    [
        (terc_text(MINI_ROWS, header="WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD"), 1, "the header is"),
        (terc_text(MINI_ROWS, header="woj,pow,gmi,rodz,nazwa,nazwa_dod,stan_na"), 1, "the header is"),
        ("", 1, "the file is empty"),
        ("\r\n\r\n", 1, "the file is empty"),
    ],
    ids=["missing column", "commas", "empty", "blank lines"],
)
def test_a_file_with_a_wrong_header_changes_nothing(
    write_terc: Callable[..., Path], raw: str, line: int, words: str
) -> None:
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("import_teryt", str(write_terc(raw=raw)), stdout=io.StringIO())
    assert f"line {line}: " in str(error.value) and words in str(error.value)
    assert counts() == (0, 0, 0)


def test_a_file_that_is_not_utf8_names_the_line(write_terc: Callable[..., Path]) -> None:
    with translation.override("en"), pytest.raises(CommandError, match=r"line 2: the text is not UTF-8"):
        call_command("import_teryt", str(write_terc(encoding="cp1250")), stdout=io.StringIO())
    assert counts() == (0, 0, 0)


def test_the_error_speaks_polish_by_default(write_terc: Callable[..., Path]) -> None:
    rows = _replace(MINI_ROWS, "02;64;01;1", "02;64;01;1;Wrocław;gmina miejska;2020-13-01")
    with translation.override("pl"), pytest.raises(CommandError) as error:
        call_command("import_teryt", str(write_terc(rows)), stdout=io.StringIO())
    assert f"wiersz {_line_of(rows, '02;64;01;1')}: " in str(error.value)
    assert "nic nie zostało zmienione" in str(error.value)


# --- the official file (../shared) ----------------------------------------------------------------------------------


@pytest.fixture
def terc_2020(shared_dir: Path) -> Path:
    return shared_dir / "data" / "teryt" / "TERC_2020-01-01.csv"


@pytest.mark.shared
def test_the_official_file_gives_the_official_numbers(terc_2020: Path, run_command: Any) -> None:
    output = run_command("import_teryt", str(terc_2020))

    assert counts() == (16, 380, 2477)
    assert {kind: Gmina.objects.filter(kind=kind).count() for kind in GminaKind} == {
        GminaKind.URBAN: 302,
        GminaKind.RURAL: 1533,
        GminaKind.URBAN_RURAL: 642,
    }
    assert County.objects.filter(kind_label="powiat").count() == 314
    numbers = summary_numbers(output)
    assert (numbers["Voivodeships"], numbers["Counties"], numbers["Gminy"]) == ("16", "380", "2477")
    assert (numbers["urban gmina"], numbers["rural gmina"], numbers["urban-rural gmina"]) == ("302", "1533", "642")
    assert numbers["Skipped, parts of gminy that are not gminy"] == str(642 + 642 + 18 + 19)
    # the reference names used by seed_macroregions are the ones GUS publishes
    assert dict(Voivodeship.objects.values_list("code", "name")) == VOIVODESHIPS
    warszawa = Gmina.objects.select_related("county", "voivodeship").get(code="1465011")
    assert (warszawa.name, warszawa.kind, warszawa.county.name, warszawa.voivodeship.display_name) == (
        "Warszawa",
        GminaKind.URBAN,
        "Warszawa",
        "mazowieckie",
    )

    before = db_state()
    again = run_command("import_teryt", str(terc_2020))
    assert "No changes: the database already matches this file." in again
    assert db_state() == before


@pytest.mark.shared
def test_the_official_file_with_bom_and_lf_gives_the_same_numbers(
    terc_2020: Path, write_terc: Callable[..., Path], run_command: Any
) -> None:
    text = terc_2020.read_bytes().decode("utf-8").replace("\r\n", "\n")
    output = run_command("import_teryt", str(write_terc(raw=text, bom=True)))
    assert counts() == (16, 380, 2477)
    assert "Gminy: 2477 (created 2477" in output


def _official_lines(terc_2020: Path) -> list[str]:
    return terc_2020.read_bytes().decode("utf-8").rstrip("\r\n").split("\r\n")


@pytest.mark.shared
@pytest.mark.parametrize(
    "case",
    ["cut mid-row", "cut after a county", "missing voivodeship", "missing county", "unknown RODZ", "wrong header"],
)
def test_damaged_slices_of_the_official_file_change_nothing(
    terc_2020: Path, write_terc: Callable[..., Path], cast: Cast, case: str
) -> None:
    lines = _official_lines(terc_2020)
    if case == "cut mid-row":
        damaged = [*lines[:1000], lines[1000][:9]]  # the header and 999 rows, then the next one cut off
        line, words = 1001, "cut off"
    elif case == "cut after a county":
        county = next(
            i for i in range(1500, len(lines)) if lines[i].split(";")[2] == "" and lines[i].split(";")[1] != ""
        )
        damaged = lines[: county + 1]
        line, words = county + 1, "has no gminy"
    elif case == "missing voivodeship":
        damaged = [row for row in lines if not row.startswith("14;;;;")]
        line, words = (
            next(i for i, row in enumerate(damaged, start=1) if row.startswith("14;")),
            "voivodeship 14 is not in the file",
        )
    elif case == "missing county":
        damaged = [row for row in lines if not row.startswith("12;61;;;")]
        line, words = (
            next(i for i, row in enumerate(damaged, start=1) if row.startswith("12;61;")),
            "county 1261 is not in the file",
        )
    elif case == "unknown RODZ":
        damaged = [*lines]
        row = next(i for i in range(2000, len(lines)) if re.match(r"\d\d;\d\d;\d\d;\d;", lines[i]))
        damaged[row] = re.sub(r"^(\d\d;\d\d;\d\d;)\d", r"\g<1>7", damaged[row])
        line, words = row + 1, "unknown RODZ"
    else:
        damaged = ["WOJ;POW;GMI;RODZ;NAZWA;STAN_NA", *lines[1:]]
        line, words = 1, "the header is"
    before = db_state()

    with translation.override("en"), pytest.raises(CommandError) as error:
        ending = "" if case == "cut mid-row" else "\r\n"
        call_command("import_teryt", str(write_terc(raw="\r\n".join(damaged) + ending)), stdout=io.StringIO())

    assert f"line {line}: " in str(error.value) and words in str(error.value)
    assert db_state() == before
