"""Legal bases, consents, access grants and the access log.

`privacy` is the one place that answers "may this institution see these data categories of this person, and why".
Cases and referrals open and end grants through `privacy.services`; `privacy` never imports them: a grant names its
source as a label and an id ("case", <uuid>).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kooperacja.directory.storage import private_storage


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("identity")
    CONTACT = "contact", _("contact")
    FAMILY = "family", _("family situation")
    HEALTH = "health", _("health")
    ADDICTION = "addiction", _("addiction")
    VIOLENCE = "violence", _("violence")
    EDUCATION = "education", _("education")
    EMPLOYMENT = "employment", _("employment")
    FINANCES = "finances", _("finances")
    HOUSING = "housing", _("housing")
    JUSTICE = "justice", _("justice")


# Special categories (GDPR art. 9) and data on offences (art. 10): sharing them needs art. 9 / a statute or consent.
SPECIAL_CATEGORIES = frozenset(
    {DataCategory.HEALTH, DataCategory.ADDICTION, DataCategory.VIOLENCE, DataCategory.JUSTICE}
)


def validate_categories(value: object) -> None:
    if not isinstance(value, list) or any(item not in DataCategory.values for item in value):
        raise ValidationError(_("Choose data categories from the list."))


class LegalBasisKind(models.TextChoices):
    GDPR_ART6 = "gdpr_art6", _("GDPR art. 6")
    GDPR_ART9 = "gdpr_art9", _("GDPR art. 9")
    NATIONAL_ACT = "national_act", _("Polish act")


class Procedure(models.TextChoices):
    BLUE_CARD = "blue_card", _("Niebieska Karta procedure")


class LegalBasis(models.Model):
    """A legal basis as data: GDPR art. 6/9 points and the provisions of the acts the OPS works under.

    `covers` lists the data categories the provision lets the institution process or share without consent;
    `institution_kinds` (empty: any) limits which kinds of institution may rely on it (e.g. art. 9c of the act on
    counteracting domestic violence: members of the interdisciplinary team).
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=LegalBasisKind.choices)
    title = models.CharField(_("title"), max_length=300)
    reference = models.CharField(_("provision"), max_length=300, help_text=_("Act, article, paragraph, point."))
    description = models.TextField(_("description"), blank=True)
    covers = models.JSONField(_("data categories covered"), default=list, blank=True, validators=[validate_categories])
    institution_kinds = models.JSONField(_("for institution kinds"), default=list, blank=True)
    is_consent = models.BooleanField(
        _("consent"), default=False, help_text=_("The basis is the person's consent (art. 6(1)(a) / 9(2)(a) GDPR).")
    )
    # Set: the basis applies only within that procedure (e.g. "blue_card": art. 9c of the act on counteracting
    # domestic violence, for the members of the interdisciplinary team in a Niebieska Karta procedure). Empty: always.
    procedure = models.CharField(_("only within the procedure"), max_length=30, blank=True, choices=Procedure.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"


class Consent(models.Model):
    """A person's consent to share data categories with recipient institutions for a purpose.

    Given on a date, with the signed document attached or recorded orally by a named worker; valid until a date
    (or open); withdrawn on a date. Withdrawal takes effect at once: the grants resting on it end (privacy.services).
    """

    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="consents"
    )
    recorded_by_institution = models.ForeignKey(
        "directory.Institution", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.ManyToManyField(
        "directory.Institution", verbose_name=_("recipient institutions"), related_name="consents_received"
    )
    purpose = models.TextField(_("purpose"))
    categories = models.JSONField(_("data categories"), default=list, validators=[validate_categories])
    given_on = models.DateField(_("given on"))
    document = models.FileField(_("signed document"), storage=private_storage, upload_to="consents/%Y/", blank=True)
    recorded_orally_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded orally by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # When the consent stopped counting (withdrawn or expired) and its grants were ended and the callbacks ran.
    ended_processed_at = models.DateTimeField(_("end processed at"), null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=models.F("given_on")),
                name="privacy_consent_valid_after_given",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True) | models.Q(withdrawn_on__gte=models.F("given_on")),
                name="privacy_consent_withdrawn_after_given",
            ),
            # Given with the signed document attached, or recorded orally by a named worker: exactly one of the two
            # (an anonymised consent past its retention keeps neither).
            models.CheckConstraint(
                condition=models.Q(anonymised_at__isnull=False)
                | (~models.Q(document="") & models.Q(recorded_orally_by__isnull=True))
                | (models.Q(document="") & models.Q(recorded_orally_by__isnull=False)),
                name="privacy_consent_document_or_oral",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('consent')} {self.pk} ({self.given_on})"

    @property
    def state(self) -> str:
        """ "valid", "withdrawn", "expired" or "future" (today)."""
        today = timezone.localdate()
        if self.withdrawn_on is not None and self.withdrawn_on <= today:
            return "withdrawn"
        if self.valid_until is not None and self.valid_until < today:
            return "expired"
        if self.given_on > today:
            return "future"
        return "valid"

    def is_valid_on(self, day: object = None) -> bool:
        today = day or timezone.localdate()
        return (
            self.given_on <= today  # type: ignore[operator]
            and (self.valid_until is None or self.valid_until >= today)  # type: ignore[operator]
            and (self.withdrawn_on is None or self.withdrawn_on > today)  # type: ignore[operator]
        )


