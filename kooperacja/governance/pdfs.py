"""Printable exports of a meeting: its minutes and its attendance list, as A4 PDFs (core.pdf.Document).

Both are built from the meeting page's selector (`selectors.meeting_page`), so they cost the same constant number of
queries as the page and show exactly what the reader may see there."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _

from kooperacja.core.pdf import Document
from kooperacja.governance.models import AttendanceStatus, Meeting
from kooperacja.governance.selectors import MeetingPage


class _Document(Document):
    def subheading(self, text: str) -> None:
        """A bold line at body size (an agenda item, a sub-group), below the section headings."""
        self.pdf.ln(1)
        self.pdf.set_font(self.family, "B", 10)
        self._write(text)


def _date(value: object) -> str:
    return str(formats.date_format(value, "j E Y")) if value else ""


def _subtitle(meeting: Meeting, page: MeetingPage) -> str:
    lines = [_("Team: %(team)s") % {"team": meeting.team.name}]
    for view in page.days:
        lines.append(f"{_date(view.day.date)}, {view.day.starts_at:%H:%M}–{view.day.ends_at:%H:%M}")
    if meeting.place:
        lines.append(_("Place: %(place)s") % {"place": meeting.place})
    if meeting.online_url:
        lines.append(_("Online: %(url)s") % {"url": meeting.online_url})
    organiser = ", ".join(
        name
        for name in (
            str(meeting.organiser) if meeting.organiser else "",
            meeting.organiser_institution.name if meeting.organiser_institution else "",
        )
        if name
    )
    if organiser:
        lines.append(_("Organiser: %(institution)s") % {"institution": organiser})
    return "\n".join(lines)


def _attendance_label(status: str) -> str:
    return str(AttendanceStatus(status).label) if status in AttendanceStatus.values else "—"


def attendance_pdf(meeting: Meeting, page: MeetingPage) -> bytes:
    """The attendance list: every invited person, their institution, their attendance on each day and a blank
    column for a signature."""
    doc = _Document(title=_("Attendance list: %(title)s") % {"title": meeting.title}, subtitle=_subtitle(meeting, page))
    _attendance_table(doc, page, signature=True)
    return doc.bytes()


def _attendance_table(doc: _Document, page: MeetingPage, *, signature: bool) -> None:
    if not page.attendance_rows:
        doc.paragraph(_("Nobody has been invited yet."))
        return
    headers = [_("No."), _("Person"), _("Institution")]
    headers += [str(formats.date_format(view.day.date, "j E")) for view in page.days]
    widths = [1, 5, 6] + [3] * len(page.days)
    if signature:
        headers.append(_("Signature"))
        widths.append(4)
    rows = []
    for number, (invitation, statuses) in enumerate(page.attendance_rows, start=1):
        row: list[object] = [
            number,
            invitation.full_name,
            invitation.institution.name if invitation.institution else "",
        ]
        row += [_attendance_label(status) for status in statuses]
        if signature:
            row.append("")
        rows.append(row)
    doc.table(headers, rows, widths)


def minutes_pdf(meeting: Meeting, page: MeetingPage) -> bytes:
    """The minutes: attendance, the minutes of each agenda item, the decisions with their vote, the conclusions, the
    working sub-groups and the action items."""
    doc = _Document(title=_("Minutes: %(title)s") % {"title": meeting.title}, subtitle=_subtitle(meeting, page))

    doc.heading(_("Attendance list"))
    _attendance_table(doc, page, signature=False)

    doc.heading(_("Agenda and minutes"))
    items = [(view, item) for view in page.days for item in view.agenda]
    if not items:
        doc.paragraph(_("The minutes follow the agenda: add agenda items first."))
    for view, item in items:
        presenter = f" ({item.presenter})" if item.presenter else ""
        slot = ""
        if item.starts_at:
            slot = f", {item.starts_at:%H:%M}" + (f"–{item.ends_at:%H:%M}" if item.ends_at else "")
        doc.subheading(f"{item.order}. {item.title}{presenter} — {_date(view.day.date)}{slot}")
        minutes = getattr(item, "minutes", None)
        doc.paragraph(minutes.text if minutes else _("No minutes yet."))

    doc.heading(_("Decisions"))
    if not page.decisions:
        doc.paragraph(_("No decisions yet."))
    for decision in page.decisions:
        if decision.by_consensus:
            vote = _("adopted by consensus")
        else:
            vote = _("for: %(for)d, against: %(against)d, abstained: %(abstain)d") % {
                "for": decision.votes_for,
                "against": decision.votes_against,
                "abstain": decision.votes_abstain,
            }
        doc.paragraph(
            _("Decision no. %(number)d: %(text)s (%(vote)s)")
            % {
                "number": decision.number,
                "text": decision.text,
                "vote": vote,
            }
        )

    doc.heading(_("Conclusions"))
    if not page.conclusions:
        doc.paragraph(_("No conclusions yet."))
    for conclusion in page.conclusions:
        source = f" ({conclusion.subgroup.topic})" if conclusion.subgroup else ""
        doc.paragraph(f"• {conclusion.text}{source}")

    if page.subgroups:
        doc.heading(_("Working sub-groups"))
        for subgroup in page.subgroups:
            doc.subheading(subgroup.topic)
            members = ", ".join(member.full_name for member in subgroup.members.all())
            facilitator = subgroup.facilitator.full_name if subgroup.facilitator else "—"
            doc.paragraph(_("Facilitator: %(name)s") % {"name": facilitator})
            doc.paragraph(_("Members: %(names)s") % {"names": members or "—"})
            if subgroup.notes:
                doc.paragraph(_("Notes: %(text)s") % {"text": subgroup.notes})
            if subgroup.outputs:
                doc.paragraph(_("Outputs: %(text)s") % {"text": subgroup.outputs})

    doc.heading(_("Action items"))
    if not page.actions:
        doc.paragraph(_("No action items yet."))
    else:
        doc.table(
            [_("No."), _("Title"), _("Owner"), _("Due date"), _("Status"), _("Decision")],
            [
                [
                    number,
                    action.title,
                    action.owner_display,
                    _date(action.due_on) or "—",
                    action.get_status_display(),
                    action.decision.number if action.decision else "—",
                ]
                for number, action in enumerate(page.actions, start=1)
            ],
            [1, 7, 5, 3, 3, 2],
        )
    return doc.bytes()
