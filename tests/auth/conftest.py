"""Helpers for the sign-in security tests."""

from __future__ import annotations

import json

import pytest

from models.db import rows
from notifications import mailer
from tests.conftest import TEST_PASSWORD


def audit_events(db, action: str | None = None) -> list[dict]:
    """The audit rows (oldest first), only ``action`` when given, with ``detail`` parsed."""
    if action:
        found = rows(db, "SELECT * FROM audit_log WHERE action = ? ORDER BY id", (action,))
    else:
        found = rows(db, "SELECT * FROM audit_log ORDER BY id")
    for row in found:
        row["detail"] = json.loads(row["detail"]) if row["detail"] and row["detail"].startswith("{") else row["detail"]
    return found


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
