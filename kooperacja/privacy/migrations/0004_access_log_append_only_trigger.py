"""On PostgreSQL the database itself refuses UPDATE and DELETE of access-log entries (a BEFORE trigger that raises).

TRUNCATE is left alone on purpose: the test runner's flush and a deliberate restore by the database owner use it, and
the hash chain with its head row still shows the loss (`manage.py verify_access_log`). SQLite: the application's
refusal (AccessLogEntry.save/delete) only.
"""

from django.db import migrations

# One statement per execute() (psycopg 3 sends parameterised queries one statement at a time).
CREATE = [
    """
    CREATE OR REPLACE FUNCTION privacy_accesslog_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'privacy_accesslogentry is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS privacy_accesslog_append_only ON privacy_accesslogentry",
    """
    CREATE TRIGGER privacy_accesslog_append_only
        BEFORE UPDATE OR DELETE ON privacy_accesslogentry
        FOR EACH ROW EXECUTE FUNCTION privacy_accesslog_refuse_change()
    """,
]

DROP = [
    "DROP TRIGGER IF EXISTS privacy_accesslog_append_only ON privacy_accesslogentry",
    "DROP FUNCTION IF EXISTS privacy_accesslog_refuse_change()",
]


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in CREATE:
        schema_editor.execute(statement, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_dpo_registers_consent_checks")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
