"""Audit area fixtures: a signed-in site admin, and raw access to the test database file."""

from __future__ import annotations

import sqlite3

import pytest


@pytest.fixture
def site_admin(make_user, la):
    return make_user(la, role="approver", is_site_admin=True, email="admin@la.example.gov.uk", name="Site Admin")


@pytest.fixture
def admin_client(client, sign_in, site_admin):
    """The test client, signed in as a site admin through the real sign-in form."""
    sign_in(site_admin)
    assert client.get("/audit").status_code == 200, "could not sign in as a site admin"
    return client


@pytest.fixture
def tamper(app):
    """Run raw SQL on the test database file as someone editing it outside Gatehouse would.

    The append-only triggers are dropped first (an attacker with the file can do that), so
    the hash chain is the only thing left to notice the change.
    """

    def run(*statements: str | tuple[str, tuple]) -> None:
        conn = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
        try:
            conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
            conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
            for statement in statements:
                sql, params = statement if isinstance(statement, tuple) else (statement, ())
                conn.execute(sql, params)
        finally:
            conn.close()

    return run
