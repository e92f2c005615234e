"""The request's database connection: opened on first use, closed at teardown."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlite_utils import Database

from models.db import connect


def get_db() -> Database:
    """Return this request's (or CLI command's) connection, opening it on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """Close the connection if this request opened one."""
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def init_app(app: Flask) -> None:
    """Close the connection when each request or app context ends."""
    app.teardown_appcontext(close_db)
