"""Import of HSDS 3.0 (Open Referral) JSON into the directory: all or nothing, idempotent by HSDS id.

Input: one JSON file or a directory of them (its *.json files, not sub-directories). Each file holds one object, a
list of objects, an HSDS page (`{"contents": [...]}`) or the tabular form (`{"organizations.csv": [...], ...}`).
Objects are organizations (with nested locations and services), services (with a nested organization or an
`organization_id`), services at locations (with nested service and location), locations (with `organization_id`),
taxonomies and taxonomy terms. The API's root document (`{"version", "openapi_url"}`) is skipped.

Rules:
- Everything is validated first; any error (file, JSON path, message) stops the import before the database is
  touched. With the HSDS 3.0 schemas at hand (a copy of the specification's `schema/` directory, given by the caller:
  see the import_hsds command), every object is validated against them in full. The project ships no copy of them;
  without them only what the importer maps is checked (`structure_problems`): ids are UUIDs, the names HSDS requires
  are present, and every field it reads has the right type. Then all writes run in one transaction; an object the directory cannot store
  (e.g. a name too long, a waitlist without an expected wait) rolls everything back, with the same kind of report.
- HSDS ids become our primary keys: importing the same data again updates those rows, and writes nothing when
  nothing changed (so `modified_at`, and the API's `modified_after`, stay true).
- A new institution needs a voivodeship: the one given (`voivodeship_code`), else the voivodeship named in its
  first address's `state_province`, else the first voivodeship by TERYT code. Its sector and kind are "other" unless
  it carries a term of our `sectors` taxonomy. Existing institutions keep their territory, sector and kind.
- Taxonomy terms are matched by id, then by code within their taxonomy; unknown ones are created in their taxonomy
  (matched by id or name, created if unknown; terms that name none go to the "imported" taxonomy). Terms of our
  `capacity-status` taxonomy set the service's capacity (the attribute's value: the date it was confirmed).
- Sub-objects we keep as plain fields are folded in: the first phone, languages (codes), cost options (free or
  not), schedules (as opening-hours text), the REGON identifier, the institution's seat location (see hsds.py).
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.text import slugify
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from kooperacja.core.services import audit_record
from kooperacja.directory.hsds import CAPACITY_TAXONOMY, SECTORS_TAXONOMY, seat_location_id
from kooperacja.directory.models import (
    CapacityStatus,
    Institution,
    InstitutionKind,
    Location,
    Sector,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from kooperacja.directory.text import normalise
from kooperacja.territory.models import Gmina, Voivodeship

SPEC = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
BUILT_IN_TAXONOMIES = {"cus-domains", SECTORS_TAXONOMY, CAPACITY_TAXONOMY}
IMPORTED_TAXONOMY_ID = uuid.uuid5(uuid.UUID("6f1c2a8e-4b7d-4c55-9a0e-3f7b1d2c9e10"), "imported")
MAX_PROBLEMS = 200

# Processing order: what others refer to comes first.
KINDS = ["taxonomy", "taxonomy_term", "organization", "location", "service", "service_at_location"]
SCHEMA_OF = {kind: f"{kind}.json" for kind in KINDS}
TABLE_HINTS = [
    ("service_at_location", "service_at_location"),
    ("taxonomy_term", "taxonomy_term"),
    ("taxonom", "taxonomy"),
    ("organization", "organization"),
    ("organisation", "organization"),
    ("service", "service"),
    ("location", "location"),
]


class HsdsImportError(Exception):
    """The input cannot be imported; `problems` says where and why. Nothing was changed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Item:
    kind: str
    source: str
    path: str
    data: dict[str, Any]

    def where(self, suffix: str = "") -> str:
        return f"{self.source}: {self.path}{suffix}"


@dataclass
class ImportSummary:
    files: int = 0
    objects: int = 0
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        entities = sorted({entity for entity, _ in self.counts})
        return [
            f"{entity}: created {self.counts[entity, 'created']}, updated {self.counts[entity, 'updated']}, "
            f"unchanged {self.counts[entity, 'unchanged']}"
            for entity in entities
        ]


# --- reading and recognising ----------------------------------------------------------------------------------------


def _json_path(parts: Iterator[Any] | list[Any], base: str = "$") -> str:
    return base + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)


def _hint(name: str) -> str | None:
    stem = Path(name).stem.lower()
    for prefix, kind in TABLE_HINTS:
        if stem.startswith(prefix):
            return kind
    return None


def _kind_of(obj: dict[str, Any], hint: str | None) -> str:
    if "status" in obj or "service_at_locations" in obj or isinstance(obj.get("organization"), dict):
        return "service"
    if isinstance(obj.get("service"), dict) or isinstance(obj.get("location"), dict):
        return "service_at_location"
    if "location_type" in obj or "addresses" in obj:
        return "location"
    if any(key in obj for key in ("taxonomy_detail", "taxonomy_id", "parent_id", "term_uri", "taxonomy")):
        return "taxonomy_term"
    if hint is not None:
        return hint
    if "version" in obj and set(obj) <= {"id", "name", "description", "uri", "version", "metadata"}:
        return "taxonomy"
    return "organization"


