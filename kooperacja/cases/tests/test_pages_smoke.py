"""Every page renders for the coordinator (a first check before the authorisation matrix)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_render(world, client_for) -> None:
    cast = world.cast
    client = client_for(cast.alice)
    case = world.case
    urls = [
        reverse("cases:caseload"),
        reverse("cases:inbox"),
        reverse("cases:open"),
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:qualify", args=[case.pk]),
        reverse("cases:team", args=[case.pk]) + f"?institution={cast.court.pk}",
        reverse("cases:assessment", args=[case.pk]),
        reverse("cases:plan", args=[case.pk]),
        reverse("cases:review_add", args=[case.pk]),
        reverse("cases:note_add", args=[case.pk]),
        reverse("cases:close", args=[case.pk]),
        reverse("cases:task", args=[world.task.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    tom = client_for(cast.tom)
    assert tom.get(reverse("cases:inbox")).status_code == 200
    assert tom.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert tom.get(reverse("cases:task", args=[world.task.pk])).status_code == 200
