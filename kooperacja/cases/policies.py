"""Who may see and do what in a case, built on `privacy.policies` (the access grants).

- A case is visible to a user only through a valid access grant of one of her institutions that names the case:
  the owner institution's grant ("case_owner", on its statutory basis), a current team member institution's grant
  ("case_team", on a legal basis or the person's consent), or a plan task's grant ("plan_task"). A grant resting on a
  consent stops counting the moment the consent is withdrawn: the partner then gets 404.
- A Niebieska Karta case has no institution-wide grants: only the named users of the interdisciplinary team hold
  grants ("blue_card", art. 9c of the act on counteracting domestic violence), so other staff of the owner
  institution get 404 too.
- Staff of the owner institution who see the case read all of it; they write when they are its coordinator, a case
  coordinator or the institution's manager there (others, e.g. the DPO, are readers: 403 on writes).
- A partner professional (a team member or task owner institution) sees only her institution's tasks and the data
  categories shared with it, and reports progress on her institution's tasks.
- Everyone else, system administrators included, gets 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from kooperacja.accounts.models import Membership, Role
from kooperacja.cases.models import Case, CaseRules, CaseTeamMember, Note, PlanStatus, Sensitivity, Task
from kooperacja.people.models import Person
from kooperacja.privacy import policies as privacy_policies
from kooperacja.privacy.models import AccessGrant, Consent, DataCategory, LegalBasis, LegalBasisKind

Need = Literal["partner", "read", "write"]
Level = Literal["none", "partner", "read", "write"]

CASE_OWNER = "case_owner"
CASE_TEAM = "case_team"
PLAN_TASK = "plan_task"
BLUE_CARD = "blue_card"

OWNER_BASIS_CODE = "ups-art-100"
CUS_BASIS_CODE = "ucus-art-8"
BLUE_CARD_BASIS_CODE = "upprzd-art-9c"

# Roles at the owner institution that may write a case it owns (besides the case's own coordinator).
CASE_WRITER_ROLES = frozenset({Role.CASE_COORDINATOR, Role.INSTITUTION_MANAGER})
# Who approves an IPUS: the director (institution manager) or an authorised organiser (held as the same role here).
PLAN_APPROVER_ROLES = frozenset({Role.INSTITUTION_MANAGER})
OWNER_INSTITUTION_KINDS = frozenset({"ops", "cus", "pcpr"})


def _is_signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and bool(getattr(actor, "is_active", False))


def actor_grants(actor: Any) -> QuerySet[AccessGrant]:
    """Valid grants of the actor's current institutions that count for her (institution-wide, or named to her)."""
    if not _is_signed_in(actor):
        return AccessGrant.objects.none()
    return (
        privacy_policies.valid_grants()
        .filter(institution_id__in=privacy_policies.acting_institution_ids(actor))
        .filter(Q(user__isnull=True) | Q(user_id=actor.pk))
    )


def _str_pk() -> Cast:
    return Cast("pk", output_field=CharField())


def case_visibility(actor: Any) -> dict[str, Any]:
    """Three Exists()/Q expressions on Case: through the owner's grant, a team member's grant, a task's grant."""
    grants = actor_grants(actor)
    owner_refs = grants.filter(source_type__in=(CASE_OWNER, BLUE_CARD)).values("source_id")
    member_ids = grants.filter(source_type__in=(CASE_TEAM, BLUE_CARD)).values("source_id")
    task_ids = grants.filter(source_type=PLAN_TASK).values("source_id")
    as_member = Exists(
        CaseTeamMember.objects.filter(case_id=OuterRef("pk"), left_on__isnull=True)
        .annotate(sid=_str_pk())
        .filter(sid__in=member_ids)
    )
    as_task = Exists(
        Task.objects.filter(plan__case_id=OuterRef("pk"), plan__status__in=OPEN_PLAN_STATUSES)
        .annotate(sid=_str_pk())
        .filter(sid__in=task_ids)
    )
    return {"as_owner": Q(ref__in=owner_refs), "as_member": as_member, "as_task": as_task}


OPEN_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.AWAITING_APPROVAL, PlanStatus.APPROVED)


def visible_cases(actor: Any) -> QuerySet[Case]:
    """Every case the actor may see (fully or as a partner), as one filter."""
    if not _is_signed_in(actor):
        return Case.objects.none()
    vis = case_visibility(actor)
    return Case.objects.filter(vis["as_owner"] | vis["as_member"] | vis["as_task"])


