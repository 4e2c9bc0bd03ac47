"""Persons and households in the JSON API (/api/v1/people/): the same policies, selectors and services as the pages,
and the same access log (channel "api"). Outsiders get 404, readers who try to write get 403; a person who may
already be recorded is a 409 with the candidates, unless `confirm_not_duplicate`.

Searches are POST requests with a JSON body: a name or a PESEL never travels in a URL."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from kooperacja.people import policies, selectors, services
from kooperacja.people.access import log_reads
from kooperacja.people.models import Household, HouseholdMember, Person, PersonMerge
from kooperacja.people.pesel import pesel_mask
from kooperacja.privacy.models import Channel, DataCategory, Purpose
from kooperacja.territory.models import Gmina

router = Router(tags=["people"])

IDENTITY, CONTACT, FAMILY = DataCategory.IDENTITY, DataCategory.CONTACT, DataCategory.FAMILY
MAX_RESULTS = 50


# --- schemas ---------------------------------------------------------------------------------------------------------


class SearchIn(Schema):
    q: str = ""
    pesel: str = ""
    page: int = Field(1, ge=1)


class PersonBrief(Schema):
    id: uuid.UUID
    first_name: str
    second_name: str
    last_name: str
    birth_date: datetime.date | None
    town: str


class SearchOut(Schema):
    items: list[PersonBrief]
    count: int
    page: int


class IdentityOut(Schema):
    first_name: str
    second_name: str
    last_name: str
    family_name: str
    birth_date: datetime.date | None
    sex: str
    pesel: str
    pesel_masked: bool
    citizenship: str
    recorded_by_institution: uuid.UUID | None


class ContactOut(Schema):
    street: str
    postal_code: str
    town: str
    gmina: str | None
    phone: str
    email: str


class MembershipOut(Schema):
    id: int
    household: uuid.UUID
    household_name: str
    person: uuid.UUID
    relation: str
    since: datetime.date | None
    until: datetime.date | None


class PersonOut(Schema):
    id: uuid.UUID
    categories: list[str]
    may_edit: bool
    identity: IdentityOut | None = None
    contact: ContactOut | None = None
    households: list[MembershipOut] | None = None


class PersonIn(Schema):
    first_name: str
    last_name: str
    second_name: str = ""
    family_name: str = ""
    birth_date: datetime.date | None = None
    sex: str = ""
    pesel: str = ""
    citizenship: str = "polskie"
    street: str = ""
    postal_code: str = ""
    town: str = ""
    gmina: str | None = Field(None, description="TERYT code of the gmina")
    phone: str = ""
    email: str = ""
    institution: uuid.UUID | None = None
    confirm_not_duplicate: bool = False


class PersonPatch(Schema):
    first_name: str | None = None
    second_name: str | None = None
    last_name: str | None = None
    family_name: str | None = None
    birth_date: datetime.date | None = None
    sex: str | None = None
    pesel: str | None = None
    citizenship: str | None = None
    street: str | None = None
    postal_code: str | None = None
    town: str | None = None
    gmina: str | None = None
    phone: str | None = None
    email: str | None = None


class CandidateOut(Schema):
    person: PersonBrief
    score: int
    reasons: list[str]


class HouseholdIn(Schema):
    name: str
    street: str = ""
    postal_code: str = ""
    town: str = ""
    gmina: str | None = None
    institution: uuid.UUID | None = None


class HouseholdOut(Schema):
    id: uuid.UUID
    name: str
    street: str
    postal_code: str
    town: str
    gmina: str | None
    may_edit: bool = False
    members: list[MembershipOut] = []
    hidden_members: int = 0


class MemberIn(Schema):
    person: uuid.UUID
    relation: str
    since: datetime.date | None = None
    until: datetime.date | None = None


class MemberEndIn(Schema):
    until: datetime.date | None = None


class MergeIn(Schema):
    merged: uuid.UUID
    reason: str


class MergeOut(Schema):
    id: int
    survivor: uuid.UUID
    merged: uuid.UUID
    merged_at: datetime.datetime
    unmerged_at: datetime.datetime | None
    snapshot: dict[str, list[Any]]

    @staticmethod
    def resolve_survivor(obj: PersonMerge) -> uuid.UUID:
        return obj.survivor_id

    @staticmethod
    def resolve_merged(obj: PersonMerge) -> uuid.UUID:
        return obj.merged_id


# --- helpers ---------------------------------------------------------------------------------------------------------


def _brief(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "first_name": person.first_name,
        "second_name": person.second_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date,
        "town": person.town,
    }


def _gmina(code: str | None) -> Gmina | None:
    if not code:
        return None
    gmina = Gmina.objects.filter(code=code).first()
    if gmina is None:
        raise HttpError(422, "Unknown gmina (TERYT code).")
    return gmina


def _membership(member: HouseholdMember) -> dict[str, Any]:
    return {
        "id": member.pk,
        "household": member.household_id,
        "household_name": member.household.name,
        "person": member.person_id,
        "relation": member.relation,
        "since": member.since,
        "until": member.until,
    }


def _person_out(request: HttpRequest, person: Person, categories: set[str], resource: str) -> dict[str, Any]:
    actor = request.user
    may_edit = policies.can_edit_person(actor, person)
    shown = sorted(c for c in policies.PEOPLE_CATEGORIES if c in categories)
    out: dict[str, Any] = {"id": person.pk, "categories": shown, "may_edit": may_edit}
    if IDENTITY in categories:
        pesel = services.person_pesel(person)
        out["identity"] = {
            "first_name": person.first_name,
            "second_name": person.second_name,
            "last_name": person.last_name,
            "family_name": person.family_name,
            "birth_date": person.birth_date,
            "sex": person.sex,
            "pesel": pesel if may_edit else pesel_mask(pesel),
            "pesel_masked": bool(pesel) and not may_edit,
            "citizenship": person.citizenship,
            "recorded_by_institution": person.recorded_by_institution_id,
        }
    if CONTACT in categories:
        out["contact"] = {
            "street": person.street,
            "postal_code": person.postal_code,
            "town": person.town,
            "gmina": person.gmina.code if person.gmina else None,
            "phone": person.phone,
            "email": person.email,
        }
    if FAMILY in categories:
        out["households"] = [_membership(m) for m in selectors.person_memberships(person=person)]
    log_reads(actor=actor, shown=[(person, shown)], resource=resource, channel=Channel.API)
    return out


def _household_out(request: HttpRequest, household: Household, person_ids: set[Any], resource: str) -> dict[str, Any]:
    members = selectors.household_members(household=household, person_ids=person_ids)
    hidden = household.members.exclude(person_id__in=person_ids).values("person_id").distinct().count()
    log_reads(
        actor=request.user,
        shown=[(m.person, [IDENTITY, FAMILY]) for m in {m.person_id: m for m in members}.values()],
        resource=resource,
        channel=Channel.API,
    )
    return {
        "id": household.pk,
        "name": household.name,
        "street": household.street,
        "postal_code": household.postal_code,
        "town": household.town,
        "gmina": household.gmina.code if household.gmina else None,
        "may_edit": policies.can_edit_household(request.user, household),
        "members": [_membership(m) for m in members],
        "hidden_members": hidden,
    }


# --- persons ---------------------------------------------------------------------------------------------------------


@router.post("/persons/search", response=SearchOut, summary="Search persons (name fragment and/or exact PESEL)")
def search_persons(request: HttpRequest, payload: SearchIn) -> dict[str, Any]:
    persons = selectors.person_search(actor=request.user, q=payload.q, pesel=payload.pesel)
    count = persons.count()
    offset = (payload.page - 1) * MAX_RESULTS
    rows = list(persons[offset : offset + MAX_RESULTS])
    log_reads(
        actor=request.user,
        shown=[(p, [IDENTITY]) for p in rows],
        resource="api:people:search",
        channel=Channel.API,
        purpose=Purpose.INTAKE,
    )
    return {"items": [_brief(p) for p in rows], "count": count, "page": payload.page}


@router.get("/persons/{person_id}", response=PersonOut, summary="One person: only the categories you may see")
def get_person(request: HttpRequest, person_id: uuid.UUID) -> dict[str, Any]:
    person, categories = policies.get_person_for_actor(request.user, person_id)
    return _person_out(request, person, categories, f"api:people:person:{person.pk}")


@router.post(
    "/persons",
    response={201: PersonOut, 409: dict[str, Any]},
    summary="Record a person (409 with the candidate duplicates unless confirm_not_duplicate)",
)
def create_person(request: HttpRequest, payload: PersonIn) -> Any:
    data = payload.dict()
    institution_id = data.pop("institution")
    institution = None
    if institution_id is not None:
        institution = next((i for i in policies.recording_institutions(request.user) if i.pk == institution_id), None)
        if institution is None:
            raise PermissionDenied
    data["gmina"] = _gmina(data["gmina"])
    try:
        person = services.person_create(actor=request.user, institution=institution, **data)
    except services.DuplicateCandidates as exc:
        log_reads(
            actor=request.user,
            shown=[(c.person, [IDENTITY]) for c in exc.candidates],
            resource="api:people:create:duplicates",
            channel=Channel.API,
            purpose=Purpose.INTAKE,
        )
        return Status(
            409,
            {
                "code": "possible_duplicate",
                "message": str(exc),
                "candidates": [
                    {"person": _brief(c.person), "score": c.score, "reasons": c.reasons} for c in exc.candidates
                ],
            },
        )
    person, categories = policies.get_person_for_actor(request.user, person.pk)
    return Status(201, _person_out(request, person, categories, f"api:people:person:{person.pk}"))


@router.patch("/persons/{person_id}", response=PersonOut, summary="Change a person's data")
def patch_person(request: HttpRequest, person_id: uuid.UUID, payload: PersonPatch) -> dict[str, Any]:
    person, _categories = policies.get_person_for_actor(request.user, person_id, need="write")
    changes = payload.dict(exclude_unset=True)
    pesel = changes.pop("pesel", None)
    if "gmina" in changes:
        changes["gmina"] = _gmina(changes["gmina"])
    changes = {k: ("" if v is None and k not in ("birth_date", "gmina") else v) for k, v in changes.items()}
    services.person_update(actor=request.user, person=person, pesel=pesel, **changes)
    person, categories = policies.get_person_for_actor(request.user, person_id)
    return _person_out(request, person, categories, f"api:people:person:{person.pk}")


@router.post("/persons/{person_id}/merge", response={201: MergeOut}, summary="Merge another record into this one")
def merge_person(request: HttpRequest, person_id: uuid.UUID, payload: MergeIn) -> Any:
    survivor, _categories = policies.get_person_for_actor(request.user, person_id)
    merged, _other = policies.get_person_for_actor(request.user, payload.merged)
    merge = services.person_merge(actor=request.user, survivor=survivor, merged=merged, reason=payload.reason)
    return Status(201, merge)


@router.post("/merges/{merge_id}/undo", response=MergeOut, summary="Undo a merge")
def unmerge(request: HttpRequest, merge_id: int) -> PersonMerge:
    merge = get_object_or_404(PersonMerge.objects.select_related("survivor", "merged"), pk=merge_id)
    policies.get_person_for_actor(request.user, merge.survivor_id)
    return services.person_unmerge(actor=request.user, merge=merge)


# --- households ------------------------------------------------------------------------------------------------------


@router.get("/households", response=list[HouseholdOut], summary="Households you may see")
def list_households(request: HttpRequest) -> list[dict[str, Any]]:
    rows = list(selectors.households_for(actor=request.user)[:200])
    log_reads(
        actor=request.user,
        shown=selectors.household_list_reads(actor=request.user, households=rows),
        resource="api:people:households",
        channel=Channel.API,
    )
    return [
        {
            "id": h.pk,
            "name": h.name,
            "street": h.street,
            "postal_code": h.postal_code,
            "town": h.town,
            "gmina": h.gmina.code if h.gmina else None,
        }
        for h in rows
    ]


@router.get("/households/{household_id}", response=HouseholdOut, summary="One household with the members you may see")
def get_household(request: HttpRequest, household_id: uuid.UUID) -> dict[str, Any]:
    household, person_ids = policies.get_household_for_actor(request.user, household_id)
    return _household_out(request, household, person_ids, f"api:people:household:{household.pk}")


@router.post("/households", response={201: HouseholdOut}, summary="Record a household")
def create_household(request: HttpRequest, payload: HouseholdIn) -> Any:
    data = payload.dict()
    institution_id = data.pop("institution")
    institution = None
    if institution_id is not None:
        institution = next((i for i in policies.recording_institutions(request.user) if i.pk == institution_id), None)
        if institution is None:
            raise PermissionDenied
    data["gmina"] = _gmina(data["gmina"])
    household = services.household_create(actor=request.user, institution=institution, **data)
    household, person_ids = policies.get_household_for_actor(request.user, household.pk)
    return Status(201, _household_out(request, household, person_ids, f"api:people:household:{household.pk}"))


@router.post("/households/{household_id}/members", response={201: MembershipOut}, summary="Add a member")
def add_member(request: HttpRequest, household_id: uuid.UUID, payload: MemberIn) -> Any:
    household, _ids = policies.get_household_for_actor(request.user, household_id, need="write")
    person, _categories = policies.get_person_for_actor(request.user, payload.person)
    member = services.household_member_add(
        actor=request.user,
        household=household,
        person=person,
        relation=payload.relation,
        since=payload.since,
        until=payload.until,
    )
    return Status(201, _membership(member))


@router.post("/members/{member_id}/end", response=MembershipOut, summary="End a membership")
def end_member(request: HttpRequest, member_id: int, payload: MemberEndIn) -> dict[str, Any]:
    member = get_object_or_404(HouseholdMember.objects.select_related("household"), pk=member_id)
    _household, person_ids = policies.get_household_for_actor(request.user, member.household_id, need="write")
    if member.person_id not in person_ids:
        raise Http404
    member = services.household_member_end(actor=request.user, member=member, until=payload.until)
    return _membership(member)
