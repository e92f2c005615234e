"""A per-process cache for the oversight page's counts (every organisation of an LA).

Correctness comes from ``access_data_version``: triggers bump its ``version`` on every change
to users' roles, statuses and organisations, to account requests and to organisations, and
every cache key starts with the database's ``(token, version)``, so a change makes old
entries unreachable. Reads inside a write transaction bypass the cache (they may see changes
that are later rolled back). Cached values are shared between requests: callers must not
change them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from sqlite_utils import Database

from models.db import one

LIMIT = 256
_entries: dict[tuple, object] = {}
_lock = threading.Lock()


def version(db: Database) -> tuple[str, int]:
    """The database's random token and its current access data version."""
    row = one(db, "SELECT token, version FROM access_data_version WHERE id = 1")
    return row["token"], row["version"]


def cached(db: Database, key: tuple[Hashable, ...], compute: Callable[[], object]) -> object:
    """``compute()``'s value for ``key`` at the current data version, computed at most once per version."""
    if db.conn.in_transaction:
        return compute()
    full = (version(db), *key)
    with _lock:
        if full in _entries:
            return _entries[full]
    value = compute()
    with _lock:
        if len(_entries) >= LIMIT:
            _entries.clear()
        _entries[full] = value
    return value
