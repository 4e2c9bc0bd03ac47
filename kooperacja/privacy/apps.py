from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Legal bases, consents, access grants, the access log, data-subject reports and the DPO's registers."""

    name = "kooperacja.privacy"
    label = "privacy"
    verbose_name = _("Data protection")
