"""Validation against the published HSDS 3.0 schemas (../shared/standards/hsds-3.0), used by the HSDS tests.

`$ref`s name the specification's public URLs; they are resolved to the local copies by their last path segment
(compiled/… to schema/compiled/, the rest to schema/). Formats are checked too: uuid, email, and (with the small
checkers below, as the optional format libraries are not installed) uri and date-time.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
OPENAPI = SPEC + "openapi.json"
ENVELOPE_KEYS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}

FORMATS = FormatChecker()


@FORMATS.checks("uri", raises=ValueError)
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.scheme in ("mailto", "urn", "tel")))


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None


@cache
def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def schema_dir(shared_dir: Path) -> Path:
    return shared_dir / "standards" / "hsds-3.0" / "schema"


def registry(shared_dir: Path) -> Registry:
    base = schema_dir(shared_dir)

    def retrieve(uri: str) -> Resource:
        name = uri.rsplit("/", 1)[-1]
        path = base / "compiled" / name if "/compiled/" in uri else base / name
        return Resource.from_contents(_load(path), default_specification=DRAFT202012)

    return Registry(retrieve=retrieve)  # type: ignore[call-arg]


def errors(shared_dir: Path, ref: str, instance: Any) -> list[str]:
    """Every schema error of `instance` against `ref` (a spec URL, possibly with a JSON-pointer fragment)."""
    validator = Draft202012Validator({"$ref": ref}, registry=registry(shared_dir), format_checker=FORMATS)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in validator.iter_errors(instance)
    ]


def assert_valid(shared_dir: Path, ref: str, instance: Any) -> None:
    problems = errors(shared_dir, ref, instance)
    assert not problems, "\n".join(problems[:20])


def assert_detail(shared_dir: Path, schema: str, body: Any) -> None:
    """`schema`: e.g. "compiled/service.json" or "taxonomy.json"."""
    assert_valid(shared_dir, SPEC + schema, body)


def assert_page(shared_dir: Path, path: str, item_schema: str, body: Any) -> None:
    """The envelope against the 200 response of `path` in openapi.json (the Page allOf), each item against its
    schema, and every envelope field present."""
    pointer = (
        "/paths/" + path.replace("~", "~0").replace("/", "~1") + "/get/responses/200/content/application~1json/schema"
    )
    assert_valid(shared_dir, f"{OPENAPI}#{pointer}", body)
    assert set(body) == ENVELOPE_KEYS, set(body) ^ ENVELOPE_KEYS
    assert_valid(shared_dir, f"{OPENAPI}#/components/schemas/Page", body)
    for item in body["contents"]:
        assert_valid(shared_dir, SPEC + item_schema, item)


pytestmark = pytest.mark.shared


def test_the_validator_rejects_what_the_schemas_forbid(shared_dir: Path) -> None:
    examples = shared_dir / "standards" / "hsds-3.0" / "examples"
    service = _load(examples / "service_full.json")
    assert_detail(shared_dir, "compiled/service.json", service)
    assert_page(shared_dir, "/services", "compiled/service_list.json", _load(examples / "service_list.json"))
    broken = {**service, "status": "open", "id": "not-a-uuid", "last_modified": "yesterday"}
    problems = "\n".join(errors(shared_dir, SPEC + "compiled/service.json", broken))
    assert "'open' is not one of" in problems and "not-a-uuid" in problems and "yesterday" in problems
    assert errors(shared_dir, SPEC + "compiled/service.json", {**service, "description": None})
    page = {**_load(examples / "service_list.json"), "total_items": "ten"}
    assert errors(shared_dir, f"{OPENAPI}#/components/schemas/Page", page)
