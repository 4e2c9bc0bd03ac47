"""Writes of the governance context: each checks its policy, validates, saves in one transaction and is audited.
E-mails leave only after the transaction commits."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Mapping, Sequence
from email.mime.text import MIMEText
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kooperacja.cases import policies as case_policies
from kooperacja.cases import services as case_services
from kooperacja.cases.models import Case, Task
from kooperacja.core.services import audit_record
from kooperacja.governance import policies
from kooperacja.governance.ics import absolute_url, meeting_calendar
from kooperacja.governance.models import (
    OPEN_ACTION_STATUSES,
    WRITER_ROLES,
    ActionItem,
    ActionStatus,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Conclusion,
    Decision,
    DocumentKind,
    Invitation,
    Meeting,
    MeetingDay,
    MeetingDocument,
    MeetingStatus,
    MinutesEntry,
    PlanItemStatus,
    Reply,
    SubGroup,
    Team,
    TeamKind,
    TeamMember,
    TeamRole,
    WorkPlan,
    WorkPlanItem,
)
from kooperacja.governance.uploads import validate_document

DayTimes = tuple[datetime.date, datetime.time, datetime.time]


def _require(access: str, needed: Iterable[str] = ("write",)) -> None:
    if access == "none":
        raise Http404
    if access not in needed:
        raise PermissionDenied


def _require_team_writer(actor: Any, team: Team) -> None:
    _require(policies.team_access(actor, team))


def _require_meeting_writer(actor: Any, meeting: Meeting) -> None:
    _require(policies.meeting_access(actor, meeting))


def _audit(actor: Any, action: str, target: Any, team: Team | None = None, **data: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=target,
        institution_id=team.institution_id if team is not None else None,
        data=data,
    )


def _save(instance: Any) -> None:
    instance.full_clean()
    instance.save()


# --- teams -----------------------------------------------------------------------------------------------------------


def team_create(
    *,
    actor: Any,
    kind: str,
    name: str,
    description: str = "",
    institution: Any = None,
    partnership: Any = None,
    voivodeship: Any = None,
    macroregion: Any = None,
    creator_institution: Any = None,
    case: Case | None = None,
) -> Team:
    """A new team; its creator becomes its coordinator. A case team (ZZK) works on a case its creator may write."""
    if not policies.can_create_team(actor):
        raise PermissionDenied
    if kind == TeamKind.CASE_TEAM:
        if case is None:
            raise ValidationError({"case": _("Choose the case the case team works on.")})
        try:
            case_policies.get_case_for_actor(actor, case.pk, need="write")
        except (Http404, PermissionDenied) as exc:
            raise ValidationError({"case": _("Choose a case you may write.")}) from exc
    elif case is not None:
        raise ValidationError({"case": _("Only a case team works on a case.")})
    with transaction.atomic():
        team = Team(
            kind=kind,
            name=name,
            description=description,
            institution=institution,
            partnership=partnership,
            voivodeship=voivodeship,
            macroregion=macroregion,
            case=case,
        )
        _save(team)
        member = TeamMember(
            team=team,
            user=actor,
            institution=creator_institution or institution,
            role=TeamRole.COORDINATOR,
            started_on=timezone.localdate(),
        )
        _save(member)
        _audit(actor, "governance.team_create", team, team, kind=kind)
    return team


def member_add(
    *,
    actor: Any,
    team: Team,
    role: str,
    user: Any = None,
    full_name: str = "",
    email: str = "",
    institution: Any = None,
    started_on: datetime.date | None = None,
    ended_on: datetime.date | None = None,
) -> TeamMember:
    _require_team_writer(actor, team)
    if user is None and not full_name.strip():
        raise ValidationError({"full_name": _("Give the person's name or choose a user.")})
    with transaction.atomic():
        member = TeamMember(
            team=team,
            user=user,
            full_name=full_name.strip(),
            email=email,
            institution=institution,
            role=role,
            started_on=started_on,
            ended_on=ended_on,
        )
        if started_on and ended_on and ended_on < started_on:
            raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})
        _save(member)
        _audit(actor, "governance.member_add", member, team, role=role)
    return member


def member_update(
    *,
    actor: Any,
    member: TeamMember,
    role: str,
    institution: Any = None,
    full_name: str = "",
    email: str = "",
    started_on: datetime.date | None = None,
    ended_on: datetime.date | None = None,
) -> TeamMember:
    """Change a member's role, institution, dates (an end date ends the membership: from the next day the person no
    longer sees the team) and, for a person without an account, the name and e-mail. The team keeps at least one
    current writer with an account (chair, secretary or coordinator), so that it is never left without one."""
    team = member.team
    _require_team_writer(actor, team)
    if member.user_id is None and not full_name.strip():
        raise ValidationError({"full_name": _("Give the person's name or choose a user.")})
    if started_on and ended_on and ended_on < started_on:
        raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})
    with transaction.atomic():
        Team.objects.select_for_update().filter(pk=team.pk).first()
        before = {"role": member.role, "started_on": member.started_on, "ended_on": member.ended_on}
        member.role, member.institution = role, institution
        member.started_on, member.ended_on = started_on, ended_on
        if member.user_id is None:
            member.full_name, member.email = full_name.strip(), email
        _save(member)
        if not TeamMember.objects.current().filter(team=team, user__isnull=False, role__in=WRITER_ROLES).exists():
            raise ValidationError(
                {"role": _("The team needs at least one current chair, secretary or coordinator with an account.")}
            )
        _audit(
            actor,
            "governance.member_update",
            member,
            team,
            fields=[name for name, value in before.items() if getattr(member, name) != value],
        )
    return member


# --- meetings --------------------------------------------------------------------------------------------------------


def _check_days(days: Sequence[DayTimes]) -> None:
    if not days:
        raise ValidationError({"days": _("A meeting has at least one day.")})
    dates = [day for day, _start, _end in days]
    if len(set(dates)) != len(dates):
        raise ValidationError({"days": _("Each day of a meeting must have a different date.")})
    for _day, start, end in days:
        if end <= start:
            raise ValidationError({"days": _("A day must end after it starts.")})


def meeting_create(
    *,
    actor: Any,
    team: Team,
    title: str,
    days: Sequence[DayTimes],
    place: str = "",
    online_url: str = "",
    description: str = "",
    invited_teams: Iterable[Team] = (),
    organiser_institution: Any = None,
) -> Meeting:
    _require_team_writer(actor, team)
    _check_days(days)
    if not place.strip() and not online_url.strip():
        raise ValidationError({"place": _("Give a place or an online meeting link (or both).")})
    ordered = sorted(days)
    with transaction.atomic():
        meeting = Meeting(
            team=team,
            title=title,
            description=description,
            place=place.strip(),
            online_url=online_url.strip(),
            organiser=actor,
            organiser_institution=organiser_institution,
            first_day=ordered[0][0],
            last_day=ordered[-1][0],
        )
        _save(meeting)
        for date, start, end in ordered:
            _save(MeetingDay(meeting=meeting, date=date, starts_at=start, ends_at=end))
        others = [other for other in invited_teams if other.pk != team.pk]
        if others:
            meeting.invited_teams.set(others)
        _audit(actor, "governance.meeting_create", meeting, team, days=len(ordered))
    return meeting


def meeting_set_status(*, actor: Any, meeting: Meeting, status: str) -> Meeting:
    """Change the meeting's status; cancelling it e-mails a cancellation (.ics, METHOD:CANCEL) to everyone who was
    e-mailed the invitation."""
    _require_meeting_writer(actor, meeting)
    if status not in MeetingStatus.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    with transaction.atomic():
        # The stored status, read under a lock: two cancellations at once e-mail the invitees once.
        before = Meeting.objects.select_for_update().values_list("status", flat=True).get(pk=meeting.pk)
        meeting.status = status
        _save(meeting)
        notified = 0
        if status == MeetingStatus.CANCELLED and before != MeetingStatus.CANCELLED:
            days = list(meeting.days.order_by("date"))
            invitations = list(meeting.invitations.filter(sent_at__isnull=False).exclude(email="").order_by("pk"))
            messages = [_cancellation_email(meeting, days, invitation) for invitation in invitations]
            notified = len(messages)
            transaction.on_commit(functools.partial(_send_all, messages))
        _audit(
            actor, "governance.meeting_status", meeting, meeting.team, before=before, after=status, notified=notified
        )
    return meeting


def agenda_item_add(
    *,
    actor: Any,
    day: MeetingDay,
    title: str,
    presenter: str = "",
    starts_at: datetime.time | None = None,
    ends_at: datetime.time | None = None,
) -> AgendaItem:
    meeting = day.meeting
    _require_meeting_writer(actor, meeting)
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The item must end after it starts.")})
    with transaction.atomic():
        MeetingDay.objects.select_for_update().filter(pk=day.pk).first()
        last = AgendaItem.objects.filter(day=day).aggregate(last=Max("order"))["last"] or 0
        item = AgendaItem(
            day=day, order=last + 1, title=title, presenter=presenter, starts_at=starts_at, ends_at=ends_at
        )
        _save(item)
        _audit(actor, "governance.agenda_item_add", item, meeting.team, meeting=meeting.pk)
    return item


# --- invitations -----------------------------------------------------------------------------------------------------


def _ics_part(content: bytes, *, method: str, filename: str) -> MIMEText:
    """The calendar attachment with its iTIP method in the content type (text/calendar; method=REQUEST)."""
    part = MIMEText(content.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def _invitation_email(meeting: Meeting, days: list[MeetingDay], invitation: Invitation) -> EmailMessage:
    """The invitation e-mail to one invitee: the meeting, a link to its page, the invitee's own reply link and the
    .ics (METHOD:REQUEST). No other personal data (not even the invitee's name: the address may be shared)."""
    meeting_path = reverse("governance:meeting_detail", args=[meeting.pk])
    reply_url = absolute_url(reverse("governance:reply_by_link", args=[policies.invitation_reply_token(invitation)]))
    with translation.override(settings.LANGUAGE_CODE):
        lines = [_("You are invited to a meeting: %(title)s") % {"title": meeting.outward_title}, ""]
        for day in days:
            lines.append(f"{day.date:%d.%m.%Y} {day.starts_at:%H:%M}–{day.ends_at:%H:%M}")
        if meeting.place:
            lines.append(_("Place: %(place)s") % {"place": meeting.place})
        if meeting.online_url:
            lines.append(_("Online: %(url)s") % {"url": meeting.online_url})
        lines += [
            "",
            _("Please reply (attending / not attending / maybe): %(url)s") % {"url": reply_url},
            _("The agenda is on the meeting's page (sign-in required): %(url)s") % {"url": absolute_url(meeting_path)},
            _("The attached .ics file adds the meeting to your calendar: one event per day."),
        ]
        subject = _("Invitation: %(title)s") % {"title": meeting.outward_title}
    ics = meeting_calendar(
        meeting,
        days,
        method="REQUEST",
        attendee_email=invitation.email,
        meeting_path=meeting_path,
        reply_url=reply_url,
        title=meeting.outward_title,
    )
    message = EmailMessage(subject=subject, body="\n".join(lines), to=[invitation.email])
    message.attach(_ics_part(ics, method="REQUEST", filename=f"spotkanie-{meeting.pk}.ics"))
    return message


def _cancellation_email(meeting: Meeting, days: list[MeetingDay], invitation: Invitation) -> EmailMessage:
    """The meeting is cancelled: METHOD:CANCEL with the same UIDs removes the events from the invitee's calendar."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [_("The meeting has been cancelled: %(title)s") % {"title": meeting.outward_title}, ""]
        for day in days:
            lines.append(f"{day.date:%d.%m.%Y} {day.starts_at:%H:%M}–{day.ends_at:%H:%M}")
        lines += ["", _("The attached .ics file removes the meeting from your calendar.")]
        subject = _("Cancelled: %(title)s") % {"title": meeting.outward_title}
    ics = meeting_calendar(meeting, days, method="CANCEL", attendee_email=invitation.email, title=meeting.outward_title)
    message = EmailMessage(subject=subject, body="\n".join(lines), to=[invitation.email])
    message.attach(_ics_part(ics, method="CANCEL", filename=f"spotkanie-{meeting.pk}.ics"))
    return message


def _send_all(messages: list[EmailMessage]) -> None:
    for message in messages:
        message.send(fail_silently=False)


def invitations_send(*, actor: Any, meeting: Meeting, resend: bool = False) -> int:
    """Invite the current members of the team and of the invited teams (one invitation per person); e-mail each
    invitee not yet e-mailed (all of them with `resend`) the meeting and its .ics. Returns the number e-mailed."""
    _require_meeting_writer(actor, meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("A cancelled meeting cannot be sent out."))
    teams = [meeting.team, *meeting.invited_teams.all()]
    if meeting.team.kind == TeamKind.CASE_TEAM:
        # A case conference is for its own case team only, whichever teams it names.
        teams = [meeting.team]
    members = list(
        TeamMember.objects.current()
        .filter(team__in=teams)
        .select_related("user", "institution")
        .order_by("team_id", "pk")
    )
    now = timezone.now()
    with transaction.atomic():
        existing = list(Invitation.objects.select_for_update().filter(meeting=meeting))
        seen_users = {invitation.user_id for invitation in existing if invitation.user_id}
        seen_emails = {invitation.email.lower() for invitation in existing if invitation.email}
        created = 0
        for member in members:
            email = member.contact_email
            if member.user_id and member.user_id in seen_users:
                continue
            if email and email.lower() in seen_emails:
                continue
            invitation = Invitation(
                meeting=meeting,
                member=member,
                user=member.user,
                full_name=member.display_name,
                email=email,
                institution=member.institution,
            )
            _save(invitation)
            existing.append(invitation)
            created += 1
            if member.user_id:
                seen_users.add(member.user_id)
            if email:
                seen_emails.add(email.lower())
        to_send = [inv for inv in existing if inv.email and (resend or inv.sent_at is None)]
        for invitation in to_send:
            invitation.sent_at = now
        Invitation.objects.bulk_update(to_send, ["sent_at"])
        days = list(meeting.days.order_by("date"))
        messages = [_invitation_email(meeting, days, invitation) for invitation in to_send]
        _audit(actor, "governance.invitations_send", meeting, meeting.team, created=created, sent=len(to_send))
        transaction.on_commit(functools.partial(_send_all, messages))
    return len(to_send)


def replies_open(meeting: Meeting) -> bool:
    """Replies are taken until the meeting's last day, unless it is cancelled."""
    if meeting.status == MeetingStatus.CANCELLED:
        return False
    return meeting.last_day is None or meeting.last_day >= timezone.localdate()


def _save_reply(actor: Any, invitation: Invitation, reply: str, *, by_link: bool) -> Invitation:
    meeting = invitation.meeting
    if reply not in Reply.values:
        raise ValidationError({"reply": _("Choose attending, not attending or maybe.")})
    if not replies_open(meeting):
        raise ValidationError({"reply": _("Replies are closed: the meeting is over or cancelled.")})
    with transaction.atomic():
        invitation.reply = reply
        invitation.replied_at = timezone.now()
        _save(invitation)
        _audit(actor, "governance.invitation_reply", invitation, meeting.team, reply=reply, by_link=by_link)
    return invitation


def invitation_reply(*, actor: Any, invitation: Invitation, reply: str) -> Invitation:
    """The invitee replies to their own invitation (a meeting writer may record a reply on someone's behalf), until
    the meeting is over."""
    meeting = invitation.meeting
    access = policies.meeting_access(actor, meeting)
    own = invitation.user_id is not None and invitation.user_id == getattr(actor, "pk", None)
    if access == "none":
        raise Http404
    if not own and access != "write":
        raise PermissionDenied
    return _save_reply(actor, invitation, reply, by_link=False)


def invitation_reply_by_link(*, invitation: Invitation, reply: str) -> Invitation:
    """The invitee replies through the link of their invitation e-mail (people without an account too): the signed
    link is the permission (policies.get_invitation_for_reply_token)."""
    return _save_reply(None, invitation, reply, by_link=True)


def attendance_record(*, actor: Any, day: MeetingDay, statuses: Mapping[int, str]) -> int:
    """Record the attendance list of a day: {invitation id: present/absent/excused}. Returns the rows written."""
    meeting = day.meeting
    _require_meeting_writer(actor, meeting)
    valid_ids = set(Invitation.objects.filter(meeting=meeting).values_list("pk", flat=True))
    unknown = set(statuses) - valid_ids
    if unknown:
        raise ValidationError(_("The attendance list names people who were not invited to this meeting."))
    if any(status not in AttendanceStatus.values for status in statuses.values()):
        raise ValidationError(_("Choose present, absent or excused."))
    now = timezone.now()
    with transaction.atomic():
        current = {row.invitation_id: row for row in Attendance.objects.select_for_update().filter(day=day)}
        new_rows, changed = [], []
        for invitation_id, status in statuses.items():
            row = current.get(invitation_id)
            if row is None:
                new_rows.append(Attendance(day=day, invitation_id=invitation_id, status=status, recorded_at=now))
            elif row.status != status:
                row.status, row.recorded_at = status, now
                changed.append(row)
        Attendance.objects.bulk_create(new_rows)
        Attendance.objects.bulk_update(changed, ["status", "recorded_at"])
        _audit(actor, "governance.attendance_record", day, meeting.team, meeting=meeting.pk, rows=len(statuses))
    return len(new_rows) + len(changed)


# --- minutes, decisions, conclusions, action items ---------------------------------------------------------------------


def minutes_record(*, actor: Any, agenda_item: AgendaItem, text: str) -> MinutesEntry:
    meeting = agenda_item.day.meeting
    _require_meeting_writer(actor, meeting)
    with transaction.atomic():
        entry = MinutesEntry.objects.filter(agenda_item=agenda_item).first() or MinutesEntry(agenda_item=agenda_item)
        entry.text = text
        entry.recorded_by = actor
        entry.updated_at = timezone.now()
        _save(entry)
        _audit(actor, "governance.minutes_record", entry, meeting.team, meeting=meeting.pk)
    return entry


def decision_record(
    *,
    actor: Any,
    meeting: Meeting,
    text: str,
    by_consensus: bool,
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    agenda_item: AgendaItem | None = None,
) -> Decision:
    """A decision with the next number of the meeting (numbers are unique per meeting)."""
    _require_meeting_writer(actor, meeting)
    if by_consensus:
        votes_for = votes_against = votes_abstain = None
    elif None in (votes_for, votes_against, votes_abstain):
        raise ValidationError({"votes_for": _("Give the votes for, against and abstaining, or mark a consensus.")})
    if agenda_item is not None and agenda_item.day.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("The agenda item belongs to another meeting.")})
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        last = Decision.objects.filter(meeting=meeting).aggregate(last=Max("number"))["last"] or 0
        decision = Decision(
            meeting=meeting,
            number=last + 1,
            text=text,
            by_consensus=by_consensus,
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=votes_abstain,
            agenda_item=agenda_item,
        )
        _save(decision)
        _audit(actor, "governance.decision_record", decision, meeting.team, meeting=meeting.pk, number=decision.number)
    return decision


