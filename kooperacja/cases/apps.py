from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Cases of persons and families: intake, case team, assessment, individual plan, notes, closure."""

    name = "kooperacja.cases"
    label = "cases"
    verbose_name = _("Cases")
