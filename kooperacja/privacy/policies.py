"""The access policy for personal data, in one module.

A professional sees a person only if one of her institutions holds an active access grant for that person — because
it owns the person's case, is a member institution of the case team, or received something addressed to it (a
referral, a plan task) — and then only the data categories its grants cover: each grant rests on a legal basis or on
a consent valid today. Everyone else gets 404, the same answer as for a person who does not exist. The grants table
answers "may this actor see this person" in one indexed query and scopes every list (`person_ids_visible_to`).
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kooperacja.accounts.models import Membership, Role
from kooperacja.people.models import Person
from kooperacja.privacy.models import (
    AccessGrant,
    Breach,
    Consent,
    DataCategory,
    LegalBasis,
    ProcessingActivity,
    RetentionRule,
    SubjectRequest,
)

Need = Literal["read", "write"]


def _is_signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and bool(getattr(actor, "is_active", False))


# The roles in which a member of an institution's staff works with persons, so that the institution's grants count
# for her. Not among them: ROPS specialists, model experts, the DPO (who reads through the art. 15 report and the
# access log, purpose "dpo"/"subject_request") and the system administrator — they get 404 on person-level pages.
CASEWORK_ROLES = frozenset({Role.CASE_COORDINATOR, Role.PARTNER_PROFESSIONAL, Role.INSTITUTION_MANAGER})


def acting_institution_ids(actor: Any) -> list[Any]:
    """Ids of the institutions where the actor currently works with persons (current memberships in a case-work
    role)."""
    if not _is_signed_in(actor):
        return []
    cached = getattr(actor, "_acting_institution_ids", None)
    if cached is None:
        cached = list(
            Membership.objects.current()
            .filter(user=actor, role__in=CASEWORK_ROLES)
            .values_list("institution_id", flat=True)
            .distinct()
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
    rows = grants_for(actor=actor, person=person).values_list("categories", "consent_id", "consent__categories")
    for grant_categories, consent_id, consent_categories in rows:
        allowed = set(grant_categories or [])
        if consent_id is not None:
            # A grant resting on a consent never shows more than the consent covers.
            allowed &= set(consent_categories or [])
        categories.update(allowed)
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


def sharing_bases(*, person: Person, institution: Any, procedure: str = "") -> dict[str, LegalBasis | Consent | None]:
    """For each data category: what allows sharing it with `institution` today — a legal basis that covers it for
    institutions of that kind, else a consent valid today naming that institution as recipient — or None (not allowed).

    Bases tied to a procedure (art. 9c of the act on counteracting domestic violence: "blue_card") count only when
    `procedure` names it: outside a Niebieska Karta procedure a school or a court sees only what a consent covers.
    """
    kind = getattr(institution, "kind", "")
    result: dict[str, LegalBasis | Consent | None] = dict.fromkeys(DataCategory.values)
    bases = LegalBasis.objects.filter(active=True, is_consent=False).filter(Q(procedure="") | Q(procedure=procedure))
    for basis in bases.order_by("procedure", "kind", "code"):
        if basis.institution_kinds and kind not in basis.institution_kinds:
            continue
        for category in basis.covers or []:
            if result.get(category) is None:
                result[category] = basis
    today = timezone.localdate()
    consents = (
        Consent.objects.filter(person=person, recipients=institution, given_on__lte=today, anonymised_at__isnull=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
        .order_by("-given_on", "-pk")
    )
    for consent in consents:
        for category in consent.categories or []:
            if result.get(category) is None:
                result[category] = consent
    return result


def explain_basis(basis: LegalBasis | Consent | None) -> str:
    """A Polish (translated) sentence saying why a category may or may not be shared."""
    if basis is None:
        return _("Not allowed: no legal basis covers it for this institution and no valid consent names it.")
    if isinstance(basis, LegalBasis):
        return _("Allowed by law: %(reference)s (%(title)s).") % {"reference": basis.reference, "title": basis.title}
    if basis.valid_until is not None:
        return _("Allowed by the person's consent given on %(given)s, valid until %(until)s.") % {
            "given": date_format(basis.given_on, "SHORT_DATE_FORMAT"),
            "until": date_format(basis.valid_until, "SHORT_DATE_FORMAT"),
        }
    return _("Allowed by the person's consent given on %(given)s (until withdrawn).") % {
        "given": date_format(basis.given_on, "SHORT_DATE_FORMAT")
    }


def sharing_explanations(*, person: Person, institution: Any, procedure: str = "") -> list[tuple[str, str, bool, str]]:
    """For forms: (category, its label, allowed?, why) for every data category, in the order of DataCategory."""
    bases = sharing_bases(person=person, institution=institution, procedure=procedure)
    labels = dict(DataCategory.choices)
    return [
        (category, str(labels[category]), bases[category] is not None, explain_basis(bases[category]))
        for category in DataCategory.values
    ]


# --- consents ---------------------------------------------------------------------------------------------------------

# Roles that record and withdraw consents at an institution that holds a grant for the person.
CONSENT_WRITER_ROLES = frozenset({Role.CASE_COORDINATOR, Role.INSTITUTION_MANAGER})


def consent_writer_institution_ids(actor: Any, person: Person | Any) -> list[Any]:
    """Institutions at which the actor may record a consent of `person`: she holds a writer role there and the
    institution holds a valid grant for the person that counts for her."""
    if not _is_signed_in(actor):
        return []
    granted = set(grants_for(actor=actor, person=person).values_list("institution_id", flat=True))
    writer = (
        Membership.objects.current()
        .filter(user=actor, role__in=CONSENT_WRITER_ROLES, institution_id__in=granted)
        .values_list("institution_id", flat=True)
    )
    return list(dict.fromkeys(writer))


def consents_visible_to(actor: Any, person: Person | Any) -> QuerySet[Consent]:
    """The consents of a person the actor sees: those her institutions recorded or received (as recipients).

    A school does not learn from the list that the person also consented to share data with the court.
    """
    institutions = acting_institution_ids(actor)
    return (
        Consent.objects.filter(person_id=getattr(person, "pk", person))
        .filter(Q(recorded_by_institution_id__in=institutions) | Q(recipients__in=institutions))
        .distinct()
    )


def get_consent_for_actor(actor: Any, pk: Any, need: Need = "read") -> tuple[Consent, set[str]]:
    """The consent and the categories of its person the actor sees. 404 unless she may see the person and her
    institution recorded or received the consent; 403 for writing unless she may record consents of the person at the
    institution that recorded it."""
    try:
        consent = Consent.objects.select_related("recorded_by_institution", "recorded_orally_by").get(pk=int(pk))
    except (Consent.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    _person, categories = get_person_for_actor(actor, consent.person_id)
    if not consents_visible_to(actor, consent.person_id).filter(pk=consent.pk).exists():
        raise Http404
    if need == "write" and consent.recorded_by_institution_id not in consent_writer_institution_ids(
        actor, consent.person_id
    ):
        raise PermissionDenied(_("Only a case coordinator of the institution that recorded the consent may do this."))
    return consent, categories


def can_record_consent(actor: Any, person: Person | Any) -> bool:
    return bool(consent_writer_institution_ids(actor, person))


# --- the data protection officer --------------------------------------------------------------------------------------


def dpo_institution_ids(actor: Any) -> list[Any]:
    """Institutions where the actor is the data protection officer today."""
    if not _is_signed_in(actor):
        return []
    return list(
        Membership.objects.current()
        .filter(user=actor, role=Role.DATA_PROTECTION_OFFICER)
        .values_list("institution_id", flat=True)
        .distinct()
    )


def require_dpo(actor: Any) -> list[Any]:
    """The DPO's institutions; 404 for everyone else (the DPO pages do not exist for them)."""
    ids = dpo_institution_ids(actor)
    if not ids:
        raise Http404
    return ids


