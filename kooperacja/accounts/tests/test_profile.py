"""'My account': personal data, memberships with the active one marked and a switch; English rendering."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse

from kooperacja.accounts.models import Role
from kooperacja.core.testing import factories as f
from kooperacja.core.testing.cast import Cast

PROFILE = reverse("accounts:profile")
SWITCH = reverse("accounts:switch_membership")


def test_profile_needs_sign_in(client: Client, db: None) -> None:
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_profile_shows_personal_data_and_memberships(cast: Cast, client_for: Any) -> None:
    response = client_for(cast.alice).get(PROFILE)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1>") == 1
    assert "<h1>Moje konto</h1>" in html
    assert cast.alice.get_full_name() in html
    assert cast.alice.email in html
    assert "polski" in html  # preferred language
    assert cast.ops_a.name in html
    assert "koordynator przypadku" in html and "animator partnerstwa" in html  # role labels in Polish
    assert "<caption>" in html and 'scope="col"' in html
    assert html.count('<input type="hidden" name="membership"') == 1  # a switch for the one not active
    assert "aktywna" in html
    assert cast.school_a.name not in html


def test_switch_the_active_membership_among_own_memberships(cast: Cast, client_for: Any) -> None:
    tom = cast.tom
    second = f.MembershipFactory(user=tom, institution=cast.ngo_z, role=Role.PARTNER_PROFESSIONAL)
    client = client_for(tom)
    home = client.get(reverse("core:home")).content.decode()
    assert 'id="active-membership"' in home  # the switch is in the header of every page

    response = client.post(SWITCH, {"membership": second.pk, "next": PROFILE})
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    assert client.get(PROFILE).context["active"].pk == second.pk

    first = cast.membership(tom)
    client.post(SWITCH, {"membership": first.pk, "next": PROFILE})
    assert client.get(PROFILE).context["active"].pk == first.pk


def test_cannot_switch_to_someone_elses_membership(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.tom)
    own = client.get(PROFILE).context["active"]
    others = cast.membership(cast.bob)
    assert client.post(SWITCH, {"membership": others.pk, "next": PROFILE}).status_code == 404
    assert client.post(SWITCH, {"membership": "nonsense"}).status_code == 404
    assert client.get(PROFILE).context["active"].pk == own.pk


def test_cannot_switch_to_an_ended_membership(cast: Cast, client_for: Any) -> None:
    import datetime

    ended = f.MembershipFactory(
        user=cast.tom,
        institution=cast.ngo_z,
        role=Role.PARTNER_PROFESSIONAL,
        started_on=datetime.date(2020, 1, 1),
        ended_on=datetime.date(2021, 1, 1),
    )
    client = client_for(cast.tom)
    assert client.post(SWITCH, {"membership": ended.pk}).status_code == 404
    assert cast.ngo_z.name not in client.get(PROFILE).content.decode()


def test_switch_needs_post_and_sign_in(cast: Cast, client: Client) -> None:
    membership = cast.membership(cast.tom)
    response = client.post(SWITCH, {"membership": membership.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    client.force_login(cast.tom)
    assert client.get(SWITCH).status_code == 405


def test_switch_never_redirects_elsewhere(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.tom)
    response = client.post(SWITCH, {"membership": cast.membership(cast.tom).pk, "next": "https://evil.example/"})
    assert response["Location"] == reverse("core:home")


def test_profile_in_english(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(PROFILE).content.decode()
    assert '<html lang="en">' in html
    assert "<h1>My account</h1>" in html
    assert "case coordinator" in html
    assert "Personal API tokens" in html
    assert "Moje konto" not in html


def test_profile_without_memberships(client_for: Any, db: None) -> None:
    loner = f.UserFactory(username="loner")
    html = client_for(loner).get(PROFILE).content.decode()
    assert "Nie masz obecnie przypisania do żadnej instytucji" in html
