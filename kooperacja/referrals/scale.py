"""Synthetic referrals at national size, for benchmarks: `generate_referrals(referrals=2_000_000)` over the cases already
in the database (cases' generate_cases writes them), in bulk.

What a year or two of real work would leave behind, written directly (no services, no audit records, no
notifications: this is generated data, not work), but in the shape the services give it:

- Each referral goes from the case's OPS (its coordinator) to an institution of the same gmina or to a county
  institution (PCPR, labour office, court); sometimes (≈ 6 %) from the school that owns a plan task of the case to the
  OPS or the PCPR. The recipient's kind decides what is shared (identity and contact, plus education, health,
  employment… by kind) and on which basis: a legal basis that covers the kind (as `privacy.policies.sharing_bases`
  picks it), else ONE consent per case, recorded orally by the coordinator, naming all the case's consent-based
  recipients and covering their categories.
- The state comes from simulating the referral forward from its creation date to now with the default deadlines
  (answer within 2 or 7 working days by urgency, Polish holidays excluded, reminder one working day before, expiry five
  working days after): old referrals are mostly completed, declined, cancelled or expired; recent ones are drafts,
  sent, received, accepted or in progress, some of them overdue (reminded and escalated as the sweep would have done).
  About 2 % of the cases' consents were withdrawn: their consent-based referrals open at that moment are suspended.
- Every transition is a `ReferralTransition` row (who, when, from, to); every sent referral has its access grants in
  privacy's table (source "referral", one per legal basis / consent used, ended when the referral closed or was
  suspended) and one `ReferralShare` per category, as `services._open_grants` writes them.
- Recipients act through one synthetic worker per institution (created when missing, without a usable password).

Idempotent: the generated referrals are recognised by their reason's marker, and cases that already have some are left
alone, so a second run with the same N adds nothing (and an interrupted run resumes). One transaction per chunk.
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from kooperacja.accounts.models import Membership, Role, User
from kooperacja.cases.models import Case, Stage, Task
from kooperacja.directory.models import Institution, InstitutionKind, Service
from kooperacja.privacy.models import AccessGrant, Consent, LegalBasis
from kooperacja.referrals.models import (
    Action,
    DeclineReason,
    Outcome,
    Referral,
    ReferralShare,
    ReferralTransition,
    State,
    SuspensionReason,
    Urgency,
)
from kooperacja.referrals.policies import SOURCE_TYPE
from kooperacja.referrals.services import (
    DEFAULT_DAYS,
    DEFAULT_EXPIRE_AFTER_DAYS,
    DEFAULT_REMINDER_DAYS,
)
from kooperacja.referrals.workdays import add_working_days, subtract_working_days

DEFAULT_SEED = 2_000_000
NAMESPACE = uuid.UUID("5b0e7c1a-2d4f-4e6b-9a8c-7d1e3f5a9b20")
MARKER = "(dane syntetyczne)"  # the end of every generated reason: how a later run recognises them
REFERRING_STAGES = (Stage.ASSESSMENT, Stage.PLANNING, Stage.IMPLEMENTATION, Stage.SUMMARY, Stage.CLOSED)
SENDING_KINDS = (InstitutionKind.OPS, InstitutionKind.CUS)
COUNTY_KINDS = (InstitutionKind.PCPR, InstitutionKind.PUP, InstitutionKind.COURT)
# How often an OPS refers to an institution of each kind (relative weights; missing kinds weigh 2).
RECIPIENT_WEIGHTS: dict[str, int] = {
    InstitutionKind.SCHOOL: 14,
    InstitutionKind.KINDERGARTEN: 3,
    InstitutionKind.PPP: 8,
    InstitutionKind.POZ: 10,
    InstitutionKind.CZP: 6,
    InstitutionKind.ADDICTION_CLINIC: 5,
    InstitutionKind.GKRPA: 4,
    InstitutionKind.POLICE_STATION: 3,
    InstitutionKind.HOUSING_MANAGER: 5,
    InstitutionKind.CIS: 5,
    InstitutionKind.NGO: 8,
    InstitutionKind.PARISH_CHARITY: 5,
    InstitutionKind.CULTURE_CENTRE: 2,
    InstitutionKind.SPORTS_CENTRE: 2,
    InstitutionKind.MUNICIPAL_OFFICE: 1,
    InstitutionKind.PCPR: 12,
    InstitutionKind.PUP: 12,
    InstitutionKind.COURT: 3,
}
# What is shared with an institution of each kind, beyond identity and contact.
EXTRA_CATEGORIES: dict[str, tuple[str, ...]] = {
    InstitutionKind.SCHOOL: ("education", "family"),
    InstitutionKind.KINDERGARTEN: ("education", "family"),
    InstitutionKind.PPP: ("education", "family"),
    InstitutionKind.POZ: ("health",),
    InstitutionKind.CZP: ("health",),
    InstitutionKind.ADDICTION_CLINIC: ("health", "addiction"),
    InstitutionKind.GKRPA: ("addiction",),
    InstitutionKind.CIS: ("employment",),
    InstitutionKind.PUP: ("employment",),
    InstitutionKind.HOUSING_MANAGER: ("housing", "finances"),
    InstitutionKind.PCPR: ("family", "finances"),
    InstitutionKind.OPS: ("family",),
    InstitutionKind.CUS: ("family",),
    InstitutionKind.COURT: ("family",),
}
REASONS: dict[str, tuple[str, ...]] = {
    "default": ("Prośba o wsparcie osoby w ramach planu pomocy", "Prośba o kontakt z osobą i ustalenie potrzeb"),
    InstitutionKind.SCHOOL: (
        "Prośba o objęcie ucznia pomocą psychologiczno-pedagogiczną",
        "Prośba o opinię wychowawcy",
    ),
    InstitutionKind.PPP: ("Prośba o diagnozę i konsultację specjalistyczną",),
    InstitutionKind.POZ: ("Prośba o konsultację lekarską i ocenę stanu zdrowia",),
    InstitutionKind.CZP: ("Prośba o konsultację psychiatryczną lub psychologiczną",),
    InstitutionKind.ADDICTION_CLINIC: ("Prośba o przyjęcie na terapię uzależnień",),
    InstitutionKind.PUP: ("Prośba o rejestrację i indywidualny plan działania", "Prośba o skierowanie na szkolenie"),
    InstitutionKind.CIS: ("Prośba o przyjęcie do programu zatrudnienia socjalnego",),
    InstitutionKind.HOUSING_MANAGER: ("Prośba o rozważenie przydziału lokalu socjalnego",),
    InstitutionKind.PCPR: ("Prośba o wsparcie rodziny przez specjalistę PCPR", "Prośba o poradnictwo rodzinne"),
    InstitutionKind.NGO: ("Prośba o włączenie do zajęć wspierających",),
}
SUSPENDED_CASE_SHARE = 0.02
SCHOOL_SENDER_SHARE = 0.06
DECLINE_SHARE = 0.15
CANCEL_SHARE = 0.04
NEVER_ANSWERED_SHARE = 0.07

DECLINE_REASONS = tuple(DeclineReason.values)
OUTCOMES = tuple(Outcome.values)

Progress = Callable[[int, int], None]


def _local_date(moment: datetime.datetime) -> datetime.date:
    """The date in Warsaw (timezone.localtime without its per-call lookups: it runs millions of times here)."""
    return moment.astimezone(_zone()).date()


@lru_cache(maxsize=1)
def _zone() -> datetime.tzinfo:
    return timezone.get_current_timezone()


@dataclass
class ReferralsScaleSummary:
    referrals: int = 0
    transitions: int = 0
    grants: int = 0
    shares: int = 0
    consents: int = 0
    users: int = 0
    cases_used: int = 0
    existing: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    seconds: float = 0.0


# --- deadlines (memoised: a year or two of dates) -------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _deadlines(day: datetime.date, urgency: str) -> tuple[datetime.datetime, datetime.datetime, datetime.datetime]:
    """(answer due, remind at, expires at) for a referral sent on `day`, with the default rules."""
    tz = timezone.get_current_timezone()
    due_day = add_working_days(day, DEFAULT_DAYS.get(urgency, 7))
    end = datetime.time(23, 59, 59)
    due = timezone.make_aware(datetime.datetime.combine(due_day, end), tz)
    remind = timezone.make_aware(
        datetime.datetime.combine(subtract_working_days(due_day, DEFAULT_REMINDER_DAYS), datetime.time(0, 0)), tz
    )
    expires = timezone.make_aware(
        datetime.datetime.combine(add_working_days(due_day, DEFAULT_EXPIRE_AFTER_DAYS), end), tz
    )
    return due, remind, expires


# --- one referral's life ---------------------------------------------------------------------------------------------


@dataclass
class Event:
    action: str
    from_state: str
    to_state: str
    at: datetime.datetime
    side: str  # "sender", "recipient", "system"


def _hours(rng: random.Random, mean_hours: float) -> datetime.timedelta:
    return datetime.timedelta(hours=rng.expovariate(1 / mean_hours))


def simulate(
    rng: random.Random, *, created: datetime.datetime, urgency: str, now: datetime.datetime
) -> tuple[list[Event], dict[str, Any]]:
    """The events of one referral from its creation until `now` (what the users and the sweep would have done)."""
    events = [Event("create", "", State.DRAFT, created, "sender")]
    extra: dict[str, Any] = {}
    state: str = State.DRAFT

    def step(action: str, to: str, at: datetime.datetime, side: str) -> None:
        nonlocal state
        events.append(Event(action, state, to, at, side))
        state = to

    sent = created + _hours(rng, 6)
    if sent > now:
        return events, extra
    step(Action.SEND, State.SENT, sent, "sender")
    due, remind, expires = _deadlines(_local_date(sent), urgency)
    extra["deadlines"] = (due, remind, expires)
    never = rng.random() < NEVER_ANSWERED_SHARE
    cancel_at = created + _hours(rng, 24 * 20) if rng.random() < CANCEL_SHARE else None
    quick = 18 if urgency == Urgency.URGENT else 40

    def awaiting_until(limit: datetime.datetime) -> bool:
        """The referral waits for an answer until `limit`; True when it expired (or was cancelled) meanwhile."""
        if cancel_at is not None and cancel_at < min(limit, expires, now):
            step(Action.CANCEL, State.CANCELLED, cancel_at, "sender")
            return True
        if expires < limit and expires < now:
            step(Action.EXPIRE, State.EXPIRED, expires + datetime.timedelta(minutes=rng.randint(1, 50)), "system")
            return True
        return False

    received = sent + _hours(rng, quick)
    if never:
        received = sent + _hours(rng, 24 * 10) if rng.random() < 0.5 else now + datetime.timedelta(days=1)
    if awaiting_until(received):
        return events, extra
    if received > now:
        return events, extra
    step(Action.RECEIVE, State.RECEIVED, received, "recipient")
    answered = received + _hours(rng, quick)
    if never:
        answered = now + datetime.timedelta(days=30)
    if awaiting_until(answered):
        return events, extra
    if answered > now:
        return events, extra
    if rng.random() < DECLINE_SHARE:
        step(Action.DECLINE, State.DECLINED, answered, "recipient")
        extra["decline_reason"] = rng.choices(DECLINE_REASONS, (35, 25, 15, 15, 10))[0]
        return events, extra
    step(Action.ACCEPT, State.ACCEPTED, answered, "recipient")
    started = answered + _hours(rng, 24 * 3)
    if cancel_at is not None and answered < cancel_at < min(started, now):
        step(Action.CANCEL, State.CANCELLED, cancel_at, "sender")
        return events, extra
    if started > now:
        return events, extra
    step(Action.START, State.IN_PROGRESS, started, "recipient")
    completed = started + datetime.timedelta(days=rng.uniform(5, 90))
    if cancel_at is not None and started < cancel_at < min(completed, now):
        step(Action.CANCEL, State.CANCELLED, cancel_at, "sender")
        return events, extra
    if completed > now:
        return events, extra
    step(Action.COMPLETE, State.COMPLETED, completed, "recipient")
    extra["outcome"] = rng.choices(OUTCOMES, (55, 30, 15))[0]
    extra["feedback"] = rng.random() < 0.8
    return events, extra


def suspend_at(events: list[Event], when: datetime.datetime) -> list[Event]:
    """The events of a referral whose consent was withdrawn at `when`: open then, it was suspended; a draft then stays a
    draft (it could not be sent any more); closed before, nothing changes."""
    kept = [e for e in events if e.at <= when]
    state = kept[-1].to_state
    if state in (State.SENT, State.RECEIVED, State.ACCEPTED, State.IN_PROGRESS):
        return [*kept, Event(Action.SUSPEND, state, State.SUSPENDED, when, "system")]
    if state == State.DRAFT:
        return kept
    return events


def fill(referral: Referral, events: list[Event], extra: dict[str, Any], now: datetime.datetime) -> None:
    """Set the referral's fields from its events, as the services' steps set them."""
    referral.state = events[-1].to_state
    referral.version = len(events) - 1
    for event in events[1:]:
        if event.action == Action.SEND:
            referral.sent_at = event.at
            due, remind, expires = extra["deadlines"]
            referral.answer_due_at, referral.remind_at, referral.expires_at = due, remind, expires
        elif event.action == Action.RECEIVE:
            referral.received_at = event.at
        elif event.action == Action.ACCEPT:
            referral.accepted = True
            referral.first_answered_at = event.at
        elif event.action == Action.DECLINE:
            referral.accepted = False
            referral.first_answered_at = event.at
            referral.decline_reason = extra["decline_reason"]
            referral.decline_text = f"Inny powód {MARKER}" if referral.decline_reason == DeclineReason.OTHER else ""
            referral.closed_at = event.at
        elif event.action == Action.COMPLETE:
            referral.outcome = extra["outcome"]
            referral.work_done = f"Przeprowadzono konsultacje i ustalono dalsze wsparcie {MARKER}"
            referral.feedback = (
                f"Osoba objęta wsparciem; szczegóły w dokumentacji {MARKER}" if extra["feedback"] else ""
            )
            referral.closed_with_feedback = bool(referral.feedback)
            referral.completed_at = event.at
            referral.closed_at = event.at
        elif event.action == Action.CANCEL:
            referral.cancel_reason = f"Sprawa rozwiązana w inny sposób {MARKER}"
            referral.closed_at = event.at
        elif event.action == Action.EXPIRE:
            referral.closed_at = event.at
        elif event.action == Action.SUSPEND:
            referral.suspended_from = event.from_state
            referral.suspension_reason = SuspensionReason.CONSENT_WITHDRAWN
    if referral.sent_at is not None:
        # What the deadline sweep did while the referral waited for an answer.
        answered_or_closed = referral.first_answered_at or referral.closed_at or events[-1].at
        waited_until = answered_or_closed if referral.state not in ("sent", "received") else now
        due = referral.answer_due_at
        if referral.remind_at and due and referral.remind_at <= waited_until and referral.remind_at < due:
            referral.reminded_at = referral.remind_at + datetime.timedelta(minutes=7)
        if referral.answer_due_at and referral.answer_due_at < waited_until:
            referral.escalated_at = referral.answer_due_at + datetime.timedelta(minutes=7)


def end_reason(referral: Referral) -> str:
    reasons: dict[str, str] = {
        State.DECLINED: "referral_declined",
        State.COMPLETED: "referral_completed",
        State.CANCELLED: "referral_cancelled",
        State.EXPIRED: "referral_expired",
        State.SUSPENDED: SuspensionReason.CONSENT_WITHDRAWN,
    }
    return reasons.get(referral.state, "")


# --- what the generator reads once -----------------------------------------------------------------------------------


def legal_bases_by_kind() -> dict[str, dict[str, LegalBasis]]:
    """institution kind → category → the legal basis `privacy.policies.sharing_bases` would pick (no procedure)."""
    bases = list(
        LegalBasis.objects.filter(active=True, is_consent=False, procedure="").order_by("procedure", "kind", "code")
    )
    result: dict[str, dict[str, LegalBasis]] = {}
    for kind in InstitutionKind.values:
        chosen: dict[str, LegalBasis] = {}
        for basis in bases:
            if basis.institution_kinds and kind not in basis.institution_kinds:
                continue
            for category in basis.covers or []:
                chosen.setdefault(category, basis)
        result[kind] = chosen
    return result


def workers_for(institution_ids: list[Any], cache: dict[Any, int], summary: ReferralsScaleSummary) -> None:
    """One synthetic worker (partner professional) per institution that acts on generated referrals."""
    missing = [pk for pk in dict.fromkeys(institution_ids) if pk not in cache]
    if not missing:
        return
    names = {pk: f"synt-prac-{pk.hex[:12]}" for pk in missing}
    found = dict(User.objects.filter(username__in=list(names.values())).values_list("username", "pk"))
    new = [
        User(username=name, first_name="Pracownik", last_name="(synt.)") for name in names.values() if name not in found
    ]
    for user in new:
        user.set_unusable_password()
    if new:
        User.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        found = dict(User.objects.filter(username__in=list(names.values())).values_list("username", "pk"))
        summary.users += len(new)
    Membership.objects.bulk_create(
        [Membership(user_id=found[names[pk]], institution_id=pk, role=Role.PARTNER_PROFESSIONAL) for pk in missing],
        batch_size=2000,
        ignore_conflicts=True,
    )
    for pk in missing:
        cache[pk] = found[names[pk]]


def _apportion(rng: random.Random, total: int, parts: list[float]) -> list[int]:
    """Split `total` into integer parts proportional to `parts` (exact sum)."""
    weight = sum(parts)
    counts, cumulative, given = [], 0.0, 0
    for part in parts:
        cumulative += part
        upto = int(total * cumulative / weight + 1e-9)
        counts.append(upto - given)
        given = upto
    counts[-1] += total - given
    return counts


@dataclass
class Directory:
    by_gmina: dict[Any, list[tuple[Any, str]]]  # gmina id → [(institution id, kind)] (active, without the sender)
    county_of: dict[Any, Any]  # gmina id → county id
    by_county: dict[Any, list[tuple[Any, str]]]  # county id → county institutions
    kind_of: dict[Any, str]
    services: dict[Any, list[Any]]  # institution id → service ids
    ops_of: dict[Any, Any]  # gmina id → the gmina's OPS/CUS id


def read_directory() -> Directory:
    from kooperacja.territory.models import Gmina

    by_gmina: dict[Any, list[tuple[Any, str]]] = {}
    by_county: dict[Any, list[tuple[Any, str]]] = {}
    kind_of: dict[Any, str] = {}
    ops_of: dict[Any, Any] = {}
    rows = Institution.objects.filter(is_active=True).order_by("pk").values_list("pk", "kind", "gmina_id", "county_id")
    for pk, kind, gmina_id, county_id in rows.iterator(chunk_size=10_000):
        kind_of[pk] = kind
        if gmina_id is not None:
            by_gmina.setdefault(gmina_id, []).append((pk, kind))
            if kind in SENDING_KINDS:
                ops_of.setdefault(gmina_id, pk)
        elif county_id is not None and kind in COUNTY_KINDS:
            by_county.setdefault(county_id, []).append((pk, kind))
    services: dict[Any, list[Any]] = {}
    for pk, institution_id in Service.objects.order_by("pk").values_list("pk", "institution_id").iterator(10_000):
        services.setdefault(institution_id, []).append(pk)
    county_of = dict(Gmina.objects.values_list("pk", "county_id"))
    return Directory(by_gmina, county_of, by_county, kind_of, services, ops_of)


# --- writing in bulk -------------------------------------------------------------------------------------------------


def _write(model: type[models.Model], rows: list[Any], *, batch_size: int, with_ids: bool = False) -> None:
    """Insert `rows` (unsaved instances of `model`). On PostgreSQL through COPY — about ten times faster than
    bulk_create at this size — taking the ids from the table's sequence first when `with_ids` (the caller needs them);
    elsewhere with bulk_create (which sets the ids itself)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(rows, batch_size=batch_size)
        return
    from psycopg.types.json import Jsonb

    meta = model._meta
    pk = meta.pk
    assert pk is not None
    automatic = isinstance(pk, models.AutoField | models.BigAutoField)
    if automatic and with_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(rows)],
            )
            for row, (pk_value,) in zip(rows, cursor.fetchall(), strict=True):
                row.pk = pk_value
    fields = [f for f in meta.concrete_fields if not (f.primary_key and automatic and not with_ids)]
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    file_fields = {f.attname for f in fields if isinstance(f, models.FileField)}
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    names = [f.attname for f in fields]

    def value(row: Any, name: str) -> Any:
        raw = getattr(row, name)
        if name in json_fields:
            return Jsonb(raw)
        if name in file_fields:
            return raw.name or ""
        return raw

    special = json_fields | file_fields
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor (Django's wrapper has no copy())
        with raw.copy(f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([value(row, n) if n in special else getattr(row, n) for n in names])


# --- the generator ---------------------------------------------------------------------------------------------------


def generated_referrals() -> Any:
    return Referral.objects.filter(reason__endswith=MARKER)


def generate_referrals(
    *,
    referrals: int = 2_000_000,
    seed: int = DEFAULT_SEED,
    chunk: int = 2_000,
    batch_size: int = 5_000,
    progress: Progress | None = None,
) -> ReferralsScaleSummary:
    """Bring the number of generated referrals up to `referrals` over the cases that have none yet, in bulk, one
    transaction per chunk of cases; `progress(advance, total)` in referrals after each chunk. A second run adds
    nothing."""
    started = time.monotonic()
    summary = ReferralsScaleSummary()
    summary.existing = generated_referrals().count()
    needed = referrals - summary.existing
    if needed <= 0:
        summary.seconds = time.monotonic() - started
        return summary
    rng = random.Random(f"{seed}:{summary.existing}")
    done_cases = set(generated_referrals().values_list("case_id", flat=True).distinct())
    directory = read_directory()
    candidates = [
        row
        for row in Case.objects.filter(person__isnull=False, stage__in=REFERRING_STAGES)
        .order_by("pk")
        .values_list("pk", "person_id", "owner_institution_id", "gmina_id", "coordinator_id", "stage", "opened_at")
        .iterator(chunk_size=10_000)
        if row[0] not in done_cases and row[3] in directory.by_gmina
    ]
    if not candidates:
        summary.seconds = time.monotonic() - started
        return summary
    # Busier gminy refer more: cities twice, rural gminy a little less; and cases differ.
    from kooperacja.territory.models import Gmina, GminaKind

    factor: dict[str, float] = {GminaKind.URBAN: 2.0, GminaKind.URBAN_RURAL: 1.0, GminaKind.RURAL: 0.7}
    gmina_factor = {pk: factor.get(kind, 1.0) for pk, kind in Gmina.objects.values_list("pk", "kind")}
    counts = _apportion(rng, needed, [gmina_factor.get(c[3], 1.0) * rng.uniform(0.2, 1.8) for c in candidates])
    bases = legal_bases_by_kind()
    workers: dict[Any, int] = {}
    now = timezone.now()
    todo = [(case, n) for case, n in zip(candidates, counts, strict=True) if n > 0]
    for start in range(0, len(todo), chunk):
        part = todo[start : start + chunk]
        with transaction.atomic():
            written = _chunk(
                part,
                rng=rng,
                seed=seed,
                directory=directory,
                bases=bases,
                workers=workers,
                now=now,
                batch_size=batch_size,
                summary=summary,
            )
        if progress is not None:
            progress(written, needed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (
                "referrals_referral",
                "referrals_referraltransition",
                "referrals_referralshare",
                "privacy_accessgrant",
                "privacy_consent",
            ):
                # VACUUM also sets the visibility map the index-only counts of the inbox need; inside a transaction
                # (tests) only ANALYZE can run.
                cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM (ANALYZE)'} {table}")
    summary.seconds = time.monotonic() - started
    return summary


def _recipient_for(rng: random.Random, directory: Directory, gmina_id: Any, sender_id: Any) -> tuple[Any, str] | None:
    options = [o for o in directory.by_gmina.get(gmina_id, []) if o[0] != sender_id]
    options += directory.by_county.get(directory.county_of.get(gmina_id), [])
    if not options:
        return None
    weights = [RECIPIENT_WEIGHTS.get(kind, 2) for _pk, kind in options]
    return rng.choices(options, weights)[0]


def _chunk(
    part: list[tuple[tuple[Any, ...], int]],
    *,
    rng: random.Random,
    seed: int,
    directory: Directory,
    bases: dict[str, dict[str, LegalBasis]],
    workers: dict[Any, int],
    now: datetime.datetime,
    batch_size: int,
    summary: ReferralsScaleSummary,
) -> int:
    case_ids = [case[0] for case, _n in part]
    # Plan tasks owned by another institution than the case's OPS (the school of the case team): it may refer too.
    school_tasks: dict[Any, tuple[int, Any]] = {}
    for task_id, case_id, owner_id, case_owner_id in (
        Task.objects.filter(plan__case_id__in=case_ids, owner_institution__kind=InstitutionKind.SCHOOL)
        .order_by("pk")
        .values_list("pk", "plan__case_id", "owner_institution_id", "plan__case__owner_institution_id")
    ):
        if owner_id != case_owner_id:
            school_tasks.setdefault(case_id, (task_id, owner_id))
    # Which school still holds the person (its case-team grant in force): only those may send.
    holding = set(
        AccessGrant.objects.filter(
            source_type="case_team", ended_at__isnull=True, person_id__in=[case[1] for case, _n in part]
        ).values_list("institution_id", "person_id")
    )
    plans: list[tuple[Referral, list[Event], dict[str, Any], dict[str, Any]]] = []
    consent_for_case: dict[Any, Consent] = {}
    consent_recipients: dict[Any, set[Any]] = {}
    withdrawn_cases: dict[Any, datetime.datetime] = {}
    latest_created: dict[Any, datetime.datetime] = {}
    needed_workers: list[Any] = []
    for (case_id, person_id, ops_id, gmina_id, coordinator_id, stage, opened_at), count in part:
        span_end = (
            now
            if stage != Stage.CLOSED
            else max(opened_at + datetime.timedelta(days=30), now - datetime.timedelta(days=60))
        )
        span_days = max(1.0, (min(span_end, now) - opened_at).total_seconds() / 86400)
        task = school_tasks.get(case_id)
        school_may_send = task is not None and (task[1], person_id) in holding
        for index in range(count):
            referral_id = uuid.uuid5(NAMESPACE, f"{seed}/{case_id}/{index}")
            from_school = school_may_send and rng.random() < SCHOOL_SENDER_SHARE
            if from_school:
                assert task is not None
                sender_id = task[1]
                county = directory.county_of.get(gmina_id)
                choices: list[tuple[Any, str]] = [(directory.ops_of.get(gmina_id), InstitutionKind.OPS)]
                choices += [o for o in directory.by_county.get(county, []) if o[1] == InstitutionKind.PCPR]
                choices = [c for c in choices if c[0] is not None and c[0] != sender_id]
                if not choices:
                    from_school = False
                else:
                    recipient_id, kind = rng.choice(choices)
                    kind = directory.kind_of.get(recipient_id, kind)
                    categories = ["education", "identity"]
            if not from_school:
                sender_id = ops_id
                found = _recipient_for(rng, directory, gmina_id, ops_id)
                if found is None:
                    continue
                recipient_id, kind = found
                categories = sorted({"identity", "contact", *EXTRA_CATEGORIES.get(kind, ())})
            # Recent referrals are more frequent than old ones (the work grows); never before the case opened.
            age = span_days * (rng.random() ** 1.6)
            created = min(span_end, now) - datetime.timedelta(days=age)
            created = max(created, opened_at + datetime.timedelta(hours=1))
            urgency = Urgency.URGENT if rng.random() < 0.2 else Urgency.NORMAL
            events, extra = simulate(rng, created=created, urgency=urgency, now=now)
            service_ids = directory.services.get(recipient_id, [])
            reasons = REASONS.get(kind, REASONS["default"])
            referral = Referral(
                id=referral_id,
                case_id=case_id,
                task_id=task[0] if from_school and task is not None else None,
                person_id=person_id,
                sender_id=sender_id,
                sender_user_id=coordinator_id,
                recipient_id=recipient_id,
                service_id=rng.choice(service_ids) if service_ids and rng.random() < 0.7 else None,
                urgency=urgency,
                reason=f"{rng.choice(reasons)} {MARKER}",
                categories=categories,
                created_at=created,
            )
            by_basis = bases.get(kind, {})
            share_basis = {c: by_basis.get(c) for c in categories}
            if not from_school and any(b is None for b in share_basis.values()):
                consent_recipients.setdefault(case_id, set()).add(recipient_id)
                consent = consent_for_case.get(case_id)
                if consent is None:
                    consent = Consent(
                        person_id=person_id,
                        recorded_by_institution_id=ops_id,
                        purpose=f"Przekazanie danych instytucjom, do których kierowana jest osoba {MARKER}",
                        categories=[],
                        given_on=_local_date(created),
                        recorded_orally_by_id=coordinator_id,
                        created_at=created,
                    )
                    consent_for_case[case_id] = consent
                    if rng.random() < SUSPENDED_CASE_SHARE:
                        withdrawn_cases[case_id] = now
                latest_created[case_id] = max(latest_created.get(case_id, created), created)
                given = _local_date(created)
                consent.given_on = min(consent.given_on, given)
                consent.created_at = min(consent.created_at, created)
                consent.categories = sorted({*consent.categories, *(c for c, b in share_basis.items() if b is None)})
            needed_workers.append(recipient_id)
            if from_school:
                needed_workers.append(sender_id)
            plans.append((referral, events, extra, share_basis))
    workers_for(needed_workers, workers, summary)
    # A withdrawn consent: after the last referral that relied on it was written, its open referrals were suspended.
    for case_id in list(withdrawn_cases):
        latest = latest_created[case_id]
        when = latest + (now - latest) * rng.uniform(0.1, 0.9)
        withdrawn_cases[case_id] = when
        consent = consent_for_case[case_id]
        consent.withdrawn_on = _local_date(when)
        consent.withdrawal_recorded_by_id = consent.recorded_orally_by_id
        consent.ended_processed_at = when
    _write(Consent, list(consent_for_case.values()), batch_size=batch_size, with_ids=True)
    _write(
        Consent.recipients.through,
        [
            Consent.recipients.through(consent_id=consent_for_case[case_id].pk, institution_id=institution_id)
            for case_id, institutions in consent_recipients.items()
            for institution_id in sorted(institutions)
        ],
        batch_size=batch_size,
    )
    rows: list[Referral] = []
    transitions: list[ReferralTransition] = []
    grants: list[AccessGrant] = []
    share_plans: list[tuple[Referral, int, str, Any, bool]] = []  # (referral, grant index, category, basis, consent?)
    for referral, events, extra, share_basis in plans:
        consent = consent_for_case.get(referral.case_id)
        uses_consent = any(b is None for b in share_basis.values())
        if uses_consent and referral.case_id in withdrawn_cases:
            events = suspend_at(events, withdrawn_cases[referral.case_id])
        if referral.task_id is not None:  # sent by the school from its plan task: its worker sent it
            referral.sender_user_id = workers[referral.sender_id]
        fill(referral, events, extra, now)
        rows.append(referral)
        summary.by_state[referral.state] = summary.by_state.get(referral.state, 0) + 1
        if referral.is_overdue:
            summary.overdue += 1
        recipient_user = workers[referral.recipient_id]
        for event in events:
            transitions.append(
                ReferralTransition(
                    referral_id=referral.pk,
                    at=event.at,
                    actor_id=(
                        referral.sender_user_id
                        if event.side == "sender"
                        else (recipient_user if event.side == "recipient" else None)
                    ),
                    institution_id=(
                        referral.sender_id
                        if event.side == "sender"
                        else (referral.recipient_id if event.side == "recipient" else None)
                    ),
                    action=event.action,
                    from_state=event.from_state,
                    to_state=event.to_state,
                )
            )
        if referral.sent_at is None:
            continue
        ended_at = referral.closed_at or (events[-1].at if referral.state == State.SUSPENDED else None)
        groups: dict[Any, list[str]] = {}
        for category, basis in share_basis.items():
            groups.setdefault(basis.pk if basis is not None else "consent", []).append(category)
        for key, categories in groups.items():
            basis = share_basis[categories[0]]
            grants.append(
                AccessGrant(
                    institution_id=referral.recipient_id,
                    person_id=referral.person_id,
                    categories=sorted(categories),
                    source_type=SOURCE_TYPE,
                    source_id=str(referral.pk),
                    legal_basis=basis,
                    consent=consent if key == "consent" else None,
                    started_at=referral.sent_at,
                    ended_at=ended_at,
                    end_reason=end_reason(referral) if ended_at else "",
                )
            )
            for category in categories:
                share_plans.append((referral, len(grants) - 1, category, basis, key == "consent"))
    _write(Referral, rows, batch_size=batch_size)
    _write(ReferralTransition, transitions, batch_size=batch_size)
    _write(AccessGrant, grants, batch_size=batch_size, with_ids=True)
    _write(
        ReferralShare,
        [
            ReferralShare(
                referral_id=referral.pk,
                category=category,
                legal_basis=None if is_consent else basis,
                consent=consent_for_case[referral.case_id] if is_consent else None,
                grant_id=grants[index].pk,
            )
            for referral, index, category, basis, is_consent in share_plans
        ],
        batch_size=batch_size,
    )
    summary.referrals += len(rows)
    summary.transitions += len(transitions)
    summary.grants += len(grants)
    summary.shares += len(share_plans)
    summary.consents += len(consent_for_case)
    summary.cases_used += len(part)
    return len(rows)
