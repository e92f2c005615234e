"""The request's database connection.

Each server thread keeps one connection to the database and hands it to every request it
serves: opening a connection and setting its pragmas on every request cost ~0.5 ms of a 3 ms
page (measured: see bench/README.md, "Connections"). Between requests the connection is left
as a new one would be: any transaction still open (a bug, or an exception half-way) is rolled
back at teardown, so no request ever sees another's uncommitted state.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app, g
from sqlite_utils import Database

from models.db import connect


class ThreadConnections:
    """One connection per (thread, database path), and a registry to close them all."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[Database] = []

    def get(self, path: str) -> Database:
        """Return this thread's connection to ``path``, opening it on first use."""
        by_path = getattr(self._local, "by_path", None)
        if by_path is None:
            by_path = self._local.by_path = {}
        db = by_path.get(path)
        if db is None:
            db = by_path[path] = connect(path)
            with self._lock:
                self._opened.append(db)
        return db

    def close_all(self) -> None:
        """Close every connection any thread opened (at shutdown, and after each test)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for db in opened:
            db.conn.close()
        self._local = threading.local()


def get_db() -> Database:
    """Return the connection for this request (or CLI command)."""
    if "db" not in g:
        g.db = current_app.extensions["gatehouse_db"].get(current_app.config["DATABASE"])
    return g.db


def release_db(_exc: BaseException | None = None) -> None:
    """At the end of a request: roll back anything left open; the connection stays with the thread."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()


def close_all(app: Flask) -> None:
    """Close every connection the app's threads hold."""
    app.extensions["gatehouse_db"].close_all()


def init_app(app: Flask) -> None:
    """Give the app its per-thread connections and release them after each request."""
    app.extensions["gatehouse_db"] = ThreadConnections()
    app.teardown_appcontext(release_db)
