"""The governance demo loads on top of the directory demo, once, and shows what the issue describes."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kooperacja.accounts.models import User
from kooperacja.demo import governance_demo
from kooperacja.demo.directory_demo import demo_load
from kooperacja.governance.models import (
    ActionItem,
    Attendance,
    Decision,
    Invitation,
    Meeting,
    MeetingDay,
    MeetingStatus,
    SubGroup,
    Team,
    TeamKind,
    WorkPlan,
)
from kooperacja.referrals.workdays import is_working_day

pytestmark = pytest.mark.django_db


def test_demo_loads_once_and_is_visible_to_the_demo_users(client_for):
    demo_load()
    out = io.StringIO()
    governance_demo.load(stdout=out)
    assert "governance:" in out.getvalue()
    counts = (Team.objects.count(), Meeting.objects.count(), Decision.objects.count(), ActionItem.objects.count())
    governance_demo.load(stdout=out)
    assert "already loaded" in out.getvalue()
    assert (
        Team.objects.count(),
        Meeting.objects.count(),
        Decision.objects.count(),
        ActionItem.objects.count(),
    ) == counts

    assert Team.objects.filter(kind=TeamKind.STEERING_COMMITTEE).count() == 1
    assert Team.objects.filter(kind=TeamKind.MODEL_TEAM).count() == 3
    held = Meeting.objects.filter(status=MeetingStatus.HELD)
    assert held.count() == 2 and all(meeting.days.count() == 2 for meeting in held)
    assert SubGroup.objects.count() == 10
    assert Attendance.objects.exists()
    assert WorkPlan.objects.filter(source_meeting__in=held).count() == 1
    assert Meeting.objects.filter(status=MeetingStatus.PLANNED).count() == 2
    # Past meetings are over, upcoming ones ahead, all on working days.
    today = timezone.localdate()
    assert all(meeting.last_day < today for meeting in held)
    assert all(meeting.first_day > today for meeting in Meeting.objects.filter(status=MeetingStatus.PLANNED))
    assert all(is_working_day(day.date) for day in MeetingDay.objects.all())
    now = timezone.now()
    assert not Invitation.objects.filter(sent_at__gt=now).exists()
    assert not Invitation.objects.filter(replied_at__gt=now).exists()

    rops, koordynator = User.objects.get(username="rops"), User.objects.get(username="koordynator")
    page = client_for(koordynator).get(reverse("governance:my_actions")).content.decode()
    assert "Przygotować scenariusz warsztatów współpracy z rodziną" in page
    # An open item past its due date says so (the ROPS's evaluation data, due three weeks after the first meeting).
    home = client_for(rops).get(reverse("governance:home")).content.decode()
    assert "Uzupełnić dane do ewaluacji z dwóch gmin" in home and "po terminie" in home
    home = client_for(rops).get(reverse("governance:home")).content.decode()
    assert "Komitet Sterujący projektów makroregionalnych" in home
    steering = Team.objects.get(kind=TeamKind.STEERING_COMMITTEE)
    assert (
        client_for(User.objects.get(username="pedagog"))
        .get(reverse("governance:team_detail", args=[steering.pk]))
        .status_code
        == 404
    )

    governance_demo.delete()
    assert not Team.objects.exists() and not Meeting.objects.exists()


def test_load_demo_loads_the_governance_demo_and_resets_it(client_for):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "governance: 4 teams" in out.getvalue()
    teams = Team.objects.count()
    call_command("load_demo", "--reset", stdout=out)
    assert Team.objects.count() == teams
    # The main menu leads signed-in users to the teams and meetings.
    home = client_for(User.objects.get(username="rops")).get("/").content.decode()
    assert reverse("governance:home") in home and "Zespoły i spotkania" in home
