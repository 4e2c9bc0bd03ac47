"""Writes of evaluation and knowledge: questionnaires and answers, recommendations, good practices.

Each function is keyword-only, validates (`full_clean`) before saving and records an audit event in the same
transaction. Policies are checked by the callers (views, API) through `policies_evaluation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kooperacja.core.services import audit_record, changed_fields
from kooperacja.core.text import normalise
from kooperacja.monitoring import policies_evaluation as policies
from kooperacja.monitoring.models.evaluation import (
    RECOMMENDATION_TRANSITIONS,
    Answer,
    GoodPractice,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
    QuestionOption,
    Recommendation,
    RecommendationStatus,
    RecommendationStatusChange,
    Response,
    ResponseInvitation,
    Scale,
    hash_invitation,
    join_choices,
    new_invitation_secret,
)
from kooperacja.monitoring.models.pilots import ModelVariant

# --- questionnaires --------------------------------------------------------------------------------------------------

QUESTIONNAIRE_FIELDS = ("title", "description", "purpose", "audience", "pilot", "voivodeship")
# Who is asked and where may not change once answers may exist.
QUESTIONNAIRE_FROZEN_FIELDS = ("purpose", "audience", "pilot", "voivodeship")


def questionnaire_create(*, actor: Any, **fields: Any) -> Questionnaire:
    """A new draft questionnaire (the caller checked `can_manage_questionnaires`)."""
    unknown = set(fields) - set(QUESTIONNAIRE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    questionnaire = Questionnaire(**fields, created_by=actor, status=QuestionnaireStatus.DRAFT)
    questionnaire.full_clean()
    with transaction.atomic():
        questionnaire.save()
        audit_record(actor=actor, action="monitoring.questionnaire_create", target=questionnaire)
    return questionnaire


def questionnaire_update(*, actor: Any, questionnaire: Questionnaire, **fields: Any) -> Questionnaire:
    """Change a questionnaire; its audience, pilot and territory only while it is a draft."""
    unknown = set(fields) - set(QUESTIONNAIRE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    before = {name: getattr(questionnaire, name) for name in fields}
    for name, value in fields.items():
        setattr(questionnaire, name, value)
    changed = changed_fields(questionnaire, before)
    if questionnaire.status != QuestionnaireStatus.DRAFT and set(changed) & set(QUESTIONNAIRE_FROZEN_FIELDS):
        for name, value in before.items():
            setattr(questionnaire, name, value)
        raise ValidationError(_("Only the title and description of a questionnaire can change once it is open."))
    questionnaire.full_clean()
    with transaction.atomic():
        questionnaire.save()
        audit_record(
            actor=actor, action="monitoring.questionnaire_update", target=questionnaire, data={"fields": changed}
        )
    return questionnaire


QUESTIONNAIRE_TRANSITIONS: dict[str, frozenset[str]] = {
    QuestionnaireStatus.DRAFT: frozenset({QuestionnaireStatus.OPEN}),
    QuestionnaireStatus.OPEN: frozenset({QuestionnaireStatus.CLOSED}),
    QuestionnaireStatus.CLOSED: frozenset({QuestionnaireStatus.OPEN}),
}


def questionnaire_set_status(*, actor: Any, questionnaire: Questionnaire, status: str) -> Questionnaire:
    """Open a draft (it needs at least one question), close an open questionnaire, or reopen a closed one."""
    with transaction.atomic():
        locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if status not in QUESTIONNAIRE_TRANSITIONS.get(locked.status, frozenset()):
            raise ValidationError(
                _("A questionnaire that is “%(current)s” cannot become “%(new)s”.")
                % {
                    "current": QuestionnaireStatus(locked.status).label,
                    "new": dict(QuestionnaireStatus.choices).get(status, status),
                }
            )
        if status == QuestionnaireStatus.OPEN and not locked.questions.exists():
            raise ValidationError(_("Add at least one question before opening the questionnaire."))
        previous = locked.status
        locked.status = status
        locked.save(update_fields=["status", "modified_at"])
        audit_record(
            actor=actor,
            action="monitoring.questionnaire_status",
            target=locked,
            data={"from": previous, "to": status},
        )
    questionnaire.status = status
    return questionnaire


def scale_get_or_create(*, minimum: int, maximum: int, minimum_label: str = "", maximum_label: str = "") -> Scale:
    """The one scale with these ends (scales are shared by questions)."""
    ends = {"minimum": minimum, "maximum": maximum, "minimum_label": minimum_label, "maximum_label": maximum_label}
    existing = Scale.objects.filter(**ends).first()
    if existing is not None:
        return existing
    scale = Scale(**ends)
    try:
        scale.full_clean(validate_unique=False, validate_constraints=False)
        if not (0 <= minimum < maximum <= minimum + 10):
            raise ValidationError("range")
    except ValidationError as exc:
        raise ValidationError(
            {"scale": _("A scale runs from 0 or more to a higher value, with at most 11 points.")}
        ) from exc
    try:
        with transaction.atomic():
            scale.save()
    except IntegrityError:
        return Scale.objects.get(**ends)
    return scale


def _check_draft(questionnaire: Questionnaire) -> None:
    if questionnaire.status != QuestionnaireStatus.DRAFT:
        raise ValidationError(_("Questions can only change while the questionnaire is a draft."))


def _clean_options(kind: str, options: Iterable[str] | None) -> list[str]:
    cleaned = [text.strip() for text in options or [] if text and text.strip()]
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        if len(cleaned) < 2:
            raise ValidationError({"options": _("A choice question needs at least two options.")})
        if len(set(cleaned)) != len(cleaned):
            raise ValidationError({"options": _("Each option must be different.")})
        return cleaned
    return []


def question_add(
    *,
    actor: Any,
    questionnaire: Questionnaire,
    text: str,
    kind: str,
    scale: Scale | None = None,
    options: Iterable[str] | None = None,
    help_text: str = "",
    required: bool = True,
    order: int | None = None,
) -> Question:
    """Add a question to a draft questionnaire: a scale question needs a scale, a choice question two options."""
    _check_draft(questionnaire)
    option_texts = _clean_options(kind, options)
    if order is None:
        order = (questionnaire.questions.aggregate(m=Max("order"))["m"] or 0) + 1
    question = Question(
        questionnaire=questionnaire,
        text=text,
        kind=kind,
        scale=scale if kind == QuestionKind.SCALE else None,
        help_text=help_text,
        required=required,
        order=order,
    )
    if kind == QuestionKind.SCALE and scale is None:
        raise ValidationError({"scale": _("Choose the scale of this question.")})
    question.full_clean()
    with transaction.atomic():
        question.save()
        QuestionOption.objects.bulk_create(
            [QuestionOption(question=question, order=i, text=t) for i, t in enumerate(option_texts, start=1)]
        )
        audit_record(actor=actor, action="monitoring.question_add", target=question)
    return question


def question_update(
    *,
    actor: Any,
    question: Question,
    text: str,
    kind: str,
    scale: Scale | None = None,
    options: Iterable[str] | None = None,
    help_text: str = "",
    required: bool = True,
    order: int | None = None,
) -> Question:
    """Change a question of a draft questionnaire (its options are replaced)."""
    _check_draft(question.questionnaire)
    option_texts = _clean_options(kind, options)
    if kind == QuestionKind.SCALE and scale is None:
        raise ValidationError({"scale": _("Choose the scale of this question.")})
    question.text, question.kind, question.help_text, question.required = text, kind, help_text, required
    question.scale = scale if kind == QuestionKind.SCALE else None
    if order is not None:
        question.order = order
    question.full_clean()
    with transaction.atomic():
        question.save()
        question.options.all().delete()
        QuestionOption.objects.bulk_create(
            [QuestionOption(question=question, order=i, text=t) for i, t in enumerate(option_texts, start=1)]
        )
        audit_record(actor=actor, action="monitoring.question_update", target=question)
    return question


def question_delete(*, actor: Any, question: Question) -> None:
    """Remove a question from a draft questionnaire."""
    _check_draft(question.questionnaire)
    with transaction.atomic():
        audit_record(actor=actor, action="monitoring.question_delete", target=question)
        question.delete()


def invitations_create(
    *, actor: Any, questionnaire: Questionnaire, count: int, pilot: Any = None, gmina: Any = None
) -> list[str]:
    """`count` one-time links to answer without an account; returns the secrets (shown once, only hashes kept)."""
    if not 1 <= count <= 500:
        raise ValidationError({"count": _("Create between 1 and 500 links at a time.")})
    if questionnaire.status == QuestionnaireStatus.CLOSED:
        raise ValidationError(_("The questionnaire is closed."))
    pilot = pilot or questionnaire.pilot
    if gmina is None and pilot is not None:
        gmina = pilot.gmina
    secrets = [new_invitation_secret() for _ in range(count)]
    with transaction.atomic():
        ResponseInvitation.objects.bulk_create(
            [
                ResponseInvitation(
                    questionnaire=questionnaire,
                    pilot=pilot,
                    gmina=gmina,
                    token_hash=hash_invitation(secret),
                    created_by=actor,
                )
                for secret in secrets
            ]
        )
        audit_record(actor=actor, action="monitoring.invitations_create", target=questionnaire, data={"count": count})
    return secrets


def invitation_for_secret(secret: str) -> ResponseInvitation | None:
    """The unused invitation of an open questionnaire behind a one-time link, or None."""
    return (
        ResponseInvitation.objects.select_related("questionnaire", "pilot", "gmina")
        .filter(token_hash=hash_invitation(secret or ""), used_at__isnull=True)
        .filter(questionnaire__status=QuestionnaireStatus.OPEN)
        .first()
    )


def _pilot_model() -> Any:
    return apps.get_model("monitoring", "Pilot")


def _pilot_of_gmina(gmina: Any) -> Any:
    """The gmina's pilot (the latest one), if the gmina tests the model."""
    if gmina is None:
        return None
    return _pilot_model().objects.filter(gmina=gmina).select_related("gmina").order_by("-pk").first()


