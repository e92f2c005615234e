"""The transfers' master key file: ``instance/transfers_key`` (64 hex digits, mode 0600), beside the audit key."""

from __future__ import annotations

import os
from pathlib import Path

from sqlite_utils import Database

from domain.security import file_crypto
from models import audit_key, messages, transfers

FILE_NAME = "transfers_key"


class StoreKeyError(Exception):
    """The master key file is missing (while files are stored), unreadable or not a key; the message says what to do."""


def key_file_for(db: Database | str | Path) -> Path:
    """The master key file of the database ``db``: ``transfers_key`` in the instance folder (where its audit key is)."""
    return audit_key.key_file_for(db).with_name(FILE_NAME)


def _parse(text: str, key_file: Path) -> bytes:
    text = text.strip()
    if len(text) != 2 * file_crypto.KEY_BYTES or any(c not in "0123456789abcdef" for c in text):
        raise StoreKeyError(f"{key_file} does not hold a transfers key (64 hex digits)")
    return bytes.fromhex(text)


def _create(key_file: Path) -> bytes:
    key = file_crypto.new_master_key()
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another thread or process made it first: use theirs
        return _parse(key_file.read_text(encoding="ascii"), key_file)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return key


def load_master_key(db: Database | str | Path, *, allow_create: bool) -> bytes:
    """The master key of ``db``'s instance, made (mode 0600) when missing and ``allow_create``.

    Pass ``allow_create`` only while no transfer is stored: a new key cannot open files stored
    under the old one. Raises StoreKeyError when the file is missing (and may not be made),
    unreadable or does not hold a key.
    """
    key_file = key_file_for(db)
    try:
        text = key_file.read_text(encoding="ascii")
    except FileNotFoundError:
        if allow_create:
            return _create(key_file)
        raise StoreKeyError(
            f"the transfers key {key_file} is missing, and the stored transfers are encrypted with it. Put back the "
            "transfers_key file from a backup of this instance (every backup holds it); until then no stored "
            "transfer can be downloaded"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise StoreKeyError(f"the transfers key {key_file} cannot be read: {error}") from None
    return _parse(text, key_file)


def master_key_for_storing(db: Database) -> bytes:
    """The master key to store a new file under: made (as :func:`load_master_key` does) only while the store holds
    nothing, neither a transfer nor a message attachment, since a new key would open none of those. Raises
    StoreKeyError when the key file is missing while files are stored."""
    stored = transfers.any_stored(db) or messages.any_attachment_stored(db)
    return load_master_key(db, allow_create=not stored)
