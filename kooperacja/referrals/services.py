"""Writes of the referrals context. `referral_transition` is the only code that changes a referral's state: one
transaction, the referral row locked (select_for_update), the table in `models.TRANSITIONS` consulted, the change
audited (a ReferralTransition row and an AuditEvent), notifications written; e-mails leave after the commit.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kooperacja.accounts.models import Membership, Role
from kooperacja.cases.models import Case, Task
from kooperacja.core.services import audit_record
from kooperacja.directory.models import Institution, PartnershipMember, Service
from kooperacja.people.models import HouseholdMember, Person
from kooperacja.privacy import services as privacy_services
from kooperacja.privacy.models import Consent
from kooperacja.referrals import policies
from kooperacja.referrals.context_processors import forget_unread
from kooperacja.referrals.models import (
    AWAITING_ANSWER,
    OPEN_STATES,
    TRANSITIONS,
    Action,
    Comment,
    DeclineReason,
    Notification,
    NotificationKind,
    Outcome,
    Referral,
    ReferralDeadlineRule,
    ReferralShare,
    ReferralTransition,
    State,
    SuspensionReason,
    Urgency,
)
from kooperacja.referrals.workdays import add_working_days, subtract_working_days

DEFAULT_DAYS: dict[str, int] = {Urgency.URGENT: 2, Urgency.NORMAL: 7}
DEFAULT_REMINDER_DAYS = 1
DEFAULT_EXPIRE_AFTER_DAYS = 5
# Actions a user may ask for (pages and API); expire and suspend are the system's.
USER_ACTIONS = (
    Action.SEND,
    Action.RECEIVE,
    Action.ACCEPT,
    Action.DECLINE,
    Action.START,
    Action.COMPLETE,
    Action.CANCEL,
    Action.RESUME,
)


# --- deadlines -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    answer_days: int
    reminder_days: int
    expire_after_days: int


def deadline_rule_for(*, sender: Institution, recipient: Institution) -> ReferralDeadlineRule | None:
    """The rule of a partnership both institutions are current members of (the oldest such rule), or None."""
    today = timezone.localdate()
    current = Q(left_on__isnull=True) | Q(left_on__gte=today)
    sender_partnerships = PartnershipMember.objects.filter(current, institution=sender).values("partnership_id")
    recipient_partnerships = PartnershipMember.objects.filter(current, institution=recipient).values("partnership_id")
    return (
        ReferralDeadlineRule.objects.filter(partnership_id__in=sender_partnerships)
        .filter(partnership_id__in=recipient_partnerships)
        .order_by("pk")
        .first()
    )


def deadlines_for(*, sender: Institution, recipient: Institution, urgency: str) -> Deadlines:
    rule = deadline_rule_for(sender=sender, recipient=recipient)
    if rule is None:
        return Deadlines(DEFAULT_DAYS.get(urgency, 7), DEFAULT_REMINDER_DAYS, DEFAULT_EXPIRE_AFTER_DAYS)
    days = rule.urgent_days if urgency == Urgency.URGENT else rule.normal_days
    return Deadlines(days, rule.reminder_days, rule.expire_after_days)


def _end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0, 0)))


def _set_deadlines(referral: Referral, sent_at: datetime.datetime) -> None:
    rules = deadlines_for(sender=referral.sender, recipient=referral.recipient, urgency=referral.urgency)
    due_day = add_working_days(timezone.localtime(sent_at).date(), rules.answer_days)
    referral.answer_due_at = _end_of_day(due_day)
    referral.remind_at = _start_of_day(subtract_working_days(due_day, rules.reminder_days))
    referral.expires_at = _end_of_day(add_working_days(due_day, rules.expire_after_days))


def deadline_rule_set(
    *, actor: Any, partnership: Any, urgent_days: int, normal_days: int, reminder_days: int, expire_after_days: int
) -> ReferralDeadlineRule:
    """Set a partnership's answer deadlines (working days); only those who maintain the partnership (its lead
    institution's facilitator or manager) may. Referrals already sent keep their deadlines."""
    from django.core.exceptions import PermissionDenied

    from kooperacja.directory.policies import can_maintain_partnership

    if not can_maintain_partnership(actor, partnership):
        raise PermissionDenied(_("Only those who maintain the partnership may change its referral deadlines."))
    with transaction.atomic():
        rule = ReferralDeadlineRule.objects.select_for_update().filter(partnership=partnership).first()
        created = rule is None
        rule = rule or ReferralDeadlineRule(partnership=partnership)
        rule.urgent_days = urgent_days
        rule.normal_days = normal_days
        rule.reminder_days = reminder_days
        rule.expire_after_days = expire_after_days
        rule.full_clean()
        rule.save()
        audit_record(
            actor=actor,
            action=f"referrals.rule_{'add' if created else 'change'}",
            target=rule,
            institution_id=partnership.lead_institution_id,
            data={
                "urgent_days": urgent_days,
                "normal_days": normal_days,
                "reminder_days": reminder_days,
                "expire_after_days": expire_after_days,
            },
        )
    return rule


