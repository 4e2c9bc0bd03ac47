"""Printable PDF documents (minutes, attendance lists, reports) built with fpdf2.

Polish text needs a Unicode TrueType font. The first that exists of: the file in PDF_FONT_PATH (bold:
PDF_FONT_BOLD_PATH), Lato from the pinned `font-lato` package (installed from PyPI with the other requirements),
DejaVu Sans from the operating system. Without one, the PDF is still made with the built-in Helvetica and Polish
letters written without their diacritics (ą → a), so that a missing font never makes an export fail.
"""

from __future__ import annotations

import logging
import os
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

# fpdf2 subsets the TrueType font with fontTools, which logs every step at INFO: keep the server log for the server.
logging.getLogger("fontTools").setLevel(logging.WARNING)

_FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf", "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
    ("/opt/homebrew/share/fonts/DejaVuSans.ttf", "/opt/homebrew/share/fonts/DejaVuSans-Bold.ttf"),
]


def _packaged_font() -> tuple[Path, Path] | None:
    try:
        import font_lato  # optional: the PDFs still work without it
    except ImportError:
        return None
    directory = Path(font_lato.__file__).parent / "files"
    regular, bold = directory / "Lato-Regular.ttf", directory / "Lato-Bold.ttf"
    if not regular.is_file():
        return None
    return regular, bold if bold.is_file() else regular


def unicode_font() -> tuple[Path, Path] | None:
    """The (regular, bold) TrueType font files to use, or None when no Unicode font is available."""
    configured = os.environ.get("PDF_FONT_PATH", "")
    if configured and Path(configured).is_file():
        bold = os.environ.get("PDF_FONT_BOLD_PATH", "") or configured
        return Path(configured), Path(bold if Path(bold).is_file() else configured)
    packaged = _packaged_font()
    if packaged is not None:
        return packaged
    for regular, bold in _FONT_CANDIDATES:
        if Path(regular).is_file():
            return Path(regular), Path(bold if Path(bold).is_file() else regular)
    return None


_STROKES = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D"})
_PUNCTUATION = str.maketrans({"—": "-", "–": "-", "„": '"', "”": '"', "“": '"', "‘": "'", "’": "'", "…": "..."})


def _latin1(ch: str) -> str:
    """A Latin-1 stand-in for a character Helvetica cannot show: ł → l, — → -, else '?'."""
    decomposed = unicodedata.normalize("NFKD", ch.translate(_STROKES))
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    for candidate in (base, ch.translate(_PUNCTUATION)):
        if candidate and all(ord(c) < 256 for c in candidate):
            return candidate
    return "?"


class Document:
    """A simple A4 document: a title, headings, paragraphs and tables. `bytes()` returns the PDF."""

    def __init__(self, *, title: str, subtitle: str = "") -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_title(title)
        self.pdf.set_creator("Kooperacja")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        font = unicode_font()
        self.unicode = font is not None
        if font is not None:
            self.pdf.add_font("Body", "", str(font[0]))
            self.pdf.add_font("Body", "B", str(font[1]))
            self.family = "Body"
        else:
            self.family = "Helvetica"
        self.pdf.add_page()
        self.pdf.set_font(self.family, "B", 16)
        self._write(title, height=8)
        if subtitle:
            self.pdf.set_font(self.family, "", 10)
            self._write(subtitle, height=5)
        self.pdf.ln(3)

    def _text(self, text: str) -> str:
        if self.unicode:
            return text
        # Helvetica knows only Latin-1: keep the words readable rather than fail.
        return "".join(ch if ord(ch) < 256 else _latin1(ch) for ch in text)

    def _write(self, text: str, *, height: float = 5) -> None:
        self.pdf.multi_cell(0, height, self._text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str) -> None:
        self.pdf.ln(2)
        self.pdf.set_font(self.family, "B", 12)
        self._write(text, height=6)

    def paragraph(self, text: str) -> None:
        self.pdf.set_font(self.family, "", 10)
        self._write(text or "—")

    def table(
        self, headers: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[int] | None = None
    ) -> None:
        """A table with a header row; `widths` are relative column widths."""
        self.pdf.set_font(self.family, "", 9)
        with self.pdf.table(col_widths=tuple(widths) if widths else None, text_align="LEFT") as table:
            header = table.row()
            for cell in headers:
                header.cell(self._text(str(cell)))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(self._text("" if value is None else str(value)))

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())
