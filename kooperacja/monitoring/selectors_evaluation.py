"""Reads of evaluation and knowledge, scoped to the actor, each in a constant number of queries.

Questionnaire results leave a gmina only as aggregates: a group with 1–4 respondents is shown as "<5" without
any figure, and when exactly one group is hidden, the next smallest is hidden too, so that the total does not
give the hidden one away (the small-cell rule of the dashboards).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from kooperacja.core.text import normalise
from kooperacja.directory.models import Sector
from kooperacja.monitoring import policies_evaluation as policies
from kooperacja.monitoring.models.evaluation import (
    GoodPractice,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireAudience,
    QuestionnaireStatus,
    Recommendation,
    RecommendationStatusChange,
    Response,
)
from kooperacja.monitoring.models.pilots import ModelVariant
from kooperacja.territory.models import GminaKind

PAGE_SIZE = 25
SMALL_CELL = 5  # groups with 1 to SMALL_CELL - 1 respondents are hidden
SUPPRESSED = "<5"

GROUPINGS: dict[str, str] = {"pilot": "pilot_id", "variant": "model_variant", "gmina_kind": "gmina_kind"}


# --- questionnaires --------------------------------------------------------------------------------------------------


def _respondent_q(actor: Any) -> Q:
    """Questionnaires (not drafts) that address one of the actor's current memberships."""
    memberships = list(policies.respondent_memberships(actor).select_related("institution"))
    gmina_ids = {m.institution.gmina_id for m in memberships} - {None}
    county_ids = {m.institution.county_id for m in memberships if m.institution.gmina_id is None} - {None}
    pilot_gminy = set(policies.pilot_gmina_ids().filter(gmina_id__in=gmina_ids).values_list("gmina_id", flat=True))
    pilot_counties = set(
        policies.pilot_county_ids().filter(gmina__county_id__in=county_ids).values_list("gmina__county_id", flat=True)
    )
    scope = Q(pk__in=[])
    for membership in memberships:
        institution = membership.institution
        is_staff = institution.sector == Sector.SOCIAL_ASSISTANCE
        audience = Q(
            audience__in=[
                QuestionnaireAudience.ALL,
                QuestionnaireAudience.STAFF if is_staff else QuestionnaireAudience.PARTNERS,
            ]
        )
        territory = Q(pilot__isnull=True, voivodeship_id=institution.voivodeship_id)
        if institution.gmina_id is not None:
            territory |= Q(pilot__gmina_id=institution.gmina_id)
            if institution.gmina_id in pilot_gminy:
                territory |= Q(pilot__isnull=True, voivodeship__isnull=True)
        elif institution.county_id is not None:
            territory |= Q(pilot__gmina__county_id=institution.county_id)
            if institution.county_id in pilot_counties:
                territory |= Q(pilot__isnull=True, voivodeship__isnull=True)
        scope |= audience & territory
    return scope & ~Q(status=QuestionnaireStatus.DRAFT)


def questionnaire_list_for(*, actor: Any, status: str = "") -> QuerySet[Questionnaire]:
    """Evaluators: every questionnaire with its counts. Others: the open and closed ones that address them."""
    queryset = Questionnaire.objects.select_related("pilot", "pilot__gmina", "voivodeship")
    if policies.is_evaluator(actor):
        queryset = queryset.annotate(
            question_count=Count("questions", distinct=True), response_count=Count("responses", distinct=True)
        )
    else:
        queryset = queryset.filter(_respondent_q(actor))
    queryset = queryset.annotate(
        answered=Exists(Response.objects.filter(questionnaire=OuterRef("pk"), respondent_id=getattr(actor, "pk", None)))
    )
    if status in QuestionnaireStatus.values:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-pk")


def questionnaire_questions(*, questionnaire: Questionnaire) -> list[Question]:
    """The questions in order, with their scales and options (two queries)."""
    return list(questionnaire.questions.select_related("scale").prefetch_related("options").order_by("order", "pk"))


def has_answered(*, actor: Any, questionnaire: Questionnaire) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    return Response.objects.filter(questionnaire=questionnaire, respondent=actor).exists()


@dataclass
class Bar:
    label: str
    count: int
    share: float  # 0–100, of the answers (scale) or of the respondents (options)


@dataclass
class QuestionResult:
    question: Question
    answers: int = 0
    mean: float | None = None
    bars: list[Bar] = field(default_factory=list)


