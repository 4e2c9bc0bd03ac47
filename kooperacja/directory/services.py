"""Writes of the directory: each one checks its policy, validates, saves in one transaction and is audited."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kooperacja.core.services import audit_record
from kooperacja.directory import policies
from kooperacja.directory.models import (
    CapacityStatus,
    CooperationAgreement,
    Institution,
    Location,
    Partnership,
    PartnershipMember,
    Representative,
    Service,
    TaxonomyTerm,
)
from kooperacja.directory.uploads import validate_signed_file
from kooperacja.territory.models import Gmina

INSTITUTION_EDITABLE_FIELDS = (
    "name",
    "short_name",
    "description",
    "street",
    "postal_code",
    "city",
    "email",
    "phone",
    "website",
    "opening_hours",
)
SERVICE_EDITABLE_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "status",
    "url",
    "email",
    "phone",
    "minimum_age",
    "maximum_age",
    "eligibility_description",
    "application_process",
    "languages",
    "is_free",
    "fees_description",
    "capacity_status",
    "expected_wait_days",
)
LOCATION_EDITABLE_FIELDS = (
    "name",
    "description",
    "street",
    "postal_code",
    "city",
    "gmina",
    "latitude",
    "longitude",
    "accessibility",
    "opening_hours",
)
PARTNERSHIP_EDITABLE_FIELDS = ("name", "description", "county", "established_on", "ended_on")
AGREEMENT_EDITABLE_FIELDS = ("title", "signed_on", "valid_from", "valid_until", "scope", "legal_basis_text")


def _require_institution_editor(actor: Any, institution_id: Any) -> None:
    access = policies.institution_access(actor, institution_id)
    if access == "none":
        raise Http404
    if access != "edit":
        raise PermissionDenied


def _require_partnership_maintainer(actor: Any, partnership: Partnership) -> None:
    access = policies.partnership_access(actor, partnership)
    if access == "none":
        raise Http404
    if access != "maintain":
        raise PermissionDenied


def _assign(instance: models.Model, data: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    """Set the allowed fields present in `data`; return the old values of the fields that were set."""
    allowed = set(allowed)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    before = {}
    for name, value in data.items():
        before[name] = getattr(instance, name)
        if isinstance(value, str) and name not in ("gmina", "county"):
            value = value.strip()
        setattr(instance, name, value)
    return before


def _changed(instance: models.Model, before: dict[str, Any]) -> list[str]:
    return sorted(name for name, old in before.items() if getattr(instance, name) != old)


def _save(instance: models.Model) -> None:
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError(_("The data breaks a rule of the directory: %(error)s") % {"error": exc}) from exc


# --- institutions ---------------------------------------------------------------------------------------------------


def institution_update(*, actor: Any, institution: Institution, data: Mapping[str, Any]) -> Institution:
    """Update the institution's own entries (name, contacts, address, hours). Actor: an editor of it."""
    _require_institution_editor(actor, institution.pk)
    with transaction.atomic():
        before = _assign(institution, data, INSTITUTION_EDITABLE_FIELDS)
        _save(institution)
        audit_record(
            actor=actor,
            action="directory.institution_update",
            target=institution,
            institution_id=institution.pk,
            data={"fields": _changed(institution, before)},
        )
    return institution


# --- services -------------------------------------------------------------------------------------------------------


def _set_relations(service: Service, terms: Iterable[TaxonomyTerm] | None, gminy: Iterable[Gmina] | None) -> None:
    if terms is not None:
        service.terms.set(list(terms))
    if gminy is not None:
        service.eligible_gminy.set(list(gminy))


def _normalise_capacity(service: Service) -> None:
    # A wait only makes sense on a waitlist: drop a stale one when the status changes.
    if service.capacity_status != CapacityStatus.WAITLIST:
        service.expected_wait_days = None


def service_create(
    *,
    actor: Any,
    institution: Institution,
    data: Mapping[str, Any],
    terms: Iterable[TaxonomyTerm] | None = None,
    eligible_gminy: Iterable[Gmina] | None = None,
) -> Service:
    """Add a service to an institution. Actor: an editor of the institution. Capacity counts as confirmed now."""
    _require_institution_editor(actor, institution.pk)
    with transaction.atomic():
        service = Service(institution=institution)
        _assign(service, data, SERVICE_EDITABLE_FIELDS)
        _normalise_capacity(service)
        service.capacity_confirmed_at = timezone.now()
        _save(service)
        _set_relations(service, terms, eligible_gminy)
        audit_record(
            actor=actor,
            action="directory.service_create",
            target=service,
            institution_id=institution.pk,
            data={"institution": str(institution.pk)},
        )
    return service


