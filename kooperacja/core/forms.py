"""Form helpers shared by every context's forms."""

from __future__ import annotations

from typing import Any

from django import forms


class AccessibleFormMixin:
    """Ties help texts and errors to their fields (aria-describedby) and marks invalid fields (aria-invalid)."""

    def _describe(self) -> None:
        errors = getattr(self, "_errors", None) or {}
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            field_id = self[name].auto_id  # type: ignore[index]
            ids = []
            if field.help_text:
                ids.append(f"{field_id}_help")
            if name in errors:
                ids.append(f"{field_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            else:
                field.widget.attrs.pop("aria-invalid", None)
            # A group of checkboxes is described by its fieldset legend, not by aria-describedby on each box.
            if ids and not isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs["aria-describedby"] = " ".join(ids)
            else:
                field.widget.attrs.pop("aria-describedby", None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self._describe()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._describe()
