from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """Persons and households, PESEL (encrypted, found through a blind index), identity search, duplicates."""

    name = "kooperacja.people"
    label = "people"
    verbose_name = _("Persons and households")