@dataclass
class GroupResult:
    key: str
    label: str
    respondents: int
    suppressed: bool = False
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def respondents_display(self) -> str:
        return SUPPRESSED if self.suppressed else str(self.respondents)


@dataclass
class Results:
    questionnaire: Questionnaire
    by: str
    questions: list[Question]
    groups: list[GroupResult]
    total: GroupResult


def _pilot_labels(pilot_ids: list[Any]) -> dict[str, str]:
    ids = [pk for pk in pilot_ids if pk is not None]
    if not ids:
        return {}
    pilot_model = apps.get_model("monitoring", "Pilot")
    return {str(p.pk): str(p) for p in pilot_model.objects.filter(pk__in=ids).select_related("gmina")}


def _group_label(by: str, key: str, pilots: dict[str, str]) -> str:
    if not key or key == "None":
        return _("not assigned")
    if by == "pilot":
        return pilots.get(key, key)
    if by == "variant":
        return str(dict(ModelVariant.choices).get(key, key))
    if by == "gmina_kind":
        return str(dict(GminaKind.choices).get(key, key))
    return _("all respondents")


def _question_results(
    questions: list[Question], respondents: int, counts: dict[tuple[int, Any, Any], int]
) -> list[QuestionResult]:
    results = []
    for question in questions:
        result = QuestionResult(question=question)
        if question.kind == QuestionKind.SCALE and question.scale is not None:
            per_value = {v: counts.get((question.pk, v, None), 0) for v in question.scale.values}
            result.answers = sum(per_value.values())
            if result.answers:
                result.mean = round(sum(v * n for v, n in per_value.items()) / result.answers, 2)
            result.bars = [
                Bar(str(v), n, round(100 * n / result.answers, 1) if result.answers else 0.0)
                for v, n in per_value.items()
            ]
        elif question.has_options:
            per_option = [(o, counts.get((question.pk, None, o.pk), 0)) for o in question.options.all()]
            result.answers = sum(n for _o, n in per_option)
            result.bars = [
                Bar(o.text, n, round(100 * n / respondents, 1) if respondents else 0.0) for o, n in per_option
            ]
        else:
            result.answers = counts.get((question.pk, None, None), 0)
        results.append(result)
    return results


def _suppress(groups: list[GroupResult], total: GroupResult) -> None:
    """Hide groups of 1–4, and one more when a single hidden group could be computed from the total."""
    if total.respondents < SMALL_CELL:
        total.suppressed = True
    hidden = [g for g in groups if 0 < g.respondents < SMALL_CELL or total.suppressed]
    for group in hidden:
        group.suppressed = True
    visible = sorted((g for g in groups if not g.suppressed), key=lambda g: (g.respondents, g.label))
    if len(hidden) == 1 and visible and not total.suppressed:
        visible[0].suppressed = True
    for group in [*groups, total]:
        if group.suppressed:
            group.questions = []


def questionnaire_results(*, questionnaire: Questionnaire, by: str = "pilot") -> Results:
    """Aggregates per pilot, model variant or gmina kind (mean and distribution), small groups hidden."""
    if by not in GROUPINGS:
        by = "pilot"
    column = GROUPINGS[by]
    questions = questionnaire_questions(questionnaire=questionnaire)
    responses = Response.objects.filter(questionnaire=questionnaire)
    group_sizes = {
        str(row[column]) if row[column] is not None else "": row["n"]
        for row in responses.values(column).annotate(n=Count("pk")).order_by()
    }
    counts: dict[str, dict[tuple[int, Any, Any], int]] = defaultdict(dict)
    total_counts: dict[tuple[int, Any, Any], int] = defaultdict(int)
    rows = (
        responses.values(column, "answers__question_id", "answers__value", "answers__option_id")
        .annotate(n=Count("answers__pk"))
        .order_by()
    )
    for row in rows:
        if row["answers__question_id"] is None:
            continue
        key = str(row[column]) if row[column] is not None else ""
        cell = (row["answers__question_id"], row["answers__value"], row["answers__option_id"])
        counts[key][cell] = row["n"]
        total_counts[cell] += row["n"]
    pilots = _pilot_labels(list(group_sizes)) if by == "pilot" else {}
    groups = [
        GroupResult(
            key=key,
            label=_group_label(by, key, pilots),
            respondents=size,
            questions=_question_results(questions, size, counts.get(key, {})),
        )
        for key, size in group_sizes.items()
    ]
    groups.sort(key=lambda g: (g.key == "", g.label))
    total_size = sum(group_sizes.values())
    total = GroupResult(
        key="all",
        label=_("all respondents"),
        respondents=total_size,
        questions=_question_results(questions, total_size, dict(total_counts)),
    )
    _suppress(groups, total)
    return Results(questionnaire=questionnaire, by=by, questions=questions, groups=groups, total=total)


