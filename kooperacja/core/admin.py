"""Admin of the platform core: the audit trail, read-only; and the audited base admin other contexts use."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from kooperacja.core.models import AuditEvent
from kooperacja.core.services import audit_record


class AuditedModelAdmin(admin.ModelAdmin):
    """Writes through the admin are audited like the services' writes: `<app>.admin_add|change|delete`.

    The audit data holds only the names of the changed fields, never their values.
    """

    def _audit(self, request: HttpRequest, action: str, obj: models.Model, fields: list[str] | None = None) -> None:
        audit_record(
            actor=request.user,
            action=f"{obj._meta.app_label}.admin_{action}",
            target=obj,
            data={"fields": sorted(fields)} if fields is not None else None,
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            self._audit(request, "change" if change else "add", obj, list(form.changed_data))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._audit(request, "delete", obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._audit(request, "delete", obj)
            super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Deleting an object clears its pk, so note the deleted ones first.
        deleted_pks = [f.instance.pk for f in getattr(formset, "deleted_forms", []) if f.instance.pk is not None]
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            for obj in getattr(formset, "new_objects", []):
                self._audit(request, "add", obj, [])
            for obj, fields in getattr(formset, "changed_objects", []):
                self._audit(request, "change", obj, list(fields))
            for pk in deleted_pks:
                self._audit(request, "delete", formset.model(pk=pk))


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail: append-only, so nobody adds, changes or deletes entries here, not even a superuser."""

    list_display = ["at", "action", "object_type", "object_id", "actor", "institution_id"]
    list_filter = ["action", "object_type"]
    list_select_related = ["actor"]
    search_fields = ["object_id", "action", "actor__username"]
    date_hierarchy = "at"
    fields = ["at", "actor", "institution_id", "action", "object_type", "object_id", "data"]
    readonly_fields = fields
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
