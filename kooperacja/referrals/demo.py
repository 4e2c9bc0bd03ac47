"""The referrals demo: synthetic persons (Faker pl_PL) with cases at the city pilot's MOPS and referrals in every state
to the pilot's partners (the school of `pedagog` first), some of them overdue, one suspended after a consent was
withdrawn. Built on the directory demo (its institutions and accounts); writes through the referrals services.

load() is idempotent (a second run changes nothing); delete() removes what load() created.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from faker import Faker

from kooperacja.accounts.models import User
from kooperacja.cases.models import Case, ModelVariant, PlanLabel
from kooperacja.demo.directory_demo import demo_id
from kooperacja.directory.models import Institution, Service
from kooperacja.people.models import Person
from kooperacja.privacy import services as privacy_services
from kooperacja.privacy.models import AccessGrant, Consent, DataCategory, LegalBasis, LegalBasisKind
from kooperacja.referrals import services
from kooperacja.referrals.models import Action, Referral, State

SEED = 20260401
CASE_PREFIX = "SKIER-DEMO/"
BASIS_CODE = "ups-art-100"

# (recipient key in the directory demo, urgency, what is asked, categories, the state to reach, days ago it was sent)
PLAN: list[tuple[str, str, str, list[str], str, int]] = [
    (
        "city:partner:0",
        "normal",
        "Objęcie ucznia pomocą psychologiczno-pedagogiczną w szkole.",
        ["identity", "contact", "education"],
        State.SENT,
        1,
    ),
    (
        "city:partner:0",
        "urgent",
        "Pilna rozmowa pedagoga z rodzicem w sprawie absencji.",
        ["identity", "contact", "education"],
        State.RECEIVED,
        1,
    ),
    ("city:partner:0", "normal", "Zajęcia wyrównawcze z matematyki.", ["identity", "education"], State.ACCEPTED, 6),
    ("city:partner:0", "normal", "Świetlica szkolna po lekcjach.", ["identity", "education"], State.IN_PROGRESS, 12),
    (
        "city:partner:0",
        "normal",
        "Konsultacja wychowawcza dla rodzica.",
        ["identity", "contact", "education"],
        State.COMPLETED,
        30,
    ),
    (
        "city:partner:0",
        "urgent",
        "Pilne spotkanie zespołu wychowawczego.",
        ["identity", "education"],
        State.SENT,
        9,
    ),  # overdue
    (
        "city:partner:3",
        "normal",
        "Diagnoza psychologiczno-pedagogiczna dziecka.",
        ["identity", "contact", "education"],
        State.DECLINED,
        20,
    ),
    ("city:partner:3", "normal", "Terapia pedagogiczna.", ["identity", "education"], State.CANCELLED, 15),
    (
        "city:partner:3",
        "normal",
        "Opinia w sprawie dalszej nauki.",
        ["identity", "education"],
        State.RECEIVED,
        14,
    ),  # overdue
    ("city:partner:10", "normal", "Wsparcie rodziny przez wolontariusza.", ["identity", "contact"], State.EXPIRED, 40),
    (
        "city:partner:10",
        "normal",
        "Zajęcia dla dzieci w świetlicy stowarzyszenia.",
        ["identity", "contact"],
        State.COMPLETED,
        25,
    ),
    (
        "city:partner:0",
        "normal",
        "Pomoc w nauce (zgoda wycofana).",
        ["identity", "contact", "education"],
        State.SUSPENDED,
        5,
    ),
    ("city:partner:3", "normal", "Szkic: konsultacja w poradni.", ["identity", "education"], State.DRAFT, 0),
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _basis() -> LegalBasis:
    basis, _ = LegalBasis.objects.get_or_create(
        code=BASIS_CODE,
        defaults={
            "kind": LegalBasisKind.NATIONAL_ACT,
            "title": "Zadania ośrodka pomocy społecznej",
            "reference": "art. 100 ustawy o pomocy społecznej",
            "covers": list(DataCategory.values),
            "institution_kinds": ["ops", "cus", "pcpr"],
        },
    )
    return basis


def _shift(referral: Referral, days: int) -> None:
    """Move a demo referral's dates `days` into the past (so that some are overdue and the numbers vary)."""
    if days <= 0:
        return
    delta = datetime.timedelta(days=days)
    fields = [
        "created_at",
        "sent_at",
        "received_at",
        "answer_due_at",
        "remind_at",
        "expires_at",
        "closed_at",
        "first_answered_at",
        "completed_at",
    ]
    values = {name: F(name) - delta for name in fields if getattr(referral, name) is not None}
    # Answers came a day or two after sending, completions some days later.
    if referral.first_answered_at is not None:
        values["first_answered_at"] = F("first_answered_at") - delta + datetime.timedelta(days=min(days - 1, 2))
    if referral.completed_at is not None:
        values["completed_at"] = F("completed_at") - delta + datetime.timedelta(days=min(days - 1, 12))
        values["closed_at"] = values["completed_at"]
    Referral.objects.filter(pk=referral.pk).update(**values)
    referral.transitions.update(at=F("at") - delta)  # type: ignore[attr-defined]
    referral.notifications.update(created_at=F("created_at") - delta)  # type: ignore[attr-defined]
    referral.refresh_from_db()
    if referral.sent_at is not None:
        # The deadlines again from the shifted sending date, so that they fall on working days.
        services._set_deadlines(referral, referral.sent_at)
        Referral.objects.filter(pk=referral.pk).update(
            answer_due_at=referral.answer_due_at, remind_at=referral.remind_at, expires_at=referral.expires_at
        )


