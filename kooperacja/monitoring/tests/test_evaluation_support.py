"""Shared set-up of the evaluation tests: two pilots in the cast's county, a questionnaire, respondents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps

from kooperacja.accounts.models import Role, User
from kooperacja.core.testing import factories as f
from kooperacja.core.testing.cast import Cast
from kooperacja.directory.models import Institution, InstitutionKind, Sector
from kooperacja.monitoring import services_evaluation as services
from kooperacja.monitoring.models.evaluation import (
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireAudience,
    QuestionnaireStatus,
)
from kooperacja.monitoring.models.pilots import ModelVariant
from kooperacja.territory.models import Gmina


def make_pilot(gmina: Gmina, variant: str) -> Any:
    """A running pilot of the model in `gmina`, testing `variant`, run by the ROPS of the gmina's voivodeship."""
    rops = Institution.objects.filter(kind=InstitutionKind.ROPS, voivodeship=gmina.voivodeship).first()
    if rops is None:
        rops = f.InstitutionFactory(
            name=f"ROPS {gmina.voivodeship.name}", kind=InstitutionKind.ROPS, gmina=None, voivodeship=gmina.voivodeship
        )
    pilot_model = apps.get_model("monitoring", "Pilot")
    return pilot_model.objects.create(gmina=gmina, county=gmina.county, variant=variant, rops=rops, status="running")


@dataclass
class Survey:
    questionnaire: Questionnaire
    scale: Question
    single: Question
    multiple: Question
    text: Question
    pilot_a: Any
    pilot_b: Any


def build_survey(cast: Cast, *, pilot: Any = None, status: str = QuestionnaireStatus.OPEN) -> Survey:
    """Pilots in gmina A (urban, Kooperacje 3D) and gmina B (rural, Liderzy kooperacji); a questionnaire of four
    questions (scale 1–5, single choice, multiple choice, free text) for all pilots, open."""
    pilot_a = make_pilot(cast.gmina_a, ModelVariant.CITIES_3D)
    pilot_b = make_pilot(cast.gmina_b, ModelVariant.RURAL_LEADERS)
    questionnaire = services.questionnaire_create(
        actor=cast.rosa,
        title="Ankieta po pilotażu",
        purpose="after",
        audience=QuestionnaireAudience.ALL,
        pilot=pilot_a if pilot == "a" else None,
    )
    scale = services.scale_get_or_create(
        minimum=1, maximum=5, minimum_label="zdecydowanie nie", maximum_label="zdecydowanie tak"
    )
    q1 = services.question_add(
        actor=cast.rosa,
        questionnaire=questionnaire,
        text="Współpraca z innymi instytucjami jest skuteczna",
        kind=QuestionKind.SCALE,
        scale=scale,
    )
    q2 = services.question_add(
        actor=cast.rosa,
        questionnaire=questionnaire,
        text="Czy polecił(a)by Pan(i) model innym gminom?",
        kind=QuestionKind.SINGLE_CHOICE,
        options=["tak", "nie"],
    )
    q3 = services.question_add(
        actor=cast.rosa,
        questionnaire=questionnaire,
        text="Które formy wsparcia były pomocne?",
        kind=QuestionKind.MULTIPLE_CHOICE,
        options=["szkolenia", "coaching", "superwizja"],
    )
    q4 = services.question_add(
        actor=cast.rosa,
        questionnaire=questionnaire,
        text="Uwagi",
        kind=QuestionKind.FREE_TEXT,
        required=False,
    )
    if status != QuestionnaireStatus.DRAFT:
        services.questionnaire_set_status(actor=cast.rosa, questionnaire=questionnaire, status="open")
    if status == QuestionnaireStatus.CLOSED:
        services.questionnaire_set_status(actor=cast.rosa, questionnaire=questionnaire, status="closed")
    return Survey(questionnaire, q1, q2, q3, q4, pilot_a, pilot_b)


_counter = {"n": 0}


def respondent_at(gmina: Gmina, *, sector: str = Sector.SOCIAL_ASSISTANCE) -> User:
    """A new staff member at a new institution of `gmina`."""
    _counter["n"] += 1
    n = _counter["n"]
    kind = InstitutionKind.OPS if sector == Sector.SOCIAL_ASSISTANCE else InstitutionKind.NGO
    institution: Institution = f.InstitutionFactory(
        name=f"Instytucja testowa {n}", gmina=gmina, sector=sector, kind=kind
    )
    user: User = f.UserFactory(username=f"respondent{n}")
    f.MembershipFactory(user=user, institution=institution, role=Role.PARTNER_PROFESSIONAL)
    return user


def answer(survey: Survey, user: User, *, scale: int, single: str, multiple: list[str], text: str = "") -> Any:
    """Submit a response through the service (options given by their texts)."""
    options = {o.text: o.pk for q in (survey.single, survey.multiple) for o in q.options.all()}
    return services.response_submit(
        actor=user,
        questionnaire=survey.questionnaire,
        answers={
            survey.scale.pk: scale,
            survey.single.pk: options[single],
            survey.multiple.pk: [options[m] for m in multiple],
            survey.text.pk: text,
        },
    )
