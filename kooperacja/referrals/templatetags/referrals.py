"""`{% load referrals %}{% referral_metrics institution %}`: the referral numbers of an institution, for the
directory's institution page (aggregates only, no personal data)."""

from __future__ import annotations

from typing import Any

from django import template

from kooperacja.referrals.selectors import institution_metrics

register = template.Library()


@register.inclusion_tag("referrals/_institution_metrics.html")
def referral_metrics(institution: Any) -> dict[str, Any]:
    return {"referral_metrics": institution_metrics(institution=institution)}
