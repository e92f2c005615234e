"""Streaming AES-256-GCM at rest: round trips, and refusal of every change to the stored bytes."""

from __future__ import annotations

import io
import os

import pytest

from domain.security import file_crypto
from domain.security.file_crypto import DecryptionError

MASTER = bytes(range(32))
CHUNK = 64  # small chunks so a short test file spans several


def _encrypt(data: bytes, master: bytes = MASTER, chunk_size: int = CHUNK) -> tuple[bytes, bytes]:
    out = io.BytesIO()
    result = file_crypto.encrypt_stream(io.BytesIO(data), out, master, chunk_size=chunk_size)
    assert result.plaintext_size == len(data) and result.stored_size == len(out.getvalue())
    return out.getvalue(), result.wrapped_key


def _decrypt(stored: bytes, wrapped: bytes, master: bytes = MASTER) -> bytes:
    return b"".join(file_crypto.decrypt_chunks(io.BytesIO(stored), master, wrapped))


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5])
def test_round_trip_at_every_chunk_boundary(size):
    data = os.urandom(size)
    stored, wrapped = _encrypt(data)
    assert _decrypt(stored, wrapped) == data
    assert file_crypto.verify(io.BytesIO(stored), MASTER, wrapped) == size


def test_the_stored_bytes_are_not_the_plaintext():
    data = b"<CTfile><Pupil><Surname>Smith</Surname></Pupil></CTfile>" * 20
    stored, wrapped = _encrypt(data)
    assert b"Smith" not in stored and b"CTfile" not in stored
    assert data[:32] not in stored and data[:32] not in wrapped


def test_each_file_gets_its_own_key_and_nonces():
    data = b"the same content twice" * 10
    first, first_key = _encrypt(data)
    second, second_key = _encrypt(data)
    assert first != second and first_key != second_key
    with pytest.raises(DecryptionError):  # one file's key does not open the other
        _decrypt(first, second_key)


def test_every_flipped_byte_is_refused():
    stored, wrapped = _encrypt(os.urandom(2 * CHUNK + 10))
    for position in range(len(stored)):
        damaged = bytearray(stored)
        damaged[position] ^= 0x01
        with pytest.raises(DecryptionError):
            file_crypto.verify(io.BytesIO(bytes(damaged)), MASTER, wrapped)


def _records(stored: bytes) -> tuple[bytes, list[bytes]]:
    header, rest = stored[:28], stored[28:]
    records = []
    while rest:
        length = int.from_bytes(rest[12:16], "big")
        records.append(rest[: 16 + length])
        rest = rest[16 + length :]
    return header, records


def test_truncation_reordering_and_additions_are_refused():
    stored, wrapped = _encrypt(os.urandom(3 * CHUNK + 7))
    header, records = _records(stored)
    assert len(records) == 4
    cases = {
        "last chunk dropped": header + b"".join(records[:3]),
        "cut inside a chunk": stored[:-5],
        "header only": header,
        "nothing": b"",
        "two chunks swapped": header + records[1] + records[0] + records[2] + records[3],
        "a chunk repeated": header + records[0] + records[0] + records[1] + records[2] + records[3],
        "a chunk added at the end": stored + records[1],
        "bytes added at the end": stored + b"\x00",
    }
    for name, damaged in cases.items():
        with pytest.raises(DecryptionError):
            file_crypto.verify(io.BytesIO(damaged), MASTER, wrapped)
        assert name


def test_a_chunk_from_another_file_is_refused():
    first, first_key = _encrypt(os.urandom(2 * CHUNK))
    second, _ = _encrypt(os.urandom(2 * CHUNK))
    header, records = _records(first)
    _, others = _records(second)
    with pytest.raises(DecryptionError):
        file_crypto.verify(io.BytesIO(header + records[0] + others[1]), MASTER, first_key)


def test_the_wrong_master_key_or_a_changed_wrapped_key_is_refused():
    stored, wrapped = _encrypt(b"some pupil data")
    with pytest.raises(DecryptionError):
        _decrypt(stored, wrapped, master=bytes(32))
    changed = bytearray(wrapped)
    changed[-1] ^= 0x80
    with pytest.raises(DecryptionError):
        _decrypt(stored, bytes(changed))
    assert file_crypto.key_id(MASTER) != file_crypto.key_id(bytes(32))


class _Counting(io.RawIOBase):
    """A source of ``size`` bytes that records the largest read asked of it."""

    def __init__(self, size: int):
        self.left, self.largest = size, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        assert n > 0, "the whole stream was asked for at once"
        self.largest = max(self.largest, n)
        n = min(n, self.left)
        self.left -= n
        return b"\x00" * n


class _Sink(io.RawIOBase):
    def __init__(self):
        self.written, self.largest = 0, 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.written += len(data)
        self.largest = max(self.largest, len(data))
        return len(data)


def test_encryption_streams_one_chunk_at_a_time():
    """A 20 MB stream is read and written in pieces of at most one chunk (plus its tag): never held whole."""
    source, sink = _Counting(20 * 1024 * 1024), _Sink()
    result = file_crypto.encrypt_stream(source, sink, MASTER)
    assert result.plaintext_size == 20 * 1024 * 1024
    assert source.largest <= file_crypto.DEFAULT_CHUNK
    assert sink.largest <= file_crypto.DEFAULT_CHUNK + file_crypto.TAG_BYTES


def test_a_chunk_size_out_of_range_is_refused():
    with pytest.raises(ValueError):
        file_crypto.encrypt_stream(io.BytesIO(b"x"), io.BytesIO(), MASTER, chunk_size=0)


@pytest.mark.parametrize("pieces", [[], [b""], [b"a" * CHUNK], [b"a" * 10, b"b" * (2 * CHUNK - 10)],
                                    [b"x"] * (CHUNK + 1), [os.urandom(5 * CHUNK + 3)]])
def test_pushed_writes_of_any_size_read_back_the_same(pieces):
    out = io.BytesIO()
    encryptor = file_crypto.Encryptor(out, MASTER, chunk_size=CHUNK)
    for piece in pieces:
        encryptor.write(piece)
    result = encryptor.finish()
    assert _decrypt(out.getvalue(), result.wrapped_key) == b"".join(pieces)
    with pytest.raises(ValueError):
        encryptor.write(b"late")
