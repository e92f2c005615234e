"""Checking and restoring a backup: :func:`verify_backup` reads only; :func:`restore_backup` only
restores into an empty instance, verifies every hash before it changes anything, stages the copy
under temporary names and renames it into place. The audit log's key goes back to the instance's
key file (``instance/audit_key``, mode 0600), so the restored log still verifies, and the transfers'
master key to ``instance/transfers_key``, so the restored transfers can still be opened."""

from __future__ import annotations

import os
import secrets
import shutil
from contextlib import suppress
from pathlib import Path

from background import transfer_store
from backup.archive import (
    FILES_NAME,
    MANIFEST_NAME,
    BackupError,
    Progress,
    Source,
    check_database,
    copy_stream,
    hash_file,
    hash_stream,
    manifest_entries,
    no_progress,
    open_source,
    operator,
    read_manifest,
)
from models import audit, audit_key
from models import backup as backup_sql
from models.db import connection


def verify_backup(src: str | Path, progress: Progress | None = None) -> dict:
    """Check that ``src`` holds exactly the files its manifest lists, with the same SHA-256.

    Returns the manifest. Raises BackupError naming the first missing, extra or changed file.
    Reads only; changes nothing.
    """
    progress = progress or no_progress
    with open_source(Path(src)) as source:
        manifest = read_manifest(source)
        expected = manifest_entries(manifest)
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
                    if hash_stream(handle, bar) != entry["sha256"]:
                        raise BackupError(
                            f"{entry['path']} does not match its SHA-256 in the manifest: "
                            "the backup was changed or damaged; nothing was restored"
                        )
    return manifest


def instance_data(db_path: str | Path, files_dir: str | Path) -> str | None:
    """Describe the data the target instance already holds, or None when it is empty.

    Empty means: no database file (or an empty file, or one with no organisations and no
    users) and no stored file under ``files_dir``.
    """
    db_path, files_dir = Path(db_path), Path(files_dir)
    held = backup_sql.data_held(db_path)
    if held:
        return held
    if files_dir.is_dir() and any(p.is_file() or p.is_symlink() for p in files_dir.rglob("*")):
        return f"the files directory {files_dir} is not empty"
    return None


#: What each key file is called in a refusal, and what it keys.
_KEY_WORDS = {"audit_key": ("an audit key", "it keys another audit log"),
              "transfers_key": ("a transfers key", "it opens another instance's stored transfers")}


def _key_to_place(manifest: dict, entry_name: str, key_file: Path) -> bool:
    """True when the backup's key ``entry_name`` must be put at ``key_file``; False when there is none to put or
    the same key is already there. Raises BackupError when a different key is there (it is never overwritten)."""
    entry = manifest.get(entry_name)
    if not entry:
        return False
    try:
        present = hash_file(key_file)
    except FileNotFoundError:
        return True
    if present != entry["sha256"]:
        what, keeps = _KEY_WORDS[entry_name]
        raise BackupError(
            f"this instance already has {what}, {key_file}, and it is not the backup's. Nothing was "
            f"changed. Move that file aside ({keeps}, keep it) and run again."
        )
    return False


def _stage(
    source: Source, manifest: dict, db_tmp: Path, files_tmp: Path, keys: dict[str, tuple[Path, Path]],
    progress: Progress,
) -> None:
    """Copy the backup to temporary paths, re-checking every hash as it is copied. ``keys``: the key entries to
    restore, each as ``(key file, its temporary path)``."""
    entries = [(manifest["database"], db_tmp)]
    entries += [(manifest[name], key_tmp) for name, (_, key_tmp) in keys.items()]
    key_temps = {key_tmp for _, key_tmp in keys.values()}
    entries += [(f, files_tmp / f["path"][len(FILES_NAME) + 1 :]) for f in manifest["files"]]
    files_tmp.mkdir()
    total = sum(int(e.get("size") or 0) for e, _ in entries)
    with progress(length=total, label="Restoring") as bar:
        for entry, target in entries:
            target.parent.mkdir(parents=True, exist_ok=True)
            with source.open(entry["path"]) as handle:
                if copy_stream(handle, target, bar, private=target in key_temps) != entry["sha256"]:
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
    (a newer Gatehouse made it), when the instance's audit key file (the one the application
    factory gave for ``db_path``) or its transfers key file holds a key other than the backup's, or
    when the copy fails integrity_check or foreign_key_check. Puts the backup's keys in those files
    (mode 0600) first and takes them away again if the rest fails. Stop Gatehouse before restoring. Records
    ``backup_restored`` in the restored database's audit log and returns the manifest.
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
    key_files = {"audit_key": audit_key.key_file_for(db_path), "transfers_key": transfer_store.key_file_for(db_path)}
    keys = {
        name: (key_file, key_file.with_name(f".{key_file.name}.restore-{token}"))
        for name, key_file in key_files.items() if _key_to_place(manifest, name, key_file)
    }  # fmt: skip
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for key_file in key_files.values():
        key_file.parent.mkdir(parents=True, exist_ok=True)
    placed: list[Path] = []
    try:
        with open_source(src) as source:
            _stage(source, manifest, db_tmp, files_tmp, keys, progress or no_progress)
        check_database(db_tmp)
        problem = instance_data(db_path, files_dir)
        if problem:
            raise BackupError(f"{problem} now (something wrote to it during the restore); nothing was changed")
        for name, (key_file, key_tmp) in keys.items():
            if _key_to_place(manifest, name, key_file):
                os.replace(key_tmp, key_file)
                placed.append(key_file)
        _replace_files(files_tmp, files_dir)
        _replace_database(db_tmp, db_path)
    except BaseException:
        for key_file in placed:
            key_file.unlink(missing_ok=True)
        raise
    finally:
        with suppress(FileNotFoundError):
            db_tmp.unlink()
        for _, key_tmp in keys.values():
            key_tmp.unlink(missing_ok=True)
        shutil.rmtree(files_tmp, ignore_errors=True)
    check_database(db_path)
    with connection(db_path) as restored:
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
    return manifest
