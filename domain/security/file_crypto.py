"""Files encrypted at rest: streaming AES-256-GCM in chunks, under a per-file data key wrapped by a master key.

Pure: streams in, streams out, no paths and no database. ``background/transfer_store/`` keeps the
master key (``instance/transfers_key``) and the encrypted files.

**Keys.** Every file gets its own random 256-bit *data key*. It is stored only *wrapped*:
encrypted with AES-256-GCM under the *master key*, with the file's id as associated data (a wrapped
key cannot be moved to another file). Destroying the wrapped key destroys the file, whatever copies
of the bytes remain.

**Format.** A header, then records::

    header  = MAGIC (8 bytes) | chunk size (4, big-endian) | file id (16 random bytes)
    record  = nonce (12 random bytes) | ciphertext length (4, big-endian) | ciphertext (chunk + 16-byte tag)

Each record is one chunk of at most ``chunk size`` plaintext bytes (an empty file is one empty
record). Its associated data is the header, the chunk's index (8 bytes) and a final flag (1 byte):
so a chunk moved, dropped, repeated, taken from another file or cut off at the end (the last
record left was written as not final) fails authentication, as does any changed byte. Readers
decide "final" by whether the file ends after the record, so truncation at a record boundary is
refused too.

Memory: one chunk (default 1 MiB) in and out at a time, whatever the file's size.
"""

from __future__ import annotations

import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"GHTFv1\x00\x00"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
FILE_ID_BYTES = 16
DEFAULT_CHUNK = 1024 * 1024
MAX_CHUNK = 16 * 1024 * 1024
_HEADER = struct.Struct(">8sI16s")
_RECORD = struct.Struct(">12sI")
_POSITION = struct.Struct(">Q?")


class DecryptionError(Exception):
    """The stored bytes are not what was written (changed, cut short, reordered) or the key is wrong."""


@dataclass(frozen=True)
class Encrypted:
    """What :func:`encrypt_stream` reports: the wrapped data key, the plaintext's size and the stored size."""

    wrapped_key: bytes
    plaintext_size: int
    stored_size: int


def new_master_key() -> bytes:
    """A new random 256-bit master key."""
    return secrets.token_bytes(KEY_BYTES)


def key_id(master_key: bytes) -> str:
    """A short public name for ``master_key`` (8 hex digits), to tell a wrong key file from damaged data.

    Derived by encrypting nothing under the key, so it reveals nothing about the key."""
    tag = AESGCM(master_key).encrypt(b"\x00" * NONCE_BYTES, b"", b"gatehouse key id")
    return tag.hex()[:8]


