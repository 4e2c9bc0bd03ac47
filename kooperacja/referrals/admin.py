"""Admin: the partnerships' deadline rules. Referrals concern persons: they are not in the admin (privacy's rule),
and change only through the services (states, grants, audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from kooperacja.core.services import audit_record
from kooperacja.referrals.models import ReferralDeadlineRule


@admin.register(ReferralDeadlineRule)
class ReferralDeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ("partnership", "urgent_days", "normal_days", "reminder_days", "expire_after_days")
    autocomplete_fields = ("partnership",)
    search_fields = ("partnership__name",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action=f"referrals.rule_{'change' if change else 'add'}",
                target=obj,
                data={"fields": sorted(form.changed_data)},
            )
