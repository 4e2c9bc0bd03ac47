"""Fixtures of the territory tests: a small self-made TERC list (runs without ../shared) and helpers to write it."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

HEADER = "WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA"

# Two voivodeships, three counties, five gminy (3 urban, 1 rural, 1 urban-rural) and four parts of gminy
# (RODZ 4, 5, 8, 9), written as GUS writes them.
MINI_ROWS = [
    "02;;;;DOLNOŚLĄSKIE;województwo;2020-01-01",
    "02;01;;;bolesławiecki;powiat;2020-01-01",
    "02;01;01;1;Bolesławiec;gmina miejska;2020-01-01",
    "02;01;02;2;Bolesławiec;gmina wiejska;2020-01-01",
    "02;01;04;3;Nowogrodziec;gmina miejsko-wiejska;2020-01-01",
    "02;01;04;4;Nowogrodziec;miasto;2020-01-01",
    "02;01;04;5;Nowogrodziec;obszar wiejski;2020-01-01",
    "02;64;;;Wrocław;miasto na prawach powiatu;2020-01-01",
    "02;64;01;1;Wrocław;gmina miejska;2020-01-01",
    "02;64;02;9;Wrocław-Fabryczna;delegatura;2020-01-01",
    "10;;;;ŁÓDZKIE;województwo;2020-01-01",
    "10;61;;;Łódź;miasto na prawach powiatu;2020-01-01",
    "10;61;01;1;Łódź;gmina miejska;2020-01-01",
    "10;61;02;8;Łódź-Bałuty;dzielnica;2020-01-01",
]


def terc_text(rows: list[str], *, header: str = HEADER, newline: str = "\r\n", final_newline: bool = True) -> str:
    text = newline.join([header, *rows])
    return text + newline if final_newline else text


@pytest.fixture
def write_terc(tmp_path: Path) -> Callable[..., Path]:
    """write_terc(rows, bom=False, newline="\\r\\n", ...) writes a TERC file to tmp_path and returns its path."""
    counter = iter(range(1000))

    def _write(
        rows: list[str] | None = None,
        *,
        bom: bool = False,
        encoding: str = "utf-8",
        raw: str | None = None,
        **options: Any,
    ) -> Path:
        text = raw if raw is not None else terc_text(MINI_ROWS if rows is None else rows, **options)
        path = tmp_path / f"TERC_{next(counter)}.csv"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
        return path

    return _write


@pytest.fixture
def run_command() -> Callable[..., str]:
    """run_command(name, *args, language="en") runs a management command and returns what it printed."""

    def _run(name: str, *args: Any, language: str = "en") -> str:
        out = StringIO()
        with translation.override(language):
            call_command(name, *args, stdout=out)
        return out.getvalue()

    return _run
