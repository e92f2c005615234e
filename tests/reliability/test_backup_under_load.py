"""Backup under load (issue 15, item 6): `flask --app app backup` while 50 writers sign in, write notes, upload
and record statuses against a real server (tests/reliability/writers.py), then `flask --app app restore` into an
empty instance.

The restored database passes ``integrity_check`` and ``foreign_key_check``; it is the backup's database (whose
SHA-256 the manifest gives) row for row in every table, plus the one ``backup_restored`` audit row restore
adds; the restored files are the manifest's, hash for hash; every write acknowledged before the backup began is
in it. (The manifest carries no row counts, so the counts are compared with the backed-up database it vouches
for.) The writers get no errors meanwhile and nothing says "database is locked". Finally the restored instance
is served, and its start-up sweep leaves no temporary or orphaned file.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from models.db import connection
from tests.reliability.real_server import ServerProcess, integrity, left_behind, sha256_of
from tests.reliability.writers import Crowd, make_note_versions, seed

WRITES_BEFORE_BACKUP = 300
MAX_WRITING_SECONDS = 120.0


def query(path: Path, sql: str, values: list | tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, values).fetchall()
    finally:
        conn.close()


def table_counts(path: Path) -> dict[str, int]:
    tables = query(path, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return {name: query(path, f'SELECT count(*) FROM "{name}"')[0][0] for (name,) in tables}


def marks(values: list) -> str:
    return ",".join("?" * len(values))


def assert_acknowledged_writes_restored(db_path: Path, files_dir: Path, acknowledged: list) -> None:
    """Every status change, upload (with its file) and sign-in acknowledged before the backup began is restored."""
    statuses = [what for kind, what in acknowledged if kind == "status"]
    found = {n for (n,) in query(db_path, f"SELECT note FROM deadline_status_events WHERE note IN ({marks(statuses)})",
                                 statuses)}  # fmt: skip
    assert found == set(statuses), f"{len(set(statuses) - found)} acknowledged status changes are not in the backup"
    versions = [what for kind, what in acknowledged if kind == "upload" and what is not None]
    stored = dict(query(db_path, "SELECT v.id, u.stored_path FROM return_versions v JOIN uploads u ON"
                                 f" u.id = v.upload_id WHERE v.id IN ({marks(versions)})", versions))  # fmt: skip
    assert set(stored) == set(versions), "acknowledged uploads are not in the backup"
    for path in stored.values():
        assert sha256_of(files_dir / path) == path.removeprefix("uploads/").replace("/", ""), f"{path} changed"
    sign_ins = sum(1 for kind, _ in acknowledged if kind == "sign-in")
    logged = query(db_path, "SELECT count(*) FROM audit_log WHERE action = 'sign_in'")[0][0]
    assert logged >= sign_ins, f"{sign_ins} sign-ins were acknowledged before the backup, {logged} are in it"


def test_backup_while_fifty_writers_run_restores_clean_and_complete(
    app_config, db, la, make_user, real_server, tmp_path, record_property
):
    population = seed(db, la, make_user)
    server = real_server()
    server.start()
    make_note_versions(server.url, db, population)
    crowd = Crowd(server.url, app_config["DATABASE"], population)
    crowd.start()
    crowd.go(MAX_WRITING_SECONDS)
    assert crowd.tally.wait_for_writes(WRITES_BEFORE_BACKUP, MAX_WRITING_SECONDS), "the writers did not get going"
    dest = tmp_path / "backup"
    began = time.monotonic()
    acknowledged = crowd.tally.acknowledged_before(began)
    made = server.flask("backup", str(dest))
    backup_seconds = time.monotonic() - began
    writes_during = len(crowd.tally.acknowledged_before(time.monotonic())) - len(acknowledged)
    crowd.finish(now=True)
    server.stop()
    assert made.returncode == 0, made.stderr + made.stdout
    assert crowd.tally.errors == [], "\n".join(crowd.tally.errors[:20])
    assert "database is locked" not in (server.log_text() + made.stderr + made.stdout).lower()

    target = tmp_path / "restored"
    settings = {"INSTANCE_PATH": str(target / "instance"), "DATABASE": str(target / "gatehouse.db"),
                "FILES_DIR": str(target / "files")}  # fmt: skip
    began = time.monotonic()
    restored = server.flask("restore", str(dest), **settings)
    restore_seconds = time.monotonic() - began
    assert restored.returncode == 0, restored.stderr + restored.stdout

    manifest = json.loads((dest / "manifest.json").read_text())
    backup_db = dest / manifest["database"]["path"]
    restored_db, restored_files = target / "gatehouse.db", target / "files"
    assert integrity(restored_db) == ("ok", [])
    assert sha256_of(backup_db) == manifest["database"]["sha256"]
    backed_up = table_counts(backup_db)
    last_audit_id = query(backup_db, "SELECT max(id) FROM audit_log")[0][0]
    added = [a for (a,) in query(restored_db, "SELECT action FROM audit_log WHERE id > ?", (last_audit_id,))]
    assert added == ["backup_restored"]
    assert table_counts(restored_db) == {**backed_up, "audit_log": backed_up["audit_log"] + 1}
    on_disk = {p.relative_to(target).as_posix(): sha256_of(p) for p in restored_files.rglob("*") if p.is_file()}
    assert on_disk == {e["path"]: e["sha256"] for e in manifest["files"]} and len(on_disk) == manifest["file_count"]
    assert_acknowledged_writes_restored(restored_db, restored_files, acknowledged)

    served = ServerProcess({**app_config, **settings})
    try:
        served.start()
        with connection(restored_db) as restored_conn:
            leftovers = left_behind(restored_conn, restored_files)
    finally:
        served.kill()
    assert leftovers == dict.fromkeys(leftovers, 0)

    record_property("writes acknowledged before the backup / while it ran", f"{len(acknowledged)} / {writes_during}")
    record_property("backup seconds (flask --app app backup, under load)", f"{backup_seconds:.2f}")
    record_property("restore seconds (flask --app app restore)", f"{restore_seconds:.2f}")
    record_property("database in the backup", f"{manifest['database']['size'] / 1e6:.1f} MB, {len(backed_up)} tables, "
                    f"{sum(backed_up.values())} rows, every count matching after restore")  # fmt: skip
    in_flight = sum(1 for e in manifest["files"] if e["path"].startswith("files/tmp/"))
    record_property("files in the backup", f"{manifest['file_count']} ({in_flight} of them temporary uploads in"
                    " flight, removed by the restored server's start-up sweep)")  # fmt: skip
