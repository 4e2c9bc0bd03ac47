from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Pilots, indicators computed from live data, dashboards, evaluation and good practices."""

    name = "kooperacja.monitoring"
    label = "monitoring"
    verbose_name = _("Pilots and monitoring")
