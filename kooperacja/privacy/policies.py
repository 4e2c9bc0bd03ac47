"""The access policy for personal data, in one module.

A professional sees a person only if one of her institutions holds an active access grant for that person — because
it owns the person's case, is a member institution of the case team, or received something addressed to it (a
referral, a plan task) — and then only the data categories its grants cover: each grant rests on a legal basis or on
a consent valid today. Everyone else gets 404, the same answer as for a person who does not exist. The grants table
answers "may this actor see this person" in one indexed query and scopes every list (`person_ids_visible_to`).
"""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kooperacja.accounts.models import Membership
from kooperacja.people.models import Person
from kooperacja.privacy.models import AccessGrant, Consent, DataCategory, LegalBasis

Need = Literal["read", "write"]


def _is_signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and bool(getattr(actor, "is_active", False))


def acting_institution_ids(actor: Any) -> list[Any]:
    """Ids of the institutions the actor currently works at (her current memberships)."""
    if not _is_signed_in(actor):
        return []
    cached = getattr(actor, "_acting_institution_ids", None)
    if cached is None:
        cached = list(
            Membership.objects.current().filter(user=actor).values_list("institution_id", flat=True).distinct()
        )
        actor._acting_institution_ids = cached
    return cached


def valid_grants() -> QuerySet[AccessGrant]:
    """Grants in force today: not ended, and resting on a legal basis or on a consent that is valid today."""
    today = timezone.localdate()
    consent_valid = (
        Q(consent__isnull=False)
        & Q(consent__given_on__lte=today)
        & (Q(consent__valid_until__isnull=True) | Q(consent__valid_until__gte=today))
        & (Q(consent__withdrawn_on__isnull=True) | Q(consent__withdrawn_on__gt=today))
    )
    return AccessGrant.objects.filter(ended_at__isnull=True).filter(Q(legal_basis__isnull=False) | consent_valid)


def _actor_grants(actor: Any) -> QuerySet[AccessGrant]:
    """Valid grants of the actor's institutions that count for the actor (institution-wide, or named to her)."""
    return (
        valid_grants()
        .filter(institution_id__in=acting_institution_ids(actor))
        .filter(Q(user__isnull=True) | Q(user_id=getattr(actor, "pk", None)))
    )


def grants_for(*, actor: Any, person: Person | Any) -> QuerySet[AccessGrant]:
    person_id: Any = getattr(person, "pk", person)
    return _actor_grants(actor).filter(person_id=person_id)


def visible_categories(*, actor: Any, person: Person | Any) -> set[str]:
    """The data categories of `person` the actor's institutions may see today (empty: the person is not visible)."""
    categories: set[str] = set()
    for grant_categories in grants_for(actor=actor, person=person).values_list("categories", flat=True):
        categories.update(grant_categories or [])
    return categories


def person_ids_visible_to(actor: Any) -> QuerySet[AccessGrant, Any]:
    """A subquery of the person ids the actor may see (for `filter(pk__in=…)` in every list of persons)."""
    return _actor_grants(actor).values("person_id")


def can_see_person(actor: Any, person: Person | Any) -> bool:
    return grants_for(actor=actor, person=person).exists()


def get_person_for_actor(actor: Any, pk: Any, need: Need = "read") -> tuple[Person, set[str]]:
    """The person and the categories the actor may see; 404 when there is no valid grant (or no such person)."""
    if not _is_signed_in(actor):
        raise Http404
    try:
        person = Person.objects.live().get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    categories = visible_categories(actor=actor, person=person)
    if not categories:
        raise Http404
    return person, categories


def sharing_bases(*, person: Person, institution: Any) -> dict[str, LegalBasis | Consent | None]:
    """For each data category: what allows sharing it with `institution` today — a legal basis that covers it for
    institutions of that kind, else a consent valid today naming that institution as recipient — or None (not allowed).
    """
    kind = getattr(institution, "kind", "")
    result: dict[str, LegalBasis | Consent | None] = dict.fromkeys(DataCategory.values)
    for basis in LegalBasis.objects.filter(active=True, is_consent=False).order_by("kind", "code"):
        if basis.institution_kinds and kind not in basis.institution_kinds:
            continue
        for category in basis.covers or []:
            if result.get(category) is None:
                result[category] = basis
    today = timezone.localdate()
    consents = (
        Consent.objects.filter(person=person, recipients=institution, given_on__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
        .order_by("-given_on")
    )
    for consent in consents:
        for category in consent.categories or []:
            if result.get(category) is None:
                result[category] = consent
    return result
