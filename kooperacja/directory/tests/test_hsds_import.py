"""manage.py import_hsds: the published examples import, re-export valid, a second run changes nothing, and a
broken input changes nothing and says where it is broken."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kooperacja.core.models import AuditEvent
from kooperacja.core.testing.cast import Cast
from kooperacja.directory.models import (
    CapacityStatus,
    Institution,
    Location,
    Sector,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from kooperacja.directory.tests.test_hsds_schemas import assert_detail

pytestmark = pytest.mark.shared

EXAMPLE_ORG = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
EXAMPLE_SERVICE = "ac148810-d857-441c-9679-408f346de14b"
EXAMPLE_LINK = "e94c9f38-1e8f-4564-91d4-d53501ab1765"
EXAMPLE_TERM = "3f7b145d-84af-42d7-8fae-eaca714b02b2"
EXAMPLE_TAXONOMY = "5c4d79d7-cc55-470e-9f1f-8cad074e4892"


@pytest.fixture(autouse=True)
def _no_configured_schemas(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unless a test says otherwise, the schemas are found where a working copy keeps them: ../shared."""
    monkeypatch.delenv("HSDS_SCHEMA_DIR", raising=False)


def examples(shared_dir: Path) -> Path:
    return shared_dir / "standards" / "hsds-3.0" / "examples"


def run(path: Path, *args: str) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_hsds", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fail(path: Path, *args: str) -> tuple[str, str]:
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_hsds", str(path), *args, stdout=StringIO(), stderr=err)
    return str(raised.value), err.getvalue()


def snapshot() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Institution, Service, Location, ServiceAtLocation, Taxonomy, TaxonomyTerm, AuditEvent)
    )


def exported(shared_dir: Path, path: str, schema: str) -> dict[str, Any]:
    response = Client().get(f"/api/hsds{path}")
    assert response.status_code == 200, (path, response.content[:200])
    body = response.json()
    assert_detail(shared_dir, schema, body)
    return body


