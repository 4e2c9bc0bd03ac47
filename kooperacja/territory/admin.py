"""Django admin of the territory, for the system administrator: TERYT units and the grouping into macroregions.

The TERYT units come from `manage.py import_teryt`; the admin is for corrections and for the macroregions, which are
configurable (assign a voivodeship in the voivodeship list). Writes made here are audited like the services' writes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kooperacja.core.services import audit_record
from kooperacja.territory.models import County, Gmina, Macroregion, Voivodeship


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action=f"territory.admin_{'change' if change else 'add'}",
                target=obj,
                data={"fields": sorted(form.changed_data)},
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, action="territory.admin_delete", target=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit_record(actor=request.user, action="territory.admin_delete", target=obj)
            super().delete_queryset(request, queryset)


class VoivodeshipInline(admin.TabularInline):
    """The macroregion's voivodeships, read-only: move a voivodeship in the voivodeship list."""

    model = Voivodeship
    fields = ["code", "name", "valid_on"]
    readonly_fields = ["code", "name", "valid_on"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("voivodeships (assign them in the list of voivodeships)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Macroregion)
class MacroregionAdmin(AuditedAdmin):
    list_display = ["name", "code", "voivodeship_names"]
    search_fields = ["name", "code"]
    inlines = [VoivodeshipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Macroregion]:
        return super().get_queryset(request).prefetch_related("voivodeships")

    @admin.display(description=_("voivodeships"))
    def voivodeship_names(self, obj: Macroregion) -> str:
        return ", ".join(v.display_name for v in obj.voivodeships.all()) or "—"


@admin.register(Voivodeship)
class VoivodeshipAdmin(AuditedAdmin):
    list_display = ["code", "name", "macroregion", "valid_on"]
    list_display_links = ["code", "name"]
    list_editable = ["macroregion"]
    list_filter = ["macroregion"]
    list_select_related = ["macroregion"]
    search_fields = ["name", "code"]


@admin.register(County)
class CountyAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind_label", "voivodeship", "valid_on"]
    list_display_links = ["code", "name"]
    list_filter = ["voivodeship", "kind_label"]
    list_select_related = ["voivodeship"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["voivodeship"]


@admin.register(Gmina)
class GminaAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "county", "voivodeship", "population", "valid_on"]
    list_display_links = ["code", "name"]
    list_filter = ["kind", "voivodeship"]
    list_select_related = ["county", "voivodeship"]
    search_fields = ["name", "code", "county__name"]
    autocomplete_fields = ["county", "voivodeship"]
