"""PDF documents carry Polish text, with a Unicode font when there is one and readable text without."""

from __future__ import annotations

import pytest

from kooperacja.core import pdf


def _document() -> bytes:
    doc = pdf.Document(title="Lista obecności — posiedzenie Komitetu Sterującego", subtitle="Łódź, 23.11.2026")
    doc.pdf.compress = False  # so that the test can read the text
    doc.heading("Uczestnicy")
    doc.table(["Imię i nazwisko", "Instytucja"], [["Żaneta Źdźbło", "ROPS w Łodzi"], ["Jan Nowak", None]], [2, 3])
    doc.paragraph("Wnioski: współpraca z gminami wiejskimi.")
    return doc.bytes()


def test_a_document_is_a_pdf_with_the_unicode_font_when_available() -> None:
    content = _document()
    assert content.startswith(b"%PDF-")
    assert content.rstrip().endswith(b"%%EOF")


def test_the_packaged_font_is_used_without_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PDF_FONT_PATH", raising=False)
    font = pdf.unicode_font()
    assert font is not None and font[0].name == "Lato-Regular.ttf"
    doc = pdf.Document(title="Łódź — Żółkiewska")
    assert doc.unicode
    assert b"Lato" in doc.bytes()


def test_without_a_unicode_font_the_document_is_still_made(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "unicode_font", lambda: None)
    monkeypatch.delenv("PDF_FONT_PATH", raising=False)
    content = _document()
    assert content.startswith(b"%PDF-")
    assert b"Zaneta" in content  # Polish letters written without diacritics, words kept