# --- notifications ---------------------------------------------------------------------------------------------------


def _recipient_staff(referral: Referral) -> list[Any]:
    return list(
        Membership.objects.current()
        .filter(institution_id=referral.recipient_id, role__in=policies.WRITER_ROLES)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _recipient_managers(referral: Referral) -> list[Any]:
    """The recipient institution's managers; an institution without one in Kooperacja escalates to its working
    staff, so that an overdue referral never goes unnoticed."""
    managers = list(
        Membership.objects.current()
        .filter(institution_id=referral.recipient_id, role=Role.INSTITUTION_MANAGER)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return managers or _recipient_staff(referral)


def _sender_side(referral: Referral) -> list[Any]:
    return [referral.sender_user_id]


def notify(*, referral: Referral, kind: str, user_ids: list[Any], exclude: Any = None) -> list[Notification]:
    """In-app notifications (inside the caller's transaction) and, after the commit, their e-mails."""
    rows = [
        Notification(user_id=user_id, referral=referral, kind=kind)
        for user_id in dict.fromkeys(user_ids)
        if user_id is not None and user_id != exclude
    ]
    created = Notification.objects.bulk_create(rows)
    forget = [row.user_id for row in rows]
    transaction.on_commit(lambda: forget_unread(forget))
    ids = [row.pk for row in created if row.pk is not None]
    if ids:
        from kooperacja.referrals.tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.enqueue([int(pk) for pk in ids]))
    return created


def notification_mark_read(*, actor: Any, notification_id: Any) -> Notification:
    with transaction.atomic():
        try:
            notification = Notification.objects.select_for_update().get(pk=notification_id, user=actor)
        except (Notification.DoesNotExist, ValueError, TypeError) as exc:
            from django.http import Http404

            raise Http404 from exc
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    forget_unread([notification.user_id])
    return notification


def notifications_mark_all_read(*, actor: Any) -> int:
    with transaction.atomic():
        count = Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())
    forget_unread([actor.pk])
    return count


# --- creating a draft ------------------------------------------------------------------------------------------------


def referral_create(
    *,
    actor: Any,
    case: Case,
    recipient: Institution,
    reason: str,
    categories: list[str],
    urgency: str = Urgency.NORMAL,
    service: Service | None = None,
    task: Task | None = None,
    person: Person | None = None,
) -> Referral:
    """A draft referral of the case's person (or of a member of the case's household) to `recipient`."""
    if task is not None and task.plan.case_id != case.pk:
        raise ValidationError({"task": _("The task is not a task of this case's plan.")})
    sender = policies.sender_institution_for_case(actor, case, task)
    if sender is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("You may not send referrals from this case."))
    subject = _subject_of(case, person)
    if service is not None and service.institution_id != recipient.pk:
        raise ValidationError({"service": _("Choose a service of the recipient institution.")})
    if recipient.pk == sender.pk:
        raise ValidationError({"recipient": _("A referral goes to another institution.")})
    if not recipient.is_active:
        raise ValidationError({"recipient": _("This institution is not active.")})
    _check_categories(actor=actor, person=subject, recipient=recipient, sender=sender, categories=categories)
    with transaction.atomic():
        referral = Referral(
            case=case,
            task=task,
            person=subject,
            sender=sender,
            sender_user=actor,
            recipient=recipient,
            service=service,
            urgency=urgency,
            reason=reason.strip(),
            categories=sorted(set(categories)),
        )
        referral.full_clean()
        referral.save()
        ReferralTransition.objects.create(
            referral=referral, actor=actor, institution=sender, action="create", from_state="", to_state=State.DRAFT
        )
        audit_record(actor=actor, action="referrals.create", target=referral, institution_id=sender.pk)
    return referral


