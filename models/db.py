"""SQLite connections: one per request, configured for safety and concurrency.

Every connection gets ``foreign_keys=ON``, WAL, a 5 s busy timeout and ``synchronous=FULL``
(an acknowledged write survives power loss). Writes go through :func:`transaction`, which
starts ``BEGIN IMMEDIATE`` so that read-then-write units never hit "database is locked".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database


def connect(path: str | Path) -> Database:
    """Open ``path`` (created if absent) with Gatehouse's pragmas and return a Database.

    ``isolation_level=None`` leaves transactions to us: :func:`transaction` opens them.
    """
    conn = sqlite3.connect(str(path), timeout=5.0, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return Database(conn, execute_plugins=False)


@contextmanager
def connection(path: str | Path) -> Iterator[Database]:
    """A connection of its own for work outside a request (jobs, workers, mail threads, streamed
    downloads): opened with :func:`connect`, rolled back if a transaction is left open, closed."""
    db = connect(path)
    try:
        yield db
    finally:
        if db.conn.in_transaction:
            db.conn.rollback()
        db.conn.close()


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """Run the block as one write transaction started with ``BEGIN IMMEDIATE``.

    Commits when the block ends, rolls back and re-raises on any exception. Nested use
    joins the outer transaction (no savepoints: keep write units small and flat).
    """
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def rows(db: Database, sql: str, params: tuple | dict = ()) -> list[dict]:
    """Run a query and return every row as a dict."""
    return [dict(r) for r in db.conn.execute(sql, params).fetchall()]


def one(db: Database, sql: str, params: tuple | dict = ()) -> dict | None:
    """Run a query and return its first row as a dict, or None when there is none."""
    row = db.conn.execute(sql, params).fetchone()
    return dict(row) if row is not None else None


def scalar(db: Database, sql: str, params: tuple | dict = ()) -> object:
    """Run a query and return the first column of its first row (None when no row)."""
    row = db.conn.execute(sql, params).fetchone()
    return row[0] if row is not None else None
