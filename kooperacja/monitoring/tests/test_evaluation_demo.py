"""The evaluation demo: loads on top of the directory demo, once; every status of a recommendation is shown."""

from __future__ import annotations

import io

import pytest

from kooperacja.demo import evaluation_demo
from kooperacja.demo.directory_demo import demo_load
from kooperacja.monitoring.models.evaluation import (
    GoodPractice,
    Questionnaire,
    Recommendation,
    RecommendationStatus,
    RecommendationStatusChange,
    Response,
)
from kooperacja.monitoring.selectors_evaluation import questionnaire_results

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_with_every_status_and_results_worth_showing() -> None:
    demo_load()
    evaluation_demo.load(stdout=io.StringIO())
    counts = (
        Questionnaire.objects.count(),
        Response.objects.count(),
        Recommendation.objects.count(),
        RecommendationStatusChange.objects.count(),
        GoodPractice.objects.count(),
    )
    out = io.StringIO()
    evaluation_demo.load(stdout=out)
    assert "nothing changed" in out.getvalue()
    assert counts == (
        Questionnaire.objects.count(),
        Response.objects.count(),
        Recommendation.objects.count(),
        RecommendationStatusChange.objects.count(),
        GoodPractice.objects.count(),
    )
    assert counts[1] >= 55 and counts[2] >= 12 and counts[4] >= 10
    assert set(Recommendation.objects.values_list("status", flat=True)) == set(RecommendationStatus.values)
    # every recommendation's history starts at "proposed" and ends at its status
    for recommendation in Recommendation.objects.all():
        history = list(recommendation.status_changes.order_by("changed_at", "pk").values_list("to_status", flat=True))
        assert history[0] == "proposed" and history[-1] == recommendation.status
    assert Recommendation.objects.filter(gmina_kinds__contains="|rural|").count() >= 3
    assert (
        GoodPractice.objects.filter(is_public=True).exists() and GoodPractice.objects.filter(is_public=False).exists()
    )
    after = Questionnaire.objects.get(title=evaluation_demo.AFTER_TITLE)
    results = questionnaire_results(questionnaire=after, by="gmina_kind")
    assert {g.key for g in results.groups if not g.suppressed} == {"urban", "rural", "urban_rural"}
    evaluation_demo.delete()
    assert not Recommendation.objects.exists() and not Questionnaire.objects.exists()
    assert not GoodPractice.objects.exists() and not Response.objects.exists()
    evaluation_demo.load(stdout=io.StringIO())
    assert Response.objects.count() == counts[1]
