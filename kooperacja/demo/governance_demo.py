"""Demo of the governance context: the steering committee of the three macroregional projects, a model team per pilot
voivodeship, two past two-day meetings like the ones the projects report (with agenda, minutes, attendance,
sub-groups, decisions, conclusions, action items and a work plan for the next quarter) and upcoming meetings with
invitations. People other than the demo accounts are synthetic (Faker pl_PL, fixed seed).

`load(*, stdout)` is idempotent; `delete()` removes what it created (call it before the directory demo's reset,
since team members and action items keep their users).
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone
from faker import Faker

from kooperacja.accounts.models import User
from kooperacja.demo.directory_demo import EMAIL_DOMAIN, demo_id
from kooperacja.demo.pilots import PILOTS
from kooperacja.directory.models import Institution
from kooperacja.governance import services
from kooperacja.governance.models import (
    ActionStatus,
    Invitation,
    Meeting,
    MeetingDay,
    MeetingStatus,
    Reply,
    Team,
    TeamKind,
    TeamMember,
    TeamRole,
)
from kooperacja.referrals.workdays import is_working_day
from kooperacja.territory.models import Voivodeship

SEED = 6
STEERING_NAME = "Komitet Sterujący projektów makroregionalnych"
MODEL_TEAM_PREFIX = "Zespół ds. Modelu – województwo "

SUBGROUP_TOPICS = (
    ("Platforma Edukacyjna i jej regulamin", "Projekt regulaminu Platformy Edukacyjnej do konsultacji."),
    ("Zadania wojewódzkich zespołów kooperacji", "Lista zadań zespołów wojewódzkich na kolejny kwartał."),
    ("Dobre praktyki", "Pięć praktyk zgłoszonych do katalogu dobrych praktyk."),
    ("Wnioski z testowania w gminach wiejskich", "Zestawienie trudności i rozwiązań z gmin wiejskich."),
    ("Projekty socjalne i ich finansowanie", "Przegląd źródeł finansowania projektów socjalnych."),
    ("Warsztaty współpracy z rodziną", "Scenariusz warsztatów do pilotażu w trzech gminach."),
    ("Budżet i oszczędności", "Propozycja przesunięć w harmonogramie wydatków."),
    ("Rola ROPS", "Opis roli ROPS we wdrażaniu modelu po zakończeniu projektu."),
    ("Edukacja i informacja", "Plan działań informacyjnych dla gmin i powiatów."),
    (
        "Wytyczne dotyczące zatrudnienia inspektora ochrony danych",
        "Projekt wytycznych dla ośrodków w sprawie wyznaczenia IOD.",
    ),
)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _rops(code: str) -> Institution | None:
    return Institution.objects.filter(pk=demo_id("institution", f"rops:{code}")).first()


def _pilot_ops(key: str) -> Institution | None:
    return Institution.objects.filter(pk=demo_id("institution", f"{key}:ops")).first()


def _person(fake: Faker, team: Team, role: str, institution: Institution | None) -> TeamMember:
    first, last = fake.first_name(), fake.last_name()
    email = f"{first}.{last}".lower().replace(" ", "") + f"@{EMAIL_DOMAIN}"
    member = TeamMember(
        team=team,
        full_name=f"{first} {last}",
        email=email.encode("ascii", "ignore").decode(),
        institution=institution,
        role=role,
        started_on=datetime.date(2019, 1, 1),
    )
    member.full_clean()
    member.save()
    return member


def _account(team: Team, user: User | None, role: str, institution: Institution | None) -> None:
    if user is not None:
        TeamMember.objects.create(
            team=team, user=user, institution=institution, role=role, started_on=datetime.date(2019, 1, 1)
        )


def _invite(meeting: Meeting, rng: random.Random, *, past: bool) -> list[Invitation]:
    """Invitations for the members of the meeting's teams, as if e-mailed a fortnight before (no e-mail is sent)."""
    teams = [meeting.team, *meeting.invited_teams.all()]
    members = TeamMember.objects.current().filter(team__in=teams).select_related("user").order_by("team_id", "pk")
    now = timezone.now()
    # A fortnight before the meeting, and never in the future (an upcoming meeting's invitations went out already).
    sent_at = min(
        timezone.make_aware(datetime.datetime.combine(meeting.first_day, datetime.time(9)))
        - datetime.timedelta(days=14),
        now - datetime.timedelta(days=1),
    )
    invitations: list[Invitation] = []
    seen: set[str] = set()
    for member in members:
        key = f"u{member.user_id}" if member.user_id else member.contact_email
        if key in seen:
            continue
        seen.add(key)
        if past:
            reply = rng.choices([Reply.ATTENDING, Reply.NOT_ATTENDING], weights=[9, 1])[0]
        else:
            reply = rng.choice([Reply.ATTENDING, Reply.MAYBE, ""])
        invitations.append(
            Invitation(
                meeting=meeting,
                member=member,
                user=member.user,
                full_name=member.display_name,
                email=member.contact_email,
                institution_id=member.institution_id,
                sent_at=sent_at,
                reply=reply,
                replied_at=min(sent_at + datetime.timedelta(days=rng.randint(1, 7)), now) if reply else None,
            )
        )
    return Invitation.objects.bulk_create(invitations)