def _subject_of(case: Case, person: Person | None) -> Person:
    if case.person_id is not None:
        if person is not None and person.pk != case.person_id:
            raise ValidationError({"person": _("Refer the person of this case.")})
        return case.person  # type: ignore[return-value]
    if person is None:
        raise ValidationError({"person": _("Choose the member of the household to refer.")})
    today = timezone.localdate()
    if not (
        HouseholdMember.objects.filter(household=case.household, person=person)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .exists()
    ):
        raise ValidationError({"person": _("Refer a current member of this case's household.")})
    return person


def _check_categories(
    *, actor: Any, person: Person, recipient: Institution, sender: Institution, categories: list[str]
) -> dict[str, Any]:
    if not categories:
        raise ValidationError({"categories": _("Choose at least one data category to share.")})
    options = {
        option.category: option
        for option in policies.category_options(actor=actor, person=person, recipient=recipient, sender=sender)
    }
    errors = []
    for category in categories:
        option = options.get(category)
        if option is None:
            errors.append(_("Unknown data category."))
        elif not option.allowed:
            errors.append(f"{option.label}: {option.why}")
    if errors:
        raise ValidationError({"categories": errors})
    return {category: options[category].basis for category in categories}


# --- the transitions -------------------------------------------------------------------------------------------------


@dataclass
class TransitionResult:
    referral: Referral
    changed: bool


def _invalid(referral: Referral, action: str) -> ValidationError:
    return ValidationError(
        _("A referral in the state “%(state)s” cannot be changed this way (%(action)s).")
        % {"state": referral.get_state_display(), "action": Action(action).label}
    )


def _open_grants(*, actor: Any, referral: Referral, bases: dict[str, Any]) -> None:
    """One access grant per legal basis / consent used, and the shares that record them."""
    ReferralShare.objects.filter(referral=referral).delete()
    groups: dict[tuple[str, Any], list[str]] = {}
    for category, basis in bases.items():
        key = ("consent" if isinstance(basis, Consent) else "basis", basis.pk)
        groups.setdefault(key, []).append(category)
    by_key = {("consent" if isinstance(b, Consent) else "basis", b.pk): b for b in bases.values()}
    shares = []
    for key, categories in groups.items():
        basis = by_key[key]
        grant = privacy_services.grant_open(
            actor=actor,
            person=referral.person,
            institution=referral.recipient,
            categories=categories,
            source_type=policies.SOURCE_TYPE,
            source_id=str(referral.pk),
            legal_basis=None if isinstance(basis, Consent) else basis,
            consent=basis if isinstance(basis, Consent) else None,
        )
        for category in categories:
            shares.append(
                ReferralShare(
                    referral=referral,
                    category=category,
                    legal_basis=None if isinstance(basis, Consent) else basis,
                    consent=basis if isinstance(basis, Consent) else None,
                    grant=grant,
                )
            )
    ReferralShare.objects.bulk_create(shares)


def _step_send(referral: Referral, actor: Any, data: dict[str, Any], now: datetime.datetime) -> None:
    bases = _check_categories(
        actor=actor,
        person=referral.person,
        recipient=referral.recipient,
        sender=referral.sender,
        categories=list(referral.categories),
    )
    referral.sent_at = now
    _set_deadlines(referral, now)
    _open_grants(actor=actor, referral=referral, bases=bases)


def _step_receive(referral: Referral, actor: Any, data: dict[str, Any], now: datetime.datetime) -> None:
    referral.received_at = now


def _step_accept(referral: Referral, actor: Any, data: dict[str, Any], now: datetime.datetime) -> None:
    referral.accepted = True
    referral.first_answered_at = referral.first_answered_at or now


def _step_decline(referral: Referral, actor: Any, data: dict[str, Any], now: datetime.datetime) -> None:
    reason = data.get("reason", "")
    text = (data.get("reason_text") or "").strip()
    if reason not in DeclineReason.values:
        raise ValidationError({"reason": _("Choose the reason for declining from the list.")})
    if reason == DeclineReason.OTHER and not text:
        raise ValidationError({"reason_text": _("Describe the reason for declining.")})
    referral.accepted = False
    referral.decline_reason = reason
    referral.decline_text = text
    referral.first_answered_at = referral.first_answered_at or now
    referral.closed_at = now
    _end_grants(actor, referral, "referral_declined")


def _step_start(referral: Referral, actor: Any, data: dict[str, Any], now: datetime.datetime) -> None:
    return None


