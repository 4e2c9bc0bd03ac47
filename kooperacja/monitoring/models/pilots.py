"""Pilots, milestones, support, custom indicators and snapshots.

A pilot is one gmina (optionally with its county) testing one variant of the cooperation model under an agreement
with the ROPS of its voivodeship, inside a macroregional project. Indicators are computed from live data
(`kooperacja.monitoring.indicators`); only custom indicators with a manual value and frozen snapshots are stored.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kooperacja.directory.models import Institution
from kooperacja.directory.storage import private_storage
from kooperacja.territory.models import County, Gmina, Macroregion, Voivodeship

__all__ = [
    "CustomIndicator",
    "IndicatorSnapshot",
    "Milestone",
    "MilestoneNumber",
    "MilestoneStatus",
    "ModelVariant",
    "Pilot",
    "PilotStatus",
    "Project",
    "ScopeKind",
    "SupportActivity",
    "SupportKind",
]


class ModelVariant(models.TextChoices):
    """The variants of the cooperation model (Księga Rekomendacyjna, 2021) and the CUS."""

    CITIES_3D = "cities_3d", _("Kooperacje 3D (cities over 20,000 residents)")
    RURAL_LEADERS = "rural_leaders", _("Liderzy kooperacji (rural gminy)")
    URBAN_RURAL = "urban_rural", _("Kooperacja – efektywna i skuteczna (urban-rural gminy)")
    CUS = "cus", _("social services centre (CUS)")


class PilotStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    RUNNING = "running", _("running")
    FINISHED = "finished", _("finished")
    WITHDRAWN = "withdrawn", _("withdrawn")


class MilestoneNumber(models.IntegerChoices):
    """The four milestones, the same in all three projects."""

    I = 1, _("I – develop the model")  # noqa: E741
    II = 2, _("II – test the model")
    III = 3, _("III – recommendations")
    IV = 4, _("IV – nationwide training")


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("completed")
    DELAYED = "delayed", _("delayed")


class SupportKind(models.TextChoices):
    TRAINING = "training", _("training")
    COACHING = "coaching", _("coaching")
    SUPERVISION = "supervision", _("supervision")
    ADVISORY = "advisory", _("advisory")


class ScopeKind(models.TextChoices):
    """Where a figure belongs: the whole country, a macroregion, a voivodeship, a gmina or one pilot."""

    COUNTRY = "country", _("country")
    MACROREGION = "macroregion", _("macroregion")
    VOIVODESHIP = "voivodeship", _("voivodeship")
    GMINA = "gmina", _("gmina")
    PILOT = "pilot", _("pilot")


class Project(models.Model):
    """A macroregional project (e.g. "Liderzy kooperacji", led by ROPS Rzeszów)."""

    name = models.CharField(_("name"), max_length=300)
    macroregion = models.ForeignKey(
        Macroregion, verbose_name=_("macroregion"), on_delete=models.PROTECT, related_name="projects"
    )
    lead_rops = models.ForeignKey(
        Institution,
        verbose_name=_("lead ROPS"),
        on_delete=models.PROTECT,
        related_name="led_projects",
        limit_choices_to={"kind": "rops"},
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(started_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="monitoring_project_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("The end cannot be earlier than the start.")})


class Milestone(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones")
    number = models.PositiveSmallIntegerField(_("milestone"), choices=MilestoneNumber.choices)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="monitoring_milestone_once_per_project"),
            models.CheckConstraint(condition=models.Q(number__gte=1, number__lte=4), name="monitoring_milestone_i_iv"),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_number_display()}"


def pilot_agreement_upload_to(instance: Pilot, filename: str) -> str:
    # The original file name may carry personal data; keep only its extension.
    extension = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"pilot-agreements/{instance.pk or 'new'}/{uuid.uuid4().hex}.{extension}"


class Pilot(models.Model):
    """A gmina (with its county) testing one model variant under an agreement with the ROPS."""

    gmina = models.ForeignKey(Gmina, verbose_name=_("gmina"), on_delete=models.PROTECT, related_name="pilots")
    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, null=True, blank=True, related_name="pilots"
    )
    variant = models.CharField(_("model variant"), max_length=20, choices=ModelVariant.choices)
    rops = models.ForeignKey(
        Institution,
        verbose_name=_("ROPS running the pilot"),
        on_delete=models.PROTECT,
        related_name="run_pilots",
        limit_choices_to={"kind": "rops"},
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, null=True, blank=True, related_name="pilots"
    )
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    started_on = models.DateField(_("start"), null=True, blank=True)
    ended_on = models.DateField(_("end"), null=True, blank=True)
    funding_amount = models.DecimalField(_("funding (PLN)"), max_digits=12, decimal_places=2, null=True, blank=True)
    signed_file = models.FileField(
        _("signed agreement"), upload_to=pilot_agreement_upload_to, storage=private_storage, blank=True, max_length=300
    )
    status = models.CharField(_("status"), max_length=20, choices=PilotStatus.choices, default=PilotStatus.PLANNED)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitators (users)"), blank=True, related_name="facilitated_pilots"
    )
    facilitator_names = models.CharField(
        _("facilitators (names)"),
        max_length=500,
        blank=True,
        help_text=_("Facilitators without an account, separated by commas."),
    )
    model_expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("model expert (user)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expert_pilots",
    )
    model_expert_name = models.CharField(_("model expert (name)"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        ordering = ["gmina__code", "started_on"]
        indexes = [models.Index(fields=["variant", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(started_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="monitoring_pilot_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(funding_amount__isnull=True) | models.Q(funding_amount__gte=0),
                name="monitoring_pilot_funding_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(variant__in=["cities_3d", "rural_leaders", "urban_rural", "cus"]),
                name="monitoring_pilot_variant_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gmina.name} — {self.get_variant_display()}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors["ended_on"] = _("The end cannot be earlier than the start.")
        if self.funding_amount is not None and self.funding_amount < 0:
            errors["funding_amount"] = _("The funding cannot be negative.")
        if self.county_id and self.gmina_id and self.gmina.county_id != self.county_id:
            errors["county"] = _("The county must be the county of the gmina.")
        if self.rops_id and self.gmina_id and self.rops.voivodeship_id != self.gmina.voivodeship_id:
            errors["rops"] = _("The ROPS must be the one of the gmina's voivodeship.")
        if errors:
            raise ValidationError(errors)

    @property
    def facilitator_name_list(self) -> list[str]:
        return [name.strip() for name in self.facilitator_names.split(",") if name.strip()]


class SupportActivity(models.Model):
    """Training, coaching, supervision or advice the ROPS gave a pilot: who, when, how long, for whom."""

    pilot = models.ForeignKey(Pilot, verbose_name=_("pilot"), on_delete=models.CASCADE, related_name="support")
    kind = models.CharField(_("kind of support"), max_length=20, choices=SupportKind.choices)
    given_by = models.CharField(_("given by"), max_length=200)
    given_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    for_whom = models.CharField(_("for whom"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("support activity")
        verbose_name_plural = _("support activities")
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["pilot", "given_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="monitoring_support_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.given_on}"

    def clean(self) -> None:
        if self.hours is not None and self.hours <= 0:
            raise ValidationError({"hours": _("Give the number of hours (more than zero).")})


class CustomIndicator(models.Model):
    """An indicator with a target and either a manual value or a computed one (a key of the registry)."""

    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True, blank=True)
    manual_value = models.DecimalField(_("value entered"), max_digits=14, decimal_places=2, null=True, blank=True)
    computed_key = models.CharField(_("computed from"), max_length=60, blank=True)
    pilot = models.ForeignKey(
        Pilot,
        verbose_name=_("pilot"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="custom_indicators",
    )
    voivodeship = models.ForeignKey(
        Voivodeship, verbose_name=_("voivodeship"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    macroregion = models.ForeignKey(
        Macroregion, verbose_name=_("macroregion"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("custom indicator")
        verbose_name_plural = _("custom indicators")
        ordering = ["name"]
        constraints = [
            # Exactly one scope: a pilot, a voivodeship or a macroregion.
            models.CheckConstraint(
                condition=(
                    models.Q(pilot__isnull=False, voivodeship__isnull=True, macroregion__isnull=True)
                    | models.Q(pilot__isnull=True, voivodeship__isnull=False, macroregion__isnull=True)
                    | models.Q(pilot__isnull=True, voivodeship__isnull=True, macroregion__isnull=False)
                ),
                name="monitoring_custom_indicator_one_scope",
            ),
            # A value comes from one source: typed in, or computed.
            models.CheckConstraint(
                condition=models.Q(manual_value__isnull=True) | models.Q(computed_key=""),
                name="monitoring_custom_indicator_one_source",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from kooperacja.monitoring.indicators import REGISTRY

        errors: dict[str, str] = {}
        scopes = [self.pilot_id, self.voivodeship_id, self.macroregion_id]
        if sum(scope is not None for scope in scopes) != 1:
            errors["pilot"] = _("Choose exactly one scope: a pilot, a voivodeship or a macroregion.")
        if self.manual_value is not None and self.computed_key:
            errors["manual_value"] = _("Either type in a value or choose a computed one, not both.")
        if self.computed_key and self.computed_key not in REGISTRY:
            errors["computed_key"] = _("Unknown computed indicator.")
        if errors:
            raise ValidationError(errors)


class IndicatorSnapshot(models.Model):
    """The indicator values of one scope frozen for one period (month "2026-07" or quarter "2026-Q3")."""

    period = models.CharField(_("period"), max_length=7)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    scope_kind = models.CharField(_("scope"), max_length=20, choices=ScopeKind.choices)
    # "" for the country; the macroregion code, the TERYT code of a voivodeship or gmina, or the pilot id.
    scope_code = models.CharField(_("scope code"), max_length=40, blank=True)
    values = models.JSONField(_("values"), default=dict)
    frozen_at = models.DateTimeField(_("frozen at"), default=timezone.now)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("frozen by"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        ordering = ["-period_start", "scope_kind", "scope_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "scope_kind", "scope_code"], name="monitoring_snapshot_once_per_period_scope"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.scope_kind} {self.scope_code}"
