"""Closed-loop referrals between institutions: one institution asks another to act for a person, with the data
categories it may share, an answer deadline by urgency, a comment thread, and the outcome sent back.

The states and the transitions between them are in ONE table (`TRANSITIONS`); `referrals.services.referral_transition`
is the only code that changes `Referral.state`, each change audited as a `ReferralTransition` row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class State(models.TextChoices):
    # A context of their own: other contexts translate the same English words for other things ("draft" of a plan,
    # an "expired" consent), and Django merges all catalogues into one.
    DRAFT = "draft", pgettext_lazy("referral state", "draft")
    SENT = "sent", pgettext_lazy("referral state", "sent")
    RECEIVED = "received", pgettext_lazy("referral state", "received")
    ACCEPTED = "accepted", pgettext_lazy("referral state", "accepted")
    DECLINED = "declined", pgettext_lazy("referral state", "declined")
    IN_PROGRESS = "in_progress", pgettext_lazy("referral state", "in progress")
    COMPLETED = "completed", pgettext_lazy("referral state", "completed")
    CANCELLED = "cancelled", pgettext_lazy("referral state", "cancelled")
    EXPIRED = "expired", pgettext_lazy("referral state", "expired")
    SUSPENDED = "suspended", pgettext_lazy("referral state", "suspended")


# Waiting for the recipient's answer (the answer deadline runs).
AWAITING_ANSWER = frozenset({State.SENT, State.RECEIVED})
# Sent and not closed: the recipient holds access grants for the shared categories.
OPEN_STATES = frozenset({State.SENT, State.RECEIVED, State.ACCEPTED, State.IN_PROGRESS})
CLOSED_STATES = frozenset({State.DECLINED, State.COMPLETED, State.CANCELLED, State.EXPIRED})


class Action(models.TextChoices):
    SEND = "send", _("send")
    RECEIVE = "receive", _("mark as received")
    ACCEPT = "accept", _("accept")
    DECLINE = "decline", _("decline")
    START = "start", _("start work")
    COMPLETE = "complete", _("complete")
    CANCEL = "cancel", _("cancel")
    EXPIRE = "expire", _("expire")
    SUSPEND = "suspend", _("suspend")
    RESUME = "resume", _("resume")


class Side(models.TextChoices):
    SENDER = "sender", _("sender")
    RECIPIENT = "recipient", _("recipient")
    SYSTEM = "system", _("system")


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: back to the state the referral was suspended from (resume)
    side: str


# THE transition table: action -> from which states, to which state, by whom.
TRANSITIONS: dict[str, Transition] = {
    Action.SEND: Transition(frozenset({State.DRAFT}), State.SENT, Side.SENDER),
    Action.RECEIVE: Transition(frozenset({State.SENT}), State.RECEIVED, Side.RECIPIENT),
    Action.ACCEPT: Transition(frozenset({State.RECEIVED}), State.ACCEPTED, Side.RECIPIENT),
    Action.DECLINE: Transition(frozenset({State.RECEIVED}), State.DECLINED, Side.RECIPIENT),
    Action.START: Transition(frozenset({State.ACCEPTED}), State.IN_PROGRESS, Side.RECIPIENT),
    Action.COMPLETE: Transition(frozenset({State.IN_PROGRESS}), State.COMPLETED, Side.RECIPIENT),
    Action.CANCEL: Transition(
        frozenset({State.DRAFT, State.SENT, State.RECEIVED, State.ACCEPTED, State.IN_PROGRESS, State.SUSPENDED}),
        State.CANCELLED,
        Side.SENDER,
    ),
    Action.EXPIRE: Transition(frozenset(AWAITING_ANSWER), State.EXPIRED, Side.SYSTEM),
    Action.SUSPEND: Transition(frozenset(OPEN_STATES), State.SUSPENDED, Side.SYSTEM),
    Action.RESUME: Transition(frozenset({State.SUSPENDED}), None, Side.SENDER),
}


class Urgency(models.TextChoices):
    URGENT = "urgent", _("urgent")
    NORMAL = "normal", _("normal")


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", _("no capacity")
    NOT_ELIGIBLE = "not_eligible", _("not eligible")
    NO_CONTACT = "no_contact", _("could not contact the person")
    PERSON_REFUSED = "person_refused", _("the person refused")
    OTHER = "other", pgettext_lazy("decline reason", "other")


class Outcome(models.TextChoices):
    HELPED = "helped", _("person helped")
    PARTLY = "partly", _("partly helped")
    NOT_HELPED = "not_helped", _("not helped")


class SuspensionReason(models.TextChoices):
    CONSENT_WITHDRAWN = "consent_withdrawn", _("consent withdrawn")
    CONSENT_EXPIRED = "consent_expired", _("consent expired")


class Referral(models.Model):
    """A referral of a person from a case (or a plan task) of the sender institution to a recipient institution."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey(
        "cases.Task", verbose_name=_("plan task"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey("people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    sender = models.ForeignKey(
        "directory.Institution", verbose_name=_("sender institution"), on_delete=models.PROTECT, related_name="+"
    )
    sender_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        "directory.Institution",
        verbose_name=_("recipient institution"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    service = models.ForeignKey(
        "directory.Service",
        verbose_name=_("service"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    reason = models.TextField(
        _("what is asked"),
        help_text=_("What the recipient is asked to do. Write nothing beyond the data categories you share."),
    )
    categories = models.JSONField(_("data categories shared"), default=list)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    suspended_from = models.CharField(max_length=20, choices=State.choices, blank=True)
    suspension_reason = models.CharField(max_length=30, choices=SuspensionReason.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    answer_due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The figures monitoring reads: accepted (None until answered), closed with feedback to the sender.
    accepted = models.BooleanField(_("accepted"), null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=20, choices=DeclineReason.choices, blank=True)
    decline_text = models.TextField(_("reason (text)"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    work_done = models.TextField(_("what was done"), blank=True)
    feedback = models.TextField(_("feedback to the sender"), blank=True)
    closed_with_feedback = models.BooleanField(default=False)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["recipient", "state", "-sent_at"], name="referrals_inbox"),
            models.Index(fields=["sender", "state", "-created_at"], name="referrals_outbox"),
            # The unfiltered inbox and outbox in their order: a page is read from the index, not sorted from all of a
            # busy institution's referrals (bench/referrals.py).
            models.Index(
                fields=["recipient", "-sent_at", "id"], name="referrals_inbox_sent", condition=~Q(state="draft")
            ),
            models.Index(fields=["sender", "-created_at", "id"], name="referrals_outbox_created"),
            models.Index(
                fields=["answer_due_at"],
                name="referrals_awaiting_due",
                condition=Q(state__in=["sent", "received"]),
            ),
            models.Index(fields=["case"], name="referrals_case"),
            models.Index(fields=["person"], name="referrals_person"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="referrals_state_valid"),
            models.CheckConstraint(condition=~Q(sender=F("recipient")), name="referrals_not_to_self"),
            models.CheckConstraint(condition=Q(state="draft") | Q(sent_at__isnull=False), name="referrals_sent_dated"),
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(decline_reason=""), name="referrals_declined_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(state="completed") | (~Q(outcome="") & Q(completed_at__isnull=False)),
                name="referrals_completed_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(state="suspended") | ~Q(suspended_from=""), name="referrals_suspended_from_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{_('referral')} {str(self.pk)[:8]}"

    @property
    def is_overdue(self) -> bool:
        return self.state in AWAITING_ANSWER and self.answer_due_at is not None and self.answer_due_at < timezone.now()


class ReferralTransition(models.Model):
    """One change of state: who, when, from, to, note (the referral's timeline)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="transitions")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    institution = models.ForeignKey(
        "directory.Institution", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=20, choices=State.choices)
    to_state = models.CharField(max_length=20, choices=State.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["referral_id", "at", "id"]
        indexes = [models.Index(fields=["referral", "at"], name="referrals_transition_at")]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class ReferralShare(models.Model):
    """One data category shared by a referral, what allows it (a legal basis or a consent) and its grant."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="shares")
    category = models.CharField(max_length=20)
    legal_basis = models.ForeignKey(
        "privacy.LegalBasis", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent = models.ForeignKey("privacy.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    grant = models.ForeignKey("privacy.AccessGrant", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["referral_id", "category"]
        indexes = [models.Index(fields=["consent"], name="referrals_share_consent")]
        constraints = [
            models.UniqueConstraint(fields=["referral", "category"], name="referrals_share_unique_category"),
            models.CheckConstraint(
                condition=(Q(legal_basis__isnull=False) & Q(consent__isnull=True))
                | (Q(legal_basis__isnull=True) & Q(consent__isnull=False)),
                name="referrals_share_one_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"ReferralShare {self.pk}"


class Comment(models.Model):
    """A message in the referral's thread between the sender and the recipient."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="comments")
    at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey("directory.Institution", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))

    class Meta:
        ordering = ["referral_id", "at", "id"]

    def __str__(self) -> str:
        return f"Comment {self.pk}"


class ReferralDeadlineRule(models.Model):
    """A partnership's answer deadlines (working days) by urgency; without a rule the defaults apply."""

    partnership = models.OneToOneField(
        "directory.Partnership", verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="+"
    )
    urgent_days = models.PositiveSmallIntegerField(_("urgent: answer within (working days)"), default=2)
    normal_days = models.PositiveSmallIntegerField(_("normal: answer within (working days)"), default=7)
    reminder_days = models.PositiveSmallIntegerField(_("reminder (working days before the deadline)"), default=1)
    expire_after_days = models.PositiveSmallIntegerField(_("expires (working days after the deadline)"), default=5)

    class Meta:
        verbose_name = _("referral deadline rule")
        verbose_name_plural = _("referral deadline rules")
        constraints = [
            models.CheckConstraint(condition=Q(urgent_days__gte=1), name="referrals_rule_urgent_positive"),
            models.CheckConstraint(condition=Q(normal_days__gte=1), name="referrals_rule_normal_positive"),
        ]

    def __str__(self) -> str:
        return f"ReferralDeadlineRule {self.pk}"


class NotificationKind(models.TextChoices):
    NEW = "new", _("new referral")
    ACCEPTED = "accepted", _("referral accepted")
    DECLINED = "declined", _("referral declined")
    COMPLETED = "completed", _("referral completed")
    CANCELLED = "cancelled", _("referral cancelled")
    EXPIRED = "expired", _("referral expired")
    COMMENT = "comment", _("new comment")
    REMINDER = "reminder", _("answer deadline approaching")
    ESCALATION = "escalation", _("answer deadline passed")
    OVERDUE_NOTICE = "overdue_notice", _("no answer by the deadline")
    SUSPENDED = "suspended", _("referral suspended")
    RESUMED = "resumed", _("referral resumed")


class Notification(models.Model):
    """An in-app notification about a referral (and the e-mail sent for it, which holds no personal data)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="referrals_notification_user"),
            models.Index(fields=["user"], name="referrals_notification_unread", condition=Q(read_at__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=NotificationKind.values), name="referrals_notification_kind")
        ]

    def __str__(self) -> str:
        return f"Notification {self.pk}"