def _step_complete(referral: Referral, actor: Any, data: dict[str, Any], now: datetime.datetime) -> None:
    outcome = data.get("outcome", "")
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome from the list.")})
    work_done = (data.get("work_done") or "").strip()
    if not work_done:
        raise ValidationError({"work_done": _("Describe what was done.")})
    referral.outcome = outcome
    referral.work_done = work_done
    referral.feedback = (data.get("feedback") or "").strip()
    referral.closed_with_feedback = bool(referral.feedback)
    referral.completed_at = now
    referral.closed_at = now
    _end_grants(actor, referral, "referral_completed")


def _step_cancel(referral: Referral, actor: Any, data: dict[str, Any], now: datetime.datetime) -> None:
    text = (data.get("reason_text") or data.get("note") or "").strip()
    if not text:
        raise ValidationError({"reason_text": _("Give the reason for cancelling.")})
    referral.cancel_reason = text
    referral.closed_at = now
    _end_grants(actor, referral, "referral_cancelled")


def _step_expire(referral: Referral, actor: Any, data: dict[str, Any], now: datetime.datetime) -> None:
    referral.closed_at = now
    _end_grants(actor, referral, "referral_expired")


def _step_suspend(referral: Referral, actor: Any, data: dict[str, Any], now: datetime.datetime) -> None:
    referral.suspended_from = referral.state
    referral.suspension_reason = data.get("suspension_reason") or SuspensionReason.CONSENT_WITHDRAWN
    _end_grants(actor, referral, referral.suspension_reason)


def _step_resume(referral: Referral, actor: Any, data: dict[str, Any], now: datetime.datetime) -> None:
    bases = privacy_services_sharing_bases(referral)
    missing = [category for category in referral.categories if bases.get(category) is None]
    if missing:
        raise ValidationError(
            _("The referral cannot resume: no legal basis or valid consent covers %(categories)s yet.")
            % {"categories": ", ".join(sorted(missing))}
        )
    _open_grants(actor=actor, referral=referral, bases={category: bases[category] for category in referral.categories})
    if referral.suspended_from in AWAITING_ANSWER:
        # The recipient could not answer while suspended: the answer deadline runs again from the resumption.
        _set_deadlines(referral, now)
        referral.reminded_at = None
        referral.escalated_at = None
    referral.suspended_from = ""
    referral.suspension_reason = ""


def privacy_services_sharing_bases(referral: Referral) -> dict[str, Any]:
    from kooperacja.privacy.policies import sharing_bases

    return sharing_bases(person=referral.person, institution=referral.recipient)


def _end_grants(actor: Any, referral: Referral, reason: str) -> None:
    privacy_services.grants_end(
        actor=actor, source_type=policies.SOURCE_TYPE, source_id=str(referral.pk), reason=reason
    )


Step = Callable[[Referral, Any, dict[str, Any], datetime.datetime], None]
STEPS: dict[str, Step] = {
    Action.SEND: _step_send,
    Action.RECEIVE: _step_receive,
    Action.ACCEPT: _step_accept,
    Action.DECLINE: _step_decline,
    Action.START: _step_start,
    Action.COMPLETE: _step_complete,
    Action.CANCEL: _step_cancel,
    Action.EXPIRE: _step_expire,
    Action.SUSPEND: _step_suspend,
    Action.RESUME: _step_resume,
}

# Who hears about each change: "recipient" (its working staff), "sender" (the sender user), "both".
NOTIFY: dict[str, tuple[str, str]] = {
    Action.SEND: (NotificationKind.NEW, "recipient"),
    Action.ACCEPT: (NotificationKind.ACCEPTED, "sender"),
    Action.DECLINE: (NotificationKind.DECLINED, "sender"),
    Action.COMPLETE: (NotificationKind.COMPLETED, "sender"),
    Action.CANCEL: (NotificationKind.CANCELLED, "recipient"),
    Action.EXPIRE: (NotificationKind.EXPIRED, "both"),
    Action.SUSPEND: (NotificationKind.SUSPENDED, "both"),
    Action.RESUME: (NotificationKind.RESUMED, "both"),
}


