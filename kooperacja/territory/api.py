"""The territory in the JSON API (/api/v1/territory/): TERYT units, read-only, through the same selectors as the pages."""

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from kooperacja.core.pagination import PageNumberPagination
from kooperacja.territory import selectors
from kooperacja.territory.models import County, Gmina, GminaKind, Macroregion, Voivodeship

router = Router(tags=["territory"])

VOIVODESHIP_CODE = r"^\d{2}$"
COUNTY_CODE = r"^\d{4}$"
GMINA_CODE = r"^\d{7}$"


# --- schemas --------------------------------------------------------------------------------------------------------


class MacroregionOut(Schema):
    code: str
    name: str
    description: str
    voivodeships: list[str] = Field(..., description="TERYT codes of its voivodeships")

    @staticmethod
    def resolve_voivodeships(obj: Macroregion) -> list[str]:
        return sorted(v.code for v in obj.voivodeships.all())


class GminaCounts(Schema):
    total: int
    urban: int
    rural: int
    urban_rural: int


def _gmina_counts(obj: Voivodeship | County) -> dict[str, int]:
    return {
        "total": obj.gmina_count,  # type: ignore[union-attr]
        "urban": obj.urban_count,  # type: ignore[union-attr]
        "rural": obj.rural_count,  # type: ignore[union-attr]
        "urban_rural": obj.urban_rural_count,  # type: ignore[union-attr]
    }


class VoivodeshipOut(Schema):
    code: str
    name: str = Field(..., description="as GUS writes it (upper case)")
    display_name: str = Field(..., description="as running text writes it (lower case)")
    macroregion: str | None = Field(None, description="code of its macroregion")
    valid_on: datetime.date | None
    counties: int
    gminy: GminaCounts

    @staticmethod
    def resolve_macroregion(obj: Voivodeship) -> str | None:
        return obj.macroregion.code if obj.macroregion else None

    @staticmethod
    def resolve_counties(obj: Voivodeship) -> int:
        return obj.county_count  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_gminy(obj: Voivodeship) -> dict[str, int]:
        return _gmina_counts(obj)


class CountyOut(Schema):
    code: str
    name: str
    kind_label: str = Field(..., description="NAZWA_DOD: powiat or miasto na prawach powiatu")
    voivodeship: str
    valid_on: datetime.date | None
    gminy: GminaCounts

    @staticmethod
    def resolve_voivodeship(obj: County) -> str:
        return obj.voivodeship.code

    @staticmethod
    def resolve_gminy(obj: County) -> dict[str, int]:
        return _gmina_counts(obj)


class GminaOut(Schema):
    code: str
    name: str
    kind: GminaKind
    kind_display: str
    kind_label: str = Field(..., description="NAZWA_DOD as GUS gives it")
    county: str
    county_name: str
    voivodeship: str
    population: int | None
    valid_on: datetime.date | None

    @staticmethod
    def resolve_kind_display(obj: Gmina) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_county(obj: Gmina) -> str:
        return obj.county.code

    @staticmethod
    def resolve_county_name(obj: Gmina) -> str:
        return obj.county.name

    @staticmethod
    def resolve_voivodeship(obj: Gmina) -> str:
        return obj.voivodeship.code


class CountyFilters(Schema):
    voivodeship: str | None = Field(None, pattern=VOIVODESHIP_CODE, description="TERYT code of a voivodeship")


class GminaFilters(Schema):
    voivodeship: str | None = Field(None, pattern=VOIVODESHIP_CODE, description="TERYT code of a voivodeship")
    county: str | None = Field(None, pattern=COUNTY_CODE, description="TERYT code of a county")
    kind: GminaKind | None = None
    q: str = Field("", max_length=100, description="part of the name; case and Polish diacritics do not matter")


# --- endpoints ------------------------------------------------------------------------------------------------------


@router.get("/macroregions", response=list[MacroregionOut], summary="Macroregions and their voivodeships")
@paginate(PageNumberPagination)
def list_macroregions(request: HttpRequest) -> Any:
    return selectors.macroregion_list()


@router.get("/voivodeships", response=list[VoivodeshipOut], summary="Voivodeships")
@paginate(PageNumberPagination)
def list_voivodeships(request: HttpRequest) -> Any:
    return selectors.voivodeships_with_counts()


@router.get("/voivodeships/{code}", response=VoivodeshipOut, summary="One voivodeship")
def get_voivodeship(request: HttpRequest, code: str = Path(..., pattern=VOIVODESHIP_CODE)) -> Voivodeship:
    return selectors.voivodeship_by_code(code)


@router.get("/counties", response=list[CountyOut], summary="Counties (powiaty and cities with county rights)")
@paginate(PageNumberPagination)
def list_counties(request: HttpRequest, filters: Query[CountyFilters]) -> Any:
    return selectors.county_list(voivodeship=filters.voivodeship)


@router.get("/counties/{code}", response=CountyOut, summary="One county")
def get_county(request: HttpRequest, code: str = Path(..., pattern=COUNTY_CODE)) -> County:
    return selectors.county_detail(code)


@router.get("/gminy", response=list[GminaOut], summary="Gminy")
@paginate(PageNumberPagination)
def list_gminy(request: HttpRequest, filters: Query[GminaFilters]) -> Any:
    return selectors.gmina_list(
        voivodeship=filters.voivodeship,
        county=filters.county,
        kind=filters.kind.value if filters.kind else None,
        q=filters.q,
    )


@router.get("/gminy/{code}", response=GminaOut, summary="One gmina")
def get_gmina(request: HttpRequest, code: str = Path(..., pattern=GMINA_CODE)) -> Gmina:
    return selectors.gmina_by_code(code)