def decision_plan_task_create(
    *,
    actor: Any,
    decision: Decision,
    title: str,
    owner_institution: Any,
    owner_user: Any = None,
    due_on: datetime.date | None = None,
) -> Task:
    """A decision of a case conference becomes a task of the case's plan being drafted (cases'
    task_create_from_decision), for those who may write the case; the decision keeps the link."""
    meeting = decision.meeting
    team = meeting.team
    _require(policies.meeting_access(actor, meeting), needed=("read", "write"))
    if team.kind != TeamKind.CASE_TEAM or team.case_id is None:
        raise ValidationError(_("Only a decision of a case conference can become a task in the case's plan."))
    access = case_policies.get_case_for_actor(actor, team.case_id, need="write")
    if not access.case.is_open:
        raise ValidationError(_("The case is closed: its plan takes no new tasks."))
    if decision.plan_task_id is not None:
        raise ValidationError(_("This decision is already a task in the plan."))
    if not title.strip():
        raise ValidationError({"title": _("Give the task.")})
    if not TeamMember.objects.current().filter(team=team, institution=owner_institution).exists():
        raise ValidationError({"owner_institution": _("Choose an institution of the case team.")})
    with transaction.atomic():
        task = case_services.task_create_from_decision(
            actor=actor,
            case=access.case,
            title=title,
            owner_institution=owner_institution,
            owner_user=owner_user,
            due_on=due_on,
            source=f"governance.decision:{decision.pk}",
        )
        decision.plan_task = task
        decision.save(update_fields=["plan_task"])
        _audit(actor, "governance.decision_plan_task_create", decision, team, task=task.pk)
    return task


