"""One blueprint per area: its module here, its URL prefix and its template folder share its name
(``/account-requests/...`` → ``views/account_requests.py`` → ``templates/account_requests/``).

A new area adds its module to :data:`AREAS`. ``views/moved.py`` redirects addresses that moved.
"""

from __future__ import annotations

import importlib

from flask import Flask

AREAS: tuple[str, ...] = (
    "main",
    "auth",
    "account",
    "organisations",
    "users",
    "invitations",
    "account_requests",
    "claims",
    "oversight",
    "activity",
    "deadlines",
    "deadline_calendar",
    "deadline_tracker",
    "deadlines_admin",
    "returns",
    "returns_review",
    "upns",
    "pride",
    "local_returns",
    "transfers",
    "duplicates",
    "audit",
    "outbox",
    "messages",
    "moved",
)


def register_blueprints(app: Flask) -> None:
    """Register every area's blueprint on ``app``."""
    for name in AREAS:
        app.register_blueprint(importlib.import_module(f"views.{name}").bp)
