"""The iCalendar (.ics) file of a meeting: one VEVENT per meeting day, times in Europe/Warsaw with its VTIMEZONE.

Three flavours, one per use (RFC 5546, iTIP):
- PUBLISH: the file downloaded from the meeting's page ("add to my calendar");
- REQUEST: the invitation e-mailed to one invitee (ORGANIZER and that invitee as ATTENDEE);
- CANCEL: the e-mail telling an invitee that the meeting is cancelled (same UIDs, higher SEQUENCE, so the calendar
  removes the events it imported).
The UID of a day's event is stable (the meeting's uuid and the date), so a re-sent invitation updates the same event.
The organiser is the platform's sender address: no person's e-mail address goes out in the file, and replies are
given on the meeting's page (or through the reply link of the e-mail), so RSVP is FALSE.
"""

from __future__ import annotations

import datetime
from email.utils import parseaddr
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress

from kooperacja.governance.models import Meeting, MeetingDay, MeetingStatus

TZ_NAME = "Europe/Warsaw"
Method = Literal["PUBLISH", "REQUEST", "CANCEL"]


def day_uid(meeting: Meeting, day: MeetingDay) -> str:
    """Stable per meeting and day: a re-sent invitation updates the same calendar event."""
    host = getattr(settings, "ICS_UID_DOMAIN", "kooperacja.invalid")
    return f"{meeting.uid}-{day.date:%Y%m%d}@{host}"


def absolute_url(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def _organiser(meeting: Meeting) -> vCalAddress:
    address = parseaddr(str(settings.DEFAULT_FROM_EMAIL))[1] or "no-reply@kooperacja.invalid"
    organiser = vCalAddress(f"mailto:{address}")
    institution = meeting.organiser_institution
    organiser.params["cn"] = (institution.short_name or institution.name) if institution else "Kooperacja"
    return organiser


def _attendee(email: str) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{email}")
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["partstat"] = "NEEDS-ACTION"
    attendee.params["rsvp"] = "FALSE"
    return attendee


def meeting_calendar(
    meeting: Meeting,
    days: list[MeetingDay] | None = None,
    *,
    method: Method = "PUBLISH",
    attendee_email: str = "",
    meeting_path: str = "",
    reply_url: str = "",
    title: str = "",
) -> bytes:
    """The calendar of the meeting's days. `attendee_email` (REQUEST, CANCEL) is the one invitee the file is for;
    `meeting_path` and `reply_url` go into each event's description; `title` replaces the meeting's own (e-mails use
    `Meeting.outward_title`)."""
    tz = ZoneInfo(TZ_NAME)
    days = list(days if days is not None else meeting.days.order_by("date"))
    cancelled = method == "CANCEL" or meeting.status == MeetingStatus.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", "-//Kooperacja//governance//PL")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    if days:
        first = datetime.datetime.combine(days[0].date, days[0].starts_at, tzinfo=tz)
        last = datetime.datetime.combine(days[-1].date, days[-1].ends_at, tzinfo=tz)
        calendar.add_component(
            Timezone.from_tzid(
                TZ_NAME, first_date=datetime.date(first.year, 1, 1), last_date=datetime.date(last.year + 1, 1, 1)
            )
        )
    with translation.override(settings.LANGUAGE_CODE):
        description = []
        if meeting_path:
            description.append(
                _("The agenda is on the meeting's page (sign-in required): %(url)s")
                % {"url": absolute_url(meeting_path)}
            )
        if reply_url:
            description.append(_("Reply (attending / not attending / maybe): %(url)s") % {"url": reply_url})
    stamp = timezone.now()
    total = len(days)
    for index, day in enumerate(days, start=1):
        event = Event()
        event.add("uid", day_uid(meeting, day))
        event.add("dtstamp", stamp)
        # A cancellation must carry a higher sequence than the request it cancels.
        event.add("sequence", 1 if cancelled else 0)
        event.add("dtstart", datetime.datetime.combine(day.date, day.starts_at, tzinfo=tz))
        event.add("dtend", datetime.datetime.combine(day.date, day.ends_at, tzinfo=tz))
        name = title or meeting.title
        summary = name if total == 1 else f"{name} ({index}/{total})"
        event.add("summary", summary)
        if meeting.place:
            event.add("location", meeting.place)
        elif meeting.online_url:
            event.add("location", meeting.online_url)
        if meeting.online_url:
            event.add("url", meeting.online_url)
        if description:
            event.add("description", "\n".join(description))
        if method != "PUBLISH":
            event.add("organizer", _organiser(meeting))
            if attendee_email:
                event.add("attendee", _attendee(attendee_email))
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