EXPECTED = {
    # example file: (organizations, services, service_at_locations, terms) it brings in, by example id
    "organization_full.json": ({EXAMPLE_ORG}, {EXAMPLE_SERVICE}, {EXAMPLE_LINK}, {EXAMPLE_TERM}),
    "service_full.json": ({EXAMPLE_ORG}, {EXAMPLE_SERVICE}, {EXAMPLE_LINK}, {EXAMPLE_TERM}),
    "service_at_location_full.json": ({EXAMPLE_ORG}, {EXAMPLE_SERVICE}, {EXAMPLE_LINK}, {EXAMPLE_TERM}),
    "service_at_location_list.json": ({EXAMPLE_ORG}, {EXAMPLE_SERVICE}, {EXAMPLE_LINK}, set()),
    "service_list.json": ({EXAMPLE_ORG}, {EXAMPLE_SERVICE}, set(), set()),
    "organization_list.json": ({EXAMPLE_ORG}, set(), set(), set()),
    "tabular.json": ({EXAMPLE_ORG}, {EXAMPLE_SERVICE}, {EXAMPLE_LINK}, {EXAMPLE_TERM}),
    "taxonomy_term.json": (set(), set(), set(), {EXAMPLE_TERM}),
    "taxonomy_term_list.json": (set(), set(), set(), {EXAMPLE_TERM}),
    "taxonomy.json": (set(), set(), set(), set()),
    "taxonomy_list.json": (set(), set(), set(), set()),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_example_imports_and_exports_valid_hsds(shared_dir: Path, cast: Cast, name: str) -> None:
    orgs, services, links, terms = EXPECTED[name]
    out, _ = run(examples(shared_dir) / name, "--voivodeship", cast.ops_a.voivodeship.code)
    assert "Imported" in out
    assert {str(pk) for pk in Institution.objects.filter(pk__in=[EXAMPLE_ORG]).values_list("pk", flat=True)} == orgs
    assert {str(pk) for pk in Service.objects.filter(pk=EXAMPLE_SERVICE).values_list("pk", flat=True)} == services
    assert {str(pk) for pk in ServiceAtLocation.objects.filter(pk=EXAMPLE_LINK).values_list("pk", flat=True)} == links
    assert {str(pk) for pk in TaxonomyTerm.objects.filter(pk=EXAMPLE_TERM).values_list("pk", flat=True)} >= terms
    for pk in orgs:
        body = exported(shared_dir, f"/organizations/{pk}?full_service=true", "compiled/organization.json")
        assert body["name"] == "Example Organization Inc." and body["alternate_name"] == "Example Org"
        assert Institution.objects.get(pk=pk).voivodeship == cast.ops_a.voivodeship
    for pk in services:
        body = exported(shared_dir, f"/services/{pk}", "compiled/service.json")
        assert body["name"] == "Community Counselling" and body["minimum_age"] == 12
    for pk in links:
        exported(shared_dir, f"/service_at_locations/{pk}", "compiled/service_at_location.json")
    if name.startswith("taxonomy") or terms:
        body = exported(shared_dir, f"/taxonomies/{EXAMPLE_TAXONOMY}", "taxonomy.json")
        assert body["version"] == "version"
    # The tabular example's term names a taxonomy ("taxonomy", 07ff6aee-…) that its taxonomies table lacks: it is
    # created under that id; its attribute links no service of the example.
    taxonomy_id = "07ff6aee-a219-438c-b694-d2fcb6c5373b" if name == "tabular.json" else EXAMPLE_TAXONOMY
    for pk in terms:
        body = exported(shared_dir, f"/taxonomy_terms/{pk}", "taxonomy_term.json")
        assert body["taxonomy_id"] == taxonomy_id
    if services and terms and name != "tabular.json":
        # The example's attribute links the service to the example term.
        assert list(Service.objects.get(pk=EXAMPLE_SERVICE).terms.values_list("pk", flat=True)) == [
            TaxonomyTerm.objects.get(pk=EXAMPLE_TERM).pk
        ]


def test_the_full_organization_example_in_detail(shared_dir: Path, cast: Cast) -> None:
    run(examples(shared_dir) / "organization_full.json", "--voivodeship", "20")
    institution = Institution.objects.get(pk=EXAMPLE_ORG)
    assert (institution.sector, institution.voivodeship.code) == (Sector.OTHER, "20")
    assert institution.phone == '"+44 1234 234567"' and institution.email == "email@example.com"
    location = Location.objects.get(institution=institution)
    assert location.name == "MyCity Civic Center" and location.street == "1-30 Main Street, MyVillage"
    assert (
        location.city == "ABC 1234 MyCity" and location.postal_code == ""
    )  # a foreign postal code stays with the town
    service = Service.objects.get(pk=EXAMPLE_SERVICE)
    assert service.institution == institution and service.languages == "ur"
    assert not service.is_free and "£50" in service.fees_description
    assert list(service.locations.all()) == [location]


def test_a_second_run_changes_nothing(shared_dir: Path, cast: Cast) -> None:
    source = examples(shared_dir) / "organization_full.json"
    first, _ = run(source, "--voivodeship", "24")
    assert "service: created 1, updated 0, unchanged 0" in first
    before = snapshot()
    stamps = list(Service.objects.order_by("pk").values_list("modified_at", flat=True))
    second, _ = run(source, "--voivodeship", "24")
    assert "service: created 0, updated 0, unchanged 1" in second
    assert "organization: created 0, updated 0, unchanged 1" in second
    assert snapshot() == before  # no new rows, no new audit events
    assert list(Service.objects.order_by("pk").values_list("modified_at", flat=True)) == stamps


def test_a_changed_file_updates_the_same_rows(shared_dir: Path, cast: Cast, tmp_path: Path) -> None:
    data = json.loads((examples(shared_dir) / "service_full.json").read_text())
    run(examples(shared_dir) / "service_full.json", "--voivodeship", "24")
    data["name"] = "Poradnictwo środowiskowe"
    data["status"] = "temporarily closed"
    changed = tmp_path / "service.json"
    changed.write_text(json.dumps(data))
    out, _ = run(changed)
    assert "service: created 0, updated 1" in out
    service = Service.objects.get(pk=EXAMPLE_SERVICE)
    assert (service.name, service.status) == ("Poradnictwo środowiskowe", "temporarily closed")
    assert Service.objects.count() == 1
    assert AuditEvent.objects.filter(action="directory.hsds_import", object_id=EXAMPLE_SERVICE).count() == 2


def test_a_directory_of_examples(shared_dir: Path, cast: Cast, tmp_path: Path) -> None:
    for file in examples(shared_dir).glob("*.json"):
        if file.name != "location.json":  # a bare location names no organization: see the next test
            shutil.copy(file, tmp_path / file.name)
    out, _ = run(tmp_path, "--voivodeship", "24")
    assert "from 12 file(s)" in out  # base.json, the API's root document, is read and skipped
    assert Service.objects.filter(pk=EXAMPLE_SERVICE).exists()
    assert Institution.objects.filter(pk=EXAMPLE_ORG).count() == 1


def test_a_location_without_organization_is_refused(shared_dir: Path, cast: Cast) -> None:
    before = snapshot()
    message, err = fail(examples(shared_dir) / "location.json")
    assert "Nothing was imported" in message
    assert "location.json: $: a location needs the organization it belongs to (organization_id)" in err
    assert snapshot() == before


def test_round_trip_of_our_own_data(shared_dir: Path, cast: Cast, service_b: Service, tmp_path: Path) -> None:
    """Export an institution with its services, delete the services, import the export: they come back the same."""
    service_b.capacity_status = CapacityStatus.WAITLIST
    service_b.expected_wait_days = 14
    service_b.languages = "pl, uk"
    service_b.save()
    service_b.terms.add(TaxonomyTerm.objects.get(taxonomy__code="cus-domains", code="family_support"))
    service_b.eligible_gminy.add(cast.gmina_b)
    body = exported(shared_dir, f"/organizations/{cast.ops_b.pk}?full_service=true", "compiled/organization.json")
    export = tmp_path / "organization_export.json"
    export.write_text(json.dumps(body, ensure_ascii=False))
    Service.objects.filter(institution=cast.ops_b).delete()
    run(export)
    service = Service.objects.get(pk=service_b.pk)
    assert (service.name, service.capacity_status, service.expected_wait_days) == (
        "Klub seniora",
        CapacityStatus.WAITLIST,
        14,
    )
    assert service.languages == "pl, uk"
    assert [t.code for t in service.terms.all()] == ["family_support"]
    assert list(service.eligible_gminy.all()) == [cast.gmina_b]
    institution = Institution.objects.get(pk=cast.ops_b.pk)
    assert (institution.sector, institution.voivodeship) == (cast.ops_b.sector, cast.ops_b.voivodeship)
    assert Location.objects.filter(institution=cast.ops_b).count() == 0  # the seat is the institution's address
    second, _ = run(export)
    assert "updated 0" in second and "created 0" in second


def test_a_schema_error_changes_nothing_and_says_where(shared_dir: Path, cast: Cast, tmp_path: Path) -> None:
    good = json.loads((examples(shared_dir) / "organization_full.json").read_text())
    bad = json.loads((examples(shared_dir) / "service_full.json").read_text())
    bad["id"] = "ac148810-d857-441c-9679-408f346de14c"
    bad["status"] = "open"
    bad["service_at_locations"][0]["location"]["latitude"] = "north"
    (tmp_path / "a_organization.json").write_text(json.dumps(good))
    (tmp_path / "b_service.json").write_text(json.dumps(bad))
    before = snapshot()
    message, err = fail(tmp_path, "--voivodeship", "24")
    assert "Nothing was imported: 2 problem(s)" in message
    assert "b_service.json: $.status: 'open' is not one of" in err
    assert "b_service.json: $.service_at_locations[0].location.latitude: 'north' is not of type 'number'" in err
    assert "a_organization.json" not in err
    assert snapshot() == before


def test_an_error_found_while_writing_rolls_everything_back(shared_dir: Path, cast: Cast, tmp_path: Path) -> None:
    good = json.loads((examples(shared_dir) / "organization_full.json").read_text())
    too_long = dict(json.loads((examples(shared_dir) / "organization_list.json").read_text())["contents"][0])
    too_long["id"] = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c611"
    too_long["name"] = "N" * 301
    waitlist_without_wait = json.loads((examples(shared_dir) / "service_list.json").read_text())["contents"][0]
    waitlist_without_wait["id"] = "ac148810-d857-441c-9679-408f346de14d"
    waitlist_without_wait.pop("wait_time")
    capacity = TaxonomyTerm.objects.get(taxonomy__code="capacity-status", code="waitlist")
    waitlist_without_wait["attributes"] = [
        {"id": "0b3c1b1e-0000-4000-8000-000000000001", "taxonomy_term_id": str(capacity.pk)}
    ]
    file = tmp_path / "mixed.json"
    file.write_text(json.dumps([good, too_long, waitlist_without_wait]))
    before = snapshot()
    message, err = fail(file, "--voivodeship", "24")
    assert "mixed.json: $[1] (name): " in err and "300" in err  # Django's message, in the active language
    assert "mixed.json: $[2] (expected_wait_days)" in err
    assert snapshot() == before
    assert not Institution.objects.filter(pk=EXAMPLE_ORG).exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": ', "not valid JSON (line 1"),
        ("[1, 2]", "$[0]: expected an HSDS object, found int"),
        ('{"id": "x", "name": "Org", "description": "d"}', "$.id: 'x' is not a 'uuid'"),
        # Only the schemas require a description: the structural checks without them do not.
        ('{"id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": "Org"}', "$: 'description' is a required property"),
        ('{"id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": "Org", "description": "d", "email": "no"}', "$.email"),
    ],
)
@pytest.mark.parametrize("given_by", ["default", "option", "environment"])
def test_broken_files(
    shared_dir: Path,
    cast: Cast,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    given_by: str,
    content: str,
    expected: str,
) -> None:
    """The schemas in ../shared are used by default, or wherever --schemas or HSDS_SCHEMA_DIR says."""
    schemas = shared_dir / "standards" / "hsds-3.0" / "schema"
    args = ["--schemas", str(schemas)] if given_by == "option" else []
    if given_by == "environment":
        monkeypatch.setenv("HSDS_SCHEMA_DIR", str(schemas))
    file = tmp_path / "broken.json"
    file.write_text(content)
    before = snapshot()
    message, err = fail(file, *args)
    assert f"broken.json: {expected}" in err or (expected.startswith("not valid") and expected in err)
    assert "Nothing was imported" in message
    assert snapshot() == before