def service_update(
    *,
    actor: Any,
    service: Service,
    data: Mapping[str, Any],
    terms: Iterable[TaxonomyTerm] | None = None,
    eligible_gminy: Iterable[Gmina] | None = None,
) -> Service:
    """Update a service. Actor: an editor of its institution. A changed capacity counts as confirmed now."""
    _require_institution_editor(actor, service.institution_id)
    with transaction.atomic():
        before = _assign(service, data, SERVICE_EDITABLE_FIELDS)
        _normalise_capacity(service)
        changed = _changed(service, before)
        if "capacity_status" in changed or "expected_wait_days" in changed:
            service.capacity_confirmed_at = timezone.now()
        _save(service)
        if terms is not None:
            changed.append("terms")
        if eligible_gminy is not None:
            changed.append("eligible_gminy")
        _set_relations(service, terms, eligible_gminy)
        audit_record(
            actor=actor,
            action="directory.service_update",
            target=service,
            institution_id=service.institution_id,
            data={"fields": changed},
        )
    return service


def service_confirm_capacity(*, actor: Any, service: Service) -> Service:
    """Confirm that the capacity shown is still true (sets capacity_confirmed_at to now). Actor: an editor."""
    _require_institution_editor(actor, service.institution_id)
    with transaction.atomic():
        service.capacity_confirmed_at = timezone.now()
        _save(service)
        audit_record(
            actor=actor,
            action="directory.service_confirm_capacity",
            target=service,
            institution_id=service.institution_id,
            data={"capacity_status": service.capacity_status},
        )
    return service


# --- locations ------------------------------------------------------------------------------------------------------


def location_create(*, actor: Any, institution: Institution, data: Mapping[str, Any]) -> Location:
    """Add a location to an institution. Actor: an editor of the institution."""
    _require_institution_editor(actor, institution.pk)
    with transaction.atomic():
        location = Location(institution=institution)
        _assign(location, data, LOCATION_EDITABLE_FIELDS)
        _save(location)
        audit_record(
            actor=actor,
            action="directory.location_create",
            target=location,
            institution_id=institution.pk,
            data={"institution": str(institution.pk)},
        )
    return location


def location_update(*, actor: Any, location: Location, data: Mapping[str, Any]) -> Location:
    """Update a location. Actor: an editor of its institution."""
    _require_institution_editor(actor, location.institution_id)
    with transaction.atomic():
        before = _assign(location, data, LOCATION_EDITABLE_FIELDS)
        _save(location)
        audit_record(
            actor=actor,
            action="directory.location_update",
            target=location,
            institution_id=location.institution_id,
            data={"fields": _changed(location, before)},
        )
    return location


# --- partnerships ---------------------------------------------------------------------------------------------------


def partnership_update(*, actor: Any, partnership: Partnership, data: Mapping[str, Any]) -> Partnership:
    """Update a partnership's name, description, county and dates. Actor: a maintainer of the partnership."""
    _require_partnership_maintainer(actor, partnership)
    with transaction.atomic():
        before = _assign(partnership, data, PARTNERSHIP_EDITABLE_FIELDS)
        if partnership.ended_on and partnership.established_on and partnership.ended_on < partnership.established_on:
            raise ValidationError({"ended_on": _("The end date cannot be earlier than the date of establishment.")})
        _save(partnership)
        audit_record(
            actor=actor,
            action="directory.partnership_update",
            target=partnership,
            institution_id=partnership.lead_institution_id,
            data={"fields": _changed(partnership, before)},
        )
    return partnership


def partnership_member_add(
    *, actor: Any, partnership: Partnership, institution: Institution, joined_on: datetime.date | None = None
) -> PartnershipMember:
    """Add an institution to the partnership (once while it is a current member). Actor: a maintainer."""
    _require_partnership_maintainer(actor, partnership)
    with transaction.atomic():
        if PartnershipMember.objects.filter(
            partnership=partnership, institution=institution, left_on__isnull=True
        ).exists():
            raise ValidationError({"institution": _("This institution is already a member of the partnership.")})
        member = PartnershipMember(
            partnership=partnership, institution=institution, joined_on=joined_on or timezone.localdate()
        )
        _save(member)
        audit_record(
            actor=actor,
            action="directory.partnership_member_add",
            target=member,
            institution_id=partnership.lead_institution_id,
            data={"partnership": str(partnership.pk), "institution": str(institution.pk)},
        )
    return member


