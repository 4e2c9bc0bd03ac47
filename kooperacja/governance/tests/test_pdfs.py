"""The minutes and the attendance list of a meeting as PDFs: for the meeting's readers only, with the minutes and
the attendees' names in them, a filename without personal data and a constant number of queries."""

from __future__ import annotations

import datetime
import re
import zlib

import pytest
from django.urls import reverse

from kooperacja.core import pdf
from kooperacja.governance import services
from kooperacja.governance.models import AttendanceStatus, Invitation
from kooperacja.governance.tests.conftest import DAY_1

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    """The page content streams of a PDF, inflated (enough to find the words written with the built-in font)."""
    parts = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            parts.append(stream)
    return b"\n".join(parts).decode("latin-1")


@pytest.fixture
def held_meeting(cast, committee):
    meeting = committee.meeting
    day = meeting.days.get(date=DAY_1)
    item = services.agenda_item_add(actor=cast.alice, day=day, title="Doświadczenia pilotażu", presenter="ekspert")
    services.minutes_record(actor=cast.alice, agenda_item=item, text="Omowiono roznice miedzy modelami.")
    services.invitations_send(actor=cast.alice, meeting=meeting)
    statuses = {inv.pk: AttendanceStatus.PRESENT for inv in meeting.invitations.all()}
    guest = Invitation.objects.get(meeting=meeting, member=committee.guest)
    statuses[guest.pk] = AttendanceStatus.EXCUSED
    services.attendance_record(actor=cast.alice, day=day, statuses=statuses)
    decision = services.decision_record(
        actor=cast.alice,
        meeting=meeting,
        text="Przyjac plan promocji",
        by_consensus=False,
        votes_for=5,
        votes_against=1,
        votes_abstain=0,
    )
    services.action_item_create(
        actor=cast.alice,
        meeting=meeting,
        title="Przygotowac raport",
        owner_institution=cast.rops_a,
        due_on=datetime.date(2031, 4, 30),
        decision=decision,
    )
    services.conclusion_add(actor=cast.alice, meeting=meeting, text="Promowac model w powiatach")
    services.subgroup_create(actor=cast.alice, meeting=meeting, topic="Budzet i oszczednosci", outputs="Propozycja")
    return meeting


def _urls(meeting) -> dict[str, str]:
    return {
        "minutes": reverse("governance:meeting_minutes_pdf", args=[meeting.pk]),
        "attendance": reverse("governance:meeting_attendance_pdf", args=[meeting.pk]),
    }


def test_minutes_and_attendance_are_pdfs_with_their_content(cast, held_meeting, client_for, monkeypatch):
    # The built-in font writes readable words (without Polish diacritics), so that the test can find them.
    monkeypatch.setattr(pdf, "unicode_font", lambda: None)
    urls = _urls(held_meeting)
    client = client_for(cast.tom)  # a reader of the meeting

    minutes = client.get(urls["minutes"])
    assert minutes.status_code == 200
    assert minutes["Content-Type"] == "application/pdf"
    assert minutes["Content-Disposition"] == f'attachment; filename="protokol-spotkania-{held_meeting.pk}.pdf"'
    assert minutes["Cache-Control"] == "private, no-store"
    assert minutes.content.startswith(b"%PDF-")
    text = _text(minutes.content)
    for words in (
        "Posiedzenie Komitetu Steruj",
        "Omowiono roznice miedzy modelami.",
        "Przyjac plan promocji",
        "za: 5, przeciw: 1",
        "Przygotowac raport",
        "Promowac model w powiatach",
        "Budzet i oszczednosci",
        "Jan Gosc",  # an attendee (Jan Gość, without diacritics in the built-in font)
        "usprawiedliwiony",
    ):
        assert words in text, words

    attendance = client.get(urls["attendance"])
    assert attendance.status_code == 200
    assert attendance["Content-Type"] == "application/pdf"
    assert attendance["Content-Disposition"] == f'attachment; filename="lista-obecnosci-{held_meeting.pk}.pdf"'
    assert attendance.content.startswith(b"%PDF-")
    text = _text(attendance.content)
    assert "Lista obecnosci" in text and "Podpis" in text
    for invitation in held_meeting.invitations.all():
        # Word by word: a long name may wrap in its cell; written as the built-in font writes it (ł → l).
        for word in invitation.full_name.split():
            plain = "".join(ch if ord(ch) < 256 else pdf._latin1(ch) for ch in word)
            assert plain in text, plain


def test_pdfs_use_the_unicode_font_by_default(cast, held_meeting, client_for):
    for url in _urls(held_meeting).values():
        response = client_for(cast.alice).get(url)
        assert response.status_code == 200 and response.content.startswith(b"%PDF-")
        assert b"Lato" in response.content