DpoRecord = ProcessingActivity | Breach | SubjectRequest | RetentionRule


def get_dpo_record_for_actor(actor: Any, model: type[DpoRecord], pk: Any) -> Any:
    """A register entry of one of the DPO's institutions (read and write alike: the registers are the DPO's); 404
    otherwise."""
    ids = require_dpo(actor)
    try:
        return model.objects.select_related("institution").get(pk=int(pk), institution_id__in=ids)  # type: ignore[attr-defined]
    except (model.DoesNotExist, ValueError, TypeError) as exc:  # type: ignore[attr-defined]
        raise Http404 from exc


def _is_system_administrator(actor: Any) -> bool:
    if not _is_signed_in(actor):
        return False
    if getattr(actor, "is_superuser", False):
        return True
    return Membership.objects.current().filter(user=actor, role=Role.SYSTEM_ADMINISTRATOR).exists()


def report_institution_ids(actor: Any, person: Person | Any) -> list[Any]:
    """The DPO's institutions that hold (or held) a grant for the person, or recorded the person."""
    ids = dpo_institution_ids(actor)
    if not ids:
        return []
    person_id: Any = getattr(person, "pk", person)
    granted = set(
        AccessGrant.objects.filter(person_id=person_id, institution_id__in=ids).values_list("institution_id", flat=True)
    )
    granted.update(
        Person.objects.filter(pk=person_id, recorded_by_institution_id__in=ids).values_list(
            "recorded_by_institution_id", flat=True
        )
    )
    return [pk for pk in ids if pk in granted]


def get_person_for_report(actor: Any, pk: Any) -> tuple[Person, Any]:
    """The person and the DPO's institution producing the report (None for a system administrator).

    Only the DPO of an institution that holds or held a grant for the person, or a system administrator; 404 for
    everyone else, and for anonymised or merged records."""
    if not _is_signed_in(actor):
        raise Http404
    try:
        person = Person.objects.live().select_related("gmina", "recorded_by_institution").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    institutions = report_institution_ids(actor, person)
    if institutions:
        return person, institutions[0]
    if _is_system_administrator(actor):
        return person, None
    raise Http404