def conclusion_add(*, actor: Any, meeting: Meeting, text: str, subgroup: SubGroup | None = None) -> Conclusion:
    _require_meeting_writer(actor, meeting)
    if subgroup is not None and subgroup.meeting_id != meeting.pk:
        raise ValidationError({"subgroup": _("The sub-group belongs to another meeting.")})
    with transaction.atomic():
        conclusion = Conclusion(meeting=meeting, text=text, subgroup=subgroup)
        _save(conclusion)
        _audit(actor, "governance.conclusion_add", conclusion, meeting.team, meeting=meeting.pk)
    return conclusion


def action_item_create(
    *,
    actor: Any,
    meeting: Meeting,
    title: str,
    owner_user: Any = None,
    owner_institution: Any = None,
    due_on: datetime.date | None = None,
    decision: Decision | None = None,
    description: str = "",
) -> ActionItem:
    _require_meeting_writer(actor, meeting)
    if owner_user is None and owner_institution is None:
        raise ValidationError({"owner_user": _("Choose an owner: a person, an institution or both.")})
    if decision is not None and decision.meeting_id != meeting.pk:
        raise ValidationError({"decision": _("The decision belongs to another meeting.")})
    with transaction.atomic():
        item = ActionItem(
            meeting=meeting,
            decision=decision,
            title=title,
            description=description,
            owner_user=owner_user,
            owner_institution=owner_institution,
            due_on=due_on,
        )
        _save(item)
        _audit(actor, "governance.action_item_create", item, meeting.team, meeting=meeting.pk)
    return item


