"""Helpers for the Secure access tests."""

from __future__ import annotations

import re

import pytest

from background.mail import mailer
from models.db import rows
from tests.conftest import audit_events  # noqa: F401 - re-exported for this area's tests


def outbox(db, to: str | None = None) -> list[dict]:
    """Every email Gatehouse sent or held (after background sends finish), only to ``to`` when given."""
    assert mailer.wait_for_background(30)
    if to:
        return rows(db, "SELECT * FROM outbox WHERE to_addr = ? ORDER BY id", (to,))
    return rows(db, "SELECT * FROM outbox ORDER BY id")


def link_in(body: str, path_start: str) -> str:
    """The path of the first link in an email body whose path starts with ``path_start``."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_start) + r"[^\s]*)", body)
    assert match, f"no {path_start} link in:\n{body}"
    return match.group(1)


@pytest.fixture(autouse=True)
def _finish_background_mail():
    """Let emails sent from background threads finish before the test's database goes away."""
    yield
    assert mailer.wait_for_background(30), "a background email was still being sent"


@pytest.fixture
def approver(school, make_user):
    return make_user(school, role="approver", email="head@fenland.example.sch.uk", name="Hana Head")


@pytest.fixture
def la_approver(la, make_user):
    return make_user(la, role="approver", email="lead@la.example.gov.uk", name="Lee Lead")
