"""Privacy in the JSON API (/api/v1/privacy/): legal bases, a person's consents, what may be shared with an
institution and why, the art. 15 report and the DPO's access log. The same policies, selectors and services as the
pages: outsiders get 404, readers who try to write get 403, every read of a person is written to the access log."""

import base64
import binascii
import datetime
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kooperacja.accounts.models import Membership
from kooperacja.core.pagination import PageNumberPagination
from kooperacja.directory.models import Institution
from kooperacja.privacy import policies, reports, selectors, services
from kooperacja.privacy.models import Consent, DataCategory, LegalBasis

router = Router(tags=["privacy"])
User = get_user_model()


class LegalBasisOut(Schema):
    code: str
    kind: str
    title: str
    reference: str
    description: str
    covers: list[str]
    institution_kinds: list[str]
    procedure: str
    is_consent: bool


class ConsentOut(Schema):
    id: int
    person_id: uuid.UUID
    recorded_by_institution_id: uuid.UUID
    recipient_ids: list[uuid.UUID]
    purpose: str
    categories: list[str]
    given_on: datetime.date
    valid_until: datetime.date | None
    withdrawn_on: datetime.date | None
    state: str
    has_document: bool
    recorded_orally_by: str | None

    @staticmethod
    def resolve_recipient_ids(obj: Consent) -> list[Any]:
        return [r.pk for r in obj.recipients.all()]

    @staticmethod
    def resolve_has_document(obj: Consent) -> bool:
        return bool(obj.document)

    @staticmethod
    def resolve_recorded_orally_by(obj: Consent) -> str | None:
        return obj.recorded_orally_by.username if obj.recorded_orally_by else None


class ConsentIn(Schema):
    recorded_by_institution_id: uuid.UUID | None = None
    recipient_ids: list[uuid.UUID]
    purpose: str
    categories: list[str]
    given_on: datetime.date
    valid_until: datetime.date | None = None
    recorded_orally_by: str | None = Field(None, description="User name of the worker who heard the consent.")
    document_name: str | None = Field(None, description="File name of the signed document (.pdf, .jpg, .png).")
    document_base64: str | None = Field(None, description="The signed document, base64-encoded.")


class ExplanationOut(Schema):
    category: str
    label: str
    allowed: bool
    reason: str


class LogEntryOut(Schema):
    id: int
    at: datetime.datetime
    username: str = Field(alias="actor_username")
    institution_id: uuid.UUID | None
    person_id: uuid.UUID
    categories: list[str]
    purpose: str
    channel: str
    resource: str


class LogFilter(Schema):
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    username: str = ""
    person_id: uuid.UUID | None = None


class TableOut(Schema):
    caption: str
    headers: list[str]
    rows: list[list[str]]


class SectionOut(Schema):
    title: str
    fields: list[tuple[str, str]]
    paragraphs: list[str]
    tables: list[TableOut]


class ReportOut(Schema):
    person_id: uuid.UUID
    generated_at: datetime.datetime
    include_usernames: bool
    sections: list[SectionOut]


def _shown(categories: set[str]) -> list[str]:
    return sorted({DataCategory.IDENTITY} & categories)


@router.get("/legal-bases", response=list[LegalBasisOut])
def legal_bases(request: HttpRequest) -> Any:
    """The legal bases (reference data)."""
    return list(LegalBasis.objects.filter(active=True).order_by("kind", "code"))


@router.get("/persons/{person_id}/consents", response=list[ConsentOut])
def person_consents(request: HttpRequest, person_id: uuid.UUID) -> Any:
    """The person's consents recorded or received by the caller's institutions."""
    person, categories = policies.get_person_for_actor(request.user, person_id)
    consents = list(selectors.person_consents(actor=request.user, person=person))
    services.log_person_read(request, person=person, categories=_shown(categories))
    return consents


