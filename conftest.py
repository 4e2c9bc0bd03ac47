"""Fixtures shared by every test: the cast of actors and signed-in clients."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from kooperacja.core.testing.cast import Cast, build_cast

SHARED_DIR = Path(__file__).resolve().parent.parent / "shared"


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()


@pytest.fixture
def client_for(client: Client) -> Callable[..., Client]:
    """client_for(user) returns a test client signed in as that user."""

    def _signed_in(user: object) -> Client:
        client.force_login(user)  # type: ignore[arg-type]
        return client

    return _signed_in


@pytest.fixture
def shared_dir() -> Path:
    if not (SHARED_DIR / "standards").is_dir():
        pytest.skip(f"../shared is not beside this clone ({SHARED_DIR}); these tests run in CI")
    return SHARED_DIR
