"""Files attached to secure messages: checked, then encrypted into the transfers' store as they stream in.

No Flask here: the view hands in the settings, a connection and the uploaded files (name and stream), and
gets back what to record with the post, or :class:`AttachmentRefused` saying why, with nothing kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import BinaryIO

from sqlite_utils import Database

from background import transfer_store
from background.transfer_store import sending
from domain.security import file_crypto
from domain.transfers.file_names import BadFileName, blocked_extensions, blocked_reason, checked_file_name

#: Shown when the store's key file is missing while files are stored (a fault for the LA's IT).
KEY_FAULT = ("Attachments cannot be stored just now, so nothing was sent. Try again later; if it keeps happening, "
             "tell your LA's IT (the store's key file needs putting back).")  # fmt: skip


class AttachmentRefused(ValueError):
    """An attachment cannot be accepted; the message says which and what to do."""


@dataclass
class Upload:
    """One uploaded file as the browser sent it."""

    name: str | None
    stream: BinaryIO


class _Hashing:
    """A read-only stream of ``head`` (already read from ``source``) then the rest of ``source``, hashing what
    passes through."""

    def __init__(self, head: bytes, source: BinaryIO):
        self.head, self.source, self.digest = head, source, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        if self.head:
            data, self.head = (self.head, b"") if size < 0 or size >= len(self.head) else (
                self.head[:size], self.head[size:])  # fmt: skip
        else:
            data = self.source.read(size)
        self.digest.update(data)
        return data


class SealedUpload(transfer_store.SealingFile):
    """Where werkzeug writes an attached file as it arrives: encrypted on the way to disk (no plaintext copy, see
    :class:`transfer_store.SealingFile`), its SHA-256 taken on the way."""

    def __init__(self, files_dir, master_key: bytes):
        super().__init__(files_dir, master_key)
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return super().write(data)


def _checked(upload: Upload, blocked: frozenset[str]) -> tuple[str, bytes]:
    """The upload's checked name and the first bytes of its content (read to tell a program whatever its name)."""
    try:
        name = checked_file_name(upload.name)
    except BadFileName as bad:
        raise AttachmentRefused(str(bad)) from None
    sealed = isinstance(upload.stream, SealedUpload)
    head = upload.stream.head if sealed else upload.stream.read(transfer_store.SealingFile.HEAD)
    reason = blocked_reason(name, head, blocked)
    if reason:
        raise AttachmentRefused(reason)
    return name, head


def store_uploads(config: Mapping, db: Database, uploads: Iterable[Upload], actor: dict) -> list[dict]:
    """Check and encrypt each upload into the store; return one record a file (for ``models.messages``).

    All or nothing: raises AttachmentRefused (a name with tricks, a blocked type, an empty file, over
    TRANSFER_MAX_MB in all, or the key file missing) after removing whatever it had stored.
    """
    uploads = [u for u in uploads if u.name]  # a file input left empty sends a part with no name
    blocked = blocked_extensions(config["TRANSFER_BLOCKED_EXTENSIONS"])
    checked = [_checked(u, blocked) for u in uploads]  # every file checked first: a bad one stores nothing
    stored: list[dict] = []
    if not uploads:
        return stored
    try:
        master = transfer_store.master_key_for_storing(db)
    except transfer_store.StoreKeyError as error:
        raise AttachmentRefused(KEY_FAULT) from error
    limit = sending.file_max_bytes(config)  # TRANSFER_MAX_MB for all of one message's attachments together
    try:
        for (name, head), upload in zip(checked, uploads, strict=True):
            left = limit - sum(s["size"] for s in stored)
            try:
                stored_name, encrypted, sha256 = _store(config, upload.stream, head, master, left)
            except transfer_store.TooLarge:
                raise AttachmentRefused(
                    f"{name} is too large: the files attached to one message can be up to "
                    f"{config['TRANSFER_MAX_MB']} MB in all. Send it in a message of its own, or make it "
                    "smaller."
                ) from None
            size = encrypted.plaintext_size
            stored.append({"original_name": name, "size": size, "sha256": sha256, "stored_name": stored_name,
                           "wrapped_key": encrypted.wrapped_key, "key_id": file_crypto.key_id(master),
                           "uploaded_by": actor["id"]})  # fmt: skip
            if size == 0:
                raise AttachmentRefused(f"{name} is empty (0 bytes). Check you chose the right file.")
    except BaseException:
        discard(config, stored)
        raise
    return stored


def _store(config: Mapping, stream, head: bytes, master: bytes, left: int) -> tuple[str, file_crypto.Encrypted, str]:
    """Put one upload in the store: a sealed one (encrypted as it arrived) is moved in, any other stream encrypted
    now. Returns its stored name, the encryptor's report and the plaintext's SHA-256; raises TooLarge past ``left``
    bytes (a sealed one is removed again)."""
    if isinstance(stream, SealedUpload):
        stored_name, encrypted = stream.keep()
        if encrypted.plaintext_size > left:
            transfer_store.remove(config["FILES_DIR"], stored_name)
            raise transfer_store.TooLarge(left)
        return stored_name, encrypted, stream.digest.hexdigest()
    hashing = _Hashing(head, stream)
    stored_name, encrypted = transfer_store.save_encrypted(config["FILES_DIR"], hashing, master, max_bytes=left)
    return stored_name, encrypted, hashing.digest.hexdigest()


def discard(config: Mapping, stored: Iterable[dict]) -> None:
    """Remove stored files of records that were not kept (the post was refused)."""
    remove_unused(config, (record["stored_name"] for record in stored))


def remove_unused(config: Mapping, stored_names: Iterable[str]) -> None:
    """Remove the bytes of stored files no attachment names any more (retention)."""
    for name in stored_names:
        transfer_store.remove(config["FILES_DIR"], name)
