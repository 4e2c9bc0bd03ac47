"""Questionnaire results: aggregates per pilot, variant and gmina kind, computed by hand; small groups hidden."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from kooperacja.core.testing.cast import Cast
from kooperacja.monitoring import selectors_evaluation as selectors
from kooperacja.monitoring.models.evaluation import Response
from kooperacja.monitoring.models.pilots import ModelVariant
from kooperacja.monitoring.tests.test_evaluation_support import Survey, answer, build_survey, make_pilot, respondent_at

pytestmark = pytest.mark.django_db

# (scale, single, multiple) per respondent
GMINA_A = [
    (1, "nie", ["szkolenia"]),
    (2, "nie", ["szkolenia", "coaching"]),
    (3, "tak", ["szkolenia"]),
    (4, "tak", ["szkolenia", "coaching"]),
    (5, "tak", ["szkolenia", "coaching", "superwizja"]),
    (5, "tak", ["coaching"]),
]
GMINA_B = [
    (2, "tak", ["coaching"]),
    (2, "tak", ["coaching", "superwizja"]),
    (4, "tak", ["coaching"]),
    (4, "tak", ["coaching", "superwizja"]),
    (4, "tak", ["coaching"]),
]
SECRET_REMARK = "Uwaga od osoby z gminy A, której nie wolno pokazać"


@pytest.fixture
def survey(cast: Cast) -> Survey:
    survey = build_survey(cast)
    for i, (scale, single, multiple) in enumerate(GMINA_A):
        answer(
            survey,
            respondent_at(cast.gmina_a),
            scale=scale,
            single=single,
            multiple=multiple,
            text=SECRET_REMARK if i == 0 else "",
        )
    for scale, single, multiple in GMINA_B:
        answer(survey, respondent_at(cast.gmina_b), scale=scale, single=single, multiple=multiple)
    return survey


def _group(results: selectors.Results, label_part: str) -> selectors.GroupResult:
    return next(g for g in results.groups if label_part in g.label)


def _item(group: selectors.GroupResult, question: Any) -> selectors.QuestionResult:
    return next(i for i in group.questions if i.question.pk == question.pk)


def test_responses_capture_pilot_kind_and_variant(survey: Survey, cast: Cast) -> None:
    rows = set(Response.objects.values_list("pilot_id", "gmina_kind", "model_variant"))
    assert rows == {
        (survey.pilot_a.pk, "urban", ModelVariant.CITIES_3D),
        (survey.pilot_b.pk, "rural", ModelVariant.RURAL_LEADERS),
    }


def test_results_per_pilot_match_hand_computed_figures(survey: Survey, cast: Cast) -> None:
    results = selectors.questionnaire_results(questionnaire=survey.questionnaire, by="pilot")
    a = _group(results, cast.gmina_a.name)
    b = _group(results, cast.gmina_b.name)
    assert (a.respondents, b.respondents, results.total.respondents) == (6, 5, 11)
    assert not a.suppressed and not b.suppressed and not results.total.suppressed
    # scale: A = 1+2+3+4+5+5 = 20 / 6; B = 2+2+4+4+4 = 16 / 5; all = 36 / 11
    assert _item(a, survey.scale).mean == 3.33
    assert _item(b, survey.scale).mean == 3.2
    assert _item(results.total, survey.scale).mean == 3.27
    assert [(bar.label, bar.count) for bar in _item(a, survey.scale).bars] == [
        ("1", 1),
        ("2", 1),
        ("3", 1),
        ("4", 1),
        ("5", 2),
    ]
    assert [(bar.label, bar.count) for bar in _item(results.total, survey.scale).bars] == [
        ("1", 1),
        ("2", 3),
        ("3", 1),
        ("4", 4),
        ("5", 2),
    ]
    assert [(bar.label, bar.count) for bar in _item(a, survey.single).bars] == [("tak", 4), ("nie", 2)]
    multiple_a = _item(a, survey.multiple).bars
    assert [(bar.label, bar.count, bar.share) for bar in multiple_a] == [
        ("szkolenia", 5, 83.3),
        ("coaching", 4, 66.7),
        ("superwizja", 1, 16.7),
    ]
    assert [(bar.label, bar.count) for bar in _item(b, survey.multiple).bars] == [
        ("szkolenia", 0),
        ("coaching", 5),
        ("superwizja", 2),
    ]
    # free text: only how many were written
    assert _item(a, survey.text).answers == 1
    assert _item(a, survey.text).bars == []


def test_results_per_variant_and_per_gmina_kind(survey: Survey, cast: Cast) -> None:
    by_variant = selectors.questionnaire_results(questionnaire=survey.questionnaire, by="variant")
    assert {g.label: g.respondents for g in by_variant.groups} == {
        str(ModelVariant.CITIES_3D.label): 6,
        str(ModelVariant.RURAL_LEADERS.label): 5,
    }
    rural = next(g for g in by_variant.groups if g.key == ModelVariant.RURAL_LEADERS)
    assert _item(rural, survey.scale).mean == 3.2
    by_kind = selectors.questionnaire_results(questionnaire=survey.questionnaire, by="gmina_kind")
    assert {g.key: g.respondents for g in by_kind.groups} == {"urban": 6, "rural": 5}
    urban = next(g for g in by_kind.groups if g.key == "urban")
    assert _item(urban, survey.scale).mean == 3.33


def test_a_group_under_five_is_hidden_and_so_is_the_next_smallest(survey: Survey, cast: Cast) -> None:
    make_pilot(cast.gmina_z, ModelVariant.URBAN_RURAL)
    for value in (1, 1, 1):
        answer(survey, respondent_at(cast.gmina_z), scale=value, single="nie", multiple=["superwizja"])
    results = selectors.questionnaire_results(questionnaire=survey.questionnaire, by="gmina_kind")
    groups = {g.key: g for g in results.groups}
    assert groups["urban_rural"].suppressed and groups["urban_rural"].respondents_display == "<5"
    assert groups["urban_rural"].questions == []
    # total 14 is shown; with it, rural (5) would give urban-rural away: rural is hidden too, urban (6) is shown
    assert groups["rural"].suppressed and groups["rural"].respondents_display == "<5"
    assert not groups["urban"].suppressed and groups["urban"].respondents_display == "6"
    assert results.total.respondents_display == "14"
    assert _item(results.total, survey.scale).mean == round((36 + 3) / 14, 2)


def test_fewer_than_five_in_all_hides_everything(cast: Cast) -> None:
    survey = build_survey(cast)
    for value in (2, 3, 4, 5):
        answer(survey, respondent_at(cast.gmina_a), scale=value, single="tak", multiple=["coaching"])
    results = selectors.questionnaire_results(questionnaire=survey.questionnaire, by="pilot")
    assert results.total.suppressed and results.total.respondents_display == "<5"
    assert all(g.suppressed for g in results.groups)


def test_results_page_and_csv_show_aggregates_never_free_text(survey: Survey, cast: Cast, client_for: Any) -> None:
    make_pilot(cast.gmina_z, ModelVariant.URBAN_RURAL)
    for value in (1, 2):
        answer(survey, respondent_at(cast.gmina_z), scale=value, single="nie", multiple=["superwizja"])
    client = client_for(cast.rosa)
    page = client.get(f"/monitoring/questionnaires/{survey.questionnaire.pk}/results/?by=pilot")
    assert page.status_code == 200
    html = page.content.decode()
    assert "&lt;5" in html and "3,33" in html
    assert html.count("<svg") == 3 and 'role="img"' in html  # one chart per scale/choice question, beside its table
    assert SECRET_REMARK not in html
    response = client.get(f"/monitoring/questionnaires/{survey.questionnaire.pk}/results.csv?by=pilot")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    body = "\n".join(";".join(r) for r in rows)
    assert SECRET_REMARK not in body
    assert not any(cast.gmina_z.name in r[0] and r[1] != "<5" for r in rows[1:])
    mean_rows = [r for r in rows if r[0].startswith(cast.gmina_a.name) and r[4] in ("mean", "średnia")]
    assert [r[5] for r in mean_rows] == ["3.33"]


def test_results_page_costs_the_same_queries_with_more_respondents(
    survey: Survey, cast: Cast, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(cast.rosa)
    url = f"/monitoring/questionnaires/{survey.questionnaire.pk}/results/?by=pilot"
    client.get(url)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    for value in (1, 2, 3, 4, 5, 5, 4):
        answer(survey, respondent_at(cast.gmina_a), scale=value, single="tak", multiple=["coaching"])
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
