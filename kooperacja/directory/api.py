"""The directory in the JSON API (/api/v1/directory/): the same selectors, policies and services as the pages."""

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kooperacja.core.pagination import PageNumberPagination
from kooperacja.directory import policies, selectors, services
from kooperacja.directory.models import (
    CapacityStatus,
    Institution,
    InstitutionKind,
    Partnership,
    Sector,
    Service,
    ServiceStatus,
    TaxonomyTerm,
)
from kooperacja.territory.models import Gmina

router = Router(tags=["directory"])


# --- schemas --------------------------------------------------------------------------------------------------------


class InstitutionOut(Schema):
    id: uuid.UUID
    name: str
    short_name: str
    description: str
    sector: str
    sector_label: str
    kind: str
    kind_label: str
    gmina: str | None
    county: str | None
    voivodeship: str
    street: str
    postal_code: str
    city: str
    email: str
    phone: str
    website: str
    opening_hours: str
    regon: str
    modified_at: datetime.datetime

    @staticmethod
    def resolve_sector_label(obj: Institution) -> str:
        return str(obj.get_sector_display())

    @staticmethod
    def resolve_kind_label(obj: Institution) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_gmina(obj: Institution) -> str | None:
        return obj.gmina.code if obj.gmina else None

    @staticmethod
    def resolve_county(obj: Institution) -> str | None:
        return obj.county.code if obj.county else None

    @staticmethod
    def resolve_voivodeship(obj: Institution) -> str:
        return obj.voivodeship.code


class InstitutionPatch(Schema):
    name: str | None = None
    short_name: str | None = None
    description: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    opening_hours: str | None = None


class TermOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    name_en: str
    taxonomy: str | None

    @staticmethod
    def resolve_taxonomy(obj: TaxonomyTerm) -> str | None:
        return obj.taxonomy.code if obj.taxonomy else None


class ServiceOut(Schema):
    id: uuid.UUID
    institution_id: uuid.UUID
    institution_name: str
    name: str
    alternate_name: str
    description: str
    status: str
    url: str
    email: str
    phone: str
    terms: list[TermOut]
    minimum_age: int | None
    maximum_age: int | None
    eligible_gminy: list[str]
    eligibility_description: str
    application_process: str
    languages: list[str]
    is_free: bool
    fees_description: str
    capacity_status: str
    capacity_label: str
    expected_wait_days: int | None
    capacity_confirmed_at: datetime.datetime | None
    modified_at: datetime.datetime

    @staticmethod
    def resolve_institution_name(obj: Service) -> str:
        return obj.institution.name

    @staticmethod
    def resolve_terms(obj: Service) -> list[TaxonomyTerm]:
        return list(obj.terms.all())

    @staticmethod
    def resolve_eligible_gminy(obj: Service) -> list[str]:
        return [g.code for g in obj.eligible_gminy.all()]

    @staticmethod
    def resolve_languages(obj: Service) -> list[str]:
        return obj.language_list

    @staticmethod
    def resolve_capacity_label(obj: Service) -> str:
        return str(obj.get_capacity_status_display())


class ServiceFields(Schema):
    alternate_name: str | None = None
    description: str | None = None
    status: ServiceStatus | None = None
    url: str | None = None
    email: str | None = None
    phone: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    eligibility_description: str | None = None
    application_process: str | None = None
    languages: str | None = None
    is_free: bool | None = None
    fees_description: str | None = None
    capacity_status: CapacityStatus | None = None
    expected_wait_days: int | None = None
    term_ids: list[uuid.UUID] | None = None
    eligible_gminy: list[str] | None = None


class ServiceIn(ServiceFields):
    name: str


class ServicePatch(ServiceFields):
    name: str | None = None


class RepresentativeOut(Schema):
    full_name: str
    function: str
    email: str
    phone: str


class MemberOut(Schema):
    institution_id: uuid.UUID
    institution_name: str
    joined_on: datetime.date
    left_on: datetime.date | None
    representatives: list[RepresentativeOut] | None = None


