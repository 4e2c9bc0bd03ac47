"""Admin: the partnerships' deadline rules. Referrals themselves change only through the services (their states,
grants and audit), so the admin lists them read-only and without personal data."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from kooperacja.core.services import audit_record
from kooperacja.referrals.models import Referral, ReferralDeadlineRule


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


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ("id", "state", "urgency", "sender", "recipient", "sent_at", "answer_due_at")
    list_filter = ("state", "urgency")
    fields = ("id", "state", "urgency", "sender", "recipient", "sent_at", "answer_due_at", "closed_at")
    readonly_fields = fields
    list_select_related = ("sender", "recipient")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