def _apply(
    referral: Referral, *, actor: Any, action: str, data: dict[str, Any], institution_id: Any, now: datetime.datetime
) -> None:
    transition = TRANSITIONS[action]
    if referral.state not in transition.sources:
        raise _invalid(referral, action)
    from_state = referral.state
    target = transition.target or referral.suspended_from
    STEPS[action](referral, actor, data, now)
    referral.state = target
    referral.version += 1
    referral.full_clean()
    referral.save()
    ReferralTransition.objects.create(
        referral=referral,
        at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        institution_id=institution_id,
        action=action,
        from_state=from_state,
        to_state=target,
        note=(data.get("note") or "").strip(),
    )
    audit_record(
        actor=actor,
        action=f"referrals.{action}",
        target=referral,
        institution_id=institution_id,
        data={"from": from_state, "to": target},
    )
    kind, audience = NOTIFY.get(action, ("", ""))
    if kind:
        users: list[Any] = []
        if audience in ("recipient", "both"):
            users += _recipient_staff(referral)
        if audience in ("sender", "both"):
            users += _sender_side(referral)
        # The system's changes (suspension, expiry) are told to both sides, the actor included.
        exclude = None if transition.side == "system" or action == Action.RESUME else getattr(actor, "pk", None)
        notify(referral=referral, kind=kind, user_ids=users, exclude=exclude)


def _last_action(referral: Referral) -> str | None:
    return (
        ReferralTransition.objects.filter(referral=referral)
        .order_by("-at", "-id")
        .values_list("action", flat=True)
        .first()
    )


def _acting_institution(actor: Any, referral: Referral, action: str) -> Any:
    side = TRANSITIONS[action].side
    if side == "sender":
        return referral.sender_id
    if side == "recipient":
        return referral.recipient_id
    return None


def referral_transition(
    *, actor: Any, referral: Referral | Any, action: str, system: bool = False, **data: Any
) -> TransitionResult:
    """Apply one action of the transition table, atomically, with the referral row locked.

    Idempotent: asking for the state the referral is already in (e.g. "accept" when accepted) changes nothing and
    audits nothing. An action from a state the table does not allow is refused with a clear message. Any failure
    inside rolls the whole transition back: the referral stays as it was.
    """
    if action not in TRANSITIONS:
        raise ValidationError(_("Unknown action."))
    referral_id: Any = getattr(referral, "pk", referral)
    with transaction.atomic():
        # Lock the referral's row only (of=self): a plain FOR UPDATE with select_related would also lock the sender
        # and recipient institutions and the person, so every transition of a busy institution would queue behind the
        # others and deadlock against the foreign-key checks of their inserts (found by bench/load_referrals.py).
        locked = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("sender", "recipient", "person")
            .get(pk=referral_id)
        )
        if not system:
            policies.check_action(actor, locked, action)
        elif TRANSITIONS[action].side != "system" and action != Action.RESUME:
            raise ValidationError(_("Unknown action."))
        transition = TRANSITIONS[action]
        if transition.target is not None and locked.state == transition.target:
            return TransitionResult(locked, False)
        if action == Action.RESUME and locked.state != State.SUSPENDED and _last_action(locked) == Action.RESUME:
            return TransitionResult(locked, False)  # resumed already: repeating it is harmless
        now = timezone.now()
        institution_id = _acting_institution(actor, locked, action)
        if action in (Action.ACCEPT, Action.DECLINE) and locked.state == State.SENT:
            # Answering a referral nobody opened yet: it is received first (both steps on the timeline).
            _apply(locked, actor=actor, action=Action.RECEIVE, data={}, institution_id=institution_id, now=now)
        _apply(locked, actor=actor, action=action, data=data, institution_id=institution_id, now=now)
    if isinstance(referral, Referral):
        referral.refresh_from_db()
    return TransitionResult(locked, True)


def referral_send(*, actor: Any, referral: Referral) -> TransitionResult:
    return referral_transition(actor=actor, referral=referral, action=Action.SEND)


def referral_mark_received(*, actor: Any, referral: Referral) -> bool:
    """The recipient opened a sent referral: received (only for its working staff; readers change nothing)."""
    if referral.state != State.SENT or not policies.standing(actor, referral).recipient_writer:
        return False
    result = referral_transition(actor=actor, referral=referral, action=Action.RECEIVE)
    referral.refresh_from_db()
    return result.changed


# --- consent reaching sent referrals ---------------------------------------------------------------------------------


def referrals_suspend_for_consent(*, consent: Consent, actor: Any = None, reason: str = "") -> int:
    """Suspend every open referral that relied on `consent` (registered with privacy.services.on_consent_ended)."""
    if not reason:
        withdrawn = getattr(consent, "withdrawn_on", None) is not None
        reason = SuspensionReason.CONSENT_WITHDRAWN if withdrawn else SuspensionReason.CONSENT_EXPIRED
    suspension_reason = reason
    ids = list(
        ReferralShare.objects.filter(consent=consent, referral__state__in=OPEN_STATES)
        .values_list("referral_id", flat=True)
        .distinct()
    )
    count = 0
    for referral_id in ids:
        result = referral_transition(
            actor=actor,
            referral=referral_id,
            action=Action.SUSPEND,
            system=True,
            suspension_reason=suspension_reason,
        )
        count += int(result.changed)
    return count


