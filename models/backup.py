"""Backups of a Gatehouse instance (database and stored files) and restoring one.

A backup is a directory (or one .zip file holding the same names):

    gatehouse.db     consistent copy made with SQLite's online backup API
    files/...        the stored files (FILES_DIR), same relative paths
    manifest.json    created_at (UTC), migrations applied, SHA-256 and size of the database
                     and of every file; written last, so a backup without it is incomplete

:func:`create_backup` is safe while Gatehouse runs: the database is copied in one step
(``pages=-1``: a stepped backup never finishes under a busy writer), then the files. Stored
files are expected to be written once under a new name and not changed, so files that
appear after the database copy are harmless extras. Names starting with "." or ending in
".tmp" (files being written) and anything that is not a regular file are left out.

:func:`restore_backup` only restores into an empty instance, verifies every hash before it
changes anything, stages the copy under temporary names and renames it into place.

Both raise :class:`BackupError` with a message meant for the person running the command.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from domain import clock
from models import audit
from models.db import connect

DB_NAME = "gatehouse.db"
FILES_NAME = "files"
MANIFEST_NAME = "manifest.json"
FORMAT = "gatehouse-backup"
FORMAT_VERSION = 1
CHUNK = 1024 * 1024

# progress(length=..., label=...) returns a context manager with .update(n): click.progressbar fits.
Progress = Callable[..., object]


class BackupError(Exception):
    """A backup or restore was refused or failed; the message says why and what to do."""


class _NoBar:
    def update(self, n: int) -> None:
        pass


@contextmanager
def _no_progress(length: int, label: str) -> Iterator[_NoBar]:
    yield _NoBar()


# --- Helpers ---------------------------------------------------------------------------------


def _copy_stream(source: BinaryIO, dest: Path, bar) -> str:
    """Copy ``source`` into the new file ``dest``; return the SHA-256 of what was copied."""
    digest = hashlib.sha256()
    with open(dest, "xb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
            bar.update(len(chunk))
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def _hash_stream(source: BinaryIO, bar=None) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        if bar:
            bar.update(len(chunk))
    return digest.hexdigest()


def _hash_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return _hash_stream(handle)


def _stored_files(files_dir: Path) -> list[tuple[str, Path, int]]:
    """Every regular stored file as ``(posix relative path, absolute path, size)``, sorted."""
    found = []
    if not files_dir.is_dir():
        return found
    for root, dirs, names in os.walk(files_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (Path(root) / d).is_symlink())
        for name in sorted(names):
            path = Path(root) / name
            if name.startswith(".") or name.endswith(".tmp") or path.is_symlink() or not path.is_file():
                continue
            found.append((path.relative_to(files_dir).as_posix(), path, path.stat().st_size))
    return found


def check_database(path: Path) -> None:
    """Run ``PRAGMA integrity_check`` and ``foreign_key_check`` on the database at ``path``.

    Raises BackupError naming the first problems when either finds any.
    """
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database: {error}") from None
    finally:
        conn.close()
    if integrity != ["ok"]:
        raise BackupError(f"integrity_check failed on {path}: {'; '.join(integrity[:5])}")
    if foreign:
        shown = ", ".join(f"{table} row {rowid} -> {parent}" for table, rowid, parent, _ in foreign[:5])
        raise BackupError(f"foreign_key_check found {len(foreign)} broken references in {path}: {shown}")


def _migrations_applied(path: Path) -> list[str]:
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


def operator() -> str:
    """The operating-system account running the command, for the audit row."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


# --- Backup ----------------------------------------------------------------------------------


def _copy_database(db_path: Path, dest: Path) -> None:
    """One-step online backup of ``db_path`` into the new file ``dest`` (rollback journal, no WAL)."""
    source = connect(db_path)
    target = sqlite3.connect(dest)
    try:
        source.conn.backup(target)  # pages=-1: the whole database in one step, one snapshot
        target.execute("PRAGMA journal_mode = DELETE")
    finally:
        target.close()
        source.conn.close()


def _prepare_dest(dest: Path, as_zip: bool) -> Path:
    """Refuse an unusable destination; return the staging directory to build the backup in."""
    if as_zip:
        if dest.exists():
            raise BackupError(f"{dest} already exists: choose a new file name for the backup")
    elif dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} is not an empty directory: choose a new or empty directory for the backup")
    if not dest.parent.is_dir():
        raise BackupError(f"{dest.parent} does not exist: create it first")
    staging = dest.parent / f".{dest.name}.partial-{secrets.token_hex(4)}"
    staging.mkdir()
    return staging


def _write_zip(staging: Path, dest: Path) -> None:
    partial = dest.with_name(f".{dest.name}.partial")
    try:
        with zipfile.ZipFile(partial, "x", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for path in sorted(p for p in staging.rglob("*") if p.is_file()):
                archive.write(path, path.relative_to(staging).as_posix())
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)


