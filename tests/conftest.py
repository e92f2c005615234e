"""Shared fixtures: a Gatehouse app on a temporary SQLite file per test, with real parts."""

from __future__ import annotations

import json
import re
import socket
import time
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest

from app import create_app
from background.mail import mailer
from domain import clock
from domain.security import two_factor
from domain.security.passwords import hash_password
from migrations import MIGRATION_SETS, apply_all
from models import organisations, users
from models.db import connect, rows
from tests.client_request import ClientRequest
from web import database
from web.passwords import app_hasher

TEST_PASSWORD = "correct horse battery staple"
NEW_TEST_PASSWORD = "a fresh passphrase only tests use"


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
    # Emails sent from background threads use the database: let them finish before it goes away.
    assert mailer.wait_for_background(30), "a background email was still being sent"
    database.close_all(application)
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
def sign_in(client, db):
    """``sign_in(user, client=None, password=TEST_PASSWORD)``: sign in through every real step.

    Uses the test ``client`` unless another is given, and returns the final response. Enrols or
    enters a TOTP code (computed from the secret in the database or on the page) and changes a
    password that must change (to ``NEW_TEST_PASSWORD``). Works with CSRF on. See
    :func:`sign_in_through_forms`.
    """

    default_client = client

    def do_sign_in(user: dict, client=None, password: str = TEST_PASSWORD):
        return sign_in_through_forms(client or default_client, db, user, password)

    return do_sign_in


@pytest.fixture
def client_request(app, client):
    """Requests by endpoint name through ``client``, status asserted, page parsed and checked.

    ``client_request.get("organisations.detail", org_id=3)`` returns a parsed :class:`Page`;
    see tests/client_request.py for ``post``, ``get_response``, redirects and headers.
    """
    return ClientRequest(app, client)


def _post_form(c, path: str, data: dict):
    """GET ``path`` (for its CSRF token, when the page has one), then POST ``data`` to it."""
    page = c.get(path)
    html = page.get_data(as_text=True)
    if 'name="csrf_token"' in html:
        data = {**data, "csrf_token": csrf_token_from(html)}
    return page, c.post(path, data=data)


def _fresh_totp_code(db, user_id: int) -> str:
    """A code the server will accept now: the current step, or a later one if that was used."""
    row = users.get(db, user_id)
    now_step = two_factor.current_step(clock.now())
    step = now_step if row["totp_last_step"] is None else max(now_step, row["totp_last_step"] + 1)
    if step > now_step + 1:  # signed in twice in one 30-second step already: move the clock on
        clock.advance(timedelta(seconds=two_factor.STEP_SECONDS * (step - now_step - 1)))
    return two_factor.code_at_step(row["totp_secret"], step)


def _secret_on_page(html: str) -> str:
    match = re.search(r'id="totp-secret">([^<]+)<', html)
    assert match, "page shows no TOTP secret"
    return match.group(1).replace(" ", "").strip()


def sign_in_through_forms(c, db, user: dict, password: str = TEST_PASSWORD, new_password: str = NEW_TEST_PASSWORD):
    """Sign in with ``c`` through the real pages, doing whatever step the server asks for next."""
    _, response = _post_form(c, "/sign-in", {"email": user["email"], "password": password})
    for _ in range(12):
        if response.status_code not in (301, 302, 303):
            return response
        path = urlsplit(response.headers["Location"]).path
        if path == "/sign-in/code":
            _, response = _post_form(c, path, {"code": _fresh_totp_code(db, user["id"])})
        elif path in ("/sign-in/set-up-two-step-verification", "/account/two-step-verification"):
            page = c.get(path)
            code = two_factor.code_at_step(_secret_on_page(page.get_data(as_text=True)),
                                           two_factor.current_step(clock.now()))
            _, response = _post_form(c, path, {"code": code, "current_password": password})
        elif path == "/account/change-password":
            data = {"current_password": password, "password": new_password, "confirm": new_password}
            _, response = _post_form(c, path, data)
            password = new_password
        elif path == "/account/recovery-codes":  # shown once after enrolment: continue past them
            page = c.get(path).get_data(as_text=True)
            response = c.get(re.search(r'<a class="govuk-button" href="([^"]+)"', page).group(1))
        else:
            response = c.get(response.headers["Location"])
    raise AssertionError("sign-in went round in circles")


def migrate_until(db, migration_set, name: str) -> None:
    """Apply every migration to ``db`` except ``name`` of ``migration_set`` and that set's later ones: a database as
    Gatehouse left it before ``name`` (for a test that the migration keeps what older databases hold)."""
    for each in MIGRATION_SETS:
        each.apply(db, stop_before=name if each is migration_set else None)


def set_today(day: date, hour: int = 12) -> None:
    """Freeze the clock at ``hour`` o'clock UTC on ``day`` (midday: the same date in England)."""
    clock.set_now(datetime(day.year, day.month, day.day, hour, tzinfo=UTC))


def audit_events(db, action: str | None = None) -> list[dict]:
    """The audit rows (oldest first), only ``action`` when given, with ``detail`` parsed."""
    if action:
        found = rows(db, "SELECT * FROM audit_log WHERE action = ? ORDER BY id", (action,))
    else:
        found = rows(db, "SELECT * FROM audit_log ORDER BY id")
    for row in found:
        row["detail"] = json.loads(row["detail"]) if row["detail"] and row["detail"].startswith("{") else row["detail"]
    return found


def outbox(db, to: str | None = None) -> list[dict]:
    """Every email Gatehouse sent or held, oldest first (after background sends finish); only to ``to`` when given."""
    assert mailer.wait_for_background(30), "a background email was still being sent"
    if to:
        return rows(db, "SELECT * FROM outbox WHERE to_addr = ? ORDER BY id", (to,))
    return rows(db, "SELECT * FROM outbox ORDER BY id")


def link_in(body: str, path_start: str) -> str:
    """The path of the first link in an email body whose path starts with ``path_start``."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_start) + r"[^\s]*)", body)
    assert match, f"no {path_start} link in:\n{body}"
    return match.group(1)


def csrf_token_from(html: str) -> str:
    """Pull the CSRF token out of a rendered page (for tests with CSRF switched on)."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "page has no CSRF token"
    return match.group(1)


REFUSED_DOMAIN = "@refused.example"


class SmtpSink:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives.

    ``messages`` holds each delivered mail as an ``email.message.EmailMessage``. Recipients
    at ``REFUSED_DOMAIN`` are refused (550), to test failed deliveries.
    """

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.host = "127.0.0.1"
        self.port = free_port()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # aiosmtpd's hook names
        if address.endswith(REFUSED_DOMAIN):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = (envelope.original_content or envelope.content).replace(b"\r\n", b"\n")
        self.messages.append(message_from_bytes(raw, policy=policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait for background sends to finish and ``count`` messages to arrive; return them all."""
        mailer.wait_for_background(timeout)
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"expected {count} emails, got {len(self.messages)}"
        return self.messages


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on at the moment."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(app_config, app):
    """Start an SMTP server on loopback and point the app at it (SMTP_HOST, SMTP_PORT)."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    for config in (app_config, app.config):
        config.update(SMTP_HOST=sink.host, SMTP_PORT=sink.port, SMTP_SECURITY="none")
    yield sink
    mailer.wait_for_background()
    controller.stop()
