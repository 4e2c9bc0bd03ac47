"""Pages and API of pilots and dashboards: scoping (404), readers who try to write (403), constant query counts,
exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kooperacja.core.models import AuditEvent
from kooperacja.core.testing import factories as f
from kooperacja.core.testing.cast import Cast
from kooperacja.monitoring.models import Pilot, SupportActivity
from kooperacja.monitoring.tests.pilots_world import World, build_world

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def world(cast: Cast, settings: object, tmp_path: object) -> World:
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    return build_world(cast)


# --- scope ----------------------------------------------------------------------------------------------------------


def test_rops_is_sent_to_her_voivodeship(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    response = client_for(cast.rosa).get(reverse("monitoring:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:voivodeship", args=["24"])


def test_rops_of_voivodeship_a_gets_404_on_voivodeship_z(
    cast: Cast, world: World, client_for: Callable[..., Client]
) -> None:
    client = client_for(cast.rosa)
    assert client.get(reverse("monitoring:gmina", args=[cast.gmina_z.code])).status_code == 404
    assert client.get(reverse("monitoring:voivodeship", args=["20"])).status_code == 404
    assert client.get(reverse("monitoring:macroregion", args=["poludnie"])).status_code == 404
    assert client.get(reverse("monitoring:pilot_detail", args=[world.pilot_z.pk])).status_code == 404
    assert client.get("/api/v1/monitoring/indicators", {"level": "gmina", "code": cast.gmina_z.code}).status_code == 404
    assert client.get(f"/api/v1/monitoring/pilots/{world.pilot_z.pk}").status_code == 404
    listed = client.get("/api/v1/monitoring/pilots").json()
    assert {row["gmina"] for row in listed["items"]} == {cast.gmina_a.code, cast.gmina_b.code}
    # and the other way round
    other = client_for(world.zoe)
    assert other.get(reverse("monitoring:gmina", args=[cast.gmina_a.code])).status_code == 404
    assert other.get(reverse("monitoring:gmina", args=[cast.gmina_z.code])).status_code == 200


@pytest.mark.parametrize("who", ["olga", "alice", "tom"])
def test_outsiders_get_404_everywhere(cast: Cast, world: World, client_for: Callable[..., Client], who: str) -> None:
    client = client_for(getattr(cast, who))
    for url in (
        reverse("monitoring:dashboard"),
        reverse("monitoring:voivodeship", args=["24"]),
        reverse("monitoring:gmina", args=[cast.gmina_a.code]),
        reverse("monitoring:pilot_list"),
        reverse("monitoring:pilot_detail", args=[world.pilot_a.pk]),
        reverse("monitoring:support_create", args=[world.pilot_a.pk]),
        reverse("monitoring:compare") + f"?gmina={cast.gmina_a.code}",
        "/api/v1/monitoring/pilots",
        "/api/v1/monitoring/indicators?level=voivodeship&code=24",
        "/api/v1/monitoring/snapshots",
    ):
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_sign_in(world: World, client: Client) -> None:
    response = client.get(reverse("monitoring:dashboard"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_model_expert_sees_the_country_and_drills_down(
    cast: Cast, world: World, client_for: Callable[..., Client]
) -> None:
    client = client_for(world.mia)
    country = client.get(reverse("monitoring:dashboard"))
    assert country.status_code == 200
    macro_url = reverse("monitoring:macroregion", args=["poludnie"])
    assert macro_url in country.content.decode()
    macro = client.get(macro_url)
    voivodeship_url = reverse("monitoring:voivodeship", args=["24"])
    assert voivodeship_url in macro.content.decode()
    voivodeship = client.get(voivodeship_url)
    gmina_url = reverse("monitoring:gmina", args=[cast.gmina_a.code])
    assert gmina_url in voivodeship.content.decode()
    gmina = client.get(gmina_url)
    assert gmina.status_code == 200
    assert reverse("monitoring:pilot_detail", args=[world.pilot_a.pk]) in gmina.content.decode()


def test_dashboard_shows_no_person_data(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    """No names of people on the dashboard: not the facilitators, not the users, not representatives."""
    pilot = world.pilot_a
    pilot.facilitator_names = "Zofia Ukryta-Nazwisko"
    pilot.save()
    pilot.facilitators.add(cast.alice)
    body = client_for(cast.rosa).get(reverse("monitoring:gmina", args=[cast.gmina_a.code])).content.decode()
    assert "Ukryta-Nazwisko" not in body
    assert cast.alice.last_name not in body


def test_charts_have_role_title_desc_and_a_table(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    body = client_for(cast.rosa).get(reverse("monitoring:voivodeship", args=["24"])).content.decode()
    assert 'role="img"' in body and "<title id=" in body and "<desc id=" in body
    assert body.count("<svg") <= body.count("<caption>")


# --- writes ---------------------------------------------------------------------------------------------------------


def test_rops_records_support(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    url = reverse("monitoring:support_create", args=[world.pilot_a.pk])
    response = client_for(cast.rosa).post(
        url,
        {"kind": "supervision", "given_on": "2024-06-01", "hours": "3.5", "given_by": "Superwizor", "for_whom": "ZZK"},
    )
    assert response.status_code == 302
    activity = SupportActivity.objects.get(pilot=world.pilot_a, kind="supervision")
    assert activity.hours == Decimal("3.5") and activity.created_by == cast.rosa
    assert AuditEvent.objects.filter(action="monitoring.support.create", object_id=str(activity.pk)).exists()


def test_bad_support_input_changes_nothing(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    before = SupportActivity.objects.count()
    response = client_for(cast.rosa).post(
        reverse("monitoring:support_create", args=[world.pilot_a.pk]),
        {"kind": "training", "given_on": "2024-06-01", "hours": "0", "given_by": "X", "for_whom": "Y"},
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert SupportActivity.objects.count() == before


@pytest.mark.parametrize("who", ["mia", "dan"])
def test_readers_cannot_write(cast: Cast, world: World, client_for: Callable[..., Client], who: str) -> None:
    client = client_for(getattr(world, who))
    assert client.get(reverse("monitoring:pilot_detail", args=[world.pilot_a.pk])).status_code == 200
    assert client.get(reverse("monitoring:support_create", args=[world.pilot_a.pk])).status_code == 403
    assert client.get(reverse("monitoring:pilot_edit", args=[world.pilot_a.pk])).status_code == 403
    assert client.get(reverse("monitoring:pilot_create")).status_code == 403
    payload = {"kind": "training", "given_by": "X", "given_on": "2024-06-01", "hours": "2", "for_whom": "Y"}
    response = client.post(
        f"/api/v1/monitoring/pilots/{world.pilot_a.pk}/support", payload, content_type="application/json"
    )
    assert response.status_code == 403
    assert not SupportActivity.objects.filter(given_by="X").exists()


def test_rops_cannot_write_to_another_voivodeship(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    payload = {"kind": "training", "given_by": "X", "given_on": "2024-06-01", "hours": "2", "for_whom": "Y"}
    response = client_for(cast.rosa).post(
        f"/api/v1/monitoring/pilots/{world.pilot_z.pk}/support", payload, content_type="application/json"
    )
    assert response.status_code == 404


def test_rops_creates_and_edits_a_pilot_with_its_signed_agreement(
    cast: Cast, world: World, client_for: Callable[..., Client]
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(cast.rosa)
    data = {
        "gmina": cast.gmina_b.pk,
        "county": cast.county_a.pk,
        "variant": "cus",
        "rops": cast.rops_a.pk,
        "status": "planned",
        "started_on": "2026-01-01",
        "ended_on": "2026-12-31",
        "funding_amount": "60000.00",
        "facilitators": [cast.alice.pk],
        "signed_file": SimpleUploadedFile("umowa Jana Kowalskiego.pdf", PDF_BYTES, content_type="application/pdf"),
    }
    response = client.post(reverse("monitoring:pilot_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    pilot = Pilot.objects.get(gmina=cast.gmina_b, variant="cus")
    assert pilot.funding_amount == Decimal("60000.00")
    assert "Kowalski" not in pilot.signed_file.name
    download = client.get(reverse("monitoring:pilot_agreement_file", args=[pilot.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert client_for(world.zoe).get(reverse("monitoring:pilot_agreement_file", args=[pilot.pk])).status_code == 404
    # a gmina of another voivodeship is not offered: the form refuses it and nothing is created
    client = client_for(cast.rosa)
    bad = client.post(reverse("monitoring:pilot_create"), {**data, "gmina": cast.gmina_z.pk, "signed_file": ""})
    assert bad.status_code == 200
    assert not Pilot.objects.filter(gmina=cast.gmina_z, variant="cus").exists()
    # a file that is not what its name says is refused
    fake = SimpleUploadedFile("agreement.pdf", b"MZ not a pdf", content_type="application/pdf")
    bad = client.post(reverse("monitoring:pilot_edit", args=[pilot.pk]), {**data, "signed_file": fake})
    assert bad.status_code == 200
    edit = client.post(
        reverse("monitoring:pilot_edit", args=[pilot.pk]), {**data, "status": "running", "signed_file": ""}
    )
    assert edit.status_code == 302
    pilot.refresh_from_db()
    assert pilot.status == "running"
    assert AuditEvent.objects.filter(action="monitoring.pilot.update", object_id=str(pilot.pk)).exists()


# --- queries --------------------------------------------------------------------------------------------------------


def _more_pilots(cast: Cast, count: int) -> None:
    from kooperacja.monitoring.models import PilotStatus

    for index in range(count):
        gmina = f.GminaFactory(
            code=f"24110{index + 4:02d}2"[:7], name=f"Gmina {index}", county=cast.county_a, kind="rural"
        )
        ops = f.InstitutionFactory(name=f"GOPS {index}", gmina=gmina)
        partnership = f.PartnershipFactory(lead_institution=ops, gmina=gmina)
        f.PartnershipMemberFactory(partnership=partnership, institution=ops)
        pilot = Pilot.objects.create(gmina=gmina, variant="rural_leaders", rops=cast.rops_a, status=PilotStatus.RUNNING)
        SupportActivity.objects.create(
            pilot=pilot, kind="training", given_on="2024-05-01", hours=2, given_by="R", for_whom="P"
        )


@pytest.mark.parametrize(
    "url_name,args", [("monitoring:voivodeship", ["24"]), ("monitoring:dashboard", []), ("monitoring:pilot_list", [])]
)
def test_query_count_does_not_grow_with_the_data(
    cast: Cast,
    world: World,
    client_for: Callable[..., Client],
    django_assert_max_num_queries: Callable[..., object],
    url_name: str,
    args: list[str],
) -> None:
    client = client_for(cast.root)
    url = reverse(url_name, args=args)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _more_pilots(cast, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):  # type: ignore[operator]
        assert client.get(url).status_code == 200


# --- exports --------------------------------------------------------------------------------------------------------


def test_csv_export_of_a_dashboard(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    response = client_for(cast.rosa).get(reverse("monitoring:voivodeship", args=["24"]), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_name = {row[1]: row for row in rows if len(row) > 3}
    assert by_name["Miastko A"][0] == cast.gmina_a.code
    assert by_name["Wieś B"][0] == cast.gmina_b.code
    assert "Zet" not in response.content.decode("utf-8-sig")


def test_xlsx_export_opens_with_openpyxl(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    response = client_for(world.mia).get(
        reverse("monitoring:dashboard"), {"format": "xlsx", "variant": "rural_leaders"}
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    first = workbook.worksheets[0]
    values = {row[0]: row[1] for row in first.iter_rows(min_row=3, values_only=True)}
    assert values["gminy testujące model"] == "1"


def test_comparison_side_by_side(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    client = client_for(cast.rosa)
    url = (
        reverse("monitoring:compare")
        + f"?gmina={cast.gmina_a.code}&gmina={cast.gmina_b.code}&gmina={cast.gmina_z.code}"
    )
    body = client.get(url).content.decode()
    assert "Miastko A" in body and "Wieś B" in body and "Zet" not in body
    exported = client.get(url + "&format=csv").content.decode("utf-8-sig")
    assert "Miastko A" in exported


# --- custom indicators ----------------------------------------------------------------------------------------------


def test_rops_adds_custom_indicators_computed_and_typed(
    cast: Cast, world: World, client_for: Callable[..., Client]
) -> None:
    from kooperacja.monitoring.models import CustomIndicator

    client = client_for(cast.rosa)
    response = client.post(
        reverse("monitoring:voivodeship_indicator_create", args=["24"]),
        {
            "name": "Partnerstwa w województwie",
            "unit": "",
            "target": "8",
            "manual_value": "",
            "computed_key": "partnerships",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("monitoring:pilot_indicator_create", args=[world.pilot_a.pk]),
        {"name": "Rodziny w ZZK", "unit": "rodzin", "target": "40", "manual_value": "46", "computed_key": ""},
    )
    assert response.status_code == 302
    assert CustomIndicator.objects.get(name="Rodziny w ZZK").pilot == world.pilot_a
    # The computed value is the live one (2 partnerships in voivodeship 24), beside its target.
    page = client.get(reverse("monitoring:voivodeship", args=["24"])).content.decode()
    row = page.split("Partnerstwa w województwie", 1)[1].split("</tr>", 1)[0]
    assert "<td>2</td>" in row and "<td>8</td>" in row
    assert "46" in client.get(reverse("monitoring:pilot_detail", args=[world.pilot_a.pk])).content.decode()
    # Both a typed and a computed value: refused, nothing saved.
    before = CustomIndicator.objects.count()
    bad = client.post(
        reverse("monitoring:pilot_indicator_create", args=[world.pilot_a.pk]),
        {"name": "X", "target": "1", "manual_value": "3", "computed_key": "support_hours"},
    )
    assert bad.status_code == 200 and CustomIndicator.objects.count() == before


def test_custom_indicator_pages_follow_the_scope(cast: Cast, world: World, client_for: Callable[..., Client]) -> None:
    assert client_for(world.mia).get(reverse("monitoring:voivodeship_indicator_create", args=["24"])).status_code == 403
    assert (
        client_for(world.dan).get(reverse("monitoring:pilot_indicator_create", args=[world.pilot_a.pk])).status_code
        == 403
    )
    assert client_for(cast.rosa).get(reverse("monitoring:voivodeship_indicator_create", args=["20"])).status_code == 404
    assert (
        client_for(cast.olga).get(reverse("monitoring:pilot_indicator_create", args=[world.pilot_a.pk])).status_code
        == 404
    )
