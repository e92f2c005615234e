"""A per-process cache whose entries are keyed by a database data version.

A one-row table (``id = 1``, a random ``token`` per database, a ``version`` that triggers bump
on every relevant change) is read first; every cache key starts with ``(token, version)``, so
any change makes old entries unreachable and two databases never share entries. Reads inside
a write transaction bypass the cache (they may see changes that are later rolled back). Cached
values are shared between requests: callers must not change them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from sqlite_utils import Database

from models.db import one


class VersionedCache:
    """Values computed at most once per data version of ``version_table``; at most ``limit`` kept."""

    def __init__(self, version_table: str, limit: int) -> None:
        self._sql = f"SELECT token, version FROM {version_table} WHERE id = 1"  # nosec B608 # table name is ours
        self._limit = limit
        self._entries: dict[tuple, object] = {}
        self._lock = threading.Lock()

    def version(self, db: Database) -> tuple[str, int]:
        """The database's random token and its current data version."""
        row = one(db, self._sql)
        return row["token"], row["version"]

    def cached(self, db: Database, key: tuple[Hashable, ...], compute: Callable[[], object]) -> object:
        """``compute()``'s value for ``key`` at the current data version, computed at most once per version."""
        if db.conn.in_transaction:
            return compute()
        full = (self.version(db), *key)
        with self._lock:
            if full in self._entries:
                return self._entries[full]
        value = compute()
        with self._lock:
            if len(self._entries) >= self._limit:
                self._entries.clear()
            self._entries[full] = value
        return value