def wrap_key(master_key: bytes, data_key: bytes, file_id: bytes) -> bytes:
    """``data_key`` encrypted under ``master_key`` (nonce + ciphertext + tag), bound to ``file_id``."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(master_key).encrypt(nonce, data_key, b"wrap" + file_id)


def unwrap_key(master_key: bytes, wrapped: bytes, file_id: bytes) -> bytes:
    """The data key inside ``wrapped``. Raises DecryptionError when it was not wrapped under this key for this file."""
    try:
        return AESGCM(master_key).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], b"wrap" + file_id)
    except (InvalidTag, ValueError):
        raise DecryptionError("the file's key cannot be unwrapped with this master key") from None


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    parts, left = [], size
    while left:
        part = source.read(left)
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + _POSITION.pack(index, final)


class Encryptor:
    """Encrypt a stream pushed in with :meth:`write`, writing records to ``out`` as chunks fill; :meth:`finish`
    writes the last (final) chunk and returns the :class:`Encrypted` summary. Holds at most about two chunks.

    Raises ValueError for a chunk size outside 1 byte to 16 MiB, or a write after finish; OSError from ``out``
    propagates.
    """

    def __init__(self, out: BinaryIO, master_key: bytes, *, chunk_size: int = DEFAULT_CHUNK):
        if not 0 < chunk_size <= MAX_CHUNK:
            raise ValueError("chunk size must be between 1 byte and 16 MiB")
        self._out, self._chunk_size = out, chunk_size
        self._file_id = secrets.token_bytes(FILE_ID_BYTES)
        data_key = secrets.token_bytes(KEY_BYTES)
        self._cipher = AESGCM(data_key)
        self._wrapped = self._file_id + wrap_key(master_key, data_key, self._file_id)
        self._header = _HEADER.pack(MAGIC, chunk_size, self._file_id)
        out.write(self._header)
        self._pieces: list[bytes] = []  # plaintext not yet sealed, joined once per chunk (not copied per write)
        self._pending = 0
        self._index, self._done = 0, False
        self.plaintext_size, self.stored_size = 0, len(self._header)

    def _seal(self, chunk: bytes | memoryview, final: bool) -> None:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._cipher.encrypt(nonce, chunk, _aad(self._header, self._index, final))
        self._out.write(_RECORD.pack(nonce, len(sealed)))
        self._out.write(sealed)
        self.stored_size += _RECORD.size + len(sealed)
        self._index += 1

    def write(self, data: bytes) -> int:
        """Take the next plaintext bytes; every full chunk with more after it is encrypted and written."""
        if self._done:
            raise ValueError("write after finish")
        self._pieces.append(bytes(data))
        self._pending += len(data)
        self.plaintext_size += len(data)
        size = self._chunk_size
        if self._pending > size:  # a chunk is final only once something follows it
            joined = memoryview(b"".join(self._pieces))
            start = 0
            while len(joined) - start > size:
                self._seal(joined[start : start + size], final=False)
                start += size
            rest = bytes(joined[start:])
            self._pieces, self._pending = [rest], len(rest)
        return len(data)

    def finish(self) -> Encrypted:
        """Write the final chunk (empty for an empty file) and return the wrapped key and sizes."""
        if not self._done:
            self._seal(b"".join(self._pieces), final=True)
            self._pieces, self._pending = [], 0
            self._done = True
        return Encrypted(wrapped_key=self._wrapped, plaintext_size=self.plaintext_size, stored_size=self.stored_size)


def encrypt_stream(source: BinaryIO, out: BinaryIO, master_key: bytes, *, chunk_size: int = DEFAULT_CHUNK) -> Encrypted:
    """Read ``source`` to its end and write it encrypted to ``out``, one chunk at a time (see :class:`Encryptor`).

    Returns the wrapped data key (keep it: without it the bytes are lost) and the sizes. Raises
    ValueError for a chunk size outside 1 byte to 16 MiB; OSError from the streams propagates.
    """
    encryptor = Encryptor(out, master_key, chunk_size=chunk_size)
    while data := source.read(chunk_size):
        encryptor.write(data)
    return encryptor.finish()


def decrypt_chunks(source: BinaryIO, master_key: bytes, wrapped_key: bytes) -> Iterator[bytes]:
    """Yield the plaintext of an encrypted stream chunk by chunk, each chunk authenticated before it is yielded.

    Raises DecryptionError (on the first bad chunk) when anything is changed, missing, reordered
    or added, or when the key does not fit: a caller that must not hand out part of a damaged
    file runs :func:`verify` first.
    """
    header = _read_exactly(source, _HEADER.size)
    if len(header) != _HEADER.size:
        raise DecryptionError("the stored file is too short to be an encrypted file")
    magic, chunk_size, file_id = _HEADER.unpack(header)
    if magic != MAGIC or not 0 < chunk_size <= MAX_CHUNK:
        raise DecryptionError("the stored file does not start as an encrypted file")
    if wrapped_key[:FILE_ID_BYTES] != file_id:
        raise DecryptionError("the stored file is not the one this key belongs to")
    cipher = AESGCM(unwrap_key(master_key, wrapped_key[FILE_ID_BYTES:], file_id))
    limit = chunk_size + TAG_BYTES
    index = 0
    record = _read_exactly(source, _RECORD.size)
    while True:
        if len(record) != _RECORD.size:
            raise DecryptionError(f"the stored file ends in the middle of chunk {index + 1}")
        nonce, length = _RECORD.unpack(record)
        if not TAG_BYTES <= length <= limit:
            raise DecryptionError(f"chunk {index + 1} of the stored file has an impossible length")
        sealed = _read_exactly(source, length)
        if len(sealed) != length:
            raise DecryptionError(f"the stored file ends in the middle of chunk {index + 1}")
        record = _read_exactly(source, _RECORD.size)
        final = not record
        try:
            yield cipher.decrypt(nonce, sealed, _aad(header, index, final))
        except InvalidTag:
            raise DecryptionError(f"chunk {index + 1} of the stored file does not authenticate") from None
        if final:
            return
        index += 1


def verify(source: BinaryIO, master_key: bytes, wrapped_key: bytes) -> int:
    """Authenticate the whole stream without keeping any of it; return the plaintext size.

    Raises DecryptionError as :func:`decrypt_chunks` does.
    """
    return sum(len(chunk) for chunk in decrypt_chunks(source, master_key, wrapped_key))
