"""The person's report (art. 15): what is held, to whom it was disclosed and on which basis, who read it when."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kooperacja.privacy import reports, services
from kooperacja.privacy.models import AccessLogEntry, Channel, Purpose
from kooperacja.privacy.tests.conftest import school_consent, team_grant
from kooperacja.privacy.tests.factories import HouseholdMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(cast, recorded):
    HouseholdMemberFactory(person=recorded.person, household__name="rodzina Testowa", relation="parent")
    consent = school_consent(cast, recorded.person)
    team_grant(cast, consent)
    services.access_log_record(
        actor=cast.tom,
        person=recorded.person,
        categories=["identity", "education"],
        purpose=Purpose.CASE_WORK,
        channel=Channel.PAGE,
        resource="cases:case_detail:1",
        institution=cast.school_a,
    )
    return consent


def _urls(person) -> list[str]:
    return [
        reverse("privacy:person_report", args=[person.pk]),
        reverse("privacy:person_report_pdf", args=[person.pk]),
    ]


def test_only_the_dpo_of_a_granted_institution_or_the_administrator_produces_it(cast, recorded, history, client_for):
    for name in ("alice", "tom", "paula", "bob", "rosa", "olga"):
        client = client_for(getattr(cast, name))
        for url in _urls(recorded.person):
            assert client.get(url).status_code == 404, (name, url)
    for name in ("dora", "root"):
        client = client_for(getattr(cast, name))
        for url in _urls(recorded.person):
            assert client.get(url).status_code == 200, (name, url)


def test_a_dpo_of_an_institution_without_a_grant_gets_404(cast, recorded, history, client_for):
    from kooperacja.accounts.models import Role
    from kooperacja.core.testing import factories as f

    other = f.UserFactory(username="dpo-b")
    f.MembershipFactory(user=other, institution=cast.ops_b, role=Role.DATA_PROTECTION_OFFICER)
    assert client_for(other).get(_urls(recorded.person)[0]).status_code == 404


def test_the_html_report_shows_record_disclosures_and_reads(cast, recorded, history, client_for):
    client = client_for(cast.dora)
    before = AccessLogEntry.objects.count()
    page = client.get(_urls(recorded.person)[0]).content.decode()
    # What is held.
    assert recorded.person.last_name in page and "90051712345" in page and "rodzina Testowa" in page
    assert "Współpraca ze szkołą" in page
    # To whom and on which basis.
    assert "Szkoła Podstawowa nr 1 w Miastku A" in page
    assert "art. 100" in page and "zgoda z dnia" in page.lower()
    # Who read it: the institution and the role, not the user name by default.
    assert "specjalista instytucji partnerskiej" in page
    assert cast.tom.username not in page.split("<main", 1)[-1].split("</main>")[0]
    # Producing it is a logged read of everything, for a subject request, through the report channel.
    assert AccessLogEntry.objects.count() == before + 1
    entry = AccessLogEntry.objects.order_by("-id").first()
    assert (entry.purpose, entry.channel, entry.actor) == ("subject_request", "report", cast.dora)
    assert entry.institution == cast.ops_a


def test_the_dpo_may_include_user_names(cast, recorded, history, client_for):
    page = client_for(cast.dora).get(_urls(recorded.person)[0] + "?include_usernames=on").content.decode()
    assert cast.tom.username in page


def test_the_pdf_report(cast, recorded, history, client_for):
    response = client_for(cast.dora).get(_urls(recorded.person)[1])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Cache-Control"] == "private, no-store"
    assert recorded.person.last_name not in response["Content-Disposition"]


def test_the_report_content_and_registered_sections(cast, recorded, history):
    def cases_section(*, person, actor):
        return reports.ReportSection(title="Sprawy i plany", paragraphs=[f"Sprawa osoby {person.pk}"])

    reports.register_section(cases_section)
    try:
        report = reports.person_report(actor=cast.dora, person=recorded.person, institution=cast.ops_a)
    finally:
        reports._providers.remove(cases_section)
    titles = [section.title for section in report.sections]
    assert "Sprawy i plany" in titles
    disclosures = next(s for s in report.sections if "ujawnion" in s.title.lower() or "disclosed" in s.title.lower())
    institutions = [row[0] for row in disclosures.tables[0].rows]
    assert cast.school_a.name in institutions and cast.ops_a.name in institutions
    reads = report.sections[-1].tables[0].rows
    assert any(cast.school_a.name in row for row in reads)
    pdf = reports.report_pdf(report)
    assert pdf.startswith(b"%PDF-")


def test_report_query_count_is_constant(cast, recorded, history, client_for, django_assert_max_num_queries):
    client = client_for(cast.dora)
    url = _urls(recorded.person)[0]
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for n in range(6):
        services.access_log_record(
            actor=cast.tom,
            person=recorded.person,
            categories=["identity"],
            purpose="case_work",
            channel="page",
            resource=f"x:{n}",
            institution=cast.school_a,
        )
        school_consent(cast, recorded.person, purpose=f"cel {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