def pilot_variant(pilot: Any) -> str:
    """The model variant a pilot tests, as one of `ModelVariant`'s values ('' when unknown)."""
    value = str(getattr(pilot, "variant", "") or "") if pilot is not None else ""
    return value if value in ModelVariant.values else ""


def _normalise_answers(questionnaire: Questionnaire, raw: Mapping[Any, Any]) -> list[Answer]:
    """Turn {question id: value} into unsaved answers, or raise a ValidationError keyed "q<id>"."""
    errors: dict[str, str] = {}
    answers: list[Answer] = []
    questions = list(questionnaire.questions.select_related("scale").prefetch_related("options"))
    for question in questions:
        key = f"q{question.pk}"
        value = raw.get(question.pk, raw.get(str(question.pk), raw.get(key)))
        empty = value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())
        if empty:
            if question.required:
                errors[key] = _("Answer this question.")
            continue
        if question.kind == QuestionKind.SCALE:
            scale = question.scale
            try:
                number = int(value)
            except (TypeError, ValueError):
                errors[key] = _("Choose a value of the scale.")
                continue
            if scale is None or not scale.minimum <= number <= scale.maximum:
                errors[key] = _("Choose a value of the scale.")
                continue
            answers.append(Answer(question=question, value=number))
        elif question.has_options:
            option_ids = {str(option.pk): option for option in question.options.all()}
            values = value if isinstance(value, (list, tuple)) else [value]
            if question.kind == QuestionKind.SINGLE_CHOICE and len(values) != 1:
                errors[key] = _("Choose one option.")
                continue
            chosen = [option_ids.get(str(v)) for v in values]
            if any(option is None for option in chosen):
                errors[key] = _("Choose from the options given.")
                continue
            answers.extend(Answer(question=question, option=option) for option in dict.fromkeys(chosen))
        else:
            text = str(value).strip()
            if len(text) > 5000:
                errors[key] = _("Write at most 5,000 characters.")
                continue
            answers.append(Answer(question=question, text=text))
    if errors:
        raise ValidationError(errors)
    return answers