def _build(db_path: Path, files_dir: Path, staging: Path, progress: Progress) -> dict:
    _copy_database(db_path, staging / DB_NAME)
    check_database(staging / DB_NAME)
    stored = _stored_files(files_dir)
    entries = []
    (staging / FILES_NAME).mkdir()
    with progress(length=sum(size for _, _, size in stored), label="Copying files") as bar:
        for rel, path, _ in stored:
            target = staging / FILES_NAME / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with open(path, "rb") as handle:
                    digest = _copy_stream(handle, target, bar)
            except FileNotFoundError:
                continue  # removed since we listed it: it is not part of this backup
            entries.append({"path": f"{FILES_NAME}/{rel}", "size": target.stat().st_size, "sha256": digest})
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created_at": clock.iso(),
        "migrations": _migrations_applied(staging / DB_NAME),
        "database": {
            "path": DB_NAME,
            "size": (staging / DB_NAME).stat().st_size,
            "sha256": _hash_file(staging / DB_NAME),
        },
        "file_count": len(entries),
        "files": entries,
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (staging / MANIFEST_NAME).write_text(text, encoding="utf-8")
    return manifest


def create_backup(
    db_path: str | Path,
    files_dir: str | Path,
    dest: str | Path,
    *,
    as_zip: bool = False,
    progress: Progress | None = None,
) -> dict:
    """Back up the database at ``db_path`` and the files under ``files_dir`` into ``dest``.

    ``dest`` is a new or empty directory, or with ``as_zip`` a new .zip file. The backup is
    built under a temporary name beside ``dest`` and renamed into place when complete and
    checked (integrity_check and foreign_key_check on the copy); on any failure nothing is
    left behind. Records ``backup_created`` in the live database's audit log and returns
    the manifest. Raises BackupError when refused or when the copy fails a check.
    """
    db_path, files_dir, dest = Path(db_path), Path(files_dir), Path(dest).absolute()
    if not db_path.is_file():
        raise BackupError(f"there is no database at {db_path}")
    staging = _prepare_dest(dest, as_zip)
    try:
        manifest = _build(db_path, files_dir, staging, progress or _no_progress)
        if as_zip:
            _write_zip(staging, dest)
        else:
            os.replace(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    live = connect(db_path)
    try:
        audit.record(
            live,
            "backup_created",
            target=str(dest),
            detail={
                "database_sha256": manifest["database"]["sha256"],
                "file_count": manifest["file_count"],
                "os_user": operator(),
            },
        )
    finally:
        live.conn.close()
    return manifest


# --- Reading a backup ------------------------------------------------------------------------


class _Source:
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
def _open_source(src: Path) -> Iterator[_Source]:
    if not src.exists():
        raise BackupError(f"there is no backup at {src}")
    try:
        source = _Source(src)
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


def _read_manifest(source: _Source) -> dict:
    """Load and sanity-check the manifest; raises BackupError when it is missing or malformed."""
    if MANIFEST_NAME not in source.names():
        raise BackupError(f"{source.path} has no {MANIFEST_NAME}: it is not a complete Gatehouse backup")
    try:
        with source.open(MANIFEST_NAME) as handle:
            manifest = json.loads(handle.read().decode("utf-8"))
        files, database = manifest["files"], manifest["database"]
        ok = manifest.get("format") == FORMAT and database.get("path") == DB_NAME and isinstance(files, list)
        ok = ok and all(isinstance(f, dict) and isinstance(f.get("sha256"), str) for f in files)
    except (ValueError, KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise BackupError(f"{source.path}/{MANIFEST_NAME} is not a Gatehouse backup manifest")
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(f"backup format version {manifest.get('version')} is not supported (need {FORMAT_VERSION})")
    paths = [f.get("path") for f in files]
    unsafe = [p for p in paths if not _safe_member(p)]
    if unsafe:
        raise BackupError(f"the manifest names files outside files/: {unsafe[:3]}")
    if len(set(paths)) != len(paths) or manifest.get("file_count") != len(paths):
        raise BackupError("the manifest's file list is inconsistent (duplicates or a wrong file_count)")
    return manifest


def verify_backup(src: str | Path, progress: Progress | None = None) -> dict:
    """Check that ``src`` holds exactly the files its manifest lists, with the same SHA-256.

    Returns the manifest. Raises BackupError naming the first missing, extra or changed file.
    Reads only; changes nothing.
    """
    progress = progress or _no_progress
    with _open_source(Path(src)) as source:
        manifest = _read_manifest(source)
        expected = [manifest["database"], *manifest["files"]]
        listed = {e["path"] for e in expected} | {MANIFEST_NAME}
        present = source.names()
        if present - listed:
            raise BackupError(f"the backup holds files its manifest does not list: {sorted(present - listed)[:3]}")
        if listed - present:
            raise BackupError(f"files listed in the manifest are missing: {sorted(listed - present)[:3]}")
        total = sum(int(e.get("size") or 0) for e in expected)
        with progress(length=total, label="Checking backup") as bar:
            for entry in expected:
                with source.open(entry["path"]) as handle:
                    if _hash_stream(handle, bar) != entry["sha256"]:
                        raise BackupError(
                            f"{entry['path']} does not match its SHA-256 in the manifest: "
                            "the backup was changed or damaged; nothing was restored"
                        )
    return manifest


# --- Restore ---------------------------------------------------------------------------------


def instance_data(db_path: str | Path, files_dir: str | Path) -> str | None:
    """Describe the data the target instance already holds, or None when it is empty.

    Empty means: no database file (or an empty file, or one with no organisations and no
    users) and no stored file under ``files_dir``.
    """
    db_path, files_dir = Path(db_path), Path(files_dir)
    if db_path.exists() and db_path.stat().st_size > 0:
        conn = sqlite3.connect(db_path)
        try:
            for table in ("organisations", "users"):
                exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
                if exists.fetchone() and conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:
                    return f"the database {db_path} already has {table}"
        except sqlite3.DatabaseError as error:
            return f"{db_path} exists and is not an empty Gatehouse database ({error})"
        finally:
            conn.close()
    if files_dir.is_dir() and any(p.is_file() or p.is_symlink() for p in files_dir.rglob("*")):
        return f"the files directory {files_dir} is not empty"
    return None


def _stage(source: _Source, manifest: dict, db_tmp: Path, files_tmp: Path, progress: Progress) -> None:
    """Copy the backup to temporary paths, re-checking every hash as it is copied."""
    entries = [(manifest["database"], db_tmp)]
    entries += [(f, files_tmp / f["path"][len(FILES_NAME) + 1 :]) for f in manifest["files"]]
    files_tmp.mkdir()
    total = sum(int(e.get("size") or 0) for e, _ in entries)
    with progress(length=total, label="Restoring") as bar:
        for entry, target in entries:
            target.parent.mkdir(parents=True, exist_ok=True)
            with source.open(entry["path"]) as handle:
                if _copy_stream(handle, target, bar) != entry["sha256"]:
                    raise BackupError(f"{entry['path']} changed while it was being restored; nothing was restored")


def _replace_database(db_tmp: Path, db_path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    os.replace(db_tmp, db_path)


def _replace_files(files_tmp: Path, files_dir: Path) -> None:
    """Put the staged files in place of ``files_dir``, which holds at most empty folders."""
    if files_dir.exists():
        for root, dirs, _ in os.walk(files_dir, topdown=False):
            for name in dirs:
                os.rmdir(Path(root) / name)  # OSError if a file appeared: then nothing is replaced
        os.rmdir(files_dir)
    os.replace(files_tmp, files_dir)


def restore_backup(
    src: str | Path,
    db_path: str | Path,
    files_dir: str | Path,
    *,
    known_migrations: set[str] | None = None,
    progress: Progress | None = None,
) -> dict:
    """Restore the backup at ``src`` into the empty instance ``db_path`` + ``files_dir``.

    Refuses (BackupError, nothing changed) when the instance holds data, when the backup's
    files do not match its manifest, when it has migrations outside ``known_migrations``
    (a newer Gatehouse made it), or when the copy fails integrity_check or
    foreign_key_check. Stop Gatehouse before restoring. Records ``backup_restored`` in the
    restored database's audit log and returns the manifest.
    """
    src, db_path, files_dir = Path(src).absolute(), Path(db_path), Path(files_dir)
    problem = instance_data(db_path, files_dir)
    if problem:
        raise BackupError(
            f"restore only goes into an empty instance, and {problem}. Nothing was changed. Move the database "
            "and files directory aside (or set GATEHOUSE_DATABASE and GATEHOUSE_FILES_DIR to new paths) and run again."
        )
    manifest = verify_backup(src, progress)
    unknown = sorted(set(manifest.get("migrations") or ()) - known_migrations) if known_migrations is not None else []
    if unknown:
        raise BackupError(
            f"the backup comes from a newer Gatehouse (migrations {', '.join(unknown[:3])} are unknown here): "
            "update Gatehouse first. Nothing was changed."
        )
    token = secrets.token_hex(4)
    db_tmp = db_path.with_name(f".{db_path.name}.restore-{token}")
    files_tmp = files_dir.with_name(f".{files_dir.name}.restore-{token}")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _open_source(src) as source:
            _stage(source, manifest, db_tmp, files_tmp, progress or _no_progress)
        check_database(db_tmp)
        problem = instance_data(db_path, files_dir)
        if problem:
            raise BackupError(f"{problem} now (something wrote to it during the restore); nothing was changed")
        _replace_files(files_tmp, files_dir)
        _replace_database(db_tmp, db_path)
    finally:
        with suppress(FileNotFoundError):
            db_tmp.unlink()
        shutil.rmtree(files_tmp, ignore_errors=True)
    check_database(db_path)
    restored = connect(db_path)
    try:
        audit.record(
            restored,
            "backup_restored",
            target=str(src),
            detail={
                "backup_created_at": manifest.get("created_at"),
                "database_sha256": manifest["database"]["sha256"],
                "file_count": manifest["file_count"],
                "os_user": operator(),
            },
        )
    finally:
        restored.conn.close()
    return manifest
