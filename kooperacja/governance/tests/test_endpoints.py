"""Every endpoint of the governance pages and API, for an outsider (404, on GET and on POST) and for a reader of the
team (200 on what it may read, 403 on every write), and nothing changes. A new URL must be added here."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kooperacja.cases import services as case_services
from kooperacja.cases.models import Task
from kooperacja.governance import models, services, urls
from kooperacja.governance.tests.conftest import DAY_1

pytestmark = pytest.mark.django_db


@dataclass
class Endpoint:
    name: str
    url: str
    write: bool
    data: dict[str, Any]
    post_only: bool = False


# Pages that concern no single team or meeting: everyone signed in opens them and sees only their own things
# (tested in test_case_conferences and test_permissions); `team_create` is for the founder roles (test_forms).
NOT_OBJECT_PAGES = {"home", "my_actions", "calendar", "team_create"}
# The reply link of an invitation e-mail: its signed token is the permission, for invitees with or without an account
# (forged, altered and foreign tokens get 404: test_invitations).
TOKEN_PAGES = {"reply_by_link"}


@pytest.fixture
def endpoints(cast, committee, case_of_alice, settings, tmp_path) -> list[Endpoint]:
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    meeting, team = committee.meeting, committee.team
    day = meeting.days.get(date=DAY_1)
    item = services.agenda_item_add(actor=cast.alice, day=day, title="Punkt")
    services.invitations_send(actor=cast.alice, meeting=meeting)
    alice_invitation = models.Invitation.objects.get(meeting=meeting, user=cast.alice)
    subgroup = services.subgroup_create(actor=cast.alice, meeting=meeting, topic="Podgrupa")
    services.decision_record(actor=cast.alice, meeting=meeting, text="Decyzja", by_consensus=True)
    # A case conference of a case team linked to alice's case (tom: a member reading the case; a draft plan exists).
    case_team = services.team_create(
        actor=cast.alice, kind=models.TeamKind.CASE_TEAM, name="ZZK", case=case_of_alice.case
    )
    services.member_add(
        actor=cast.alice, team=case_team, user=cast.tom, institution=cast.school_a, role=models.TeamRole.GUEST
    )
    conference = services.meeting_create(
        actor=cast.alice,
        team=case_team,
        title="Konferencja",
        place="MOPS A",
        days=[(DAY_1, datetime.time(9), datetime.time(10))],
    )
    case_decision = services.decision_record(actor=cast.alice, meeting=conference, text="Ustalenie", by_consensus=True)
    case_services.plan_create(actor=cast.alice, case=case_of_alice.case)
    action = services.action_item_create(actor=cast.alice, meeting=meeting, title="Zadanie", owner_user=cast.alice)
    services.conclusion_add(actor=cast.alice, meeting=meeting, text="Wniosek")
    plan = services.workplan_create(
        actor=cast.alice,
        team=team,
        title="Plan",
        period_start=datetime.date(2031, 4, 1),
        period_end=datetime.date(2031, 6, 30),
    )
    plan_item = services.workplan_item_add(actor=cast.alice, plan=plan, title="Pozycja")
    document = services.document_upload(
        actor=cast.alice,
        meeting=meeting,
        title="Porządek",
        kind=models.DocumentKind.AGENDA,
        upload=SimpleUploadedFile("agenda.pdf", b"%PDF-1.4\n%%EOF\n"),
    )

    def page(name: str, *args: Any, write: bool, data: dict[str, Any] | None = None, post_only: bool = False):
        return Endpoint(name, reverse(f"governance:{name}", args=args), write, data or {}, post_only)

    return [
        page("team_detail", team.pk, write=False),
        page("meeting_detail", meeting.pk, write=False),
        page("meeting_ics", meeting.pk, write=False),
        page("meeting_minutes_pdf", meeting.pk, write=False),
        page("meeting_attendance_pdf", meeting.pk, write=False),
        page("action_items_export", meeting.pk, "csv", write=False),
        page("action_items_export", meeting.pk, "xlsx", write=False),
        page("document_download", document.pk, write=False),
        page("member_add", team.pk, write=True, data={"full_name": "X", "role": "guest"}),
        page("member_edit", committee.guest.pk, write=True, data={"full_name": "X", "role": "guest"}),
        page("meeting_create", team.pk, write=True, data={"title": "X", "place": "Y"}),
        page("workplan_create", team.pk, write=True, data={"title": "X"}),
        page("workplan_item_add", plan.pk, write=True, data={"title": "X", "status": "planned"}),
        page("workplan_item_status", plan_item.pk, write=True, data={"status": "done"}),
        page(
            "decision_plan_task",
            case_decision.pk,
            write=True,
            data={"title": "X", "owner_institution": str(cast.school_a.pk)},
        ),
        page("agenda_item_add", meeting.pk, write=True, data={"day": day.pk, "title": "X"}),
        page("invitations_send", meeting.pk, write=True, data={"resend": "1"}, post_only=True),
        page("attendance", meeting.pk, day.pk, write=True, data={f"person_{alice_invitation.pk}": "present"}),
        page("decision_create", meeting.pk, write=True, data={"text": "X", "by_consensus": "on"}),
        page("action_item_create", meeting.pk, write=True, data={"title": "X", "owner_user": cast.alice.pk}),
        page("action_item_status", action.pk, write=True, data={"status": "done"}),
        page("conclusion_add", meeting.pk, write=True, data={"text": "X"}),
        page("subgroup_create", meeting.pk, write=True, data={"topic": "X"}),
        page("subgroup_edit", subgroup.pk, write=True, data={"topic": "X"}),
        page("document_upload", meeting.pk, write=True, data={"title": "X", "kind": "other"}),
        page("workplan_draft", meeting.pk, write=True, post_only=True),
        page("invitation_reply", alice_invitation.pk, write=True, data={"reply": "not_attending"}, post_only=True),
        page("minutes_edit", item.pk, write=True, data={"text": "X"}),
        Endpoint("api:team", f"/api/v1/governance/teams/{team.pk}", False, {}),
        Endpoint("api:meeting", f"/api/v1/governance/meetings/{meeting.pk}", False, {}),
        Endpoint("api:work-plans", f"/api/v1/governance/teams/{team.pk}/work-plans", False, {}),
        Endpoint(
            "api:reply",
            f"/api/v1/governance/invitations/{alice_invitation.pk}/reply",
            True,
            {"reply": "not_attending"},
            True,
        ),
        Endpoint("api:status", f"/api/v1/governance/action-items/{action.pk}/status", True, {"status": "done"}, True),
        # Last: a cancelled meeting takes no more replies (test_a_writer_may_do_every_write goes in this order).
        page("meeting_status", meeting.pk, write=True, data={"status": "cancelled"}),
    ]


def _state() -> dict[str, Any]:
    """Everything a write could change."""
    state: dict[str, Any] = {}
    for model in (
        models.Team,
        models.TeamMember,
        models.Meeting,
        models.AgendaItem,
        models.Invitation,
        models.Attendance,
        models.SubGroup,
        models.MinutesEntry,
        models.Decision,
        models.Conclusion,
        models.ActionItem,
        models.MeetingDocument,
        models.WorkPlan,
        models.WorkPlanItem,
    ):
        state[model.__name__] = model.objects.count()
    state["meeting"] = list(models.Meeting.objects.values_list("status", "title"))
    state["members"] = list(models.TeamMember.objects.values_list("full_name", "role", "started_on", "ended_on"))
    state["actions"] = list(models.ActionItem.objects.values_list("status", flat=True))
    state["plan items"] = list(models.WorkPlanItem.objects.values_list("status", flat=True))
    state["invitations"] = list(models.Invitation.objects.values_list("reply", "sent_at"))
    state["subgroups"] = list(models.SubGroup.objects.values_list("topic", flat=True))
    state["minutes"] = list(models.MinutesEntry.objects.values_list("text", flat=True))
    state["plan tasks"] = list(Task.objects.values_list("pk", flat=True))
    state["decision tasks"] = list(models.Decision.objects.values_list("plan_task_id", flat=True))
    return state


def _post(client: Any, endpoint: Endpoint) -> Any:
    if endpoint.url.startswith("/api/"):
        return client.post(endpoint.url, json.dumps(endpoint.data), content_type="application/json")
    data = dict(endpoint.data)
    if endpoint.name == "document_upload":
        data["file"] = SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF\n")
    return client.post(endpoint.url, data)


def test_every_page_url_is_listed_here(endpoints):
    names = {pattern.name for pattern in urls.urlpatterns}
    listed = {endpoint.name for endpoint in endpoints}
    assert names - NOT_OBJECT_PAGES - TOKEN_PAGES - listed == set()


def test_outsiders_get_404_everywhere_and_change_nothing(cast, endpoints, client_for):
    before = _state()
    for outsider in (cast.olga, cast.bob, cast.dora, cast.root):
        client = client_for(outsider)
        for endpoint in endpoints:
            if not endpoint.post_only:
                assert client.get(endpoint.url).status_code == 404, (outsider, endpoint.name)
            if endpoint.write:
                assert _post(client, endpoint).status_code == 404, (outsider, endpoint.name)
    assert _state() == before


def test_readers_read_and_get_403_on_every_write(cast, endpoints, client_for):
    before = _state()
    client = client_for(cast.tom)  # a model expert of the committee: a reader
    for endpoint in endpoints:
        if endpoint.write:
            if not endpoint.post_only:
                assert client.get(endpoint.url).status_code == 403, endpoint.name
            assert _post(client, endpoint).status_code == 403, endpoint.name
        else:
            assert client.get(endpoint.url).status_code == 200, endpoint.name
    assert _state() == before


def test_a_writer_may_do_every_write(cast, endpoints, client_for):
    """The other side of the 403s: the same requests succeed for the chair (so the 403s are not a broken form)."""
    client = client_for(cast.alice)
    for endpoint in endpoints:
        if endpoint.write:
            response = _post(client, endpoint)
            assert response.status_code in (200, 302), (endpoint.name, response.status_code)
