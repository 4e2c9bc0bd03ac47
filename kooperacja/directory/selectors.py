"""Reads of the directory. The directory is public; each page costs a constant number of queries."""

from __future__ import annotations

import datetime
import math
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from kooperacja.directory.models import (
    CapacityStatus,
    CooperationAgreement,
    Institution,
    Location,
    Partnership,
    PartnershipMember,
    Representative,
    Sector,
    Service,
    TaxonomyTerm,
    address_line_of,
)
from kooperacja.directory.text import normalise
from kooperacja.territory.models import County, Gmina, voivodeship_display_name

DOMAINS_TAXONOMY = "cus-domains"
SECTORS_TAXONOMY = "sectors"
PAGE_SIZE = 25
# Counting every match of a broad query over a national directory costs a full scan; past this many matches the
# page says "more than …" and the user narrows the search. Keeps each search within its latency budget.
COUNT_CAP = 1000
# A text search matching at most this many services is read through the trigram index and sorted (see _service_order).
SELECTIVE_SEARCH_CAP = 5000


def domain_terms() -> QuerySet[TaxonomyTerm]:
    """The 14 social-service domains (art. 2 of the CUS act), in their order."""
    return TaxonomyTerm.objects.filter(taxonomy__code=DOMAINS_TAXONOMY).order_by("sort_order", "name")


def sector_terms() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.filter(taxonomy__code=SECTORS_TAXONOMY).order_by("sort_order", "name")


def _terms_prefetch() -> Prefetch:
    return Prefetch("terms", queryset=TaxonomyTerm.objects.select_related("taxonomy").order_by("sort_order", "name"))


def resolve_gminy(value: str | int | None) -> list[Gmina]:
    """Gminy named by a TERYT code (7 digits), a database id, or a name (all gminy of that name)."""
    if value is None or str(value).strip() == "":
        return []
    text = str(value).strip()
    queryset = Gmina.objects.select_related("county", "voivodeship")
    if text.isdigit():
        if len(text) == 7:
            return list(queryset.filter(code=text))
        return list(queryset.filter(pk=int(text)))
    return list(queryset.filter(name__iexact=text).order_by("code")[:20])


def _serving_gminy_q(gminy: list[Gmina], prefix: str = "") -> Q:
    """Institutions of these gminy, plus county-level and voivodeship-level institutions serving them."""
    gmina_ids = [g.pk for g in gminy]
    county_ids = {g.county_id for g in gminy}
    voivodeship_ids = {g.voivodeship_id for g in gminy}
    return (
        Q(**{f"{prefix}gmina_id__in": gmina_ids})
        | Q(**{f"{prefix}gmina__isnull": True, f"{prefix}county_id__in": county_ids})
        | Q(
            **{
                f"{prefix}gmina__isnull": True,
                f"{prefix}county__isnull": True,
                f"{prefix}voivodeship_id__in": voivodeship_ids,
            }
        )
    )


def _text_q(q: str) -> Q | None:
    words = normalise(q).split()
    if not words:
        return None
    condition = Q()
    for word in words[:8]:
        condition &= Q(search_text__contains=word)
    return condition


@dataclass
class SearchPage:
    """One page of search results: institutions and services share the page number."""

    institutions: list[InstitutionResult]
    services: list[ServiceResult]
    institution_count: int
    service_count: int
    page: int
    num_pages: int
    gminy: list[Gmina] = field(default_factory=list)
    unknown_gmina: bool = False
    services_only: bool = False
    institution_count_capped: bool = False
    service_count_capped: bool = False

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def page_range(self) -> list[int]:
        start = max(1, self.page - 3)
        end = min(self.num_pages, self.page + 3)
        return list(range(start, end + 1))


