"""Teams, their meetings (days, agenda, invitations, attendance, sub-groups, minutes, decisions, conclusions,
action items, documents) and their work plans."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kooperacja.directory.storage import private_storage


class TeamKind(models.TextChoices):
    STEERING_COMMITTEE = "steering_committee", _("steering committee")
    MODEL_TEAM = "model_team", _("model team")
    VOIVODESHIP_COOPERATION_TEAM = "voivodeship_cooperation_team", _("voivodeship cooperation team")
    PARTNERSHIP_BODY = "partnership_body", _("partnership (PZK) meeting body")
    CASE_TEAM = "case_team", _("case team (ZZK) conference")
    REFLECTION_GROUP = "reflection_group", _("reflection group")
    DECISION_MAKERS_GROUP = "decision_makers_group", _("decision-makers group")
    INTERDISCIPLINARY_TEAM = "interdisciplinary_team", _("interdisciplinary team")


class TeamRole(models.TextChoices):
    CHAIR = "chair", _("chair")
    SECRETARY = "secretary", _("secretary")
    LEAD_EXPERT = "lead_expert", _("lead expert")
    MODEL_EXPERT = "model_expert", _("model expert")
    SCIENTIFIC_CONSULTANT = "scientific_consultant", _("scientific consultant")
    LEGAL_CONSULTANT = "legal_consultant", _("legal consultant")
    ADVISER = "adviser", _("adviser")
    COORDINATOR = "coordinator", pgettext_lazy("team role", "coordinator")
    REGIONAL_SPECIALIST = "regional_specialist", _("regional specialist")
    FINANCIAL_SPECIALIST = "financial_specialist", _("financial specialist")
    GUEST = "guest", _("guest")


# Members in these roles (and a meeting's organiser) write a team's meetings, minutes and plans.
WRITER_ROLES = frozenset({TeamRole.CHAIR, TeamRole.SECRETARY, TeamRole.COORDINATOR})


class Team(models.Model):
    kind = models.CharField(_("kind"), max_length=40, choices=TeamKind.choices)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    institution = models.ForeignKey(
        "directory.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_teams",
    )
    partnership = models.ForeignKey(
        "directory.Partnership",
        verbose_name=_("partnership"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_teams",
    )
    voivodeship = models.ForeignKey(
        "territory.Voivodeship",
        verbose_name=_("voivodeship"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_teams",
    )
    macroregion = models.ForeignKey(
        "territory.Macroregion",
        verbose_name=_("macroregion"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_teams",
    )
    # The case a case team (ZZK) works on; required for new case teams (services, forms). Nullable: case teams made
    # before the link have none (nobody sees them until one is set). SET_NULL: deleting a case (demo reset,
    # retention) is not blocked by governance, and a case team left without its case is then hidden from everyone.
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name", "pk"]
        constraints = [
            # Only a case team works on a case (a case team's own case is required by the services and forms; the
            # database cannot require it: case teams made before the link have none).
            models.CheckConstraint(
                condition=Q(case__isnull=True) | Q(kind="case_team"), name="governance_team_case_only_for_case_team"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMemberQuerySet(models.QuerySet["TeamMember"]):
    def current(self) -> TeamMemberQuerySet:
        today = timezone.localdate()
        return self.filter(Q(started_on__isnull=True) | Q(started_on__lte=today)).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=today)
        )


class TeamMember(models.Model):
    """A person in a team: a user, or a named person without an account."""

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="team_memberships",
    )
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    institution = models.ForeignKey(
        "directory.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("role in the team"), max_length=40, choices=TeamRole.choices)
    started_on = models.DateField(_("member from"), null=True, blank=True)
    ended_on = models.DateField(_("member until"), null=True, blank=True)

    objects = TeamMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team_id", "role", "full_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(full_name=""), name="governance_member_user_or_name"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(started_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="governance_member_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["user", "team"], name="governance_member_user_team")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.full_name:
            return self.full_name
        return str(self.user) if self.user_id else ""

    @property
    def contact_email(self) -> str:
        if self.email:
            return self.email
        return self.user.email if self.user_id and self.user else ""


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("meeting status", "planned")
    HELD = "held", pgettext_lazy("meeting status", "held")
    CANCELLED = "cancelled", pgettext_lazy("meeting status", "cancelled")


class Meeting(models.Model):
    # A stable identifier for calendar UIDs (the .ics events of a meeting keep it across updates).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="meetings")
    invited_teams = models.ManyToManyField(
        Team, verbose_name=_("teams invited"), blank=True, related_name="meetings_invited_to"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organised_meetings",
    )
    organiser_institution = models.ForeignKey(
        "directory.Institution",
        verbose_name=_("organising institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    # Denormalised from the days (set by the services), for date filters and ordering without a join.
    first_day = models.DateField(_("first day"), null=True, blank=True, editable=False, db_index=True)
    last_day = models.DateField(_("last day"), null=True, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-first_day", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(place="") | ~Q(online_url=""), name="governance_meeting_place_or_link"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def outward_title(self) -> str:
        """The title that may leave the signed-in pages (e-mails, their .ics, the reply-link page): a case
        conference's own title may name the person, so it goes out as a neutral one."""
        if self.team.kind == TeamKind.CASE_TEAM:
            return str(_("Case team conference"))
        return self.title


