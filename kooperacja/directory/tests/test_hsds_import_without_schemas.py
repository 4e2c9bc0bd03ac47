"""manage.py import_hsds where the HSDS schemas are not at hand (a clone without ../shared, or an empty --schemas /
HSDS_SCHEMA_DIR): the importer says full validation was skipped, checks what it maps itself (UUID ids, required
names, the types of the fields it reads), and stays all or nothing. Needs nothing outside the project."""

from __future__ import annotations

import copy
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kooperacja.core.models import AuditEvent
from kooperacja.core.testing.cast import Cast
from kooperacja.directory.models import Institution, Location, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm

ORG = "0a6e6c6e-1f59-4f0e-9d2a-6b1b9f0c0001"
SEAT_ELSEWHERE = "0a6e6c6e-1f59-4f0e-9d2a-6b1b9f0c0002"
SERVICE = "0a6e6c6e-1f59-4f0e-9d2a-6b1b9f0c0003"
LINK = "0a6e6c6e-1f59-4f0e-9d2a-6b1b9f0c0004"
TAXONOMY = "0a6e6c6e-1f59-4f0e-9d2a-6b1b9f0c0005"
TERM = "0a6e6c6e-1f59-4f0e-9d2a-6b1b9f0c0006"

ORGANIZATION: dict[str, Any] = {
    "id": ORG,
    "name": "Fundacja Przykładowa",
    "description": "Pomoc rodzinom.",
    "email": "biuro@example.org",
    "phones": [{"id": "0a6e6c6e-1f59-4f0e-9d2a-6b1b9f0c0007", "number": "+48 22 123 45 67"}],
    "organization_identifiers": [
        {"id": "0a6e6c6e-1f59-4f0e-9d2a-6b1b9f0c0008", "identifier_type": "REGON", "identifier": "123456785"}
    ],
    "locations": [
        {
            "id": SEAT_ELSEWHERE,
            "location_type": "physical",
            "name": "Punkt konsultacyjny",
            "latitude": 52.2297,
            "longitude": 21.0122,
            "addresses": [
                {
                    "id": "0a6e6c6e-1f59-4f0e-9d2a-6b1b9f0c0009",
                    "address_type": "physical",
                    "address_1": "ul. Długa 1",
                    "postal_code": "44-200",
                    "city": "Rybnik",
                    "state_province": "śląskie",
                    "country": "PL",
                }
            ],
        }
    ],
    "services": [
        {
            "id": SERVICE,
            "name": "Poradnictwo rodzinne",
            "status": "active",
            "minimum_age": 16,
            "languages": [{"id": "0a6e6c6e-1f59-4f0e-9d2a-6b1b9f0c000a", "code": "pl"}],
            "cost_options": [{"id": "0a6e6c6e-1f59-4f0e-9d2a-6b1b9f0c000b", "option": "free of charge"}],
            "attributes": [
                {
                    "id": "0a6e6c6e-1f59-4f0e-9d2a-6b1b9f0c000c",
                    "taxonomy_term": {
                        "id": TERM,
                        "name": "Poradnictwo",
                        "code": "counselling",
                        "description": "",
                        "taxonomy_detail": {"id": TAXONOMY, "name": "Usługi fundacji", "description": ""},
                    },
                }
            ],
            "service_at_locations": [{"id": LINK, "location_id": SEAT_ELSEWHERE}],
        }
    ],
}


