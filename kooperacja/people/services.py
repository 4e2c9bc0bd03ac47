"""Writes of the people context: persons, households and their members, merges. Each checks its policy, validates,
saves in one transaction and is audited (field names only: never personal data in the audit trail).

Higher contexts (cases, referrals) that hold rows pointing to persons register with `on_person_merge` /
`on_person_unmerge` so that a merge moves their rows too and an unmerge moves exactly those rows back.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kooperacja.core.services import audit_record
from kooperacja.directory.models import Institution
from kooperacja.people import crypto, policies, selectors
from kooperacja.people.models import Household, HouseholdMember, Person, PersonMerge
from kooperacja.people.pesel import pesel_birth_date, pesel_clean, pesel_consistency_errors, pesel_sex, pesel_validate
from kooperacja.privacy import policies as privacy_policies
from kooperacja.privacy import services as privacy_services
from kooperacja.privacy.models import AccessGrant, Consent

RECORD_SOURCE = "record"
PERSON_FIELDS = (
    "first_name",
    "second_name",
    "last_name",
    "family_name",
    "birth_date",
    "sex",
    "citizenship",
    "street",
    "postal_code",
    "town",
    "gmina",
    "phone",
    "email",
)


class DuplicateCandidates(Exception):
    """The new person may already be recorded: confirm "a different person" or open the existing record."""

    def __init__(self, candidates: list[selectors.Candidate]) -> None:
        super().__init__(_("This person may already be recorded."))
        self.candidates = candidates


# --- the merge registry ----------------------------------------------------------------------------------------------

MergeCallback = Callable[..., Any]
_merge_callbacks: dict[str, MergeCallback] = {}
_unmerge_callbacks: dict[str, MergeCallback] = {}


def _callback_key(callback: MergeCallback, key: str | None) -> str:
    return key or f"{callback.__module__}.{getattr(callback, '__qualname__', 'callback')}"


def on_person_merge(callback: MergeCallback, *, key: str | None = None) -> None:
    """Register `callback(*, survivor, merged, snapshot)`, run inside a merge's transaction after people's own rows
    moved: it moves the caller's rows from `merged` to `survivor` and returns the ids it moved (JSON-serialisable),
    kept in the merge's snapshot under `key` (default: the callback's dotted name) for the unmerge."""
    _merge_callbacks[_callback_key(callback, key)] = callback


def on_person_unmerge(callback: MergeCallback, *, key: str | None = None) -> None:
    """Register `callback(*, survivor, merged, snapshot)`, run inside an unmerge's transaction: it moves back exactly
    the rows whose ids are in `snapshot[key]` (what its merge callback returned) from `survivor` to `merged`."""
    _unmerge_callbacks[_callback_key(callback, key)] = callback


# --- persons ---------------------------------------------------------------------------------------------------------


def _apply_pesel(person: Person, pesel: str) -> None:
    """Validate the PESEL, fill an empty birth date and sex from it, and refuse contradicting ones."""
    if not pesel_clean(pesel):
        person.pesel_encrypted = ""
        person.pesel_index = ""
        return
    try:
        number = pesel_validate(pesel)
    except ValidationError as exc:
        raise ValidationError({"pesel": exc.messages}) from exc
    errors = pesel_consistency_errors(number, birth_date=person.birth_date, sex=person.sex)
    if errors:
        raise ValidationError({name: [message] for name, message in errors.items()})
    if person.birth_date is None:
        person.birth_date = pesel_birth_date(number)
    if not person.sex:
        person.sex = pesel_sex(number)
    person.pesel_encrypted = crypto.encrypt(number)
    person.pesel_index = crypto.blind_index(number)


def person_pesel(person: Person) -> str:
    """The decrypted PESEL ('' when none). Callers show it only after the policy allowed the identity category."""
    return crypto.decrypt(person.pesel_encrypted)


def _recording_institution(actor: Any, institution: Institution | None) -> Institution:
    allowed = policies.recording_institutions(actor)
    if institution is None and len(allowed) == 1:
        return allowed[0]
    if institution is not None and any(inst.pk == institution.pk for inst in allowed):
        return institution
    if not allowed:
        raise PermissionDenied(
            _(
                "Only a social welfare centre (OPS), a social services centre (CUS) or a county family support "
                "centre (PCPR) records persons, on its statutory basis. Partner institutions see persons only "
                "through cases and referrals."
            )
        )
    raise ValidationError({"institution": [_("Choose the institution that records the person.")]})


def person_create(
    *,
    actor: Any,
    first_name: str,
    last_name: str,
    institution: Institution | None = None,
    second_name: str = "",
    family_name: str = "",
    birth_date: datetime.date | None = None,
    sex: str = "",
    pesel: str = "",
    citizenship: str = "polskie",
    street: str = "",
    postal_code: str = "",
    town: str = "",
    gmina: Any = None,
    phone: str = "",
    email: str = "",
    confirm_not_duplicate: bool = False,
) -> Person:
    """Record a person at one of the actor's recording institutions (OPS/CUS/PCPR), which gets the "record" grant on
    its statutory basis. Raises DuplicateCandidates unless `confirm_not_duplicate` when similar records exist."""
    institution = _recording_institution(actor, institution)
    basis = policies.recording_basis(institution)
    if basis is None:  # pragma: no cover - recording_institutions() only returns institutions with a basis
        raise PermissionDenied
    person = Person(
        first_name=first_name.strip(),
        second_name=second_name.strip(),
        last_name=last_name.strip(),
        family_name=family_name.strip(),
        birth_date=birth_date,
        sex=sex,
        citizenship=citizenship.strip(),
        street=street.strip(),
        postal_code=postal_code.strip(),
        town=town.strip(),
        gmina=gmina,
        phone=phone.strip(),
        email=email.strip(),
        recorded_by_institution=institution,
    )
    _apply_pesel(person, pesel)
    person.refresh_search_fields()
    person.full_clean()
    if not confirm_not_duplicate:
        candidates = selectors.person_duplicates(
            actor=actor,
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
            pesel=pesel,
            street=person.street,
            postal_code=person.postal_code,
            town=person.town,
        )
        if candidates:
            raise DuplicateCandidates(candidates)
    with transaction.atomic():
        person.save()
        privacy_services.grant_open(
            actor=actor,
            person=person,
            institution=institution,
            categories=list(basis.covers),
            source_type=RECORD_SOURCE,
            source_id=str(person.pk),
            legal_basis=basis,
        )
        audit_record(
            actor=actor,
            action="people.person_create",
            target=person,
            institution_id=institution.pk,
            data={"basis": basis.code, "confirmed_not_duplicate": confirm_not_duplicate},
        )
    return person


def person_update(*, actor: Any, person: Person, pesel: str | None = None, **changes: Any) -> Person:
    """Change a person's fields (names, birth date, sex, citizenship, address, contacts) and, when `pesel` is given
    (not None), the PESEL ('' removes it). Needs a writer of an institution with a statutory grant (else 403)."""
    if not policies.can_edit_person(actor, person):
        if not privacy_policies.can_see_person(actor, person):
            raise Http404
        raise PermissionDenied
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_update() got unexpected fields: {sorted(unknown)}")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        before = {name: getattr(person, name) for name in PERSON_FIELDS}
        old_index = person.pesel_index
        for name, value in changes.items():
            setattr(person, name, value.strip() if isinstance(value, str) else value)
        if pesel is not None:
            _apply_pesel(person, pesel)
        elif person.pesel_encrypted:
            # The stored PESEL must still agree with a changed birth date or sex.
            _apply_pesel(person, crypto.decrypt(person.pesel_encrypted))
        person.refresh_search_fields()
        person.full_clean()
        person.save()
        changed = sorted(name for name in PERSON_FIELDS if getattr(person, name) != before[name])
        if person.pesel_index != old_index:
            changed.append("pesel")
        audit_record(actor=actor, action="people.person_update", target=person, data={"fields": changed})
    return person


def pesel_keys_rotate(*, batch_size: int = 2000) -> int:
    """Re-encrypt every PESEL under the newest key and recompute its blind index under the current index key.
    Returns how many rows changed. Run after putting a new key first in PERSONAL_DATA_KEYS (or a new index key)."""
    changed = 0
    last_pk: Any = None
    while True:
        rows = Person.objects.exclude(pesel_encrypted="").order_by("pk")
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        batch = list(rows.only("pk", "pesel_encrypted", "pesel_index")[:batch_size])
        if not batch:
            return changed
        last_pk = batch[-1].pk
        updates = []
        for person in batch:
            number = crypto.decrypt(person.pesel_encrypted)
            index = crypto.blind_index(number)
            if crypto.is_current(person.pesel_encrypted) and index == person.pesel_index:
                continue
            person.pesel_encrypted = crypto.rotate(person.pesel_encrypted)
            person.pesel_index = index
            updates.append(person)
        with transaction.atomic():
            Person.objects.bulk_update(updates, ["pesel_encrypted", "pesel_index"])
        changed += len(updates)


# --- households ------------------------------------------------------------------------------------------------------


def household_create(
    *,
    actor: Any,
    name: str,
    institution: Institution | None = None,
    street: str = "",
    postal_code: str = "",
    town: str = "",
    gmina: Any = None,
) -> Household:
    """A household recorded by one of the actor's recording institutions."""
    institution = _recording_institution(actor, institution)
    household = Household(
        name=name.strip(),
        street=street.strip(),
        postal_code=postal_code.strip(),
        town=town.strip(),
        gmina=gmina,
        recorded_by_institution=institution,
    )
    household.full_clean()
    with transaction.atomic():
        household.save()
        audit_record(actor=actor, action="people.household_create", target=household, institution_id=institution.pk)
    return household


