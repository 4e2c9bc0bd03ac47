"""The iCalendar (.ics) file of a meeting: one VEVENT per meeting day, times in Europe/Warsaw with its VTIMEZONE."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone

from kooperacja.governance.models import Meeting, MeetingDay, MeetingStatus

TZ_NAME = "Europe/Warsaw"


def day_uid(meeting: Meeting, day: MeetingDay) -> str:
    """Stable per meeting and day: a re-sent invitation updates the same calendar event."""
    host = getattr(settings, "ICS_UID_DOMAIN", "kooperacja.invalid")
    return f"{meeting.uid}-{day.date:%Y%m%d}@{host}"


def meeting_calendar(meeting: Meeting, days: list[MeetingDay] | None = None) -> bytes:
    tz = ZoneInfo(TZ_NAME)
    days = list(days if days is not None else meeting.days.order_by("date"))
    calendar = Calendar()
    calendar.add("prodid", "-//Kooperacja//governance//PL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    if days:
        first = datetime.datetime.combine(days[0].date, days[0].starts_at, tzinfo=tz)
        last = datetime.datetime.combine(days[-1].date, days[-1].ends_at, tzinfo=tz)
        calendar.add_component(
            Timezone.from_tzid(
                TZ_NAME, first_date=datetime.date(first.year, 1, 1), last_date=datetime.date(last.year + 1, 1, 1)
            )
        )
    stamp = timezone.now()
    total = len(days)
    for index, day in enumerate(days, start=1):
        event = Event()
        event.add("uid", day_uid(meeting, day))
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.datetime.combine(day.date, day.starts_at, tzinfo=tz))
        event.add("dtend", datetime.datetime.combine(day.date, day.ends_at, tzinfo=tz))
        summary = meeting.title if total == 1 else f"{meeting.title} ({index}/{total})"
        event.add("summary", summary)
        if meeting.place:
            event.add("location", meeting.place)
        elif meeting.online_url:
            event.add("location", meeting.online_url)
        if meeting.online_url:
            event.add("url", meeting.online_url)
        event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
