"""The data layer under concurrency and crashes: BEGIN IMMEDIATE writers never see "database is
locked", and a process killed mid-write leaves a database that passes its integrity checks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from models.db import connect, scalar, transaction

ROOT = Path(__file__).resolve().parents[2]


def _make_counter(path: Path) -> None:
    db = connect(path)
    db.conn.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)")
    db.conn.execute(
        "CREATE TABLE entries (id INTEGER PRIMARY KEY, counter_id INTEGER NOT NULL REFERENCES counter (id))"
    )
    db.conn.execute("INSERT INTO counter VALUES (1, 0)")
    db.conn.close()


def _read(path: Path, sql: str):
    db = connect(path)
    try:
        return scalar(db, sql)
    finally:
        db.conn.close()


def _increment(db) -> None:
    """Read, then write: the pattern that deadlocks under a deferred BEGIN."""
    with transaction(db):
        n = scalar(db, "SELECT n FROM counter WHERE id = 1")
        db.conn.execute("UPDATE counter SET n = ? WHERE id = 1", (n + 1,))
        db.conn.execute("INSERT INTO entries (counter_id) VALUES (1)")


def test_threads_doing_read_then_write_never_lose_an_update(tmp_path):
    path = tmp_path / "c.db"
    _make_counter(path)
    errors: list[BaseException] = []

    def worker():
        db = connect(path)
        try:
            for _ in range(150):
                _increment(db)
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            db.conn.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert _read(path, "SELECT n FROM counter") == 600
    assert _read(path, "SELECT count(*) FROM entries") == 600


WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from models.db import connect, scalar, transaction
    db = connect(sys.argv[1])
    for _ in range(int(sys.argv[2])):
        with transaction(db):
            n = scalar(db, "SELECT n FROM counter WHERE id = 1")
            db.conn.execute("UPDATE counter SET n = ? WHERE id = 1", (n + 1,))
            db.conn.execute("INSERT INTO entries (counter_id) VALUES (1)")
    """
)


def _writer(path: Path, count: int, stderr=subprocess.PIPE) -> subprocess.Popen:
    code = WRITER.format(root=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", code, str(path), str(count)], stderr=stderr, text=True)


def test_two_processes_write_without_locking_errors(tmp_path):
    path = tmp_path / "c.db"
    _make_counter(path)
    procs = [_writer(path, 300), _writer(path, 300)]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    assert _read(path, "SELECT n FROM counter") == 600


def test_kill_9_during_writes_leaves_a_sound_database(tmp_path):
    path = tmp_path / "c.db"
    _make_counter(path)
    proc = _writer(path, 1_000_000, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while _read(path, "SELECT n FROM counter") < 50 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    db = connect(path)
    assert scalar(db, "PRAGMA integrity_check") == "ok"
    assert db.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    n = scalar(db, "SELECT n FROM counter")
    assert n >= 50
    assert scalar(db, "SELECT count(*) FROM entries") == n, "each committed transaction is whole"
    _increment(db)  # and the database is writable again
    db.conn.close()