def _rows(tables: dict[str, Any], name: str) -> list[dict[str, Any]]:
    rows = tables.get(name, [])
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


@cache
def _string_fields_of_tables(schema_dir: Path) -> dict[str, frozenset[str]]:
    """For each CSV table of the tabular form (e.g. "services.csv"), the fields its schema types as strings."""
    out = {}
    for file in schema_dir.glob("*.json"):
        schema = _schema(schema_dir, file.name)
        if isinstance(schema.get("path"), str) and isinstance(schema.get("properties"), dict):
            out[schema["path"]] = frozenset(
                name for name, prop in schema["properties"].items() if prop.get("type") == "string"
            )
    return out


def _string_fields(schema_dir: Path | None) -> Callable[[str], Collection[str]]:
    """Which fields of a CSV table are strings: by the schemas when given, else every field the importer reads as
    text (the same names in every table)."""
    if schema_dir is None:
        return lambda table: TEXT_FIELDS
    tables = _string_fields_of_tables(schema_dir)
    return lambda table: tables.get(table, ())


def _nest_tabular(
    tables: dict[str, Any], strings: Callable[[str], Collection[str]]
) -> list[tuple[str, str, dict[str, Any]]]:
    """The tabular form (one array per CSV table, linked by ids) rebuilt as nested objects.

    CSV cells carry no types: a number in a field the schema types as a string (e.g. an identifier) is read as text.
    """
    tables = {
        name: [
            {
                key: str(value) if key in strings(name) and isinstance(value, (int, float)) else value
                for key, value in row.items()
            }
            if isinstance(row, dict)
            else row
            for row in rows
        ]
        if isinstance(rows, list)
        else rows
        for name, rows in tables.items()
    }

    def by(name: str, key: str) -> dict[str, list[dict[str, Any]]]:
        index: dict[str, list[dict[str, Any]]] = {}
        for row in _rows(tables, name):
            if row.get(key):
                index.setdefault(str(row[key]), []).append(row)
        return index

    taxonomies = {str(row.get("id")): row for row in _rows(tables, "taxonomies.csv")}
    terms = {}
    for row in _rows(tables, "taxonomy_terms.csv"):
        term = dict(row)
        if str(term.get("taxonomy_id")) in taxonomies:
            term["taxonomy_detail"] = taxonomies[str(term["taxonomy_id"])]
        terms[str(term.get("id"))] = term
    attributes = by("attributes.csv", "link_id")
    addresses, accessibility = by("addresses.csv", "location_id"), by("accessibility.csv", "location_id")
    schedules_of_location = by("schedules.csv", "location_id")
    phones_of_location, phones_of_org = by("phones.csv", "location_id"), by("phones.csv", "organization_id")
    phones_of_service = by("phones.csv", "service_id")
    languages, costs = by("languages.csv", "service_id"), by("cost_options.csv", "service_id")
    identifiers = by("organization_identifiers.csv", "organization_id")
    links = by("service_at_location.csv", "service_id")
    service_areas = by("service_areas.csv", "service_id")

    def with_terms(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for row in rows:
            attribute = dict(row)
            term = terms.get(str(row.get("taxonomy_term_id")))
            if term is not None:
                attribute["taxonomy_term"] = term
            out.append(attribute)
        return out

    def location(row: dict[str, Any]) -> dict[str, Any]:
        key = str(row.get("id"))
        return {
            **row,
            "addresses": addresses.get(key, []),
            "accessibility": accessibility.get(key, []),
            "schedules": schedules_of_location.get(key, []),
            "phones": phones_of_location.get(key, []),
        }

    locations = {str(row.get("id")): location(row) for row in _rows(tables, "locations.csv")}
    locations_of_org: dict[str, list[dict[str, Any]]] = {}
    for row in locations.values():
        if row.get("organization_id"):
            locations_of_org.setdefault(str(row["organization_id"]), []).append(row)

    def service(row: dict[str, Any]) -> dict[str, Any]:
        key = str(row.get("id"))
        return {
            **row,
            "phones": phones_of_service.get(key, []),
            "languages": languages.get(key, []),
            "cost_options": costs.get(key, []),
            "service_areas": service_areas.get(key, []),
            "attributes": with_terms(attributes.get(key, [])),
            "service_at_locations": [
                {
                    **link,
                    **(
                        {"location": locations[str(link["location_id"])]}
                        if str(link.get("location_id")) in locations
                        else {}
                    ),
                }
                for link in links.get(key, [])
            ],
        }

    organization_ids = {str(row.get("id")) for row in _rows(tables, "organizations.csv")}
    services_of_org: dict[str, list[dict[str, Any]]] = {}
    loose_services = []
    for row in _rows(tables, "services.csv"):
        if str(row.get("organization_id")) in organization_ids:
            services_of_org.setdefault(str(row["organization_id"]), []).append(service(row))
        else:
            loose_services.append(service(row))
    out: list[tuple[str, str, dict[str, Any]]] = []
    out += [("taxonomy", f"$['taxonomies.csv'][{i}]", row) for i, row in enumerate(taxonomies.values())]
    out += [("taxonomy_term", f"$['taxonomy_terms.csv'][{i}]", row) for i, row in enumerate(terms.values())]
    for i, row in enumerate(_rows(tables, "organizations.csv")):
        key = str(row.get("id"))
        organization = {
            **row,
            "phones": phones_of_org.get(key, []),
            "organization_identifiers": identifiers.get(key, []),
            "attributes": with_terms(attributes.get(key, [])),
            "locations": locations_of_org.get(key, []),
            "services": services_of_org.get(key, []),
        }
        out.append(("organization", f"$['organizations.csv'][{i}]", organization))
    out += [("service", f"$['services.csv'] (id {row.get('id')})", row) for row in loose_services]
    return out


def read_items(path: Path, schema_dir: Path | None = None) -> tuple[list[Item], list[str], int]:
    """The objects of a file or of a directory's *.json files, with their kind; and the problems of reading."""
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    items: list[Item] = []
    problems: list[str] = []
    for file in files:
        source = file.name
        try:
            document = json.loads(file.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{source}: cannot read the file ({exc.__class__.__name__})")
            continue
        except json.JSONDecodeError as exc:
            problems.append(f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")
            continue
        hint = _hint(source)
        if isinstance(document, dict) and document and all(str(key).endswith(".csv") for key in document):
            items += [
                Item(kind, source, where, data)
                for kind, where, data in _nest_tabular(document, _string_fields(schema_dir))
            ]
            continue
        if isinstance(document, dict) and "openapi_url" in document and "id" not in document:
            continue  # the API's root document: nothing to import
        if isinstance(document, dict) and isinstance(document.get("contents"), list):
            entries, base = document["contents"], "$.contents"
        elif isinstance(document, list):
            entries, base = document, "$"
        else:
            entries, base = [document], None
        for index, entry in enumerate(entries):
            where = f"{base}[{index}]" if base else "$"
            if not isinstance(entry, dict):
                problems.append(f"{source}: {where}: expected an HSDS object, found {type(entry).__name__}")
                continue
            items.append(Item(_kind_of(entry, hint), source, where, entry))
    if not files:
        problems.append(f"{path}: no *.json file here")
    return items, problems, len(files)


# --- validation -----------------------------------------------------------------------------------------------------


@cache
def _schema(schema_dir: Path, name: str) -> Any:
    return json.loads((schema_dir / name).read_text(encoding="utf-8"))


def missing_schemas(schema_dir: Path) -> list[str]:
    """The schema files validation needs (those of the objects imported, and what they refer to) that `schema_dir`
    lacks or cannot parse; empty when it is a usable HSDS 3.0 `schema/` directory."""
    missing: list[str] = []
    seen: set[str] = set()
    todo = list(SCHEMA_OF.values())
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            schema = _schema(schema_dir, name)
        except (OSError, ValueError):
            missing.append(name)
            continue
        todo += [ref.split("#", 1)[0].rsplit("/", 1)[-1] for ref in _refs(schema) if not ref.startswith("#")]
    return sorted(missing)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


@cache
def _validator(schema_dir: Path, kind: str) -> Draft202012Validator:
    def retrieve(uri: str) -> Resource:
        return Resource.from_contents(_schema(schema_dir, uri.rsplit("/", 1)[-1]), default_specification=DRAFT202012)

    registry: Registry = Registry(retrieve=retrieve)  # type: ignore[call-arg]
    return Draft202012Validator({"$ref": SPEC + SCHEMA_OF[kind]}, registry=registry, format_checker=FormatChecker())


def _schema_problems(schema_dir: Path, kind: str, data: Any, where: str) -> list[str]:
    return [
        f"{where}{_json_path(error.absolute_path, '')}: {error.message}"
        for error in sorted(
            _validator(schema_dir, kind).iter_errors(data), key=lambda e: list(map(str, e.absolute_path))
        )
    ]


def validate_items(items: list[Item], schema_dir: Path | None) -> list[str]:
    """Schema errors of every object, nested services included (the un-compiled organization schema omits them);
    without `schema_dir`, the structural checks of what the importer maps."""
    if schema_dir is None:
        return [problem for item in items for problem in structure_problems(item.kind, item.data, item.where())]
    problems: list[str] = []
    for item in items:
        problems += _schema_problems(schema_dir, item.kind, item.data, item.where())
        nested: list[tuple[str, Any, str]] = []
        if item.kind == "organization" and isinstance(item.data.get("services"), list):
            nested = [("service", s, f".services[{i}]") for i, s in enumerate(item.data["services"])]
        if item.kind == "service_at_location" and isinstance(item.data.get("service"), dict):
            nested = [("service", item.data["service"], ".service")]
        for kind, data, suffix in nested:
            problems += _schema_problems(schema_dir, kind, data, item.where(suffix))
    return problems


# --- structural checks (without the schemas) --------------------------------------------------------------------------

# What the importer reads of each HSDS object: its required fields, and each field's type — "string", "number",
# "uuid" (a string holding a UUID), another shape ("@location"), or a list of them ("[]phone").
STR, NUM, UUID = "string", "number", "uuid"
SHAPES: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "taxonomy": (("id", "name"), {"id": UUID, "name": STR, "description": STR, "uri": STR, "version": STR}),
    "taxonomy_term": (
        ("id", "name"),
        {
            "id": UUID,
            "name": STR,
            "code": STR,
            "description": STR,
            "language": STR,
            "term_uri": STR,
            "parent_id": UUID,
            "taxonomy_id": UUID,
            "taxonomy": STR,
            "taxonomy_detail": "@taxonomy",
        },
    ),
    "attribute": ((), {"taxonomy_term": "@taxonomy_term", "taxonomy_term_id": UUID, "value": STR}),
    "phone": ((), {"number": STR}),
    "organization_identifier": ((), {"identifier": STR, "identifier_type": STR, "identifier_scheme": STR}),
    "address": (
        (),
        dict.fromkeys(("address_1", "address_2", "postal_code", "city", "state_province", "address_type"), STR),
    ),
    "accessibility": ((), {"description": STR, "details": STR}),
    "schedule": ((), dict.fromkeys(("description", "byday", "opens_at", "closes_at"), STR)),
    "language": ((), {"code": STR, "name": STR}),
    "cost_option": ((), {"option": STR, "amount": NUM, "amount_description": STR}),
    "service_area": ((), {"extent": STR}),
    "organization": (
        ("id", "name"),
        {
            "id": UUID,
            **dict.fromkeys(("name", "alternate_name", "description", "email", "website"), STR),
            "phones": "[]phone",
            "organization_identifiers": "[]organization_identifier",
            "attributes": "[]attribute",
            "locations": "[]location",
            "services": "[]service",
        },
    ),
    "location": (
        ("id",),
        {
            "id": UUID,
            "organization_id": UUID,
            **dict.fromkeys(("name", "alternate_name", "description"), STR),
            "latitude": NUM,
            "longitude": NUM,
            "addresses": "[]address",
            "accessibility": "[]accessibility",
            "schedules": "[]schedule",
        },
    ),
    "service": (
        ("id", "name", "status"),
        {
            "id": UUID,
            **dict.fromkeys(
                (
                    "name",
                    "alternate_name",
                    "description",
                    "url",
                    "email",
                    "status",
                    "application_process",
                    "eligibility_description",
                    "fees_description",
                    "fees",
                    "wait_time",
                ),
                STR,
            ),
            "organization": "@organization",
            "organization_id": UUID,
            "minimum_age": NUM,
            "maximum_age": NUM,
            "phones": "[]phone",
            "languages": "[]language",
            "cost_options": "[]cost_option",
            "service_areas": "[]service_area",
            "attributes": "[]attribute",
            "service_at_locations": "[]service_at_location",
        },
    ),
    "service_at_location": (
        ("id",),
        {
            "id": UUID,
            "description": STR,
            "service": "@service",
            "service_id": UUID,
            "location": "@location",
            "location_id": UUID,
        },
    ),
}
TEXT_FIELDS = frozenset(name for _, fields in SHAPES.values() for name, kind in fields.items() if kind in (STR, UUID))
UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def structure_problems(shape: str, data: Any, where: str) -> list[str]:
    """Problems of `data` as the HSDS object `shape`, as far as the importer reads it, in the schema errors' words.
    Optional fields may be absent or null; unknown fields are ignored."""
    if not isinstance(data, dict):
        return [f"{where}: {_short(data)} is not of type 'object'"]
    required, fields = SHAPES[shape]
    problems = [f"{where}: {name!r} is a required property" for name in required if name not in data]
    for name, kind in fields.items():
        value, at = data.get(name), f"{where}.{name}"
        if name not in data or (value is None and name not in required):
            continue
        if kind.startswith("[]"):
            if not isinstance(value, list):
                problems.append(f"{at}: {_short(value)} is not of type 'array'")
                continue
            for index, entry in enumerate(value):
                problems += structure_problems(kind[2:], entry, f"{at}[{index}]")
        elif kind.startswith("@"):
            problems += structure_problems(kind[1:], value, at)
        elif kind == NUM:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                problems.append(f"{at}: {_short(value)} is not of type 'number'")
        elif not isinstance(value, str):
            problems.append(f"{at}: {_short(value)} is not of type 'string'")
        elif kind == UUID and not UUID_TEXT.fullmatch(value):
            problems.append(f"{at}: {_short(value)} is not a 'uuid'")
    return problems


# --- writing --------------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return str(value).strip() if value not in (None, "") else ""


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _id(data: dict[str, Any]) -> uuid.UUID:
    """The object's own id; validation (by the schemas or by `structure_problems`) has checked it is a UUID."""
    return uuid.UUID(str(data.get("id")))


def _first_address(locations: list[Any]) -> dict[str, Any] | None:
    addresses = [a for loc in locations if isinstance(loc, dict) for a in loc.get("addresses") or []]
    physical = [a for a in addresses if a.get("address_type") == "physical"]
    return (physical or addresses or [None])[0]


def _address_fields(address: dict[str, Any] | None) -> dict[str, str]:
    if not address:
        return {}
    street = ", ".join(p for p in (_text(address.get("address_1")), _text(address.get("address_2"))) if p)
    postal, city = _text(address.get("postal_code")), _text(address.get("city"))
    if postal and not re.fullmatch(r"\d{2}-\d{3}", postal):
        # Our postal code is the Polish NN-NNN; a foreign one stays with the town, as it is written there.
        city, postal = f"{postal} {city}".strip(), ""
    return {"street": street, "postal_code": postal, "city": city}


def _opening_hours(schedules: Any) -> str:
    lines = []
    for schedule in schedules or []:
        text = _text(schedule.get("description"))
        if not text:
            days = _text(schedule.get("byday"))
            hours = "–".join(h for h in (_text(schedule.get("opens_at")), _text(schedule.get("closes_at"))) if h)
            text = " ".join(part for part in (days, hours) if part)
        if text:
            lines.append(text)
    return "\n".join(lines)


def _whole_number(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and float(value).is_integer() and value >= 0:
        return int(value)
    raise ValueError("must be a whole number of years, 0 or more")


def _wait_days(text: str) -> int | None:
    match = re.fullmatch(r"P(\d+)([DW])", text.strip().upper())
    if match is None:
        return None
    return int(match.group(1)) * (7 if match.group(2) == "W" else 1)


class _Writer:
    def __init__(self, summary: ImportSummary, voivodeship: Voivodeship | None) -> None:
        self.summary = summary
        self.voivodeship = voivodeship
        self.problems: list[str] = []
        self.fallback_voivodeship: Voivodeship | None = None
        self.voivodeships = {normalise(v.name).removeprefix("wojewodztwo "): v for v in Voivodeship.objects.all()}
        self.built_in = {
            t.pk: t
            for t in TaxonomyTerm.objects.filter(taxonomy__code__in=BUILT_IN_TAXONOMIES).select_related("taxonomy")
        }

    # -- helpers

    def _save(self, entity: str, obj: models.Model, values: dict[str, Any], created: bool, where: str) -> str | None:
        """Apply `values`, validate, save when new or changed: "created", "updated" or "unchanged"; None (and a
        problem) when the directory refuses the object."""
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        for name, value in values.items():
            setattr(obj, name, value)
        if not created and not changed:
            self.summary.counts[entity, "unchanged"] += 1
            return "unchanged"
        try:
            obj.full_clean()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                label = "" if name == "__all__" else f" ({name})"
                self.problems += [f"{where}{label}: {message}" for message in messages]
            return None
        obj.save()
        outcome = "created" if created else "updated"
        self.summary.counts[entity, outcome] += 1
        self._audit(obj, created, changed)
        return outcome

    def _audit(self, obj: models.Model, created: bool, changed: list[str]) -> None:
        audit_record(
            actor=None,
            action="directory.hsds_import",
            target=obj,
            data={"created": created, "fields": [] if created else sorted(changed)},
        )

    def _voivodeship_for(self, data: dict[str, Any]) -> Voivodeship:
        if self.voivodeship is not None:
            return self.voivodeship
        address = _first_address(data.get("locations") or [])
        if address is not None:
            named = normalise(_text(address.get("state_province"))).removeprefix("wojewodztwo ")
            if named in self.voivodeships:
                return self.voivodeships[named]
        if self.fallback_voivodeship is None:
            self.fallback_voivodeship = Voivodeship.objects.order_by("code").first()
            if self.fallback_voivodeship is None:
                raise HsdsImportError(
                    [
                        "The territory is empty, and every institution needs a voivodeship: load TERYT first "
                        "(manage.py import_teryt FILE, or the demo), then import again."
                    ]
                )
            self.summary.notes.append(
                f"Institutions with no recognisable voivodeship were placed in {self.fallback_voivodeship.name} "
                f"({self.fallback_voivodeship.code}); use --voivodeship to choose."
            )
        return self.fallback_voivodeship

    # -- taxonomies

    def taxonomy(self, data: dict[str, Any], where: str) -> Taxonomy | None:
        pk = _id(data)
        taxonomy = Taxonomy.objects.filter(pk=pk).first()
        if taxonomy is not None and taxonomy.code in BUILT_IN_TAXONOMIES:
            self.summary.counts["taxonomy", "unchanged"] += 1
            return taxonomy
        name = _text(data.get("name"))
        if taxonomy is None:
            same_name = Taxonomy.objects.filter(name=name).first()
            if same_name is not None:
                self.summary.counts["taxonomy", "unchanged"] += 1
                return same_name
        created = taxonomy is None
        if taxonomy is None:
            taxonomy = Taxonomy(id=pk, code=self._taxonomy_code(name))
        values = {
            "name": name,
            "description": _text(data.get("description")),
            "uri": _text(data.get("uri")),
            "version": _text(data.get("version")),
        }
        return taxonomy if self._save("taxonomy", taxonomy, values, created, where) else None

    def _taxonomy_code(self, name: str) -> str:
        base = (slugify(name)[:50] or "taxonomy").strip("-")
        code, n = base, 1
        while Taxonomy.objects.filter(code=code).exists():
            n += 1
            code = f"{base}-{n}"
        return code

    def _taxonomy_of_term(self, data: dict[str, Any], where: str) -> Taxonomy | None:
        detail = data.get("taxonomy_detail")
        if isinstance(detail, dict):
            return self.taxonomy(detail, f"{where}.taxonomy_detail")
        pk = _uuid(data.get("taxonomy_id"))
        if pk and (found := Taxonomy.objects.filter(pk=pk).first()):
            return found
        name = _text(data.get("taxonomy"))
        if name:
            # Known by its name, else created under the id the term gives it (or one derived from the name).
            return Taxonomy.objects.filter(name=name).first() or self.taxonomy(
                {"id": str(pk or uuid.uuid5(IMPORTED_TAXONOMY_ID, name)), "name": name, "description": ""}, where
            )
        return Taxonomy.objects.filter(pk=IMPORTED_TAXONOMY_ID).first() or self.taxonomy(
            {
                "id": str(IMPORTED_TAXONOMY_ID),
                "name": "Terminy zaimportowane (HSDS)",
                "description": "Terms imported from HSDS data that named no taxonomy.",
            },
            where,
        )

    def term(self, data: dict[str, Any], where: str) -> TaxonomyTerm | None:
        pk = _id(data)
        if pk in self.built_in:
            return self.built_in[pk]
        term = TaxonomyTerm.objects.filter(pk=pk).first()
        taxonomy = self._taxonomy_of_term(data, where) if term is None or term.taxonomy_id is None else term.taxonomy
        if taxonomy is None:
            return None
        code = _text(data.get("code"))[:100]
        if term is None and code:
            term = TaxonomyTerm.objects.filter(taxonomy=taxonomy, code=code).first()
            if term is not None:
                self.summary.counts["taxonomy_term", "unchanged"] += 1
                return term
        created = term is None
        if term is None:
            term = TaxonomyTerm(id=pk, taxonomy=taxonomy)
        parent_id = _uuid(data.get("parent_id"))
        values = {
            "code": code,
            "name": _text(data.get("name")),
            "description": _text(data.get("description")),
            "language": _text(data.get("language"))[:12],
            "term_uri": _text(data.get("term_uri")),
            "parent_id": parent_id if parent_id and TaxonomyTerm.objects.filter(pk=parent_id).exists() else None,
        }
        return term if self._save("taxonomy_term", term, values, created, where) else None

    def _attribute_terms(self, data: dict[str, Any], where: str) -> list[tuple[TaxonomyTerm, str]]:
        found = []
        for index, attribute in enumerate(data.get("attributes") or []):
            at = f"{where}.attributes[{index}]"
            term: TaxonomyTerm | None = None
            if isinstance(attribute.get("taxonomy_term"), dict):
                term = self.term(attribute["taxonomy_term"], f"{at}.taxonomy_term")
            elif pk := _uuid(attribute.get("taxonomy_term_id")):
                term = self.built_in.get(pk) or TaxonomyTerm.objects.filter(pk=pk).first()
                if term is None:
                    self.problems.append(f"{at}.taxonomy_term_id: no taxonomy term {pk} in the input or the directory")
            if term is not None:
                found.append((term, _text(attribute.get("value"))))
        return found

    # -- organizations and locations

    def organization(self, data: dict[str, Any], where: str) -> Institution | None:
        pk = _id(data)
        institution = Institution.objects.select_related("voivodeship").filter(pk=pk).first()
        created = institution is None
        if institution is None:
            institution = Institution(
                id=pk, sector=Sector.OTHER, kind=InstitutionKind.OTHER, voivodeship=self._voivodeship_for(data)
            )
        seat_id = uuid.UUID(seat_location_id(pk))
        locations = [loc for loc in data.get("locations") or [] if isinstance(loc, dict)]
        seat = [loc for loc in locations if _uuid(loc.get("id")) == seat_id]
        phones = data.get("phones") or []
        regon = [
            _text(i.get("identifier"))
            for i in data.get("organization_identifiers") or []
            if "REGON" in f"{i.get('identifier_type', '')} {i.get('identifier_scheme', '')}".upper()
        ]
        values: dict[str, Any] = {
            "name": _text(data.get("name")),
            "short_name": _text(data.get("alternate_name")),
            "description": _text(data.get("description")),
            "email": _text(data.get("email")),
            "website": _text(data.get("website")),
            "phone": _text(phones[0].get("number")) if phones else institution.phone,
            "regon": regon[0] if regon else institution.regon,
        }
        if seat:
            values |= _address_fields(_first_address(seat)) | {
                "opening_hours": _opening_hours(seat[0].get("schedules"))
            }
        for term, _value in self._attribute_terms(data, where):
            if term.taxonomy is not None and term.taxonomy.code == SECTORS_TAXONOMY and term.code in Sector.values:
                values["sector"] = term.code
        if not self._save("organization", institution, values, created, where):
            return None
        for index, location in enumerate(locations):
            if _uuid(location.get("id")) != seat_id:
                self.location(location, institution, f"{where}.locations[{index}]")
        for index, service in enumerate(data.get("services") or []):
            self.service(service, f"{where}.services[{index}]", institution=institution)
        return institution

    def _institution(self, pk: Any, where: str) -> Institution | None:
        key = _uuid(pk)
        found = Institution.objects.filter(pk=key).first() if key else None
        if found is None:
            self.problems.append(f"{where}: organization {pk} is neither in the input nor in the directory")
        return found

    def location(self, data: dict[str, Any], institution: Institution | None, where: str) -> Location | None:
        pk = _id(data)
        location = Location.objects.filter(pk=pk).first()
        if institution is None:
            if data.get("organization_id"):
                institution = self._institution(data["organization_id"], f"{where}.organization_id")
            elif location is not None:
                institution = location.institution
            else:
                self.problems.append(f"{where}: a location needs the organization it belongs to (organization_id)")
            if institution is None:
                return None
        created = location is None
        if location is None:
            location = Location(id=pk)
        addresses = [a for a in data.get("addresses") or [] if isinstance(a, dict)]
        address = _first_address([data]) if addresses else None
        name = _text(data.get("name")) or _text(data.get("alternate_name"))
        name = name or (_text(address.get("address_1")) if address else "") or institution.name
        latitude, longitude = data.get("latitude"), data.get("longitude")
        values = {
            "institution_id": institution.pk,
            "name": name,
            "description": _text(data.get("description")),
            **{"street": "", "postal_code": "", "city": ""},
            **_address_fields(address),
            "latitude": Decimal(str(round(latitude, 6))) if latitude is not None else None,
            "longitude": Decimal(str(round(longitude, 6))) if longitude is not None else None,
            "accessibility": "\n".join(
                text
                for a in data.get("accessibility") or []
                for text in (_text(a.get("description")), _text(a.get("details")))
                if text
            ),
            "opening_hours": _opening_hours(data.get("schedules")),
        }
        return location if self._save("location", location, values, created, where) else None

    # -- services

    def service(self, data: dict[str, Any], where: str, institution: Institution | None = None) -> Service | None:
        if institution is None:
            if isinstance(data.get("organization"), dict):
                institution = self.organization(data["organization"], f"{where}.organization")
            elif data.get("organization_id"):
                institution = self._institution(data["organization_id"], f"{where}.organization_id")
            else:
                self.problems.append(f"{where}: a service needs its organization (organization or organization_id)")
            if institution is None:
                return None
        pk = _id(data)
        service = Service.objects.filter(pk=pk).first()
        created = service is None
        if service is None:
            service = Service(id=pk)
        values: dict[str, Any] = {
            "institution_id": institution.pk,
            "name": _text(data.get("name")),
            "alternate_name": _text(data.get("alternate_name")),
            "description": _text(data.get("description")),
            "url": _text(data.get("url")),
            "email": _text(data.get("email")),
            "status": _text(data.get("status")),
            "application_process": _text(data.get("application_process")),
            "eligibility_description": _text(data.get("eligibility_description")),
            "fees_description": _text(data.get("fees_description")) or _text(data.get("fees")),
        }
        try:
            values["minimum_age"] = _whole_number(data.get("minimum_age"))
            values["maximum_age"] = _whole_number(data.get("maximum_age"))
        except ValueError as exc:
            self.problems.append(f"{where}.minimum_age/maximum_age: {exc}")
            return None
        phones = data.get("phones") or []
        values["phone"] = _text(phones[0].get("number")) if phones else ""
        codes = [_text(lang.get("code")) or _text(lang.get("name")) for lang in data.get("languages") or []]
        values["languages"] = ", ".join(code for code in codes if code)
        costs = data.get("cost_options") or []
        paid = any((c.get("amount") or 0) > 0 for c in costs) or any(
            _text(c.get("option")).lower() not in ("", "free of charge", "free", "bezpłatna") for c in costs
        )
        values["is_free"] = not (paid or (not costs and values["fees_description"]))
        if not values["fees_description"]:
            values["fees_description"] = "\n".join(
                _text(c.get("amount_description")) for c in costs if c.get("amount_description")
            )
        values["expected_wait_days"] = _wait_days(_text(data.get("wait_time")))
        terms = []
        for term, value in self._attribute_terms(data, where):
            taxonomy_code = term.taxonomy.code if term.taxonomy is not None else ""
            if taxonomy_code == CAPACITY_TAXONOMY and term.code in CapacityStatus.values:
                values["capacity_status"] = term.code
                confirmed = parse_date(value) if value else None
                if confirmed is not None:
                    values["capacity_confirmed_at"] = timezone.make_aware(datetime.combine(confirmed, time.min))
            elif taxonomy_code != SECTORS_TAXONOMY:
                terms.append(term)
        outcome = self._save("service", service, values, created, where)
        if outcome is None:
            return None
        relations_changed = False
        if {t.pk for t in service.terms.all()} != {t.pk for t in terms}:
            service.terms.set(terms)
            relations_changed = True
        gmina_codes = [_text(area.get("extent")) for area in data.get("service_areas") or []]
        gminy = list(Gmina.objects.filter(code__in=[c for c in gmina_codes if re.fullmatch(r"\d{7}", c)]))
        if gminy and {g.pk for g in service.eligible_gminy.all()} != {g.pk for g in gminy}:
            service.eligible_gminy.set(gminy)
            relations_changed = True
        if relations_changed and outcome == "unchanged":
            # Only its terms or gminy changed: still a change of the service, for `modified_after` and the audit.
            service.save(update_fields=["modified_at"])
            self.summary.counts["service", "unchanged"] -= 1
            self.summary.counts["service", "updated"] += 1
            self._audit(service, False, ["terms/eligible_gminy"])
        for index, link in enumerate(data.get("service_at_locations") or []):
            self.service_at_location(link, f"{where}.service_at_locations[{index}]", service=service)
        return service

    def service_at_location(self, data: dict[str, Any], where: str, service: Service | None = None) -> None:
        if service is None:
            if isinstance(data.get("service"), dict):
                service = self.service(data["service"], f"{where}.service")
            elif pk := _uuid(data.get("service_id")):
                service = Service.objects.filter(pk=pk).first()
                if service is None:
                    self.problems.append(
                        f"{where}.service_id: service {pk} is neither in the input nor in the directory"
                    )
            else:
                self.problems.append(f"{where}: a service at a location needs its service")
            if service is None:
                return
        institution = Institution.objects.get(pk=service.institution_id)
        location: Location | None = None
        if isinstance(data.get("location"), dict):
            owner = institution
            if (org := _uuid(data["location"].get("organization_id"))) and org != institution.pk:
                # A location of another organization; if that one is unknown, the service's organization keeps it.
                owner = Institution.objects.filter(pk=org).first() or institution
                if owner is institution:
                    self.summary.notes.append(
                        f"{where}.location: organization {org} is unknown; the location was given to the "
                        "organization of its service."
                    )
            location = self.location(data["location"], owner, f"{where}.location")
        elif pk := _uuid(data.get("location_id")):
            location = Location.objects.filter(pk=pk).first()
            if location is None:
                self.problems.append(f"{where}.location_id: location {pk} is neither in the input nor in the directory")
        else:
            self.problems.append(f"{where}: a service at a location needs its location")
        if location is None:
            return
        pk = _id(data)
        link = (
            ServiceAtLocation.objects.filter(pk=pk).first()
            or ServiceAtLocation.objects.filter(service=service, location=location).first()
        )
        created = link is None
        if link is None:
            link = ServiceAtLocation(id=pk)
        values = {"service_id": service.pk, "location_id": location.pk, "description": _text(data.get("description"))}
        self._save("service_at_location", link, values, created, where)

    def write(self, item: Item) -> None:
        where = item.where()
        if item.kind == "taxonomy":
            self.taxonomy(item.data, where)
        elif item.kind == "taxonomy_term":
            self.term(item.data, where)
        elif item.kind == "organization":
            self.organization(item.data, where)
        elif item.kind == "location":
            self.location(item.data, None, where)
        elif item.kind == "service":
            self.service(item.data, where)
        else:
            self.service_at_location(item.data, where)


def hsds_import(*, path: Path, voivodeship_code: str | None = None, schema_dir: Path | None = None) -> ImportSummary:
    """Import HSDS 3.0 JSON from a file or a directory: validated first, then written all or nothing.

    `schema_dir`: an HSDS 3.0 `schema/` directory (see `missing_schemas`) to validate against; None: structural
    checks only. Raises HsdsImportError (with file, JSON path and message of each problem) and changes nothing when
    anything is wrong."""
    items, problems, files = read_items(path, schema_dir)
    problems += validate_items(items, schema_dir)
    if problems:
        raise HsdsImportError(problems[:MAX_PROBLEMS])
    voivodeship = None
    if voivodeship_code:
        voivodeship = Voivodeship.objects.filter(code=voivodeship_code).first()
        if voivodeship is None:
            raise HsdsImportError([f"No voivodeship with TERYT code {voivodeship_code!r}."])
    summary = ImportSummary(files=files, objects=len(items))
    items.sort(key=lambda item: KINDS.index(item.kind))
    with transaction.atomic():
        writer = _Writer(summary, voivodeship)
        for item in items:
            writer.write(item)
        if writer.problems:
            raise HsdsImportError(writer.problems[:MAX_PROBLEMS])
    return summary