def household_member_add(
    *,
    actor: Any,
    household: Household,
    person: Person,
    relation: str,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> HouseholdMember:
    """Add a person (whom the actor may change) to a household the actor may change, with a relation and dates."""
    if not policies.can_edit_household(actor, household) or not policies.can_edit_person(actor, person):
        raise PermissionDenied
    if person.merged_into_id is not None or person.anonymised_at is not None:
        raise ValidationError({"person": [_("This record was merged into another one or anonymised.")]})
    member = HouseholdMember(household=household, person=person, relation=relation, since=since, until=until)
    member.full_clean()
    with transaction.atomic():
        if (
            until is None
            and HouseholdMember.objects.select_for_update()
            .filter(household=household, person=person, until__isnull=True)
            .exists()
        ):
            raise ValidationError({"person": [_("This person is already a current member of this household.")]})
        member.save()
        audit_record(
            actor=actor,
            action="people.household_member_add",
            target=member,
            institution_id=household.recorded_by_institution_id,
            data={"household": str(household.pk), "relation": relation},
        )
    return member


def household_member_end(*, actor: Any, member: HouseholdMember, until: datetime.date | None = None) -> HouseholdMember:
    """End a membership on a date (today by default): the person left the household."""
    household = member.household
    if not policies.can_edit_household(actor, household):
        raise PermissionDenied
    with transaction.atomic():
        member = HouseholdMember.objects.select_for_update().get(pk=member.pk)
        if member.until is not None:
            raise ValidationError({"until": [_("This membership has already ended.")]})
        member.until = until or timezone.localdate()
        if member.since is not None and member.until < member.since:
            raise ValidationError({"until": [_("The end date cannot be before the start date.")]})
        member.full_clean()
        member.save(update_fields=["until"])
        audit_record(
            actor=actor,
            action="people.household_member_end",
            target=member,
            institution_id=household.recorded_by_institution_id,
        )
    return member


# --- merges ----------------------------------------------------------------------------------------------------------

SNAPSHOT_MEMBERS = "people.householdmember"
SNAPSHOT_GRANTS = "privacy.accessgrant"
SNAPSHOT_CONSENTS = "privacy.consent"


def _move(model: Any, ids: Iterable[Any], *, to: Person) -> None:
    model.objects.filter(pk__in=list(ids)).update(person=to)


def person_merge(*, actor: Any, survivor: Person, merged: Person, reason: str = "") -> PersonMerge:
    """Join two records of one person: `merged` points to `survivor`; its household memberships, access grants,
    consents (and what the registered contexts move) go to `survivor`. Recorded and reversible (person_unmerge).
    Needs a case coordinator, institution manager or DPO of an institution that sees both records."""
    if not policies.can_merge_any(actor, survivor):
        raise PermissionDenied(_("Merging records needs a case coordinator or a manager."))
    if survivor.pk == merged.pk:
        raise ValidationError(_("Choose two different records."))
    if not policies.can_merge_persons(actor, survivor, merged):
        raise PermissionDenied(_("You may merge only records that your institution sees both of."))
    with transaction.atomic():
        locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])}
        survivor, merged = locked[survivor.pk], locked[merged.pk]
        for person in (survivor, merged):
            if person.merged_into_id is not None or person.anonymised_at is not None:
                raise ValidationError(_("A record that was merged or anonymised cannot be merged."))
        snapshot: dict[str, list[Any]] = {
            SNAPSHOT_MEMBERS: list(HouseholdMember.objects.filter(person=merged).values_list("pk", flat=True)),
            SNAPSHOT_GRANTS: list(AccessGrant.objects.filter(person=merged).values_list("pk", flat=True)),
            SNAPSHOT_CONSENTS: list(Consent.objects.filter(person=merged).values_list("pk", flat=True)),
        }
        _move(HouseholdMember, snapshot[SNAPSHOT_MEMBERS], to=survivor)
        _move(AccessGrant, snapshot[SNAPSHOT_GRANTS], to=survivor)
        _move(Consent, snapshot[SNAPSHOT_CONSENTS], to=survivor)
        for key, callback in list(_merge_callbacks.items()):
            moved = callback(survivor=survivor, merged=merged, snapshot=dict(snapshot))
            snapshot[key] = [str(pk) for pk in (moved or [])]
        merged.merged_into = survivor
        merged.save(update_fields=["merged_into", "updated_at"])
        merge = PersonMerge(survivor=survivor, merged=merged, merged_by=actor, reason=reason.strip(), snapshot=snapshot)
        merge.full_clean()
        merge.save()
        audit_record(
            actor=actor,
            action="people.person_merge",
            target=merge,
            data={
                "survivor": str(survivor.pk),
                "merged": str(merged.pk),
                "moved": {k: len(v) for k, v in snapshot.items()},
            },
        )
    return merge


