"""Backfill: a service's search text also holds its institution's name, short name and town.

Only data changes (the column exists). The normalisation is copied here as it is today (kooperacja.core.text):
a migration must not depend on application code that may change later.
"""

import unicodedata

from django.db import migrations

_EXTRA = str.maketrans({"ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ß": "ss"})
BATCH = 2000


def _normalise(text):
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def _search_text_of(*parts):
    return _normalise(" ".join(part for part in parts if part))


def backfill(apps, schema_editor):
    Institution = apps.get_model("directory", "Institution")
    Service = apps.get_model("directory", "Service")
    alias = schema_editor.connection.alias
    institutions = {
        pk: _search_text_of(name, short_name, city)
        for pk, name, short_name, city in Institution.objects.using(alias).values_list(
            "pk", "name", "short_name", "city"
        )
    }
    batch = []
    rows = (
        Service.objects.using(alias)
        # By institution: the rewritten rows of one institution stay next to each other in the table (a search for
        # an institution's name or town reads them from few pages), as the generators and imports lay them out.
        .order_by("institution_id", "pk")
        .only("pk", "institution_id", "name", "alternate_name", "description", "search_text")
    )
    for service in rows.iterator(chunk_size=BATCH):
        text = _search_text_of(
            service.name, service.alternate_name, service.description, institutions.get(service.institution_id, "")
        )
        if text != service.search_text:
            service.search_text = text
            batch.append(service)
        if len(batch) >= BATCH:
            Service.objects.using(alias).bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Service.objects.using(alias).bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0006_service_name_index_holds_institution"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
