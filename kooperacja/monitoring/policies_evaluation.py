"""Who may do what with questionnaires, recommendations and good practices.

- Evaluators — ROPS regional specialists, model experts and system administrators — build questionnaires, read
  their results, and write findings, recommendations and good practices.
- Every other signed-in user reads findings, recommendations and good practices (403 when trying to write).
- A questionnaire that is open is answered by staff of the institutions it addresses: those of the pilot's gmina
  (and its county) or of its voivodeship, of the audience's sectors. They may answer it (403 on building it or on
  its results); everyone else gets 404, as for a missing questionnaire. A draft is seen by evaluators only.
"""

from __future__ import annotations

from typing import Any, Literal

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from kooperacja.accounts.models import Membership, Role
from kooperacja.directory.models import Sector
from kooperacja.monitoring.models.evaluation import (
    GoodPractice,
    Questionnaire,
    QuestionnaireAudience,
    QuestionnaireStatus,
    Recommendation,
)

QuestionnaireNeed = Literal["read", "respond", "manage"]
Need = Literal["read", "write"]

EVALUATOR_ROLES = frozenset({Role.REGIONAL_SPECIALIST, Role.MODEL_EXPERT, Role.SYSTEM_ADMINISTRATOR})


def _is_signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and bool(getattr(actor, "is_active", False))


def is_evaluator(actor: Any) -> bool:
    """A superuser, or a user with a current ROPS specialist, model expert or system administrator membership."""
    if not _is_signed_in(actor):
        return False
    if actor.is_superuser:
        return True
    cached = getattr(actor, "_evaluator_cache", None)
    if cached is None:
        cached = Membership.objects.current().filter(user=actor, role__in=EVALUATOR_ROLES).exists()
        actor._evaluator_cache = cached
    return bool(cached)


# --- questionnaires --------------------------------------------------------------------------------------------------


def respondent_memberships(actor: Any) -> Any:
    """The actor's current memberships with their institutions (the places the actor may answer for)."""
    return Membership.objects.current().filter(user=actor).select_related("institution", "institution__gmina")


def _audience_q(audience: str) -> Q:
    if audience == QuestionnaireAudience.STAFF:
        return Q(institution__sector=Sector.SOCIAL_ASSISTANCE)
    if audience == QuestionnaireAudience.PARTNERS:
        return ~Q(institution__sector=Sector.SOCIAL_ASSISTANCE)
    return Q()


def pilot_gmina_ids() -> Any:
    """A subquery: the gminy that have a pilot."""
    return apps.get_model("monitoring", "Pilot").objects.values("gmina_id")


def pilot_county_ids() -> Any:
    """A subquery: the counties of the gminy that have a pilot (county institutions take part too)."""
    return apps.get_model("monitoring", "Pilot").objects.values("gmina__county_id")


def _territory_q(questionnaire: Questionnaire) -> Q:
    """Institutions addressed: those of the pilot's gmina and county-level ones of its county; of the voivodeship;
    or, with neither, those of every pilot gmina (and county-level ones of their counties)."""
    pilot = questionnaire.pilot
    if pilot is not None:
        gmina = pilot.gmina
        return Q(institution__gmina_id=gmina.pk) | Q(
            institution__gmina__isnull=True, institution__county_id=gmina.county_id
        )
    if questionnaire.voivodeship_id is not None:
        return Q(institution__voivodeship_id=questionnaire.voivodeship_id)
    return Q(institution__gmina_id__in=pilot_gmina_ids()) | Q(
        institution__gmina__isnull=True, institution__county_id__in=pilot_county_ids()
    )


def respondent_membership(actor: Any, questionnaire: Questionnaire) -> Membership | None:
    """The actor's membership through which the actor is addressed by this questionnaire (None: not addressed)."""
    if not _is_signed_in(actor):
        return None
    return (
        respondent_memberships(actor)
        .filter(_audience_q(questionnaire.audience))
        .filter(_territory_q(questionnaire))
        .order_by("pk")
        .first()
    )


def questionnaire_access(actor: Any, questionnaire: Questionnaire) -> str:
    """'manage' (evaluators), 'respond' (addressed staff, once it is no longer a draft) or 'none'."""
    if is_evaluator(actor):
        return "manage"
    if questionnaire.status == QuestionnaireStatus.DRAFT:
        return "none"
    return "respond" if respondent_membership(actor, questionnaire) is not None else "none"


def can_manage_questionnaires(actor: Any) -> bool:
    """Build questionnaires and read their results: evaluators."""
    return is_evaluator(actor)


def get_questionnaire_for_actor(actor: Any, pk: Any, need: QuestionnaireNeed = "read") -> Questionnaire:
    """The questionnaire; 404 to anyone it does not address, 403 to respondents who try to build it or see results."""
    try:
        questionnaire = Questionnaire.objects.select_related("pilot", "pilot__gmina", "voivodeship", "created_by").get(
            pk=pk
        )
    except (Questionnaire.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    access = questionnaire_access(actor, questionnaire)
    if access == "none":
        raise Http404
    if need == "manage" and access != "manage":
        raise PermissionDenied
    return questionnaire


# --- recommendations and good practices ------------------------------------------------------------------------------


def can_write_recommendations(actor: Any) -> bool:
    """Write findings and recommendations and change their status: evaluators."""
    return is_evaluator(actor)


def can_write_practices(actor: Any) -> bool:
    """Write good practices: evaluators."""
    return is_evaluator(actor)


def _check(actor: Any, need: Need, may_write: bool) -> None:
    if not _is_signed_in(actor):
        raise Http404
    if need == "write" and not may_write:
        raise PermissionDenied


def check_recommendation_create(actor: Any) -> None:
    """404 to the anonymous, 403 to readers."""
    _check(actor, "write", can_write_recommendations(actor))


def check_practice_create(actor: Any) -> None:
    """404 to the anonymous, 403 to readers."""
    _check(actor, "write", can_write_practices(actor))


def get_recommendation_for_actor(actor: Any, pk: Any, need: Need = "read") -> Recommendation:
    """Read by any signed-in user; written by evaluators (403 for other readers)."""
    _check(actor, need, need == "read" or can_write_recommendations(actor))
    try:
        return Recommendation.objects.select_related(
            "pilot", "pilot__gmina", "voivodeship", "macroregion", "created_by"
        ).get(pk=pk)
    except (Recommendation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_practice_for_actor(actor: Any, pk: Any, need: Need = "read") -> GoodPractice:
    """Read by any signed-in user; written by evaluators (403 for other readers)."""
    _check(actor, need, need == "read" or can_write_practices(actor))
    try:
        return GoodPractice.objects.select_related("gmina", "gmina__voivodeship", "created_by").get(pk=pk)
    except (GoodPractice.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
