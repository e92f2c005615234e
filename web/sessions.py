"""Signed-in sessions: who is signed in, idle and absolute timeouts, ending sessions.

Flask-Login's "strong" protection does nothing for permanent sessions, so timeouts are
checked here from timestamps kept in the (signed) session cookie, and every cookie carries
the user's ``session_version``: bumping it (password change, suspension) ends every session.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from domain import clock
from models import users
from web.database import get_db


class SignedInUser:
    """The object Flask-Login keeps as ``current_user``: a user row with role helpers."""

    def __init__(self, row: dict):
        self.row = row

    def __getattr__(self, name: str):
        try:
            return self.row[name]
        except KeyError:
            raise AttributeError(name) from None

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.row["status"] == "active"

    def get_id(self) -> str:
        return str(self.row["id"])

    @property
    def is_site_admin(self) -> bool:
        return bool(self.row["is_site_admin"])

    @property
    def is_la_staff(self) -> bool:
        """A user of the LA organisation itself (not of a school)."""
        return self.row["organisation_kind"] == "la"

    @property
    def is_approver(self) -> bool:
        return self.row["role"] == "approver"


login_manager = LoginManager()
login_manager.session_protection = None  # we check versions and timeouts ourselves


@login_manager.user_loader
def load_user(user_id: str) -> SignedInUser | None:
    """Load the session's user; None (signed out) when suspended or the session is stale."""
    row = users.get(get_db(), int(user_id))
    if row is None or row["status"] != "active" or row["session_version"] != session.get("sv"):
        return None
    return SignedInUser(row)


#: Control characters, white space and backslashes: browsers drop tabs and newlines from a URL and
#: read a backslash as ``/``, so ``/\evil.example`` or ``/<tab>/evil.example`` would leave the site.
_UNSAFE_IN_NEXT = re.compile(r"[\x00-\x20\x7f\\]")


def safe_next(target: str | None) -> str | None:
    """Return ``target`` when it is a page of this site to go back to after a form, else None.

    Every redirect to an address taken from a request goes through here. Accepted: printable
    ASCII only (no control characters, white space, backslashes or look-alike unicode slashes),
    starting with one ``/`` (no scheme, no host, no ``//``), whose path (percent-decoded) is
    answered by a GET rule of the app. Never raises.
    """
    if not target or not isinstance(target, str) or not target.isascii() or _UNSAFE_IN_NEXT.search(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    path = unquote(parts.path)
    if "//" in path or _UNSAFE_IN_NEXT.search(path):
        return None
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except RequestRedirect:
        pass  # a rule answers with a redirect on this site (e.g. a missing trailing slash)
    except HTTPException:
        return None
    return target


@login_manager.unauthorized_handler
def unauthorised():
    """Send the visitor to sign in; for htmx, redirect the whole page, never a fragment."""
    sign_in = url_for("auth.sign_in", next=safe_next(request.full_path.rstrip("?")))
    if request.headers.get("HX-Request") == "true":
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = sign_in
        return response
    return redirect(sign_in)


#: How long after choosing a password a person is not asked to type it again (e.g. to set up 2FA).
PASSWORD_JUST_CHOSEN_MINUTES = 10


def start_session(user_row: dict, *, password_chosen: bool = False) -> None:
    """Sign ``user_row`` in with a brand-new session (no state carried from before).

    ``password_chosen``: the person chose their password on this very step (an invitation, a claim
    code, a password change), so for :data:`PASSWORD_JUST_CHOSEN_MINUTES` they are not asked for it again."""
    session.clear()
    session.permanent = True
    now = clock.iso()
    session["sv"] = user_row["session_version"]
    session["started"] = now
    session["seen"] = now
    if password_chosen:
        session["password_chosen"] = now
    login_user(SignedInUser(user_row))


def password_just_chosen() -> bool:
    """True when this session's person chose their password in the last few minutes (see start_session)."""
    chosen = session.get("password_chosen")
    if not chosen:
        return False
    try:
        return clock.now() - clock.parse(chosen) <= timedelta(minutes=PASSWORD_JUST_CHOSEN_MINUTES)
    except ValueError:
        return False


def end_session() -> None:
    """Sign out and forget everything in the session."""
    logout_user()
    session.clear()


# Requests that do not count as activity: the idle warning asks how long is left; the unread counts poll.
PASSIVE_ENDPOINTS = frozenset({"static", "auth.session_status", "transfers.unread", "messages.unread"})


def idle_limit_seconds() -> int:
    """Seconds of inactivity that end a session (setting IDLE_TIMEOUT_MINUTES)."""
    return int(float(current_app.config["IDLE_TIMEOUT_MINUTES"]) * 60)


def _absolute_limit_seconds() -> int:
    return int(float(current_app.config["ABSOLUTE_TIMEOUT_HOURS"]) * 3600)


def _timestamps():
    """Return ``(started, seen)`` from the session, or None when missing or garbled."""
    try:
        return _parsed(session["started"]), _parsed(session["seen"])
    except (KeyError, ValueError):
        return None


def _parsed(stamp: str) -> datetime:
    """``clock.parse(stamp)``, once per request for each stamp: a page reads the session's stamps several times."""
    parsed = g.setdefault("session_stamps", {})
    if stamp not in parsed:
        parsed[stamp] = clock.parse(stamp)
    return parsed[stamp]


def _expired() -> bool:
    stamps = _timestamps()
    if stamps is None:
        return True
    started, seen = stamps
    now = clock.now()
    if now - started > timedelta(seconds=_absolute_limit_seconds()):
        return True
    return now - seen > timedelta(seconds=idle_limit_seconds())


def enforce_timeouts():
    """Before each request: end an idle or too-old session; otherwise note activity.

    An ended session leaves ``session["ended"] = "expired"`` so the sign-in page can say
    why. ``g.session_idle_seconds`` keeps how long the session had been idle before this
    request. Passive requests (``PASSIVE_ENDPOINTS``) do not count as activity.
    """
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    if _expired():
        end_session()
        session["ended"] = "expired"
        g.session_expired = True
        return None
    g.session_idle_seconds = (clock.now() - _timestamps()[1]).total_seconds()
    if request.endpoint not in PASSIVE_ENDPOINTS:
        session["seen"] = clock.iso()
    return None


def idle_seconds() -> float:
    """Seconds the current session had been idle when this request arrived (0 when unknown)."""
    return g.get("session_idle_seconds", 0.0)


def seconds_left() -> int:
    """Seconds until the current session ends, through idleness or the absolute limit."""
    stamps = _timestamps()
    if stamps is None:
        return idle_limit_seconds()
    started, seen = stamps
    now = clock.now()
    idle_left = idle_limit_seconds() - (now - seen).total_seconds()
    absolute_left = _absolute_limit_seconds() - (now - started).total_seconds()
    return max(0, int(min(idle_left, absolute_left)))


def init_app(app: Flask) -> None:
    """Register Flask-Login and the timeout check."""
    login_manager.init_app(app)
    app.before_request(enforce_timeouts)
    app.jinja_env.globals["session_seconds_left"] = seconds_left