def load(*, stdout: Any = None, rng_seed: int = SEED) -> int:
    """Load the referrals demo once; returns how many referrals were created (0: already loaded or no directory)."""
    write = stdout.write if stdout is not None else (lambda text: None)
    if Case.objects.filter(number__startswith=CASE_PREFIX).exists():
        write("referrals: already loaded; nothing changed.")
        return 0
    coordinator = _user("koordynator")
    teacher = _user("pedagog")
    ops = Institution.objects.filter(pk=demo_id("institution", "city:ops")).first()
    if coordinator is None or teacher is None or ops is None or ops.gmina is None:
        write("referrals: the directory demo (MOPS Rybnik, koordynator, pedagog) is missing; skipped.")
        return 0
    fake = Faker("pl_PL")
    fake.seed_instance(rng_seed)
    rng = random.Random(rng_seed)
    basis = _basis()
    today = timezone.localdate()
    created = 0
    with transaction.atomic():
        for index, (recipient_key, urgency, reason, categories, target, days_ago) in enumerate(PLAN, start=1):
            recipient = Institution.objects.get(pk=demo_id("institution", recipient_key))
            female = rng.random() < 0.5
            person = Person.objects.create(
                first_name=fake.first_name_female() if female else fake.first_name_male(),
                last_name=fake.last_name_female() if female else fake.last_name_male(),
                birth_date=fake.date_of_birth(minimum_age=7, maximum_age=15),
                sex="F" if female else "M",
                street=fake.street_address(),
                postal_code="44-200",
                town="Rybnik",
                gmina=ops.gmina,
                phone=fake.phone_number(),
                recorded_by_institution=ops,
            )
            privacy_services.grant_open(
                actor=coordinator,
                person=person,
                institution=ops,
                categories=list(DataCategory.values),
                source_type="record",
                source_id=str(person.pk),
                legal_basis=basis,
            )
            case = Case.objects.create(
                number=f"{CASE_PREFIX}{index}/{today.year}",
                owner_institution=ops,
                coordinator=coordinator,
                gmina=ops.gmina,
                person=person,
                variant=ModelVariant.CITIES_3D,
                plan_label=PlanLabel.PLAN,
                intake_source="application",
                application_date=today - datetime.timedelta(days=60),
                channel="in_person",
                stage="implementation",
            )
            consent = Consent.objects.create(
                person=person,
                recorded_by_institution=ops,
                purpose="Współpraca z instytucjami partnerskimi w ramach planu pomocy",
                categories=["identity", "contact", "education"],
                given_on=today - datetime.timedelta(days=60),
                recorded_orally_by=coordinator,
            )
            consent.recipients.add(recipient)
            # The recipient's directory service (its capacity and similar services nearby show on the draft).
            service = Service.objects.filter(institution=recipient).order_by("name", "pk").first()
            referral = services.referral_create(
                actor=coordinator,
                case=case,
                recipient=recipient,
                service=service,
                reason=reason,
                categories=categories,
                urgency=urgency,
            )
            created += 1
            if target != State.DRAFT:
                _reach(referral, target, coordinator=coordinator, recipient_user=_recipient_user(recipient, teacher))
                if target == State.SUSPENDED:
                    privacy_services.consent_withdraw(actor=coordinator, consent=consent)
            referral.refresh_from_db()
            _shift(referral, days_ago)
    # The deadline sweep once, as cron would have run it: reminders, escalation of the overdue ones to the recipient's
    # manager and the notice to the sender.
    swept = services.referral_deadlines_sweep()
    write(
        f"  referrals: {created} referrals in every state (some overdue, one suspended); "
        f"{swept.reminded} reminded, {swept.escalated} escalated."
    )
    return created


