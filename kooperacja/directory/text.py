"""The normalised search text of directory entries (see kooperacja.core.text.normalise)."""

from __future__ import annotations

from kooperacja.core.text import normalise

__all__ = ["normalise", "search_text_of"]


def search_text_of(*parts: str | None) -> str:
    """The normalised text a search matches against, built from the given fields."""
    return normalise(" ".join(part for part in parts if part))