def test_with_the_schemas_nothing_says_validation_was_skipped(shared_dir: Path, cast: Cast) -> None:
    out, _ = run(examples(shared_dir) / "organization_full.json", "--voivodeship", "24")
    assert "skipped" not in out and "Imported" in out


def test_the_voivodeship_rule(shared_dir: Path, cast: Cast, tmp_path: Path) -> None:
    data = json.loads((examples(shared_dir) / "organization_full.json").read_text())
    data["locations"][0]["addresses"][0]["state_province"] = "Województwo Podlaskie"
    file = tmp_path / "organization.json"
    file.write_text(json.dumps(data))
    run(file)
    assert Institution.objects.get(pk=EXAMPLE_ORG).voivodeship.code == "20"
    Institution.objects.filter(pk=EXAMPLE_ORG).delete()
    out, _ = run(examples(shared_dir) / "organization_full.json")  # "MyState": the first voivodeship by code
    assert Institution.objects.get(pk=EXAMPLE_ORG).voivodeship.code == "20"
    assert "placed in podlaskie (20)" in out
    _, err = fail(file, "--voivodeship", "99")
    assert "No voivodeship with TERYT code '99'" in err


def test_without_territory_the_import_stops_clearly(shared_dir: Path, db: None) -> None:
    message, err = fail(examples(shared_dir) / "organization_full.json")
    assert "The territory is empty" in err and "import_teryt" in err
    assert not Institution.objects.exists() and not Service.objects.exists()
    # Taxonomies need no territory.
    run(examples(shared_dir) / "taxonomy_term.json")
    assert TaxonomyTerm.objects.filter(pk=EXAMPLE_TERM).exists()
