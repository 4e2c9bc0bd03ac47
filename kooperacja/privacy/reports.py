"""The person's report (GDPR art. 15): what is held, to whom it was disclosed and on which basis, who read it when.

Sections come from privacy itself (the record, households, consents, disclosures, reads) and from the contexts that
register one — cases adds "cases and plans" from its AppConfig.ready():

    from kooperacja.privacy import reports
    reports.register_section(cases_section)   # cases_section(*, person, actor) -> ReportSection | None

The reads name the institution and the reader's role or position, not the individual employee (CJEU C-579/21: the
identity of employees is not, as a rule, information the data subject is entitled to); the DPO may include user
names when the case requires it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kooperacja.accounts.models import Membership
from kooperacja.core.pdf import Document
from kooperacja.people import crypto
from kooperacja.people.models import HouseholdMember, Person
from kooperacja.privacy.models import AccessGrant, AccessLogEntry, Channel, Consent, DataCategory, Purpose


@dataclass
class ReportTable:
    caption: str
    headers: Sequence[str]
    rows: list[Sequence[str]]
    empty: str = ""


@dataclass
class ReportSection:
    title: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)


@dataclass
class PersonReport:
    person: Person
    generated_at: datetime.datetime
    include_usernames: bool
    sections: list[ReportSection]

    @property
    def title(self) -> str:
        return _("Information on the processing of personal data")


SectionProvider = Callable[..., "ReportSection | list[ReportSection] | None"]
_providers: list[SectionProvider] = []


def register_section(provider: SectionProvider) -> None:
    """Add a section provider `provider(*, person, actor) -> ReportSection | list[ReportSection] | None`."""
    if provider not in _providers:
        _providers.append(provider)


def _day(value: Any) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def _moment(value: Any) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else "—"


def categories_text(categories: Sequence[str]) -> str:
    labels = dict(DataCategory.choices)
    return ", ".join(str(labels.get(c, c)) for c in categories) or "—"


def _record_section(person: Person) -> ReportSection:
    pesel = ""
    if person.pesel_encrypted:
        try:
            pesel = crypto.decrypt(person.pesel_encrypted)
        except Exception:
            pesel = _("(held, cannot be decrypted with the current keys)")
    address = ", ".join(part for part in (person.street, f"{person.postal_code} {person.town}".strip()) if part)
    fields = [
        (_("First name"), person.first_name),
        (_("Second name"), person.second_name),
        (_("Last name"), person.last_name),
        (_("Family name (maiden name)"), person.family_name),
        (_("Birth date"), _day(person.birth_date)),
        (_("Sex"), str(person.get_sex_display()) if person.sex else ""),
        (_("PESEL"), pesel),
        (_("Citizenship"), person.citizenship),
        (_("Address"), address),
        (_("Gmina"), person.gmina.name if person.gmina else ""),
        (_("Phone"), person.phone),
        (_("E-mail"), person.email),
        (_("Recorded by"), person.recorded_by_institution.name if person.recorded_by_institution else ""),
        (_("Recorded on"), _day(timezone.localtime(person.created_at).date())),
    ]
    return ReportSection(title=_("The person's record"), fields=[(label, value or "—") for label, value in fields])


def _households_section(person: Person) -> ReportSection:
    members = HouseholdMember.objects.filter(person=person).select_related("household", "household__gmina")
    rows = [
        [
            m.household.name,
            ", ".join(p for p in (m.household.street, m.household.town) if p) or "—",
            str(m.get_relation_display()),
            _day(m.since),
            _day(m.until),
        ]
        for m in members.order_by("since", "pk")
    ]
    table = ReportTable(
        caption=_("Households the person belongs or belonged to"),
        headers=[_("Household"), _("Address"), _("Relation"), _("Since"), _("Until")],
        rows=rows,
        empty=_("No household is recorded."),
    )
    return ReportSection(title=_("Households and family"), tables=[table])


def _consents_section(person: Person) -> ReportSection:
    consents = (
        Consent.objects.filter(person=person)
        .select_related("recorded_by_institution", "recorded_orally_by")
        .prefetch_related("recipients")
        .order_by("given_on", "pk")
    )
    rows = []
    for consent in consents:
        form = _("signed document") if consent.document else _("recorded orally")
        rows.append(
            [
                _day(consent.given_on),
                consent.recorded_by_institution.name,
                ", ".join(r.name for r in consent.recipients.all()),
                consent.purpose,
                categories_text(consent.categories),
                _day(consent.valid_until),
                _day(consent.withdrawn_on),
                form,
            ]
        )
    table = ReportTable(
        caption=_("Consents given by the person"),
        headers=[
            _("Given on"),
            _("Recorded by"),
            _("Recipients"),
            _("Purpose"),
            _("Data categories"),
            _("Valid until"),
            _("Withdrawn on"),
            _("Form"),
        ],
        rows=rows,
        empty=_("The person has given no consent."),
    )
    return ReportSection(title=_("Consents"), tables=[table])


def _disclosures_section(person: Person) -> ReportSection:
    grants = (
        AccessGrant.objects.filter(person=person)
        .select_related("institution", "legal_basis", "consent")
        .order_by("started_at", "pk")
    )
    rows = []
    for grant in grants:
        if grant.legal_basis is not None:
            basis = f"{grant.legal_basis.reference} — {grant.legal_basis.title}"
        else:
            basis = _("consent given on %(day)s") % {"day": _day(grant.consent.given_on if grant.consent else None)}
        rows.append(
            [
                grant.institution.name,
                categories_text(grant.categories),
                basis,
                _moment(grant.started_at),
                _moment(grant.ended_at) if grant.ended_at else _("ongoing"),
            ]
        )
    table = ReportTable(
        caption=_("Institutions that may see or saw the person's data"),
        headers=[_("Institution"), _("Data categories"), _("Basis"), _("From"), _("To")],
        rows=rows,
        empty=_("The data was not disclosed to any institution."),
    )
    return ReportSection(title=_("To whom the data was disclosed and on which basis"), tables=[table])


def _reads_section(person: Person, include_usernames: bool) -> ReportSection:
    entries = list(AccessLogEntry.objects.filter(person=person).select_related("institution").order_by("at", "pk"))
    pairs = {(e.actor_id, e.institution_id) for e in entries if e.actor_id}
    labels_by_pair: dict[tuple[Any, Any], list[str]] = {}
    if pairs:
        memberships = Membership.objects.filter(
            user_id__in={a for a, _i in pairs}, institution_id__in={i for _a, i in pairs if i}
        ).order_by("pk")
        for membership in memberships:
            key = (membership.user_id, membership.institution_id)
            if key not in pairs:
                continue
            label = membership.job_title or str(membership.get_role_display())
            if label not in labels_by_pair.setdefault(key, []):
                labels_by_pair[key].append(label)
    roles = {key: ", ".join(labels) for key, labels in labels_by_pair.items()}
    purposes = dict(Purpose.choices)
    channels = dict(Channel.choices)
    headers = [_("When"), _("Institution"), _("Role or position")]
    if include_usernames:
        headers.append(_("User"))
    headers += [_("Purpose"), _("Data categories"), _("How")]
    rows = []
    for entry in entries:
        row = [
            _moment(entry.at),
            entry.institution.name if entry.institution else "—",
            roles.get((entry.actor_id, entry.institution_id), "—"),
        ]
        if include_usernames:
            row.append(entry.actor_username or "—")
        row += [
            str(purposes.get(entry.purpose, entry.purpose)),
            categories_text(entry.categories),
            str(channels.get(entry.channel, entry.channel)),
        ]
        rows.append(row)
    table = ReportTable(
        caption=_("Reads of the person's data recorded in the access log"),
        headers=headers,
        rows=rows,
        empty=_("Nobody has read the data."),
    )
    return ReportSection(title=_("Who read the data and when"), tables=[table])


def person_report(*, actor: Any, person: Person, institution: Any, include_usernames: bool = False) -> PersonReport:
    """Build the report; producing it is itself a read, written to the access log first (so it lists itself)."""
    from kooperacja.privacy.services import access_log_record

    access_log_record(
        actor=actor,
        person=person,
        categories=DataCategory.values,
        purpose=Purpose.SUBJECT_REQUEST,
        channel=Channel.REPORT,
        resource=f"privacy:person_report:{person.pk}",
        institution=institution,
    )
    sections = [_record_section(person), _households_section(person), _consents_section(person)]
    for provider in list(_providers):
        extra = provider(person=person, actor=actor)
        if extra is None:
            continue
        sections.extend(extra if isinstance(extra, list) else [extra])
    sections += [_disclosures_section(person), _reads_section(person, include_usernames)]
    return PersonReport(
        person=person, generated_at=timezone.now(), include_usernames=include_usernames, sections=sections
    )


def report_pdf(report: PersonReport) -> bytes:
    document = Document(
        title=report.title,
        subtitle=_("Art. 15 GDPR · prepared on %(when)s") % {"when": _moment(report.generated_at)},
    )
    for section in report.sections:
        document.heading(section.title)
        for paragraph in section.paragraphs:
            document.paragraph(paragraph)
        if section.fields:
            document.table([_("Data"), _("Value")], section.fields, widths=[1, 2])
        for table in section.tables:
            if table.rows:
                document.paragraph(table.caption)
                document.table(table.headers, table.rows)
            else:
                document.paragraph(table.empty)
    return document.bytes()