class AccessGrant(models.Model):
    """Institution X may see categories C of person P, because of source S (a case, a referral…), on basis B.

    The one indexed table that answers "may this actor see this person" and scopes every list. A grant rests on a
    legal basis or on a consent (exactly one); it ends (`ended_at`) when its source ends or its consent is withdrawn
    or expires.
    """

    institution = models.ForeignKey(
        "directory.Institution", verbose_name=_("institution"), on_delete=models.CASCADE, related_name="+"
    )
    # Set: the grant counts only for this user at that institution (e.g. a Niebieska Karta case: only the named members
    # of the interdisciplinary team). Empty: for every current staff member of the institution.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("only for user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="grants"
    )
    categories = models.JSONField(_("data categories"), default=list, validators=[validate_categories])
    source_type = models.CharField(_("source"), max_length=30)  # "case_owner", "case_team", "referral", "plan_task"…
    source_id = models.CharField(_("source id"), max_length=64)
    legal_basis = models.ForeignKey(
        LegalBasis, verbose_name=_("legal basis"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent = models.ForeignKey(
        Consent, verbose_name=_("consent"), on_delete=models.PROTECT, null=True, blank=True, related_name="grants"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        ordering = ["-started_at"]
        indexes = [
            models.Index(
                fields=["institution", "person"], name="privacy_grant_active", condition=models.Q(ended_at__isnull=True)
            ),
            models.Index(fields=["person", "institution"], name="privacy_grant_person"),
            models.Index(fields=["source_type", "source_id"], name="privacy_grant_source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(legal_basis__isnull=False) & models.Q(consent__isnull=True))
                | (models.Q(legal_basis__isnull=True) & models.Q(consent__isnull=False)),
                name="privacy_grant_one_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} → {self.person_id} ({self.source_type}:{self.source_id})"


class Purpose(models.TextChoices):
    """Why personal data was read (the access log's purpose)."""

    CASE_WORK = "case_work", _("work on the case")
    REFERRAL = "referral", _("referral")
    PLAN_TASK = "plan_task", _("plan task")
    INTAKE = "intake", _("intake and duplicate check")
    DPO = "dpo", _("data protection supervision")
    SUBJECT_REQUEST = "subject_request", _("request of the data subject")


class Channel(models.TextChoices):
    PAGE = "page", _("web page")
    API = "api", _("JSON API")
    REPORT = "report", _("report")
    EXPORT = "export", _("export")


class AccessLogEntry(models.Model):
    """One read of a person's data: who, when, which person, which categories, for which purpose.

    Append-only (save() refuses updates, delete() refuses; on PostgreSQL a trigger refuses UPDATE and DELETE too) and
    hash-chained: `entry_hash` = SHA-256 over the previous entry's hash and this entry's fields, so that
    `manage.py verify_access_log` finds any changed or removed entry.
    """

    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_username = models.CharField(_("user name"), max_length=150)
    institution = models.ForeignKey(
        "directory.Institution",
        verbose_name=_("acting institution"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    person = models.ForeignKey("people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    categories = models.JSONField(_("data categories"), default=list)
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # What was read, without personal data: a view or endpoint name and object ids.
    resource = models.CharField(_("what was read"), max_length=200, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, editable=False, unique=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["person", "at"], name="privacy_log_person"),
            models.Index(fields=["institution", "at"], name="privacy_log_institution"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} → {self.person_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("The access log is append-only."))
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValidationError(_("The access log is append-only."))


class AccessLogHead(models.Model):
    """The last entry of the access log (one row): lets `verify_access_log` notice entries removed from the end of the
    chain, and serialises appends (the row is locked while an entry is written)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    entries = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("head of the access log")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="privacy_log_head_single_row")]

    def __str__(self) -> str:
        return f"{self.last_id} ({self.entries})"


# --- The DPO's registers (GDPR art. 30, 33, 12–22) and retention rules ----------------------------------------------


class ProcessingActivity(models.Model):
    """An entry of the record of processing activities (GDPR art. 30(1)) kept by an institution as controller."""

    institution = models.ForeignKey(
        "directory.Institution", verbose_name=_("controller"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name of the processing activity"), max_length=300)
    purposes = models.TextField(_("purposes of the processing"))
    legal_bases = models.ManyToManyField(LegalBasis, verbose_name=_("legal bases"), blank=True, related_name="+")
    data_subject_categories = models.TextField(
        _("categories of data subjects"), help_text=_("E.g. persons and families receiving assistance.")
    )
    data_categories = models.JSONField(
        _("categories of personal data"), default=list, blank=True, validators=[validate_categories]
    )
    other_data_categories = models.TextField(_("other categories of data"), blank=True)
    recipients = models.TextField(_("categories of recipients"), blank=True)
    transfers = models.TextField(
        _("transfers to third countries or international organisations"),
        blank=True,
        help_text=_("Leave empty when there are none."),
    )
    retention = models.TextField(_("time limits for erasure"))
    security_measures = models.TextField(_("technical and organisational security measures"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("processing activity")
        verbose_name_plural = _("record of processing activities")
        ordering = ["institution_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="privacy_activity_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


BREACH_NOTIFICATION_HOURS = 72


class Breach(models.Model):
    """A personal data breach (GDPR art. 33(5): the facts, its effects and the remedial action taken)."""

    institution = models.ForeignKey(
        "directory.Institution", verbose_name=_("controller"), on_delete=models.CASCADE, related_name="+"
    )
    discovered_at = models.DateTimeField(_("discovered at"))
    description = models.TextField(_("what happened"))
    data_categories = models.JSONField(
        _("categories of data concerned"), default=list, validators=[validate_categories]
    )
    approx_persons = models.PositiveIntegerField(_("approximate number of persons concerned"))
    consequences = models.TextField(_("likely consequences"))
    measures = models.TextField(_("measures taken or proposed"))
    reported_to_uodo_at = models.DateTimeField(_("reported to UODO at"), null=True, blank=True)
    not_reported_reason = models.TextField(
        _("reason for not reporting"),
        blank=True,
        help_text=_("When the breach is unlikely to result in a risk to the rights and freedoms of persons."),
    )
    persons_notified_at = models.DateTimeField(_("persons concerned notified at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("breach")
        verbose_name_plural = _("breach register")
        ordering = ["-discovered_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reported_to_uodo_at__isnull=True)
                | models.Q(reported_to_uodo_at__gte=models.F("discovered_at")),
                name="privacy_breach_reported_after_discovery",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('breach')} {self.pk} ({self.discovered_at:%Y-%m-%d})"

    @property
    def report_deadline(self) -> Any:
        return self.discovered_at + timedelta(hours=BREACH_NOTIFICATION_HOURS)

    @property
    def deadline_state(self) -> str:
        """ "done" (reported, or a reason not to), "passed", "near" (within 24 hours) or "open"."""
        if self.reported_to_uodo_at is not None or self.not_reported_reason:
            return "done"
        now = timezone.now()
        if now > self.report_deadline:
            return "passed"
        if now > self.report_deadline - timedelta(hours=24):
            return "near"
        return "open"


class RequestKind(models.TextChoices):
    ACCESS = "access", _("access (art. 15)")
    RECTIFICATION = "rectification", _("rectification (art. 16)")
    ERASURE = "erasure", _("erasure (art. 17)")
    RESTRICTION = "restriction", _("restriction of processing (art. 18)")
    OBJECTION = "objection", _("objection (art. 21)")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    IN_PROGRESS = "in_progress", _("in progress")
    ANSWERED = "answered", _("answered")
    REFUSED = "refused", _("refused")


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the last day of the month when it has fewer days): 31 Jan + 1 = 28/29 Feb."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


REQUEST_MONTHS = 1
REQUEST_EXTENSION_MONTHS = 2


class SubjectRequest(models.Model):
    """A request of a data subject (GDPR art. 15–21): answered within one month, extendable by two (art. 12(3))."""

    institution = models.ForeignKey(
        "directory.Institution", verbose_name=_("controller"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind of request"), max_length=20, choices=RequestKind.choices)
    received_on = models.DateField(_("received on"))
    requester = models.CharField(
        _("requester"), max_length=200, help_text=_("As the request names the person (kept only in this register).")
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    extended = models.BooleanField(_("deadline extended by two months"), default=False)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("request of a data subject")
        verbose_name_plural = _("requests of data subjects")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extended=False) | ~models.Q(extension_reason=""),
                name="privacy_request_extension_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_on__isnull=True) | models.Q(answered_on__gte=models.F("received_on")),
                name="privacy_request_answered_after_received",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.received_on}"

    @property
    def deadline(self) -> date:
        months = REQUEST_MONTHS + (REQUEST_EXTENSION_MONTHS if self.extended else 0)
        return add_months(self.received_on, months)

    @property
    def is_closed(self) -> bool:
        return self.status in (RequestStatus.ANSWERED, RequestStatus.REFUSED)

    @property
    def deadline_state(self) -> str:
        """ "done", "passed", "near" (within 7 days) or "open"."""
        if self.is_closed:
            return "done"
        today = timezone.localdate()
        if today > self.deadline:
            return "passed"
        if today >= self.deadline - timedelta(days=7):
            return "near"
        return "open"


class RecordType(models.TextChoices):
    CASE = "case", _("case (with its plan and notes)")
    PERSON = "person", _("person record without a live case")
    CONSENT = "consent", _("consent (after withdrawal or expiry)")
    ACCESS_LOG = "access_log", _("access log")
    SUBJECT_REQUEST = "subject_request", _("request of a data subject")


class RetentionRule(models.Model):
    """How long an institution keeps a type of record after it is closed; then `apply_retention` anonymises it."""

    institution = models.ForeignKey(
        "directory.Institution", verbose_name=_("controller"), on_delete=models.CASCADE, related_name="+"
    )
    record_type = models.CharField(_("type of record"), max_length=30, choices=RecordType.choices)
    period_years = models.PositiveSmallIntegerField(
        _("kept for (years after closure)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    basis = models.CharField(
        _("why this period"), max_length=300, blank=True, help_text=_("E.g. the act or the archive classification.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["institution_id", "record_type"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "record_type"], name="privacy_retention_one_per_type"),
            models.CheckConstraint(condition=models.Q(period_years__gte=1), name="privacy_retention_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_record_type_display()}: {self.period_years}"
