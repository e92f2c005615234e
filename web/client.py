"""Who is asking: the client's address and browser as recorded in the audit log, and the
per-IP throttles of public pages (sign-in, password reset, account requests, claim codes,
invitation links)."""

from __future__ import annotations

from flask import current_app, request

from models import audit, throttles
from web.database import get_db
from web.errors import render_error


def client_ip() -> str:
    """The client's IP address (after ProxyFix when TRUSTED_PROXIES is set), or ``unknown``."""
    return request.remote_addr or "unknown"


def client_details() -> dict:
    """The IP address and user agent recorded with audit events: ``**client_details()``."""
    return {"ip": request.remote_addr, "user_agent": request.headers.get("User-Agent")}


def count_attempt(kind: str, key: str | None = None) -> None:
    """Count one attempt of ``kind`` (``models.throttles.KINDS``) from this client."""
    throttles.record(get_db(), kind, client_ip(), key)


def ip_throttled(kind: str, limit: int, window_minutes: int) -> bool:
    """True when this client has made ``limit`` or more attempts of ``kind`` in the window."""
    return throttles.count_from_ip(get_db(), kind, client_ip(), int(window_minutes)) >= int(limit)


def access_throttled(kind: str) -> bool:
    """True when this client has used up ACCESS_IP_LIMIT attempts of ``kind`` in ACCESS_IP_WINDOW_MINUTES."""
    config = current_app.config
    return ip_throttled(kind, config["ACCESS_IP_LIMIT"], config["ACCESS_IP_WINDOW_MINUTES"])


def too_many(advice: str, *, audit_action: str | None = None, window_minutes: int | None = None):
    """The styled 429 page; with ``audit_action``, audit the throttle once per client and window."""
    if audit_action:
        db = get_db()
        if not throttles.throttle_recorded(db, client_ip(), window_minutes, audit_action):
            audit.record(db, audit_action, detail={"window_minutes": window_minutes}, **client_details())
    return render_error(429, advice)


def too_many_access_attempts():
    """The 429 page of the public access pages (ACCESS_IP_WINDOW_MINUTES)."""
    minutes = current_app.config["ACCESS_IP_WINDOW_MINUTES"]
    return too_many(f"There have been too many attempts from your network. Wait {minutes} minutes and try again.")
