"""Checks of uploaded signed agreements: PDF, JPEG or PNG only (by extension AND content), at most MAX_UPLOAD_MB."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# extension -> the magic bytes the content must start with
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


def max_upload_bytes() -> int:
    return int(getattr(settings, "MAX_UPLOAD_MB", 20)) * 1024 * 1024


def validate_signed_file(upload: Any) -> None:
    """Raise ValidationError (on field `signed_file`) unless the file is a PDF, JPEG or PNG within the size limit."""
    name = str(getattr(upload, "name", "") or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in SIGNATURES:
        raise ValidationError(
            {"signed_file": _("Only PDF, JPEG and PNG files can be attached (the file has a different extension).")}
        )
    size = getattr(upload, "size", None) or 0
    limit = max_upload_bytes()
    if size > limit:
        raise ValidationError(
            {
                "signed_file": _("The file is too large: at most %(limit)d MB is allowed.")
                % {"limit": limit // (1024 * 1024)}
            }
        )
    if size == 0:
        raise ValidationError({"signed_file": _("The file is empty.")})
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    if not any(head.startswith(signature) for signature in SIGNATURES[extension]):
        raise ValidationError(
            {"signed_file": _("The content of the file is not a PDF, JPEG or PNG file matching its extension.")}
        )