def _attendance(actor: User, meeting: Meeting, invitations: list[Invitation], rng: random.Random) -> None:
    for day in meeting.days.all():
        statuses = {}
        for invitation in invitations:
            if invitation.reply == Reply.NOT_ATTENDING:
                statuses[invitation.pk] = "excused"
            else:
                statuses[invitation.pk] = rng.choices(["present", "absent"], weights=[12, 1])[0]
        services.attendance_record(actor=actor, day=day, statuses=statuses)


def _agenda(actor: User, meeting: Meeting, items: list[tuple[int, str, str, str, str]]) -> None:
    days = list(meeting.days.order_by("date"))
    for day_index, title, presenter, start, minutes in items:
        item = services.agenda_item_add(
            actor=actor,
            day=days[day_index],
            title=title,
            presenter=presenter,
            starts_at=datetime.time.fromisoformat(start),
            ends_at=(
                datetime.datetime.combine(days[day_index].date, datetime.time.fromisoformat(start))
                + datetime.timedelta(minutes=75)
            ).time(),
        )
        services.minutes_record(actor=actor, agenda_item=item, text=minutes)


def _tuesday_before(day: datetime.date) -> datetime.date:
    """A past two-day meeting runs Tuesday–Wednesday: the Tuesday on or before `day` whose two days are working days
    (not a Polish public holiday)."""
    tuesday = day - datetime.timedelta(days=(day.weekday() - 1) % 7)
    while not (is_working_day(tuesday) and is_working_day(tuesday + datetime.timedelta(days=1))):
        tuesday -= datetime.timedelta(days=7)
    return tuesday


