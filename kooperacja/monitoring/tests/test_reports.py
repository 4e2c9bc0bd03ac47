"""Printable PDF reports (per pilot, per region, comparison) and the cases/referrals figures lighting up through
`indicators.fact_source` — with the same small-cell suppression on the pages, in CSV, XLSX, PDF and the API.

The fake sources below stand for the selectors the `cases` and `referrals` contexts will provide (see the contract in
indicators.py). Their figures, on top of pilots_world.py:
- gmina A: 3 person cases opened 2024-02-01 (2 closed 2024-06-30 successfully, 1 open); 6 family cases opened
  2024-02-01, closed 2024-05-01 (4 successful); referrals: 3 to education and 8 to the police (not answered),
  20 to health (accepted, first answer after 2 days, completed after 10, closed with feedback);
- gmina B: 12 person cases opened 2024-03-01, closed 2024-09-01 (9 successful);
- gmina Z: 7 open person cases.
Voivodeship 24: persons 15 (A 3 → "<5", so B 12 is hidden too), families 6, plans closed 20, successful 15 (75%),
median duration 184 days (6 × 90, 2 × 150, 12 × 184 days).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kooperacja.core import pdf
from kooperacja.core.testing.cast import Cast
from kooperacja.monitoring import exports
from kooperacja.monitoring import indicators as ind
from kooperacja.monitoring.indicators import SUPPRESSED
from kooperacja.monitoring.models import Milestone, MilestoneNumber, MilestoneStatus, Project
from kooperacja.monitoring.tests.pilots_world import World, build_world

D = datetime.date
API = "/api/v1/monitoring/indicators"
_TEXT = re.compile(rb"\(((?:\\.|[^\\)])*)\)\s*Tj")


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world(cast)


@pytest.fixture
def readable_pdfs(monkeypatch: pytest.MonkeyPatch) -> None:
    """PDFs the test can read: uncompressed, with the built-in font (text written as Latin-1 strings)."""
    monkeypatch.setattr(exports, "PDF_COMPRESS", False)
    monkeypatch.setattr(pdf, "unicode_font", lambda: None)


def pdf_texts(content: bytes) -> list[str]:
    """The text pieces of a PDF written by fpdf2 without compression, in the order they are drawn."""
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    return [re.sub(rb"\\(.)", rb"\1", raw).decode("latin-1") for raw in _TEXT.findall(content)]


def _after(texts: list[str], label: str, count: int) -> list[str]:
    index = texts.index(label)
    return texts[index + 1 : index + 1 + count]


@pytest.fixture
def cases_and_referrals(cast: Cast, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, z = cast.gmina_a.pk, cast.gmina_b.pk, cast.gmina_z.pk
    cases: list[tuple[int, str, datetime.date, datetime.date | None, str]] = [
        *[(a, "person", D(2024, 2, 1), D(2024, 6, 30), "successful")] * 2,
        (a, "person", D(2024, 2, 1), None, ""),
        *[(a, "family", D(2024, 2, 1), D(2024, 5, 1), "successful")] * 4,
        *[(a, "family", D(2024, 2, 1), D(2024, 5, 1), "unsuccessful")] * 2,
        *[(b, "person", D(2024, 3, 1), D(2024, 9, 1), "successful")] * 9,
        *[(b, "person", D(2024, 3, 1), D(2024, 9, 1), "unsuccessful")] * 3,
        *[(z, "person", D(2024, 1, 15), None, "")] * 7,
    ]
    sent = datetime.datetime(2024, 3, 1, 9, 0, tzinfo=datetime.UTC)
    day = datetime.timedelta(days=1)
    referrals: list[tuple[Any, ...]] = [
        *[(a, "education", None, sent, None, None, False)] * 3,
        *[(a, "police", None, sent, None, None, False)] * 8,
        *[(a, "health", True, sent, sent + 2 * day, sent + 10 * day, True)] * 20,
    ]

    def case_facts(
        *, gmina_ids: frozenset[int], start: datetime.date | None, as_of: datetime.date
    ) -> Iterable[tuple[Any, ...]]:
        return [
            row
            for row in cases
            if row[0] in gmina_ids and row[2] <= as_of and (start is None or row[3] is None or row[3] >= start)
        ]

    def referral_facts(
        *, gmina_ids: frozenset[int], start: datetime.date | None, as_of: datetime.date
    ) -> Iterable[tuple[Any, ...]]:
        return [
            row
            for row in referrals
            if row[0] in gmina_ids and row[3].date() <= as_of and (start is None or row[3].date() >= start)
        ]

    sources = {ind.CASES_APP: case_facts, ind.REFERRALS_APP: referral_facts}
    monkeypatch.setattr(ind, "fact_source", lambda app: sources[app])


# --- the sources' contract ------------------------------------------------------------------------------------------


def test_a_context_is_a_source_only_once_its_selector_exists() -> None:
    from django.apps import apps

    for app, key in ((ind.CASES_APP, "persons_supported"), (ind.REFERRALS_APP, "referrals")):
        installed = apps.is_installed(app)
        assert (ind.fact_source(app) is not None) == installed
        assert ind.is_available(key) == installed
    assert ind.is_available("partnerships")


def test_cases_and_referrals_light_up_without_other_changes(
    cast: Cast, world: World, cases_and_referrals: None, client_for: Callable[..., Client]
) -> None:
    response = client_for(cast.rosa).get(API, {"level": "voivodeship", "code": "24"})
    assert response.status_code == 200
    data = response.json()
    rows = {row["key"]: row for row in data["indicators"]}
    assert rows["persons_supported"]["value"] == 15
    assert rows["families_supported"]["value"] == 6
    assert rows["plans_closed"]["value"] == 20
    assert rows["plans_successful"]["value"] == 15
    assert rows["plans_success_share"]["value"] == pytest.approx(0.75)
    assert rows["case_duration_median_days"]["value"] == 184
    assert rows["referrals"]["value"] == 31
    assert rows["referrals_accepted_share"]["value"] == pytest.approx(20 / 31)
    assert rows["referral_first_answer_median_days"]["value"] == pytest.approx(2)
    assert rows["referral_completion_median_days"]["value"] == pytest.approx(10)
    assert not rows["persons_supported"]["note"]
    # Referrals by sector: education 3 → "<5", and the police (8, the smallest shown) hidden as its complement.
    assert rows["referrals_by_sector"]["breakdown"] == {
        "edukacja": SUPPRESSED,
        "policja": SUPPRESSED,
        "ochrona zdrowia": 20,
    }
    units = {unit["code"]: unit for unit in data["units"]}
    assert units[cast.gmina_a.code]["persons_supported"] == SUPPRESSED
    assert units[cast.gmina_b.code]["persons_supported"] == SUPPRESSED  # complementary: 15 − 12 would give 3 away
    assert units[cast.gmina_a.code]["families_supported"] == 6
    assert units[cast.gmina_b.code]["plans_closed"] == 12


def test_gmina_and_period_figures_from_the_sources(
    cast: Cast, world: World, cases_and_referrals: None, client_for: Callable[..., Client]
) -> None:
    client = client_for(cast.rosa)
    rows = {r["key"]: r for r in client.get(API, {"level": "gmina", "code": cast.gmina_a.code}).json()["indicators"]}
    assert rows["persons_supported"]["value"] == SUPPRESSED
    assert rows["families_supported"]["value"] == 6
    assert rows["plans_success_share"]["value"] == SUPPRESSED  # 6 of 8: the 2 failures would be revealed
    # 2024-Q2 (as of 2024-06-30): B's 12 cases are open, A's closed; the cases of gmina Z are not the ROPS's.
    quarter = {
        r["key"]: r
        for r in client.get(API, {"level": "voivodeship", "code": "24", "period": "2024-Q2"}).json()["indicators"]
    }
    assert quarter["persons_supported"]["value"] == 15
    assert quarter["plans_closed"]["value"] == 8


def test_dashboard_page_and_exports_hide_the_same_cells(
    cast: Cast, world: World, cases_and_referrals: None, client_for: Callable[..., Client], readable_pdfs: None
) -> None:
    client = client_for(cast.rosa)
    url = reverse("monitoring:voivodeship", args=["24"])
    page = client.get(url).content.decode()
    row_a = page.split(">Miastko A</a>", 1)[1].split("</tr>", 1)[0]
    row_b = page.split(">Wieś B</a>", 1)[1].split("</tr>", 1)[0]
    assert row_a.count("&lt;5") == 1 and row_b.count("&lt;5") == 1
    # CSV: columns code, name, gminy, counties, partnerships, members, hours, persons, families, plans closed
    rows = list(csv.reader(io.StringIO(client.get(url, {"format": "csv"}).content.decode("utf-8-sig"))))
    by_code = {row[0]: row for row in rows if len(row) == 10}
    assert by_code[cast.gmina_a.code][7] == SUPPRESSED and by_code[cast.gmina_b.code][7] == SUPPRESSED
    assert by_code[cast.gmina_a.code][8] == "6"
    assert by_code[""][7:] == ["15", "6", "20"]  # the totals row of the page
    workbook = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    cells = [list(row) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]
    xlsx_a = next(row for row in cells if row[0] == cast.gmina_a.code)
    xlsx_b = next(row for row in cells if row[0] == cast.gmina_b.code)
    assert xlsx_a[7] == SUPPRESSED and xlsx_b[7] == SUPPRESSED
    # PDF: the same cells, in the same order as the page's table.
    texts = pdf_texts(client.get(url, {"format": "pdf"}).content)
    assert _after(texts, "Miastko A", 8)[5] == SUPPRESSED
    assert _after(texts, "Wies B", 8)[5:] == [SUPPRESSED, "0", "12"]
    assert "12" not in _after(texts, "Wies B", 8)[5:6]
    referrals = _after(texts, "skierowania wedlug sektora", 8)
    assert referrals[:6] == ["Kategoria", "Wartosc", "edukacja", SUPPRESSED, "policja", SUPPRESSED]


# --- PDF reports ----------------------------------------------------------------------------------------------------


def test_voivodeship_pdf_names_its_period_and_filters(
    cast: Cast, world: World, client_for: Callable[..., Client], readable_pdfs: None
) -> None:
    response = client_for(cast.rosa).get(
        reverse("monitoring:voivodeship", args=["24"]), {"period": "2024-Q2", "variant": "cities_3d", "format": "pdf"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="monitoring-voivodeship-24-2024-Q2.pdf"'
    texts = pdf_texts(response.content)
    joined = "\n".join(texts)
    assert "2024-Q2" in joined and "Kooperacje 3D" in joined and "rodzaj gminy: wszystkie" in joined
    # Pilot A only, in 2024-Q2: 2.5 h of coaching; one gmina, partnership A with its 3 members.
    assert "2.5" in texts and "6.5" not in texts  # not the 6.5 h of both pilots
    assert _after(texts, "gminy testujace model", 1) == ["1"]
    assert _after(texts, "instytucje czlonkowskie", 1) == ["3"]
    assert "<5" in joined  # the rule is stated in the report


def test_frozen_period_pdf_says_so(
    cast: Cast, world: World, client_for: Callable[..., Client], readable_pdfs: None
) -> None:
    from kooperacja.monitoring.services import snapshot_freeze

    snapshot_freeze(period=ind.Period.parse("2024-Q2"))
    response = client_for(world.mia).get(reverse("monitoring:dashboard"), {"period": "2024-Q2", "format": "pdf"})
    joined = "\n".join(pdf_texts(response.content))
    assert "zamrozone" in joined and "2024-Q2" in joined


def test_pilot_pdf_has_agreement_milestones_support_and_indicators(
    cast: Cast, world: World, client_for: Callable[..., Client], readable_pdfs: None
) -> None:
    project = Project.objects.create(
        name="Kooperacje 3D", macroregion=cast.voivodeship_a.macroregion, lead_rops=cast.rops_a
    )
    Milestone.objects.create(
        project=project,
        number=MilestoneNumber.II,
        planned_start=D(2019, 4, 1),
        planned_end=D(2020, 9, 30),
        status=MilestoneStatus.DONE,
    )
    pilot = world.pilot_a
    pilot.project = project
    pilot.save()
    response = client_for(cast.rosa).get(reverse("monitoring:pilot_report", args=[pilot.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="monitoring-pilot-{pilot.pk}-{cast.gmina_a.code}.pdf"'
    )
    texts = pdf_texts(response.content)
    assert "60000" in texts  # funding
    assert "II - testowanie modelu" in texts
    assert _after(texts, "coaching", 1) == ["2.5"]
    assert _after(texts, "Razem", 1) == ["8.5"]  # 6 h training + 2.5 h coaching
    assert _after(texts, "instytucje czlonkowskie", 1) == ["3"]
    page = client_for(cast.rosa).get(reverse("monitoring:pilot_detail", args=[pilot.pk])).content.decode()
    assert reverse("monitoring:pilot_report", args=[pilot.pk]) in page


def test_pilot_pdf_hides_small_person_counts(
    cast: Cast, world: World, cases_and_referrals: None, client_for: Callable[..., Client], readable_pdfs: None
) -> None:
    texts = pdf_texts(client_for(cast.rosa).get(reverse("monitoring:pilot_report", args=[world.pilot_a.pk])).content)
    assert _after(texts, "osoby objete wsparciem", 1) == [SUPPRESSED]
    assert _after(texts, "rodziny objete wsparciem", 1) == ["6"]


def test_pdf_with_the_polish_font(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    response = client_for(cast.rosa).get(reverse("monitoring:voivodeship", args=["24"]), {"format": "pdf"})
    assert response.content.startswith(b"%PDF-") and b"Lato" in response.content


def test_comparison_pdf(cast: Cast, world: World, client_for: Callable[..., Client], readable_pdfs: None) -> None:
    url = reverse("monitoring:compare") + f"?gmina={cast.gmina_a.code}&gmina={cast.gmina_b.code}&format=pdf"
    response = client_for(cast.rosa).get(url)
    assert response["Content-Type"] == "application/pdf"
    texts = pdf_texts(response.content)
    assert "Miastko A" in texts and "Wies B" in texts
    assert _after(texts, "instytucje czlonkowskie", 2) == ["3", "2"]


def test_dashboard_links_its_pdf(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    page = client_for(cast.rosa).get(reverse("monitoring:voivodeship", args=["24"]), {"period": "2024-Q2"})
    assert "period=2024-Q2&amp;format=pdf" in page.content.decode()


def test_pdf_reports_follow_the_scope(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    pilot_url = reverse("monitoring:pilot_report", args=[world.pilot_a.pk])
    region_url = reverse("monitoring:voivodeship", args=["24"]) + "?format=pdf"
    assert client_for(world.zoe).get(pilot_url).status_code == 404
    assert client_for(world.zoe).get(region_url).status_code == 404
    assert client_for(cast.olga).get(pilot_url).status_code == 404
    assert client_for(cast.rosa).get(reverse("monitoring:dashboard") + "?format=pdf").status_code == 302
    assert client_for(world.dan).get(pilot_url).status_code == 200  # readers may print what they may read
    assert client_for(world.mia).get(reverse("monitoring:pilot_report", args=[world.pilot_z.pk])).status_code == 200


# --- queries --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args,query",
    [
        ("monitoring:voivodeship", ["24"], {"format": "pdf"}),
        ("monitoring:dashboard", [], {"format": "pdf", "period": "2024-Q2"}),
        ("monitoring:pilot_report", ["pilot_a"], {}),
        ("monitoring:pilot_detail", ["pilot_a"], {}),
        ("monitoring:compare", [], {"gmina": ["gmina_a", "gmina_b"], "format": "pdf"}),
    ],
)
def test_reports_cost_constant_queries(
    cast: Cast,
    world: World,
    client_for: Callable[..., Client],
    django_assert_max_num_queries: Callable[..., Any],
    name: str,
    args: list[str],
    query: dict[str, Any],
) -> None:
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kooperacja.monitoring.models import SupportActivity
    from kooperacja.monitoring.tests.test_pilot_pages import _more_pilots

    url = reverse(name, args=[getattr(world, arg).pk if arg.startswith("pilot") else arg for arg in args])
    if "gmina" in query:
        query = {**query, "gmina": [getattr(cast, key).code for key in query["gmina"]]}
    client = client_for(cast.root)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, query).status_code == 200
    _more_pilots(cast, 8)
    for day in range(1, 9):
        SupportActivity.objects.create(
            pilot=world.pilot_a, kind="training", given_on=D(2024, 6, day), hours=Decimal(1), given_by="R", for_whom="P"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url, query).status_code == 200