def action_item_update_status(*, actor: Any, item: ActionItem, status: str) -> ActionItem:
    """Meeting writers and the item's owners (the owner user, staff of the owner institution) change its status."""
    _require(policies.action_item_access(actor, item), needed=("write", "status"))
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    with transaction.atomic():
        before = item.status
        item.status = status
        _save(item)
        _audit(actor, "governance.action_item_status", item, item.meeting.team, before=before, after=status)
    return item


# --- sub-groups and documents ------------------------------------------------------------------------------------------


def _check_invitations(meeting: Meeting, invitations: Iterable[Invitation]) -> list[Invitation]:
    chosen = list(invitations)
    if any(invitation.meeting_id != meeting.pk for invitation in chosen):
        raise ValidationError({"members": _("Sub-group members must be invited to this meeting.")})
    return chosen


def subgroup_create(
    *,
    actor: Any,
    meeting: Meeting,
    topic: str,
    facilitator: Invitation | None = None,
    members: Iterable[Invitation] = (),
    notes: str = "",
    outputs: str = "",
) -> SubGroup:
    _require_meeting_writer(actor, meeting)
    chosen = _check_invitations(meeting, members)
    if facilitator is not None:
        _check_invitations(meeting, [facilitator])
    with transaction.atomic():
        subgroup = SubGroup(meeting=meeting, topic=topic, facilitator=facilitator, notes=notes, outputs=outputs)
        _save(subgroup)
        subgroup.members.set(chosen)
        _audit(actor, "governance.subgroup_create", subgroup, meeting.team, meeting=meeting.pk)
    return subgroup


