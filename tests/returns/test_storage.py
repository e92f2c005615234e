"""Upload storage: temporary copy hashed while written, content-addressed keeping, nothing left on failure."""

from __future__ import annotations

import hashlib
import io
import os
import time

import pytest

from background.validation_pool import storage
from background.validation_pool.pool import remove_stale_temp_files


def _files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_save_temp_hashes_and_counts_what_it_writes(tmp_path):
    data = b"<Message/>" * 1000
    temp = storage.save_temp(io.BytesIO(data), tmp_path, max_bytes=len(data))
    assert temp.sha256 == hashlib.sha256(data).hexdigest() and temp.size == len(data)
    path = storage.temp_path(tmp_path, temp.name)
    assert path.read_bytes() == data and path.parent == tmp_path / "tmp"
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_too_large_leaves_no_temporary_file(tmp_path):
    with pytest.raises(storage.TooLarge):
        storage.save_temp(io.BytesIO(b"x" * 101), tmp_path, max_bytes=100)
    assert _files(tmp_path) == []


def test_keep_names_the_file_by_its_hash_and_stores_identical_content_once(tmp_path):
    data = b"<CTfile/>"
    digest = hashlib.sha256(data).hexdigest()
    first = storage.save_temp(io.BytesIO(data), tmp_path, 1000)
    second = storage.save_temp(io.BytesIO(data), tmp_path, 1000)
    stored, created = storage.keep(tmp_path, first.name, first.sha256)
    assert (stored, created) == (f"uploads/{digest[:2]}/{digest[2:]}", True)
    assert storage.keep(tmp_path, second.name, second.sha256) == (stored, False)
    assert _files(tmp_path) == [stored]
    with storage.open_stored(tmp_path, stored) as handle:
        assert handle.read() == data


@pytest.mark.parametrize("name", ["../secret.part", "a/b.part", ".hidden.part", "x.xml", "..\\x.part"])
def test_temp_path_refuses_names_that_are_not_ours(tmp_path, name):
    with pytest.raises(ValueError):
        storage.temp_path(tmp_path, name)


def test_stored_name_needs_a_sha256(tmp_path):
    with pytest.raises(ValueError):
        storage.stored_name("../../etc/passwd")


def test_stale_temporary_files_are_swept(tmp_path):
    old = storage.save_temp(io.BytesIO(b"old"), tmp_path, 10)
    new = storage.save_temp(io.BytesIO(b"new"), tmp_path, 10)
    past = time.time() - 2 * 24 * 3600
    os.utime(storage.temp_path(tmp_path, old.name), (past, past))
    assert remove_stale_temp_files(tmp_path) == 1
    assert _files(tmp_path) == [f"tmp/{new.name}"]
