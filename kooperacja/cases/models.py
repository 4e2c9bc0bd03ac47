"""Cases of persons and families: intake, qualification, case team (ZZK), joint assessment, individual plan with goals
and tasks owned by institutions, reviews, notes and closure with an outcome — and a timeline of every write.

The gmina's model variant (CaseRules) sets the plan's name (IPW / IPUS / plan pomocy) and its deadlines. Everything
here may concern a person: pages and the API show it only through `cases.policies`, built on `privacy.policies`, and
every read is written to the access log.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ModelVariant(models.TextChoices):
    """The model variants (the same values as monitoring's ModelVariant, which cases must not import) and 'standard'."""

    CITIES_3D = "cities_3d", _("Kooperacje 3D (cities over 20,000 residents)")
    RURAL_LEADERS = "rural_leaders", _("Liderzy kooperacji (rural gminy)")
    URBAN_RURAL = "urban_rural", _("Kooperacja – efektywna i skuteczna (urban-rural gminy)")
    CUS = "cus", _("social services centre (CUS)")
    STANDARD = "standard", _("standard social work")


class PlanLabel(models.TextChoices):
    IPW = "ipw", _("IPW (individual cooperation programme)")
    IPUS = "ipus", _("IPUS (individual plan of social services)")
    PLAN = "plan", _("assistance plan")


# What each variant sets when a gmina's rules are created (the admin may change them).
VARIANT_DEFAULTS: dict[str, dict[str, object]] = {
    ModelVariant.CITIES_3D: {"plan_label": PlanLabel.PLAN, "typical_months_min": None, "typical_months_max": None},
    ModelVariant.RURAL_LEADERS: {"plan_label": PlanLabel.IPW, "typical_months_min": 10, "typical_months_max": 13},
    ModelVariant.URBAN_RURAL: {"plan_label": PlanLabel.PLAN},
    ModelVariant.CUS: {
        "plan_label": PlanLabel.IPUS,
        "plan_due_days": 30,
        "plan_max_months": 12,
        "approval_required": True,
    },
    ModelVariant.STANDARD: {"plan_label": PlanLabel.PLAN},
}


class CaseRules(models.Model):
    """The gmina's model variant as data: the plan's name, its deadlines and whether it needs approval."""

    gmina = models.OneToOneField(
        "territory.Gmina", verbose_name=_("gmina"), on_delete=models.CASCADE, related_name="case_rules"
    )
    variant = models.CharField(_("model variant"), max_length=20, choices=ModelVariant.choices)
    plan_label = models.CharField(_("name of the plan"), max_length=10, choices=PlanLabel.choices)
    plan_due_days = models.PositiveSmallIntegerField(
        _("plan due (days from the application)"), null=True, blank=True, help_text=_("CUS: 30 days.")
    )
    plan_max_months = models.PositiveSmallIntegerField(
        _("longest plan (months)"), null=True, blank=True, help_text=_("CUS: 12 months.")
    )
    typical_months_min = models.PositiveSmallIntegerField(_("typical duration from (months)"), null=True, blank=True)
    typical_months_max = models.PositiveSmallIntegerField(_("typical duration to (months)"), null=True, blank=True)
    approval_required = models.BooleanField(
        _("plan approved by the director or an organiser"), default=False, help_text=_("CUS: yes.")
    )

    class Meta:
        verbose_name = _("case rules of a gmina")
        verbose_name_plural = _("case rules of gminy")
        ordering = ["gmina__code"]
        constraints = [
            models.CheckConstraint(condition=Q(variant__in=ModelVariant.values), name="cases_rules_variant_valid"),
            models.CheckConstraint(condition=Q(plan_label__in=PlanLabel.values), name="cases_rules_label_valid"),
            models.CheckConstraint(
                condition=Q(plan_due_days__isnull=True) | Q(plan_due_days__gte=1), name="cases_rules_due_positive"
            ),
            models.CheckConstraint(
                condition=Q(plan_max_months__isnull=True) | Q(plan_max_months__gte=1), name="cases_rules_max_positive"
            ),
            models.CheckConstraint(
                condition=Q(typical_months_min__isnull=True)
                | Q(typical_months_max__isnull=True)
                | Q(typical_months_max__gte=F("typical_months_min")),
                name="cases_rules_typical_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gmina_id}: {self.get_variant_display()}"

    @classmethod
    def for_variant(cls, variant: str, **fields: object) -> CaseRules:
        values: dict[str, object] = {"variant": variant, **VARIANT_DEFAULTS.get(variant, {})}
        values.update(fields)
        return cls(**values)


class Stage(models.TextChoices):
    INTAKE = "intake", _("intake")
    QUALIFICATION = "qualification", _("qualification")
    ASSESSMENT = "assessment", _("joint assessment")
    PLANNING = "planning", _("planning")
    IMPLEMENTATION = "implementation", _("implementation and monitoring")
    SUMMARY = "summary", _("summary conversation")
    CLOSED = "closed", _("closed")
    REFUSED = "refused", _("refused")


OPEN_STAGES = (
    Stage.INTAKE,
    Stage.QUALIFICATION,
    Stage.ASSESSMENT,
    Stage.PLANNING,
    Stage.IMPLEMENTATION,
    Stage.SUMMARY,
)
# The next stage of each stage, in order (qualification moves on only through a qualification decision).
NEXT_STAGE: dict[str, str] = {
    Stage.INTAKE: Stage.QUALIFICATION,
    Stage.ASSESSMENT: Stage.PLANNING,
    Stage.PLANNING: Stage.IMPLEMENTATION,
    Stage.IMPLEMENTATION: Stage.SUMMARY,
}


class IntakeSource(models.TextChoices):
    # With a context: privacy's "report" (the art. 15 report channel) is "raport" in the merged Polish catalogue.
    APPLICATION = "application", pgettext_lazy("case intake", "application")
    REPORT = "report", pgettext_lazy("case intake", "report")


class IntakeChannel(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    LETTER = "letter", _("letter")
    EPUAP = "epuap", _("ePUAP")
    OTHER = "other", _("other")


class QualificationDecision(models.TextChoices):
    ACCEPTED = "accepted", _("qualified")
    REFUSED = "refused", _("refused")


class Case(models.Model):
    """The case of one person or one household, owned by an OPS/CUS and led by a coordinator."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # str(id): the access grants name the case by this text (source_id), on every database the same way.
    ref = models.CharField(max_length=36, unique=True, editable=False)
    number = models.CharField(_("case number"), max_length=40)
    owner_institution = models.ForeignKey(
        "directory.Institution", verbose_name=_("owner institution"), on_delete=models.PROTECT, related_name="+"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("coordinator"), on_delete=models.PROTECT, related_name="+"
    )
    gmina = models.ForeignKey("territory.Gmina", verbose_name=_("gmina"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    variant = models.CharField(_("model variant"), max_length=20, choices=ModelVariant.choices)
    plan_label = models.CharField(_("name of the plan"), max_length=10, choices=PlanLabel.choices)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE)
    intake_source = models.CharField(_("started from"), max_length=20, choices=IntakeSource.choices)
    # Personal data of the reporter (not of the supported person): shown only with the case.
    reporter_name = models.CharField(_("reported by (name)"), max_length=200, blank=True)
    reporter_institution = models.ForeignKey(
        "directory.Institution",
        verbose_name=_("reported by (institution)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=IntakeChannel.choices)
    application_date = models.DateField(_("application date"), null=True, blank=True)
    qualification_decision = models.CharField(
        _("qualification decision"), max_length=20, choices=QualificationDecision.choices, blank=True
    )
    qualified_on = models.DateField(_("qualified on"), null=True, blank=True)
    qualified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("qualified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    plan_due_on = models.DateField(_("plan due on"), null=True, blank=True)
    niebieska_karta = models.BooleanField(_("Niebieska Karta procedure"), default=False)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    # Kept by save() for the monitoring indicators, which read cases through the app registry (monitoring never
    # imports cases): the local date opened, "person" | "family", and "successful" | "unsuccessful" | "".
    opened_on = models.DateField(_("opened on"), editable=False, null=True)
    subject_kind = models.CharField(max_length=10, editable=False, default="person")
    outcome = models.CharField(max_length=15, editable=False, blank=True, default="")
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    success = models.BooleanField(_("completed successfully"), null=True, blank=True)
    summary_conversation_on = models.DateField(_("summary conversation on"), null=True, blank=True)
    summary_notes = models.TextField(_("summary of the course and results"), blank=True)
    early_closure_reason = models.TextField(_("reason for closing early"), blank=True)
    # Set when the case passed its owner's retention rule: free texts blanked, grants ended (services.case_anonymise).
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "id"]
        indexes = [
            models.Index(fields=["owner_institution", "stage"], name="cases_case_owner_stage"),
            models.Index(fields=["coordinator", "stage"], name="cases_case_coordinator_stage"),
            models.Index(fields=["plan_due_on"], name="cases_case_plan_due", condition=Q(plan_due_on__isnull=False)),
            models.Index(fields=["gmina", "closed_on"], name="cases_case_gmina_closed"),
            models.Index(fields=["gmina", "opened_on"], name="cases_case_gmina_opened"),
            models.Index(fields=["person"], name="cases_case_person"),
            models.Index(fields=["household"], name="cases_case_household"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["owner_institution", "number"], name="cases_case_number_unique"),
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(household__isnull=True))
                | (Q(person__isnull=True) & Q(household__isnull=False)),
                name="cases_case_one_subject",
            ),
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="cases_case_stage_valid"),
            models.CheckConstraint(
                condition=~Q(intake_source="application") | Q(application_date__isnull=False),
                name="cases_case_application_dated",
            ),
            models.CheckConstraint(
                condition=~Q(intake_source="report") | Q(reported_on__isnull=False),
                name="cases_case_report_dated",
            ),
            models.CheckConstraint(
                condition=~Q(stage="closed") | Q(closed_on__isnull=False), name="cases_case_closed_dated"
            ),
            models.CheckConstraint(
                condition=Q(success__isnull=True) | Q(stage="closed"), name="cases_case_success_only_closed"
            ),
            models.CheckConstraint(
                condition=~Q(stage="refused") | Q(qualification_decision="refused"),
                name="cases_case_refused_decided",
            ),
            models.CheckConstraint(
                condition=Q(subject_kind="person", person__isnull=False)
                | Q(subject_kind="family", household__isnull=False),
                name="cases_case_subject_kind_matches",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: object, **kwargs: object) -> None:
        self.refresh_derived_fields()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        self.refresh_derived_fields()  # before the constraints are validated (full_clean)

    def refresh_derived_fields(self) -> None:
        self.ref = str(self.id)
        self.opened_on = timezone.localtime(self.opened_at).date() if self.opened_at else None
        self.subject_kind = "family" if self.household_id else "person"
        self.outcome = "" if self.success is None else ("successful" if self.success else "unsuccessful")

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def duration_days(self) -> int:
        end = self.closed_on or timezone.localdate()
        return (end - self.opened_at.date()).days


class CaseCounter(models.Model):
    """The last case number given by an institution in a year (numbers run per owner institution and year)."""

    institution = models.ForeignKey("directory.Institution", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution", "year"], name="cases_counter_unique")]

    def __str__(self) -> str:
        return f"CaseCounter {self.pk}"


class TeamRole(models.TextChoices):
    COORDINATOR = "coordinator", _("case coordinator")
    SOCIAL_WORKER = "social_worker", _("social worker")
    FAMILY_ASSISTANT = "family_assistant", _("family assistant")
    PEDAGOGUE = "pedagogue", _("pedagogue / teacher")
    PROBATION_OFFICER = "probation_officer", _("probation officer")
    HEALTH = "health", _("health professional")
    POLICE = "police", _("police officer")
    LABOUR = "labour", _("labour-office adviser")
    NGO = "ngo", _("NGO worker")
    OTHER = "other", _("other")


class CaseTeamMember(models.Model):
    """A member institution of the case team (ZZK), optionally a named person there, with what is shared with it."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="team_members")
    institution = models.ForeignKey(
        "directory.Institution", verbose_name=_("institution"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person at the institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("role in the team"), max_length=30, choices=TeamRole.choices)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("case team member")
        verbose_name_plural = _("case team members")
        ordering = ["case_id", "joined_on", "id"]
        indexes = [models.Index(fields=["institution", "case"], name="cases_member_institution")]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")), name="cases_member_dates_ordered"
            ),
            models.UniqueConstraint(
                fields=["case", "institution"],
                condition=Q(left_on__isnull=True),
                name="cases_member_one_current_per_institution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} — {self.institution_id}"

    @property
    def is_current(self) -> bool:
        return self.left_on is None

    @property
    def user_display(self) -> str:
        user = self.user
        return (user.get_full_name() or user.get_username()) if user is not None else "—"


class TeamShare(models.Model):
    """One data category of one person shared with a team member institution, and what allows it: a legal basis or a
    consent."""

    member = models.ForeignKey(CaseTeamMember, on_delete=models.CASCADE, related_name="shares")
    # The person whose data is shared (a household case shares the data of each member on its own basis).
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("data category"), max_length=20)
    legal_basis = models.ForeignKey(
        "privacy.LegalBasis", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent = models.ForeignKey("privacy.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["member_id", "category"]
        constraints = [
            models.UniqueConstraint(fields=["member", "person", "category"], name="cases_share_unique_category"),
            models.CheckConstraint(
                condition=(Q(legal_basis__isnull=False) & Q(consent__isnull=True))
                | (Q(legal_basis__isnull=True) & Q(consent__isnull=False)),
                name="cases_share_one_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"TeamShare {self.pk}"

    @property
    def category_label(self) -> str:
        from kooperacja.privacy.models import DataCategory

        return str(DataCategory(self.category).label) if self.category in DataCategory.values else self.category


class LifeDomain(models.TextChoices):
    HOUSING = "housing", _("housing")
    INCOME = "income", _("income")
    WORK = "work", _("work")
    HEALTH = "health", _("health")
    MENTAL_HEALTH = "mental_health", _("mental health")
    ADDICTION = "addiction", _("addiction")
    EDUCATION = "education", _("education")
    PARENTING = "parenting", _("parenting and care")
    VIOLENCE = "violence", _("violence")
    DISABILITY = "disability", _("disability")
    JUSTICE = "justice", _("justice")
    SOCIAL_RELATIONS = "social_relations", _("social relations")


class AssessmentEntry(models.Model):
    """The joint assessment of one life domain: strengths and needs, who assessed it and when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessment")
    domain = models.CharField(_("life domain"), max_length=20, choices=LifeDomain.choices)
    strengths = models.TextField(_("strengths"), blank=True)
    needs = models.TextField(_("needs"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessed by"), on_delete=models.PROTECT, related_name="+"
    )
    assessed_by_institution = models.ForeignKey(
        "directory.Institution", verbose_name=_("institution"), on_delete=models.PROTECT, related_name="+"
    )
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("assessment of a life domain")
        verbose_name_plural = _("assessment")
        ordering = ["case_id", "domain", "-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(domain__in=LifeDomain.values), name="cases_assessment_domain_valid"),
            models.CheckConstraint(condition=~Q(strengths="") | ~Q(needs=""), name="cases_assessment_not_empty"),
        ]

    def __str__(self) -> str:
        return f"AssessmentEntry {self.pk}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    AWAITING_APPROVAL = "awaiting_approval", _("awaiting approval")
    APPROVED = "approved", _("approved")
    SUPERSEDED = "superseded", _("superseded")


class Plan(models.Model):
    """One version of the individual plan (IPW / IPUS / plan pomocy). Versions are kept; one is in force."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("individual plan")
        verbose_name_plural = _("individual plans")
        ordering = ["case_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="cases_plan_unique_version"),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["draft", "awaiting_approval"]),
                name="cases_plan_one_draft",
            ),
            models.UniqueConstraint(fields=["case"], condition=Q(status="approved"), name="cases_plan_one_in_force"),
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="cases_plan_status_valid"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="cases_plan_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "superseded"]) | Q(approved_at__isnull=False),
                name="cases_plan_approved_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == PlanStatus.DRAFT


class GoalOutcome(models.TextChoices):
    ACHIEVED = "achieved", _("achieved")
    PARTLY = "partly", _("partly achieved")
    NOT_ACHIEVED = "not_achieved", _("not achieved")


class Goal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("goal"), max_length=300)
    outcome = models.CharField(_("outcome"), max_length=20, choices=GoalOutcome.choices, blank=True)
    outcome_note = models.TextField(_("about the outcome"), blank=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["plan_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=GoalOutcome.values), name="cases_goal_outcome_valid"
            )
        ]

    def __str__(self) -> str:
        return self.title


class TaskStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


OPEN_TASK_STATUSES = (TaskStatus.PLANNED, TaskStatus.IN_PROGRESS)


class Task(models.Model):
    """A task of the plan, owned by an institution (and optionally a person there), with a due date and a status."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    goal = models.ForeignKey(Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=300)
    owner_institution = models.ForeignKey(
        "directory.Institution", verbose_name=_("owner institution"), on_delete=models.PROTECT, related_name="+"
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (person)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.PLANNED)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan_id", "due_on", "id"]
        indexes = [
            models.Index(fields=["owner_institution", "status", "due_on"], name="cases_task_owner_due"),
            models.Index(fields=["status", "due_on"], name="cases_task_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=TaskStatus.values), name="cases_task_status_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    @property
    def owner_user_display(self) -> str:
        user = self.owner_user
        return (user.get_full_name() or user.get_username()) if user is not None else "—"

    @property
    def last_progress(self) -> TaskProgress | None:
        """The latest progress report (from the prefetched reports when there are)."""
        reports = list(self.progress.all())
        return reports[-1] if reports else None


class TaskProgress(models.Model):
    """A progress report on a task by its owner institution."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="progress")
    at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey("directory.Institution", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("progress"))
    status_after = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices)

    class Meta:
        ordering = ["task_id", "at", "id"]

    def __str__(self) -> str:
        return f"TaskProgress {self.pk}"


class Review(models.Model):
    """A review of the plan (a monitoring meeting or a look at progress), with notes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    plan = models.ForeignKey(Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews")
    held_on = models.DateField(_("held on"), default=timezone.localdate)
    notes = models.TextField(_("notes"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["case_id", "-held_on", "-id"]

    def __str__(self) -> str:
        return f"Review {self.pk}"


class Sensitivity(models.TextChoices):
    ORDINARY = "ordinary", _("ordinary")
    SENSITIVE = "sensitive", _("sensitive")
    NIEBIESKA_KARTA = "niebieska_karta", _("Niebieska Karta")


class Note(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey("directory.Institution", on_delete=models.PROTECT, related_name="+")
    sensitivity = models.CharField(
        _("sensitivity"), max_length=20, choices=Sensitivity.choices, default=Sensitivity.ORDINARY
    )
    text = models.TextField(_("note"))

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["case_id", "-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(sensitivity__in=Sensitivity.values), name="cases_note_sensitivity_valid")
        ]

    def __str__(self) -> str:
        return f"Note {self.pk}"


class CaseEvent(models.Model):
    """One line of the case's timeline: when, who, what kind, and a short summary without personal data."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["case_id", "-at", "-id"]
        indexes = [models.Index(fields=["case", "at"], name="cases_event_case_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the last day of the month when it has fewer days)."""
    import calendar

    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
