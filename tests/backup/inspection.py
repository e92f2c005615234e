"""Read-only looks at what a backup or restore touched: file hashes, a folder's tree, a SQLite file's
tables, counts and integrity (opened read-only so a backup under test stays byte-identical)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from sqlite_utils import Database


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def tree(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``folder``."""
    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def readonly(path: Path) -> Database:
    """Open the SQLite file at ``path`` read-only (so a backup under test stays byte-identical)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return Database(conn, execute_plugins=False)


def table_counts(path: Path) -> dict[str, int]:
    """Row count of every table in the SQLite file at ``path`` (read-only)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
    finally:
        conn.close()


def checks(path: Path) -> tuple[list[str], list[tuple]]:
    """``(integrity_check rows, foreign_key_check rows)`` of the SQLite file at ``path``."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        return integrity, conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
