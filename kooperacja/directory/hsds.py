"""The HSDS 3.0 (Open Referral) API at /api/hsds/: the public directory, read-only, in the standard's shapes.

Plain Django JSON views (no django-ninja): the HSDS schemas forbid `null` for optional fields, so empty values are
left out of each object, and building dicts directly keeps a page of 200 services cheap. The API description is the
standard's own published `openapi.json`: the root document links to it (`openapi_url`); this app serves no copy.

What is published: institutions (HSDS organizations) that are active, their services, locations and the taxonomies.
Never published: partnership representatives, users, agreements — nothing personal. Contacts are institutional (the
institution's own e-mail and phone).

Objects HSDS has and we keep as plain fields (phones, schedules, languages, cost options, the REGON identifier, the
institution's seat as a location) get ids derived from their parent's id (uuid5), so they are stable between calls.

Cost: every list is one COUNT over the filtered services/institutions/… table (no join unless a filter needs one)
and one page read with its to-one relations joined; details cost a fixed handful of queries. Lists are ordered by
(name, id) — indexed — or by id.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, time
from functools import wraps
from typing import Any

from django.conf.locale import LANG_INFO
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from kooperacja.directory.models import (
    CapacityStatus,
    Institution,
    Location,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from kooperacja.directory.text import normalise

HSDS_VERSION = "3.0"
HSDS_PROFILE = "https://github.com/openreferral/specification/tree/3.0"
# The standard's published API description (the base its own `$ref`s use): a link, never fetched by us.
HSDS_OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 200
CAPACITY_TAXONOMY = "capacity-status"
SECTORS_TAXONOMY = "sectors"
JSON_DUMPS = {"ensure_ascii": False}


class BadRequest(Exception):
    """A query parameter the API cannot use: answered with 400 and the parameter's name."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


class NotFound(Exception):
    pass


def _error(status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message, "fields": fields or {}}, status=status, json_dumps_params=JSON_DUMPS
    )


