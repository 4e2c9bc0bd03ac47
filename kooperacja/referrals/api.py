"""The referrals JSON API: inbox/outbox, a referral, idempotent transitions, comments, notifications, numbers, and
GET /api/v1/referrals/{id}/fhir (a FHIR R4 Bundle). Outsiders 404, readers writing 403 (from the policies)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kooperacja.cases.models import Case, Task
from kooperacja.core.pagination import PageNumberPagination
from kooperacja.directory.models import Institution, Sector, Service
from kooperacja.people.models import Person
from kooperacja.privacy import services as privacy_services
from kooperacja.privacy.models import Channel, Purpose
from kooperacja.referrals import fhir, policies, selectors, services
from kooperacja.referrals.models import Referral, State, Urgency

router = Router(tags=["referrals"])


class ReferralOut(Schema):
    id: uuid.UUID
    state: str
    urgency: str
    sender_id: uuid.UUID
    recipient_id: uuid.UUID
    service_id: uuid.UUID | None = None
    categories: list[str]
    created_at: datetime.datetime
    sent_at: datetime.datetime | None = None
    answer_due_at: datetime.datetime | None = None
    first_answered_at: datetime.datetime | None = None
    completed_at: datetime.datetime | None = None
    accepted: bool | None = None
    decline_reason: str = ""
    outcome: str = ""
    closed_with_feedback: bool = False
    overdue: bool = Field(False, alias="is_overdue")


class ServiceCapacityOut(Schema):
    id: uuid.UUID
    name: str
    institution_id: uuid.UUID
    capacity_status: str
    expected_wait_days: int | None = None
    capacity_confirmed_at: datetime.datetime | None = None


class TimelineOut(Schema):
    at: datetime.datetime
    action: str
    from_state: str
    to_state: str
    actor_id: int | None = None
    institution_id: uuid.UUID | None = None
    note: str = ""


class ReferralDetailOut(ReferralOut):
    """A referral with what its page shows; while suspended, the recipient gets only its state and the reason."""

    reason: str | None = None
    decline_text: str = ""
    work_done: str = ""
    feedback: str = ""
    cancel_reason: str = ""
    suspension_reason: str = ""
    service: ServiceCapacityOut | None = None
    alternatives: list[ServiceCapacityOut] = []
    timeline: list[TimelineOut] = []


def _detail(actor: Any, referral: Referral) -> dict[str, Any]:
    where = policies.standing(actor, referral)
    base = ReferralOut.from_orm(referral).dict()
    base["is_overdue"] = base.pop("overdue")
    if referral.state == State.SUSPENDED and not where.sender:
        # The recipient of a suspended referral learns only that it is suspended and why.
        return {**base, "categories": [], "suspension_reason": referral.suspension_reason}
    page = selectors.referral_page(actor=actor, referral=referral)
    return {
        **base,
        "reason": referral.reason,
        "decline_text": referral.decline_text,
        "work_done": referral.work_done,
        "feedback": referral.feedback,
        "cancel_reason": referral.cancel_reason,
        "suspension_reason": referral.suspension_reason,
        "service": referral.service,
        "alternatives": page.alternatives,
        "timeline": [
            {
                "at": t.at,
                "action": t.action,
                "from_state": t.from_state,
                "to_state": t.to_state,
                "actor_id": t.actor_id,
                "institution_id": t.institution_id,
                "note": t.note,
            }
            for t in page.transitions
        ],
    }


class ReferralIn(Schema):
    case_id: uuid.UUID
    recipient_id: uuid.UUID
    service_id: uuid.UUID | None = None
    task_id: int | None = None
    person_id: uuid.UUID | None = None
    urgency: str = "normal"
    reason: str
    categories: list[str]
    send: bool = False


class TransitionIn(Schema):
    action: str
    note: str = ""
    reason: str = ""
    reason_text: str = ""
    outcome: str = ""
    work_done: str = ""
    feedback: str = ""


class TransitionOut(Schema):
    referral: ReferralOut
    changed: bool


class CommentIn(Schema):
    text: str


class CommentOut(Schema):
    id: int
    at: datetime.datetime
    author_id: int
    institution_id: uuid.UUID
    text: str


class NotificationOut(Schema):
    id: int
    referral_id: uuid.UUID
    kind: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None = None


class MetricsOut(Schema):
    sent: int
    answered: int
    median_days_to_first_answer: float | None
    median_days_to_completion: float | None
    declined: int
    declined_by_reason: dict[str, float]
    completed: int
    share_closed_with_feedback: float | None


@router.get("/", response=list[ReferralOut], url_name="referral_list")
@paginate(PageNumberPagination)
def referral_list(
    request: HttpRequest, box: str = "inbox", tab: str = "all", state: str = "", sector: str = "", deadline: str = ""
) -> Any:
    """`box=inbox` (received; `tab` new / waiting / in_progress / overdue) or `box=outbox` (sent)."""
    if box == "outbox":
        return selectors.paged(selectors.outbox(actor=request.user, state=state, sector=sector, deadline=deadline))
    return selectors.paged(selectors.inbox(actor=request.user, tab=tab, state=state, sector=sector, deadline=deadline))


@router.post("/", response={201: ReferralOut}, url_name="referral_create")
def referral_create(request: HttpRequest, payload: ReferralIn) -> Any:
    """A draft from a case (or a plan task) of an institution the actor works at; `send: true` sends it at once."""
    case = Case.objects.select_related("owner_institution", "person").filter(pk=payload.case_id).first()
    task = None
    if case is not None and payload.task_id is not None:
        task = (
            Task.objects.select_related("owner_institution", "plan").filter(pk=payload.task_id, plan__case=case).first()
        )
        if task is None:
            raise Http404
    mine = set(policies.institution_ids(request.user))
    if case is None or not ({case.owner_institution_id, getattr(task, "owner_institution_id", None)} & mine):
        raise Http404
    recipient = Institution.objects.filter(pk=payload.recipient_id).first()
    if recipient is None:
        raise ValidationError({"recipient_id": _("Choose a recipient institution.")})
    service = Service.objects.filter(pk=payload.service_id).first() if payload.service_id else None
    person = Person.objects.filter(pk=payload.person_id).first() if payload.person_id else None
    referral = services.referral_create(
        actor=request.user,
        case=case,
        task=task,
        person=person,
        recipient=recipient,
        service=service,
        urgency=payload.urgency if payload.urgency in Urgency.values else Urgency.NORMAL,
        reason=payload.reason,
        categories=payload.categories,
    )
    if payload.send:
        services.referral_send(actor=request.user, referral=referral)
    return Status(201, referral)


@router.get("/notifications", response=list[NotificationOut], url_name="referral_notifications")
@paginate(PageNumberPagination)
def notification_list(request: HttpRequest, unread: bool = False) -> Any:
    queryset = selectors.notifications_for(actor=request.user)
    return queryset.filter(read_at__isnull=True) if unread else queryset


class UnreadOut(Schema):
    unread: int


@router.get("/notifications/unread-count", response=UnreadOut, url_name="referral_notifications_unread")
def notification_unread_count(request: HttpRequest) -> Any:
    """How many of the user's notifications are unread (the number in the header)."""
    return {"unread": selectors.notifications_for(actor=request.user).filter(read_at__isnull=True).count()}


