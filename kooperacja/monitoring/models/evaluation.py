"""Evaluation and knowledge: questionnaires with scales, findings and recommendations, good practices.

Multi-selects of a few fixed choices (gmina kinds, model variants, sectors) are stored as one text column
"|a|b|" so that a filter is a portable `__contains="|a|"` on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kooperacja.monitoring.models.pilots import ModelVariant
from kooperacja.territory.models import GminaKind

__all__ = [
    "Answer",
    "GoodPractice",
    "Question",
    "QuestionKind",
    "QuestionOption",
    "Questionnaire",
    "QuestionnaireAudience",
    "QuestionnairePurpose",
    "QuestionnaireStatus",
    "Recommendation",
    "RecommendationKind",
    "RecommendationStatus",
    "RecommendationStatusChange",
    "Response",
    "ResponseInvitation",
    "Scale",
    "join_choices",
    "split_choices",
]


def join_choices(values: list[str] | tuple[str, ...] | None) -> str:
    """["rural", "urban"] → "|rural|urban|" (empty list → "")."""
    cleaned = sorted({v for v in values or [] if v})
    return f"|{'|'.join(cleaned)}|" if cleaned else ""


def split_choices(stored: str) -> list[str]:
    return [part for part in (stored or "").split("|") if part]


# --- questionnaires --------------------------------------------------------------------------------------------------


class QuestionnairePurpose(models.TextChoices):
    BEFORE = "before", _("before the pilot")
    DURING = "during", _("during the pilot")
    AFTER = "after", _("after the pilot")
    OTHER = "other", _("other")


class QuestionnaireAudience(models.TextChoices):
    STAFF = "staff", _("staff of social welfare centres")
    PARTNERS = "partners", _("partner institutions")
    ALL = "all", _("staff and partners")


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open for answers")
    CLOSED = "closed", _("closed")


class Scale(models.Model):
    """A rating scale, e.g. 1–5 from "strongly disagree" to "strongly agree"."""

    minimum = models.SmallIntegerField(_("lowest value"), default=1)
    maximum = models.SmallIntegerField(_("highest value"), default=5)
    minimum_label = models.CharField(_("label of the lowest value"), max_length=100, blank=True)
    maximum_label = models.CharField(_("label of the highest value"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("scale")
        verbose_name_plural = _("scales")
        ordering = ["minimum", "maximum", "minimum_label"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(maximum__gt=models.F("minimum"))
                & models.Q(maximum__lte=models.F("minimum") + 10)
                & models.Q(minimum__gte=0),
                name="scale_range_valid",
            ),
            models.UniqueConstraint(
                fields=["minimum", "maximum", "minimum_label", "maximum_label"], name="scale_unique"
            ),
        ]

    def __str__(self) -> str:
        ends = ""
        if self.minimum_label or self.maximum_label:
            ends = f" ({self.minimum_label or '—'} … {self.maximum_label or '—'})"
        return f"{self.minimum}–{self.maximum}{ends}"

    @property
    def values(self) -> list[int]:
        return list(range(self.minimum, self.maximum + 1))


class Questionnaire(models.Model):
    """A questionnaire for a pilot (or a voivodeship, or everyone) with its questions."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=QuestionnairePurpose.choices, default=QuestionnairePurpose.AFTER
    )
    audience = models.CharField(
        _("audience"), max_length=20, choices=QuestionnaireAudience.choices, default=QuestionnaireAudience.ALL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=QuestionnaireStatus.choices, default=QuestionnaireStatus.DRAFT
    )
    pilot = models.ForeignKey(
        "monitoring.Pilot",
        verbose_name=_("pilot"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaires",
    )
    voivodeship = models.ForeignKey(
        "territory.Voivodeship",
        verbose_name=_("voivodeship"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaires",
        help_text=_("Leave empty (and no pilot) to ask every gmina."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("scale")
    SINGLE_CHOICE = "single", _("single choice")
    MULTIPLE_CHOICE = "multiple", _("multiple choice")
    FREE_TEXT = "text", _("free text")


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices, default=QuestionKind.SCALE)
    scale = models.ForeignKey(Scale, verbose_name=_("scale"), on_delete=models.PROTECT, null=True, blank=True)
    required = models.BooleanField(_("answer required"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire_id", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="scale") | models.Q(scale__isnull=False), name="question_scale_has_scale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text}"

    @property
    def has_options(self) -> bool:
        return self.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


class QuestionOption(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(_("option"), max_length=200)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question_id", "order", "pk"]

    def __str__(self) -> str:
        return self.text


def hash_invitation(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_invitation_secret() -> str:
    return secrets.token_urlsafe(24)


class ResponseInvitation(models.Model):
    """A one-time link to answer a questionnaire without an account. Only the hash of the secret is kept."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="invitations")
    pilot = models.ForeignKey("monitoring.Pilot", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    gmina = models.ForeignKey("territory.Gmina", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation to answer")
        verbose_name_plural = _("invitations to answer")

    def __str__(self) -> str:
        return f"{self.questionnaire} #{self.pk}"


class Response(models.Model):
    """One submitted questionnaire. The pilot, gmina kind and variant are captured when it is submitted."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invitation = models.OneToOneField(
        ResponseInvitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    pilot = models.ForeignKey("monitoring.Pilot", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    gmina = models.ForeignKey("territory.Gmina", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    gmina_kind = models.CharField(_("gmina kind"), max_length=20, choices=GminaKind.choices, blank=True)
    model_variant = models.CharField(_("model variant"), max_length=30, choices=ModelVariant.choices, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["questionnaire_id", "submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "respondent"],
                condition=models.Q(respondent__isnull=False),
                name="response_once_per_respondent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} #{self.pk}"


class Answer(models.Model):
    """One answer: a scale value, one chosen option (several rows for a multiple choice) or a free text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.SmallIntegerField(null=True, blank=True)
    option = models.ForeignKey(QuestionOption, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question", "option"],
                condition=models.Q(option__isnull=False),
                name="answer_option_once",
            ),
            models.UniqueConstraint(
                fields=["response", "question"],
                condition=models.Q(option__isnull=True),
                name="answer_value_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


# --- findings and recommendations ------------------------------------------------------------------------------------


class RecommendationKind(models.TextChoices):
    FINDING = "finding", _("finding")
    RECOMMENDATION = "recommendation", _("recommendation")


class RecommendationStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    ACCEPTED = "accepted", _("accepted by the steering committee")
    IMPLEMENTED = "implemented", _("implemented in the model")
    REJECTED = "rejected", _("rejected")


# Allowed moves; implemented and rejected are final.
RECOMMENDATION_TRANSITIONS: dict[str, frozenset[str]] = {
    RecommendationStatus.PROPOSED: frozenset({RecommendationStatus.ACCEPTED, RecommendationStatus.REJECTED}),
    RecommendationStatus.ACCEPTED: frozenset({RecommendationStatus.IMPLEMENTED, RecommendationStatus.REJECTED}),
    RecommendationStatus.IMPLEMENTED: frozenset(),
    RecommendationStatus.REJECTED: frozenset(),
}
__all__ += ["RECOMMENDATION_TRANSITIONS"]


class Recommendation(models.Model):
    """A finding or a recommendation drawn from a pilot or a region, with its evidence and status."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=RecommendationKind.choices, default=RecommendationKind.RECOMMENDATION
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    evidence_indicators = models.TextField(
        _("evidence: indicators"), blank=True, help_text=_("Indicators that support it, one per line.")
    )
    evidence_minutes = models.TextField(
        _("evidence: meeting minutes"), blank=True, help_text=_("Meetings whose minutes record it, one per line.")
    )
    evidence_url = models.URLField(_("evidence: link"), blank=True)
    evidence_custom_indicators = models.ManyToManyField(
        "monitoring.CustomIndicator",
        verbose_name=_("evidence: custom indicators"),
        blank=True,
        related_name="recommendations",
    )
    pilot = models.ForeignKey(
        "monitoring.Pilot",
        verbose_name=_("pilot"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    voivodeship = models.ForeignKey(
        "territory.Voivodeship",
        verbose_name=_("voivodeship"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    macroregion = models.ForeignKey(
        "territory.Macroregion",
        verbose_name=_("macroregion"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    gmina_kinds = models.CharField(_("gmina kinds"), max_length=60, blank=True)
    model_variants = models.CharField(_("model variants"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RecommendationStatus.choices, default=RecommendationStatus.PROPOSED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        verbose_name = _("finding or recommendation")
        verbose_name_plural = _("findings and recommendations")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in RecommendationStatus]),
                name="recommendation_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def gmina_kind_list(self) -> list[str]:
        return split_choices(self.gmina_kinds)

    @property
    def model_variant_list(self) -> list[str]:
        return split_choices(self.model_variants)

    @property
    def gmina_kind_labels(self) -> list[str]:
        labels = dict(GminaKind.choices)
        return [str(labels.get(v, v)) for v in self.gmina_kind_list]

    @property
    def model_variant_labels(self) -> list[str]:
        labels = dict(ModelVariant.choices)
        return [str(labels.get(v, v)) for v in self.model_variant_list]


class RecommendationStatusChange(models.Model):
    """History of a recommendation's status: written by the service in the same transaction as the change."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=RecommendationStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=RecommendationStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["recommendation_id", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


# --- good practices --------------------------------------------------------------------------------------------------


class GoodPractice(models.Model):
    """A documented solution worth copying. `is_public` will show it on the public pages."""

    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"))
    solution = models.TextField(_("solution"))
    results = models.TextField(_("results"), blank=True)
    institutions = models.ManyToManyField(
        "directory.Institution", verbose_name=_("institutions involved"), blank=True, related_name="good_practices"
    )
    sectors = models.CharField(_("sectors involved"), max_length=300, blank=True)
    gmina = models.ForeignKey(
        "territory.Gmina",
        verbose_name=_("gmina"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="good_practices",
    )
    model_variant = models.CharField(_("model variant"), max_length=30, choices=ModelVariant.choices, blank=True)
    contact = models.TextField(
        _("contact"),
        blank=True,
        help_text=_("An institutional contact (office address, e-mail, phone); no private data."),
    )
    is_public = models.BooleanField(_("public"), default=False)
    search_text = models.TextField(editable=False, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def sector_list(self) -> list[str]:
        return split_choices(self.sectors)