def _recipient_user(recipient: Institution, teacher: User) -> User:
    """The demo account answering for the recipient: `pedagog` at the school, else the coordinator's counterpart
    (the directory demo has no accounts at the other partners: a system user answers for them)."""
    from kooperacja.accounts.models import Membership

    membership = Membership.objects.current().filter(institution=recipient).select_related("user").first()
    if membership is not None:
        return membership.user
    user, _ = User.objects.get_or_create(
        username=f"demo-{str(recipient.pk)[:8]}",
        defaults={"first_name": "Pracownik", "last_name": recipient.short_name or "instytucji", "is_active": True},
    )
    Membership.objects.get_or_create(user=user, institution=recipient, role="partner_professional")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def _reach(referral: Referral, target: str, *, coordinator: User, recipient_user: User) -> None:
    services.referral_send(actor=coordinator, referral=referral)
    steps: dict[str, list[tuple[str, dict[str, str]]]] = {
        State.SENT: [],
        State.SUSPENDED: [(Action.ACCEPT, {})],
        State.RECEIVED: [(Action.RECEIVE, {})],
        State.ACCEPTED: [(Action.ACCEPT, {})],
        State.IN_PROGRESS: [(Action.ACCEPT, {}), (Action.START, {})],
        State.COMPLETED: [
            (Action.ACCEPT, {}),
            (Action.START, {}),
            (
                Action.COMPLETE,
                {
                    "outcome": "helped",
                    "work_done": "Cztery spotkania z pedagogiem i konsultacja z rodzicem.",
                    "feedback": "Uczeń regularnie uczęszcza na zajęcia; proponujemy kontynuację w kolejnym semestrze.",
                },
            ),
        ],
        State.DECLINED: [
            (Action.DECLINE, {"reason": "no_capacity", "note": "Brak wolnych terminów do końca miesiąca."})
        ],
        State.CANCELLED: [],
        State.EXPIRED: [],
    }
    for action, data in steps[target]:
        services.referral_transition(actor=recipient_user, referral=referral, action=action, **data)
    if target == State.CANCELLED:
        services.referral_transition(
            actor=coordinator, referral=referral, action=Action.CANCEL, reason_text="Rodzina przeprowadziła się."
        )
    if target == State.EXPIRED:
        services.referral_transition(actor=None, referral=referral, action=Action.EXPIRE, system=True)


def delete() -> None:
    """Remove the referrals demo (before the directory demo's reset)."""
    cases = Case.objects.filter(number__startswith=CASE_PREFIX)
    person_ids = list(cases.values_list("person_id", flat=True))
    referral_ids = [str(pk) for pk in Referral.objects.filter(case__in=cases).values_list("pk", flat=True)]
    with transaction.atomic():
        Referral.objects.filter(case__in=cases).delete()
        AccessGrant.objects.filter(source_type="referral", source_id__in=referral_ids).delete()
        AccessGrant.objects.filter(source_type="record", source_id__in=[str(pk) for pk in person_ids]).delete()
        Consent.objects.filter(person_id__in=person_ids).delete()
        cases.delete()
    for user in User.objects.filter(username__startswith="demo-", password__startswith="!"):
        try:
            user.delete()
        except ProtectedError:
            continue
    for person in Person.objects.filter(pk__in=person_ids):
        try:
            person.delete()
        except ProtectedError:
            # Read in the demo: the append-only access log keeps the person (synthetic data).
            continue
