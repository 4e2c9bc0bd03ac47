"""Invitations as a calendar program sees them (METHOD:REQUEST, one event per day in Warsaw time, stable UIDs,
a cancellation that removes the events) and replies as invitees give them: on the meeting's page, through the reply
link of the e-mail (also without an account) and in the JSON API."""

from __future__ import annotations

import datetime
import json
import re
from email import message_from_bytes
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kooperacja.core.models import AuditEvent
from kooperacja.governance import policies, services
from kooperacja.governance.models import Invitation, MeetingStatus, Reply, TeamKind, TeamRole

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")
API = "/api/v1/governance"


def _send(meeting, actor, capture):
    with capture(execute=True):
        services.invitations_send(actor=actor, meeting=meeting)


def _with_emails(cast):
    for user, address in ((cast.alice, "alice@example.invalid"), (cast.tom, "tom@example.invalid")):
        user.email = address
        user.save()


def _calendar_part(message):
    """The text/calendar part of a sent e-mail, as the receiving program parses it (the whole MIME message)."""
    parsed = message_from_bytes(message.message().as_bytes())
    parts = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0]


def _reply_link(message) -> str:
    match = re.search(r"https?://\S+/governance/reply/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def test_the_invitation_is_a_calendar_request_with_one_event_per_day(
    cast, committee, client_for, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://kooperacja.example.invalid"
    _with_emails(cast)
    _send(committee.meeting, cast.alice, django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == ["jan.gosc@example.invalid"])
    part = _calendar_part(message)
    assert part.get_param("method") == "REQUEST"
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert calendar["method"] == "REQUEST"
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/Warsaw"
    events = sorted(calendar.walk("VEVENT"), key=lambda event: event.decoded("dtstart"))
    # One event per day, each starting and ending on its own day, in Warsaw time.
    assert [(event.decoded("dtstart"), event.decoded("dtend")) for event in events] == [
        (datetime.datetime(2031, 3, 10, 10, 0, tzinfo=WARSAW), datetime.datetime(2031, 3, 10, 16, 0, tzinfo=WARSAW)),
        (datetime.datetime(2031, 3, 11, 9, 0, tzinfo=WARSAW), datetime.datetime(2031, 3, 11, 13, 30, tzinfo=WARSAW)),
    ]
    for event in events:
        assert event["dtstart"].params["TZID"] == "Europe/Warsaw"
        assert str(event["attendee"]) == "mailto:jan.gosc@example.invalid"
        assert str(event["organizer"]).startswith("mailto:")
        assert "Jan" not in str(event["organizer"].params.get("CN", ""))
        assert event["sequence"] == 0
        assert _reply_link(message) in str(event["description"])
    # The e-mail's links are absolute; the UIDs are those of the page's download (PUBLISH), which stay the same.
    assert _reply_link(message).startswith("https://kooperacja.example.invalid/governance/reply/")
    assert f"https://kooperacja.example.invalid/governance/meetings/{committee.meeting.pk}/" in message.body
    download = icalendar.Calendar.from_ical(
        client_for(cast.tom).get(reverse("governance:meeting_ics", args=[committee.meeting.pk])).content
    )
    assert download["method"] == "PUBLISH"
    assert sorted(str(event["uid"]) for event in download.walk("VEVENT")) == sorted(str(e["uid"]) for e in events)
    # Re-sent: the same UIDs (the calendar updates its events instead of adding new ones).
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(actor=cast.alice, meeting=committee.meeting, resend=True)
    again = next(m for m in mail.outbox if m.to == ["jan.gosc@example.invalid"])
    resent = icalendar.Calendar.from_ical(_calendar_part(again).get_payload(decode=True))
    assert sorted(str(e["uid"]) for e in resent.walk("VEVENT")) == sorted(str(e["uid"]) for e in events)


def test_cancelling_the_meeting_sends_a_calendar_cancel(
    cast, committee, client_for, django_capture_on_commit_callbacks
):
    _with_emails(cast)
    _send(committee.meeting, cast.alice, django_capture_on_commit_callbacks)
    invited = {tuple(m.to) for m in mail.outbox}
    first = icalendar.Calendar.from_ical(_calendar_part(mail.outbox[0]).get_payload(decode=True))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.alice).post(
            reverse("governance:meeting_status", args=[committee.meeting.pk]), {"status": "cancelled"}
        )
    assert response.status_code == 302
    assert {tuple(m.to) for m in mail.outbox} == invited
    part = _calendar_part(mail.outbox[0])
    assert part.get_param("method") == "CANCEL"
    cancel = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert cancel["method"] == "CANCEL"
    events = cancel.walk("VEVENT")
    assert {str(e["uid"]) for e in events} == {str(e["uid"]) for e in first.walk("VEVENT")}
    assert all(e["status"] == "CANCELLED" and e["sequence"] == 1 for e in events)
    # Setting the status again sends nothing more; replies are closed.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_set_status(actor=cast.alice, meeting=committee.meeting, status=MeetingStatus.CANCELLED)
    assert mail.outbox == []
    invitation = Invitation.objects.get(meeting=committee.meeting, user=cast.tom)
    response = client_for(cast.tom).post(
        f"{API}/invitations/{invitation.pk}/reply", json.dumps({"reply": "maybe"}), content_type="application/json"
    )
    assert response.status_code == 422


