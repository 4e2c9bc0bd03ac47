"""Evaluation and knowledge in the JSON API (/api/v1/monitoring/): the same policies, selectors and services as
the pages. Questionnaires: 404 to whom they do not address, 403 to respondents who ask for results. Findings,
recommendations and good practices: read by every signed-in user, written by evaluators (403 for the others)."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kooperacja.core.pagination import PageNumberPagination
from kooperacja.monitoring import policies_evaluation as policies
from kooperacja.monitoring import selectors_evaluation as selectors
from kooperacja.monitoring import services_evaluation as services
from kooperacja.monitoring.models.evaluation import (
    GoodPractice,
    Question,
    Questionnaire,
    Recommendation,
    RecommendationStatusChange,
    split_choices,
)

router = Router(tags=["monitoring: evaluation"])


# --- schemas --------------------------------------------------------------------------------------------------------


class QuestionnaireOut(Schema):
    id: int
    title: str
    description: str
    purpose: str
    audience: str
    status: str
    pilot_id: int | None
    voivodeship: str | None

    @staticmethod
    def resolve_voivodeship(obj: Questionnaire) -> str | None:
        return obj.voivodeship.code if obj.voivodeship_id else None


class OptionOut(Schema):
    id: int
    text: str


class ScaleOut(Schema):
    minimum: int
    maximum: int
    minimum_label: str
    maximum_label: str


class QuestionOut(Schema):
    id: int
    order: int
    text: str
    help_text: str
    kind: str
    required: bool
    scale: ScaleOut | None
    options: list[OptionOut]

    @staticmethod
    def resolve_options(obj: Question) -> list[Any]:
        return list(obj.options.all())


class QuestionnaireDetailOut(QuestionnaireOut):
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj: Questionnaire) -> list[Question]:
        return selectors.questionnaire_questions(questionnaire=obj)


class ResponseIn(Schema):
    answers: dict[str, int | str | list[int]]


class ResponseOut(Schema):
    id: int
    questionnaire_id: int
    submitted_at: datetime.datetime


class BarOut(Schema):
    label: str
    count: int
    share: float


class QuestionResultOut(Schema):
    question_id: int
    answers: int
    mean: float | None
    distribution: list[BarOut]


class GroupOut(Schema):
    key: str
    label: str
    respondents: str
    suppressed: bool
    questions: list[QuestionResultOut]


class ResultsOut(Schema):
    questionnaire_id: int
    by: str
    groups: list[GroupOut]
    total: GroupOut


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    changed_by: str | None
    changed_at: datetime.datetime
    note: str

    @staticmethod
    def resolve_changed_by(obj: RecommendationStatusChange) -> str | None:
        return obj.changed_by.get_username() if obj.changed_by_id else None


class RecommendationOut(Schema):
    id: int
    kind: str
    title: str
    text: str
    status: str
    pilot_id: int | None
    voivodeship: str | None
    macroregion: str | None
    gmina_kinds: list[str]
    model_variants: list[str]
    evidence_indicators: str
    evidence_minutes: str
    evidence_url: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_voivodeship(obj: Recommendation) -> str | None:
        return obj.voivodeship.code if obj.voivodeship_id else None

    @staticmethod
    def resolve_macroregion(obj: Recommendation) -> str | None:
        return obj.macroregion.code if obj.macroregion_id else None

    @staticmethod
    def resolve_gmina_kinds(obj: Recommendation) -> list[str]:
        return obj.gmina_kind_list

    @staticmethod
    def resolve_model_variants(obj: Recommendation) -> list[str]:
        return obj.model_variant_list


class RecommendationDetailOut(RecommendationOut):
    history: list[StatusChangeOut]
    evidence_custom_indicators: list[str]

    @staticmethod
    def resolve_evidence_custom_indicators(obj: Recommendation) -> list[str]:
        return [str(indicator) for indicator in obj.evidence_custom_indicators.all()]

    @staticmethod
    def resolve_history(obj: Recommendation) -> list[RecommendationStatusChange]:
        return selectors.recommendation_history(recommendation=obj)


class StatusIn(Schema):
    status: str
    note: str = ""


class RecommendationFilters(Schema):
    status: str = ""
    kind: str = ""
    variant: str = ""
    gmina_kind: str = ""
    region: str = ""


class PracticeOut(Schema):
    id: int
    title: str
    problem: str
    solution: str
    results: str
    sectors: list[str]
    gmina: str | None
    gmina_kind: str | None
    model_variant: str
    contact: str
    is_public: bool

    @staticmethod
    def resolve_sectors(obj: GoodPractice) -> list[str]:
        return split_choices(obj.sectors)

    @staticmethod
    def resolve_gmina(obj: GoodPractice) -> str | None:
        return obj.gmina.code if obj.gmina_id else None

    @staticmethod
    def resolve_gmina_kind(obj: GoodPractice) -> str | None:
        return obj.gmina.kind if obj.gmina_id else None


class PracticeDetailOut(PracticeOut):
    institutions: list[str]

    @staticmethod
    def resolve_institutions(obj: GoodPractice) -> list[str]:
        return [i.name for i in selectors.practice_detail(practice=obj)["institutions"]]


class PracticeFilters(Schema):
    q: str = ""
    sector: str = ""
    gmina_kind: str = ""
    variant: str = ""


# --- questionnaires --------------------------------------------------------------------------------------------------


@router.get(
    "/questionnaires", response=list[QuestionnaireOut], summary="Questionnaires the caller builds or may answer"
)
@paginate(PageNumberPagination)
def questionnaire_list(request: HttpRequest, status: str = "") -> Any:
    return selectors.questionnaire_list_for(actor=request.user, status=status)


@router.get("/questionnaires/{questionnaire_id}", response=QuestionnaireDetailOut, summary="One questionnaire")
def questionnaire_detail(request: HttpRequest, questionnaire_id: int) -> Any:
    return policies.get_questionnaire_for_actor(request.user, questionnaire_id)


@router.post(
    "/questionnaires/{questionnaire_id}/responses",
    response={201: ResponseOut},
    summary="Answer a questionnaire (once); answers keyed by question id",
)
def response_submit(request: HttpRequest, questionnaire_id: int, payload: ResponseIn) -> Any:
    questionnaire = policies.get_questionnaire_for_actor(request.user, questionnaire_id)
    if policies.respondent_membership(request.user, questionnaire) is None:
        raise PermissionDenied
    response = services.response_submit(actor=request.user, questionnaire=questionnaire, answers=payload.answers)
    return Status(201, response)


def _group_out(group: selectors.GroupResult) -> dict[str, Any]:
    return {
        "key": group.key,
        "label": group.label,
        "respondents": group.respondents_display,
        "suppressed": group.suppressed,
        "questions": [
            {
                "question_id": item.question.pk,
                "answers": item.answers,
                "mean": item.mean,
                "distribution": [{"label": b.label, "count": b.count, "share": b.share} for b in item.bars],
            }
            for item in group.questions
        ],
    }


@router.get(
    "/questionnaires/{questionnaire_id}/results",
    response=ResultsOut,
    summary="Aggregated results per pilot, variant or gmina kind (groups under 5 hidden)",
)
def questionnaire_results(request: HttpRequest, questionnaire_id: int, by: str = "pilot") -> Any:
    questionnaire = policies.get_questionnaire_for_actor(request.user, questionnaire_id, need="manage")
    results = selectors.questionnaire_results(questionnaire=questionnaire, by=by)
    return {
        "questionnaire_id": questionnaire.pk,
        "by": results.by,
        "groups": [_group_out(g) for g in results.groups],
        "total": _group_out(results.total),
    }


# --- recommendations -------------------------------------------------------------------------------------------------


@router.get("/recommendations", response=list[RecommendationOut], summary="Findings and recommendations")
@paginate(PageNumberPagination)
def recommendation_list(request: HttpRequest, filters: Query[RecommendationFilters]) -> Any:
    return selectors.recommendation_list(**filters.dict())


@router.get(
    "/recommendations/{recommendation_id}", response=RecommendationDetailOut, summary="One finding or recommendation"
)
def recommendation_detail(request: HttpRequest, recommendation_id: int) -> Any:
    return policies.get_recommendation_for_actor(request.user, recommendation_id)


@router.post(
    "/recommendations/{recommendation_id}/status",
    response=RecommendationDetailOut,
    summary="Change the status (proposed → accepted → implemented, or → rejected)",
)
def recommendation_status(request: HttpRequest, recommendation_id: int, payload: StatusIn) -> Any:
    recommendation = policies.get_recommendation_for_actor(request.user, recommendation_id, need="write")
    services.recommendation_change_status(
        actor=request.user, recommendation=recommendation, to_status=payload.status, note=payload.note
    )
    return recommendation


# --- good practices --------------------------------------------------------------------------------------------------


@router.get("/practices", response=list[PracticeOut], summary="Good practices (search ignores case and diacritics)")
@paginate(PageNumberPagination)
def practice_list(request: HttpRequest, filters: Query[PracticeFilters]) -> Any:
    return selectors.practice_list(**filters.dict())


@router.get("/practices/{practice_id}", response=PracticeDetailOut, summary="One good practice")
def practice_detail(request: HttpRequest, practice_id: int) -> Any:
    return policies.get_practice_for_actor(request.user, practice_id)
