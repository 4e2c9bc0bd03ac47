from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    """Teams, meetings with agenda, attendance, minutes, decisions and action items; work plans."""

    name = "kooperacja.governance"
    label = "governance"
    verbose_name = _("Teams and meetings")
