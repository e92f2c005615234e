"""The backup format: its names, hashing and copying files, and reading a backup (a directory or a
.zip file) and its manifest. Every refusal is a :class:`BackupError`."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from models import backup as backup_sql

DB_NAME = "gatehouse.db"
KEY_NAME = "audit_key"
TRANSFERS_KEY_NAME = "transfers_key"
#: The key files a backup carries: manifest entry name -> file name (in the backup and in the instance folder).
KEY_ENTRIES = {"audit_key": KEY_NAME, "transfers_key": TRANSFERS_KEY_NAME}
FILES_NAME = "files"
MANIFEST_NAME = "manifest.json"
FORMAT = "gatehouse-backup"
# Version 2 added the audit log's key (``audit_key`` in the manifest: an entry, or null when the
# instance had no key yet). Version 1 backups, from before the chain was keyed, still restore.
# Version 3 added the transfers' master key (``transfers_key``: an entry, or null when none was made yet).
FORMAT_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
CHUNK = 1024 * 1024

# progress(length=..., label=...) returns a context manager with .update(n): click.progressbar fits.
Progress = Callable[..., object]


class BackupError(Exception):
    """A backup or restore was refused or failed; the message says why and what to do."""


class _NoBar:
    def update(self, n: int) -> None:
        pass


@contextmanager
def no_progress(length: int, label: str) -> Iterator[_NoBar]:
    """A progress callable that shows nothing."""
    yield _NoBar()


def copy_stream(source: BinaryIO, dest: Path, bar, *, private: bool = False) -> str:
    """Copy ``source`` into the new file ``dest`` (fsynced); return the SHA-256 of what was copied.

    With ``private`` the new file is readable by its owner only (mode 0600), for the audit key.
    """
    digest = hashlib.sha256()
    mode = 0o600 if private else 0o666
    with open(dest, "xb", opener=lambda path, flags: os.open(path, flags, mode)) as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
            bar.update(len(chunk))
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def hash_stream(source: BinaryIO, bar=None) -> str:
    """The SHA-256 of everything left in ``source``."""
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        if bar:
            bar.update(len(chunk))
    return digest.hexdigest()


def hash_file(path: Path) -> str:
    """The SHA-256 of the file at ``path``."""
    with open(path, "rb") as handle:
        return hash_stream(handle)


def check_database(path: Path) -> None:
    """Run ``PRAGMA integrity_check`` and ``foreign_key_check`` on the database at ``path``.

    Raises BackupError naming the first problems when either finds any.
    """
    problem = backup_sql.database_problem(path)
    if problem:
        raise BackupError(problem)


def operator() -> str:
    """The operating-system account running the command, for the audit row."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Source:
    """A backup directory or .zip file, read through the same three calls."""

    def __init__(self, path: Path):
        self.path = path
        self.archive = zipfile.ZipFile(path) if path.is_file() else None

    def close(self) -> None:
        if self.archive:
            self.archive.close()

    def names(self) -> set[str]:
        if self.archive:
            return {n for n in self.archive.namelist() if not n.endswith("/")}
        return {p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if not p.is_dir()}

    def open(self, name: str) -> BinaryIO:
        if self.archive:
            return self.archive.open(name)
        return open(self.path / name, "rb")


@contextmanager
def open_source(src: Path) -> Iterator[Source]:
    """The backup at ``src``, closed after the block. Raises BackupError when there is none, or it is
    neither a directory nor a .zip file."""
    if not src.exists():
        raise BackupError(f"there is no backup at {src}")
    try:
        source = Source(src)
    except zipfile.BadZipFile:
        raise BackupError(f"{src} is neither a backup directory nor a .zip backup") from None
    try:
        yield source
    finally:
        source.close()


def _safe_member(name: object) -> bool:
    if not isinstance(name, str) or "\\" in name or "\x00" in name:
        return False
    parts = PurePosixPath(name).parts
    return (
        len(parts) >= 2
        and parts[0] == FILES_NAME
        and not name.startswith("/")
        and ".." not in parts
        and "." not in parts
        and "" not in name.split("/")
    )


def manifest_entries(manifest: dict) -> list[dict]:
    """Every file entry of a manifest: the database, the key files it has (audit, transfers), the stored files."""
    keys = [manifest[entry] for entry in KEY_ENTRIES if manifest.get(entry)]
    return [manifest["database"], *keys, *manifest["files"]]


def read_manifest(source: Source) -> dict:
    """Load and sanity-check the manifest; raises BackupError when it is missing or malformed."""
    if MANIFEST_NAME not in source.names():
        raise BackupError(f"{source.path} has no {MANIFEST_NAME}: it is not a complete Gatehouse backup")
    try:
        with source.open(MANIFEST_NAME) as handle:
            manifest = json.loads(handle.read().decode("utf-8"))
        files, database = manifest["files"], manifest["database"]
        ok = manifest.get("format") == FORMAT and database.get("path") == DB_NAME and isinstance(files, list)
        ok = ok and all(isinstance(f, dict) and isinstance(f.get("sha256"), str) for f in files)
        for entry, name in KEY_ENTRIES.items():
            key = manifest.get(entry)
            ok = ok and (key is None or (key.get("path") == name and isinstance(key.get("sha256"), str)))
    except (ValueError, KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise BackupError(f"{source.path}/{MANIFEST_NAME} is not a Gatehouse backup manifest")
    if manifest.get("version") not in READABLE_VERSIONS:
        raise BackupError(
            f"backup format version {manifest.get('version')} is not supported (need one of "
            f"{', '.join(map(str, READABLE_VERSIONS))})"
        )
    paths = [f.get("path") for f in files]
    unsafe = [p for p in paths if not _safe_member(p)]
    if unsafe:
        raise BackupError(f"the manifest names files outside files/: {unsafe[:3]}")
    if len(set(paths)) != len(paths) or manifest.get("file_count") != len(paths):
        raise BackupError("the manifest's file list is inconsistent (duplicates or a wrong file_count)")
    return manifest