def subgroup_update(
    *,
    actor: Any,
    subgroup: SubGroup,
    topic: str,
    facilitator: Invitation | None,
    members: Iterable[Invitation],
    notes: str,
    outputs: str,
) -> SubGroup:
    meeting = subgroup.meeting
    _require_meeting_writer(actor, meeting)
    chosen = _check_invitations(meeting, members)
    if facilitator is not None:
        _check_invitations(meeting, [facilitator])
    with transaction.atomic():
        subgroup.topic, subgroup.facilitator, subgroup.notes, subgroup.outputs = topic, facilitator, notes, outputs
        _save(subgroup)
        subgroup.members.set(chosen)
        _audit(actor, "governance.subgroup_update", subgroup, meeting.team, meeting=meeting.pk)
    return subgroup


def document_upload(
    *, actor: Any, meeting: Meeting, title: str, upload: Any, kind: str = DocumentKind.OTHER
) -> MeetingDocument:
    """Attach a checked file (type by extension and content, size limit); nothing is stored when a check fails."""
    _require_meeting_writer(actor, meeting)
    extension = validate_document(upload)
    document = MeetingDocument(
        meeting=meeting, kind=kind, title=title, extension=extension, size=upload.size, uploaded_by=actor
    )
    document.file.save(f"document.{extension}", upload, save=False)
    stored_name = str(document.file.name)
    try:
        with transaction.atomic():
            _save(document)
            _audit(actor, "governance.document_upload", document, meeting.team, meeting=meeting.pk, kind=kind)
    except Exception:
        # Nothing stays behind when the row is not saved.
        document.file.storage.delete(stored_name)
        raise
    return document


