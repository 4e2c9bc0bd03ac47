"""Text normalisation for search: lower case, no Polish (or other) diacritics, single spaces."""

from __future__ import annotations

import unicodedata

# Letters that NFKD does not decompose into a base letter and a combining mark.
_EXTRA = str.maketrans({"ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ß": "ss"})


def normalise(text: str | None) -> str:
    """Lower-case `text`, strip diacritics (ą→a, ł→l, ś→s …) and collapse whitespace."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
