"""The inbox and outbox (pages and API lists) cost the same number of queries whatever the number of referrals, the
page and the filters: the rows come with their sender, recipient and service in the list's own query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kooperacja.core.testing import factories as f
from kooperacja.referrals import services
from kooperacja.referrals.models import Referral

pytestmark = pytest.mark.django_db


def _refer(world, count: int) -> list[Referral]:  # type: ignore[no-untyped-def]
    service = f.ServiceFactory(institution=world.cast.school_a, name="Konsultacja pedagogiczna")
    made = []
    for index in range(count):
        referral = services.referral_create(
            actor=world.cast.alice,
            case=world.case,
            recipient=world.cast.school_a,
            service=service if index % 2 else None,
            reason=f"Prośba {index}.",
            categories=["identity"],
        )
        services.referral_send(actor=world.cast.alice, referral=referral)
        made.append(referral)
    return made


def _queries(client, url: str) -> tuple[int, bytes]:  # type: ignore[no-untyped-def]
    client.get(url)  # warm: the session and the unread count in the cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content


URLS = (
    "/referrals/",
    "/referrals/?tab=waiting&sector=social_assistance",
    "/referrals/outbox/",
    "/referrals/outbox/?state=sent&deadline=week",
    "/api/v1/referrals/?box=inbox",
    "/api/v1/referrals/?box=outbox&state=sent",
)


@pytest.mark.parametrize("url", URLS)
def test_list_query_count_does_not_grow_with_the_referrals(world, client, url: str) -> None:  # type: ignore[no-untyped-def]
    user = world.cast.tom if "outbox" not in url else world.cast.alice
    client.force_login(user)
    _refer(world, 1)
    few, content = _queries(client, url)
    assert b"referral" in content.lower() or b"skierowanie" in content.lower() or b'"count": 1' in content
    _refer(world, 7)
    many, content = _queries(client, url)
    assert many == few
    if "?" not in url:  # the unfiltered pages show the service of each row
        assert b"Konsultacja pedagogiczna" in content


def test_a_deep_page_costs_what_the_first_one_does(world, client) -> None:  # type: ignore[no-untyped-def]
    from kooperacja.referrals import selectors

    _refer(world, 3)
    client.force_login(world.cast.tom)
    original = selectors.PAGE_SIZE
    selectors.PAGE_SIZE = 1
    try:
        first, _content = _queries(client, "/referrals/?page=1")
        deep, content = _queries(client, "/referrals/?page=3")
    finally:
        selectors.PAGE_SIZE = original
    assert first == deep
    api_first, _ = _queries(client, "/api/v1/referrals/?box=inbox&per_page=1&page=1")
    api_deep, body = _queries(client, "/api/v1/referrals/?box=inbox&per_page=1&page=3")
    assert api_first == api_deep and b'"page": 3' in body
