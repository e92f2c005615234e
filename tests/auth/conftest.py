"""Helpers for the sign-in security tests."""

from __future__ import annotations

import pytest

from background.mail import mailer
from models.db import rows
from tests.conftest import (
    TEST_PASSWORD,
    audit_events,  # noqa: F401 - re-exported for this area's tests
)


def outbox_rows(db) -> list[dict]:
    return rows(db, "SELECT * FROM outbox ORDER BY id")


@pytest.fixture
def post_sign_in(client):
    """POST the sign-in form once (no redirects followed): ``post_sign_in(email, password=TEST_PASSWORD)``."""

    def post(email: str, password: str = TEST_PASSWORD, test_client=None, **kwargs):
        return (test_client or client).post("/sign-in", data={"email": email, "password": password}, **kwargs)

    return post


@pytest.fixture(autouse=True)
def _finish_background_mail():
    """Let emails sent from background threads finish before the test's database goes away."""
    yield
    assert mailer.wait_for_background(30), "a background email was still being sent"
