"""Person search by name fragment on PostgreSQL: `LIKE '%fragment%'` on the normalised `name_search` uses a pg_trgm
GIN index (the pattern of directory 0003: skipped on SQLite, and when the extension cannot be created)."""

from django.db import migrations, transaction

INDEX = "people_person_name_search_trgm"


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # no rights to create the extension: search still works, only slower
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON people_person USING gin (name_search gin_trgm_ops)")


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(add_trigram_index, drop_trigram_index, elidable=False)]
