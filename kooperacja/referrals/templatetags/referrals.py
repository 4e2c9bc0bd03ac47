"""`{% load referrals %}{% referral_metrics institution %}`: the referral numbers of an institution, for the
directory's institution page (aggregates only, no personal data)."""

from __future__ import annotations

from typing import Any

from django import template

from kooperacja.referrals.selectors import institution_metrics, sector_metrics

register = template.Library()


@register.inclusion_tag("referrals/_institution_metrics.html")
def referral_metrics(institution: Any) -> dict[str, Any]:
    """The institution's figures beside those of its whole sector (how it answers compared with its peers)."""
    return {
        "referral_metrics": institution_metrics(institution=institution),
        "sector_label": institution.get_sector_display(),
        "sector_metrics": sector_metrics(sector=institution.sector),
    }


@register.inclusion_tag("referrals/_case_referrals.html", takes_context=True)
def case_referrals(context: dict[str, Any], case: Any, task: Any = None) -> dict[str, Any]:
    """On a case (or plan task) page: the referrals sent from it that the user may see, and the way to a new one when
    the user may send from it (the cases context itself knows nothing of referrals)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    from kooperacja.referrals.policies import sender_institution_for_case, visible_referrals

    sender = sender_institution_for_case(user, case, task)
    referrals = visible_referrals(user).filter(case=case)
    if task is not None:
        referrals = referrals.filter(task=task)
    rows = list(referrals.select_related("recipient", "service").order_by("-created_at", "id")[:50])
    query = f"case={case.pk}" + (f"&task={task.pk}" if task is not None else "")
    return {"show": bool(rows) or sender is not None, "rows": rows, "may_send": sender is not None, "query": query}


@register.inclusion_tag("referrals/_partnership_deadlines.html", takes_context=True)
def partnership_deadlines(context: dict[str, Any], partnership: Any) -> dict[str, Any]:
    """On a partnership's page: the answer deadlines of referrals between its members, and the way to change them."""
    from kooperacja.directory.policies import can_maintain_partnership
    from kooperacja.referrals.selectors import deadlines_of

    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "partnership": partnership,
        "current": deadlines_of(partnership=partnership),
        "may_change": user is not None and can_maintain_partnership(user, partnership),
    }
