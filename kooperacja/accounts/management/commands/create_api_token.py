"""Create a personal API token for a user and print its secret, alone on one line.

TOKEN=$(python manage.py create_api_token koordynator)
curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/v1/accounts/me
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kooperacja.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print the token (it is shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="manage.py create_api_token", help="What the token is for.")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Validity in days (default: API_TOKEN_DEFAULT_DAYS = {settings.API_TOKEN_DEFAULT_DAYS}).",
        )

    def handle(self, *args: Any, username: str, name: str, days: int | None, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(_("There is no user “%(username)s”.") % {"username": username})
        if not user.is_active:
            raise CommandError(_("The user “%(username)s” is not active.") % {"username": username})
        try:
            # The token is the user's own: they are recorded as its creator in the audit trail.
            _token, secret = api_token_create(actor=user, name=name, days=days)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages))
        except PermissionDenied:
            raise CommandError(_("The user “%(username)s” may not have API tokens.") % {"username": username})
        self.stdout.write(secret)