def owned_cases(actor: Any) -> QuerySet[Case]:
    """Cases the actor sees as staff of the owner institution (through the owner's or a named grant)."""
    if not _is_signed_in(actor):
        return Case.objects.none()
    vis = case_visibility(actor)
    return Case.objects.filter(owner_institution_id__in=privacy_policies.acting_institution_ids(actor)).filter(
        vis["as_owner"] | vis["as_member"]
    )


def _roles_at(actor: Any, institution_id: Any) -> set[str]:
    cache: dict[Any, set[str]] = actor.__dict__.setdefault("_case_roles_at", {})
    if institution_id not in cache:
        cache[institution_id] = set(
            Membership.objects.current()
            .filter(user=actor, institution_id=institution_id)
            .values_list("role", flat=True)
        )
    return cache[institution_id]


def case_level(actor: Any, case: Case, *, as_owner: bool, as_member: bool, as_task: bool) -> Level:
    if not _is_signed_in(actor) or not (as_owner or as_member or as_task):
        return "none"
    at_owner = case.owner_institution_id in privacy_policies.acting_institution_ids(actor)
    if at_owner and (as_owner or as_member):
        if case.coordinator_id == actor.pk or _roles_at(actor, case.owner_institution_id) & CASE_WRITER_ROLES:
            return "write"
        return "read"
    return "partner"


@dataclass
class CaseAccess:
    case: Case
    level: Level

    @property
    def full(self) -> bool:
        return self.level in ("read", "write")

    @property
    def may_write(self) -> bool:
        return self.level == "write"


def _check(level: Level, need: Need) -> None:
    if level == "none":
        raise Http404
    if need == "read" and level == "partner":
        raise PermissionDenied
    if need == "write" and level != "write":
        raise PermissionDenied


CASE_RELATED = ("owner_institution", "coordinator", "gmina", "person", "household", "reporter_institution")


def get_case_for_actor(actor: Any, pk: Any, need: Need = "read") -> CaseAccess:
    """The case and the actor's level; 404 when she may not see it, 403 when she may see but not do `need`."""
    if not _is_signed_in(actor):
        raise Http404
    vis = case_visibility(actor)
    try:
        case = (
            Case.objects.select_related(*CASE_RELATED)
            .annotate(
                as_owner_flag=Exists(Case.objects.filter(pk=OuterRef("pk")).filter(vis["as_owner"])),
                as_member_flag=vis["as_member"],
                as_task_flag=vis["as_task"],
            )
            .get(pk=pk)
        )
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    level = case_level(
        actor,
        case,
        as_owner=case.as_owner_flag,  # type: ignore[attr-defined]
        as_member=case.as_member_flag,  # type: ignore[attr-defined]
        as_task=case.as_task_flag,  # type: ignore[attr-defined]
    )
    _check(level, need)
    return CaseAccess(case=case, level=level)


def require_open(case: Case) -> None:
    if not case.is_open:
        raise PermissionDenied("The case is closed.")


# --- tasks ------------------------------------------------------------------------------------------------------------


def partner_tasks(actor: Any) -> QuerySet[Task]:
    """Tasks of the actor's institutions in plans in force or in preparation of cases she may see."""
    if not _is_signed_in(actor):
        return Task.objects.none()
    return Task.objects.filter(
        owner_institution_id__in=privacy_policies.acting_institution_ids(actor),
        plan__status__in=OPEN_PLAN_STATUSES,
        plan__case__in=visible_cases(actor),
    )


