"""The admin shows only the gminy's case rules (configuration, no personal data). Cases, notes, plans and teams are
personal data: they are read only through the pages and the API, which ask the access policy and write the access log."""

from django.contrib import admin

from kooperacja.cases.models import CaseRules


@admin.register(CaseRules)
class CaseRulesAdmin(admin.ModelAdmin):
    list_display = ("gmina", "variant", "plan_label", "plan_due_days", "plan_max_months", "approval_required")
    list_filter = ("variant", "plan_label", "approval_required")
    search_fields = ("gmina__name", "gmina__code")
    autocomplete_fields = ("gmina",)