class AgreementOut(Schema):
    id: uuid.UUID
    title: str
    parties: list[uuid.UUID]
    signed_on: datetime.date | None
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    scope: str
    legal_basis_text: str
    has_signed_file: bool


class PartnershipOut(Schema):
    id: uuid.UUID
    name: str
    gmina: str
    gmina_name: str
    county: str | None
    lead_institution_id: uuid.UUID
    lead_institution_name: str
    description: str
    established_on: datetime.date | None
    ended_on: datetime.date | None

    @staticmethod
    def resolve_gmina(obj: Partnership) -> str:
        return obj.gmina.code

    @staticmethod
    def resolve_gmina_name(obj: Partnership) -> str:
        return obj.gmina.name

    @staticmethod
    def resolve_county(obj: Partnership) -> str | None:
        return obj.county.code if obj.county else None

    @staticmethod
    def resolve_lead_institution_name(obj: Partnership) -> str:
        return obj.lead_institution.name


class PartnershipDetailOut(PartnershipOut):
    members: list[MemberOut]
    agreements: list[AgreementOut]

    @staticmethod
    def resolve_members(obj: Partnership) -> list[dict[str, Any]]:
        return obj.members_out  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_agreements(obj: Partnership) -> list[dict[str, Any]]:
        return obj.agreements_out  # type: ignore[attr-defined, no-any-return]


class InstitutionFilters(Schema):
    q: str = ""
    sector: Sector | None = None
    gmina: str | None = None
    kind: InstitutionKind | None = None


class ServiceFilters(Schema):
    q: str = ""
    domain: uuid.UUID | None = None
    capacity: CapacityStatus | None = None
    institution: uuid.UUID | None = None


# --- helpers --------------------------------------------------------------------------------------------------------


def _terms(ids: list[uuid.UUID] | None) -> list[TaxonomyTerm] | None:
    if ids is None:
        return None
    terms = list(TaxonomyTerm.objects.filter(id__in=ids))
    if len(terms) != len(set(ids)):
        raise ValidationError({"term_ids": _("Unknown taxonomy term.")})
    return terms


def _gminy(codes: list[str] | None) -> list[Gmina] | None:
    if codes is None:
        return None
    gminy = list(Gmina.objects.filter(code__in=codes))
    if len(gminy) != len(set(codes)):
        raise ValidationError({"eligible_gminy": _("Unknown TERYT code of a gmina.")})
    return gminy


def _service_data(payload: ServiceFields) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    data.pop("term_ids", None)
    data.pop("eligible_gminy", None)
    for name, value in list(data.items()):
        if value is None and name not in ("minimum_age", "maximum_age", "expected_wait_days"):
            raise ValidationError({name: _("This field cannot be null.")})
        if hasattr(value, "value"):
            data[name] = value.value
    return data


def _service_out(service: Service) -> Service:
    return selectors.service_detail(service=service)


# --- institutions ---------------------------------------------------------------------------------------------------


@router.get("/institutions", response=list[InstitutionOut], summary="Search institutions")
@paginate(PageNumberPagination)
def list_institutions(request: HttpRequest, filters: Query[InstitutionFilters]) -> Any:
    return selectors.institution_list(
        q=filters.q,
        sector=filters.sector.value if filters.sector else "",
        gmina=filters.gmina,
        kind=filters.kind.value if filters.kind else "",
    )


@router.get("/institutions/{institution_id}", response=InstitutionOut, summary="One institution")
def get_institution(request: HttpRequest, institution_id: uuid.UUID) -> Institution:
    return policies.get_institution_for_actor(request.user, institution_id)


@router.patch("/institutions/{institution_id}", response=InstitutionOut, summary="Update an institution's entries")
def patch_institution(request: HttpRequest, institution_id: uuid.UUID, payload: InstitutionPatch) -> Institution:
    institution = policies.get_institution_for_actor(request.user, institution_id, need="write")
    data = payload.dict(exclude_unset=True)
    for name, value in data.items():
        if value is None:
            raise ValidationError({name: _("This field cannot be null.")})
    return services.institution_update(actor=request.user, institution=institution, data=data)