def hsds_view(view: Callable[..., dict[str, Any]]) -> Callable[..., HttpResponse]:
    """GET (and HEAD) only, public, JSON errors. CSRF-exempt because nothing here changes state: every other method
    is refused with 405 before any work is done."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = _error(405, "method_not_allowed", "This API is read-only: use GET.")
            response["Allow"] = "GET, HEAD"
            return response
        try:
            body = view(request, *args, **kwargs)
        except BadRequest as exc:
            return _error(400, "bad_request", exc.message, {exc.parameter: [exc.message]})
        except NotFound:
            return _error(404, "not_found", "Not found.")
        response = JsonResponse(body, json_dumps_params=JSON_DUMPS)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped


# --- query parameters -----------------------------------------------------------------------------------------------


def _int_param(request: HttpRequest, name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    raw = request.GET.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(name, f"`{name}` must be a whole number.")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise BadRequest(name, f"`{name}` must be {bound}.")
    return value


def _uuid_param(request: HttpRequest, name: str) -> uuid.UUID | None:
    raw = request.GET.get(name, "").strip()
    if raw == "":
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise BadRequest(name, f"`{name}` must be a UUID.")


def _bool_param(request: HttpRequest, name: str) -> bool:
    raw = request.GET.get(name, "").strip().lower()
    if raw in ("", "false", "0", "no"):
        return False
    if raw in ("true", "1", "yes"):
        return True
    raise BadRequest(name, f"`{name}` must be true or false.")


def _datetime_param(request: HttpRequest, name: str) -> datetime | None:
    raw = request.GET.get(name, "").strip()
    if raw == "":
        return None
    # An unencoded "+02:00" in a query string arrives as " 02:00".
    raw = raw.replace(" ", "+")
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            value = datetime.combine(day, time.min) if day is not None else None
    except ValueError:
        value = None
    if value is None:
        raise BadRequest(name, f"`{name}` must be an ISO 8601 date-time, e.g. 2024-05-01T00:00:00Z.")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _refuse_unsupported(request: HttpRequest, *names: str) -> None:
    fmt = request.GET.get("format", "").strip().lower()
    if fmt not in ("", "json"):
        raise BadRequest("format", "Only `format=json` is available.")
    for name in names:
        if request.GET.get(name, "").strip():
            raise BadRequest(name, f"`{name}` is not supported by this API.")


def _search_q(request: HttpRequest, field: str = "search_text") -> Q | None:
    words = normalise(request.GET.get("search", "")).split()
    if not words:
        return None
    condition = Q()
    for word in words[:8]:
        condition &= Q(**{f"{field}__contains": word})
    return condition


def _detail_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound


class _IdsFirst:
    """A queryset read one page at a time in two steps: the page's ids first — an index-only walk of the (name, id)
    index, which also holds `institution_id` — then those rows with their joins and prefetches. A deep page of a
    filtered list then reads 25 rows from the table instead of every row it walks past."""

    def __init__(self, rows: QuerySet[Any]) -> None:
        self.rows = rows

    def __getitem__(self, page: slice) -> list[Any]:
        ids = list(self.rows.values_list("pk", flat=True)[page])
        found = {row.pk: row for row in self.rows.order_by().filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]


def _page(
    request: HttpRequest,
    count_queryset: QuerySet[Any] | None,
    rows: QuerySet[Any] | list[Any] | _IdsFirst,
    serialise: Callable[[Any], dict[str, Any]],
    *,
    total: int | None = None,
) -> dict[str, Any]:
    """The HSDS Page envelope. `count_queryset` is the filtered base table without joins or ordering (or `total`)."""
    page = _int_param(request, "page", 1, 1)
    per_page = _int_param(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    if total is None:
        total = count_queryset.count() if count_queryset is not None else len(rows)  # type: ignore[arg-type]
    offset = (page - 1) * per_page
    contents = [serialise(row) for row in rows[offset : offset + per_page]]
    total_pages = max(1, math.ceil(total / per_page))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


# --- serialisers ----------------------------------------------------------------------------------------------------


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty optional values: HSDS types (string, number, array) do not admit null."""
    return {key: value for key, value in values.items() if value not in (None, "", [])}


def _sub_id(parent: uuid.UUID, kind: str) -> str:
    return str(uuid.uuid5(parent, kind))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def seat_location_id(institution_id: uuid.UUID) -> str:
    """The id of the location that stands for the institution's own address (its seat)."""
    return _sub_id(institution_id, "seat")


def taxonomy_data(taxonomy: Taxonomy) -> dict[str, Any]:
    return {
        **_compact({"id": str(taxonomy.id), "name": taxonomy.name, "uri": taxonomy.uri, "version": taxonomy.version}),
        "description": taxonomy.description,
    }


def term_data(term: TaxonomyTerm) -> dict[str, Any]:
    taxonomy = term.taxonomy
    return {
        **_compact(
            {
                "id": str(term.id),
                "code": term.code,
                "name": term.name,
                "parent_id": str(term.parent_id) if term.parent_id else None,
                "taxonomy": taxonomy.name if taxonomy else None,
                "taxonomy_id": str(taxonomy.id) if taxonomy else None,
                "language": term.language,
                "term_uri": term.term_uri,
            }
        ),
        "description": term.description,
        **({"taxonomy_detail": taxonomy_data(taxonomy)} if taxonomy else {}),
    }


def _attribute(link_id: uuid.UUID, link_entity: str, term: TaxonomyTerm, value: str = "") -> dict[str, Any]:
    return _compact(
        {
            "id": _sub_id(link_id, f"attribute/{term.id}"),
            "link_id": str(link_id),
            "link_type": link_entity,
            "link_entity": link_entity,
            "taxonomy_term_id": str(term.id),
            "taxonomy_term": term_data(term),
            "value": value,
        }
    )