def _workday_after(day: datetime.date) -> datetime.date:
    """An upcoming meeting falls on a working day (`day` or the next one)."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def _steering_meeting(
    actor: User, team: Team, start: datetime.date, rng: random.Random, users: dict[str, Any]
) -> Meeting:
    meeting = services.meeting_create(
        actor=actor,
        team=team,
        title="Wspólne posiedzenie Komitetu Sterującego trzech makroregionów",
        description="Dwudniowe posiedzenie: doświadczenia z pilotażu, różnice między modelami, ewaluacja i promocja.",
        days=[
            (start, datetime.time(10), datetime.time(16)),
            (start + datetime.timedelta(days=1), datetime.time(9), datetime.time(14)),
        ],
        place="Katowice, Regionalny Ośrodek Polityki Społecznej, sala konferencyjna",
        online_url="https://spotkania.example.invalid/komitet",
    )
    _agenda(
        actor,
        meeting,
        [
            (
                0,
                "Doświadczenia z pilotażu w makroregionach",
                "koordynatorzy makroregionów",
                "10:15",
                "Każdy makroregion przedstawił przebieg testowania modelu; najwięcej trudności dotyczyło powołania PZK.",
            ),
            (
                0,
                "Różnice między modelami kooperacji",
                "ekspert wiodący",
                "12:00",
                "Omówiono różnice między wariantami dla gmin miejskich, wiejskich i miejsko-wiejskich.",
            ),
            (
                1,
                "Ewaluacja pilotażu",
                "konsultant naukowy",
                "09:15",
                "Przedstawiono wstępne wyniki ewaluacji i wskaźniki; brakuje danych z dwóch gmin.",
            ),
            (
                1,
                "Burza mózgów: promocja modeli",
                "moderator",
                "11:00",
                "Zebrano propozycje: konferencja regionalna, materiały dla gmin, webinaria dla powiatów.",
            ),
            (
                1,
                "Terminy kolejnych posiedzeń",
                "przewodniczący",
                "13:00",
                "Ustalono termin kolejnego posiedzenia za trzy miesiące, w trybie hybrydowym.",
            ),
        ],
    )
    invitations = _invite(meeting, rng, past=True)
    _attendance(actor, meeting, invitations, rng)
    first = services.decision_record(
        actor=actor,
        meeting=meeting,
        text="Przyjęto zestawienie różnic między modelami do Księgi Rekomendacyjnej.",
        by_consensus=True,
    )
    second = services.decision_record(
        actor=actor,
        meeting=meeting,
        text="Przyjęto plan promocji modeli na kolejne półrocze.",
        by_consensus=False,
        votes_for=11,
        votes_against=1,
        votes_abstain=2,
    )
    services.action_item_create(
        actor=actor,
        meeting=meeting,
        decision=first,
        title="Przygotować opis różnic między modelami dla gmin",
        owner_user=users["koordynator"],
        owner_institution=_pilot_ops("city"),
        due_on=start + datetime.timedelta(days=45),
    )
    done = services.action_item_create(
        actor=actor,
        meeting=meeting,
        decision=second,
        title="Zorganizować webinarium dla powiatów",
        owner_user=users["rops"],
        due_on=start + datetime.timedelta(days=30),
    )
    services.action_item_update_status(actor=actor, item=done, status=ActionStatus.DONE)
    services.action_item_create(
        actor=actor,
        meeting=meeting,
        title="Uzupełnić dane do ewaluacji z dwóch gmin",
        owner_institution=_rops("24"),
        due_on=start + datetime.timedelta(days=21),
    )
    services.conclusion_add(
        actor=actor, meeting=meeting, text="Promocję modeli prowadzić wspólnie we wszystkich makroregionach."
    )
    services.meeting_set_status(actor=actor, meeting=meeting, status=MeetingStatus.HELD)
    return meeting


def _macroregional_meeting(
    actor: User, team: Team, others: list[Team], start: datetime.date, rng: random.Random, users: dict[str, Any]
) -> Meeting:
    meeting = services.meeting_create(
        actor=actor,
        team=team,
        title="Spotkanie makroregionalne zespołów ds. modelu",
        description="Praca w podgrupach zadaniowych, wnioski i plan pracy na kolejny kwartał.",
        days=[
            (start, datetime.time(10), datetime.time(17)),
            (start + datetime.timedelta(days=1), datetime.time(9), datetime.time(13)),
        ],
        place="Rybnik, Miejski Ośrodek Pomocy Społecznej",
        invited_teams=others,
    )
    _agenda(
        actor,
        meeting,
        [
            (
                0,
                "Praca w podgrupach zadaniowych",
                "moderatorzy podgrup",
                "10:15",
                "Uczestnicy pracowali w dziesięciu podgrupach zadaniowych.",
            ),
            (
                1,
                "Prezentacja wyników podgrup i wnioski",
                "przewodniczący",
                "09:15",
                "Podgrupy przedstawiły rezultaty; przyjęto wnioski do planu pracy.",
            ),
        ],
    )
    invitations = _invite(meeting, rng, past=True)
    _attendance(actor, meeting, invitations, rng)
    present = [inv for inv in invitations if inv.reply != Reply.NOT_ATTENDING]
    for index, (topic, output) in enumerate(SUBGROUP_TOPICS):
        members = rng.sample(present, k=min(3, len(present)))
        subgroup = services.subgroup_create(
            actor=actor,
            meeting=meeting,
            topic=topic,
            facilitator=members[0] if members else None,
            members=members,
            notes=f"Dyskusja w podgrupie: {topic.lower()}.",
            outputs=output,
        )
        if index < 6:
            services.conclusion_add(actor=actor, meeting=meeting, subgroup=subgroup, text=output)
    decision = services.decision_record(
        actor=actor,
        meeting=meeting,
        text="Wnioski podgrup stanowią podstawę planu pracy na kolejny kwartał.",
        by_consensus=True,
    )
    services.action_item_create(
        actor=actor,
        meeting=meeting,
        decision=decision,
        title="Skonsultować regulamin Platformy Edukacyjnej z gminami",
        owner_user=users["rops"],
        owner_institution=_rops("24"),
        due_on=start + datetime.timedelta(days=60),
    )
    services.action_item_create(
        actor=actor,
        meeting=meeting,
        decision=decision,
        title="Przygotować scenariusz warsztatów współpracy z rodziną",
        owner_user=users["koordynator"],
        due_on=start + datetime.timedelta(days=50),
    )
    services.meeting_set_status(actor=actor, meeting=meeting, status=MeetingStatus.HELD)
    services.workplan_draft_from_meeting(actor=actor, meeting=meeting)
    return meeting


def _upcoming(actor: User, team: Team, title: str, start: datetime.date, rng: random.Random, **extra: Any) -> Meeting:
    meeting = services.meeting_create(
        actor=actor, team=team, title=title, days=[(start, datetime.time(10), datetime.time(14))], **extra
    )
    services.agenda_item_add(actor=actor, day=meeting.days.get(), title="Sprawy organizacyjne", presenter="sekretarz")
    services.agenda_item_add(actor=actor, day=meeting.days.get(), title="Postęp realizacji planu pracy")
    _invite(meeting, rng, past=False)
    return meeting


def load(*, stdout: Any) -> None:
    """Load the governance demo once (a second run changes nothing)."""
    if Team.objects.filter(name=STEERING_NAME).exists():
        stdout.write("governance: already loaded; nothing changed.")
        return
    users = {name: _user(name) for name in ("rops", "koordynator", "admin")}
    actor = users["rops"]
    if actor is None:
        stdout.write("governance: the demo account 'rops' is missing (load the directory demo first); skipped.")
        return
    fake = Faker("pl_PL")
    fake.seed_instance(SEED)
    rng = random.Random(SEED)
    today = timezone.localdate()
    pilot_codes = sorted({pilot.voivodeship_code for pilot in PILOTS})
    voivodeships = {v.code: v for v in Voivodeship.objects.filter(code__in=pilot_codes)}
    with transaction.atomic():
        steering = Team.objects.create(
            kind=TeamKind.STEERING_COMMITTEE,
            name=STEERING_NAME,
            description="Dyrektorzy ROPS i koordynatorzy trzech projektów makroregionalnych.",
            institution=_rops("24"),
        )
        _account(steering, actor, TeamRole.SECRETARY, _rops("24"))
        for role in (
            TeamRole.CHAIR,
            TeamRole.LEAD_EXPERT,
            TeamRole.SCIENTIFIC_CONSULTANT,
            TeamRole.LEGAL_CONSULTANT,
            TeamRole.FINANCIAL_SPECIALIST,
            TeamRole.ADVISER,
        ):
            _person(fake, steering, role, _rops(rng.choice(pilot_codes)))
        for code in pilot_codes:
            _person(fake, steering, TeamRole.COORDINATOR, _rops(code))
        model_teams: dict[str, Team] = {}
        for code in pilot_codes:
            voivodeship = voivodeships.get(code)
            name = voivodeship.display_name if voivodeship else code
            team = Team.objects.create(
                kind=TeamKind.MODEL_TEAM,
                name=f"{MODEL_TEAM_PREFIX}{name}",
                voivodeship=voivodeship,
                institution=_rops(code),
            )
            model_teams[code] = team
            for role in (TeamRole.MODEL_EXPERT, TeamRole.SCIENTIFIC_CONSULTANT, TeamRole.REGIONAL_SPECIALIST):
                _person(fake, team, role, _rops(code))
        silesia = model_teams.get("24") or next(iter(model_teams.values()))
        _account(silesia, actor, TeamRole.COORDINATOR, _rops("24"))
        _account(silesia, users["koordynator"], TeamRole.MODEL_EXPERT, _pilot_ops("city"))
        for team in model_teams.values():
            if team.pk != silesia.pk:
                _account(team, actor, TeamRole.GUEST, _rops("24"))

        _steering_meeting(actor, steering, _tuesday_before(today - datetime.timedelta(days=75)), rng, users)
        others = [team for team in model_teams.values() if team.pk != silesia.pk]
        _macroregional_meeting(actor, silesia, others, _tuesday_before(today - datetime.timedelta(days=20)), rng, users)
        _upcoming(
            actor,
            steering,
            "Posiedzenie Komitetu Sterującego – kolejny kwartał",
            _workday_after(today + datetime.timedelta(days=30)),
            rng,
            place="Toruń, Regionalny Ośrodek Polityki Społecznej",
            online_url="https://spotkania.example.invalid/komitet",
        )
        _upcoming(
            actor,
            silesia,
            "Spotkanie zespołu ds. modelu",
            _workday_after(today + datetime.timedelta(days=12)),
            rng,
            online_url="https://spotkania.example.invalid/zespol-modelu",
        )
    stdout.write(
        f"governance: {Team.objects.filter(pk__in=[steering.pk, *[t.pk for t in model_teams.values()]]).count()} teams "
        f"(steering committee, {len(model_teams)} model teams), "
        f"{Meeting.objects.filter(team__in=[steering, *model_teams.values()]).count()} meetings "
        f"({MeetingDay.objects.filter(meeting__team__in=[steering, *model_teams.values()]).count()} days)"
    )


def delete() -> None:
    """Remove the governance demo (before the directory demo's reset)."""
    teams = Team.objects.filter(name=STEERING_NAME) | Team.objects.filter(name__startswith=MODEL_TEAM_PREFIX)
    with transaction.atomic():
        Meeting.objects.filter(team__in=teams).delete()
        TeamMember.objects.filter(team__in=teams).delete()
        teams.delete()