def referral_resume(*, actor: Any, referral: Referral) -> TransitionResult:
    """Resume a suspended referral when a new basis (a consent or a legal basis) covers every shared category."""
    return referral_transition(actor=actor, referral=referral, action=Action.RESUME)


# --- comments --------------------------------------------------------------------------------------------------------


def comment_add(*, actor: Any, referral: Referral, text: str) -> Comment:
    from django.core.exceptions import PermissionDenied

    where = policies.standing(actor, referral)
    if not where.sees:
        from django.http import Http404

        raise Http404
    if not where.writes:
        raise PermissionDenied(_("You may read this referral but not change it."))
    if referral.state in (State.DRAFT, State.SUSPENDED):
        raise ValidationError({"text": _("Comments are closed while the referral is a draft or suspended.")})
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the comment.")})
    institution_id = referral.sender_id if where.sender_writer else referral.recipient_id
    with transaction.atomic():
        comment = Comment(referral=referral, author=actor, institution_id=institution_id, text=text)
        comment.full_clean()
        comment.save()
        audit_record(actor=actor, action="referrals.comment", target=comment, institution_id=institution_id)
        others = _recipient_staff(referral) if where.sender_writer else _sender_side(referral)
        notify(referral=referral, kind=NotificationKind.COMMENT, user_ids=others, exclude=actor.pk)
    return comment


# --- the deadline sweep ----------------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    reminded: int = 0
    escalated: int = 0
    expired: int = 0
    suspended: int = 0


def _flag(referral_id: Any, *, field: str, check: Q, kinds: list[tuple[str, str]]) -> bool:
    with transaction.atomic():
        referral = Referral.objects.select_for_update().filter(check, pk=referral_id).first()
        if referral is None or getattr(referral, field) is not None:
            return False
        setattr(referral, field, timezone.now())
        referral.save(update_fields=[field])
        audit_record(actor=None, action=f"referrals.{field.removesuffix('_at')}", target=referral)
        for kind, audience in kinds:
            users = {
                "recipient": _recipient_staff,
                "managers": _recipient_managers,
                "sender": _sender_side,
            }[audience](referral)
            notify(referral=referral, kind=kind, user_ids=users)
    return True


def referral_deadlines_sweep(*, now: datetime.datetime | None = None) -> SweepResult:
    """Reminders before the answer deadline, escalation and a notice to the sender after it, expiry after the grace
    period, and suspension of referrals whose consent expired. Each referral in its own transaction; safe to re-run."""
    now = now or timezone.now()
    result = SweepResult()
    awaiting = Q(state__in=list(AWAITING_ANSWER))
    remind_q = awaiting & Q(remind_at__lte=now, reminded_at__isnull=True, answer_due_at__gt=now)
    for pk in Referral.objects.filter(remind_q).values_list("pk", flat=True):
        result.reminded += _flag(
            pk, field="reminded_at", check=remind_q, kinds=[(NotificationKind.REMINDER, "recipient")]
        )
    escalate_q = awaiting & Q(answer_due_at__lte=now, escalated_at__isnull=True)
    for pk in Referral.objects.filter(escalate_q).values_list("pk", flat=True):
        result.escalated += _flag(
            pk,
            field="escalated_at",
            check=escalate_q,
            kinds=[(NotificationKind.ESCALATION, "managers"), (NotificationKind.OVERDUE_NOTICE, "sender")],
        )
    for pk in Referral.objects.filter(awaiting, expires_at__lte=now).values_list("pk", flat=True):
        try:
            changed = referral_transition(actor=None, referral=pk, action=Action.EXPIRE, system=True).changed
        except ValidationError:
            changed = False  # answered in the meantime
        result.expired += int(changed)
    today = timezone.localdate(now)
    expired_consents = (
        ReferralShare.objects.filter(referral__state__in=OPEN_STATES, consent__valid_until__lt=today)
        .values_list("consent_id", flat=True)
        .distinct()
    )
    for consent in Consent.objects.filter(pk__in=list(expired_consents)):
        result.suspended += referrals_suspend_for_consent(
            consent=consent, actor=None, reason=SuspensionReason.CONSENT_EXPIRED
        )
    return result
