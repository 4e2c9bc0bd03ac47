"""Private file storage: signed agreements are never served from a public media URL.

Files live beside MEDIA_ROOT (in `<parent of MEDIA_ROOT>/private-media`, or PRIVATE_MEDIA_ROOT when set) and are
downloaded only through a view that checks who may see them.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    def __init__(self) -> None:
        super().__init__(base_url=None)

    @cached_property
    def base_location(self) -> str:  # type: ignore[override]
        configured = getattr(settings, "PRIVATE_MEDIA_ROOT", None)
        if configured:
            return str(configured)
        return str(Path(settings.MEDIA_ROOT).parent / "private-media")

    def url(self, name: str | None) -> str:  # type: ignore[override]
        raise ValueError("Private files have no public URL; use the download view.")


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    return _private_storage
