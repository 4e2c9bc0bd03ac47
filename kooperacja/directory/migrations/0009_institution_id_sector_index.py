"""An index of institutions by (id, sector).

The directory's sector filter walks services in (name, id) order and probes each one's institution for its sector;
with the sector in the index the probe is index-only, and the capped count of a sector merges this index with the
services' institution index instead of reading every institution of the country (PostgreSQL, 100k services).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0008_service_terms_term_service_index"),
        ("territory", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="institution",
            index=models.Index(fields=["id", "sector"], name="directory_inst_id_sector"),
        ),
    ]
