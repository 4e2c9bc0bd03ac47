"""generate_scale: a synthetic directory in bulk, found by the directory search, and idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from kooperacja.core.testing.cast import Cast
from kooperacja.demo.scale import SYNTHETIC_MARK
from kooperacja.directory.models import Institution, InstitutionKind, Location, Service, ServiceAtLocation
from kooperacja.territory.models import County, Gmina

pytestmark = pytest.mark.django_db


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_scale", *args, stdout=out, verbosity=0)
    return out.getvalue()


def totals() -> dict[str, int]:
    return {
        "gminy": Gmina.objects.count(),
        "counties": County.objects.count(),
        "institutions": Institution.objects.count(),
        "services": Service.objects.count(),
        "locations": Location.objects.count(),
        "service_at_locations": ServiceAtLocation.objects.count(),
        "terms": Service.terms.through.objects.count(),
    }


def test_three_gminy_on_an_empty_territory_get_a_synthetic_one(client: Client) -> None:
    output = generate("--gminy", "3")
    gminy = list(Gmina.objects.select_related("county"))
    assert len(gminy) == 3
    assert all(SYNTHETIC_MARK in g.name and "syntetyczne" in g.kind_label for g in gminy)
    assert all(g.code[:4] == g.county.code and int(g.code[2:4]) >= 40 for g in gminy)
    assert "synthetic territory" in output

    per_gmina = dict(
        Institution.objects.filter(gmina__isnull=False).values_list("gmina").annotate(n=Count("id")).order_by()
    )
    assert sorted(per_gmina.values()) == [12, 12, 12]
    assert Institution.objects.filter(gmina__in=gminy, kind=InstitutionKind.OPS).count() == 3
    county_level = Institution.objects.filter(gmina__isnull=True)
    assert set(county_level.values_list("kind", flat=True)) == {
        InstitutionKind.PCPR,
        InstitutionKind.PUP,
        InstitutionKind.COURT,
    }
    services = list(Service.objects.prefetch_related("terms__taxonomy").select_related("institution"))
    assert 90 <= len(services) <= 170  # about 3.3 per institution
    for service in services:
        taxonomies = {term.taxonomy.code: term.code for term in service.terms.all()}
        assert "cus-domains" in taxonomies
        assert taxonomies["sectors"] == service.institution.sector
        assert service.search_text and service.search_text == service.compute_search_text()
    assert all(i.search_text == i.compute_search_text() for i in Institution.objects.all())
    assert ServiceAtLocation.objects.count() == len(services)

    # The directory search finds the generated services by their (normalised) words and by gmina.
    service = next(s for s in services if s.institution.gmina_id is not None and not s.name.isascii())
    response = client.get(
        reverse("directory:search"), {"q": service.search_text.split()[0], "gmina": service.institution.gmina.code}
    )
    assert response.status_code == 200
    assert service.institution.gmina.name in response.content.decode()
    response = client.get(reverse("directory:search"), {"q": service.name.upper()})
    assert service.name in response.content.decode()


def test_a_second_run_adds_nothing() -> None:
    generate("--gminy", "3")
    before = totals()
    ids = set(Service.objects.values_list("id", flat=True))
    output = generate("--gminy", "3")
    assert totals() == before
    assert set(Service.objects.values_list("id", flat=True)) == ids
    assert "added: 0 institutions" in output
    # Asking for more gminy generates only the new ones.
    generate("--gminy", "4")
    after = totals()
    assert after["gminy"] == 4
    assert after["institutions"] - before["institutions"] >= 12


def test_reset_generates_the_same_data_again() -> None:
    generate("--gminy", "2")
    before = totals()
    names = sorted(Service.objects.values_list("institution_id", "name"))
    output = generate("--gminy", "2", "--reset")
    assert "deleted:" in output
    assert totals() == before
    assert sorted(Service.objects.values_list("institution_id", "name")) == names


def test_the_gminy_in_the_database_are_used_first(cast: Cast) -> None:
    existing = set(Gmina.objects.values_list("code", flat=True))
    generate("--gminy", "2", "--services-per-institution", "1")
    assert set(Gmina.objects.values_list("code", flat=True)) == existing
    first_two = list(Gmina.objects.order_by("code")[:2])
    cast_ids = {cast.ops_a.pk, cast.ops_b.pk, cast.school_a.pk, cast.court.pk, cast.rops_a.pk, cast.ngo_z.pk}
    generated = Institution.objects.exclude(pk__in=cast_ids)
    assert generated.filter(gmina__in=first_two).count() == 24
    assert not generated.filter(gmina__isnull=False).exclude(gmina__in=first_two).exists()
    # The cast's institutions are untouched.
    assert Institution.objects.filter(pk=cast.ops_a.pk, name=cast.ops_a.name).exists()


def test_bad_numbers_are_refused() -> None:
    with pytest.raises(CommandError):
        generate("--gminy", "0")
    assert Institution.objects.count() == 0
