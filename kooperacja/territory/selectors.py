"""Reads of the territory. TERYT units are public reference data: no actor scoping; constant queries per page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower, Replace
from django.http import Http404

from kooperacja.core.text import normalise
from kooperacja.territory.models import County, Gmina, GminaKind, Macroregion, Voivodeship

# Polish letters with diacritics and their base letters. The database folds names with exactly this table (SQLite's
# lower() knows only ASCII, so upper-case letters are mapped too); `normalise` does the same to the query text.
_POLISH_FOLD = {
    "ą": "a", "ć": "c", "ę": "e", "ł": "l", "ń": "n", "ó": "o", "ś": "s", "ź": "z", "ż": "z",
    "Ą": "a", "Ć": "c", "Ę": "e", "Ł": "l", "Ń": "n", "Ó": "o", "Ś": "s", "Ź": "z", "Ż": "z",
}  # fmt: skip

KIND_COUNT_FIELDS = {
    GminaKind.URBAN: "urban_count",
    GminaKind.RURAL: "rural_count",
    GminaKind.URBAN_RURAL: "urban_rural_count",
}


def folded_name() -> Lower:
    """A database expression: the unit's name folded like `normalise` (for the Polish letters names use)."""
    expression: F | Replace = F("name")
    for letter, base in _POLISH_FOLD.items():
        expression = Replace(expression, Value(letter), Value(base))
    return Lower(expression)


def _count_of(model: type[County] | type[Gmina], parent: str, **filters: object) -> Coalesce:
    """A correlated subquery counting `model` rows under the outer row (no join fan-out between levels)."""
    rows = (
        model.objects.filter(**{parent: OuterRef("pk")}, **filters)
        .order_by()
        .values(parent)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _gmina_counts(parent: str) -> dict[str, Coalesce]:
    counts = {"gmina_count": _count_of(Gmina, parent)}
    for kind, name in KIND_COUNT_FIELDS.items():
        counts[name] = _count_of(Gmina, parent, kind=kind)
    return counts


def voivodeships_with_counts() -> QuerySet[Voivodeship]:
    """Voivodeships with their macroregion and the numbers of counties and of gminy by kind, in one query."""
    return (
        Voivodeship.objects.select_related("macroregion")
        .annotate(county_count=_count_of(County, "voivodeship"), **_gmina_counts("voivodeship"))
        .order_by("code")
    )


@dataclass
class MacroregionGroup:
    """One macroregion (None: voivodeships in none) with its voivodeships and their totals."""

    macroregion: Macroregion | None
    voivodeships: list[Voivodeship] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(v, name) for v in self.voivodeships)

    @property
    def county_count(self) -> int:
        return self.total("county_count")

    @property
    def gmina_count(self) -> int:
        return self.total("gmina_count")

    @property
    def urban_count(self) -> int:
        return self.total("urban_count")

    @property
    def rural_count(self) -> int:
        return self.total("rural_count")

    @property
    def urban_rural_count(self) -> int:
        return self.total("urban_rural_count")


def territory_overview() -> list[MacroregionGroup]:
    """Macroregions (by name) with their voivodeships and counts, then the voivodeships in no macroregion. One query."""
    groups: dict[int | None, MacroregionGroup] = {}
    for voivodeship in voivodeships_with_counts():
        group = groups.setdefault(voivodeship.macroregion_id, MacroregionGroup(voivodeship.macroregion))
        group.voivodeships.append(voivodeship)
    unassigned = groups.pop(None, None)
    named = sorted(
        groups.values(), key=lambda g: (g.macroregion.name, g.macroregion.code) if g.macroregion else ("", "")
    )
    return named + ([unassigned] if unassigned else [])


def voivodeship_by_code(code: str) -> Voivodeship:
    """The voivodeship with its counts (404 if the code is unknown)."""
    voivodeship = voivodeships_with_counts().filter(code=code).first()
    if voivodeship is None:
        raise Http404
    return voivodeship


def counties_with_counts(*, voivodeship: Voivodeship) -> QuerySet[County]:
    """The counties of a voivodeship with the numbers of their gminy by kind, in one query."""
    return County.objects.filter(voivodeship=voivodeship).annotate(**_gmina_counts("county")).order_by("code")


def county_by_code(code: str) -> County:
    """The county with its voivodeship and macroregion (404 if the code is unknown)."""
    county = County.objects.select_related("voivodeship__macroregion").filter(code=code).first()
    if county is None:
        raise Http404
    return county


def gminy_of_county(*, county: County) -> QuerySet[Gmina]:
    return Gmina.objects.filter(county=county).order_by("code")


def gmina_by_code(code: str) -> Gmina:
    """The gmina with its county, voivodeship and macroregion (404 if the code is unknown)."""
    gmina = Gmina.objects.select_related("county__voivodeship", "voivodeship__macroregion").filter(code=code).first()
    if gmina is None:
        raise Http404
    return gmina


# --- lists for the API ----------------------------------------------------------------------------------------------


def macroregion_list() -> QuerySet[Macroregion]:
    return Macroregion.objects.prefetch_related("voivodeships").order_by("name", "code")


def county_list(*, voivodeship: str | None = None) -> QuerySet[County]:
    """Counties, optionally of one voivodeship (by TERYT code), with their gmina counts."""
    counties = County.objects.select_related("voivodeship").annotate(**_gmina_counts("county")).order_by("code")
    if voivodeship:
        counties = counties.filter(voivodeship__code=voivodeship)
    return counties


def county_detail(code: str) -> County:
    county = county_list().filter(code=code).first()
    if county is None:
        raise Http404
    return county


def gmina_list(
    *, voivodeship: str | None = None, county: str | None = None, kind: str | None = None, q: str = ""
) -> QuerySet[Gmina]:
    """Gminy filtered by voivodeship / county TERYT code, kind, and name (no case, no diacritics)."""
    gminy = Gmina.objects.select_related("county", "voivodeship").order_by("code")
    if voivodeship:
        gminy = gminy.filter(voivodeship__code=voivodeship)
    if county:
        gminy = gminy.filter(county__code=county)
    if kind:
        gminy = gminy.filter(kind=kind)
    text = normalise(q)
    if text:
        gminy = gminy.annotate(folded_name=folded_name()).filter(folded_name__contains=text)
    return gminy
