"""Demo data of the privacy context: the DPO's registers of every pilot OPS (record of processing activities,
retention rules, a breach, requests of data subjects). Synthetic (Faker pl_PL). Consents need persons and cases:
the cases demo records them with `privacy.services.consent_record` and opens grants on them.

Called by `load_demo` (wired by the lead): `privacy.demo.load(rng_seed=...)`, `privacy.demo.delete()`.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone
from faker import Faker

from kooperacja.accounts.models import Membership, Role, User
from kooperacja.demo.directory_demo import demo_id
from kooperacja.demo.pilots import PILOTS
from kooperacja.directory.models import Institution
from kooperacja.privacy import services
from kooperacja.privacy.models import (
    Breach,
    LegalBasis,
    ProcessingActivity,
    RecordType,
    RequestKind,
    RequestStatus,
    RetentionRule,
    SubjectRequest,
)

DEMO_MARK = "[demo]"

ACTIVITIES = [
    {
        "name": "Przyznawanie świadczeń z pomocy społecznej",
        "purposes": "Rozpatrywanie wniosków, przeprowadzanie rodzinnych wywiadów środowiskowych, wydawanie decyzji.",
        "bases": ["gdpr-6-1-c", "gdpr-9-2-b", "ups-art-100"],
        "data_subject_categories": "Osoby i rodziny ubiegające się o pomoc lub z niej korzystające.",
        "data_categories": ["identity", "contact", "family", "health", "finances", "housing", "employment"],
        "recipients": "Organy i instytucje uprawnione z mocy prawa (sąd, ZUS, urząd skarbowy).",
        "retention": "10 lat od zakończenia sprawy (JRWA, kategoria B10).",
        "security_measures": "Szyfrowanie numeru PESEL, uprawnienia według ról, dziennik dostępu, szkolenia.",
    },
    {
        "name": "Praca socjalna i indywidualne plany (IPW/IPUS)",
        "purposes": "Koordynacja przypadku, diagnoza, plan wsparcia, współpraca w zespole koordynacji przypadku.",
        "bases": ["gdpr-6-1-e", "gdpr-6-1-a", "gdpr-9-2-a", "ups-art-100", "ucus-art-8"],
        "data_subject_categories": "Osoby i rodziny objęte koordynacją przypadku.",
        "data_categories": ["identity", "contact", "family", "health", "education", "addiction", "justice"],
        "recipients": "Członkowie zespołu koordynacji przypadku — na podstawie zgody osoby.",
        "retention": "10 lat od zamknięcia przypadku.",
        "security_measures": "Dostęp tylko dla instytucji z uprawnieniem, zgody w systemie, dziennik dostępu.",
    },
    {
        "name": "Procedura „Niebieskie Karty”",
        "purposes": "Przeciwdziałanie przemocy domowej przez zespół interdyscyplinarny.",
        "bases": ["upprzd-art-9c", "gdpr-9-2-g"],
        "data_subject_categories": "Osoby doznające przemocy domowej i osoby stosujące przemoc.",
        "data_categories": ["identity", "contact", "family", "violence", "health", "justice"],
        "recipients": "Członkowie zespołu interdyscyplinarnego i grup diagnostyczno-pomocowych.",
        "retention": "5 lat od zakończenia procedury.",
        "security_measures": "Dostęp imienny tylko dla członków zespołu, osobne notatki, dziennik dostępu.",
    },
]

RETENTION = [
    (RecordType.CASE, 10, "JRWA: dokumentacja pomocy społecznej, kategoria B10"),
    (RecordType.PERSON, 10, "Po zamknięciu ostatniej sprawy"),
    (RecordType.CONSENT, 5, "Rozliczalność (art. 5 ust. 2 RODO) po odwołaniu lub wygaśnięciu"),
    (RecordType.SUBJECT_REQUEST, 3, "Rozliczalność obsługi żądań"),
]


def _pilot_ops() -> list[Institution]:
    ids = [demo_id("institution", f"{pilot.key}:ops") for pilot in PILOTS]
    return list(Institution.objects.filter(pk__in=ids).order_by("name"))


def _dpo_for(institution: Institution) -> User | None:
    membership = (
        Membership.objects.filter(institution=institution, role=Role.DATA_PROTECTION_OFFICER)
        .select_related("user")
        .first()
    )
    if membership is not None:
        return membership.user
    return User.objects.filter(username="admin").first()


def is_loaded() -> bool:
    return ProcessingActivity.objects.filter(security_measures__endswith=DEMO_MARK).exists()


def delete() -> None:
    """Remove what `load` created."""
    with transaction.atomic():
        ProcessingActivity.objects.filter(security_measures__endswith=DEMO_MARK).delete()
        Breach.objects.filter(measures__endswith=DEMO_MARK).delete()
        SubjectRequest.objects.filter(extension_reason__endswith=DEMO_MARK).delete()
        SubjectRequest.objects.filter(answer__endswith=DEMO_MARK).delete()
        SubjectRequest.objects.filter(requester__endswith=DEMO_MARK).delete()
        RetentionRule.objects.filter(basis__endswith=DEMO_MARK).delete()


def load(*, rng_seed: int = 2026) -> str:
    """Load the DPO registers of the pilot OPS once (a second run changes nothing); returns a summary line."""
    if is_loaded():
        return "privacy: already loaded; nothing changed."
    rng = random.Random(rng_seed)
    fake = Faker("pl_PL")
    fake.seed_instance(rng_seed)
    bases = {basis.code: basis for basis in LegalBasis.objects.all()}
    today = timezone.localdate()
    counts = {"activities": 0, "rules": 0, "breaches": 0, "requests": 0}
    with transaction.atomic():
        for institution in _pilot_ops():
            actor = _dpo_for(institution)
            if actor is None:
                continue
            for spec in ACTIVITIES:
                values = {k: v for k, v in spec.items() if k != "bases"}
                values["security_measures"] = f"{values['security_measures']} {DEMO_MARK}"
                services.processing_activity_create(
                    actor=actor,
                    institution=institution,
                    values=values,
                    legal_bases=[bases[code] for code in spec["bases"] if code in bases],  # type: ignore[union-attr]
                )
                counts["activities"] += 1
            for record_type, years, why in RETENTION:
                services.retention_rule_create(
                    actor=actor,
                    institution=institution,
                    values={"record_type": record_type, "period_years": years, "basis": f"{why} {DEMO_MARK}"},
                )
                counts["rules"] += 1
            discovered = timezone.now() - datetime.timedelta(days=rng.randint(20, 120))
            services.breach_create(
                actor=actor,
                institution=institution,
                values={
                    "discovered_at": discovered,
                    "description": "Wysłanie wiadomości z danymi klienta na błędny adres e-mail partnera.",
                    "data_categories": ["identity", "contact", "family"],
                    "approx_persons": 1,
                    "consequences": "Niskie ryzyko: odbiorca potwierdził usunięcie wiadomości.",
                    "measures": f"Przypomnienie zasad, szyfrowanie załączników. {DEMO_MARK}",
                    "reported_to_uodo_at": None,
                    "not_reported_reason": "Naruszenie nie skutkuje prawdopodobnie ryzykiem dla praw i wolności osoby.",
                },
            )
            counts["breaches"] += 1
            for kind, days_ago, status in (
                (RequestKind.ACCESS, 24, RequestStatus.IN_PROGRESS),
                (RequestKind.RECTIFICATION, 70, RequestStatus.ANSWERED),
            ):
                received = today - datetime.timedelta(days=days_ago)
                answered = status == RequestStatus.ANSWERED
                services.subject_request_create(
                    actor=actor,
                    institution=institution,
                    values={
                        "kind": kind,
                        "received_on": received,
                        "requester": f"{fake.first_name()} {fake.last_name()} {DEMO_MARK}",
                        "status": status,
                        "answered_on": received + datetime.timedelta(days=12) if answered else None,
                        "answer": f"Sprostowano adres zamieszkania. {DEMO_MARK}" if answered else "",
                    },
                )
                counts["requests"] += 1
    return (
        f"privacy: {counts['activities']} processing activities, {counts['rules']} retention rules, "
        f"{counts['breaches']} breaches, {counts['requests']} requests of data subjects"
    )