def results_csv_rows(results: Results) -> list[list[str]]:
    """The aggregates as rows for a CSV file: one row per group, question and measure (never a free text)."""
    by_label = {"pilot": _("pilot"), "variant": _("model variant"), "gmina_kind": _("gmina kind")}[results.by]
    header = [by_label, _("respondents"), _("question no."), _("question"), _("measure"), _("value")]
    out = [header]
    for group in [*results.groups, results.total]:
        if group.suppressed:
            out.append([group.label, SUPPRESSED, "", "", "", ""])
            continue
        for item in group.questions:
            question = item.question
            base = [group.label, str(group.respondents), str(question.order), question.text]
            out.append([*base, _("answers"), str(item.answers)])
            if item.mean is not None:
                out.append([*base, _("mean"), f"{item.mean:.2f}"])
            for bar in item.bars:
                out.append([*base, bar.label, str(bar.count)])
    return out


# --- recommendations -------------------------------------------------------------------------------------------------


def region_choices() -> list[tuple[str, str]]:
    """Options of the region filter: macroregions ("m<pk>") and voivodeships ("v<pk>")."""
    macroregion_model = apps.get_model("territory", "Macroregion")
    voivodeship_model = apps.get_model("territory", "Voivodeship")
    choices = [(f"m{m.pk}", m.name) for m in macroregion_model.objects.order_by("name")]
    choices += [(f"v{v.pk}", v.display_name) for v in voivodeship_model.objects.order_by("code")]
    return choices


def _region_q(region: str) -> Q | None:
    if len(region) < 2 or region[0] not in "mv" or not region[1:].isdigit():
        return None
    pk = int(region[1:])
    if region[0] == "m":
        return (
            Q(macroregion_id=pk) | Q(voivodeship__macroregion_id=pk) | Q(pilot__gmina__voivodeship__macroregion_id=pk)
        )
    return Q(voivodeship_id=pk) | Q(pilot__gmina__voivodeship_id=pk)


def recommendation_list(
    *, status: str = "", variant: str = "", gmina_kind: str = "", region: str = "", kind: str = ""
) -> QuerySet[Recommendation]:
    """Findings and recommendations, newest first, filtered. No restriction of kinds/variants means "applies to all"."""
    queryset = Recommendation.objects.select_related("pilot", "pilot__gmina", "voivodeship", "macroregion").order_by(
        "-created_at", "-pk"
    )
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    if variant:
        queryset = queryset.filter(Q(model_variants__contains=f"|{variant}|") | Q(model_variants=""))
    if gmina_kind:
        queryset = queryset.filter(Q(gmina_kinds__contains=f"|{gmina_kind}|") | Q(gmina_kinds=""))
    if region:
        region_q = _region_q(region)
        if region_q is not None:
            queryset = queryset.filter(region_q)
    return queryset


def recommendation_history(*, recommendation: Recommendation) -> list[RecommendationStatusChange]:
    return list(recommendation.status_changes.select_related("changed_by").order_by("changed_at", "pk"))


# --- good practices --------------------------------------------------------------------------------------------------


def practice_list(
    *, q: str = "", sector: str = "", gmina_kind: str = "", variant: str = "", public_only: bool = False
) -> QuerySet[GoodPractice]:
    """The catalogue: every word of `q` must appear (case and Polish diacritics ignored)."""
    queryset = GoodPractice.objects.select_related("gmina", "gmina__voivodeship").order_by("title", "pk")
    for word in normalise(q).split()[:10]:
        queryset = queryset.filter(search_text__contains=word)
    if sector:
        queryset = queryset.filter(sectors__contains=f"|{sector}|")
    if gmina_kind:
        queryset = queryset.filter(gmina__kind=gmina_kind)
    if variant:
        queryset = queryset.filter(model_variant=variant)
    if public_only:
        queryset = queryset.filter(is_public=True)
    return queryset


def practice_detail(*, practice: GoodPractice) -> dict[str, Any]:
    institutions = list(practice.institutions.select_related("gmina").order_by("name"))
    sector_labels = dict(Sector.choices)
    return {
        "institutions": institutions,
        "sectors": [str(sector_labels.get(s, s)) for s in practice.sector_list],
    }
