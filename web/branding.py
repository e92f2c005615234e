"""The LA's branding on every page: its name from its organisation row (setting LA_CODE)."""

from __future__ import annotations

from flask import Flask, current_app, g

from models import organisations
from web.database import get_db


def la_name() -> str | None:
    """Return the name of this installation's LA, or None before its organisation exists."""
    if "la_name" not in g:
        la = organisations.get_la(get_db(), current_app.config["LA_CODE"])
        g.la_name = la["name"] if la else None
    return g.la_name


def init_app(app: Flask) -> None:
    """Expose ``la_name()`` to templates."""
    app.jinja_env.globals["la_name"] = la_name
