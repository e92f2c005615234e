"""The permission decorators: every route carries exactly one.

A test walks the URL map and fails when a view lacks one (``PERMISSION_ATTR``), so a new
route cannot be added without deciding who may use it. Decorators check sign-in and role;
organisation scoping is checked by the loaders in each view (404 for another
organisation's objects).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app
from flask_login import current_user

PERMISSION_ATTR = "_gatehouse_permission"


def _mark(view: Callable, name: str) -> Callable:
    setattr(view, PERMISSION_ATTR, name)
    return view


def public(view: Callable) -> Callable:
    """Anyone, signed in or not (sign-in, password reset, static pages, health)."""
    return _mark(view, "public")


def require(name: str, allowed: Callable[[object], bool]) -> Callable[[Callable], Callable]:
    """Build a decorator: the user must be signed in and ``allowed(current_user)`` must be true.

    Not signed in: Flask-Login's unauthorised handler (sign-in page, or HX-Redirect for htmx).
    Signed in but not allowed: 403.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not allowed(current_user):
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapped, name)

    return decorator


signed_in = require("signed_in", lambda user: True)
site_admin = require("site_admin", lambda user: user.is_site_admin)
la_staff = require("la_staff", lambda user: user.is_site_admin or user.is_la_staff)


def permission_of(view: Callable) -> str | None:
    """Return the permission name a view was marked with, or None when it has none."""
    return getattr(view, PERMISSION_ATTR, None)
