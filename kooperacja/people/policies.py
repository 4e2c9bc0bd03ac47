"""Who may see and change persons and households.

- Seeing a person is privacy's decision (`kooperacja.privacy.policies`): a valid access grant of one of the actor's
  institutions, and then only the categories it covers. Everyone else gets 404, the same answer as for a person who
  does not exist. This app shows three of the categories: identity, contact and family (households).
- Recording a person: a case coordinator or an institution manager of an institution that has its own statutory basis
  (a legal basis, not a consent, that names its kind and covers identity — OPS/CUS/PCPR under the social-assistance
  acts). Partner institutions see persons only through cases and referrals.
- Changing a person: a case coordinator or institution manager of an institution holding a valid grant on a legal
  basis (not a consent) that covers identity. Someone who sees the person only through a consent is a reader: 403.
- Merging two records: a case coordinator, institution manager or the DPO of an institution that sees BOTH records.
- A household is seen through its members: its recording institution, or whoever sees the "family" category of at
  least one member — and then only those members whose family category the actor sees. Changes: writers of the
  household's recording institution.
- The full PESEL is shown only to writers (the recording side); readers see its last four digits.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kooperacja.accounts.models import Membership, Role
from kooperacja.directory.models import Institution
from kooperacja.people.models import Household, Person
from kooperacja.privacy import policies as privacy
from kooperacja.privacy.models import AccessGrant, DataCategory, LegalBasis

Need = Literal["read", "write"]

# The categories this app shows (the others belong to cases and referrals).
PEOPLE_CATEGORIES = (DataCategory.IDENTITY, DataCategory.CONTACT, DataCategory.FAMILY)
WRITER_ROLES = frozenset({Role.CASE_COORDINATOR, Role.INSTITUTION_MANAGER})
# Who merges records: people who work with persons (the DPO supervises through the access log and the art. 15
# report and does not see person pages: privacy.policies.CASEWORK_ROLES).
MERGER_ROLES = frozenset({Role.CASE_COORDINATOR, Role.INSTITUTION_MANAGER})


def _is_signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and bool(getattr(actor, "is_active", False))


def institution_ids_with_roles(actor: Any, roles: frozenset[str]) -> list[Any]:
    """Institutions where the actor currently holds one of `roles`."""
    if not _is_signed_in(actor):
        return []
    cache = actor.__dict__.setdefault("_people_role_institutions", {})
    key = tuple(sorted(roles))
    if key not in cache:
        cache[key] = list(
            Membership.objects.current()
            .filter(user=actor, role__in=roles)
            .values_list("institution_id", flat=True)
            .distinct()
        )
    return list(cache[key])


def recording_basis(institution: Institution) -> LegalBasis | None:
    """The statutory basis on which `institution` records persons: an active legal basis (not a consent) that names
    its kind and covers identity; the most specific one (fewest kinds) first, then by code. None: it may not."""
    candidates = [
        basis
        for basis in LegalBasis.objects.filter(active=True, is_consent=False).order_by("code")
        if institution.kind in (basis.institution_kinds or []) and DataCategory.IDENTITY in (basis.covers or [])
    ]
    candidates.sort(key=lambda basis: (len(basis.institution_kinds), basis.code))
    return candidates[0] if candidates else None


def recording_institutions(actor: Any) -> list[Institution]:
    """The institutions at which the actor may record persons (writer role there, and a recording basis)."""
    ids = institution_ids_with_roles(actor, WRITER_ROLES)
    return [
        institution
        for institution in Institution.objects.filter(pk__in=ids).order_by("name")
        if recording_basis(institution) is not None
    ]


def can_create_person(actor: Any) -> bool:
    return bool(recording_institutions(actor))


def _statutory_identity_grants(actor: Any, person: Person | Any) -> QuerySet[AccessGrant]:
    return (
        privacy.grants_for(actor=actor, person=person)
        .filter(legal_basis__isnull=False, institution_id__in=institution_ids_with_roles(actor, WRITER_ROLES))
        .filter(categories__icontains=f'"{DataCategory.IDENTITY}"')
    )


def can_edit_person(actor: Any, person: Person | Any) -> bool:
    """A writer of an institution holding a statutory (not consent) grant on the person's identity."""
    return _statutory_identity_grants(actor, person).exists()


def can_see_full_pesel(actor: Any, person: Person | Any) -> bool:
    return can_edit_person(actor, person)


def get_person_for_actor(actor: Any, pk: Any, need: Need = "read") -> tuple[Person, set[str]]:
    """The live person and the categories the actor may see; 404 without a valid grant, 403 for a reader writing."""
    person, categories = privacy.get_person_for_actor(actor, pk)
    if need == "write" and not can_edit_person(actor, person):
        raise PermissionDenied
    return person, categories


def categories_by_person(actor: Any, person_ids: list[Any]) -> dict[Any, set[str]]:
    """For many persons at once (one query): the categories the actor may see of each."""
    result: dict[Any, set[str]] = defaultdict(set)
    if not person_ids:
        return result
    rows = privacy.valid_grants().filter(
        institution_id__in=privacy.acting_institution_ids(actor), person_id__in=person_ids
    )
    rows = rows.filter(Q(user__isnull=True) | Q(user_id=getattr(actor, "pk", None)))
    for person_id, categories in rows.values_list("person_id", "categories"):
        result[person_id].update(categories or [])
    return result


def merger_institution_ids(actor: Any, *persons: Person) -> list[Any]:
    """Institutions where the actor may merge and that see every one of `persons`."""
    ids = institution_ids_with_roles(actor, MERGER_ROLES)
    for person in persons:
        seeing = set(
            privacy.grants_for(actor=actor, person=person)
            .filter(institution_id__in=ids)
            .values_list("institution_id", flat=True)
        )
        ids = [pk for pk in ids if pk in seeing]
    return ids


def can_merge_persons(actor: Any, survivor: Person, merged: Person) -> bool:
    return survivor.pk != merged.pk and bool(merger_institution_ids(actor, survivor, merged))


def can_merge_any(actor: Any, person: Person) -> bool:
    return bool(merger_institution_ids(actor, person))


# --- households -------------------------------------------------------------------------------------------------------


def household_member_visibility(actor: Any, household: Household) -> tuple[bool, set[Any]]:
    """(whether the household is visible, ids of the member persons the actor may see in it: family and identity)."""
    member_person_ids = list(household.members.values_list("person_id", flat=True).distinct())
    seen = categories_by_person(actor, member_person_ids)
    family = {pid for pid, categories in seen.items() if DataCategory.FAMILY in categories}
    own = household.recorded_by_institution_id in privacy.acting_institution_ids(actor)
    # A member is listed (by name) only when the actor sees both the member's family situation and identity.
    listed = {pid for pid in family if DataCategory.IDENTITY in seen[pid]}
    return (own or bool(family)), listed


def can_edit_household(actor: Any, household: Household) -> bool:
    return household.recorded_by_institution_id in institution_ids_with_roles(actor, WRITER_ROLES)


def get_household_for_actor(actor: Any, pk: Any, need: Need = "read") -> tuple[Household, set[Any]]:
    """The household and the member persons the actor may see in it; 404 outsiders, 403 readers writing."""
    if not _is_signed_in(actor):
        raise Http404
    try:
        household = Household.objects.select_related("gmina", "recorded_by_institution").get(
            pk=pk, anonymised_at__isnull=True
        )
    except (Household.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    visible, person_ids = household_member_visibility(actor, household)
    if not visible:
        raise Http404
    if need == "write" and not can_edit_household(actor, household):
        raise PermissionDenied
    return household, person_ids
