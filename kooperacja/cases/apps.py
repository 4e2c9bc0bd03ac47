from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Cases of persons and families: intake, case team, assessment, individual plan, notes, closure."""

    name = "kooperacja.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from kooperacja.cases import selectors, services
        from kooperacja.privacy import reports, retention
        from kooperacja.privacy import services as privacy_services
        from kooperacja.privacy.models import RecordType

        privacy_services.on_consent_ended(services.on_consent_ended)
        retention.register(RecordType.CASE, services.cases_anonymise_past_retention)
        reports.register_section(selectors.person_report_sections)
