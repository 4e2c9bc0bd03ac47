"""Users, their memberships in institutions with a named role, and personal API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    CASE_COORDINATOR = "case_coordinator", _("case coordinator")
    PARTNER_PROFESSIONAL = "partner_professional", _("partner professional")
    INSTITUTION_MANAGER = "institution_manager", _("institution manager")
    PARTNERSHIP_FACILITATOR = "partnership_facilitator", _("partnership facilitator")
    REGIONAL_SPECIALIST = "regional_specialist", _("regional specialist (ROPS)")
    MODEL_EXPERT = "model_expert", _("model expert")
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("data protection officer")
    SYSTEM_ADMINISTRATOR = "system_administrator", _("system administrator")


# Roles whose holders maintain their institution's own directory entries.
INSTITUTION_EDITOR_ROLES = frozenset(
    {
        Role.CASE_COORDINATOR,
        Role.PARTNER_PROFESSIONAL,
        Role.INSTITUTION_MANAGER,
        Role.PARTNERSHIP_FACILITATOR,
    }
)


class User(AbstractUser):
    """A person who signs in. Roles come from memberships, not from the user itself."""

    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="pl"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = self.get_full_name()
        return full or self.username


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self) -> MembershipQuerySet:
        today = timezone.localdate()
        return self.filter(models.Q(started_on__isnull=True) | models.Q(started_on__lte=today)).filter(
            models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=today)
        )


class Membership(models.Model):
    """A user works at an institution in a named role, between two dates."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    institution = models.ForeignKey(
        "directory.Institution",
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user_id", "institution_id", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "institution", "role"], name="membership_unique_role"),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(started_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="membership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.institution}"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return (self.started_on is None or self.started_on <= today) and (
            self.ended_on is None or self.ended_on >= today
        )


TOKEN_PREFIX = "koop_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiTokenState(models.TextChoices):
    # With a context: "active" alone is already translated by django.contrib.auth.
    ACTIVE = "active", pgettext_lazy("API token state", "active")
    EXPIRED = "expired", pgettext_lazy("API token state", "expired")
    REVOKED = "revoked", pgettext_lazy("API token state", "revoked")


class ApiToken(models.Model):
    """A personal API token. Only its hash is stored; the secret is shown once, on creation."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("first characters"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def state(self) -> ApiTokenState:
        if self.revoked_at is not None:
            return ApiTokenState.REVOKED
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return ApiTokenState.EXPIRED
        return ApiTokenState.ACTIVE

    def get_state_display(self) -> str:
        return str(self.state.label)