def get_task_for_actor(actor: Any, pk: Any, need: Literal["read", "report", "write"] = "read") -> tuple[Task, Level]:
    """A task: owner-institution staff of the case read (write: case writers); the task's owner institution reads
    and reports progress; everyone else 404."""
    try:
        task = Task.objects.select_related("plan", "goal", "owner_institution", "owner_user").get(pk=pk)
    except (Task.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    access = get_case_for_actor(actor, task.plan.case_id, need="partner")
    own_task = task.owner_institution_id in privacy_policies.acting_institution_ids(actor)
    if not access.full and not own_task:
        raise Http404
    if need == "write" and not access.may_write:
        raise PermissionDenied
    if need == "report" and not (own_task or access.may_write):
        raise PermissionDenied
    task.plan.case = access.case
    return task, access.level


# --- plans and notes --------------------------------------------------------------------------------------------------


def rules_for(case: Case) -> CaseRules:
    rules = CaseRules.objects.filter(gmina_id=case.gmina_id).first()
    return rules or CaseRules.for_variant(case.variant)


def can_approve_plan(actor: Any, case: Case, rules: CaseRules | None = None) -> bool:
    """IPUS (approval required): the director or an organiser of the owner institution; otherwise the case's
    writers adopt the plan themselves."""
    if not _is_signed_in(actor):
        return False
    rules = rules or rules_for(case)
    if rules.approval_required:
        return bool(_roles_at(actor, case.owner_institution_id) & PLAN_APPROVER_ROLES)
    return case.coordinator_id == actor.pk or bool(_roles_at(actor, case.owner_institution_id) & CASE_WRITER_ROLES)


def visible_notes(access: CaseAccess) -> QuerySet[Note]:
    """Ordinary notes for the owner's staff; sensitive ones for the case's writers; Niebieska Karta notes exist only
    in Niebieska Karta cases, which only the named team users see. Partners see no notes."""
    notes = Note.objects.filter(case=access.case)
    if not access.full:
        return notes.none()
    if not access.may_write:
        notes = notes.filter(sensitivity=Sensitivity.ORDINARY)
    return notes


def can_open_case_at(actor: Any, institution: Any) -> bool:
    """Case coordinators and managers open cases at their OPS/CUS/PCPR."""
    if not _is_signed_in(actor) or getattr(institution, "kind", "") not in OWNER_INSTITUTION_KINDS:
        return False
    return bool(_roles_at(actor, institution.pk) & CASE_WRITER_ROLES)


def owner_institutions_of(actor: Any) -> list[Any]:
    from kooperacja.directory.models import Institution

    if not _is_signed_in(actor):
        return []
    ids = Membership.objects.current().filter(user=actor, role__in=CASE_WRITER_ROLES).values("institution_id")
    return list(Institution.objects.filter(pk__in=ids, kind__in=OWNER_INSTITUTION_KINDS).order_by("name"))


# --- what may be shared with a team member or task owner -------------------------------------------------------------


def owner_basis_code(institution: Any) -> str:
    return CUS_BASIS_CODE if getattr(institution, "kind", "") == "cus" else OWNER_BASIS_CODE


def basis_allows_sharing(basis: LegalBasis, case: Case) -> bool:
    """Outside Niebieska Karta, only a provision of a Polish act lets the OPS share data with another controller
    without consent (a bare GDPR art. 6/9 point does not); art. 9c of the act on counteracting domestic violence
    counts only in a Niebieska Karta case."""
    if basis.code == BLUE_CARD_BASIS_CODE:
        return case.niebieska_karta
    return basis.kind == LegalBasisKind.NATIONAL_ACT


def _valid_consents(person: Person, institution: Any) -> list[Consent]:
    today = timezone.localdate()
    return list(
        Consent.objects.filter(person=person, recipients=institution, given_on__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
        .order_by("-given_on", "-pk")
    )


def team_sharing_bases(*, case: Case, person: Person, institution: Any) -> dict[str, LegalBasis | Consent | None]:
    """For each data category: what lets this case share it with `institution` today, or None (not allowed).

    privacy.policies.sharing_bases narrowed to the case: a legal basis only when it allows sharing here
    (`basis_allows_sharing`; in a Niebieska Karta case only art. 9c), else a consent valid today naming the
    institution as recipient.
    """
    kind = getattr(institution, "kind", "")
    result: dict[str, LegalBasis | Consent | None] = dict.fromkeys(DataCategory.values)
    bases = LegalBasis.objects.filter(active=True, is_consent=False).order_by("kind", "code")
    if case.niebieska_karta:
        bases = bases.filter(code=BLUE_CARD_BASIS_CODE)
    for basis in bases:
        if basis.institution_kinds and kind not in basis.institution_kinds:
            continue
        if not basis_allows_sharing(basis, case):
            continue
        for category in basis.covers or []:
            if result.get(category) is None:
                result[category] = basis
    if not case.niebieska_karta:
        for consent in _valid_consents(person, institution):
            for category in consent.categories or []:
                if result.get(category) is None:
                    result[category] = consent
    return result


def all_categories() -> list[str]:
    return list(DataCategory.values)