def response_submit(
    *,
    actor: Any,
    questionnaire: Questionnaire,
    answers: Mapping[Any, Any],
    invitation: ResponseInvitation | None = None,
) -> Response:
    """Record a response to an open questionnaire, once per respondent or per one-time link.

    The pilot, its gmina's kind and the model variant are captured now, so that later changes to the pilot do not
    move old answers between groups of the results.
    """
    if questionnaire.status != QuestionnaireStatus.OPEN:
        raise ValidationError(_("This questionnaire is not open for answers."))
    rows = _normalise_answers(questionnaire, answers)
    signed_in = bool(getattr(actor, "is_authenticated", False))
    if invitation is not None:
        pilot = invitation.pilot or questionnaire.pilot
        gmina = invitation.gmina or (pilot.gmina if pilot is not None else None)
        respondent = None
    else:
        membership = policies.respondent_membership(actor, questionnaire) if signed_in else None
        if membership is None:
            raise ValidationError(_("This questionnaire is not addressed to you."))
        gmina = membership.institution.gmina
        pilot = questionnaire.pilot or _pilot_of_gmina(gmina)
        if pilot is not None:
            gmina = pilot.gmina
        respondent = actor
    response = Response(
        questionnaire=questionnaire,
        respondent=respondent,
        invitation=invitation,
        pilot=pilot,
        gmina=gmina,
        gmina_kind=gmina.kind if gmina is not None else "",
        model_variant=pilot_variant(pilot),
    )
    with transaction.atomic():
        if invitation is not None:
            # Claim the link first: of two simultaneous submissions only one updates the row.
            claimed = ResponseInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
                used_at=timezone.now()
            )
            if not claimed:
                raise ValidationError(_("This link has already been used."))
        elif Response.objects.filter(questionnaire=questionnaire, respondent=respondent).exists():
            raise ValidationError(_("You have already answered this questionnaire."))
        try:
            with transaction.atomic():
                response.save()
        except IntegrityError as exc:
            raise ValidationError(_("You have already answered this questionnaire.")) from exc
        for row in rows:
            row.response = response
        Answer.objects.bulk_create(rows)
        audit_record(actor=actor, action="monitoring.response_submit", target=response)
    return response


