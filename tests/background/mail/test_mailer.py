"""The mailer through a real SMTP server on loopback; held and failed mail kept in the outbox."""

from __future__ import annotations

import pytest

from background.mail import mailer
from models import outbox
from tests.conftest import free_port


def _config(app, **overrides) -> dict:
    return {**app.config, **overrides}


def test_sent_through_smtp_and_logged(app, db, smtp_server):
    row = mailer.send(db, app.config, "head@school.example", "Census closes Friday", "Line one\nhttp://x/y\n")
    assert row["status"] == "sent" and row["sent_at"] and row["error"] is None
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "head@school.example"
    assert message["From"] == app.config["MAIL_FROM"]
    assert message["Subject"] == "Census closes Friday"
    assert message["Message-ID"] and message["Date"]
    assert message.get_content_type() == "text/plain"
    assert message.get_content() == "Line one\nhttp://x/y\n"
    assert outbox.get(db, row["id"])["body"] == "Line one\nhttp://x/y\n"


def test_held_when_no_smtp_server_is_set(app, db):
    assert app.config["SMTP_HOST"] == ""
    row = mailer.send(db, app.config, "head@school.example", "Hello", "Body")
    assert row["status"] == "held" and row["sent_at"] is None
    assert outbox.count(db, "held") == 1


def test_failed_when_the_port_is_closed(app, db):
    config = _config(app, SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=5)
    row = mailer.send(db, config, "head@school.example", "Hello", "Body")
    assert row["status"] == "failed"
    assert "ConnectionRefusedError" in row["error"]
    assert row["body"] == "Body"  # nothing lost


def test_failed_when_starttls_is_not_offered(app, db, smtp_server):
    config = _config(app, SMTP_SECURITY="starttls")
    row = mailer.send(db, config, "head@school.example", "Hello", "Body")
    assert row["status"] == "failed" and "STARTTLS" in row["error"]
    assert smtp_server.messages == []


def test_failed_with_an_unknown_security_setting(app, db, smtp_server):
    row = mailer.send(db, _config(app, SMTP_SECURITY="ssl3"), "head@school.example", "Hello", "Body")
    assert row["status"] == "failed" and "SMTP_SECURITY" in row["error"]


def test_refused_recipient_is_failed_not_lost(app, db, smtp_server):
    row = mailer.send(db, app.config, "someone@refused.example", "Hello", "Body")
    assert row["status"] == "failed" and "No such mailbox" in row["error"]
    assert outbox.get(db, row["id"])["to_addr"] == "someone@refused.example"
    assert smtp_server.messages == []


def test_header_injection_is_refused(app, db):
    with pytest.raises(ValueError):
        mailer.send(db, app.config, "head@school.example", "Hello\nBcc: victim@example.com", "Body")
    assert outbox.count(db) == 0


def test_background_send_uses_its_own_connection(app, db, smtp_server):
    thread = mailer.send_in_background(app.config, "head@school.example", "Later", "Body")
    assert mailer.wait_for_background(10)
    assert not thread.is_alive()
    assert smtp_server.wait_for(1)[0]["Subject"] == "Later"
    assert outbox.page(db)[0]["status"] == "sent"