def partnership_member_leave(*, actor: Any, member: PartnershipMember, left_on: datetime.date) -> PartnershipMember:
    """Record that a member institution left the partnership on a date. Actor: a maintainer."""
    _require_partnership_maintainer(actor, member.partnership)
    if member.left_on is not None:
        raise ValidationError({"left_on": _("This institution has already left the partnership.")})
    with transaction.atomic():
        member.left_on = left_on
        _save(member)
        audit_record(
            actor=actor,
            action="directory.partnership_member_leave",
            target=member,
            institution_id=member.partnership.lead_institution_id,
            data={"partnership": str(member.partnership_id), "institution": str(member.institution_id)},
        )
    return member


def representative_add(
    *,
    actor: Any,
    member: PartnershipMember,
    full_name: str,
    function: str = "",
    email: str = "",
    phone: str = "",
) -> Representative:
    """Name a representative of a member institution. Actor: a maintainer. Audit data holds no names."""
    _require_partnership_maintainer(actor, member.partnership)
    with transaction.atomic():
        representative = Representative(
            member=member,
            full_name=full_name.strip(),
            function=function.strip(),
            email=email.strip(),
            phone=phone.strip(),
        )
        _save(representative)
        audit_record(
            actor=actor,
            action="directory.representative_add",
            target=representative,
            institution_id=member.partnership.lead_institution_id,
            data={"partnership": str(member.partnership_id), "member": member.pk},
        )
    return representative


def representative_remove(*, actor: Any, representative: Representative) -> None:
    """Remove a representative. Actor: a maintainer of the partnership."""
    member = representative.member
    _require_partnership_maintainer(actor, member.partnership)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="directory.representative_remove",
            target=representative,
            institution_id=member.partnership.lead_institution_id,
            data={"partnership": str(member.partnership_id), "member": member.pk},
        )
        representative.delete()


# --- agreements -----------------------------------------------------------------------------------------------------


def _check_parties(partnership: Partnership, parties: list[Institution]) -> None:
    allowed = set(
        PartnershipMember.objects.filter(partnership=partnership).values_list("institution_id", flat=True)
    ) | {partnership.lead_institution_id}
    if not parties:
        raise ValidationError({"parties": _("Choose at least one party to the agreement.")})
    if any(party.pk not in allowed for party in parties):
        raise ValidationError({"parties": _("Every party must be a member of the partnership.")})


def agreement_create(
    *,
    actor: Any,
    partnership: Partnership,
    data: Mapping[str, Any],
    parties: Iterable[Institution],
    signed_file: UploadedFile | None = None,
) -> CooperationAgreement:
    """Record a cooperation agreement with its parties and signed file (PDF/JPEG/PNG). Actor: a maintainer."""
    _require_partnership_maintainer(actor, partnership)
    parties = list(parties)
    _check_parties(partnership, parties)
    if signed_file is not None:
        validate_signed_file(signed_file)
    with transaction.atomic():
        agreement = CooperationAgreement(partnership=partnership)
        _assign(agreement, data, AGREEMENT_EDITABLE_FIELDS)
        if signed_file is not None:
            agreement.signed_file = signed_file  # type: ignore[assignment]
        _save(agreement)
        agreement.parties.set(parties)
        audit_record(
            actor=actor,
            action="directory.agreement_create",
            target=agreement,
            institution_id=partnership.lead_institution_id,
            data={"partnership": str(partnership.pk), "file": bool(signed_file)},
        )
    return agreement


def agreement_update(
    *,
    actor: Any,
    agreement: CooperationAgreement,
    data: Mapping[str, Any],
    parties: Iterable[Institution] | None = None,
    signed_file: UploadedFile | None = None,
) -> CooperationAgreement:
    """Update an agreement; a new signed file replaces the old one. Actor: a maintainer of its partnership."""
    partnership = agreement.partnership
    _require_partnership_maintainer(actor, partnership)
    party_list = list(parties) if parties is not None else None
    if party_list is not None:
        _check_parties(partnership, party_list)
    if signed_file is not None:
        validate_signed_file(signed_file)
    with transaction.atomic():
        before = _assign(agreement, data, AGREEMENT_EDITABLE_FIELDS)
        changed = _changed(agreement, before)
        old_name = agreement.signed_file.name if agreement.signed_file else ""
        if signed_file is not None:
            agreement.signed_file = signed_file  # type: ignore[assignment]
            changed.append("signed_file")
        _save(agreement)
        if party_list is not None:
            agreement.parties.set(party_list)
            changed.append("parties")
        audit_record(
            actor=actor,
            action="directory.agreement_update",
            target=agreement,
            institution_id=partnership.lead_institution_id,
            data={"fields": changed},
        )
        if signed_file is not None and old_name:
            storage = agreement.signed_file.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    return agreement