def test_the_meeting_page_links_the_pdfs(cast, held_meeting, client_for):
    page = client_for(cast.tom).get(reverse("governance:meeting_detail", args=[held_meeting.pk])).content.decode()
    for url in _urls(held_meeting).values():
        assert url in page
    assert "Protokół (PDF)" in page and "Lista obecności (PDF)" in page


def test_pdfs_are_for_the_meetings_readers_only(cast, held_meeting, client_for):
    for url in _urls(held_meeting).values():
        for outsider in (cast.bob, cast.olga, cast.dora):
            assert client_for(outsider).get(url).status_code == 404, (outsider, url)
        assert client_for(cast.rosa).get(url).status_code == 200  # a member of the invited team


@pytest.mark.parametrize("count", [1, 5])
def test_pdfs_use_a_constant_number_of_queries(cast, committee, client_for, django_assert_max_num_queries, count):
    meeting = committee.meeting
    day = meeting.days.get(date=DAY_1)
    services.invitations_send(actor=cast.alice, meeting=meeting)
    for index in range(count):
        item = services.agenda_item_add(actor=cast.alice, day=day, title=f"Punkt {index}")
        services.minutes_record(actor=cast.alice, agenda_item=item, text=f"Protokol {index}")
        decision = services.decision_record(actor=cast.alice, meeting=meeting, text=f"D{index}", by_consensus=True)
        services.action_item_create(
            actor=cast.alice, meeting=meeting, title=f"Z{index}", owner_user=cast.tom, decision=decision
        )
        services.subgroup_create(
            actor=cast.alice, meeting=meeting, topic=f"G{index}", members=meeting.invitations.all()
        )
    services.attendance_record(
        actor=cast.alice, day=day, statuses={inv.pk: "present" for inv in meeting.invitations.all()}
    )
    client = client_for(cast.alice)
    for url in _urls(meeting).values():
        with django_assert_max_num_queries(18):
            assert client.get(url).status_code == 200


def _unicode_text(content: bytes) -> str:
    """The text of a PDF written with an embedded Unicode (CID, Identity-H) font, rebuilt without a PDF library: each
    2-byte glyph code of every `(…) Tj` string is looked up in the fonts' ToUnicode maps (one decoding per font; the
    right one reads as words). Enough to check that Polish letters come out as Polish letters."""
    streams = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            streams.append(zlib.decompress(stream))
        except zlib.error:
            streams.append(stream)  # not compressed
    maps = []
    for stream in streams:
        if b"beginbfchar" in stream:
            pairs = re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4,8})>", stream.split(b"beginbfchar", 1)[1])
            maps.append({int(code, 16): chr(int(uni, 16)) for code, uni in pairs})
    assert maps, "no ToUnicode map: the text is not extractable"
    texts = []
    for stream in streams:
        for raw in _literal_strings(stream):
            codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
            texts += ["".join(mapping.get(code, "\ufffd") for code in codes) for mapping in maps]
    return "\n".join(texts)


def _literal_strings(stream: bytes) -> list[bytes]:
    """The bytes of each `(…) Tj` literal string, with the PDF escapes undone."""
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    found, index = [], 0
    while (start := stream.find(b"(", index)) != -1:
        out, index, depth = bytearray(), start + 1, 1
        while index < len(stream):
            byte = stream[index]
            if byte == 0x5C:  # backslash
                following = stream[index + 1]
                out += escapes.get(following, bytes([following]))
                index += 2
                continue
            if byte == 0x28:
                depth += 1
            elif byte == 0x29:
                depth -= 1
                if depth == 0:
                    break
            out.append(byte)
            index += 1
        index += 1
        if stream[index : index + 4].lstrip().startswith(b"Tj"):
            found.append(bytes(out))
    return found


def test_polish_letters_read_back_from_the_pdfs(cast, committee, client_for):
    """With the default (embedded Lato) font, the words come back with their Polish letters."""
    meeting = committee.meeting
    day = meeting.days.get(date=DAY_1)
    item = services.agenda_item_add(actor=cast.alice, day=day, title="Różnice między modelami", presenter="ekspert")
    services.minutes_record(actor=cast.alice, agenda_item=item, text="Zażółć gęślą jaźń.")
    services.invitations_send(actor=cast.alice, meeting=meeting)
    services.attendance_record(
        actor=cast.alice, day=day, statuses={inv.pk: "present" for inv in meeting.invitations.all()}
    )
    client = client_for(cast.alice)
    minutes = client.get(reverse("governance:meeting_minutes_pdf", args=[meeting.pk])).content
    assert minutes.startswith(b"%PDF-") and b"/FontFile2" in minutes
    text = _unicode_text(minutes)
    for words in ("Protokół", "Posiedzenie Komitetu Sterującego", "Różnice między modelami", "Zażółć gęślą jaźń."):
        assert words in text, words
    attendance = client.get(reverse("governance:meeting_attendance_pdf", args=[meeting.pk])).content
    text = _unicode_text(attendance)
    assert "Lista obecności" in text and "Jan Gość" in text and "obecny" in text
