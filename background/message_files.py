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
from domain.security import file_crypto
from domain.transfers.file_names import BadFileName, blocked_extensions, blocked_reason, checked_file_name
from models import messages, transfers

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
    """A read-only stream of ``head`` (already read from ``source``) then the rest of ``source``, counting and
    hashing what passes through."""

    def __init__(self, head: bytes, source: BinaryIO):
        self.head, self.source, self.size, self.digest = head, source, 0, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        if self.head:
            data, self.head = (self.head, b"") if size < 0 or size >= len(self.head) else (
                self.head[:size], self.head[size:])  # fmt: skip
        else:
            data = self.source.read(size)
        self.size += len(data)
        self.digest.update(data)
        return data


def max_bytes(config: Mapping) -> int:
    """The most the attachments of one message may hold together (TRANSFER_MAX_MB, as for files sent as transfers)."""
    return int(config["TRANSFER_MAX_MB"]) * 1024 * 1024


def _checked(upload: Upload, blocked: frozenset[str]) -> tuple[str, bytes]:
    """The upload's checked name and the first bytes of its content (read to tell a program whatever its name)."""
    try:
        name = checked_file_name(upload.name)
    except BadFileName as bad:
        raise AttachmentRefused(str(bad)) from None
    head = upload.stream.read(transfer_store.SealingFile.HEAD)
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
        anything_stored = transfers.any_stored(db) or messages.any_attachment_stored(db)
        master = transfer_store.load_master_key(db, allow_create=not anything_stored)
    except transfer_store.StoreKeyError as error:
        raise AttachmentRefused(KEY_FAULT) from error
    limit = max_bytes(config)
    try:
        for (name, head), upload in zip(checked, uploads, strict=True):
            stream = _Hashing(head, upload.stream)
            left = limit - sum(s["size"] for s in stored)
            try:
                stored_name, encrypted = transfer_store.save_encrypted(config["FILES_DIR"], stream, master,
                                                                       max_bytes=left)  # fmt: skip
            except transfer_store.TooLarge:
                raise AttachmentRefused(
                    f"{name} is too large: the files attached to one message can be up to "
                    f"{config['TRANSFER_MAX_MB']} MB in all. Send it in a message of its own, or make it "
                    "smaller."
                ) from None
            stored.append({"original_name": name, "size": stream.size, "sha256": stream.digest.hexdigest(),
                           "stored_name": stored_name, "wrapped_key": encrypted.wrapped_key,
                           "key_id": file_crypto.key_id(master), "uploaded_by": actor["id"]})  # fmt: skip
            if stream.size == 0:
                raise AttachmentRefused(f"{name} is empty (0 bytes). Check you chose the right file.")
    except BaseException:
        discard(config, stored)
        raise
    return stored


def discard(config: Mapping, stored: Iterable[dict]) -> None:
    """Remove stored files of records that were not kept (the post was refused)."""
    for record in stored:
        transfer_store.remove(config["FILES_DIR"], record["stored_name"])


def remove_unused(config: Mapping, stored_names: Iterable[str]) -> None:
    """Remove the bytes of stored files no attachment names any more (retention)."""
    for name in stored_names:
        transfer_store.remove(config["FILES_DIR"], name)
