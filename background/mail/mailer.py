"""Send plain-text email through SMTP, and keep every message in the outbox table.

With no ``SMTP_HOST`` the message is stored with status ``held`` for site admins to read
at ``/outbox``; when the SMTP server refuses or cannot be reached it is stored as
``failed`` with the error, so nothing is lost; delivered mail is stored as ``sent``.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
import time
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlite_utils import Database

from domain import clock
from models import outbox
from models.db import connection

SECURITY_MODES = ("none", "starttls", "tls")
CONFIG_KEYS = (
    "DATABASE", "SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_TIMEOUT",
    "MAIL_FROM", "SERVICE_NAME",
)

_pending_lock = threading.Lock()
_pending: set[threading.Thread] = set()


def build_message(config: Mapping, to: str, subject: str, body: str) -> EmailMessage:
    """Return the plain-text message. Raises ValueError for a header with a line break in it."""
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def deliver(config: Mapping, message: EmailMessage) -> None:
    """Hand ``message`` to the SMTP server in ``config``.

    Raises smtplib.SMTPException or OSError (refused, timed out, TLS failure) when it
    cannot, and ValueError for an SMTP_SECURITY other than none, starttls or tls.
    """
    security = (config.get("SMTP_SECURITY") or "none").lower()
    if security not in SECURITY_MODES:
        raise ValueError(f"SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, not {security!r}")
    host, port, timeout = config["SMTP_HOST"], int(config["SMTP_PORT"]), float(config["SMTP_TIMEOUT"])
    context = ssl.create_default_context()
    if security == "tls":
        connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    with connection as smtp:
        if security == "starttls":
            smtp.starttls(context=context)
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        smtp.send_message(message)


def send(db: Database, config: Mapping, to: str, subject: str, body: str) -> dict:
    """Send one email (or hold it) and return its outbox row; never raises for SMTP trouble.

    The row's status is ``sent``, ``held`` (no SMTP_HOST) or ``failed`` (with ``error``).
    Raises ValueError only for a header with a line break (a programming error).
    """
    message = build_message(config, to, subject, body)
    if not config.get("SMTP_HOST"):
        return outbox.add(db, to_addr=to, subject=subject, body=body, status="held")
    try:
        deliver(config, message)
    except (smtplib.SMTPException, OSError, ValueError) as error:
        detail = f"{type(error).__name__}: {error}"
        return outbox.add(db, to_addr=to, subject=subject, body=body, status="failed", error=detail[:1000])
    return outbox.add(db, to_addr=to, subject=subject, body=body, status="sent")


def _send_with_own_connection(config: Mapping, to: str, subject: str, body: str) -> None:
    try:
        with connection(config["DATABASE"]) as db:
            send(db, config, to, subject, body)
    finally:
        with _pending_lock:
            _pending.discard(threading.current_thread())


def send_in_background(config: Mapping, to: str, subject: str, body: str) -> threading.Thread:
    """Send like :func:`send`, from a thread with its own database connection, and return the thread.

    Used where the time SMTP takes must not show in the response (it would reveal whether an
    account exists). The thread is not a daemon: a server shutting down waits for it.
    """
    settings = {key: config.get(key) for key in CONFIG_KEYS}
    thread = threading.Thread(
        target=_send_with_own_connection, args=(settings, to, subject, body), name="gatehouse-mail", daemon=False
    )
    with _pending_lock:
        _pending.add(thread)
    thread.start()
    return thread


def wait_for_background(timeout: float = 30.0) -> bool:
    """Wait until every background send has finished; False when some still run after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        with _pending_lock:
            threads = list(_pending)
        if not threads:
            return True
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if time.monotonic() >= deadline:
            with _pending_lock:
                return not _pending
