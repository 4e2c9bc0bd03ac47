"""Checks of meeting documents: PDF, DOCX, XLSX, PPTX, ODT, PNG or JPEG (by extension AND content), within
MAX_UPLOAD_MB."""

from __future__ import annotations

import zipfile
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALLOWED_EXTENSIONS = ("pdf", "docx", "xlsx", "pptx", "odt", "png", "jpg", "jpeg")
ACCEPT_ATTRIBUTE = ",".join(f".{extension}" for extension in ALLOWED_EXTENSIONS)

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}

_MAGIC = {"pdf": b"%PDF-", "png": b"\x89PNG\r\n\x1a\n", "jpg": b"\xff\xd8\xff", "jpeg": b"\xff\xd8\xff"}
# Office files are ZIP packages: the part each one must contain.
_OOXML_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def max_upload_bytes() -> int:
    return int(getattr(settings, "MAX_UPLOAD_MB", 20)) * 1024 * 1024


def _content_matches(upload: Any, extension: str) -> bool:
    upload.seek(0)
    if extension in _MAGIC:
        return bool(upload.read(16).startswith(_MAGIC[extension]))
    if not upload.read(4).startswith(b"PK\x03\x04"):
        return False
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            names = set(package.namelist())
            if extension == "odt":
                return "mimetype" in names and package.read("mimetype").strip() == ODT_MIMETYPE
            return "[Content_Types].xml" in names and _OOXML_PART[extension] in names
    except (zipfile.BadZipFile, KeyError, OSError):
        return False


def validate_document(upload: Any, *, field: str = "file") -> str:
    """The file's extension, or ValidationError on `field` (wrong type by name or content, too big, empty)."""
    name = str(getattr(upload, "name", "") or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError({field: _("Only PDF, DOCX, XLSX, PPTX, ODT, PNG and JPEG files can be attached.")})
    size = getattr(upload, "size", None) or 0
    limit = max_upload_bytes()
    if size > limit:
        raise ValidationError(
            {field: _("The file is too large: at most %(limit)d MB is allowed.") % {"limit": limit // (1024 * 1024)}}
        )
    if size == 0:
        raise ValidationError({field: _("The file is empty.")})
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        matches = _content_matches(upload, extension)
    finally:
        upload.seek(position)
    if not matches:
        raise ValidationError({field: _("The content of the file does not match its extension.")})
    return "jpg" if extension == "jpeg" else extension
