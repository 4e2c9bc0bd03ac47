"""Django admin of accounts, for the system administrator: users, their memberships, personal API tokens.

Writes are audited (core.admin.AuditedModelAdmin). A token's secret is never stored, so it can never be shown:
the admin shows its first characters and its hash, read-only, and can revoke it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kooperacja.accounts.models import ApiToken, ApiTokenState, Membership, User
from kooperacja.accounts.services import api_token_revoke
from kooperacja.core.admin import AuditedModelAdmin


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["institution", "role", "job_title", "started_on", "ended_on"]
    autocomplete_fields = ["institution"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff", "last_login"]
    list_filter = ["is_staff", "is_active", "is_superuser", "memberships__role"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "preferred_language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    list_display = ["user", "institution", "role", "job_title", "started_on", "ended_on"]
    list_filter = ["role", "institution__sector"]
    list_select_related = ["user", "institution"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "institution__name",
        "job_title",
    ]
    autocomplete_fields = ["user", "institution"]
    date_hierarchy = "started_on"


class TokenStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(ApiTokenState.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
        now = timezone.now()
        not_expired = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        if self.value() == ApiTokenState.ACTIVE:
            return queryset.filter(not_expired, revoked_at__isnull=True)
        if self.value() == ApiTokenState.EXPIRED:
            return queryset.filter(revoked_at__isnull=True).exclude(not_expired)
        if self.value() == ApiTokenState.REVOKED:
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are created by their owners (My account, or `manage.py create_api_token`)."""

    list_display = ["name", "user", "hint", "created_at", "expires_at", "last_used_at", "state_label"]
    list_filter = [TokenStateFilter]
    list_select_related = ["user"]
    search_fields = ["name", "hint", "user__username", "user__first_name", "user__last_name"]
    date_hierarchy = "created_at"
    fields = ["user", "name", "hint", "fingerprint", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke_tokens"]

    @admin.display(description=_("state"))
    def state_label(self, obj: ApiToken) -> str:
        return obj.get_state_display()

    @admin.display(description=_("fingerprint (SHA-256 of the token)"))
    def fingerprint(self, obj: ApiToken) -> str:
        return obj.token_hash

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Revoke instead: a revoked token stays visible, with its dates, for the audit trail.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The change permission enables the revoke action on the list; a single token's page stays read-only.
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(actor=request.user, token=token)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count},
            messages.SUCCESS,
        )
