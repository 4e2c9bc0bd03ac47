"""A referral as a FHIR R4 Bundle: Patient (only the shared categories), the two Organizations, a ServiceRequest and a
Task — the closed-loop referral pattern of the HL7 SDOH Clinical Care guide (the requester's ServiceRequest, the
performer's Task whose status carries the loop: requested → received → accepted/rejected → in-progress → completed).

The Patient carries identity (name, birthDate, gender) only if identity is shared, telecom and address only if contact
is; its id is the referral's, never the person's own id.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from kooperacja.referrals.models import Referral, State

TASK_STATUS = {
    State.DRAFT: "draft",
    State.SENT: "requested",
    State.RECEIVED: "received",
    State.ACCEPTED: "accepted",
    State.DECLINED: "rejected",
    State.IN_PROGRESS: "in-progress",
    State.COMPLETED: "completed",
    State.CANCELLED: "cancelled",
    State.EXPIRED: "failed",
    State.SUSPENDED: "on-hold",
}
SERVICE_REQUEST_STATUS = {
    State.DRAFT: "draft",
    State.SENT: "active",
    State.RECEIVED: "active",
    State.ACCEPTED: "active",
    State.IN_PROGRESS: "active",
    State.SUSPENDED: "on-hold",
    State.COMPLETED: "completed",
    State.DECLINED: "revoked",
    State.CANCELLED: "revoked",
    State.EXPIRED: "revoked",
}
SDOH_CATEGORY = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
GENDER = {"F": "female", "M": "male"}
OUTCOME_TEXT = {"helped": "person helped", "partly": "partly helped", "not_helped": "not helped"}


def _instant(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _organization(institution: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Organization", "id": str(institution.pk), "name": institution.name}
    if institution.regon:
        resource["identifier"] = [{"system": "https://www.gov.pl/regon", "value": institution.regon}]
    return resource


def _patient(referral: Referral, categories: set[str]) -> dict[str, Any]:
    person = referral.person
    patient: dict[str, Any] = {"resourceType": "Patient", "id": f"p-{referral.pk}"}
    if "identity" in categories:
        given = [name for name in (person.first_name, person.second_name) if name]
        patient["name"] = [{"family": person.last_name, "given": given}]
        if person.birth_date:
            patient["birthDate"] = person.birth_date.isoformat()
        if person.sex in GENDER:
            patient["gender"] = GENDER[person.sex]
    if "contact" in categories:
        telecom = []
        if person.phone:
            telecom.append({"system": "phone", "value": person.phone})
        if person.email:
            telecom.append({"system": "email", "value": person.email})
        if telecom:
            patient["telecom"] = telecom
        if person.street or person.town:
            address: dict[str, Any] = {"country": "PL"}
            if person.street:
                address["line"] = [person.street]
            if person.town:
                address["city"] = person.town
            if person.postal_code:
                address["postalCode"] = person.postal_code
            patient["address"] = [address]
    return patient


def referral_bundle(referral: Referral, categories: set[str], *, texts: bool = True) -> dict[str, Any]:
    """The Bundle (type collection) as a dict ready for JSON. `texts=False` leaves out the free texts (what is asked,
    the decline reason and the outcome): the recipient of a suspended referral sees none of them."""
    base = settings.SITE_URL.rstrip("/")
    request_id = f"sr-{referral.pk}"
    task_id = f"task-{referral.pk}"
    patient = _patient(referral, categories)
    sender = _organization(referral.sender)
    recipient = _organization(referral.recipient)
    service_request: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": request_id,
        "status": SERVICE_REQUEST_STATUS[State(referral.state)],
        "intent": "order",
        "priority": "urgent" if referral.urgency == "urgent" else "routine",
        "category": [{"coding": [{"system": SDOH_CATEGORY, "code": "sdoh-category-unspecified"}]}],
        "code": {"text": referral.service.name if referral.service else "referral"},
        "subject": {"reference": f"Patient/{patient['id']}"},
        "requester": {"reference": f"Organization/{sender['id']}"},
        "performer": [{"reference": f"Organization/{recipient['id']}"}],
        "note": [{"text": referral.reason}] if referral.reason and texts else None,
    }
    if referral.sent_at:
        service_request["authoredOn"] = _instant(referral.sent_at)
    task: dict[str, Any] = {
        "resourceType": "Task",
        "id": task_id,
        "status": TASK_STATUS[State(referral.state)],
        "intent": "order",
        # The SDOH Clinical Care referral-management Task: "fulfill" the ServiceRequest it focuses on.
        "code": {"coding": [{"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}]},
        "priority": service_request["priority"],
        "focus": {"reference": f"ServiceRequest/{request_id}"},
        "for": {"reference": f"Patient/{patient['id']}"},
        "requester": {"reference": f"Organization/{sender['id']}"},
        "owner": {"reference": f"Organization/{recipient['id']}"},
        "authoredOn": _instant(referral.sent_at or referral.created_at),
        "lastModified": _instant(referral.closed_at or referral.received_at or referral.sent_at or referral.created_at),
    }
    if referral.answer_due_at:
        task["restriction"] = {"period": {"end": _instant(referral.answer_due_at)}}
    if referral.state == State.DECLINED:
        task["statusReason"] = {"text": referral.get_decline_reason_display()}
    if referral.state == State.SUSPENDED and referral.suspension_reason:
        task["statusReason"] = {"text": referral.get_suspension_reason_display()}
    if referral.state == State.COMPLETED and texts:
        task["output"] = [
            {"type": {"text": "outcome"}, "valueString": OUTCOME_TEXT.get(referral.outcome, referral.outcome)},
            {"type": {"text": "what was done"}, "valueString": referral.work_done},
        ]
        if referral.feedback:
            task["output"].append({"type": {"text": "feedback"}, "valueString": referral.feedback})
    service_request = {key: value for key, value in service_request.items() if value is not None}
    resources = [service_request, task, patient, sender, recipient]
    return {
        "resourceType": "Bundle",
        "id": f"referral-{referral.pk}",
        "type": "collection",
        "timestamp": _instant(referral.closed_at or referral.received_at or referral.sent_at or referral.created_at),
        "entry": [
            {"fullUrl": f"{base}/fhir/{resource['resourceType']}/{resource['id']}", "resource": resource}
            for resource in resources
        ],
    }