# --- work plans ----------------------------------------------------------------------------------------------------------


def workplan_create(
    *,
    actor: Any,
    team: Team,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    source_meeting: Meeting | None = None,
) -> WorkPlan:
    _require_team_writer(actor, team)
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period cannot end before it starts.")})
    with transaction.atomic():
        plan = WorkPlan(
            team=team, title=title, period_start=period_start, period_end=period_end, source_meeting=source_meeting
        )
        _save(plan)
        _audit(actor, "governance.workplan_create", plan, team)
    return plan


def workplan_item_add(
    *,
    actor: Any,
    plan: WorkPlan,
    title: str,
    owner_user: Any = None,
    owner_institution: Any = None,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    status: str = PlanItemStatus.PLANNED,
    decisions: Iterable[Decision] = (),
    action_items: Iterable[ActionItem] = (),
    conclusions: Iterable[Conclusion] = (),
) -> WorkPlanItem:
    _require_team_writer(actor, plan.team)
    if period_start and period_end and period_end < period_start:
        raise ValidationError({"period_end": _("The period cannot end before it starts.")})
    decisions, action_items, conclusions = list(decisions), list(action_items), list(conclusions)
    meeting_ids = {
        *(decision.meeting_id for decision in decisions),
        *(action.meeting_id for action in action_items),
        *(conclusion.meeting_id for conclusion in conclusions),
    }
    if meeting_ids and Meeting.objects.filter(pk__in=meeting_ids).exclude(team_id=plan.team_id).exists():
        raise ValidationError({"decisions": _("A plan item can only come from the meetings of its own team.")})
    with transaction.atomic():
        item = WorkPlanItem(
            plan=plan,
            title=title,
            owner_user=owner_user,
            owner_institution=owner_institution,
            period_start=period_start or plan.period_start,
            period_end=period_end or plan.period_end,
            status=status,
        )
        _save(item)
        item.decisions.set(decisions)
        item.action_items.set(action_items)
        item.conclusions.set(conclusions)
        _audit(actor, "governance.workplan_item_add", item, plan.team, plan=plan.pk)
    return item


