"""Shared write helpers. Every business write calls `audit_record` inside its own transaction."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from kooperacja.core.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    institution_id: Any = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record a write. Must run inside the caller's atomic block (asserted)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the write's transaction")
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        institution_id=institution_id,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        data=data or {},
    )


def changed_fields(instance: models.Model, before: dict[str, Any]) -> list[str]:
    """Names of the fields whose value differs from `before` (a dict of field name -> old value)."""
    return sorted(name for name, old in before.items() if getattr(instance, name) != old)
