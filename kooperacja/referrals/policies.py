"""Who may see and act on a referral, and which data categories it may share.

- A referral is seen by the current staff of its sender institution and — once sent — of its recipient institution.
  Everyone else gets 404 (a draft is seen only by the sender's staff).
- Writes are for staff in a working role (`WRITER_ROLES`) on the side the action belongs to (the transition table
  says: sender, recipient or system). Other staff of the two institutions (e.g. the DPO) are readers: 403.
- A category may be shared only if the sender's institution holds it for the person (its own grants) AND
  `privacy.policies.sharing_bases` names a legal basis or a valid consent that covers it for the recipient.
- The recipient sees exactly the categories of this referral's own valid grants; nothing while it is suspended.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kooperacja.accounts.models import Membership, Role
from kooperacja.privacy import policies as privacy_policies
from kooperacja.privacy.models import Consent, DataCategory, LegalBasis
from kooperacja.referrals.models import TRANSITIONS, Referral, Side, State

Need = Literal["read", "write"]

WRITER_ROLES = frozenset(
    {Role.CASE_COORDINATOR, Role.PARTNER_PROFESSIONAL, Role.INSTITUTION_MANAGER, Role.PARTNERSHIP_FACILITATOR}
)
SOURCE_TYPE = "referral"


def _is_signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and bool(getattr(actor, "is_active", False))


def roles_by_institution(actor: Any) -> dict[Any, set[str]]:
    """The actor's current roles per institution (one query, cached on the actor object)."""
    if not _is_signed_in(actor):
        return {}
    cached = getattr(actor, "_referral_roles", None)
    if cached is None:
        cached = {}
        for institution_id, role in (
            Membership.objects.current().filter(user=actor).values_list("institution_id", "role")
        ):
            cached.setdefault(institution_id, set()).add(role)
        actor._referral_roles = cached
    return cached


def institution_ids(actor: Any) -> list[Any]:
    return list(roles_by_institution(actor))


def writer_institution_ids(actor: Any) -> list[Any]:
    return [pk for pk, roles in roles_by_institution(actor).items() if roles & WRITER_ROLES]


def visible_referrals(actor: Any) -> QuerySet[Referral]:
    """Referrals the actor may see, as one filter."""
    ids = institution_ids(actor)
    if not ids:
        return Referral.objects.none()
    return Referral.objects.filter(Q(sender_id__in=ids) | (Q(recipient_id__in=ids) & ~Q(state=State.DRAFT)))


@dataclass(frozen=True)
class Standing:
    """The actor's relation to one referral."""

    sender: bool
    recipient: bool
    sender_writer: bool
    recipient_writer: bool

    @property
    def sees(self) -> bool:
        return self.sender or self.recipient

    @property
    def writes(self) -> bool:
        return self.sender_writer or self.recipient_writer


def standing(actor: Any, referral: Referral) -> Standing:
    roles = roles_by_institution(actor)
    sender_roles = roles.get(referral.sender_id, set())
    recipient_roles = roles.get(referral.recipient_id, set()) if referral.state != State.DRAFT else set()
    return Standing(
        sender=bool(sender_roles),
        recipient=bool(recipient_roles),
        sender_writer=bool(sender_roles & WRITER_ROLES),
        recipient_writer=bool(recipient_roles & WRITER_ROLES),
    )


