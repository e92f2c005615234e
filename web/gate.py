"""The gate every signed-in request passes: someone who must use two-step verification but has
not set it up, or who must change their password (``must_change_password`` or an expired
password), is sent to that page before any other. Registered by ``app.py``.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, redirect, request, url_for
from flask_login import current_user

from domain import clock
from domain.security import password_policy, two_factor

# Endpoints a signed-in person may reach before setting up two-step verification or
# changing a password they must change.
GATE_EXEMPT = frozenset({
    "static",
    "main.health",
    "auth.sign_out",
    "auth.signed_out",
    "auth.session_status",
    "account.change_password",
    "account.two_factor",
    "account.recovery_codes",
})


def password_expired(user: dict) -> bool:
    """True when PASSWORD_EXPIRY_DAYS is set and the password is older than that."""
    changed = user.get("password_changed_at")
    changed_at: datetime | None = clock.parse(changed) if changed else None
    return password_policy.has_expired(changed_at, int(current_app.config["PASSWORD_EXPIRY_DAYS"]), clock.now())


def must_change_password(user: dict) -> bool:
    """True when the user must change their password before doing anything else."""
    return bool(user["must_change_password"]) or password_expired(user)


def must_set_up_two_factor(user: dict) -> bool:
    """True when two-step verification is required for the user and not set up."""
    return two_factor.required_for(user, current_app.config) and not two_factor.is_enrolled(user)


def gate():
    """Send someone who must set up two-step verification or change their password there first."""
    if not current_user.is_authenticated or request.endpoint is None or request.endpoint in GATE_EXEMPT:
        return None
    user = current_user.row
    if must_set_up_two_factor(user):
        target = url_for("account.two_factor")
    elif must_change_password(user):
        target = url_for("account.change_password")
    else:
        return None
    if request.headers.get("HX-Request") == "true":
        response = current_app.response_class(status=200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def init_app(app: Flask) -> None:
    """Run :func:`gate` before every request."""
    app.before_request(gate)