def _phones(owner_id: uuid.UUID, number: str, owner_field: str) -> list[dict[str, Any]]:
    if not number:
        return []
    return [{"id": _sub_id(owner_id, "phone"), owner_field: str(owner_id), "number": number, "type": "voice"}]


def _schedules(owner_id: uuid.UUID, text: str, owner_field: str) -> list[dict[str, Any]]:
    # Opening hours are free text in the directory: an HSDS schedule carries them as its description.
    if not text:
        return []
    return [{"id": _sub_id(owner_id, "schedule"), owner_field: str(owner_id), "description": text}]


def organization_list_data(institution: Institution) -> dict[str, Any]:
    return {
        **_compact(
            {
                "id": str(institution.id),
                "name": institution.name,
                "alternate_name": institution.short_name,
                "email": institution.email,
                "website": institution.website,
            }
        ),
        "description": institution.description,
    }


def _address(owner_id: uuid.UUID, street: str, postal_code: str, city: str, voivodeship: str) -> list[dict[str, Any]]:
    if not (street or city):
        return []
    return [
        {
            "id": _sub_id(owner_id, "address"),
            "location_id": str(owner_id),
            "address_1": street,
            "city": city,
            "state_province": voivodeship,
            "postal_code": postal_code,
            "country": "PL",
            "address_type": "physical",
        }
    ]


def location_list_data(location: Location) -> dict[str, Any]:
    return _compact(
        {
            "id": str(location.id),
            "location_type": "physical",
            "organization_id": str(location.institution_id),
            "name": location.name,
            "description": location.description,
            "latitude": float(location.latitude) if location.latitude is not None else None,
            "longitude": float(location.longitude) if location.longitude is not None else None,
        }
    )


def location_data(location: Location, voivodeship_name: str) -> dict[str, Any]:
    """A location with its address, accessibility and opening hours (needs location.gmina.voivodeship loaded)."""
    if location.gmina is not None:
        voivodeship_name = location.gmina.voivodeship.name
    accessibility = (
        [{"id": _sub_id(location.id, "accessibility"), "location_id": str(location.id), "description": text}]
        if (text := location.accessibility)
        else []
    )
    return {
        **location_list_data(location),
        **_compact(
            {
                "addresses": _address(
                    location.id, location.street, location.postal_code, location.city, voivodeship_name
                ),
                "accessibility": accessibility,
                "schedules": _schedules(location.id, location.opening_hours, "location_id"),
            }
        ),
    }


def seat_location_data(institution: Institution) -> dict[str, Any] | None:
    """The institution's own address and opening hours, as an HSDS location (needs institution.voivodeship)."""
    if not (institution.street or institution.city or institution.opening_hours):
        return None
    seat_id = uuid.UUID(seat_location_id(institution.id))
    return _compact(
        {
            "id": str(seat_id),
            "location_type": "physical",
            "organization_id": str(institution.id),
            "name": institution.name,
            "addresses": _address(
                seat_id, institution.street, institution.postal_code, institution.city, institution.voivodeship.name
            ),
            "schedules": _schedules(seat_id, institution.opening_hours, "location_id"),
        }
    )