@router.post("/notifications/read-all", response=UnreadOut, url_name="referral_notifications_read_all")
def notifications_read_all(request: HttpRequest) -> Any:
    """Mark all the user's notifications read; answers the unread count (0)."""
    services.notifications_mark_all_read(actor=request.user)
    return {"unread": 0}


@router.post("/notifications/{notification_id}/read", response=NotificationOut, url_name="referral_notification_read")
def notification_read(request: HttpRequest, notification_id: int) -> Any:
    return services.notification_mark_read(actor=request.user, notification_id=notification_id)


@router.get("/metrics", response=MetricsOut, url_name="referral_metrics")
def metrics(request: HttpRequest, institution: uuid.UUID | None = None, sector: str = "") -> Any:
    """Aggregates of the referrals received by an institution, or by a sector's institutions (no personal data)."""
    if institution is not None:
        if not Institution.objects.filter(pk=institution).exists():
            raise Http404
        return selectors.institution_metrics(institution=institution)
    if sector not in Sector.values:
        raise Http404
    return selectors.sector_metrics(sector=sector)


class DeadlinesIO(Schema):
    urgent_days: int = Field(..., ge=1, le=60)
    normal_days: int = Field(..., ge=1, le=60)
    reminder_days: int = Field(..., ge=0, le=30)
    expire_after_days: int = Field(..., ge=0, le=60)


