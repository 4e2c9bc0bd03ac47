"""The access log: hash-chained, append-only; verify_access_log catches changed and removed entries."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from kooperacja.privacy import services
from kooperacja.privacy.models import AccessLogEntry, AccessLogHead

pytestmark = pytest.mark.django_db


def _write(cast, person, n: int = 3) -> list[AccessLogEntry]:
    return [
        services.access_log_record(
            actor=cast.alice,
            person=person,
            categories=["identity", "health"],
            purpose="case_work",
            channel="page",
            resource=f"people:person_detail:{person.pk}",
            institution=cast.ops_a,
        )
        for _ in range(n)
    ]


def _verify() -> tuple[bool, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("verify_access_log", stdout=out, stderr=err, chunk_size=2)
    except CommandError as exc:
        return False, out.getvalue() + err.getvalue() + str(exc)
    return True, out.getvalue()


def _raw(sql: str, params: list) -> None:
    """Tamper with the table behind the application's back. On PostgreSQL as the superuser who bypasses the trigger
    (session_replication_role = replica: what an attacker with the database owner's rights could do)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_the_chain_verifies_after_a_round_trip_through_the_database(cast, recorded):
    entries = _write(cast, recorded.person, 5)
    ok, output = _verify()
    assert ok, output
    assert "Entries checked: 5" in output and "OK" in output
    head = AccessLogHead.objects.get()
    assert (head.last_id, head.entries) == (entries[-1].pk, 5)
    stored = list(AccessLogEntry.objects.order_by("id"))
    assert stored[0].previous_hash == services.GENESIS_HASH
    assert [e.previous_hash for e in stored[1:]] == [e.entry_hash for e in stored[:-1]]


def test_a_timestamp_without_microseconds_still_verifies(cast, recorded, monkeypatch):
    moment = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(services.timezone, "now", lambda: moment)
    _write(cast, recorded.person, 2)
    assert services.access_log_verify() == []


def test_verify_catches_a_changed_row(cast, recorded):
    entries = _write(cast, recorded.person, 4)
    _raw("UPDATE privacy_accesslogentry SET categories = %s WHERE id = %s", ['["identity"]', entries[1].pk])
    ok, output = _verify()
    assert not ok
    assert f"entries: {entries[1].pk}" in output
    # A forger who also recomputes the row's hash breaks the link to the next one.
    forged = AccessLogEntry.objects.get(pk=entries[1].pk)
    _raw(
        "UPDATE privacy_accesslogentry SET entry_hash = %s WHERE id = %s",
        [services._entry_hash(forged.previous_hash, forged), forged.pk],
    )
    ok, output = _verify()
    assert not ok
    assert str(entries[2].pk) in output.split("entries:")[-1]


def test_verify_catches_a_removed_row_in_the_middle_and_at_the_end(cast, recorded):
    entries = _write(cast, recorded.person, 4)
    _raw("DELETE FROM privacy_accesslogentry WHERE id = %s", [entries[1].pk])
    ok, output = _verify()
    assert not ok and f"entries: {entries[2].pk}" in output
    problems = services.access_log_check()
    assert problems.entry_ids == [entries[2].pk]


def test_verify_catches_the_last_row_removed(cast, recorded):
    entries = _write(cast, recorded.person, 3)
    _raw("DELETE FROM privacy_accesslogentry WHERE id = %s", [entries[-1].pk])
    ok, output = _verify()
    assert not ok
    assert str(entries[-1].pk) in output


def test_the_application_refuses_updates_and_deletes(cast, recorded):
    entry = _write(cast, recorded.person, 1)[0]
    entry.resource = "other"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_update_and_delete(cast, recorded):
    entry = _write(cast, recorded.person, 1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).update(resource="changed")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_accesslogentry WHERE id = %s", [entry.pk])
    assert AccessLogEntry.objects.get(pk=entry.pk).resource == entry.resource


def test_unknown_purpose_is_refused(cast, recorded):
    with pytest.raises(ValueError):
        services.access_log_record(
            actor=cast.alice, person=recorded.person, categories=[], purpose="curiosity", channel="page"
        )


def test_a_page_of_many_reads_appends_them_in_one_go_and_the_chain_still_verifies(cast, recorded):
    """A search page records each person shown in one append: each entry chained to the one before it."""
    _write(cast, recorded.person, 2)
    reads = [
        services.LogRead(cast.alice, recorded.person, ["identity"], "case_work", "page", resource="people:search")
        for _ in range(4)
    ]
    written = services.access_log_record_many(reads)
    _write(cast, recorded.person, 1)
    entries = list(AccessLogEntry.objects.order_by("id"))
    assert [e.pk for e in entries[2:6]] == [e.pk for e in written]
    assert all(later.previous_hash == earlier.entry_hash for earlier, later in zip(entries, entries[1:], strict=False))
    ok, output = _verify()
    assert ok, output
    assert "Entries checked: 7" in output
    assert AccessLogHead.objects.get().entries == 7
    _raw("UPDATE privacy_accesslogentry SET resource = %s WHERE id = %s", ["x", written[2].pk])
    ok, output = _verify()
    assert not ok and str(written[2].pk) in output