@router.post(
    "/institutions/{institution_id}/services",
    response={201: ServiceOut},
    summary="Add a service to an institution",
)
def create_service(request: HttpRequest, institution_id: uuid.UUID, payload: ServiceIn) -> Status:
    institution = policies.get_institution_for_actor(request.user, institution_id, need="write")
    service = services.service_create(
        actor=request.user,
        institution=institution,
        data=_service_data(payload),
        terms=_terms(payload.term_ids),
        eligible_gminy=_gminy(payload.eligible_gminy),
    )
    return Status(201, _service_out(service))


# --- services -------------------------------------------------------------------------------------------------------


@router.get("/services", response=list[ServiceOut], summary="Search services")
@paginate(PageNumberPagination)
def list_services(request: HttpRequest, filters: Query[ServiceFilters]) -> Any:
    return selectors.service_list(
        q=filters.q,
        domain=str(filters.domain) if filters.domain else "",
        capacity=filters.capacity.value if filters.capacity else "",
        institution=str(filters.institution) if filters.institution else "",
    )


@router.get("/services/{service_id}", response=ServiceOut, summary="One service")
def get_service(request: HttpRequest, service_id: uuid.UUID) -> Service:
    return _service_out(policies.get_service_for_actor(request.user, service_id))


@router.patch("/services/{service_id}", response=ServiceOut, summary="Update a service")
def patch_service(request: HttpRequest, service_id: uuid.UUID, payload: ServicePatch) -> Service:
    service = policies.get_service_for_actor(request.user, service_id, need="write")
    services.service_update(
        actor=request.user,
        service=service,
        data=_service_data(payload),
        terms=_terms(payload.term_ids),
        eligible_gminy=_gminy(payload.eligible_gminy),
    )
    return _service_out(service)


@router.post("/services/{service_id}/confirm-capacity", response=ServiceOut, summary="Confirm a service's capacity")
def confirm_capacity(request: HttpRequest, service_id: uuid.UUID) -> Service:
    service = policies.get_service_for_actor(request.user, service_id, need="write")
    services.service_confirm_capacity(actor=request.user, service=service)
    return _service_out(service)


# --- partnerships ---------------------------------------------------------------------------------------------------


@router.get("/partnerships", response=list[PartnershipOut], summary="List partnerships")
@paginate(PageNumberPagination)
def list_partnerships(request: HttpRequest, gmina: str | None = None) -> Any:
    return selectors.partnership_list(gmina=gmina)


@router.get("/partnerships/{partnership_id}", response=PartnershipDetailOut, summary="One partnership")
def get_partnership(request: HttpRequest, partnership_id: uuid.UUID) -> Partnership:
    partnership = policies.get_partnership_for_actor(request.user, partnership_id)
    page = selectors.partnership_page(
        partnership=partnership, show_internals=policies.can_see_partnership_internals(request.user, partnership)
    )
    partnership.members_out = [  # type: ignore[attr-defined]
        {
            "institution_id": member.institution_id,
            "institution_name": member.institution.name,
            "joined_on": member.joined_on,
            "left_on": member.left_on,
            "representatives": (
                [
                    {"full_name": r.full_name, "function": r.function, "email": r.email, "phone": r.phone}
                    for r in member.representatives.all()
                ]
                if page.show_internals
                else None
            ),
        }
        for member in page.members
    ]
    partnership.agreements_out = [  # type: ignore[attr-defined]
        {
            "id": agreement.pk,
            "title": agreement.title,
            "parties": [party.pk for party in agreement.parties.all()],
            "signed_on": agreement.signed_on,
            "valid_from": agreement.valid_from,
            "valid_until": agreement.valid_until,
            "scope": agreement.scope,
            "legal_basis_text": agreement.legal_basis_text,
            "has_signed_file": bool(agreement.signed_file),
        }
        for agreement in page.agreements
    ]
    return partnership
