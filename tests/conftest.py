"""Shared fixtures: a Gatehouse app on a temporary SQLite file per test, with real parts."""

from __future__ import annotations

import re

import pytest

import clock
from app import create_app
from migrations import apply_all
from models import organisations, users
from models.db import connect
from security.passwords import hash_password
from web.passwords import app_hasher

TEST_PASSWORD = "correct horse battery staple"


@pytest.fixture
def app_config(tmp_path):
    """Settings for a test app; tests may change them before asking for ``app``."""
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE": str(tmp_path / "gatehouse.db"),
        "FILES_DIR": str(tmp_path / "files"),
        "WTF_CSRF_ENABLED": False,
        # Cheap argon2 in tests; production cost is measured in bench/.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 1024,
        "ARGON2_PARALLELISM": 1,
    }


@pytest.fixture
def app(app_config):
    application = create_app(app_config)
    db = connect(application.config["DATABASE"])
    apply_all(db)
    db.conn.close()
    yield application
    clock.reset()


@pytest.fixture
def db(app):
    """A connection to the test app's database (separate from any request's)."""
    conn = connect(app.config["DATABASE"])
    yield conn
    conn.conn.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def la(db):
    return organisations.ensure_la(db, "873", "Cambridgeshire")


@pytest.fixture
def school(db, la):
    return organisations.create_school(db, la_code="873", estab="2001", name="Fenland Primary School", urn=110001)


@pytest.fixture
def other_school(db, la):
    return organisations.create_school(db, la_code="873", estab="2002", name="Ouse Valley Academy", urn=110002)


@pytest.fixture
def make_user(app, db):
    """Create a user with the test password: ``make_user(org, role="end_user", **fields)``."""
    counter = iter(range(1, 10_000))

    def factory(organisation: dict, role: str = "end_user", email: str | None = None, **fields) -> dict:
        with app.app_context():
            encoded = hash_password(app_hasher(), TEST_PASSWORD)
        return users.create(
            db,
            email=email or f"user{next(counter)}@{organisation['dfe_number']}.example.sch.uk",
            name=fields.pop("name", "Test User"),
            organisation_id=organisation["id"],
            role=role,
            password_hash=encoded,
            **fields,
        )

    return factory


@pytest.fixture
def sign_in(client):
    """Sign ``user`` in through the real sign-in form; returns the final response."""

    def do_sign_in(user: dict, password: str = TEST_PASSWORD, test_client=None):
        c = test_client or client
        return c.post("/sign-in", data={"email": user["email"], "password": password}, follow_redirects=True)

    return do_sign_in


def csrf_token_from(html: str) -> str:
    """Pull the CSRF token out of a rendered page (for tests with CSRF switched on)."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "page has no CSRF token"
    return match.group(1)
