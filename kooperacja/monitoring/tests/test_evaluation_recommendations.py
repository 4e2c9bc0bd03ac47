"""Findings and recommendations: status workflow with history, filters, who may do what (pages and API)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from kooperacja.core.testing.cast import Cast
from kooperacja.monitoring import services_evaluation as services
from kooperacja.monitoring.models.evaluation import (
    Recommendation,
    RecommendationStatus,
    RecommendationStatusChange,
)
from kooperacja.monitoring.models.pilots import ModelVariant
from kooperacja.monitoring.tests.test_evaluation_support import make_pilot

pytestmark = pytest.mark.django_db


@pytest.fixture
def recommendation(cast: Cast) -> Recommendation:
    pilot = make_pilot(cast.gmina_b, ModelVariant.RURAL_LEADERS)
    return services.recommendation_create(
        actor=cast.rosa,
        kind="recommendation",
        title="Wspólny zespół gminy i powiatu już na starcie",
        text="W gminach wiejskich PZK powinien od początku obejmować PCPR.",
        evidence_indicators="IPW zakończone sukcesem / zamknięte",
        pilot=pilot,
        gmina_kinds=["rural"],
        model_variants=[ModelVariant.RURAL_LEADERS],
    )


def _history(recommendation: Recommendation) -> list[tuple[str, str]]:
    return list(
        RecommendationStatusChange.objects.filter(recommendation=recommendation)
        .order_by("changed_at", "pk")
        .values_list("from_status", "to_status")
    )


def test_the_workflow_writes_its_history(recommendation: Recommendation, cast: Cast) -> None:
    assert _history(recommendation) == [("", "proposed")]
    services.recommendation_change_status(
        actor=cast.rosa, recommendation=recommendation, to_status="accepted", note="Posiedzenie KS 12.03"
    )
    services.recommendation_change_status(actor=cast.root, recommendation=recommendation, to_status="implemented")
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.IMPLEMENTED
    assert _history(recommendation) == [("", "proposed"), ("proposed", "accepted"), ("accepted", "implemented")]
    accepted = RecommendationStatusChange.objects.get(recommendation=recommendation, to_status="accepted")
    assert accepted.changed_by == cast.rosa and accepted.note == "Posiedzenie KS 12.03"


@pytest.mark.parametrize(
    ("path", "refused"),
    [([], "implemented"), ([], "proposed"), (["rejected"], "accepted"), (["accepted", "implemented"], "rejected")],
)
def test_a_move_the_workflow_does_not_allow_is_refused_and_changes_nothing(
    recommendation: Recommendation, cast: Cast, path: list[str], refused: str
) -> None:
    for status in path:
        services.recommendation_change_status(
            actor=cast.rosa, recommendation=recommendation, to_status=status, note="powód"
        )
    before = _history(recommendation)
    status_before = Recommendation.objects.get(pk=recommendation.pk).status
    with pytest.raises(ValidationError) as exc:
        services.recommendation_change_status(
            actor=cast.rosa, recommendation=recommendation, to_status=refused, note="x"
        )
    assert "status" in exc.value.message_dict
    assert Recommendation.objects.get(pk=recommendation.pk).status == status_before
    assert _history(recommendation) == before


def test_rejecting_needs_a_note(recommendation: Recommendation, cast: Cast) -> None:
    with pytest.raises(ValidationError) as exc:
        services.recommendation_change_status(actor=cast.rosa, recommendation=recommendation, to_status="rejected")
    assert "note" in exc.value.message_dict
    assert Recommendation.objects.get(pk=recommendation.pk).status == "proposed"


def test_pages_create_edit_and_change_status(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.rosa)
    response = client.post(
        "/monitoring/recommendations/new/",
        {
            "kind": "finding",
            "title": "Animator gminny potrzebuje superwizji",
            "text": "Wniosek z pilotażu.",
            "voivodeship": cast.voivodeship_a.pk,
            "gmina_kinds": ["rural", "urban_rural"],
            "model_variants": [ModelVariant.RURAL_LEADERS],
            "evidence_minutes": "Protokół spotkania makroregionalnego",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Recommendation.objects.get(title="Animator gminny potrzebuje superwizji")
    assert created.gmina_kind_list == ["rural", "urban_rural"]
    detail = f"/monitoring/recommendations/{created.pk}/"
    assert client.get(detail).status_code == 200
    response = client.post(f"{detail}status/", {"status": "implemented", "note": ""})
    assert response.status_code == 200
    assert "proponowan" in response.content.decode() or "proposed" in response.content.decode()
    created.refresh_from_db()
    assert created.status == "proposed"
    assert client.post(f"{detail}status/", {"status": "accepted", "note": "KS"}).status_code == 302
    created.refresh_from_db()
    assert created.status == "accepted"
    page = client.get(detail).content.decode()
    assert "KS" in page and "<caption>" in page
    data = {"kind": "finding", "title": "Nowy tytuł", "text": "Tekst", "gmina_kinds": ["rural"]}
    assert client.post(f"{detail}edit/", data).status_code == 302
    created.refresh_from_db()
    assert (created.title, created.gmina_kinds, created.status) == ("Nowy tytuł", "|rural|", "accepted")


@pytest.mark.parametrize("suffix", ["edit/", "status/"])
def test_a_reader_gets_403_on_writes(recommendation: Recommendation, cast: Cast, client_for: Any, suffix: str) -> None:
    client = client_for(cast.olga)
    assert client.get(f"/monitoring/recommendations/{recommendation.pk}/").status_code == 200
    assert client.get(f"/monitoring/recommendations/{recommendation.pk}/{suffix}").status_code == 403
    assert (
        client.post(
            f"/monitoring/recommendations/{recommendation.pk}/{suffix}",
            {"status": "accepted", "title": "x", "text": "y", "kind": "finding"},
        ).status_code
        == 403
    )
    assert client.get("/monitoring/recommendations/new/").status_code == 403
    recommendation.refresh_from_db()
    assert recommendation.status == "proposed" and recommendation.title != "x"


def test_the_anonymous_are_sent_to_sign_in(recommendation: Recommendation, client: Any) -> None:
    for url in ("/monitoring/recommendations/", f"/monitoring/recommendations/{recommendation.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/monitoring/recommendations/999999/").status_code == 302


def test_filters_and_constant_queries(
    recommendation: Recommendation, cast: Cast, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    urban = services.recommendation_create(
        actor=cast.rosa,
        kind="finding",
        title="Szkoły w ZZK miast",
        text="t",
        gmina_kinds=["urban"],
        voivodeship=cast.voivodeship_z,
    )
    everyone = services.recommendation_create(actor=cast.rosa, kind="finding", title="Dla wszystkich", text="t")
    services.recommendation_change_status(actor=cast.rosa, recommendation=urban, to_status="accepted")
    client = client_for(cast.tom)

    def titles(query: str) -> set[str]:
        html = client.get(f"/monitoring/recommendations/?{query}").content.decode()
        return {r.title for r in (recommendation, urban, everyone) if r.title in html}

    assert titles("status=accepted") == {urban.title}
    assert titles("gmina_kind=rural") == {recommendation.title, everyone.title}
    assert titles(f"variant={ModelVariant.CITIES_3D}") == {urban.title, everyone.title}
    assert titles(f"region=v{cast.voivodeship_z.pk}") == {urban.title}
    assert titles(f"region=v{cast.voivodeship_a.pk}") == {recommendation.title}  # through its pilot in gmina B
    assert titles(f"region=m{cast.voivodeship_a.macroregion_id}") == {recommendation.title}
    with django_assert_max_num_queries(12):
        client.get("/monitoring/recommendations/")
    for i in range(10):
        services.recommendation_create(
            actor=cast.rosa, kind="finding", title=f"Wniosek {i}", text="t", voivodeship=cast.voivodeship_a
        )
    with django_assert_max_num_queries(12):
        client.get("/monitoring/recommendations/")


def test_api_list_detail_and_status_change(recommendation: Recommendation, cast: Cast, client_for: Any) -> None:
    tom = client_for(cast.tom)
    listing = tom.get("/api/v1/monitoring/recommendations?gmina_kind=rural").json()
    assert [item["id"] for item in listing["items"]] == [recommendation.pk]
    assert listing["items"][0]["gmina_kinds"] == ["rural"]
    url = f"/api/v1/monitoring/recommendations/{recommendation.pk}"
    assert tom.get(url).json()["history"][0]["to_status"] == "proposed"
    assert tom.post(f"{url}/status", {"status": "accepted"}, content_type="application/json").status_code == 403
    rosa = client_for(cast.rosa)
    bad = rosa.post(f"{url}/status", {"status": "implemented"}, content_type="application/json")
    assert bad.status_code == 422 and "status" in bad.json()["fields"]
    good = rosa.post(f"{url}/status", {"status": "accepted", "note": "KS"}, content_type="application/json")
    assert good.status_code == 200
    assert [h["to_status"] for h in good.json()["history"]] == ["proposed", "accepted"]
    assert rosa.get("/api/v1/monitoring/recommendations/999999").status_code == 404


def test_api_anonymous_gets_401(recommendation: Recommendation, client: Any) -> None:
    assert client.get("/api/v1/monitoring/recommendations").status_code == 401
    assert (
        client.post(
            f"/api/v1/monitoring/recommendations/{recommendation.pk}/status",
            {"status": "accepted"},
            content_type="application/json",
        ).status_code
        == 401
    )


def test_custom_indicators_are_linked_as_evidence(cast: Cast, client_for: Any) -> None:
    indicator = apps.get_model("monitoring", "CustomIndicator").objects.create(
        name="Rodziny objęte IPW", voivodeship=cast.voivodeship_a, target=40
    )
    client = client_for(cast.rosa)
    data = {"kind": "finding", "title": "Więcej rodzin", "text": "t", "custom_indicators": [indicator.pk]}
    assert client.post("/monitoring/recommendations/new/", data).status_code == 302
    created = Recommendation.objects.get(title="Więcej rodzin")
    assert list(created.evidence_custom_indicators.all()) == [indicator]
    assert "Rodziny objęte IPW" in client.get(f"/monitoring/recommendations/{created.pk}/").content.decode()
    detail = client.get(f"/api/v1/monitoring/recommendations/{created.pk}").json()
    assert detail["evidence_custom_indicators"] == [str(indicator)]
    assert (
        client.post(f"/monitoring/recommendations/{created.pk}/edit/", {**data, "custom_indicators": []}).status_code
        == 302
    )
    assert not created.evidence_custom_indicators.exists()