def can_unmerge(actor: Any, merge: PersonMerge) -> bool:
    return merge.unmerged_at is None and bool(policies.merger_institution_ids(actor, merge.survivor))


def person_unmerge(*, actor: Any, merge: PersonMerge) -> PersonMerge:
    """Undo a merge: the merged record is live again and exactly the rows moved by the merge go back to it."""
    if not can_unmerge(actor, merge):
        raise PermissionDenied(_("You may not undo this merge."))
    with transaction.atomic():
        merge = PersonMerge.objects.select_for_update().select_related("survivor", "merged").get(pk=merge.pk)
        if merge.unmerged_at is not None:
            raise ValidationError(_("This merge has already been undone."))
        survivor, merged = merge.survivor, merge.merged
        if survivor.merged_into_id is not None:
            raise ValidationError(_("The surviving record was merged again since: undo that merge first."))
        snapshot = merge.snapshot or {}
        HouseholdMember.objects.filter(pk__in=snapshot.get(SNAPSHOT_MEMBERS, []), person=survivor).update(person=merged)
        AccessGrant.objects.filter(pk__in=snapshot.get(SNAPSHOT_GRANTS, []), person=survivor).update(person=merged)
        Consent.objects.filter(pk__in=snapshot.get(SNAPSHOT_CONSENTS, []), person=survivor).update(person=merged)
        for _key, callback in list(_unmerge_callbacks.items()):
            callback(survivor=survivor, merged=merged, snapshot=dict(snapshot))
        merged.merged_into = None
        merged.save(update_fields=["merged_into", "updated_at"])
        merge.unmerged_by = actor
        merge.unmerged_at = timezone.now()
        merge.save(update_fields=["unmerged_by", "unmerged_at"])
        audit_record(actor=actor, action="people.person_unmerge", target=merge)
    return merge
