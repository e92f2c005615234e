"""Where the audit log's key is kept: ``instance/audit_key``, a file in the instance folder, never in the database.

Whoever can write the database could otherwise rewrite the log and recompute its chain; keyed
with HMAC-SHA-256 (``domain/security/audit_chain.py``), the chain can only be recomputed by
someone who can also read this file. Backups carry it (``backup/``) and ``restore`` puts it back.

The application factory says which key file belongs to which database (:func:`use_key_file`), so
code that holds only a connection (models, worker threads, jobs, backup and restore) finds the key
of the database it writes to. The key is kept in memory once read, but the file is looked at
(``stat``) at every use, so a restored, replaced or removed file is noticed at once. The file is
64 hex digits, created with mode 0600 by :func:`create_key`, which ``models.audit`` calls only
while the log holds no keyed row.
"""

from __future__ import annotations

import os
import threading
import weakref
from pathlib import Path

from sqlite_utils import Database

from domain.security import audit_chain

FILE_NAME = "audit_key"

_key_files: dict[str, Path] = {}
_database_files: weakref.WeakKeyDictionary[Database, str] = weakref.WeakKeyDictionary()
# key file -> (inode, size, mtime in ns, key): read again when the file's stat changes.
_keys: dict[Path, tuple[int, int, int, bytes]] = {}
_lock = threading.Lock()


class AuditKeyError(Exception):
    """The audit key cannot be found or read; the message names the file and what to do."""


def use_key_file(database: str | Path, key_file: str | Path) -> None:
    """Record that the audit log in the database file ``database`` is keyed by ``key_file``."""
    with _lock:
        _key_files[os.path.realpath(database)] = Path(key_file).absolute()


def database_file(db: Database) -> str:
    """The resolved path of the file ``db`` is connected to ("" for an in-memory database)."""
    real = _database_files.get(db)
    if real is None:
        raw = next((r[2] for r in db.conn.execute("PRAGMA database_list") if r[1] == "main"), "") or ""
        real = os.path.realpath(raw) if raw else ""
        with _lock:
            _database_files[db] = real
    return real


def key_file_for(db: Database | str | Path) -> Path:
    """The key file of the database ``db`` (a connection or the database file's path).

    Raises AuditKeyError when no key file was given for it (the application factory gives one;
    scripts without an app call :func:`use_key_file`).
    """
    path = database_file(db) if isinstance(db, Database) else os.path.realpath(db)
    key_file = _key_files.get(path)
    if key_file is None:
        raise AuditKeyError(
            f"no audit key file is set for the database {path or '(in memory)'}: "
            "create the app with create_app() or call models.audit_key.use_key_file() first"
        )
    return key_file


def read_key(key_file: Path) -> bytes:
    """The key held in ``key_file``.

    Raises FileNotFoundError when there is no such file (the caller decides whether that is
    an error), and AuditKeyError when it cannot be read or does not hold a key.
    """
    try:
        stat = os.stat(key_file)
    except FileNotFoundError:
        raise
    except OSError as error:
        raise AuditKeyError(f"the audit key {key_file} cannot be read: {error}") from None
    seen = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    cached = _keys.get(key_file)
    if cached is not None and cached[:3] == seen:
        return cached[3]
    try:
        text = key_file.read_text(encoding="ascii")
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as error:
        raise AuditKeyError(f"the audit key {key_file} cannot be read: {error}") from None
    try:
        key = audit_chain.parse_key(text)
    except ValueError as error:
        raise AuditKeyError(f"{key_file} does not hold an audit key ({error})") from None
    with _lock:
        _keys[key_file] = (*seen, key)
    return key


def create_key(key_file: Path) -> bytes:
    """Write a new random key to ``key_file`` (mode 0600) and return it.

    When the file appeared meanwhile (another process made it first), returns the key it holds.
    """
    text = audit_chain.new_key_text()
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key(key_file)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return audit_chain.parse_key(text)


def missing_message(key_file: Path) -> str:
    """What to tell someone whose keyed audit log has lost its key file."""
    return (
        f"the audit key {key_file} is missing, and the audit log's rows are chained with it. "
        "Put back the audit_key file from a backup of this instance (every backup holds it); "
        "without it the log cannot be checked, and no new audit rows can be written"
    )