def test_a_person_without_an_account_replies_through_the_link(
    cast, committee, client, django_capture_on_commit_callbacks
):
    _send(committee.meeting, cast.alice, django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == ["jan.gosc@example.invalid"])
    path = "/" + _reply_link(message).split("/", 3)[3]
    page = client.get(path)  # not signed in
    assert page.status_code == 200
    content = page.content.decode()
    assert "Posiedzenie Komitetu Sterującego" in content and "Czy weźmiesz udział?" in content
    # Nobody's name on the page, not even the invitee's.
    assert "Jan Gość" not in content and "alice" not in content.lower()
    assert page["Cache-Control"] == "private, no-store"
    assert client.post(path, {"reply": "attending"}).status_code == 302
    guest = Invitation.objects.get(meeting=committee.meeting, member=committee.guest)
    assert guest.reply == Reply.ATTENDING and guest.replied_at is not None
    assert AuditEvent.objects.filter(action="governance.invitation_reply", object_id=str(guest.pk)).exists()
    # A bad answer changes nothing.
    assert client.post(path, {"reply": "perhaps"}).status_code == 200
    guest.refresh_from_db()
    assert guest.reply == Reply.ATTENDING


def test_forged_altered_and_foreign_reply_links_get_404(cast, committee, client):
    services.invitations_send(actor=cast.alice, meeting=committee.meeting)
    invitation = Invitation.objects.get(meeting=committee.meeting, member=committee.guest)
    token = policies.invitation_reply_token(invitation)
    assert client.get(reverse("governance:reply_by_link", args=[token])).status_code == 200
    for bad in (token[:-2] + "xx", "abc", token.replace(token[0], "Z" if token[0] != "Z" else "Y", 1)):
        assert client.get(reverse("governance:reply_by_link", args=[bad])).status_code == 404
        assert client.post(reverse("governance:reply_by_link", args=[bad]), {"reply": "maybe"}).status_code == 404
    # The same invitation id under another meeting's uid (e.g. after the database was restored elsewhere): 404.
    from django.core import signing

    foreign = signing.dumps(
        {"i": invitation.pk, "m": "00000000-0000-0000-0000-000000000000"}, salt=policies.REPLY_TOKEN_SALT
    )
    assert client.get(reverse("governance:reply_by_link", args=[foreign])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.reply == ""


def test_replies_close_when_the_meeting_is_over(cast, committee, client, client_for):
    today = timezone.localdate()
    past = services.meeting_create(
        actor=cast.alice,
        team=committee.team,
        title="Minione",
        days=[(today - datetime.timedelta(days=3), datetime.time(9), datetime.time(10))],
        place="Sala",
    )
    services.invitations_send(actor=cast.alice, meeting=past)
    guest = Invitation.objects.get(meeting=past, member=committee.guest)
    path = reverse("governance:reply_by_link", args=[policies.invitation_reply_token(guest)])
    page = client.get(path).content.decode()
    assert "Odpowiedzi są zamknięte" in page and "Czy weźmiesz udział?" not in page
    client.post(path, {"reply": "attending"})
    guest.refresh_from_db()
    assert guest.reply == ""
    # On the meeting's page the invitee sees the reply, not the form.
    tom_page = client_for(cast.tom).get(reverse("governance:meeting_detail", args=[past.pk])).content.decode()
    assert "Zapisz odpowiedź" not in tom_page


def test_a_case_conference_invitation_does_not_carry_its_title(cast, case_of_alice, django_capture_on_commit_callbacks):
    _with_emails(cast)
    team = services.team_create(actor=cast.alice, kind=TeamKind.CASE_TEAM, name="ZZK", case=case_of_alice.case)
    services.member_add(actor=cast.alice, team=team, user=cast.tom, institution=cast.school_a, role=TeamRole.GUEST)
    conference = services.meeting_create(
        actor=cast.alice,
        team=team,
        title="Konferencja w sprawie rodziny Nowaków",
        place="MOPS A",
        days=[(datetime.date(2031, 4, 1), datetime.time(12), datetime.time(13))],
    )
    _send(conference, cast.alice, django_capture_on_commit_callbacks)
    assert mail.outbox
    for message in mail.outbox:
        ics = _calendar_part(message).get_payload(decode=True).decode()
        for text in (message.subject, message.body, ics):
            assert "Nowak" not in text
        assert "Konferencja zespołu zadaniowego" in message.subject


# --- the JSON API ------------------------------------------------------------------------------------------------


def _reply(client, invitation, reply):
    return client.post(
        f"{API}/invitations/{invitation.pk}/reply", json.dumps({"reply": reply}), content_type="application/json"
    )


def test_invitees_list_and_answer_their_invitations_in_the_api(cast, committee, client_for):
    services.invitations_send(actor=cast.alice, meeting=committee.meeting)
    mine = Invitation.objects.get(meeting=committee.meeting, user=cast.tom)
    others = Invitation.objects.get(meeting=committee.meeting, user=cast.alice)
    tom = client_for(cast.tom)
    listed = tom.get(f"{API}/invitations/mine").json()
    assert [(row["id"], row["meeting_title"], row["reply"]) for row in listed["items"]] == [
        (mine.pk, "Posiedzenie Komitetu Sterującego", "")
    ]
    assert listed["items"][0]["replies_open"] is True
    response = _reply(tom, mine, "maybe")
    assert response.status_code == 200 and response.json()["reply"] == "maybe"
    mine.refresh_from_db()
    assert mine.reply == Reply.MAYBE
    # A reader answering for someone else: 403; a bad value: 422; outsiders: 404 and an empty list.
    assert _reply(tom, others, "attending").status_code == 403
    assert _reply(tom, mine, "perhaps").status_code == 422
    for outsider in (cast.olga, cast.bob, cast.root):
        client = client_for(outsider)
        assert _reply(client, mine, "attending").status_code == 404
        assert client.get(f"{API}/invitations/mine").json()["count"] == 0
    others.refresh_from_db()
    assert others.reply == ""
    # The chair records a reply on someone's behalf (e.g. told by phone).
    assert _reply(client_for(cast.alice), mine, "not_attending").json()["reply"] == "not_attending"
    # The meeting in the API shows the invitations and the actor's own.
    tom = client_for(cast.tom)
    detail = tom.get(f"{API}/meetings/{committee.meeting.pk}").json()
    assert detail["my_invitation"]["id"] == mine.pk and detail["my_invitation"]["reply"] == "not_attending"
    assert {row["name"] for row in detail["invitations"]} >= {"Jan Gość"}


def test_the_api_shows_the_whole_meeting_and_the_work_plans(cast, committee, client_for, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    meeting = committee.meeting
    day = meeting.days.order_by("date").first()
    item = services.agenda_item_add(
        actor=cast.alice,
        day=day,
        title="Ewaluacja",
        presenter="konsultant naukowy",
        starts_at=datetime.time(10, 15),
        ends_at=datetime.time(11, 30),
    )
    services.minutes_record(actor=cast.alice, agenda_item=item, text="Omówiono wyniki.")
    services.invitations_send(actor=cast.alice, meeting=meeting)
    guest = Invitation.objects.get(meeting=meeting, member=committee.guest)
    services.attendance_record(actor=cast.alice, day=day, statuses={guest.pk: "excused"})
    services.subgroup_create(
        actor=cast.alice, meeting=meeting, topic="Budżet", facilitator=guest, members=[guest], outputs="Propozycja"
    )
    decision = services.decision_record(actor=cast.alice, meeting=meeting, text="Przyjęto", by_consensus=True)
    action = services.action_item_create(
        actor=cast.alice, meeting=meeting, title="Raport", owner_user=cast.tom, decision=decision
    )
    services.conclusion_add(actor=cast.alice, meeting=meeting, text="Promować model")
    services.document_upload(
        actor=cast.alice, meeting=meeting, title="Porządek", upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")
    )
    plan = services.workplan_draft_from_meeting(actor=cast.alice, meeting=meeting)

    client = client_for(cast.tom)
    detail = client.get(f"{API}/meetings/{meeting.pk}").json()
    assert detail["agenda"][0] == {
        "date": "2031-03-10",
        "order": 1,
        "title": "Ewaluacja",
        "presenter": "konsultant naukowy",
        "starts_at": "10:15:00",
        "ends_at": "11:30:00",
        "minutes": "Omówiono wyniki.",
    }
    assert detail["attendance"] == [{"date": "2031-03-10", "invitation_id": guest.pk, "status": "excused"}]
    assert detail["subgroups"][0]["facilitator"] == "Jan Gość" and detail["subgroups"][0]["outputs"] == "Propozycja"
    assert detail["documents"][0]["extension"] == "pdf" and detail["documents"][0]["size"] == 15
    assert detail["organiser"] == str(cast.alice) and detail["invited_team_ids"] == [committee.invited_team.pk]
    assert detail["phase"] == "before"

    plans = client.get(f"{API}/teams/{committee.team.pk}/work-plans").json()
    assert [row["id"] for row in plans] == [plan.pk]
    assert plans[0]["period_start"] == "2031-04-01" and plans[0]["source_meeting_id"] == meeting.pk
    assert plans[0]["progress"] == {
        "total": 2,
        "done": 0,
        "in_progress": 0,
        "planned": 2,
        "dropped": 0,
        "percent_done": 0,
    }
    raport = next(row for row in plans[0]["items"] if row["title"] == "Raport")
    assert raport["action_item_ids"] == [action.pk] and raport["decision_ids"] == [decision.pk]
    # Members with and without an account, with their role, institution and dates.
    members = {row["name"]: row for row in client.get(f"{API}/teams/{committee.team.pk}").json()["members"]}
    assert members["Jan Gość"]["has_account"] is False and members["Jan Gość"]["role"] == "guest"
    assert members["Jan Gość"]["institution_name"] == cast.court.name
    assert members[str(cast.alice)]["has_account"] is True and members[str(cast.alice)]["started_on"]
    # A member of an invited team reads the meeting but not the inviting team's plans.
    assert client_for(cast.rosa).get(f"{API}/teams/{committee.team.pk}/work-plans").status_code == 404


def test_the_meeting_page_says_before_during_and_after(cast, committee, client_for):
    today = timezone.localdate()
    client = client_for(cast.alice)

    def page_of(first: datetime.date) -> str:
        meeting = services.meeting_create(
            actor=cast.alice,
            team=committee.team,
            title=f"Spotkanie {first}",
            days=[
                (first, datetime.time(9), datetime.time(15)),
                (first + datetime.timedelta(days=1), datetime.time(9), datetime.time(12)),
            ],
            place="Sala",
        )
        return client.get(reverse("governance:meeting_detail", args=[meeting.pk])).content.decode()

    assert "przed spotkaniem: porządek obrad i zaproszenia" in page_of(today + datetime.timedelta(days=5))
    during = page_of(today)
    assert "spotkanie trwa: sprawdź obecność" in during and "(dzisiaj)" in during
    assert "spotkanie trwa" in page_of(today - datetime.timedelta(days=1))  # the second of two days
    assert "po spotkaniu: protokół, decyzje i zadania" in page_of(today - datetime.timedelta(days=9))
