"""Uploaded files on disk: written atomically, named by their SHA-256, never by the client.

An upload is copied into ``FILES_DIR/tmp/<random>.part`` while its hash is computed, and
fsynced. Once its file validates, :func:`keep` renames it to ``FILES_DIR/uploads/ab/cdef…``
(``ab`` the hash's first two hex digits): identical content is stored once. A refused file's
temporary copy is deleted with :func:`discard`. The client's file name is data only.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024
TMP_DIR = "tmp"
UPLOADS_DIR = "uploads"
TEMP_SUFFIX = ".part"


class TooLarge(Exception):
    """The upload is larger than the limit (``limit`` bytes)."""

    def __init__(self, limit: int):
        super().__init__(f"upload larger than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class TempUpload:
    """An upload copied to a temporary file: its name under ``FILES_DIR/tmp``, hash and size."""

    name: str
    sha256: str
    size: int


def temp_dir(files_dir: str | Path) -> Path:
    """``FILES_DIR/tmp`` (created if absent)."""
    path = Path(files_dir) / TMP_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def temp_path(files_dir: str | Path, name: str) -> Path:
    """The path of temporary file ``name``. Raises ValueError for a name that is not ours."""
    if not name.endswith(TEMP_SUFFIX) or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"not a temporary upload name: {name!r}")
    return temp_dir(files_dir) / name


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_temp(stream: BinaryIO, files_dir: str | Path, max_bytes: int) -> TempUpload:
    """Copy ``stream`` to a new temporary file, hashing as it goes, and fsync it.

    Raises TooLarge when more than ``max_bytes`` arrive, and OSError when the disk fails;
    either way the temporary file is gone.
    """
    name = secrets.token_hex(16) + TEMP_SUFFIX
    path = temp_dir(files_dir) / name
    digest = hashlib.sha256()
    size = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(max_bytes)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return TempUpload(name=name, sha256=digest.hexdigest(), size=size)


def stored_name(sha256: str) -> str:
    """The path, relative to FILES_DIR, where content with this hash is kept."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return f"{UPLOADS_DIR}/{sha256[:2]}/{sha256[2:]}"


def keep(files_dir: str | Path, temp_name: str, sha256: str) -> tuple[str, bool]:
    """Move a validated temporary file to its content-addressed place.

    Returns ``(stored path relative to FILES_DIR, created)``; ``created`` is False when the
    same content was already stored (the temporary copy is then deleted).
    """
    source = temp_path(files_dir, temp_name)
    relative = stored_name(sha256)
    target = Path(files_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        source.unlink(missing_ok=True)
        return relative, False
    os.replace(source, target)
    _fsync_dir(target.parent)
    return relative, True


def discard(files_dir: str | Path, temp_name: str | None) -> None:
    """Delete a temporary upload (nothing happens when it is already gone)."""
    if temp_name:
        temp_path(files_dir, temp_name).unlink(missing_ok=True)


def temp_files(files_dir: str | Path) -> list[Path]:
    """Every regular file under ``FILES_DIR/tmp`` (temporary uploads and spools), sorted."""
    return sorted(p for p in temp_dir(files_dir).iterdir() if p.is_file() and not p.is_symlink())


def stored_files(files_dir: str | Path) -> list[str]:
    """Every file :func:`keep` could have made (``uploads/ab/<62 hex digits>``), relative to FILES_DIR, sorted.

    Anything else under ``FILES_DIR/uploads`` is not ours and is not listed.
    """
    root = Path(files_dir) / UPLOADS_DIR
    if not root.is_dir():
        return []
    found = []
    for path in root.glob("[0-9a-f][0-9a-f]/*"):
        relative = f"{UPLOADS_DIR}/{path.parent.name}/{path.name}"
        try:
            ours = stored_name(path.parent.name + path.name) == relative
        except ValueError:
            ours = False
        if ours and path.is_file() and not path.is_symlink():
            found.append(relative)
    return sorted(found)


def remove_stored(files_dir: str | Path, relative: str) -> None:
    """Delete a stored file (to undo :func:`keep` when its database rows failed, or an orphan a crash left)."""
    (Path(files_dir) / relative).unlink(missing_ok=True)


def open_stored(files_dir: str | Path, relative: str) -> BinaryIO:
    """Open a stored upload for reading. Raises OSError when it is missing."""
    return open(Path(files_dir) / relative, "rb")
