"""The SQL of backup and restore (orchestrated by the ``backup`` package): an online copy of a
database file, its integrity checks, the migrations it has, and whether it already holds data.

Each function opens the file it is given and closes it again; none raises for a damaged file
where saying what is wrong is the answer.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from models.db import connect


def copy_database(db_path: Path, dest: Path) -> None:
    """One-step online backup of ``db_path`` into the new file ``dest`` (rollback journal, no WAL).

    ``pages=-1``: the whole database in one step, so one snapshot even under a busy writer.
    """
    source = connect(db_path)
    target = sqlite3.connect(dest)
    try:
        source.conn.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
    finally:
        target.close()
        source.conn.close()


def database_problem(path: Path) -> str | None:
    """Run ``PRAGMA integrity_check`` and ``foreign_key_check`` on the database at ``path`` (read-only).

    Returns what is wrong, naming the first problems, or None when both pass.
    """
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.DatabaseError as error:
        return f"{path} is not a readable SQLite database: {error}"
    finally:
        conn.close()
    if integrity != ["ok"]:
        return f"integrity_check failed on {path}: {'; '.join(integrity[:5])}"
    if foreign:
        shown = ", ".join(f"{table} row {rowid} -> {parent}" for table, rowid, parent, _ in foreign[:5])
        return f"foreign_key_check found {len(foreign)} broken references in {path}: {shown}"
    return None


def migrations_applied(path: Path) -> list[str]:
    """``set:name`` of every migration applied to the database at ``path`` (read-only); [] when none."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = conn.execute(
            "SELECT migration_set || ':' || name FROM _sqlite_migrations ORDER BY migration_set, name"
        ).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()
    return [r[0] for r in found]


def data_held(db_path: Path) -> str | None:
    """Describe the data the database at ``db_path`` holds, or None when it has none.

    None when there is no file, an empty file, or no organisations and no users.
    """
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    conn = sqlite3.connect(db_path)
    try:
        for table in ("organisations", "users"):
            exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
            # nosemgrep: sql-format # the two table names above, never input
            if exists.fetchone() and conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:  # nosec B608
                return f"the database {db_path} already has {table}"
    except sqlite3.DatabaseError as error:
        return f"{db_path} exists and is not an empty Gatehouse database ({error})"
    finally:
        conn.close()
    return None