@router.get("/partnerships/{partnership_id}/deadlines", response=DeadlinesIO, url_name="referral_deadlines")
def partnership_deadlines(request: HttpRequest, partnership_id: uuid.UUID) -> Any:
    """The answer deadlines (working days) of referrals between the partnership's members."""
    from kooperacja.directory.policies import get_partnership_for_actor

    return selectors.deadlines_of(partnership=get_partnership_for_actor(request.user, partnership_id))


@router.put("/partnerships/{partnership_id}/deadlines", response=DeadlinesIO, url_name="referral_deadlines_set")
def partnership_deadlines_set(request: HttpRequest, partnership_id: uuid.UUID, payload: DeadlinesIO) -> Any:
    """Set them: those who maintain the partnership; 403 for other members' staff, 404 for outsiders."""
    from kooperacja.directory.policies import get_partnership_for_actor

    partnership = get_partnership_for_actor(request.user, partnership_id, need="write")
    services.deadline_rule_set(actor=request.user, partnership=partnership, **payload.dict())
    return selectors.deadlines_of(partnership=partnership)


@router.get("/{referral_id}", response=ReferralDetailOut, url_name="referral_detail")
def referral_detail(request: HttpRequest, referral_id: uuid.UUID) -> Any:
    """The referral, its service's capacity (and, for a draft, similar services nearby) and its timeline. The
    recipient's staff opening a sent referral marks it received."""
    referral = policies.get_referral_for_actor(request.user, referral_id)
    services.referral_mark_received(actor=request.user, referral=referral)
    return _detail(request.user, referral)


@router.post("/{referral_id}/transitions", response=TransitionOut, url_name="referral_transition")
def referral_transition(request: HttpRequest, referral_id: uuid.UUID, payload: TransitionIn) -> Any:
    """Idempotent: asking for the state the referral is in already returns 200 with `changed: false`."""
    referral = policies.get_referral_for_actor(request.user, referral_id, need="write")
    if payload.action not in services.USER_ACTIONS:
        raise ValidationError({"action": _("Unknown action.")})
    data = payload.dict()
    action = data.pop("action")
    result = services.referral_transition(actor=request.user, referral=referral, action=action, **data)
    return {"referral": result.referral, "changed": result.changed}


@router.get("/{referral_id}/comments", response=list[CommentOut], url_name="referral_comments")
def comment_list(request: HttpRequest, referral_id: uuid.UUID) -> Any:
    referral = policies.get_referral_for_actor(request.user, referral_id)
    if referral.state == State.SUSPENDED:
        return []
    return list(referral.comments.order_by("at", "id"))  # type: ignore[attr-defined]


@router.post("/{referral_id}/comments", response={201: CommentOut}, url_name="referral_comment_add")
def comment_add(request: HttpRequest, referral_id: uuid.UUID, payload: CommentIn) -> Any:
    referral = policies.get_referral_for_actor(request.user, referral_id, need="write")
    return Status(201, services.comment_add(actor=request.user, referral=referral, text=payload.text))


@router.get("/{referral_id}/fhir", url_name="referral_fhir")
def referral_fhir(request: HttpRequest, referral_id: uuid.UUID) -> Any:
    """A FHIR R4 Bundle (ServiceRequest + Task + Patient limited to the shared categories + Organizations)."""
    referral: Referral = policies.get_referral_for_actor(request.user, referral_id)
    categories = policies.shown_categories(request.user, referral)
    shown = categories & {"identity", "contact"}
    where = policies.standing(request.user, referral)
    if shown:
        privacy_services.access_log_record(
            actor=request.user,
            person=referral.person_id,
            categories=shown,
            purpose=Purpose.REFERRAL,
            channel=Channel.API,
            resource=f"api:referrals:fhir:{referral.pk}",
            institution=referral.recipient if where.recipient else referral.sender,
        )
    return fhir.referral_bundle(referral, categories, texts=where.sender or referral.state != State.SUSPENDED)
