"""Django admin of the directory, for the system administrator: reference data, institutions, partnerships.

Writes made here are audited like the services' writes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from kooperacja.core.services import audit_record
from kooperacja.directory.models import (
    CooperationAgreement,
    Institution,
    Location,
    Partnership,
    PartnershipMember,
    Representative,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from kooperacja.territory.models import County, Gmina


def _searchable(model: type[models.Model]) -> bool:
    """Autocomplete needs the target's admin to be registered with search fields (territory's admin is)."""
    model_admin = admin.site._registry.get(model)
    return bool(model_admin and model_admin.search_fields)


TERRITORY_AUTOCOMPLETE = _searchable(Gmina) and _searchable(County)


URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class AuditedAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action=f"directory.admin_{'change' if change else 'add'}",
                target=obj,
                data={"fields": sorted(form.changed_data)},
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, action="directory.admin_delete", target=obj)
            super().delete_model(request, obj)


class TaxonomyTermInline(admin.TabularInline):
    model = TaxonomyTerm
    formfield_overrides = URL_FIELDS
    fields = ["code", "name", "name_en", "sort_order", "parent"]
    extra = 0
    show_change_link = True


@admin.register(Taxonomy)
class TaxonomyAdmin(AuditedAdmin):
    list_display = ["name", "code", "version", "modified_at"]
    search_fields = ["name", "code"]
    inlines = [TaxonomyTermInline]


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(AuditedAdmin):
    list_display = ["name", "name_en", "code", "taxonomy", "sort_order"]
    list_filter = ["taxonomy"]
    list_select_related = ["taxonomy"]
    search_fields = ["name", "name_en", "code"]


class LocationInline(admin.StackedInline):
    model = Location
    extra = 0
    fields = ["name", "street", "postal_code", "city", "opening_hours"]
    show_change_link = True


@admin.register(Institution)
class InstitutionAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "sector", "kind", "gmina", "county", "voivodeship", "is_active"]
    list_filter = ["sector", "kind", "voivodeship", "is_active"]
    list_select_related = ["gmina", "county", "voivodeship"]
    search_fields = ["name", "short_name", "regon"]
    readonly_fields = ["created_at", "modified_at"]
    if TERRITORY_AUTOCOMPLETE:
        autocomplete_fields = ["gmina", "county"]
    else:
        raw_id_fields = ["gmina", "county"]
    inlines = [LocationInline]


class ServiceAtLocationInline(admin.TabularInline):
    model = ServiceAtLocation
    extra = 0
    autocomplete_fields = ["location"]


@admin.register(Service)
class ServiceAdmin(AuditedAdmin):
    list_display = ["name", "institution", "capacity_status", "capacity_confirmed_at", "status"]
    list_filter = ["capacity_status", "status", "is_free", "terms"]
    list_select_related = ["institution"]
    search_fields = ["name", "institution__name"]
    autocomplete_fields = ["institution", "terms"]
    raw_id_fields = ["eligible_gminy"]
    readonly_fields = ["created_at", "modified_at"]
    inlines = [ServiceAtLocationInline]


@admin.register(Location)
class LocationAdmin(AuditedAdmin):
    list_display = ["name", "institution", "city"]
    list_select_related = ["institution"]
    search_fields = ["name", "institution__name", "city"]
    autocomplete_fields = ["institution"]
    raw_id_fields = ["gmina"]


class PartnershipMemberInline(admin.TabularInline):
    model = PartnershipMember
    extra = 0
    autocomplete_fields = ["institution"]
    fields = ["institution", "joined_on", "left_on"]
    show_change_link = True


class RepresentativeInline(admin.TabularInline):
    model = Representative
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Partnership)
class PartnershipAdmin(AuditedAdmin):
    list_display = ["name", "gmina", "county", "lead_institution", "established_on", "ended_on"]
    list_select_related = ["gmina", "county", "lead_institution"]
    search_fields = ["name", "lead_institution__name"]
    autocomplete_fields = ["lead_institution"]
    raw_id_fields = ["gmina", "county"]
    inlines = [PartnershipMemberInline]


@admin.register(PartnershipMember)
class PartnershipMemberAdmin(AuditedAdmin):
    list_display = ["institution", "partnership", "joined_on", "left_on"]
    list_select_related = ["institution", "partnership"]
    search_fields = ["institution__name", "partnership__name"]
    autocomplete_fields = ["institution"]
    inlines = [RepresentativeInline]


@admin.register(CooperationAgreement)
class CooperationAgreementAdmin(AuditedAdmin):
    list_display = ["title", "partnership", "signed_on", "valid_from", "valid_until"]
    list_select_related = ["partnership"]
    search_fields = ["title", "partnership__name"]
    autocomplete_fields = ["parties"]
    # The signed file is uploaded through the partnership pages, which check its type and size.
    exclude = ["signed_file"]