def _document(payload: ConsentIn) -> Any:
    if not payload.document_base64:
        return None
    try:
        content = base64.b64decode(payload.document_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError({"document": _("The document is not valid base64.")}) from exc
    return ContentFile(content, name=payload.document_name or "document")


@router.post("/persons/{person_id}/consents", response={201: ConsentOut})
def consent_create(request: HttpRequest, person_id: uuid.UUID, payload: ConsentIn) -> Any:
    """Record a consent (a case coordinator of an institution working with the person)."""
    person, categories = policies.get_person_for_actor(request.user, person_id)
    writer_ids = policies.consent_writer_institution_ids(request.user, person)
    if not writer_ids:
        raise PermissionDenied(_("Only a case coordinator of an institution working with the person may do this."))
    institution_id = payload.recorded_by_institution_id or writer_ids[0]
    if institution_id not in writer_ids:
        raise ValidationError({"recorded_by_institution_id": _("Choose one of your institutions.")})
    recipients = list(Institution.objects.filter(pk__in=payload.recipient_ids))
    if len(recipients) != len(set(payload.recipient_ids)):
        raise ValidationError({"recipients": _("Unknown recipient institution.")})
    orally_by = None
    if payload.recorded_orally_by:
        orally_by = User.objects.filter(
            username=payload.recorded_orally_by,
            pk__in=Membership.objects.current().filter(institution_id__in=writer_ids).values("user_id"),
        ).first()
        if orally_by is None:
            raise ValidationError({"recorded_orally_by": _("Name a worker of your institution.")})
    consent = services.consent_record(
        actor=request.user,
        person=person,
        recorded_by_institution=Institution.objects.get(pk=institution_id),
        recipients=recipients,
        purpose=payload.purpose,
        categories=payload.categories,
        given_on=payload.given_on,
        valid_until=payload.valid_until,
        document=_document(payload),
        recorded_orally_by=orally_by,
    )
    services.log_person_read(request, person=person, categories=_shown(categories))
    return Status(201, consent)


@router.get("/consents/{consent_id}", response=ConsentOut)
def consent_detail(request: HttpRequest, consent_id: int) -> Any:
    consent, categories = policies.get_consent_for_actor(request.user, consent_id)
    services.log_person_read(request, person=consent.person_id, categories=_shown(categories))
    return consent


@router.post("/consents/{consent_id}/withdraw", response=ConsentOut)
def consent_withdraw(request: HttpRequest, consent_id: int) -> Any:
    """Withdraw a consent: takes effect at once."""
    consent, categories = policies.get_consent_for_actor(request.user, consent_id, need="write")
    consent = services.consent_withdraw(actor=request.user, consent=consent)
    services.log_person_read(request, person=consent.person_id, categories=_shown(categories))
    return consent


@router.get("/consents/{consent_id}/document")
def consent_document(request: HttpRequest, consent_id: int) -> FileResponse:
    consent, categories = policies.get_consent_for_actor(request.user, consent_id)
    if not consent.document:
        raise Http404
    services.log_person_read(request, person=consent.person_id, categories=_shown(categories))
    extension = consent.document.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(consent.document.open("rb"), as_attachment=True, filename=f"zgoda-{consent.pk}.{extension}")
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/persons/{person_id}/sharing", response=list[ExplanationOut])
def sharing(request: HttpRequest, person_id: uuid.UUID, institution_id: uuid.UUID, procedure: str = "") -> Any:
    """For each data category: may it be shared with the institution, and why (a legal basis or a consent)."""
    person, categories = policies.get_person_for_actor(request.user, person_id)
    try:
        institution = Institution.objects.get(pk=institution_id)
    except Institution.DoesNotExist as exc:
        raise Http404 from exc
    services.log_person_read(request, person=person, categories=_shown(categories))
    return [
        {"category": category, "label": label, "allowed": allowed, "reason": reason}
        for category, label, allowed, reason in policies.sharing_explanations(
            person=person, institution=institution, procedure=procedure
        )
    ]


@router.get("/persons/{person_id}/report", response=ReportOut)
def person_report(request: HttpRequest, person_id: uuid.UUID, include_usernames: bool = False) -> Any:
    """The art. 15 report (the DPO of an institution that holds a grant for the person, or a system administrator)."""
    person, institution = policies.get_person_for_report(request.user, person_id)
    report = reports.person_report(
        actor=request.user, person=person, institution=institution, include_usernames=include_usernames
    )
    return {
        "person_id": person.pk,
        "generated_at": report.generated_at,
        "include_usernames": report.include_usernames,
        "sections": [
            {
                "title": section.title,
                "fields": section.fields,
                "paragraphs": section.paragraphs,
                "tables": [
                    {"caption": t.caption, "headers": list(t.headers), "rows": [list(r) for r in t.rows]}
                    for t in section.tables
                ],
            }
            for section in report.sections
        ],
    }


@router.get("/access-log", response=list[LogEntryOut])
@paginate(PageNumberPagination)
def access_log(request: HttpRequest, filters: Query[LogFilter]) -> Any:
    """The access log of the DPO's institutions (DPO only)."""
    return selectors.access_log_for_dpo(
        actor=request.user,
        filters=selectors.LogFilters(
            date_from=filters.date_from,
            date_to=filters.date_to,
            username=filters.username,
            person_id=filters.person_id,
        ),
    )