def get_referral_for_actor(actor: Any, pk: Any, need: Need = "read") -> Referral:
    """The referral with what its pages need; 404 for outsiders (and for a malformed id), 403 for readers writing."""
    if not _is_signed_in(actor):
        raise Http404
    try:
        referral = Referral.objects.select_related("sender", "recipient", "service", "sender_user", "case", "task").get(
            pk=pk
        )
    except (Referral.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    where = standing(actor, referral)
    if not where.sees:
        raise Http404
    if need == "write" and not where.writes:
        raise PermissionDenied(_("You may read this referral but not change it."))
    return referral


def check_action(actor: Any, referral: Referral, action: str) -> None:
    """Refuse (403) an action of the other side, or of a reader; system actions are not for users."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise PermissionDenied(_("Unknown action."))
    where = standing(actor, referral)
    if not where.sees:
        raise Http404
    if transition.side == Side.SENDER and not where.sender_writer:
        raise PermissionDenied(_("Only the sender institution may do this."))
    if transition.side == Side.RECIPIENT and not where.recipient_writer:
        raise PermissionDenied(_("Only the recipient institution may do this."))
    if transition.side == Side.SYSTEM:
        raise PermissionDenied(_("This change is made by the system."))


def can_act(actor: Any, referral: Referral, action: str) -> bool:
    try:
        check_action(actor, referral, action)
    except (PermissionDenied, Http404):
        return False
    return referral.state in TRANSITIONS[action].sources


def can_comment(actor: Any, referral: Referral) -> bool:
    return standing(actor, referral).writes and referral.state not in (State.DRAFT, State.SUSPENDED)


def sender_institution_for_case(actor: Any, case: Any, task: Any = None) -> Any:
    """The institution the actor sends from: the case's owner institution, or the plan task's owner institution,
    where she holds a working role. None: she may not refer from this case (the view answers 404)."""
    writer_ids = set(writer_institution_ids(actor))
    if task is not None and task.owner_institution_id in writer_ids:
        return task.owner_institution
    if case.owner_institution_id in writer_ids:
        return case.owner_institution
    return None


@dataclass(frozen=True)
class CategoryOption:
    category: str
    label: str
    basis: LegalBasis | Consent | None
    allowed: bool
    why: str


def category_options(*, actor: Any, person: Any, recipient: Any, sender: Any = None) -> list[CategoryOption]:
    """Every data category: whether this referral may share it with `recipient`, on which basis, and why not."""
    held: set[str] = set()
    if sender is not None:
        # What the sender institution itself holds (not what the actor sees through other institutions).
        for categories in (
            privacy_policies.valid_grants()
            .filter(institution=sender, person=person)
            .filter(Q(user__isnull=True) | Q(user_id=getattr(actor, "pk", None)))
            .values_list("categories", flat=True)
        ):
            held.update(categories or [])
    else:
        held = privacy_policies.visible_categories(actor=actor, person=person)
    bases = privacy_policies.sharing_bases(person=person, institution=recipient)
    options: list[CategoryOption] = []
    for value, label in DataCategory.choices:
        basis = bases.get(value)
        if value not in held:
            options.append(
                CategoryOption(value, str(label), None, False, _("Your institution does not hold this category."))
            )
        elif basis is None:
            options.append(
                CategoryOption(
                    value,
                    str(label),
                    None,
                    False,
                    _("No legal basis or valid consent covers sharing it with this institution."),
                )
            )
        elif isinstance(basis, Consent):
            options.append(
                CategoryOption(
                    value, str(label), basis, True, _("Consent of %(date)s.") % {"date": basis.given_on.isoformat()}
                )
            )
        else:
            options.append(CategoryOption(value, str(label), basis, True, basis.reference))
    return options


def shown_categories(actor: Any, referral: Referral) -> set[str]:
    """The person's data categories this page may show the actor through this referral.

    Recipient: the categories of this referral's own valid grants (nothing when suspended or closed without grants).
    Sender: what it shared, as far as its own grants still let it see them.
    """
    where = standing(actor, referral)
    if referral.state == State.SUSPENDED:
        return set()
    if where.sender:
        return set(referral.categories) & privacy_policies.visible_categories(actor=actor, person=referral.person_id)
    if where.recipient:
        categories: set[str] = set()
        for grant_categories in (
            privacy_policies.valid_grants()
            .filter(
                source_type=SOURCE_TYPE,
                source_id=str(referral.pk),
                institution_id=referral.recipient_id,
                person_id=referral.person_id,
            )
            .values_list("categories", flat=True)
        ):
            categories.update(grant_categories or [])
        return categories & set(referral.categories)
    return set()
