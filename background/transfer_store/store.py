"""Encrypted files on disk under ``FILES_DIR/transfers/ab/<30 hex digits>``: named at random, never by the client.

A file is written to ``FILES_DIR/tmp`` while it is encrypted, fsynced, then renamed into place,
so a crash never leaves half a stored file under its real name. Reading authenticates the whole
file before the first byte is handed out (:func:`open_verified`), then decrypts it again while
streaming: a changed, cut or reordered file is refused, never sent in part.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from background.transfer_store.keys import StoreKeyError, load_master_key
from background.validation_pool import storage
from domain.security import file_crypto
from domain.security.file_crypto import DecryptionError, Encrypted

STORE_DIR = "transfers"


class TooLarge(Exception):
    """More than ``limit`` bytes arrived."""

    def __init__(self, limit: int):
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


class _Limited:
    """A read-only stream over ``source`` that raises TooLarge after ``limit`` bytes."""

    def __init__(self, source: BinaryIO, limit: int | None):
        self.source, self.limit, self.count = source, limit, 0

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.count += len(data)
        if self.limit is not None and self.count > self.limit:
            raise TooLarge(self.limit)
        return data


class _Chunks:
    """A read-only stream over an iterator of byte strings (for re-encrypting a decrypted file)."""

    def __init__(self, chunks: Iterable[bytes]):
        self.chunks, self.buffer = iter(chunks), b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            try:
                self.buffer += next(self.chunks)
            except StopIteration:
                break
        if size < 0:
            size = len(self.buffer)
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data


class SealingFile:
    """Where an upload is written as it arrives (werkzeug's stream for a file part): encrypted on the way into
    ``FILES_DIR/tmp``, so no plaintext copy of it is ever on disk. Werkzeug's ``seek(0)`` at the end of the part
    seals it (the last chunk written, flushed and fsynced); :meth:`keep` then renames it into the store. It cannot
    be read back. :meth:`close` (werkzeug closes every uploaded file when the request ends) deletes it unless it
    was kept, so a refused or abandoned upload leaves nothing behind.
    """

    HEAD = 16

    def __init__(self, files_dir: str | Path, master_key: bytes):
        self.files_dir = files_dir
        self.token = secrets.token_hex(16)
        self.temp = storage.temp_dir(files_dir) / f"{self.token}{storage.TEMP_SUFFIX}"
        self._out = os.fdopen(os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
        try:
            self._encryptor = file_crypto.Encryptor(self._out, master_key)
        except BaseException:
            self.close()
            raise
        self.head = b""
        self.encrypted: Encrypted | None = None
        self.kept: str | None = None

    def write(self, data: bytes) -> int:
        if len(self.head) < self.HEAD:
            self.head += data[: self.HEAD - len(self.head)]
        return self._encryptor.write(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        """Werkzeug rewinds a part when it has all of it: that is when the file is sealed."""
        self.seal()
        return 0

    def read(self, size: int = -1) -> bytes:
        raise OSError("an encrypted upload cannot be read back; it is kept with SealingFile.keep")

    def seal(self) -> Encrypted:
        """Write the last chunk, flush and fsync (once); return what the encryptor reported."""
        if self.encrypted is None:
            self.encrypted = self._encryptor.finish()
            self._out.flush()
            os.fsync(self._out.fileno())
            self._out.close()
        return self.encrypted

    def keep(self) -> tuple[str, Encrypted]:
        """Move the sealed upload into the store; its stored name and the encryptor's report."""
        encrypted = self.seal()
        name = f"{STORE_DIR}/{self.token[:2]}/{self.token[2:]}"
        target = stored_path(self.files_dir, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.temp, target)
        self.kept = name
        return name, encrypted

    def close(self) -> None:
        if not self._out.closed:
            self._out.close()
        if self.kept is None:
            self.temp.unlink(missing_ok=True)


def stored_path(files_dir: str | Path, name: str) -> Path:
    """The path of stored file ``name`` (``transfers/ab/...``). Raises ValueError for a name that is not ours."""
    parts = name.split("/")
    ok = (len(parts) == 3 and parts[0] == STORE_DIR and len(parts[1]) == 2 and len(parts[2]) == 30
          and all(c in "0123456789abcdef" for c in parts[1] + parts[2]))  # fmt: skip
    if not ok:
        raise ValueError(f"not a stored transfer name: {name!r}")
    return Path(files_dir) / name


def save_encrypted(files_dir: str | Path, source: BinaryIO, master_key: bytes, *,
                   max_bytes: int | None = None) -> tuple[str, Encrypted]:
    """Encrypt ``source`` into a new stored file; return its name (relative to FILES_DIR) and what
    :func:`file_crypto.encrypt_stream` reported (keep the wrapped key with the name).

    Raises TooLarge when more than ``max_bytes`` arrive, OSError when the disk fails; either way
    nothing is left behind.
    """
    token = secrets.token_hex(16)
    name = f"{STORE_DIR}/{token[:2]}/{token[2:]}"
    temp = storage.temp_dir(files_dir) / f"{token}{storage.TEMP_SUFFIX}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            encrypted = file_crypto.encrypt_stream(_Limited(source, max_bytes), out, master_key)
            out.flush()
            os.fsync(out.fileno())
        target = stored_path(files_dir, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return name, encrypted


def open_verified(files_dir: str | Path, name: str, master_key: bytes, wrapped_key: bytes) -> Iterator[bytes]:
    """Authenticate stored file ``name`` whole, then return an iterator of its plaintext chunks.

    Raises DecryptionError (nothing handed out) when the file was changed, cut short or the key
    does not fit, and OSError when it is missing. The iterator raises DecryptionError if the file
    changes between the check and the read.
    """
    path = stored_path(files_dir, name)
    with open(path, "rb") as handle:
        file_crypto.verify(handle, master_key, wrapped_key)
    handle = open(path, "rb")  # closed by the generator below, or by its close() when it is never read

    def chunks() -> Iterator[bytes]:
        with handle:
            yield from file_crypto.decrypt_chunks(handle, master_key, wrapped_key)

    return _ClosingChunks(chunks(), handle)


#: What opening a stored file for download can raise: its bytes fail their check, it is missing, or the key file is.
UNREADABLE = (DecryptionError, OSError, StoreKeyError)


def open_stored(db, files_dir: str | Path, name: str, wrapped_key: bytes) -> Iterator[bytes]:
    """:func:`open_verified` under the store's master key (never made here). Raises one of UNREADABLE."""
    return open_verified(files_dir, name, load_master_key(db, allow_create=False), wrapped_key)


class _ClosingChunks:
    """An iterator over ``chunks`` whose :meth:`close` also closes ``handle`` (a generator closed before its first
    chunk never reaches its ``with``, so a download refused after the file was opened would leave it open)."""

    def __init__(self, chunks: Iterator[bytes], handle: BinaryIO):
        self._chunks, self._handle = chunks, handle

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return next(self._chunks)

    def close(self) -> None:
        self._chunks.close()
        self._handle.close()


def copy_encrypted(files_dir: str | Path, name: str, master_key: bytes, wrapped_key: bytes) -> tuple[str, Encrypted]:
    """A new stored file with the same plaintext as ``name`` under a new data key (so each owner can
    destroy its own). Raises DecryptionError or OSError as :func:`open_verified` does."""
    return save_encrypted(files_dir, _Chunks(open_verified(files_dir, name, master_key, wrapped_key)), master_key)


def stored_files(files_dir: str | Path) -> list[str]:
    """Every stored transfer's name (``transfers/ab/<30 hex digits>``) found on disk, sorted; anything else under
    ``FILES_DIR/transfers`` is not ours and is not listed."""
    root = Path(files_dir) / STORE_DIR
    if not root.is_dir():
        return []
    found = []
    for path in root.glob("[0-9a-f][0-9a-f]/*"):
        name = f"{STORE_DIR}/{path.parent.name}/{path.name}"
        try:
            stored_path(files_dir, name)
        except ValueError:
            continue
        if path.is_file() and not path.is_symlink():
            found.append(name)
    return sorted(found)


def remove(files_dir: str | Path, name: str | None) -> None:
    """Delete a stored file (nothing happens when it is already gone)."""
    if name:
        stored_path(files_dir, name).unlink(missing_ok=True)


__all__ = ["UNREADABLE", "DecryptionError", "SealingFile", "TooLarge", "copy_encrypted", "open_stored",
           "open_verified", "remove", "save_encrypted", "stored_files", "stored_path"]