# --- recommendations -------------------------------------------------------------------------------------------------

RECOMMENDATION_FIELDS = (
    "kind",
    "title",
    "text",
    "evidence_indicators",
    "evidence_minutes",
    "evidence_url",
    "pilot",
    "voivodeship",
    "macroregion",
    "gmina_kinds",
    "model_variants",
)


def _recommendation_values(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(RECOMMENDATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    values = dict(fields)
    for name in ("gmina_kinds", "model_variants"):
        if name in values and not isinstance(values[name], str):
            values[name] = join_choices(values[name])
    return values


def recommendation_create(*, actor: Any, custom_indicators: Iterable[Any] = (), **fields: Any) -> Recommendation:
    """A new finding or recommendation, proposed; its history starts with that status."""
    recommendation = Recommendation(
        **_recommendation_values(fields), created_by=actor, status=RecommendationStatus.PROPOSED
    )
    recommendation.full_clean()
    with transaction.atomic():
        recommendation.save()
        recommendation.evidence_custom_indicators.set(list(custom_indicators))
        RecommendationStatusChange.objects.create(
            recommendation=recommendation, from_status="", to_status=recommendation.status, changed_by=actor
        )
        audit_record(actor=actor, action="monitoring.recommendation_create", target=recommendation)
    return recommendation


def recommendation_update(
    *, actor: Any, recommendation: Recommendation, custom_indicators: Iterable[Any] | None = None, **fields: Any
) -> Recommendation:
    """Change the content of a finding or recommendation (its status changes through `recommendation_change_status`)."""
    values = _recommendation_values(fields)
    before = {name: getattr(recommendation, name) for name in values}
    for name, value in values.items():
        setattr(recommendation, name, value)
    recommendation.full_clean()
    with transaction.atomic():
        recommendation.save()
        if custom_indicators is not None:
            recommendation.evidence_custom_indicators.set(list(custom_indicators))
        audit_record(
            actor=actor,
            action="monitoring.recommendation_update",
            target=recommendation,
            data={"fields": changed_fields(recommendation, before)},
        )
    return recommendation


def recommendation_change_status(
    *, actor: Any, recommendation: Recommendation, to_status: str, note: str = ""
) -> Recommendation:
    """Move along proposed → accepted → implemented (or → rejected), with a history row in the same transaction.

    A move that the workflow does not allow is refused with a ValidationError and changes nothing; a rejection
    needs a note saying why.
    """
    note = (note or "").strip()
    with transaction.atomic():
        locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        current = locked.status
        allowed = RECOMMENDATION_TRANSITIONS.get(current, frozenset())
        if to_status not in allowed:
            labels = dict(RecommendationStatus.choices)
            if allowed:
                message = _("A recommendation that is “%(current)s” can only become: %(allowed)s.") % {
                    "current": labels[current],
                    "allowed": ", ".join(f"“{labels[s]}”" for s in RecommendationStatus.values if s in allowed),
                }
            else:
                message = _("A recommendation that is “%(current)s” can no longer change its status.") % {
                    "current": labels[current]
                }
            raise ValidationError({"status": message})
        if to_status == RecommendationStatus.REJECTED and not note:
            raise ValidationError({"note": _("Say why it is rejected.")})
        locked.status = to_status
        locked.save(update_fields=["status", "modified_at"])
        RecommendationStatusChange.objects.create(
            recommendation=locked, from_status=current, to_status=to_status, changed_by=actor, note=note
        )
        audit_record(
            actor=actor,
            action="monitoring.recommendation_status",
            target=locked,
            data={"from": current, "to": to_status},
        )
    recommendation.status = to_status
    return recommendation


# --- good practices --------------------------------------------------------------------------------------------------

PRACTICE_FIELDS = (
    "title",
    "problem",
    "solution",
    "results",
    "sectors",
    "gmina",
    "model_variant",
    "contact",
    "is_public",
)


def practice_search_text(practice: GoodPractice, institution_names: Iterable[str]) -> str:
    """The normalised text the catalogue search looks in (no diacritics, lower case)."""
    parts = [practice.title, practice.problem, practice.solution, practice.results, *institution_names]
    if practice.gmina is not None:
        parts.append(practice.gmina.name)
    return normalise(" ".join(p for p in parts if p))


def _practice_save(*, actor: Any, practice: GoodPractice, institutions: Any, action: str, data: Any) -> None:
    practice.full_clean()
    with transaction.atomic():
        practice.save()
        if institutions is not None:
            practice.institutions.set(institutions)
        names = list(practice.institutions.values_list("name", flat=True))
        practice.search_text = practice_search_text(practice, names)
        practice.save(update_fields=["search_text"])
        audit_record(actor=actor, action=action, target=practice, data=data)


def practice_create(*, actor: Any, institutions: Iterable[Any] = (), **fields: Any) -> GoodPractice:
    """A new good practice in the catalogue."""
    unknown = set(fields) - set(PRACTICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if "sectors" in fields and not isinstance(fields["sectors"], str):
        fields["sectors"] = join_choices(fields["sectors"])
    practice = GoodPractice(**fields, created_by=actor)
    _practice_save(
        actor=actor, practice=practice, institutions=list(institutions), action="monitoring.practice_create", data={}
    )
    return practice


def practice_update(
    *, actor: Any, practice: GoodPractice, institutions: Iterable[Any] | None = None, **fields: Any
) -> GoodPractice:
    """Change a good practice (and, if given, the institutions involved)."""
    unknown = set(fields) - set(PRACTICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if "sectors" in fields and not isinstance(fields["sectors"], str):
        fields["sectors"] = join_choices(fields["sectors"])
    before = {name: getattr(practice, name) for name in fields}
    for name, value in fields.items():
        setattr(practice, name, value)
    _practice_save(
        actor=actor,
        practice=practice,
        institutions=list(institutions) if institutions is not None else None,
        action="monitoring.practice_update",
        data={"fields": changed_fields(practice, before)},
    )
    return practice
