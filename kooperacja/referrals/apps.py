from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    """Closed-loop referrals between institutions: deadlines, reminders, comments, notifications, FHIR export."""

    name = "kooperacja.referrals"
    label = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from kooperacja.privacy.services import on_consent_ended
        from kooperacja.referrals.services import referrals_suspend_for_consent

        on_consent_ended(referrals_suspend_for_consent)

        from django.contrib.auth.signals import user_logged_in

        from kooperacja.referrals.context_processors import prime_unread

        user_logged_in.connect(prime_unread, dispatch_uid="referrals.prime_unread")