def directory_search(
    *,
    q: str = "",
    sector: str = "",
    domain: str = "",
    gmina: str | int | None = None,
    capacity: str = "",
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> SearchPage:
    """Institutions and services matching text (no case, no diacritics) and the filters, one page of each.

    Queries: the gmina lookup (if given); for each list one read of its capped count with, when it has few matches,
    its page's ids, then one read of the page's rows; one read of their terms — whatever the data size or page number.
    A domain or capacity filter concerns services: with one of them, no institutions are listed.
    """
    institutions = Institution.objects.filter(is_active=True)
    # `NOT IN (inactive institutions)` (a few rows, read from their partial index) rather than
    # `institution__is_active=True`: counting the matches of a text search then reads no institution at all, where the
    # join hashed every institution of the country (PostgreSQL, q=poradnia: count 54 → 19 ms).
    services = Service.objects.exclude(institution_id__in=Institution.objects.filter(is_active=False).values("pk"))

    text = _text_q(q)
    if text is not None:
        institutions = institutions.filter(text)
        services = services.filter(text)
    if sector in Sector.values:
        institutions = institutions.filter(sector=sector)
        services = services.filter(institution__sector=sector)
    gminy: list[Gmina] = []
    unknown_gmina = False
    if gmina not in (None, ""):
        gminy = resolve_gminy(gmina)
        if gminy:
            institutions = institutions.filter(_serving_gminy_q(gminy))
            services = services.filter(_serving_gminy_q(gminy, prefix="institution__"))
        else:
            unknown_gmina = True
            institutions = institutions.none()
            services = services.none()
    service_only = False
    if domain:
        service_only = True
        try:
            term_id = _as_uuid(domain)
        except ValueError:
            term_id = ""
        # The term must be a domain; checked on its own (one probe by primary key) so that the filter below stays a
        # probe of the (term, service) index: joined to the taxonomy inside EXISTS, the planner misjudged how many
        # services a domain has and hashed all of them.
        if term_id and TaxonomyTerm.objects.filter(pk=term_id, taxonomy__code=DOMAINS_TAXONOMY).exists():
            # EXISTS rather than a join: the page can then walk the (name, id) index and stop after one page,
            # instead of joining and sorting every service of a domain (a quarter of the country's services).
            tagged = Service.terms.through.objects.filter(service_id=OuterRef("pk"), taxonomyterm_id=term_id)
            services = services.filter(Exists(tagged))
        else:
            services = services.none()
    if capacity in CapacityStatus.values:
        services = services.filter(capacity_status=capacity)
        service_only = True
    if service_only:
        # Domain and capacity describe services: only services are listed then. (Finding "institutions with such a
        # service" would join every service of the country for one page; the institution page lists its services.)
        institutions = institutions.none()

    # With a text search, count further: up to SELECTIVE_SEARCH_CAP matches the page is read through the trigram index.
    cap = max(COUNT_CAP, SELECTIVE_SEARCH_CAP) if text is not None else COUNT_CAP
    selective_cap = SELECTIVE_SEARCH_CAP if text is not None else COUNT_CAP
    page = max(1, page)
    offset = (page - 1) * per_page
    institution_matches, institution_ids = _count_and_page(institutions, cap, text=text, offset=offset, limit=per_page)
    service_matches, service_ids = _count_and_page(services, cap, text=text, offset=offset, limit=per_page)
    institution_count = min(institution_matches, COUNT_CAP)
    service_count = min(service_matches, COUNT_CAP)
    num_pages = max(1, math.ceil(max(institution_count, service_count) / per_page))
    if page > num_pages:
        # Past the last page (a hand-edited URL): the last page instead, read again.
        page = num_pages
        offset = (page - 1) * per_page
        institution_matches, institution_ids = _count_and_page(
            institutions, cap, text=text, offset=offset, limit=per_page
        )
        service_matches, service_ids = _count_and_page(services, cap, text=text, offset=offset, limit=per_page)
    # The page's rows are read by id (known, or chosen in a subquery) from the bare table: the filters are not
    # applied a second time to the 25 rows.
    institution_rows = _institution_results(
        institutions,
        institution_ids if institution_matches <= selective_cap else None,
        offset=offset,
        limit=per_page,
    )
    service_rows = _service_results(
        services,
        service_ids if service_matches <= selective_cap else None,
        offset=offset,
        limit=per_page,
    )
    return SearchPage(
        institutions=institution_rows,
        services=service_rows,
        institution_count=institution_count,
        service_count=service_count,
        page=page,
        num_pages=num_pages,
        gminy=gminy,
        unknown_gmina=unknown_gmina,
        services_only=service_only,
        institution_count_capped=institution_matches > COUNT_CAP,
        service_count_capped=service_matches > COUNT_CAP,
    )


@dataclass(frozen=True, slots=True)
class InstitutionResult:
    """An institution as a list of results shows it (search.html). Read as plain values, not as a model: a page of
    results built 100 model instances (institutions and their territory) for the few columns it shows."""

    pk: uuid.UUID
    name: str
    sector: str
    kind: str
    street: str
    postal_code: str
    city: str
    gmina_name: str | None
    county_name: str | None
    voivodeship_name: str

    @property
    def address_line(self) -> str:
        return address_line_of(self.street, self.postal_code, self.city)

    @property
    def voivodeship_display_name(self) -> str:
        return voivodeship_display_name(self.voivodeship_name)


@dataclass(frozen=True, slots=True)
class TermLabel:
    """A taxonomy term's names, for `term_label` (the name in the current language)."""

    name: str
    name_en: str


@dataclass(frozen=True, slots=True)
class ServiceResult:
    """A service as a list of results shows it (search.html, directory/_capacity.html), read as plain values."""

    pk: uuid.UUID
    name: str
    capacity_status: str
    expected_wait_days: int | None
    capacity_confirmed_at: datetime.datetime | None
    institution_name: str
    gmina_name: str | None
    terms: list[TermLabel]


# The columns read for a page of results, in the order of the result's fields.
_INSTITUTION_RESULT_COLUMNS = (
    "pk",
    "name",
    "sector",
    "kind",
    "street",
    "postal_code",
    "city",
    "gmina__name",
    "county__name",
    "voivodeship__name",
)
_SERVICE_RESULT_COLUMNS = (
    "pk",
    "name",
    "capacity_status",
    "expected_wait_days",
    "capacity_confirmed_at",
    "institution__name",
    "institution__gmina__name",
)


def _page_values(
    matches: QuerySet[Any], columns: tuple[str, ...], ids: list[uuid.UUID] | None, *, offset: int, limit: int
) -> list[tuple[Any, ...]]:
    """The `columns` of one page of `matches` in (name, id) order. With the page's ids known (a selective search), the
    rows of those ids; otherwise the ids are chosen in a subquery that walks the (name, id) index of `matches`, and only
    the page's rows are then joined to their institution and territory (page 40 no longer joins the 975 rows it
    skips)."""
    if matches.query.is_empty():
        return []
    table = matches.model._default_manager.all()
    if ids is not None:
        if not ids:
            return []
        by_id = {row[0]: row for row in table.filter(pk__in=ids).order_by().values_list(*columns)}
        return [by_id[pk] for pk in ids if pk in by_id]
    page_ids = matches.order_by("name", "id").values("pk")[offset : offset + limit]
    return list(table.filter(pk__in=page_ids).order_by("name", "id").values_list(*columns))


def _institution_results(
    matches: QuerySet[Institution], ids: list[uuid.UUID] | None, *, offset: int, limit: int
) -> list[InstitutionResult]:
    rows = _page_values(matches, _INSTITUTION_RESULT_COLUMNS, ids, offset=offset, limit=limit)
    return [InstitutionResult(*row) for row in rows]


def _service_results(
    matches: QuerySet[Service], ids: list[uuid.UUID] | None, *, offset: int, limit: int
) -> list[ServiceResult]:
    """One page of services with their terms (in their order): two queries, whatever the page."""
    rows = _page_values(matches, _SERVICE_RESULT_COLUMNS, ids, offset=offset, limit=limit)
    if not rows:
        return []
    terms: dict[uuid.UUID, list[TermLabel]] = {row[0]: [] for row in rows}
    tags = (
        Service.terms.through.objects.filter(service_id__in=list(terms))
        .order_by("taxonomyterm__sort_order", "taxonomyterm__name")
        .values_list("service_id", "taxonomyterm__name", "taxonomyterm__name_en")
    )
    for service_id, name, name_en in tags:
        terms[service_id].append(TermLabel(name, name_en))
    return [
        ServiceResult(pk, name, status, wait_days, confirmed_at, institution_name, gmina_name, terms[pk])
        for pk, name, status, wait_days, confirmed_at, institution_name, gmina_name in rows
    ]


def _count_and_page(
    queryset: QuerySet[Any], cap: int, *, text: Q | None, offset: int, limit: int
) -> tuple[int, list[uuid.UUID] | None]:
    """The number of matching rows (at most cap + 1) and, for a text search, the ids of one page of them in (name, id)
    order, in one read of the matches: a text search finds them through the trigram index once, where a count and
    then a page read each fetched every match from the table (PostgreSQL, 4,800 matches: 12 + 24 ms → 19 ms). The ids
    are only meaningful when there are at most `cap` matches (the page then sorts all of them); past that the caller
    reads the page by walking the name index, which stops after one page. Without a text search, a plain capped count
    (an index-only scan where it can) and no ids: the page is chosen by walking the name index (see _page_values).
    Portable SQL (PostgreSQL and SQLite): the CTE is read twice, so PostgreSQL materialises it once."""
    if text is None:
        return queryset.order_by()[: cap + 1].count(), None
    if queryset.query.is_empty():
        return 0, []
    matches = queryset.order_by().values_list("pk", "name")[: cap + 1]
    sql, params = matches.query.sql_with_params()
    # `sql` is Django's compiled query with its parameters kept apart; nothing from the request is formatted in.
    statement = (
        f"WITH m (id, name) AS ({sql}) "  # noqa: S608
        "SELECT t.n, p.id FROM (SELECT COUNT(*) AS n FROM m) t "
        "LEFT JOIN (SELECT id, name FROM m ORDER BY name, id LIMIT %s OFFSET %s) p ON 1 = 1 "
        "ORDER BY p.name, p.id"
    )
    to_uuid = queryset.model._meta.pk.to_python  # type: ignore[union-attr]
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(statement, [*params, limit, offset])
        rows = cursor.fetchall()
    count = rows[0][0] if rows else 0
    return count, [to_uuid(pk) for _, pk in rows if pk is not None]


def _as_uuid(value: str) -> str:
    return str(uuid.UUID(str(value)))


# --- lists for the JSON API -----------------------------------------------------------------------------------------


def institution_list(
    *, q: str = "", sector: str = "", gmina: str | int | None = None, kind: str = ""
) -> QuerySet[Institution]:
    """Institutions matching the filters, ordered by name, with their territory loaded."""
    queryset = Institution.objects.filter(is_active=True).select_related("gmina", "county", "voivodeship")
    text = _text_q(q)
    if text is not None:
        queryset = queryset.filter(text)
    if sector:
        queryset = queryset.filter(sector=sector)
    if kind:
        queryset = queryset.filter(kind=kind)
    if gmina not in (None, ""):
        gminy = resolve_gminy(gmina)
        queryset = queryset.filter(_serving_gminy_q(gminy)) if gminy else queryset.none()
    return queryset.order_by("name", "id")


def service_list(*, q: str = "", domain: str = "", capacity: str = "", institution: str = "") -> QuerySet[Service]:
    """Services matching the filters, ordered by name, with their institution and terms loaded."""
    queryset = (
        Service.objects.filter(institution__is_active=True)
        .select_related("institution")
        .prefetch_related(_terms_prefetch(), "eligible_gminy")
    )
    text = _text_q(q)
    if text is not None:
        queryset = queryset.filter(text)
    if domain:
        try:
            queryset = queryset.filter(terms__id=_as_uuid(domain))
        except ValueError:
            return queryset.none()
    if capacity:
        queryset = queryset.filter(capacity_status=capacity)
    if institution:
        try:
            queryset = queryset.filter(institution_id=_as_uuid(institution))
        except ValueError:
            return queryset.none()
    return queryset.order_by("name", "id")


# --- detail pages ---------------------------------------------------------------------------------------------------


@dataclass
class InstitutionPage:
    institution: Institution
    services: list[Service]
    locations: list[Location]
    memberships: list[PartnershipMember]


def institution_page(*, institution: Institution) -> InstitutionPage:
    """What the institution page shows: four queries whatever the number of services or locations."""
    services = list(
        institution.services.all()  # type: ignore[attr-defined]
        .prefetch_related(_terms_prefetch())
        .order_by("name", "id")
    )
    locations = list(institution.locations.select_related("gmina").order_by("name", "id"))  # type: ignore[attr-defined]
    today = timezone.localdate()
    memberships = list(
        PartnershipMember.objects.filter(institution=institution)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
        .select_related("partnership", "partnership__gmina")
        .order_by("partnership__name")
    )
    return InstitutionPage(institution=institution, services=services, locations=locations, memberships=memberships)


def service_detail(*, service: Service) -> Service:
    """The service with its terms, gminy served and locations loaded (the accessor loaded its institution)."""
    return (
        Service.objects.select_related(
            "institution", "institution__gmina", "institution__county", "institution__voivodeship"
        )
        .prefetch_related(_terms_prefetch(), "eligible_gminy", "locations")
        .get(pk=service.pk)
    )


def partnership_list(*, gmina: str | int | None = None) -> QuerySet[Partnership]:
    queryset = Partnership.objects.select_related("gmina", "county", "lead_institution")
    if gmina not in (None, ""):
        gminy = resolve_gminy(gmina)
        queryset = queryset.filter(gmina__in=gminy)
    return queryset.order_by("name", "id")


@dataclass
class PartnershipPage:
    partnership: Partnership
    members: list[PartnershipMember]
    agreements: list[CooperationAgreement]
    show_internals: bool


def partnership_page(*, partnership: Partnership, show_internals: bool) -> PartnershipPage:
    """Members (with representatives only when `show_internals`) and agreements with their parties."""
    members = PartnershipMember.objects.filter(partnership=partnership).select_related("institution")
    if show_internals:
        members = members.prefetch_related(
            Prefetch("representatives", queryset=Representative.objects.order_by("full_name"))
        )
    agreements = CooperationAgreement.objects.filter(partnership=partnership).prefetch_related(
        Prefetch("parties", queryset=Institution.objects.order_by("name"))
    )
    return PartnershipPage(
        partnership=partnership,
        members=list(members.order_by("left_on", "institution__name")),
        agreements=list(agreements.order_by("-signed_on", "title")),
        show_internals=show_internals,
    )


def institutions_near(*, partnership: Partnership) -> QuerySet[Institution]:
    """Institutions that may join a partnership: those of its gmina's county, and voivodeship-level ones."""
    gmina = partnership.gmina
    county_id = partnership.county_id or gmina.county_id
    return (
        Institution.objects.filter(is_active=True)
        .filter(
            Q(gmina__county_id=county_id)
            | Q(gmina__isnull=True, county_id=county_id)
            | Q(gmina__isnull=True, county__isnull=True, voivodeship_id=gmina.voivodeship_id)
        )
        .order_by("name")
    )


def gminy_for_service_form(*, institution: Institution) -> QuerySet[Gmina]:
    """Gminy a service of this institution may serve: those of its county, else of its voivodeship."""
    county_id = institution.county_id or (institution.gmina.county_id if institution.gmina is not None else None)
    if county_id:
        return Gmina.objects.filter(county_id=county_id).order_by("name")
    return Gmina.objects.filter(voivodeship_id=institution.voivodeship_id).order_by("name")


def counties() -> QuerySet[County]:
    return County.objects.order_by("name")
