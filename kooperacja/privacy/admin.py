"""Admin of the privacy context: only the legal bases (reference data, no personal data).

Consents, grants and the access log are NOT registered: they hold or reveal personal data, and the admin would be a
back door around the policy and the access log (kooperacja/privacy/tests/test_admin.py keeps it so). The DPO reads
the log on the DPO pages; consents are read on the person's pages, where each read is logged.
"""

from __future__ import annotations

from django.contrib import admin

from kooperacja.core.admin import AuditedModelAdmin
from kooperacja.privacy.models import LegalBasis


@admin.register(LegalBasis)
class LegalBasisAdmin(AuditedModelAdmin):
    list_display = ["code", "reference", "title", "kind", "procedure", "is_consent", "active"]
    list_filter = ["kind", "is_consent", "active", "procedure"]
    search_fields = ["code", "reference", "title", "description"]
    fields = ["code", "kind", "title", "reference", "description", "covers", "institution_kinds", "procedure"]
    fields += ["is_consent", "active"]
    ordering = ["kind", "code"]
