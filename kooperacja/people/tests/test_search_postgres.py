"""On PostgreSQL: the pg_trgm GIN index on name_search exists and serves a name-fragment search (diacritics
ignored). Skipped on SQLite (run with DATABASE_URL=postgres://…)."""

from __future__ import annotations

import pytest
from django.db import connection

from kooperacja.core.testing.cast import Cast
from kooperacja.people.models import Person
from kooperacja.people.selectors import person_search

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _postgres_only(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")


def test_trigram_index_exists_and_is_used(cast: Cast, anna: Person) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'people_person_name_search_trgm'")
        (definition,) = cursor.fetchone()
        assert "gin_trgm_ops" in definition
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = (
            Person.objects.filter(name_search__contains="zolkiew").order_by().values("pk").query.sql_with_params()
        )
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "people_person_name_search_trgm" in plan
    assert list(person_search(actor=cast.alice, q="ŻÓŁKIEW")) == [anna]
    assert list(person_search(actor=cast.alice, q="zolkiewska anna")) == [anna]
    assert list(person_search(actor=cast.bob, q="zolkiewska")) == []
