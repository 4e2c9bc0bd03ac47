"""manage.py rotate_personal_data_keys: re-encrypt every PESEL under the newest key and recompute its blind index.

Rotation: put the new Fernet key FIRST in PERSONAL_DATA_KEYS (keep the old ones after it), deploy, run this command,
then remove the old keys. After changing PERSONAL_DATA_INDEX_KEY, keep the encryption keys and run it too: the
blind indexes are recomputed from the decrypted numbers.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kooperacja.people.services import pesel_keys_rotate


class Command(BaseCommand):
    help = "Re-encrypt the stored PESEL numbers under the newest key and recompute their blind index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        changed = pesel_keys_rotate(batch_size=options["batch_size"])
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted or re-indexed {changed} PESEL number(s)."))