def workplan_item_update_status(*, actor: Any, item: WorkPlanItem, status: str) -> WorkPlanItem:
    _require_team_writer(actor, item.plan.team)
    if status not in PlanItemStatus.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    with transaction.atomic():
        before = item.status
        item.status = status
        _save(item)
        _audit(actor, "governance.workplan_item_status", item, item.plan.team, before=before, after=status)
    return item


def next_quarter(after: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The calendar quarter that follows the one containing `after`."""
    quarter = (after.month - 1) // 3
    year, quarter = (after.year + 1, 0) if quarter == 3 else (after.year, quarter + 1)
    start = datetime.date(year, quarter * 3 + 1, 1)
    end_month = quarter * 3 + 3
    end = (datetime.date(year + (end_month == 12), end_month % 12 + 1, 1)) - datetime.timedelta(days=1)
    return start, end


def workplan_draft_from_meeting(*, actor: Any, meeting: Meeting, title: str = "") -> WorkPlan:
    """Draft the team's plan for the quarter after the meeting: one item per conclusion and per open action item
    (with its owner and due date), each linked to what created it."""
    _require_meeting_writer(actor, meeting)
    team = meeting.team
    _require_team_writer(actor, team)
    last_day = meeting.days.order_by("-date").values_list("date", flat=True).first() or timezone.localdate()
    start, end = next_quarter(last_day)
    conclusions = list(meeting.conclusions.order_by("pk"))
    open_items = list(
        meeting.action_items.filter(status__in=OPEN_ACTION_STATUSES).select_related("decision").order_by("pk")
    )
    if not conclusions and not open_items:
        raise ValidationError(_("The meeting has no conclusions and no open action items to plan from."))
    with transaction.atomic():
        plan = WorkPlan(
            team=team,
            title=title
            or _("Work plan %(start)s – %(end)s") % {"start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"},
            period_start=start,
            period_end=end,
            source_meeting=meeting,
        )
        _save(plan)
        for conclusion in conclusions:
            item = WorkPlanItem(plan=plan, title=conclusion.text[:500], period_start=start, period_end=end)
            _save(item)
            item.conclusions.set([conclusion])
        for action in open_items:
            due = action.due_on if action.due_on and start <= action.due_on <= end else end
            item = WorkPlanItem(
                plan=plan,
                title=action.title,
                owner_user_id=action.owner_user_id,
                owner_institution_id=action.owner_institution_id,
                period_start=start,
                period_end=due,
                status=PlanItemStatus.IN_PROGRESS
                if action.status == ActionStatus.IN_PROGRESS
                else PlanItemStatus.PLANNED,
            )
            _save(item)
            item.action_items.set([action])
            if action.decision_id:
                item.decisions.set([action.decision_id])
        _audit(
            actor,
            "governance.workplan_draft",
            plan,
            team,
            meeting=meeting.pk,
            conclusions=len(conclusions),
            action_items=len(open_items),
        )
    return plan