class MeetingDay(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))

    class Meta:
        verbose_name = _("meeting day")
        verbose_name_plural = _("meeting days")
        ordering = ["date", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "date"], name="governance_day_unique_date"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="governance_day_times_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class AgendaItem(models.Model):
    day = models.ForeignKey(MeetingDay, verbose_name=_("day"), on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=300)
    presenter = models.CharField(_("presenter"), max_length=200, blank=True)
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["day__date", "order"]
        constraints = [
            models.UniqueConstraint(fields=["day", "order"], name="governance_agenda_unique_order"),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="governance_agenda_times_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class Reply(models.TextChoices):
    ATTENDING = "attending", _("attending")
    NOT_ATTENDING = "not_attending", _("not attending")
    MAYBE = "maybe", _("maybe")


class Invitation(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="invitations"
    )
    member = models.ForeignKey(
        TeamMember, verbose_name=_("team member"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_invitations",
    )
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    institution = models.ForeignKey(
        "directory.Institution",
        verbose_name=_("institution"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reply = models.CharField(_("reply"), max_length=20, choices=Reply.choices, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["meeting_id", "full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"], condition=Q(member__isnull=False), name="governance_invitation_member"
            ),
            models.UniqueConstraint(
                fields=["meeting", "email"], condition=~Q(email=""), name="governance_invitation_email"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("present")
    ABSENT = "absent", _("absent")
    EXCUSED = "excused", _("excused")


class Attendance(models.Model):
    day = models.ForeignKey(MeetingDay, verbose_name=_("day"), on_delete=models.CASCADE, related_name="attendance")
    invitation = models.ForeignKey(
        Invitation, verbose_name=_("person"), on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(_("attendance"), max_length=20, choices=AttendanceStatus.choices)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["day__date", "invitation__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["day", "invitation"], name="governance_attendance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id}: {self.status}"


class SubGroup(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="subgroups")
    topic = models.CharField(_("topic"), max_length=300)
    members = models.ManyToManyField(Invitation, verbose_name=_("members"), blank=True, related_name="subgroups")
    facilitator = models.ForeignKey(
        Invitation,
        verbose_name=_("facilitator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_subgroups",
    )
    notes = models.TextField(_("notes"), blank=True)
    outputs = models.TextField(_("outputs"), blank=True)

    class Meta:
        verbose_name = _("working sub-group")
        verbose_name_plural = _("working sub-groups")
        ordering = ["meeting_id", "pk"]

    def __str__(self) -> str:
        return self.topic


class MinutesEntry(models.Model):
    agenda_item = models.OneToOneField(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="minutes"
    )
    text = models.TextField(_("minutes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("minutes entry")
        verbose_name_plural = _("minutes entries")

    def __str__(self) -> str:
        return self.text[:60]


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="decisions")
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("decision"))
    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_consensus = models.BooleanField(_("by consensus"), default=False)
    votes_for = models.PositiveIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("votes against"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("abstentions"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # The task of the case's individual plan this decision of a case conference became (cases.Task).
    plan_task = models.ForeignKey(
        "cases.Task",
        verbose_name=_("task in the plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="governance_decision_unique_number"),
            models.CheckConstraint(
                condition=(
                    Q(by_consensus=True, votes_for__isnull=True, votes_against__isnull=True, votes_abstain__isnull=True)
                    | Q(
                        by_consensus=False,
                        votes_for__isnull=False,
                        votes_against__isnull=False,
                        votes_abstain__isnull=False,
                    )
                ),
                name="governance_decision_vote_or_consensus",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class Conclusion(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="conclusions"
    )
    subgroup = models.ForeignKey(
        SubGroup,
        verbose_name=_("working sub-group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conclusions",
    )
    text = models.TextField(_("conclusion"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("conclusion")
        verbose_name_plural = _("conclusions")
        ordering = ["meeting_id", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action item status", "open")
    IN_PROGRESS = "in_progress", pgettext_lazy("action item status", "in progress")
    DONE = "done", pgettext_lazy("action item status", "done")
    CANCELLED = "cancelled", pgettext_lazy("action item status", "cancelled")


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ActionItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="action_items"
    )
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("decision"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (person)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_action_items",
    )
    owner_institution = models.ForeignKey(
        "directory.Institution",
        verbose_name=_("owner (institution)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_action_items",
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_user__isnull=False) | Q(owner_institution__isnull=False),
                name="governance_action_has_owner",
            ),
        ]
        indexes = [
            models.Index(fields=["owner_user", "status"], name="governance_action_user"),
            models.Index(fields=["owner_institution", "status"], name="governance_action_inst"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        """Still open after its due date (Warsaw's calendar)."""
        return bool(self.due_on) and self.status in OPEN_ACTION_STATUSES and self.due_on < timezone.localdate()

    @property
    def owner_display(self) -> str:
        names = []
        if self.owner_user_id and self.owner_user:
            names.append(str(self.owner_user))
        if self.owner_institution_id and self.owner_institution:
            names.append(self.owner_institution.short_name or self.owner_institution.name)
        return ", ".join(names)


class DocumentKind(models.TextChoices):
    AGENDA = "agenda", _("agenda")
    PRESENTATION = "presentation", _("presentation")
    SIGNED_MINUTES = "signed_minutes", _("signed minutes")
    OTHER = "other", _("other document")


def document_upload_to(instance: MeetingDocument, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"governance/{instance.meeting_id}/{uuid.uuid4().hex}.{extension}"


class MeetingDocument(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=document_upload_to, storage=private_storage, max_length=300)
    extension = models.CharField(max_length=8, editable=False)
    size = models.PositiveIntegerField(_("size"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
        ordering = ["meeting_id", "kind", "pk"]

    def __str__(self) -> str:
        return self.title


class WorkPlan(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="work_plans")
    title = models.CharField(_("title"), max_length=300)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    source_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("drafted from meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        ordering = ["-period_start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="governance_plan_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlanItemStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("work plan item status", "planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("work plan item status", "in progress")
    DONE = "done", pgettext_lazy("work plan item status", "done")
    DROPPED = "dropped", pgettext_lazy("work plan item status", "dropped")


class WorkPlanItem(models.Model):
    plan = models.ForeignKey(WorkPlan, verbose_name=_("work plan"), on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("title"), max_length=500)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (person)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_institution = models.ForeignKey(
        "directory.Institution",
        verbose_name=_("owner (institution)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanItemStatus.choices, default=PlanItemStatus.PLANNED
    )
    decisions = models.ManyToManyField(Decision, verbose_name=_("decisions"), blank=True, related_name="+")
    action_items = models.ManyToManyField(ActionItem, verbose_name=_("action items"), blank=True, related_name="+")
    conclusions = models.ManyToManyField(Conclusion, verbose_name=_("conclusions"), blank=True, related_name="+")

    class Meta:
        verbose_name = _("work plan item")
        verbose_name_plural = _("work plan items")
        ordering = ["plan_id", "period_start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="governance_plan_item_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_display(self) -> str:
        names = []
        if self.owner_user_id and self.owner_user:
            names.append(str(self.owner_user))
        if self.owner_institution_id and self.owner_institution:
            names.append(self.owner_institution.short_name or self.owner_institution.name)
        return ", ".join(names)
