"""Preparing, holding and closing a meeting through its pages: calendar files, invitations, attendance, decisions,
action items, uploads, exports and the work plan drafted from the meeting."""

from __future__ import annotations

import datetime
import io
import zipfile
from zoneinfo import ZoneInfo

import icalendar
import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kooperacja.core.models import AuditEvent
from kooperacja.governance import services
from kooperacja.governance.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    Attendance,
    Decision,
    Invitation,
    Meeting,
    MeetingDocument,
    WorkPlan,
)
from kooperacja.governance.tests.conftest import DAY_1

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")


def test_chair_creates_a_two_day_meeting_with_an_agenda(cast, committee, client_for):
    client = client_for(cast.alice)
    response = client.post(
        reverse("governance:meeting_create", args=[committee.team.pk]),
        {
            "title": "Spotkanie makroregionalne",
            "place": "Rybnik",
            "day1_date": "2031-06-02",
            "day1_start": "10:00",
            "day1_end": "15:00",
            "day2_date": "2031-06-03",
            "day2_start": "09:00",
            "day2_end": "12:00",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="Spotkanie makroregionalne")
    assert [day.date for day in meeting.days.all()] == [datetime.date(2031, 6, 2), datetime.date(2031, 6, 3)]
    assert (meeting.first_day, meeting.last_day, meeting.organiser) == (
        datetime.date(2031, 6, 2),
        datetime.date(2031, 6, 3),
        cast.alice,
    )
    day2 = meeting.days.get(date=datetime.date(2031, 6, 3))
    response = client.post(
        reverse("governance:agenda_item_add", args=[meeting.pk]),
        {"day": day2.pk, "title": "Burza mózgów", "presenter": "Ekspert", "starts_at": "09:00", "ends_at": "10:30"},
    )
    assert response.status_code == 302
    assert AgendaItem.objects.get(day=day2).order == 1
    assert AuditEvent.objects.filter(action="governance.meeting_create", object_id=str(meeting.pk)).exists()


def test_bad_meeting_input_is_refused_with_messages_and_nothing_saved(cast, committee, client_for):
    client = client_for(cast.alice)
    before = Meeting.objects.count()
    response = client.post(
        reverse("governance:meeting_create", args=[committee.team.pk]),
        {"title": "Zły", "day1_date": "2031-06-02", "day1_start": "15:00", "day1_end": "10:00"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Podaj miejsce albo link do spotkania online" in page
    assert 'aria-invalid="true"' in page
    assert Meeting.objects.count() == before


def test_ics_has_one_event_per_day_in_warsaw_time(cast, committee, client_for):
    response = client_for(cast.tom).get(reverse("governance:meeting_ics", args=[committee.meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 2
    starts = sorted(event.decoded("dtstart") for event in events)
    assert starts == [
        datetime.datetime(2031, 3, 10, 10, 0, tzinfo=WARSAW),
        datetime.datetime(2031, 3, 11, 9, 0, tzinfo=WARSAW),
    ]
    ends = sorted(event.decoded("dtend") for event in events)
    assert ends[1] == datetime.datetime(2031, 3, 11, 13, 30, tzinfo=WARSAW)
    assert {str(event["location"]) for event in events} == {"Katowice, ul. Modelowa 1"}
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/Warsaw"
    # The UIDs are distinct per day and stable across downloads.
    again = icalendar.Calendar.from_ical(
        client_for(cast.tom).get(reverse("governance:meeting_ics", args=[committee.meeting.pk])).content
    )
    uids = sorted(str(event["uid"]) for event in events)
    assert len(set(uids)) == 2
    assert uids == sorted(str(event["uid"]) for event in again.walk("VEVENT"))


def test_invitations_reach_the_outbox_with_the_calendar_file(
    cast, committee, client_for, django_capture_on_commit_callbacks
):
    cast.alice.email, cast.tom.email, cast.rosa.email = (
        "alice@example.invalid",
        "tom@example.invalid",
        "rosa@example.invalid",
    )
    for user in (cast.alice, cast.tom, cast.rosa):
        user.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.alice).post(reverse("governance:invitations_send", args=[committee.meeting.pk]))
    assert response.status_code == 302
    # alice, tom and the guest (team), rosa (invited team): one invitation each.
    assert Invitation.objects.filter(meeting=committee.meeting).count() == 4
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(
        ["alice@example.invalid", "tom@example.invalid", "rosa@example.invalid", "jan.gosc@example.invalid"]
    )
    message = mail.outbox[0]
    (part,) = message.attachments
    assert part.get_filename().endswith(".ics") and part.get_content_type() == "text/calendar"
    assert len(icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")) == 2
    # No personal data beyond the meeting: no invitee's or member's name in the body.
    assert "Jan Gość" not in message.body and "Posiedzenie Komitetu Sterującego" in message.body
    # Sending again e-mails nobody new.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.alice).post(reverse("governance:invitations_send", args=[committee.meeting.pk]))
    assert mail.outbox == []


def test_invitee_replies_and_attendance_is_taken(cast, committee, client_for):
    services.invitations_send(actor=cast.alice, meeting=committee.meeting)
    invitation = Invitation.objects.get(meeting=committee.meeting, user=cast.tom)
    response = client_for(cast.tom).post(
        reverse("governance:invitation_reply", args=[invitation.pk]), {"reply": "maybe"}
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.reply == "maybe" and invitation.replied_at is not None
    # Someone else's invitation: a reader cannot reply for another person.
    other = Invitation.objects.get(meeting=committee.meeting, user=cast.alice)
    assert (
        client_for(cast.tom)
        .post(reverse("governance:invitation_reply", args=[other.pk]), {"reply": "attending"})
        .status_code
        == 403
    )

    day = committee.meeting.days.get(date=DAY_1)
    data = {f"person_{inv.pk}": "present" for inv in committee.meeting.invitations.all()}
    data[f"person_{invitation.pk}"] = "excused"
    client = client_for(cast.alice)
    assert client.get(reverse("governance:attendance", args=[committee.meeting.pk, day.pk])).status_code == 200
    response = client.post(reverse("governance:attendance", args=[committee.meeting.pk, day.pk]), data)
    assert response.status_code == 302
    assert Attendance.objects.filter(day=day).count() == 4
    assert Attendance.objects.get(day=day, invitation=invitation).status == "excused"
    # A bad value changes nothing.
    data[f"person_{invitation.pk}"] = "sleeping"
    response = client.post(reverse("governance:attendance", args=[committee.meeting.pk, day.pk]), data)
    assert 'aria-invalid="true"' in response.content.decode()
    assert Attendance.objects.get(day=day, invitation=invitation).status == "excused"


def test_decisions_are_numbered_per_meeting(cast, committee, client_for):
    client = client_for(cast.alice)
    url = reverse("governance:decision_create", args=[committee.meeting.pk])
    assert client.post(url, {"text": "Pierwsza", "by_consensus": "on"}).status_code == 302
    assert (
        client.post(url, {"text": "Druga", "votes_for": 5, "votes_against": 1, "votes_abstain": 0}).status_code == 302
    )
    other = services.meeting_create(
        actor=cast.alice,
        team=committee.team,
        title="Inne",
        days=[(datetime.date(2031, 9, 1), datetime.time(9), datetime.time(10))],
        place="X",
    )
    services.decision_record(actor=cast.alice, meeting=other, text="Gdzie indziej", by_consensus=True)
    assert list(Decision.objects.filter(meeting=committee.meeting).values_list("number", "text")) == [
        (1, "Pierwsza"),
        (2, "Druga"),
    ]
    assert Decision.objects.get(meeting=other).number == 1
    # Without votes and without consensus: refused, nothing saved.
    response = client.post(url, {"text": "Bez głosów"})
    assert "Podaj liczbę głosów" in response.content.decode()
    assert not Decision.objects.filter(text="Bez głosów").exists()
    page = client.get(reverse("governance:meeting_detail", args=[committee.meeting.pk])).content.decode()
    assert "Pierwsza" in page and "Druga" in page


def test_action_items_reach_their_owners(cast, committee, client_for):
    client = client_for(cast.alice)
    decision = services.decision_record(actor=cast.alice, meeting=committee.meeting, text="Ustalono", by_consensus=True)
    response = client.post(
        reverse("governance:action_item_create", args=[committee.meeting.pk]),
        {"title": "Przygotować raport", "owner_user": cast.tom.pk, "due_on": "2031-04-30", "decision": decision.pk},
    )
    assert response.status_code == 302
    services.action_item_create(
        actor=cast.alice, meeting=committee.meeting, title="Zadanie sądu", owner_institution=cast.court
    )
    # The owner user sees his item; staff of the owner institution (paula, not a team member) see theirs.
    tom_page = client_for(cast.tom).get(reverse("governance:my_actions")).content.decode()
    assert "Przygotować raport" in tom_page and "Zadanie sądu" not in tom_page
    paula_page = client_for(cast.paula).get(reverse("governance:my_actions")).content.decode()
    assert "Zadanie sądu" in paula_page and "Przygotować raport" not in paula_page
    assert "Zadanie sądu" not in client_for(cast.olga).get(reverse("governance:my_actions")).content.decode()
    # The owner changes the status; an outsider cannot.
    item = ActionItem.objects.get(title="Zadanie sądu")
    url = reverse("governance:action_item_status", args=[item.pk])
    assert client_for(cast.olga).post(url, {"status": "done"}).status_code == 404
    assert client_for(cast.paula).post(url, {"status": "in_progress"}).status_code == 302
    item.refresh_from_db()
    assert item.status == ActionStatus.IN_PROGRESS
    # A team reader who does not own it: 403.
    assert client_for(cast.tom).post(url, {"status": "done"}).status_code == 403
    # The team page lists the open action items.
    team_page = client_for(cast.tom).get(reverse("governance:team_detail", args=[committee.team.pk])).content.decode()
    assert "Przygotować raport" in team_page and "Zadanie sądu" in team_page


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        # Fixed timestamps: two calls a second apart must give the same bytes (the download is compared with one).
        for name, content in (("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<document/>")):
            package.writestr(zipfile.ZipInfo(name, date_time=(2031, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


def test_document_upload_checks_type_and_size(cast, committee, client_for, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    settings.MAX_UPLOAD_MB = 1
    client = client_for(cast.alice)
    url = reverse("governance:document_upload", args=[committee.meeting.pk])

    def post(name: str, content: bytes):
        return client.post(
            url, {"title": "Prezentacja", "kind": "presentation", "file": SimpleUploadedFile(name, content)}
        )

    response = post("slajdy.exe", b"MZ...")
    assert "Można dołączać tylko pliki PDF, DOCX" in response.content.decode()
    response = post("udawany.pdf", b"to nie jest pdf")
    assert "Zawartość pliku nie odpowiada jego rozszerzeniu." in response.content.decode()
    response = post("udawany.docx", b"PK\x03\x04 nie zip")
    assert "Zawartość pliku nie odpowiada jego rozszerzeniu." in response.content.decode()
    response = post("duzy.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))
    assert "Plik jest za duży: dozwolone najwyżej 1 MB." in response.content.decode()
    assert not MeetingDocument.objects.exists()
    assert not any(tmp_path.rglob("*.*"))

    assert post("agenda.docx", _docx_bytes()).status_code == 302
    document = MeetingDocument.objects.get()
    assert (document.extension, document.kind) == ("docx", "presentation")
    download = client_for(cast.tom).get(reverse("governance:document_download", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == _docx_bytes()
    assert client_for(cast.olga).get(reverse("governance:document_download", args=[document.pk])).status_code == 404


def test_action_items_export_as_csv_and_xlsx(cast, committee, client_for):
    services.action_item_create(
        actor=cast.alice,
        meeting=committee.meeting,
        title='=HYPERLINK("x")',
        owner_user=cast.tom,
        due_on=datetime.date(2031, 4, 1),
    )
    services.action_item_create(
        actor=cast.alice, meeting=committee.meeting, title="Zadanie ROPS", owner_institution=cast.rops_a
    )
    client = client_for(cast.tom)
    csv_response = client.get(reverse("governance:action_items_export", args=[committee.meeting.pk, "csv"]))
    assert csv_response.status_code == 200
    text = csv_response.content.decode("utf-8-sig")
    assert "Zadanie ROPS" in text and "'=HYPERLINK" in text and cast.rops_a.name in text
    xlsx_response = client.get(reverse("governance:action_items_export", args=[committee.meeting.pk, "xlsx"]))
    assert xlsx_response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Posiedzenie Komitetu Sterującego"
    titles = {row[1] for row in rows[2:]}
    assert titles == {'\'=HYPERLINK("x")', "Zadanie ROPS"}


def test_work_plan_is_drafted_from_a_meeting(cast, committee, client_for):
    meeting = committee.meeting
    services.conclusion_add(actor=cast.alice, meeting=meeting, text="Promować model w powiatach")
    decision = services.decision_record(actor=cast.alice, meeting=meeting, text="Raport kwartalny", by_consensus=True)
    open_item = services.action_item_create(
        actor=cast.alice, meeting=meeting, title="Raport z pilotażu", owner_user=cast.tom, decision=decision
    )
    done = services.action_item_create(actor=cast.alice, meeting=meeting, title="Zrobione", owner_user=cast.tom)
    services.action_item_update_status(actor=cast.alice, item=done, status=ActionStatus.DONE)

    assert client_for(cast.tom).post(reverse("governance:workplan_draft", args=[meeting.pk])).status_code == 403
    response = client_for(cast.alice).post(reverse("governance:workplan_draft", args=[meeting.pk]))
    assert response.status_code == 302
    plan = WorkPlan.objects.get(source_meeting=meeting)
    # The meeting ends on 2031-03-11: the next quarter is April–June 2031.
    assert (plan.period_start, plan.period_end) == (datetime.date(2031, 4, 1), datetime.date(2031, 6, 30))
    items = {item.title: item for item in plan.items.all()}
    assert set(items) == {"Promować model w powiatach", "Raport z pilotażu"}
    assert list(items["Raport z pilotażu"].action_items.all()) == [open_item]
    assert list(items["Raport z pilotażu"].decisions.all()) == [decision]
    assert items["Raport z pilotażu"].owner_user == cast.tom
    page = client_for(cast.tom).get(reverse("governance:team_detail", args=[committee.team.pk])).content.decode()
    assert plan.title in page and "Promować model w powiatach" in page


@pytest.mark.parametrize("count", [2, 6])
def test_list_pages_use_a_constant_number_of_queries(cast, committee, client_for, django_assert_max_num_queries, count):
    for index in range(count):
        meeting = services.meeting_create(
            actor=cast.alice,
            team=committee.team,
            title=f"Spotkanie {index}",
            days=[
                (datetime.date(2031, 7, 1 + index), datetime.time(9), datetime.time(10)),
                (datetime.date(2031, 8, 1 + index), datetime.time(9), datetime.time(10)),
            ],
            place="Sala",
        )
        services.agenda_item_add(actor=cast.alice, day=meeting.days.first(), title=f"Punkt {index}")
        decision = services.decision_record(actor=cast.alice, meeting=meeting, text="D", by_consensus=True)
        services.action_item_create(
            actor=cast.alice, meeting=meeting, title=f"Zadanie {index}", owner_user=cast.alice, decision=decision
        )
        services.action_item_create(
            actor=cast.alice, meeting=meeting, title=f"MOPS {index}", owner_institution=cast.ops_a
        )
        services.invitations_send(actor=cast.alice, meeting=meeting)
        services.subgroup_create(actor=cast.alice, meeting=meeting, topic="Podgrupa", members=meeting.invitations.all())
        services.conclusion_add(actor=cast.alice, meeting=meeting, text="Wniosek")
        services.workplan_draft_from_meeting(actor=cast.alice, meeting=meeting)
    client = client_for(cast.alice)
    # Measured ceilings (the same for 2 and for 6 meetings with their agenda, invitations, decisions, items, plans).
    # The lists include one query per request for the actor's institutions (cases' visible_cases: a case conference
    # is only for those who may see the case).
    pages = {
        reverse("governance:home"): 15,
        reverse("governance:my_actions"): 8,
        reverse("governance:team_detail", args=[committee.team.pk]): 20,
        reverse("governance:calendar") + "?year=2031&month=7": 9,
        reverse("governance:meeting_detail", args=[meeting.pk]): 20,
    }
    for url, ceiling in pages.items():
        with django_assert_max_num_queries(ceiling):
            response = client.get(url)
        assert response.status_code == 200, url
    assert f"Zadanie {count - 1}" in client.get(reverse("governance:my_actions")).content.decode()
