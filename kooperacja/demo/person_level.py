"""The demo parts of the person-level contexts (people, privacy, cases), shaped like the other parts of load_demo:
`load(*, stdout)` (idempotent) and `delete()`. Each context keeps its own loader in <context>/demo.py."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings


class PeoplePart:
    """About 200 persons in 80 households per pilot gmina, recorded by its OPS (Faker pl_PL, valid PESELs)."""

    def load(self, *, stdout: Any) -> None:
        from kooperacja.people import demo

        demo.load(stdout=stdout)

    def delete(self) -> None:
        from kooperacja.people import demo

        demo.delete()


class PrivacyPart:
    """The DPO registers of the pilot OPS (records of processing, a breach, requests, retention rules)."""

    def load(self, *, stdout: Any) -> None:
        from kooperacja.privacy import demo

        stdout.write("  " + demo.load())

    def delete(self) -> None:
        from kooperacja.privacy import demo

        demo.delete()


class CasesPart:
    """Cases in every stage per pilot gmina, with consents, case teams with `pedagog` and `kurator`, plans and tasks."""

    def load(self, *, stdout: Any) -> None:
        if not apps.is_installed("kooperacja.cases"):
            return
        from kooperacja.cases import demo

        # 60 per pilot gmina over every stage (the demo); the test settings load fewer, for speed.
        summary = demo.load(cases_per_gmina=getattr(settings, "DEMO_CASES_PER_GMINA", 60))
        if summary.already_loaded:
            stdout.write("  cases: already loaded; nothing changed.")
        else:
            stdout.write(
                f"  cases: {summary.cases} cases in every stage, {summary.consents} consents"
                + (f" (skipped: {', '.join(summary.skipped_gminy)})" if summary.skipped_gminy else "")
            )

    def delete(self) -> None:
        if not apps.is_installed("kooperacja.cases"):
            return
        from kooperacja.cases import demo

        demo.delete()


class ReferralsPart:
    """Referrals in every state between the city pilot's institutions, some overdue, one suspended."""

    def load(self, *, stdout: Any) -> None:
        from kooperacja.referrals import demo

        demo.load(stdout=stdout)

    def delete(self) -> None:
        from kooperacja.referrals import demo

        demo.delete()


PARTS = [PeoplePart(), PrivacyPart(), CasesPart(), ReferralsPart()]
