"""Pages of the territory: public reference data, no sign-in needed. Thin: selector, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kooperacja.territory import selectors
from kooperacja.territory.models import County, GminaKind, Voivodeship

Crumbs = list[tuple[str, str]]


def _home_crumbs() -> Crumbs:
    return [(_("Territory"), reverse("territory:voivodeship_list"))]


def _voivodeship_crumbs(voivodeship: Voivodeship) -> Crumbs:
    return [
        *_home_crumbs(),
        (
            _("Voivodeship %(name)s") % {"name": voivodeship.display_name},
            reverse("territory:voivodeship_detail", args=[voivodeship.code]),
        ),
    ]


def _county_crumbs(county: County) -> Crumbs:
    return [
        *_voivodeship_crumbs(county.voivodeship),
        (county.name, reverse("territory:county_detail", args=[county.code])),
    ]


@require_GET
def voivodeship_list(request: HttpRequest) -> HttpResponse:
    return render(request, "territory/voivodeship_list.html", {"groups": selectors.territory_overview(), "crumbs": []})


@require_GET
def voivodeship_detail(request: HttpRequest, code: str) -> HttpResponse:
    voivodeship = selectors.voivodeship_by_code(code)
    return render(
        request,
        "territory/voivodeship_detail.html",
        {
            "voivodeship": voivodeship,
            "counties": selectors.counties_with_counts(voivodeship=voivodeship),
            "crumbs": _home_crumbs(),
        },
    )


@require_GET
def county_detail(request: HttpRequest, code: str) -> HttpResponse:
    county = selectors.county_by_code(code)
    gminy = list(selectors.gminy_of_county(county=county))
    kinds = [(kind.label, sum(1 for g in gminy if g.kind == kind)) for kind in GminaKind]
    return render(
        request,
        "territory/county_detail.html",
        {"county": county, "gminy": gminy, "kinds": kinds, "crumbs": _voivodeship_crumbs(county.voivodeship)},
    )


@require_GET
def gmina_detail(request: HttpRequest, code: str) -> HttpResponse:
    gmina = selectors.gmina_by_code(code)
    return render(request, "territory/gmina_detail.html", {"gmina": gmina, "crumbs": _county_crumbs(gmina.county)})
