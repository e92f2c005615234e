"""Taking a backup: :func:`create_backup`, safe while Gatehouse runs.

The database is copied in one step (``pages=-1``: a stepped backup never finishes under a busy
writer), then the audit log's key (``instance/audit_key``) and the transfers' master key
(``instance/transfers_key``), mode 0600 in the backup too, then the files. The keys are copied after
the database: each is created before the first row that needs it is written (a keyed audit row, a
stored transfer) and never changes, so a copy holding such rows always finds it. Stored files are expected
to be written once under a new name and not changed, so files that appear after the database copy
are harmless extras. Names starting with "." or ending in ".tmp" (files being written) and anything
that is not a regular file are left out.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import zipfile
from pathlib import Path

from background import transfer_store
from background.validation_pool import storage
from backup.archive import (
    DB_NAME,
    FILES_NAME,
    FORMAT,
    FORMAT_VERSION,
    KEY_NAME,
    MANIFEST_NAME,
    TRANSFERS_KEY_NAME,
    BackupError,
    Progress,
    check_database,
    copy_stream,
    hash_file,
    no_progress,
    operator,
)
from domain import clock
from models import audit, audit_key
from models import backup as backup_sql
from models.db import connection


def _stored_files(files_dir: Path) -> list[tuple[str, Path, int]]:
    """Every regular stored file as ``(posix relative path, absolute path, size)``, sorted.

    Uploads still being received or checked (``FILES_DIR/tmp``) are left out: they may be half
    written, and the next start of the server deletes them anyway."""
    found = []
    if not files_dir.is_dir():
        return found
    for root, dirs, names in os.walk(files_dir):
        at_top = Path(root) == files_dir
        dirs[:] = sorted(
            d for d in dirs
            if not d.startswith(".") and not (Path(root) / d).is_symlink() and not (at_top and d == storage.TMP_DIR)
        )  # fmt: skip
        for name in sorted(names):
            path = Path(root) / name
            if name.startswith(".") or name.endswith(".tmp") or path.is_symlink() or not path.is_file():
                continue
            found.append((path.relative_to(files_dir).as_posix(), path, path.stat().st_size))
    return found


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


def _copy_key(key_file: Path, staging: Path, name: str = KEY_NAME, what: str = "audit key") -> dict | None:
    """Copy a key file into the backup as ``name`` (mode 0600); its manifest entry, or None when there is no key yet
    (no keyed audit row, or no stored transfer, has been written, so the copied database needs none)."""
    try:
        handle = open(key_file, "rb")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise BackupError(f"the {what} {key_file} cannot be read: {error.strerror}") from None
    with handle, no_progress(length=0, label="") as bar:
        digest = copy_stream(handle, staging / name, bar, private=True)
    return {"path": name, "size": (staging / name).stat().st_size, "sha256": digest}


def _build(db_path: Path, files_dir: Path, staging: Path, progress: Progress, key_file: Path) -> dict:
    backup_sql.copy_database(db_path, staging / DB_NAME)
    check_database(staging / DB_NAME)
    key_entry = _copy_key(key_file, staging)
    transfers_key_entry = _copy_key(transfer_store.key_file_for(db_path), staging, TRANSFERS_KEY_NAME, "transfers key")
    stored = _stored_files(files_dir)
    entries = []
    (staging / FILES_NAME).mkdir()
    with progress(length=sum(size for _, _, size in stored), label="Copying files") as bar:
        for rel, path, _ in stored:
            target = staging / FILES_NAME / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with open(path, "rb") as handle:
                    digest = copy_stream(handle, target, bar)
            except FileNotFoundError:
                continue  # removed since we listed it: it is not part of this backup
            entries.append({"path": f"{FILES_NAME}/{rel}", "size": target.stat().st_size, "sha256": digest})
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created_at": clock.iso(),
        "migrations": backup_sql.migrations_applied(staging / DB_NAME),
        "database": {
            "path": DB_NAME,
            "size": (staging / DB_NAME).stat().st_size,
            "sha256": hash_file(staging / DB_NAME),
        },
        "audit_key": key_entry,
        "transfers_key": transfers_key_entry,
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
    """Back up the database at ``db_path``, its audit key and the files under ``files_dir`` into ``dest``.

    The audit key is the file the application factory gave for ``db_path`` (``instance/audit_key``;
    AuditKeyError when none was given). ``dest`` is a new or empty directory, or with ``as_zip`` a new
    .zip file. The backup is
    built under a temporary name beside ``dest`` and renamed into place when complete and
    checked (integrity_check and foreign_key_check on the copy); on any failure nothing is
    left behind. Records ``backup_created`` in the live database's audit log and returns
    the manifest. Raises BackupError when refused or when the copy fails a check.
    """
    db_path, files_dir, dest = Path(db_path), Path(files_dir), Path(dest).absolute()
    if not db_path.is_file():
        raise BackupError(f"there is no database at {db_path}")
    key_file = audit_key.key_file_for(db_path)
    staging = _prepare_dest(dest, as_zip)
    try:
        manifest = _build(db_path, files_dir, staging, progress or no_progress, key_file)
        if as_zip:
            _write_zip(staging, dest)
        else:
            os.replace(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    with connection(db_path) as live:
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
    return manifest
