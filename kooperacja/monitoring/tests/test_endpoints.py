"""Every page and API endpoint of monitoring, listed once: outsiders get 404 (or, where there is nothing to hide, the
sign-in page), readers who try to write get 403. The lists are checked against the URL patterns and the API routers,
so a new endpoint without a line here fails the test.

Actors: olga (an NGO worker of another voivodeship) is the outsider of the pilots part and of questionnaires;
dan (data protection officer at ROPS A) reads pilots of voivodeship A and may not write them; tom (a teacher at
school A, asked by the questionnaire) answers questionnaires and reads findings and good practices, nothing more.
Findings, recommendations and good practices are read by every signed-in user (policies_evaluation.py): their
outsider is the anonymous visitor.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from kooperacja.accounts.models import Role
from kooperacja.core.testing import factories as f
from kooperacja.core.testing.cast import Cast
from kooperacja.monitoring import api_evaluation, api_pilots
from kooperacja.monitoring import services_evaluation as evaluation
from kooperacja.monitoring.models.pilots import ModelVariant
from kooperacja.monitoring.tests.test_evaluation_support import Survey, build_survey
from kooperacja.monitoring.urls import urlpatterns

pytestmark = pytest.mark.django_db

API = "/api/v1/monitoring"


@dataclass
class Objects:
    survey: Survey
    recommendation: Any
    practice: Any
    dan: Any


@pytest.fixture
def objects(cast: Cast) -> Objects:
    survey = build_survey(cast, pilot="a")
    recommendation = evaluation.recommendation_create(
        actor=cast.rosa,
        kind="recommendation",
        title="PCPR w PZK od początku",
        text="W gminach wiejskich PZK powinien od początku obejmować PCPR.",
        pilot=survey.pilot_b,
        gmina_kinds=["rural"],
        model_variants=[ModelVariant.RURAL_LEADERS],
    )
    practice = evaluation.practice_create(
        actor=cast.rosa,
        title="Dyżury pedagoga w MOPS",
        problem="Rodziny nie docierały do poradni.",
        solution="Pedagog pełni dyżur w MOPS.",
        sectors=["education"],
        gmina=cast.gmina_a,
    )
    dan = f.UserFactory(username="dan")
    f.MembershipFactory(user=dan, institution=cast.rops_a, role=Role.DATA_PROTECTION_OFFICER)
    return Objects(survey, recommendation, practice, dan)


# name → (kwargs from the objects, who is the outsider and what it gets, is it a write)
PILOTS_READS = [
    "dashboard",
    "macroregion",
    "voivodeship",
    "gmina",
    "compare",
    "pilot_list",
    "pilot_detail",
    "pilot_report",
    "pilot_agreement_file",
]
PILOTS_WRITES = [
    "pilot_create",
    "pilot_edit",
    "support_create",
    "pilot_indicator_create",
    "voivodeship_indicator_create",
]
QUESTIONNAIRE_READS = ["questionnaire_detail", "questionnaire_answer"]
QUESTIONNAIRE_MANAGE = [
    "questionnaire_edit",
    "questionnaire_status",
    "question_create",
    "invitation_create",
    "questionnaire_results",
    "questionnaire_results_csv",
    "question_edit",
    "question_delete",
]
OPEN_TO_SIGNED_IN = [
    "questionnaire_list",  # lists only what the actor may answer or build
    "recommendation_list",
    "recommendation_detail",
    "practice_list",
    "practice_detail",
]
CREATE_PAGES = ["questionnaire_create", "recommendation_create", "practice_create"]
EVALUATION_WRITES = ["recommendation_edit", "recommendation_status", "practice_edit"]
TOKEN_PAGES = ["answer_with_link"]
POST_ONLY = {"questionnaire_status", "question_delete", "invitation_create"}
WRITES_WITH_A_FORM = set(PILOTS_WRITES) | set(QUESTIONNAIRE_MANAGE) | set(CREATE_PAGES) | set(EVALUATION_WRITES)
GET_ONLY = {"questionnaire_results", "questionnaire_results_csv"}


def _methods(name: str) -> list[str]:
    """The methods an endpoint answers (the others are 405 before any policy is asked)."""
    if name in POST_ONLY:
        return ["post"]
    if name in WRITES_WITH_A_FORM - GET_ONLY:
        return ["get", "post"]
    return ["get"]


def _kwargs(name: str, objects: Objects, cast: Cast) -> dict[str, Any]:
    pilot = objects.survey.pilot_a
    by_param = {
        "macroregion": {"code": "poludnie"},
        "voivodeship": {"code": "24"},
        "voivodeship_indicator_create": {"code": "24"},
        "gmina": {"code": cast.gmina_a.code},
        "answer_with_link": {"token": "not-a-real-link"},
    }
    if name in by_param:
        return by_param[name]
    if name.startswith(("pilot_", "support_")) and name not in ("pilot_list", "pilot_create"):
        return {"pk": pilot.pk}
    if name.startswith("question_"):
        return {"pk": objects.survey.scale.pk} if name != "question_create" else {"pk": objects.survey.questionnaire.pk}
    if name.startswith(("questionnaire_", "invitation_")) and name not in (
        "questionnaire_list",
        "questionnaire_create",
    ):
        return {"pk": objects.survey.questionnaire.pk}
    if name.startswith("recommendation_") and name not in ("recommendation_list", "recommendation_create"):
        return {"pk": objects.recommendation.pk}
    if name.startswith("practice_") and name not in ("practice_list", "practice_create"):
        return {"pk": objects.practice.pk}
    return {}


def _url(name: str, objects: Objects, cast: Cast) -> str:
    return reverse(f"monitoring:{name}", kwargs=_kwargs(name, objects, cast))


def test_every_url_pattern_is_listed() -> None:
    listed = (
        PILOTS_READS
        + PILOTS_WRITES
        + QUESTIONNAIRE_READS
        + QUESTIONNAIRE_MANAGE
        + OPEN_TO_SIGNED_IN
        + CREATE_PAGES
        + EVALUATION_WRITES
        + TOKEN_PAGES
    )
    names = [pattern.name for pattern in urlpatterns if isinstance(pattern, URLPattern)]
    assert sorted(listed) == sorted(names)


@pytest.mark.parametrize("name", PILOTS_READS + PILOTS_WRITES + QUESTIONNAIRE_READS + QUESTIONNAIRE_MANAGE)
def test_an_outsider_gets_404(objects: Objects, cast: Cast, client_for: Callable[..., Client], name: str) -> None:
    client = client_for(cast.olga)
    url = _url(name, objects, cast)
    for method in _methods(name):
        assert getattr(client, method)(url, {}).status_code == 404, (method, url)


@pytest.mark.parametrize("name", PILOTS_WRITES)
def test_a_pilot_reader_gets_403_on_writes(
    objects: Objects, cast: Cast, client_for: Callable[..., Client], name: str
) -> None:
    client = client_for(objects.dan)
    url = _url(name, objects, cast)
    for method in _methods(name):
        assert getattr(client, method)(url, {}).status_code == 403, (method, url)


@pytest.mark.parametrize("name", QUESTIONNAIRE_MANAGE + CREATE_PAGES + EVALUATION_WRITES)
def test_a_respondent_or_reader_gets_403_on_evaluation_writes(
    objects: Objects, cast: Cast, client_for: Callable[..., Client], name: str
) -> None:
    client = client_for(cast.tom)
    url = _url(name, objects, cast)
    for method in _methods(name):
        assert getattr(client, method)(url, {}).status_code == 403, (method, url)


@pytest.mark.parametrize(
    "name", PILOTS_READS + PILOTS_WRITES + QUESTIONNAIRE_READS + QUESTIONNAIRE_MANAGE + OPEN_TO_SIGNED_IN + CREATE_PAGES
)
def test_the_anonymous_are_sent_to_sign_in(objects: Objects, cast: Cast, client: Client, name: str) -> None:
    response = client.get(_url(name, objects, cast))
    assert response.status_code in (302, 405) and (response.status_code == 405 or "login" in response["Location"])


def test_an_unknown_answer_link_is_404(objects: Objects, cast: Cast, client: Client) -> None:
    assert client.get(_url("answer_with_link", objects, cast)).status_code == 404


# --- API ------------------------------------------------------------------------------------------------------------

# (method, path template) → what the outsider gets, what a reader gets on a write
API_ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/pilots"): "404",
    ("GET", "/pilots/{pilot_id}"): "404",
    ("POST", "/pilots/{pilot_id}/support"): "404",
    ("GET", "/indicators"): "404",
    ("GET", "/snapshots"): "404",
    ("GET", "/questionnaires"): "open",
    ("GET", "/questionnaires/{questionnaire_id}"): "404",
    ("POST", "/questionnaires/{questionnaire_id}/responses"): "404",
    ("GET", "/questionnaires/{questionnaire_id}/results"): "404",
    ("GET", "/recommendations"): "open",
    ("GET", "/recommendations/{recommendation_id}"): "open",
    ("POST", "/recommendations/{recommendation_id}/status"): "403",
    ("GET", "/practices"): "open",
    ("GET", "/practices/{practice_id}"): "open",
}


def _api_payload(template: str, objects: Objects) -> dict[str, Any]:
    """A body the schema accepts, so that the answer comes from the policy, not from validation (422)."""
    if template.endswith("/support"):
        return {"kind": "training", "given_by": "X", "given_on": "2024-06-01", "hours": "2", "for_whom": "Y"}
    if template.endswith("/responses"):
        return {"answers": {str(objects.survey.scale.pk): 4}}
    if template.endswith("/status"):
        return {"status": "accepted"}
    return {}


def _api_path(template: str, objects: Objects) -> str:
    return (
        API
        + template.format(
            pilot_id=objects.survey.pilot_a.pk,
            questionnaire_id=objects.survey.questionnaire.pk,
            recommendation_id=objects.recommendation.pk,
            practice_id=objects.practice.pk,
        )
        + ("?level=voivodeship&code=24" if template == "/indicators" else "")
    )


def test_every_api_route_is_listed() -> None:
    routes = {
        (method, path)
        for router in (api_pilots.router, api_evaluation.router)
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    }
    assert routes == set(API_ROUTES)


@pytest.mark.parametrize("route", list(API_ROUTES))
def test_api_outsiders_and_the_anonymous(
    objects: Objects, cast: Cast, client_for: Callable[..., Client], client: Client, route: tuple[str, str]
) -> None:
    method, template = route
    path = _api_path(template, objects)
    body = json.dumps(_api_payload(template, objects))
    anonymous = client.generic(method, path, body, content_type="application/json")
    assert anonymous.status_code == 401, path
    outsider = client_for(cast.olga).generic(method, path, body, content_type="application/json")
    expected = {"404": {404}, "403": {403}, "open": {200}}[API_ROUTES[route]]
    assert outsider.status_code in expected, (path, outsider.status_code)


def test_api_readers_cannot_write(objects: Objects, cast: Cast, client_for: Callable[..., Client]) -> None:
    pilot = objects.survey.pilot_a
    payload = {"kind": "training", "given_by": "X", "given_on": "2024-06-01", "hours": "2", "for_whom": "Y"}
    response = client_for(objects.dan).post(
        f"{API}/pilots/{pilot.pk}/support", payload, content_type="application/json"
    )
    assert response.status_code == 403
    status = client_for(cast.tom).post(
        f"{API}/recommendations/{objects.recommendation.pk}/status",
        {"status": "accepted"},
        content_type="application/json",
    )
    assert status.status_code == 403
    assert (
        client_for(cast.tom).get(f"{API}/questionnaires/{objects.survey.questionnaire.pk}/results").status_code == 403
    )