def organization_data(
    institution: Institution,
    *,
    sector_terms: dict[str, TaxonomyTerm],
    locations: Iterable[Location] | None = None,
    services: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An organization with phones, identifiers (REGON), sector attribute and, when given, locations and services."""
    identifiers = (
        [
            {
                "id": _sub_id(institution.id, "regon"),
                "organization_id": str(institution.id),
                "identifier_scheme": "PL-REGON",
                "identifier_type": "REGON",
                "identifier": institution.regon,
            }
        ]
        if institution.regon
        else []
    )
    sector_term = sector_terms.get(institution.sector)
    data = {
        **organization_list_data(institution),
        **_compact(
            {
                "phones": _phones(institution.id, institution.phone, "organization_id"),
                "organization_identifiers": identifiers,
                "attributes": [_attribute(institution.id, "organization", sector_term)] if sector_term else [],
            }
        ),
    }
    if locations is not None:
        seat = seat_location_data(institution)
        data["locations"] = ([seat] if seat else []) + [
            location_data(location, institution.voivodeship.name) for location in locations
        ]
    if services is not None:
        data["services"] = services
    return data


def service_list_data(service: Service) -> dict[str, Any]:
    """The one-to-one fields of a service and its organization (needs service.institution loaded)."""
    waiting = service.capacity_status == CapacityStatus.WAITLIST and service.expected_wait_days is not None
    wait = f"P{service.expected_wait_days}D" if waiting else None  # an ISO 8601 duration: language-neutral
    return _compact(
        {
            "id": str(service.id),
            "organization_id": str(service.institution_id),
            "name": service.name,
            "alternate_name": service.alternate_name,
            "description": service.description,
            "url": service.url,
            "email": service.email,
            "status": service.status,
            "application_process": service.application_process,
            "fees_description": service.fees_description,
            "wait_time": wait,
            "eligibility_description": service.eligibility_description,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "last_modified": _iso(service.modified_at),
            "organization": organization_list_data(service.institution),
        }
    )


def _language_name(code: str) -> str:
    info = LANG_INFO.get(code.lower(), {})
    return str(info.get("name_local") or info.get("name") or code)


def service_data(
    service: Service,
    *,
    capacity_terms: dict[str, TaxonomyTerm],
    sector_terms: dict[str, TaxonomyTerm],
    with_locations: bool = True,
) -> dict[str, Any]:
    """A fully nested service (needs the prefetches of `_service_detail_queryset`)."""
    institution = service.institution
    attributes = [_attribute(service.id, "service", term) for term in service.terms.all()]
    capacity_term = capacity_terms.get(service.capacity_status)
    if capacity_term is not None:
        confirmed = service.capacity_confirmed_at
        value = timezone.localtime(confirmed).date().isoformat() if confirmed else ""
        attributes.append(_attribute(service.id, "service", capacity_term, value))
    cost = {
        "id": _sub_id(service.id, "cost"),
        "service_id": str(service.id),
        "option": "free of charge" if service.is_free else "fee",
        "currency": "PLN",
        "amount": 0 if service.is_free else None,
        "amount_description": service.fees_description,
    }
    data = {
        **service_list_data(service),
        **_compact(
            {
                "organization": organization_data(institution, sector_terms=sector_terms),
                "phones": _phones(service.id, service.phone, "service_id"),
                "service_areas": [
                    {
                        "id": _sub_id(service.id, f"area/{gmina.code}"),
                        "service_id": str(service.id),
                        "name": gmina.name,
                        "description": f"TERYT {gmina.code}",
                        "extent_type": "text",
                        "extent": gmina.code,
                    }
                    for gmina in service.eligible_gminy.all()
                ],
                "languages": [
                    {
                        "id": _sub_id(service.id, f"language/{code}"),
                        "service_id": str(service.id),
                        "code": code,
                        "name": _language_name(code),
                    }
                    for code in service.language_list
                ],
                "cost_options": [_compact(cost)],
                "attributes": attributes,
            }
        ),
    }
    if with_locations:
        data["service_at_locations"] = [
            _compact(
                {
                    "id": str(link.id),
                    "service_id": str(service.id),
                    "location_id": str(link.location_id),
                    "description": link.description,
                    "location": location_data(link.location, institution.voivodeship.name),
                }
            )
            for link in service.service_at_locations.all()  # type: ignore[attr-defined]
        ]
    return data


def service_at_location_list_data(link: ServiceAtLocation) -> dict[str, Any]:
    return _compact(
        {
            "id": str(link.id),
            "service_id": str(link.service_id),
            "location_id": str(link.location_id),
            "description": link.description,
            "location": location_list_data(link.location),
            "service": service_list_data(link.service),
        }
    )


# --- queries --------------------------------------------------------------------------------------------------------


def _terms_of(taxonomy_code: str) -> dict[str, TaxonomyTerm]:
    terms = TaxonomyTerm.objects.filter(taxonomy__code=taxonomy_code).select_related("taxonomy")
    return {term.code: term for term in terms}


def _inactive_institutions() -> QuerySet[Institution, Any]:
    # `NOT IN (inactive ids)`: inactive institutions are few, so this stays a cheap hashed check on the services
    # table, where `institution__is_active=True` would join every service to its institution just to count.
    return Institution.objects.filter(is_active=False).values("pk")


def _published_count(request: HttpRequest, filtered: QuerySet[Service]) -> int:
    """How many of the filtered services are published: all of them minus those of inactive institutions.

    Two indexed counts (an index-only scan, and the partial index of inactive institutions) instead of `NOT IN`,
    which tests each of 100,000 rows against the list of inactive institutions.
    """
    filtered = filtered.order_by()
    return _matching_count(request, filtered) - filtered.filter(institution_id__in=_inactive_institutions()).count()


def _matching_count(request: HttpRequest, filtered: QuerySet[Service]) -> int:
    """COUNT of the filtered services. With `taxonomy_term_id` as the only filter, count that term's rows of the
    service–term table instead: the same number (a service is tagged once with a term, and the foreign key keeps
    every row's service), read from one index rather than joined with every service — 44,000 of 100,000 for a
    common domain of the CUS act."""
    term_id = _uuid_param(request, "taxonomy_term_id")
    other_filters = ("search", "taxonomy_id", "organization_id", "modified_after")
    if term_id is not None and not any(request.GET.get(name) for name in other_filters):
        return Service.terms.through.objects.filter(taxonomyterm_id=term_id).count()
    return filtered.count()


def published_services() -> QuerySet[Service]:
    """Services of active institutions: what the API publishes."""
    return Service.objects.exclude(institution_id__in=_inactive_institutions())


def _location_queryset() -> QuerySet[Location]:
    return Location.objects.select_related("gmina__voivodeship")


def _service_detail_queryset() -> QuerySet[Service]:
    return (
        published_services()
        .select_related("institution__voivodeship")
        .prefetch_related(
            Prefetch("terms", queryset=TaxonomyTerm.objects.select_related("taxonomy").order_by("sort_order", "name")),
            Prefetch("eligible_gminy"),
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location__gmina__voivodeship").order_by(
                    "location__name", "id"
                ),
            ),
        )
    )


def _service_filters(request: HttpRequest, queryset: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    """search, taxonomy_term_id, taxonomy_id, organization_id, modified_after — on services or through `prefix`."""
    search = _search_q(request, f"{prefix}search_text")
    if search is not None:
        queryset = queryset.filter(search)
    through = Service.terms.through.objects
    service_pk = f"{prefix}pk" if prefix else "pk"
    if (term_id := _uuid_param(request, "taxonomy_term_id")) is not None:
        queryset = queryset.filter(
            **{f"{service_pk}__in": through.filter(taxonomyterm_id=term_id).values("service_id")}
        )
    if (taxonomy_id := _uuid_param(request, "taxonomy_id")) is not None:
        queryset = queryset.filter(
            **{f"{service_pk}__in": through.filter(taxonomyterm__taxonomy_id=taxonomy_id).values("service_id")}
        )
    if (organization_id := _uuid_param(request, "organization_id")) is not None:
        queryset = queryset.filter(**{f"{prefix}institution_id": organization_id})
    return queryset


# --- views ----------------------------------------------------------------------------------------------------------


@hsds_view
def root(request: HttpRequest) -> dict[str, Any]:
    return {
        "version": HSDS_VERSION,
        "profile": HSDS_PROFILE,
        "openapi_url": HSDS_OPENAPI_URL,
    }


@hsds_view
def service_list(request: HttpRequest) -> dict[str, Any]:
    _refuse_unsupported(request, "minimal")
    full = _bool_param(request, "full")
    filtered = _service_filters(request, Service.objects.all())
    if (modified_after := _datetime_param(request, "modified_after")) is not None:
        filtered = filtered.filter(modified_at__gte=modified_after)
    base = filtered.exclude(institution_id__in=_inactive_institutions())
    total = _published_count(request, filtered)
    if full:
        capacity_terms, sector_terms = _terms_of(CAPACITY_TAXONOMY), _terms_of(SECTORS_TAXONOMY)
        rows = _service_detail_queryset().filter(pk__in=base.values("pk")).order_by("name", "id")
        return _page(
            request,
            None,
            _IdsFirst(rows),
            lambda s: service_data(s, capacity_terms=capacity_terms, sector_terms=sector_terms),
            total=total,
        )
    rows = base.select_related("institution").order_by("name", "id")
    return _page(request, None, _IdsFirst(rows), service_list_data, total=total)


@hsds_view
def service_detail(request: HttpRequest, pk: str) -> dict[str, Any]:
    service = _service_detail_queryset().filter(pk=_detail_id(pk)).first()
    if service is None:
        raise NotFound
    return service_data(service, capacity_terms=_terms_of(CAPACITY_TAXONOMY), sector_terms=_terms_of(SECTORS_TAXONOMY))


def _organizations() -> QuerySet[Institution]:
    return Institution.objects.filter(is_active=True)


@hsds_view
def organization_list(request: HttpRequest) -> dict[str, Any]:
    full = _bool_param(request, "full")
    full_service = _bool_param(request, "full_service")
    base = _organizations()
    if (search := _search_q(request)) is not None:
        base = base.filter(search)
    if full or full_service:
        sector_terms = _terms_of(SECTORS_TAXONOMY)
        capacity_terms = _terms_of(CAPACITY_TAXONOMY) if full_service else {}
        rows = _organization_detail_queryset(full_service).filter(pk__in=base.values("pk")).order_by("name", "id")
        return _page(
            request,
            base,
            rows,
            lambda i: _organization_full(
                i, sector_terms=sector_terms, capacity_terms=capacity_terms, full_service=full_service
            ),
        )
    return _page(request, base, base.order_by("name", "id"), organization_list_data)


def _organization_detail_queryset(full_service: bool) -> QuerySet[Institution]:
    services = published_services().order_by("name", "id")
    if full_service:
        services = _service_detail_queryset().order_by("name", "id")
    else:
        services = services.select_related("institution")
    return (
        _organizations()
        .select_related("voivodeship")
        .prefetch_related(
            Prefetch("locations", queryset=_location_queryset().order_by("name", "id")),
            Prefetch("services", queryset=services),
        )
    )


def _organization_full(
    institution: Institution,
    *,
    sector_terms: dict[str, TaxonomyTerm],
    capacity_terms: dict[str, TaxonomyTerm],
    full_service: bool,
) -> dict[str, Any]:
    services = institution.services.all()  # type: ignore[attr-defined]
    if full_service:
        service_dicts = [service_data(s, capacity_terms=capacity_terms, sector_terms=sector_terms) for s in services]
    else:
        service_dicts = [service_list_data(s) for s in services]
    return organization_data(
        institution,
        sector_terms=sector_terms,
        locations=institution.locations.all(),  # type: ignore[attr-defined]
        services=service_dicts,
    )


@hsds_view
def organization_detail(request: HttpRequest, pk: str) -> dict[str, Any]:
    full_service = _bool_param(request, "full_service")
    institution = _organization_detail_queryset(full_service).filter(pk=_detail_id(pk)).first()
    if institution is None:
        raise NotFound
    return _organization_full(
        institution,
        sector_terms=_terms_of(SECTORS_TAXONOMY),
        capacity_terms=_terms_of(CAPACITY_TAXONOMY) if full_service else {},
        full_service=full_service,
    )


def _published_links() -> QuerySet[ServiceAtLocation]:
    return ServiceAtLocation.objects.exclude(service__institution_id__in=_inactive_institutions())


@hsds_view
def service_at_location_list(request: HttpRequest) -> dict[str, Any]:
    _refuse_unsupported(request, "postcode", "proximity")
    full = _bool_param(request, "full")
    base = _service_filters(request, _published_links(), prefix="service__")
    if (modified_after := _datetime_param(request, "modified_after")) is not None:
        base = base.filter(
            Q(modified_at__gte=modified_after)
            | Q(service__modified_at__gte=modified_after)
            | Q(location__modified_at__gte=modified_after)
        )
    if full:
        capacity_terms, sector_terms = _terms_of(CAPACITY_TAXONOMY), _terms_of(SECTORS_TAXONOMY)
        rows = _link_detail_queryset().filter(pk__in=base.values("pk")).order_by("id")
        return _page(request, base, rows, lambda link: _link_full(link, capacity_terms, sector_terms))
    rows = base.select_related("service__institution", "location").order_by("id")
    return _page(request, base, rows, service_at_location_list_data)


def _link_detail_queryset() -> QuerySet[ServiceAtLocation]:
    return (
        _published_links()
        .select_related("location__gmina__voivodeship")
        .prefetch_related(Prefetch("service", queryset=_service_detail_queryset()))
    )


def _link_full(
    link: ServiceAtLocation, capacity_terms: dict[str, TaxonomyTerm], sector_terms: dict[str, TaxonomyTerm]
) -> dict[str, Any]:
    service = link.service
    return _compact(
        {
            "id": str(link.id),
            "service_id": str(link.service_id),
            "location_id": str(link.location_id),
            "description": link.description,
            "location": location_data(link.location, service.institution.voivodeship.name),
            "service": service_data(
                service, capacity_terms=capacity_terms, sector_terms=sector_terms, with_locations=False
            ),
        }
    )


@hsds_view
def service_at_location_detail(request: HttpRequest, pk: str) -> dict[str, Any]:
    link = _link_detail_queryset().filter(pk=_detail_id(pk)).first()
    if link is None:
        raise NotFound
    return _link_full(link, _terms_of(CAPACITY_TAXONOMY), _terms_of(SECTORS_TAXONOMY))


@hsds_view
def taxonomy_list(request: HttpRequest) -> dict[str, Any]:
    # Taxonomies are a handful of rows: matched in Python with the same normalisation as the indexed searches.
    words = normalise(request.GET.get("search", "")).split()
    taxonomies = [
        taxonomy
        for taxonomy in Taxonomy.objects.order_by("name", "id")
        if all(word in normalise(f"{taxonomy.code} {taxonomy.name} {taxonomy.description}") for word in words)
    ]
    return _page(request, None, taxonomies, taxonomy_data)


@hsds_view
def taxonomy_detail(request: HttpRequest, pk: str) -> dict[str, Any]:
    taxonomy = Taxonomy.objects.filter(pk=_detail_id(pk)).first()
    if taxonomy is None:
        raise NotFound
    return taxonomy_data(taxonomy)


@hsds_view
def taxonomy_term_list(request: HttpRequest) -> dict[str, Any]:
    base = TaxonomyTerm.objects.all()
    if (search := _search_q(request)) is not None:
        base = base.filter(search)
    if (taxonomy_id := _uuid_param(request, "taxonomy_id")) is not None:
        base = base.filter(taxonomy_id=taxonomy_id)
    if (parent_id := _uuid_param(request, "parent_id")) is not None:
        base = base.filter(parent_id=parent_id)
    if _bool_param(request, "top_only"):
        base = base.filter(parent__isnull=True)
    rows = base.select_related("taxonomy").order_by("taxonomy__name", "taxonomy_id", "sort_order", "name", "id")
    return _page(request, base, rows, term_data)


@hsds_view
def taxonomy_term_detail(request: HttpRequest, pk: str) -> dict[str, Any]:
    term = TaxonomyTerm.objects.select_related("taxonomy").filter(pk=_detail_id(pk)).first()
    if term is None:
        raise NotFound
    return term_data(term)


@hsds_view
def not_found(request: HttpRequest, rest: str = "") -> dict[str, Any]:
    raise NotFound