@pytest.fixture
def no_schemas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HSDS_SCHEMA_DIR names an empty directory: no schema to validate against."""
    empty = tmp_path / "no-schemas"
    empty.mkdir()
    monkeypatch.setenv("HSDS_SCHEMA_DIR", str(empty))
    return empty


def write(tmp_path: Path, data: Any, name: str = "input.json") -> Path:
    file = tmp_path / name
    file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return file


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_hsds", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def fail(path: Path, *args: str) -> tuple[str, str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_hsds", str(path), *args, stdout=out, stderr=err)
    return str(raised.value), out.getvalue(), err.getvalue()


def snapshot() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Institution, Service, Location, ServiceAtLocation, Taxonomy, TaxonomyTerm, AuditEvent)
    )


def test_a_good_file_imports_with_structural_checks(cast: Cast, tmp_path: Path, no_schemas: Path) -> None:
    file = write(tmp_path, ORGANIZATION)
    out = run(file)
    skipped = [line for line in out.splitlines() if "validation skipped" in line]
    assert len(skipped) == 1
    assert str(no_schemas) in skipped[0] and "--schemas DIR" in skipped[0] and "HSDS_SCHEMA_DIR" in skipped[0]
    institution = Institution.objects.get(pk=ORG)
    assert institution.voivodeship.code == "24"  # named by the address's state_province
    assert (institution.phone, institution.regon) == ("+48 22 123 45 67", "123456785")
    location = Location.objects.get(pk=SEAT_ELSEWHERE)
    assert (location.institution_id, location.city, location.postal_code) == (institution.pk, "Rybnik", "44-200")
    service = Service.objects.get(pk=SERVICE)
    assert (service.name, service.minimum_age, service.languages, service.is_free) == (
        "Poradnictwo rodzinne",
        16,
        "pl",
        True,
    )
    assert [t.pk for t in service.terms.all()] == [TaxonomyTerm.objects.get(pk=TERM).pk]
    assert ServiceAtLocation.objects.get(pk=LINK).location_id == location.pk
    body = Client().get(f"/api/hsds/services/{SERVICE}").json()
    assert body["organization"]["id"] == ORG and body["name"] == "Poradnictwo rodzinne"
    # Idempotent as with the schemas.
    before = snapshot()
    again = run(file)
    assert "service: created 0, updated 0, unchanged 1" in again
    assert snapshot() == before


def test_the_option_overrides_the_environment(cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HSDS_SCHEMA_DIR", str(tmp_path / "does-not-exist"))
    empty = tmp_path / "empty"
    empty.mkdir()
    out = run(write(tmp_path, ORGANIZATION), "--schemas", str(empty))
    assert f"Full HSDS schema validation skipped: {empty} lacks" in out
    assert Service.objects.filter(pk=SERVICE).exists()


def test_without_any_schema_directory_the_importer_says_so(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.delenv("HSDS_SCHEMA_DIR", raising=False)
    settings.BASE_DIR = tmp_path / "project"  # as in a clone with no ../shared beside it
    out = run(write(tmp_path, ORGANIZATION))
    assert "Full HSDS schema validation skipped: no HSDS schema directory is configured" in out
    assert Institution.objects.filter(pk=ORG).exists()


def test_a_schema_directory_that_does_not_exist_is_an_error(cast: Cast, tmp_path: Path) -> None:
    before = snapshot()
    message, _, _ = fail(write(tmp_path, ORGANIZATION), "--schemas", str(tmp_path / "typo"))
    assert message == f"--schemas: no such directory: {tmp_path / 'typo'}"
    assert snapshot() == before


def broken(change: str) -> Any:
    data = copy.deepcopy(ORGANIZATION)
    service = data["services"][0]
    if change == "org id":
        data["id"] = "org-1"
    elif change == "service id":
        service["id"] = 12
    elif change == "org name":
        del data["name"]
    elif change == "service name":
        del service["name"]
    elif change == "term id":
        service["attributes"][0]["taxonomy_term"]["id"] = "0a6e6c6e-1f59-4f0e-9d2a"
    elif change == "latitude":
        data["locations"][0]["latitude"] = "north"
    elif change == "phones":
        data["phones"] = {"number": "+48 22 123 45 67"}
    elif change == "link":
        service["service_at_locations"][0]["location_id"] = None
    return data


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("org id", "input.json: $.id: 'org-1' is not a 'uuid'"),
        ("service id", "input.json: $.services[0].id: 12 is not of type 'string'"),
        ("org name", "input.json: $: 'name' is a required property"),
        ("service name", "input.json: $.services[0]: 'name' is a required property"),
        (
            "term id",
            "input.json: $.services[0].attributes[0].taxonomy_term.id: '0a6e6c6e-1f59-4f0e-9d2a' is not a 'uuid'",
        ),
        ("latitude", "input.json: $.locations[0].latitude: 'north' is not of type 'number'"),
        ("phones", "input.json: $.phones: {'number': '+48 22 123 45 67'} is not of type 'array'"),
        ("link", "input.json: $.services[0].service_at_locations[0]: a service at a location needs its location"),
    ],
)
def test_a_broken_file_is_refused_and_changes_nothing(
    cast: Cast, tmp_path: Path, no_schemas: Path, change: str, expected: str
) -> None:
    good = write(tmp_path, {**ORGANIZATION, "id": "0a6e6c6e-1f59-4f0e-9d2a-6b1b9f0c00ff", "services": []}, "a.json")
    write(tmp_path, broken(change), "input.json")
    before = snapshot()
    message, out, err = fail(tmp_path)
    assert "validation skipped" in out
    assert "Nothing was imported: 1 problem(s)" in message
    assert err.strip() == expected
    assert good.name not in err
    assert snapshot() == before  # the good file in the same directory is not imported either


def test_tabular_form_numbers_in_text_fields_are_read_as_text(cast: Cast, tmp_path: Path, no_schemas: Path) -> None:
    tables = {
        "organizations.csv": [{"id": ORG, "name": "Fundacja Przykładowa", "description": ""}],
        "phones.csv": [{"id": "0a6e6c6e-1f59-4f0e-9d2a-6b1b9f0c0007", "organization_id": ORG, "number": 221234567}],
        "services.csv": [
            {"id": SERVICE, "organization_id": ORG, "name": "Poradnictwo", "status": "active", "minimum_age": 16}
        ],
    }
    run(write(tmp_path, tables), "--voivodeship", "24")
    assert Institution.objects.get(pk=ORG).phone == "221234567"
    assert Service.objects.get(pk=SERVICE).minimum_age == 16
    tables["services.csv"][0]["minimum_age"] = "sixteen"
    tables["services.csv"][0]["name"] = "Poradnictwo rodzinne"
    _, _, err = fail(write(tmp_path, tables), "--voivodeship", "24")
    assert "$['organizations.csv'][0].services[0].minimum_age: 'sixteen' is not of type 'number'" in err
    assert Service.objects.get(pk=SERVICE).name == "Poradnictwo"
