"""Questionnaires: building, answering (pages, one-time links, API) and who may do what."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kooperacja.core.models import AuditEvent
from kooperacja.core.testing.cast import Cast
from kooperacja.monitoring import services_evaluation as services
from kooperacja.monitoring.models.evaluation import (
    Answer,
    Question,
    Questionnaire,
    QuestionnaireStatus,
    Response,
    ResponseInvitation,
)
from kooperacja.monitoring.models.pilots import ModelVariant
from kooperacja.monitoring.tests.test_evaluation_support import Survey, build_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(cast: Cast) -> Survey:
    """Open questionnaire for the pilot of gmina A: tom (school A) and paula (the county's court) are asked."""
    return build_survey(cast, pilot="a")


def _form_answers(survey: Survey, *, scale: str = "4", text: str = "") -> dict[str, Any]:
    tak = survey.single.options.get(text="tak").pk
    coaching = survey.multiple.options.get(text="coaching").pk
    superwizja = survey.multiple.options.get(text="superwizja").pk
    return {
        f"q{survey.scale.pk}": scale,
        f"q{survey.single.pk}": str(tak),
        f"q{survey.multiple.pk}": [str(coaching), str(superwizja)],
        f"q{survey.text.pk}": text,
    }


# --- building ----------------------------------------------------------------------------------------------------


def test_an_evaluator_builds_and_opens_a_questionnaire(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.rosa)
    response = client.post(
        "/monitoring/questionnaires/new/",
        {"title": "Ankieta przed pilotażem", "purpose": "before", "audience": "staff", "description": ""},
    )
    assert response.status_code == 302
    questionnaire = Questionnaire.objects.get(title="Ankieta przed pilotażem")
    assert questionnaire.status == QuestionnaireStatus.DRAFT
    base = f"/monitoring/questionnaires/{questionnaire.pk}"
    # opening an empty questionnaire is refused
    client.post(f"{base}/status/", {"status": "open"})
    questionnaire.refresh_from_db()
    assert questionnaire.status == QuestionnaireStatus.DRAFT
    response = client.post(
        f"{base}/questions/new/",
        {
            "text": "Zespół spotyka się regularnie",
            "kind": "scale",
            "required": "on",
            "scale_minimum": "1",
            "scale_maximum": "5",
            "scale_minimum_label": "zdecydowanie nie",
            "scale_maximum_label": "zdecydowanie tak",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"{base}/questions/new/", {"text": "Wybierz jedną", "kind": "single", "options": "tylko jedna"}
    )
    assert response.status_code == 200  # a choice needs two options
    assert "Pytanie wyboru wymaga co najmniej dwóch odpowiedzi." in response.content.decode()
    client.post(f"{base}/status/", {"status": "open"})
    questionnaire.refresh_from_db()
    assert questionnaire.status == QuestionnaireStatus.OPEN
    question = Question.objects.get(questionnaire=questionnaire)
    assert (question.scale.minimum, question.scale.maximum, question.scale.maximum_label) == (1, 5, "zdecydowanie tak")
    # once open, questions are frozen
    response = client.post(f"/monitoring/questions/{question.pk}/delete/")
    assert Question.objects.filter(pk=question.pk).exists()


# --- answering ---------------------------------------------------------------------------------------------------


def test_a_partner_answers_once_and_the_pilot_is_captured(survey: Survey, cast: Cast, client_for: Any) -> None:
    client = client_for(cast.tom)
    url = f"/monitoring/questionnaires/{survey.questionnaire.pk}/answer/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<fieldset" in html and "<legend>" in html and 'type="radio"' in html
    response = client.post(url, _form_answers(survey))
    assert response.status_code == 200
    saved = Response.objects.get(questionnaire=survey.questionnaire, respondent=cast.tom)
    assert (saved.pilot_id, saved.gmina_id, saved.gmina_kind, saved.model_variant) == (
        survey.pilot_a.pk,
        cast.gmina_a.pk,
        "urban",
        ModelVariant.CITIES_3D,
    )
    assert Answer.objects.filter(response=saved).count() == 4  # scale, single, two options; no empty text
    assert AuditEvent.objects.filter(action="monitoring.response_submit", object_id=str(saved.pk)).exists()
    # a second time: redirected to the questionnaire, nothing more recorded
    again = client.post(url, _form_answers(survey))
    assert again.status_code == 302
    assert Response.objects.filter(questionnaire=survey.questionnaire).count() == 1


def test_a_missing_required_answer_or_a_value_off_the_scale_is_refused(
    survey: Survey, cast: Cast, client_for: Any
) -> None:
    client = client_for(cast.tom)
    url = f"/monitoring/questionnaires/{survey.questionnaire.pk}/answer/"
    answers = _form_answers(survey)
    del answers[f"q{survey.single.pk}"]
    response = client.post(url, answers)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    response = client.post(url, _form_answers(survey, scale="9"))
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    assert not Response.objects.exists()


def test_a_one_time_link_lets_someone_answer_without_an_account_once(
    survey: Survey, cast: Cast, client_for: Any, client: Any
) -> None:
    rosa = client_for(cast.rosa)
    response = rosa.post(f"/monitoring/questionnaires/{survey.questionnaire.pk}/links/", {"count": "2"})
    assert response.status_code == 200
    links = [line for line in response.content.decode().split() if "/monitoring/answer/" in line]
    assert len(links) == 2
    assert ResponseInvitation.objects.count() == 2
    path = links[0][links[0].index("/monitoring/answer/") :].split("<")[0]
    client.logout()
    assert client.get(path).status_code == 200
    assert client.post(path, _form_answers(survey)).status_code == 200
    saved = Response.objects.get()
    assert saved.respondent is None and saved.pilot_id == survey.pilot_a.pk and saved.gmina_kind == "urban"
    assert client.get(path).status_code == 404
    assert client.post(path, _form_answers(survey)).status_code == 404
    assert Response.objects.count() == 1
    assert client.get("/monitoring/answer/not-a-real-link/").status_code == 404


# --- who may do what ------------------------------------------------------------------------------------------------

MANAGE_PAGES = ["edit/", "results/", "results.csv", "questions/new/"]
MANAGE_POSTS = ["status/", "links/"]


@pytest.mark.parametrize("suffix", ["", "answer/", *MANAGE_PAGES])
def test_an_outsider_gets_404_on_every_questionnaire_page(
    survey: Survey, cast: Cast, client_for: Any, suffix: str
) -> None:
    client = client_for(cast.olga)
    assert client.get(f"/monitoring/questionnaires/{survey.questionnaire.pk}/{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", MANAGE_POSTS)
def test_an_outsider_gets_404_on_questionnaire_writes(survey: Survey, cast: Cast, client_for: Any, suffix: str) -> None:
    client = client_for(cast.olga)
    assert (
        client.post(
            f"/monitoring/questionnaires/{survey.questionnaire.pk}/{suffix}", {"status": "closed", "count": "1"}
        ).status_code
        == 404
    )
    assert client.post(f"/monitoring/questions/{survey.scale.pk}/delete/").status_code == 404


@pytest.mark.parametrize("suffix", MANAGE_PAGES)
def test_a_respondent_gets_403_on_building_pages_and_results(
    survey: Survey, cast: Cast, client_for: Any, suffix: str
) -> None:
    client = client_for(cast.tom)
    assert client.get(f"/monitoring/questionnaires/{survey.questionnaire.pk}/").status_code == 200
    assert client.get(f"/monitoring/questionnaires/{survey.questionnaire.pk}/{suffix}").status_code == 403


def test_a_respondent_cannot_change_the_questionnaire(survey: Survey, cast: Cast, client_for: Any) -> None:
    client = client_for(cast.paula)
    q = survey.questionnaire
    assert client.get("/monitoring/questionnaires/new/").status_code == 403
    assert client.post(f"/monitoring/questionnaires/{q.pk}/status/", {"status": "closed"}).status_code == 403
    assert client.post(f"/monitoring/questionnaires/{q.pk}/links/", {"count": "3"}).status_code == 403
    assert (
        client.post(f"/monitoring/questions/{survey.scale.pk}/edit/", {"text": "x", "kind": "text"}).status_code == 403
    )
    q.refresh_from_db()
    assert q.status == QuestionnaireStatus.OPEN
    assert not ResponseInvitation.objects.exists()


def test_a_draft_is_hidden_from_respondents(cast: Cast, client_for: Any) -> None:
    survey = build_survey(cast, pilot="a", status=QuestionnaireStatus.DRAFT)
    client = client_for(cast.tom)
    assert client.get(f"/monitoring/questionnaires/{survey.questionnaire.pk}/").status_code == 404
    assert survey.questionnaire.title not in client.get("/monitoring/questionnaires/").content.decode()


def test_signing_in_is_needed(survey: Survey, client: Any) -> None:
    for url in ("/monitoring/questionnaires/", f"/monitoring/questionnaires/{survey.questionnaire.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_shows_each_user_what_concerns_them(
    survey: Survey, cast: Cast, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        build_survey_extra = Questionnaire.objects.create(title="Inna ankieta", status="open", pilot=survey.pilot_b)
    assert build_survey_extra.pk
    tom = client_for(cast.tom)
    with django_assert_max_num_queries(12):
        html = tom.get("/monitoring/questionnaires/").content.decode()
    assert survey.questionnaire.title in html and "Inna ankieta" not in html  # pilot B's are for gmina B
    rosa = client_for(cast.rosa)
    with django_assert_max_num_queries(12):
        html = rosa.get("/monitoring/questionnaires/").content.decode()
    assert html.count("Inna ankieta") == 3
    olga = client_for(cast.olga)
    assert survey.questionnaire.title not in olga.get("/monitoring/questionnaires/").content.decode()


# --- API ----------------------------------------------------------------------------------------------------------


def _api_answers(survey: Survey) -> dict[str, Any]:
    tak = survey.single.options.get(text="tak").pk
    coaching = survey.multiple.options.get(text="coaching").pk
    return {
        "answers": {
            str(survey.scale.pk): 5,
            str(survey.single.pk): tak,
            str(survey.multiple.pk): [coaching],
            str(survey.text.pk): "Dobra współpraca.",
        }
    }


def test_api_lists_details_and_answers(survey: Survey, cast: Cast, client_for: Any) -> None:
    client = client_for(cast.tom)
    listing = client.get("/api/v1/monitoring/questionnaires").json()
    assert [item["id"] for item in listing["items"]] == [survey.questionnaire.pk]
    assert listing["count"] == 1 and listing["page"] == 1
    detail = client.get(f"/api/v1/monitoring/questionnaires/{survey.questionnaire.pk}").json()
    assert [q["kind"] for q in detail["questions"]] == ["scale", "single", "multiple", "text"]
    assert detail["questions"][0]["scale"]["maximum_label"] == "zdecydowanie tak"
    url = f"/api/v1/monitoring/questionnaires/{survey.questionnaire.pk}/responses"
    response = client.post(url, _api_answers(survey), content_type="application/json")
    assert response.status_code == 201, response.content
    again = client.post(url, _api_answers(survey), content_type="application/json")
    assert again.status_code == 422
    assert Response.objects.count() == 1


def test_api_refuses_a_bad_answer_with_the_question_named(survey: Survey, cast: Cast, client_for: Any) -> None:
    client = client_for(cast.tom)
    body = _api_answers(survey)
    body["answers"][str(survey.scale.pk)] = 7
    response = client.post(
        f"/api/v1/monitoring/questionnaires/{survey.questionnaire.pk}/responses", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert f"q{survey.scale.pk}" in response.json()["fields"]
    assert not Response.objects.exists()


def test_api_permissions(survey: Survey, cast: Cast, client_for: Any, client: Any) -> None:
    pk = survey.questionnaire.pk
    olga = client_for(cast.olga)
    assert olga.get(f"/api/v1/monitoring/questionnaires/{pk}").status_code == 404
    assert olga.get(f"/api/v1/monitoring/questionnaires/{pk}/results").status_code == 404
    assert (
        olga.post(
            f"/api/v1/monitoring/questionnaires/{pk}/responses", _api_answers(survey), content_type="application/json"
        ).status_code
        == 404
    )
    assert olga.get("/api/v1/monitoring/questionnaires").json()["count"] == 0
    tom = client_for(cast.tom)
    assert tom.get(f"/api/v1/monitoring/questionnaires/{pk}/results").status_code == 403
    rosa = client_for(cast.rosa)
    # an evaluator reads it but is not among those asked
    assert (
        rosa.post(
            f"/api/v1/monitoring/questionnaires/{pk}/responses", _api_answers(survey), content_type="application/json"
        ).status_code
        == 403
    )
    results = rosa.get(f"/api/v1/monitoring/questionnaires/{pk}/results?by=variant").json()
    assert results["by"] == "variant" and results["total"]["respondents"] == "<5"
    client.logout()
    assert client.get("/api/v1/monitoring/questionnaires").status_code == 401


def test_the_audience_decides_who_is_asked(cast: Cast, client_for: Any) -> None:
    survey = build_survey(cast, pilot="a")
    survey.questionnaire.status = QuestionnaireStatus.DRAFT
    survey.questionnaire.audience = "staff"
    survey.questionnaire.save()
    survey.questionnaire.status = QuestionnaireStatus.OPEN
    survey.questionnaire.save()
    url = f"/monitoring/questionnaires/{survey.questionnaire.pk}/answer/"
    assert client_for(cast.tom).get(url).status_code == 404  # a school is a partner, not OPS staff
    assert client_for(cast.alice).get(url).status_code == 200  # OPS A in the pilot gmina
    assert client_for(cast.bob).get(url).status_code == 404  # OPS B: another gmina's staff


def test_once_open_only_title_and_description_change(survey: Survey, cast: Cast, client_for: Any) -> None:
    client = client_for(cast.rosa)
    url = f"/monitoring/questionnaires/{survey.questionnaire.pk}/edit/"
    page = client.get(url).content.decode()
    assert 'name="audience"' in page and "disabled" in page
    response = client.post(
        url, {"title": "Nowy tytuł", "description": "Opis", "purpose": "before", "audience": "staff"}
    )
    assert response.status_code == 302
    survey.questionnaire.refresh_from_db()
    assert (survey.questionnaire.title, survey.questionnaire.purpose, survey.questionnaire.audience) == (
        "Nowy tytuł",
        "after",
        "all",
    )
    assert client.get(f"/monitoring/questions/{survey.scale.pk}/edit/").status_code == 200
    client.post(f"/monitoring/questions/{survey.scale.pk}/edit/", {"text": "Zmienione", "kind": "text"})
    survey.scale.refresh_from_db()
    assert survey.scale.text != "Zmienione"


def test_a_scale_is_shared_and_a_bad_range_is_refused(cast: Cast) -> None:
    first = services.scale_get_or_create(minimum=1, maximum=5, minimum_label="nie", maximum_label="tak")
    assert services.scale_get_or_create(minimum=1, maximum=5, minimum_label="nie", maximum_label="tak") == first
    for low, high in ((5, 5), (0, 11), (-1, 3)):
        with pytest.raises(ValidationError):
            services.scale_get_or_create(minimum=low, maximum=high)
