"""What users see and do on the directory pages: details, edit links, validation, uploads, private data."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kooperacja.core.models import AuditEvent
from kooperacja.core.testing.cast import Cast
from kooperacja.directory.models import CapacityStatus, CooperationAgreement, PartnershipMember, Service

from .conftest import PDF_BYTES, PNG_BYTES


def _html(response: Any) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- institution and service pages ----------------------------------------------------------------------------------


def test_institution_page_is_public_and_complete(cast: Cast, client: Any, service_a: Any, location_a: Any) -> None:
    html = _html(client.get(reverse("directory:institution_detail", args=[cast.ops_a.pk])))
    assert f"<h1>{cast.ops_a.name}</h1>" in html
    assert "Asystent rodziny" in html and "Punkt konsultacyjny" in html
    assert cast.gmina_a.code in html
    assert "PZK Miastko A" in html
    assert reverse("directory:institution_edit", args=[cast.ops_a.pk]) not in html
    assert 'class="breadcrumbs"' in html


@pytest.mark.parametrize(("username", "sees_edit"), [("alice", True), ("root", True), ("dora", False), ("bob", False)])
def test_edit_link_only_for_editors(cast: Cast, client_for: Any, username: str, sees_edit: bool) -> None:
    html = _html(client_for(getattr(cast, username)).get(reverse("directory:institution_detail", args=[cast.ops_a.pk])))
    assert (reverse("directory:institution_edit", args=[cast.ops_a.pk]) in html) is sees_edit


def test_missing_objects_are_404(db: None, client: Any) -> None:
    for name in ("institution_detail", "service_detail", "partnership_detail"):
        assert client.get(reverse(f"directory:{name}", args=[uuid.uuid4()])).status_code == 404


def test_edit_institution_saves_with_a_message(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.alice)
    response = client.post(
        reverse("directory:institution_edit", args=[cast.ops_a.pk]),
        {"name": "MOPS Miastko A", "email": "sekretariat@example.invalid", "opening_hours": "pn–pt 8–16"},
        follow=True,
    )
    html = _html(response)
    assert "Zapisano zmiany." in html
    assert "<h1>MOPS Miastko A</h1>" in html
    event = AuditEvent.objects.get(action="directory.institution_update")
    assert "name" in event.data["fields"] and "email" in event.data["fields"]


def test_bad_institution_input_changes_nothing(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.alice)
    response = client.post(
        reverse("directory:institution_edit", args=[cast.ops_a.pk]), {"name": "", "email": "not-an-e-mail"}
    )
    html = _html(response)
    assert 'class="error-summary"' in html and 'aria-invalid="true"' in html
    assert "To pole jest wymagane." in html
    assert "Wprowadź poprawny adres email." in html
    cast.ops_a.refresh_from_db()
    assert cast.ops_a.name == "Miejski Ośrodek Pomocy Społecznej w Miastku A"
    assert not AuditEvent.objects.exists()


def test_waitlist_needs_an_expected_wait(cast: Cast, client_for: Any, service_a: Any) -> None:
    client = client_for(cast.alice)
    url = reverse("directory:service_edit", args=[service_a.pk])
    data = {"name": service_a.name, "status": "active", "capacity_status": "waitlist", "languages": "pl"}
    html = _html(client.post(url, data))
    assert "oczekiwania" in html  # "Podaj przewidywany czas oczekiwania w dniach…"
    service_a.refresh_from_db()
    assert service_a.capacity_status == CapacityStatus.ACCEPTING
    response = client.post(url, {**data, "expected_wait_days": "14"})
    assert response.status_code == 302
    service_a.refresh_from_db()
    assert (service_a.capacity_status, service_a.expected_wait_days) == ("waitlist", 14)


def test_service_form_sets_domains_and_gminy(cast: Cast, client_for: Any, domain: Any) -> None:
    client = client_for(cast.alice)
    form = _html(client.get(reverse("directory:service_create", args=[cast.ops_a.pk])))
    assert form.count('name="domains"') == 14
    response = client.post(
        reverse("directory:service_create", args=[cast.ops_a.pk]),
        {
            "name": "Mieszkanie treningowe",
            "status": "active",
            "capacity_status": "not_accepting",
            "domains": [str(domain.pk)],
            "eligible_gminy": [cast.gmina_a.pk, cast.gmina_b.pk],
            "minimum_age": "18",
            "maximum_age": "65",
            "languages": "pl, uk",
        },
    )
    assert response.status_code == 302
    service = Service.objects.get(name="Mieszkanie treningowe")
    assert list(service.terms.all()) == [domain]
    assert set(service.eligible_gminy.all()) == {cast.gmina_a, cast.gmina_b}
    assert service.capacity_confirmed_at is not None
    html = _html(client.get(response["Location"]))
    assert "18–65" in html and "uk" in html


def test_age_range_must_be_ordered(cast: Cast, client_for: Any) -> None:
    response = client_for(cast.alice).post(
        reverse("directory:service_create", args=[cast.ops_a.pk]),
        {"name": "X", "status": "active", "capacity_status": "accepting", "minimum_age": "30", "maximum_age": "10"},
    )
    assert "wiek" in _html(response).lower()
    assert not Service.objects.filter(name="X").exists()


def test_confirm_capacity_sets_the_date(cast: Cast, client_for: Any, service_a: Any) -> None:
    Service.objects.filter(pk=service_a.pk).update(capacity_confirmed_at=None)
    client = client_for(cast.alice)
    assert client.get(reverse("directory:service_confirm_capacity", args=[service_a.pk])).status_code == 405
    response = client.post(reverse("directory:service_confirm_capacity", args=[service_a.pk]), follow=True)
    assert "Potwierdzono" in _html(response)
    service_a.refresh_from_db()
    assert service_a.capacity_confirmed_at is not None


def test_language_can_be_switched_to_english(cast: Cast, client: Any) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/directory/"})
    html = _html(client.get(reverse("directory:search")))
    assert "Directory of institutions and services" in html
    client.post(reverse("set_language"), {"language": "pl", "next": "/directory/"})
    assert "Katalog instytucji i usług" in _html(client.get(reverse("directory:search")))


# --- partnerships ---------------------------------------------------------------------------------------------------


def test_partnership_list_and_page(cast: Cast, client: Any, agreement: Any) -> None:
    assert "PZK Miastko A" in _html(client.get(reverse("directory:partnership_list")))
    html = _html(client.get(reverse("directory:partnership_detail", args=[cast.partnership_a.pk])))
    assert cast.school_a.name in html and cast.court.name in html
    assert "Porozumienie 2026" in html
    assert "nie jest podstawą prawną" in html


@pytest.mark.parametrize(
    ("username", "sees"),
    [(None, False), ("olga", False), ("bob", False), ("tom", True), ("dora", True), ("alice", True), ("root", True)],
)
def test_representatives_and_file_only_for_member_staff(
    cast: Cast, client: Any, client_for: Any, representative: Any, agreement: Any, username: str | None, sees: bool
) -> None:
    if username:
        client = client_for(getattr(cast, username))
    html = _html(client.get(reverse("directory:partnership_detail", args=[cast.partnership_a.pk])))
    assert ("Zofia Przykładowa" in html) is sees
    assert ("zofia@example.invalid" in html) is sees
    assert (reverse("directory:agreement_file", args=[agreement.pk]) in html) is sees
    api = client.get(f"/api/v1/directory/partnerships/{cast.partnership_a.pk}")
    if username:
        assert ("Zofia" in api.content.decode()) is sees


def test_agreement_file_download_is_checked(
    cast: Cast, client: Any, client_for: Any, agreement: Any, settings: Any
) -> None:
    url = reverse("directory:agreement_file", args=[agreement.pk])
    assert client.get(url).status_code == 302  # anonymous: sign in first
    assert client_for(cast.olga).get(url).status_code == 404
    assert client_for(cast.bob).get(url).status_code == 404
    response = client_for(cast.tom).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    # never stored under MEDIA_ROOT, so never served from the public media URL
    assert not agreement.signed_file.path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        agreement.signed_file.url


def _agreement_post(client: Any, cast: Cast, upload: Any) -> Any:
    return client.post(
        reverse("directory:agreement_create", args=[cast.partnership_a.pk]),
        {"title": "Porozumienie z plikiem", "parties": [str(cast.ops_a.pk)], "upload": upload},
    )


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("umowa.docx", b"PK\x03\x04 word", "Można załączyć tylko pliki PDF, JPEG i PNG"),
        ("umowa.pdf", b"MZ\x90\x00 not a pdf", "nie jest plikiem PDF, JPEG ani PNG"),
        ("skan.png", PDF_BYTES, "nie jest plikiem PDF, JPEG ani PNG"),
    ],
)
def test_upload_rejects_wrong_types(cast: Cast, client_for: Any, filename: str, content: bytes, message: str) -> None:
    response = _agreement_post(client_for(cast.alice), cast, SimpleUploadedFile(filename, content))
    assert message in _html(response)
    assert not CooperationAgreement.objects.filter(title="Porozumienie z plikiem").exists()


def test_upload_rejects_too_big_files(cast: Cast, client_for: Any, settings: Any) -> None:
    settings.MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("skan.pdf", PDF_BYTES + b"0" * (1024 * 1024))
    response = _agreement_post(client_for(cast.alice), cast, big)
    assert "Plik jest za duży: dozwolone najwyżej 1 MB." in _html(response)
    assert not CooperationAgreement.objects.filter(title="Porozumienie z plikiem").exists()


def test_upload_accepts_png(cast: Cast, client_for: Any) -> None:
    response = _agreement_post(client_for(cast.alice), cast, SimpleUploadedFile("skan.PNG", PNG_BYTES))
    assert response.status_code == 302
    agreement = CooperationAgreement.objects.get(title="Porozumienie z plikiem")
    assert agreement.signed_file.name.endswith(".png")
    assert "skan" not in agreement.signed_file.name  # the original name is not kept


def test_parties_must_be_members(cast: Cast, client_for: Any) -> None:
    response = client_for(cast.alice).post(
        reverse("directory:agreement_create", args=[cast.partnership_a.pk]),
        {"title": "Porozumienie z plikiem", "parties": [str(cast.ngo_z.pk)]},
    )
    assert 'class="error-summary"' in _html(response)
    assert not CooperationAgreement.objects.exists()


def test_member_cannot_be_added_twice_and_leaves_once(cast: Cast, client_for: Any, member_school: Any) -> None:
    client = client_for(cast.alice)
    response = client.post(
        reverse("directory:partnership_member_add", args=[cast.partnership_a.pk]),
        {"institution": cast.school_a.pk, "joined_on": "2026-01-01"},
    )
    assert "już członkiem" in _html(response)
    assert PartnershipMember.objects.filter(partnership=cast.partnership_a).count() == 3
    url = reverse("directory:partnership_member_leave", args=[member_school.pk])
    early = client.post(url, {"left_on": "1990-01-01"})
    assert "wcześniejsza" in _html(early)
    assert client.post(url, {"left_on": timezone.localdate().isoformat()}).status_code == 302
    member_school.refresh_from_db()
    assert member_school.left_on == timezone.localdate()
    # the school is still on the page, with its leaving date
    assert cast.school_a.name in _html(
        client.get(reverse("directory:partnership_detail", args=[cast.partnership_a.pk]))
    )


def test_domains_are_named_in_the_users_language(cast: Cast, client: Any, service_a: Any) -> None:
    assert "wspieranie rodziny" in _html(client.get(reverse("directory:search")))
    client.post(reverse("set_language"), {"language": "en", "next": "/directory/"})
    html = _html(client.get(reverse("directory:search")))
    assert "family support" in html and "wspieranie rodziny" not in html
    assert "family support" in _html(client.get(reverse("directory:service_detail", args=[service_a.pk])))


def test_partnership_list_paginates(cast: Cast, client: Any) -> None:
    from kooperacja.core.testing import factories as f

    for number in range(60):
        f.PartnershipFactory(name=f"PZK {number:03d}", lead_institution=cast.ops_b)
    html = _html(client.get(reverse("directory:partnership_list"), {"page": 2}))
    assert "PZK 030" in html and "PZK 000" not in html
    assert 'aria-current="page"' in html


def test_service_status_is_named_in_proper_polish(cast: Cast, client_for: Any, service_a: Any) -> None:
    html = _html(client_for(cast.alice).get(reverse("directory:service_edit", args=[service_a.pk])))
    assert '<option value="active" selected>aktywna</option>' in html
