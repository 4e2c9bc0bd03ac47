"""The HSDS 3.0 API at /api/hsds/: public, read-only, every response valid against the published schemas."""

from __future__ import annotations

import datetime
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kooperacja.core.testing import factories as f
from kooperacja.core.testing.cast import Cast
from kooperacja.directory.models import (
    Institution,
    Location,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from kooperacja.directory.tests.test_hsds_schemas import assert_detail, assert_page

BASE = "/api/hsds"

LISTS = [
    ("/services", "compiled/service_list.json"),
    ("/organizations", "compiled/organization_list.json"),
    ("/service_at_locations", "compiled/service_at_location_list.json"),
    ("/taxonomies", "taxonomy.json"),
    ("/taxonomy_terms", "taxonomy_term.json"),
]


@pytest.fixture
def directory(cast: Cast, domain: TaxonomyTerm, service_a: Service, service_b: Service, representative: Any) -> Cast:
    """OPS A with a REGON, seat and hours; a service at a location; a waitlisted one; a service named Żółkiewska."""
    Institution.objects.filter(pk=cast.ops_a.pk).update(
        regon="123456785", phone="+48 32 000 00 00", street="ul. Długa 1", postal_code="44-200", city="Miastko A"
    )
    cast.ops_a.refresh_from_db()
    cast.ops_a.opening_hours = "pn–pt 7:30–15:30"
    cast.ops_a.save()
    location = f.LocationFactory(
        institution=cast.ops_a, name="Punkt konsultacyjny", street="ul. Krótka 2", city="Miastko A", gmina=cast.gmina_a
    )
    location.accessibility = "Wejście bez progów"
    location.save()
    ServiceAtLocation.objects.create(service=service_a, location=location, description="We wtorki")
    service_a.languages = "pl, uk"
    service_a.phone = "+48 32 111 11 11"
    service_a.capacity_confirmed_at = timezone.now()
    service_a.save()
    service_a.eligible_gminy.add(cast.gmina_a)
    f.ServiceFactory(institution=cast.school_a, name="Poradnia Żółkiewska", description="Konsultacje dla rodziców.")
    return cast


def get(path: str, **params: Any) -> Any:
    response = Client().get(BASE + path, params)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    return response.json()


def names(body: dict[str, Any]) -> set[str]:
    return {item["name"] for item in body["contents"]}


pytestmark = pytest.mark.shared


@pytest.mark.parametrize(("path", "item_schema"), LISTS)
def test_every_list_is_a_valid_hsds_page(shared_dir: Path, directory: Cast, path: str, item_schema: str) -> None:
    body = get(path)
    assert body["total_items"] >= 1 and body["contents"]
    assert_page(shared_dir, path, item_schema, body)


@pytest.mark.parametrize(
    ("path", "params", "item_schema"),
    [
        ("/services", {"full": "true"}, "compiled/service.json"),
        ("/organizations", {"full": "true"}, "compiled/organization.json"),
        ("/organizations", {"full_service": "true"}, "compiled/organization.json"),
        ("/service_at_locations", {"full": "true"}, "compiled/service_at_location.json"),
    ],
)
def test_full_lists_hold_valid_full_objects(
    shared_dir: Path, directory: Cast, path: str, params: dict[str, str], item_schema: str
) -> None:
    body = get(path, **params)
    assert body["contents"]
    for item in body["contents"]:
        assert_detail(shared_dir, item_schema, item)


def test_root_describes_the_api(directory: Cast) -> None:
    body = get("/")
    assert body["version"] == "3.0" and body["profile"].startswith("https://")
    # A link to the standard's published API description; this server keeps and serves no copy of it.
    assert body["openapi_url"] == "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
    assert Client().get("/api/hsds/openapi.json").status_code == 404


def test_root_links_the_published_api_description(shared_dir: Path, directory: Cast) -> None:
    """`openapi_url` is where the standard publishes openapi.json: the base its own `$ref`s are written against."""
    published = shared_dir / "standards" / "hsds-3.0" / "schema" / "openapi.json"
    refs = re.findall(r'"\$ref":\s*"(https://[^"#]+)', published.read_text(encoding="utf-8"))
    assert refs
    url = get("/")["openapi_url"]
    assert url.endswith("/openapi.json")
    assert all(ref.startswith(url.removesuffix("openapi.json")) for ref in refs)


def test_service_detail(shared_dir: Path, directory: Cast, service_a: Service, domain: TaxonomyTerm) -> None:
    body = get(f"/services/{service_a.pk}")
    assert_detail(shared_dir, "compiled/service.json", body)
    assert body["organization"]["id"] == str(directory.ops_a.pk) and body["status"] == "active"
    terms = {a["taxonomy_term"]["id"]: a for a in body["attributes"]}
    assert str(domain.pk) in terms
    capacity = [a for a in body["attributes"] if a["taxonomy_term"]["taxonomy_detail"]["name"].startswith("Dostępność")]
    assert [a["taxonomy_term"]["code"] for a in capacity] == ["accepting"]
    assert capacity[0]["value"] == timezone.localdate().isoformat()
    assert [lang["code"] for lang in body["languages"]] == ["pl", "uk"]
    assert body["phones"][0]["number"] == "+48 32 111 11 11"
    assert body["cost_options"][0]["option"] == "free of charge"
    assert body["service_areas"][0]["extent"] == directory.gmina_a.code
    (link,) = body["service_at_locations"]
    assert link["location"]["name"] == "Punkt konsultacyjny"
    assert link["location"]["addresses"][0]["state_province"] == directory.gmina_a.voivodeship.name
    assert link["location"]["accessibility"][0]["description"] == "Wejście bez progów"
    # Every linked term is itself published.
    assert get(f"/taxonomy_terms/{capacity[0]['taxonomy_term_id']}")["code"] == "accepting"


def test_waitlist_is_published_with_its_expected_wait(shared_dir: Path, directory: Cast, service_b: Service) -> None:
    body = get(f"/services/{service_b.pk}")
    assert_detail(shared_dir, "compiled/service.json", body)
    assert body["wait_time"] == "P30D"
    assert "waitlist" in {a["taxonomy_term"]["code"] for a in body["attributes"]}


def test_organization_detail(shared_dir: Path, directory: Cast) -> None:
    for params in ({}, {"full_service": "true"}):
        body = get(f"/organizations/{directory.ops_a.pk}", **params)
        assert_detail(shared_dir, "compiled/organization.json", body)
    assert body["organization_identifiers"][0] == {
        "id": body["organization_identifiers"][0]["id"],
        "organization_id": str(directory.ops_a.pk),
        "identifier_scheme": "PL-REGON",
        "identifier_type": "REGON",
        "identifier": "123456785",
    }
    seat, location = body["locations"]
    assert seat["addresses"][0]["address_1"] == "ul. Długa 1" and seat["schedules"][0]["description"]
    assert location["name"] == "Punkt konsultacyjny"
    assert {s["name"] for s in body["services"]} == {"Asystent rodziny"}
    assert body["services"][0]["attributes"]  # full services
    assert body["attributes"][0]["taxonomy_term"]["code"] == directory.ops_a.sector


def test_service_at_location_and_taxonomy_details(shared_dir: Path, directory: Cast, domain: TaxonomyTerm) -> None:
    link = ServiceAtLocation.objects.get()
    body = get(f"/service_at_locations/{link.pk}")
    assert_detail(shared_dir, "compiled/service_at_location.json", body)
    assert body["service"]["id"] == str(link.service_id) and body["location"]["id"] == str(link.location_id)
    term = get(f"/taxonomy_terms/{domain.pk}")
    assert_detail(shared_dir, "taxonomy_term.json", term)
    assert term["name"] == "wspieranie rodziny" and term["taxonomy_detail"]["id"] == str(domain.taxonomy_id)
    taxonomy = get(f"/taxonomies/{domain.taxonomy_id}")
    assert_detail(shared_dir, "taxonomy.json", taxonomy)
    assert taxonomy["name"].startswith("Obszary usług społecznych")


def test_search_ignores_case_and_diacritics(directory: Cast) -> None:
    assert names(get("/services", search="zolkiewska")) == {"Poradnia Żółkiewska"}
    assert names(get("/services", search="PORADNIA ŻÓŁKIEWSKA")) == {"Poradnia Żółkiewska"}
    assert names(get("/services", search="zolkiewska asystent")) == set()
    assert names(get("/organizations", search="osrodek pomocy spoleczne")) == {
        directory.ops_a.name,
        directory.ops_b.name,
    }
    assert [c["service"]["name"] for c in get("/service_at_locations", search="asystent")["contents"]] == [
        "Asystent rodziny"
    ]
    assert names(get("/taxonomy_terms", search="pieczy zastepczej")) == {"system pieczy zastępczej"}
    assert names(get("/taxonomies", search="sektory wspolpracy")) == {"Sektory współpracy"}


def test_filters(directory: Cast, service_a: Service, service_b: Service, domain: TaxonomyTerm) -> None:
    assert names(get("/services", taxonomy_term_id=str(domain.pk))) == {"Asystent rodziny"}
    assert names(get("/services", taxonomy_id=str(domain.taxonomy_id))) == {"Asystent rodziny"}
    assert names(get("/services", organization_id=str(directory.ops_b.pk))) == {"Klub seniora"}
    assert get("/service_at_locations", organization_id=str(directory.ops_b.pk))["total_items"] == 0
    assert get("/service_at_locations", taxonomy_term_id=str(domain.pk))["total_items"] == 1
    assert names(get("/taxonomy_terms", taxonomy_id=str(domain.taxonomy_id), per_page=50)) == set(
        TaxonomyTerm.objects.filter(taxonomy_id=domain.taxonomy_id).values_list("name", flat=True)
    )
    long_ago = timezone.now() - datetime.timedelta(days=30)
    Service.objects.exclude(pk=service_b.pk).update(modified_at=long_ago)
    ServiceAtLocation.objects.update(modified_at=long_ago)
    Location.objects.update(modified_at=long_ago)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert names(get("/services", modified_after=since)) == {"Klub seniora"}
    assert names(get("/services", modified_after="2000-01-01")) >= {"Klub seniora", "Asystent rodziny"}
    assert get("/service_at_locations", modified_after=since)["total_items"] == 0


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/services", {"modified_after": "yesterday"}),
        ("/services", {"taxonomy_term_id": "family"}),
        ("/services", {"organization_id": "1"}),
        ("/services", {"per_page": "0"}),
        ("/services", {"per_page": "201"}),
        ("/services", {"per_page": "many"}),
        ("/services", {"page": "0"}),
        ("/services", {"full": "maybe"}),
        ("/services", {"format": "ndjson"}),
        ("/service_at_locations", {"postcode": "44-200"}),
        ("/organizations", {"page": "-1"}),
        ("/taxonomy_terms", {"parent_id": "x"}),
        ("/taxonomies", {"per_page": "1000"}),
    ],
)
def test_bad_parameters_are_400_json(directory: Cast, path: str, params: dict[str, str]) -> None:
    response = Client().get(BASE + path, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bad_request" and set(body["fields"]) == set(params)


def test_pagination_edges(shared_dir: Path, directory: Cast) -> None:
    total = Service.objects.count()
    assert total == 3
    first = get("/services", per_page=2)
    assert (first["total_items"], first["total_pages"], first["size"]) == (3, 2, 2)
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    last = get("/services", per_page=2, page=2)
    assert (last["page_number"], last["size"], last["first_page"], last["last_page"]) == (2, 1, False, True)
    seen = [s["name"] for s in first["contents"] + last["contents"]]
    assert seen == sorted(seen) and len(set(seen)) == 3
    beyond = get("/services", per_page=2, page=9)
    assert beyond["contents"] == [] and beyond["empty"] and beyond["last_page"] and beyond["total_items"] == 3
    assert_page(shared_dir, "/services", "compiled/service_list.json", beyond)
    nothing = get("/services", search="nieistniejaca usluga")
    assert (nothing["total_items"], nothing["total_pages"], nothing["empty"]) == (0, 1, True)
    assert nothing["first_page"] and nothing["last_page"]
    assert get("/services", per_page=200)["size"] == 3


@pytest.mark.parametrize(
    "path", ["/services", "/organizations", "/service_at_locations", "/taxonomies", "/taxonomy_terms"]
)
def test_unknown_or_malformed_ids_are_404_json(directory: Cast, path: str) -> None:
    for pk in (str(uuid.uuid4()), "not-a-uuid", "1"):
        response = Client().get(f"{BASE}{path}/{pk}")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert Client().get(f"{BASE}/locations").status_code == 404


def test_inactive_institutions_are_not_published(directory: Cast, service_b: Service) -> None:
    Institution.objects.filter(pk=directory.ops_b.pk).update(is_active=False)
    assert "Klub seniora" not in names(get("/services"))
    assert directory.ops_b.name not in names(get("/organizations"))
    for path in (f"/services/{service_b.pk}", f"/organizations/{directory.ops_b.pk}"):
        assert Client().get(BASE + path).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/", "/services", "/organizations", "/taxonomy_terms"])
def test_read_only(directory: Cast, method: str, path: str) -> None:
    before = Service.objects.count(), Institution.objects.count(), TaxonomyTerm.objects.count()
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(BASE + path, json.dumps({"name": "x"}), content_type="application/json")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    assert response.json()["code"] == "method_not_allowed"
    service = Service.objects.first()
    assert service is not None
    response = getattr(client, method)(f"{BASE}/services/{service.pk}")
    assert response.status_code == 405
    assert (Service.objects.count(), Institution.objects.count(), TaxonomyTerm.objects.count()) == before


def test_public_without_authentication_and_without_personal_data(
    directory: Cast, representative: Any, client_for: Any
) -> None:
    anonymous = Client()
    bodies = [
        anonymous.get(f"{BASE}/organizations/{directory.school_a.pk}", {"full_service": "true"}).content,
        anonymous.get(f"{BASE}/organizations", {"full": "true", "per_page": 200}).content,
        anonymous.get(f"{BASE}/services", {"full": "true", "per_page": 200}).content,
    ]
    for body in bodies:
        text = body.decode()
        assert "Zofia" not in text and "zofia@example.invalid" not in text
        for user in (directory.alice, directory.tom):
            assert user.username not in text and (not user.email or user.email not in text)
    # A signed-in user sees the same public data.
    assert client_for(directory.alice).get(f"{BASE}/organizations/{directory.ops_a.pk}").status_code == 200


def _query_count(path: str, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(BASE + path, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/services", {"per_page": 200}),
        ("/services", {"per_page": 200, "search": "usluga", "taxonomy_term_id": "{term}"}),
        ("/services", {"per_page": 200, "full": "true"}),
        ("/service_at_locations", {"per_page": 200}),
        ("/service_at_locations", {"per_page": 200, "full": "true"}),
        ("/organizations", {"per_page": 200, "full_service": "true"}),
        ("/organizations/{ops}", {"full_service": "true"}),
        ("/taxonomy_terms", {"per_page": 200}),
    ],
)
def test_query_count_does_not_grow_with_the_data(
    cast: Cast, domain: TaxonomyTerm, path: str, params: dict[str, Any]
) -> None:
    path = path.format(ops=cast.ops_a.pk)
    params = {k: v.format(term=domain.pk) if isinstance(v, str) else v for k, v in params.items()}
    other_taxonomy = Taxonomy.objects.create(code="extra", name="Extra", description="")

    def grow(start: int, stop: int) -> None:
        for i in range(start, stop):
            service = f.ServiceFactory(institution=cast.ops_a, name=f"Usługa {i}", languages="pl, en")
            service.terms.add(domain, TaxonomyTerm.objects.create(taxonomy=other_taxonomy, name=f"T{i}", code=f"t{i}"))
            location = f.LocationFactory(institution=cast.ops_a, gmina=cast.gmina_a)
            ServiceAtLocation.objects.create(service=service, location=location)
            service.eligible_gminy.add(cast.gmina_a)

    grow(0, 5)
    few = _query_count(path, params)
    grow(5, 50)
    assert _query_count(path, params) == few
    assert few <= 10


def test_services_list_is_four_queries(cast: Cast, domain: TaxonomyTerm) -> None:
    for i in range(30):
        f.ServiceFactory(institution=cast.ops_a, name=f"Usługa {i}")
    with CaptureQueriesContext(connection) as queries:
        body = get("/services", per_page=10, page=2)
    assert body["size"] == 10
    # Two indexed COUNTs (all matching services, minus those of inactive institutions), the page's ids, its rows.
    assert len(queries) == 4
    for count in queries[:2]:
        count_sql = count["sql"].upper()
        assert "COUNT" in count_sql and "JOIN" not in count_sql


def test_total_items_of_a_term_counts_only_published_services_with_that_term(
    directory: Cast, domain: TaxonomyTerm
) -> None:
    tagged = [f.ServiceFactory(institution=directory.ops_a, name=f"Mentoring {i}") for i in range(3)]
    for service in tagged:
        service.terms.add(domain)
    hidden = f.ServiceFactory(institution=directory.ops_b, name="Mentoring ukryty")
    hidden.terms.add(domain)
    f.ServiceFactory(institution=directory.ops_a, name="Bez dziedziny")
    Institution.objects.filter(pk=directory.ops_b.pk).update(is_active=False)

    body = get("/services", taxonomy_term_id=str(domain.pk), per_page=2)
    # "Asystent rodziny" of the fixtures and the three above; not the service of the inactive institution.
    assert body["total_items"] == 4
    assert body["total_pages"] == 2
    searched = get("/services", taxonomy_term_id=str(domain.pk), search="mentoring")
    assert searched["total_items"] == 3
