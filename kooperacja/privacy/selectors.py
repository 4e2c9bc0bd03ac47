"""Reads of the privacy context, scoped to the actor, with their joins applied (constant queries per page)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from kooperacja.directory.models import Institution, PartnershipMember
from kooperacja.people.models import Person
from kooperacja.privacy import policies
from kooperacja.privacy.models import (
    AccessLogEntry,
    Breach,
    Consent,
    ProcessingActivity,
    RetentionRule,
    SubjectRequest,
)


def person_consents(*, actor: Any, person: Person) -> QuerySet[Consent]:
    """The person's consents the actor sees (recorded or received by her institutions), newest first."""
    return (
        policies.consents_visible_to(actor, person)
        .select_related("recorded_by_institution", "recorded_orally_by", "withdrawal_recorded_by")
        .prefetch_related("recipients")
        .order_by("-given_on", "-pk")
    )


def consent_recipient_choices(recorded_by: Institution) -> QuerySet[Institution]:
    """Recipients to offer: the institutions of the partnerships the recording institution belongs to or leads,
    and the directory's active institutions of its county (or gmina when it has no county)."""
    partnership_ids = PartnershipMember.objects.filter(institution=recorded_by, left_on__isnull=True).values(
        "partnership_id"
    )
    partners = PartnershipMember.objects.filter(
        Q(partnership_id__in=partnership_ids) | Q(partnership__lead_institution=recorded_by), left_on__isnull=True
    ).values("institution_id")
    area = Q(pk__in=partners)
    gmina = recorded_by.gmina
    county_id = recorded_by.county_id or (gmina.county_id if gmina is not None else None)
    if county_id:
        area |= Q(county_id=county_id) | Q(gmina__county_id=county_id)
    elif recorded_by.gmina_id:
        area |= Q(gmina_id=recorded_by.gmina_id)
    return Institution.objects.filter(area, is_active=True).exclude(pk=recorded_by.pk).order_by("name")


@dataclass
class LogFilters:
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    username: str = ""
    person_id: Any = None
    institution_id: Any = None


def access_log_for_dpo(*, actor: Any, filters: LogFilters) -> QuerySet[AccessLogEntry]:
    """Entries written by the staff of the DPO's institutions (acting for them), newest first."""
    institutions = policies.require_dpo(actor)
    entries = AccessLogEntry.objects.filter(institution_id__in=institutions).select_related("institution", "actor")
    if filters.institution_id and filters.institution_id in institutions:
        entries = entries.filter(institution_id=filters.institution_id)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        entries = entries.filter(at__gte=datetime.datetime.combine(filters.date_from, datetime.time.min, tzinfo=tz))
    if filters.date_to:
        entries = entries.filter(
            at__lt=datetime.datetime.combine(filters.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        )
    if filters.username:
        entries = entries.filter(actor_username__iexact=filters.username.strip())
    if filters.person_id:
        entries = entries.filter(person_id=filters.person_id)
    return entries.order_by("-at", "-id")


def dpo_institutions(actor: Any) -> QuerySet[Institution]:
    return Institution.objects.filter(pk__in=policies.require_dpo(actor)).order_by("name")


def processing_activities(actor: Any) -> QuerySet[ProcessingActivity]:
    return (
        ProcessingActivity.objects.filter(institution_id__in=policies.require_dpo(actor))
        .select_related("institution")
        .prefetch_related("legal_bases")
        .order_by("institution__name", "name")
    )


def breaches(actor: Any) -> QuerySet[Breach]:
    return Breach.objects.filter(institution_id__in=policies.require_dpo(actor)).select_related("institution")


def subject_requests(actor: Any) -> QuerySet[SubjectRequest]:
    return SubjectRequest.objects.filter(institution_id__in=policies.require_dpo(actor)).select_related("institution")


def retention_rules(actor: Any) -> QuerySet[RetentionRule]:
    return RetentionRule.objects.filter(institution_id__in=policies.require_dpo(actor)).select_related("institution")
