"""`flask --app app backup DEST` and `restore SRC`: consistent copies under load, careful restores."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
import zipfile
from pathlib import Path

import pytest

from domain.security import audit_chain
from models import audit, organisations, users
from models.db import connect, transaction
from tests.backup.inspection import checks, readonly, sha256, table_counts, tree


def _store_file(files_dir: Path, rel: str, data: bytes) -> None:
    """Write a stored file the way a careful writer does: a dot-named temp file, then rename."""
    target = files_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.parent / f".{target.name}.tmp"
    temp.write_bytes(data)
    os.replace(temp, target)


@pytest.fixture
def populated(app, db, la, school, other_school, make_user):
    """A live instance with organisations, users, a few thousand audit rows and stored files."""
    make_user(school, role="approver")
    make_user(la, role="approver", is_site_admin=True)
    with transaction(db):
        for n in range(3000):
            audit.record(db, "seed_event", organisation_id=school["id"], target=f"seed {n}", detail={"n": n})
    files_dir = Path(app.config["FILES_DIR"])
    for n in range(12):
        _store_file(files_dir, f"{n % 3:02d}/upload-{n}.xml", os.urandom(1000 * (n + 1)))
    _store_file(files_dir, "big/census.xml", os.urandom(3 * 1024 * 1024))
    return files_dir


class Writer(threading.Thread):
    """Keeps adding a school, a user and an audit row (one transaction) plus a stored file.

    ``wait_for_written(n)`` blocks until ``n`` rounds are done (or the writer failed or stopped).
    """

    def __init__(self, db_path: str, files_dir: Path):
        super().__init__(daemon=True)
        self.db_path, self.files_dir = db_path, files_dir
        self.stop = threading.Event()
        self.written = 0
        self.error: BaseException | None = None
        self._progress = threading.Condition()
        self._ended = False

    def run(self) -> None:
        db = connect(self.db_path)
        try:
            while not self.stop.is_set():
                n = self.written
                with transaction(db):
                    school = organisations.create_school(db, la_code="873", estab=f"{5000 + n}", name=f"Writer {n}")
                    users.create(db, email=f"writer{n}@example.sch.uk", name="W", organisation_id=school["id"])
                    audit.record(db, "writer_event", organisation_id=school["id"], target=f"writer {n}")
                _store_file(self.files_dir, f"writer/{n}.bin", os.urandom(2000))
                with self._progress:
                    self.written += 1
                    self._progress.notify_all()
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            db.conn.close()
            with self._progress:
                self._ended = True
                self._progress.notify_all()

    def wait_for_written(self, count: int, timeout: float = 60) -> bool:
        """True once ``count`` rounds are written; False if the writer ended first (or after ``timeout``)."""
        with self._progress:
            self._progress.wait_for(lambda: self.written >= count or self._ended, timeout)
            return self.written >= count


def _writer_rows(path: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return (
            conn.execute("SELECT count(*) FROM organisations WHERE name LIKE 'Writer %'").fetchone()[0],
            conn.execute("SELECT count(*) FROM users WHERE email LIKE 'writer%'").fetchone()[0],
            conn.execute("SELECT count(*) FROM audit_log WHERE action = 'writer_event'").fetchone()[0],
        )
    finally:
        conn.close()


def test_backup_under_a_concurrent_writer_then_restore_into_a_fresh_instance(
    app, db, runner, populated, fresh_instance, tmp_path
):
    dest = tmp_path / "backups" / "nightly"
    dest.parent.mkdir()
    backup_db = dest / "gatehouse.db"
    writer = Writer(app.config["DATABASE"], populated)
    writer.start()
    try:
        assert writer.wait_for_written(5), writer.error  # busy before the backup starts
        result = runner.invoke(args=["backup", str(dest)])
        assert result.exit_code == 0, result.output
        schools, people, events = _writer_rows(backup_db)
        assert writer.wait_for_written(schools + 1), writer.error  # and still writing after the snapshot
    finally:
        writer.stop.set()
        writer.join(10)
    assert not writer.is_alive()
    assert writer.error is None, writer.error
    assert "integrity_check ok" in result.stdout

    # The copy is one consistent snapshot taken while the writer was busy.
    assert checks(backup_db) == (["ok"], [])
    assert schools == people == events, "the copy holds half a transaction"
    assert 0 < schools < writer.written, f"backup did not overlap the writer ({schools} of {writer.written})"
    live_key = Path(app.config["INSTANCE_PATH"]) / "audit_key"
    assert (dest / "audit_key").read_bytes() == live_key.read_bytes()
    assert (dest / "audit_key").stat().st_mode & 0o777 == 0o600
    backup_conn = readonly(backup_db)
    assert audit.verify_chain(backup_conn, key=audit_chain.parse_key((dest / "audit_key").read_text())).intact
    backup_conn.conn.close()
    assert sorted(os.listdir(dest)) == ["audit_key", "files", "gatehouse.db", "manifest.json"]

    # The manifest describes exactly what was written.
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["database"]["sha256"] == sha256(backup_db)
    assert manifest["migrations"] and all(":" in m for m in manifest["migrations"])
    assert manifest["created_at"].endswith("Z")
    assert manifest["version"] == 3
    assert manifest["transfers_key"] is None  # no transfer stored yet, so no key was made
    assert manifest["audit_key"] == {"path": "audit_key", "size": 65, "sha256": sha256(live_key)}
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert listed == {f"files/{k}": v for k, v in tree(dest / "files").items()}
    assert manifest["file_count"] == len(listed) >= 13
    assert not any("/." in p or p.endswith(".tmp") for p in listed)
    live_files = tree(populated)
    assert all(live_files[p[len("files/") :]] == h for p, h in listed.items())

    # The live log records the backup.
    [noted] = audit.search(db, audit.Filters(action="backup_created"))["rows"]
    assert noted["target"] == str(dest) and manifest["database"]["sha256"] in noted["detail"]
    assert audit.verify(db)[1] is None
    assert not list(dest.parent.glob(".*")), "staging left behind"

    # Restore into a fresh instance.
    fresh_runner = fresh_instance.test_cli_runner()
    result = fresh_runner.invoke(args=["restore", str(dest)])
    assert result.exit_code == 0, result.output
    restored_db = Path(fresh_instance.config["DATABASE"])
    assert checks(restored_db) == (["ok"], [])
    before, after = table_counts(backup_db), table_counts(restored_db)
    assert after.pop("audit_log") == before.pop("audit_log") + 1
    assert after == before
    assert tree(Path(fresh_instance.config["FILES_DIR"])) == tree(dest / "files")
    restored = connect(restored_db)
    last = audit.get(restored, audit.count(restored))
    assert last["action"] == "backup_restored" and last["target"] == str(dest)
    restored.conn.close()
    # The key came back with it (private), so the restored log still verifies.
    restored_key = Path(fresh_instance.instance_path) / "audit_key"
    assert restored_key.read_bytes() == live_key.read_bytes()
    assert restored_key.stat().st_mode & 0o777 == 0o600
    result = fresh_runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "Audit log intact" in result.stdout
    assert not list(restored_db.parent.glob(".*restore*")), "temporary restore files left behind"


def test_zip_backup_and_restore(app, runner, populated, fresh_instance, tmp_path):
    dest = tmp_path / "gatehouse-backup.zip"
    result = runner.invoke(args=["backup", "--zip", str(dest)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(dest) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert {"gatehouse.db", "audit_key", "manifest.json"} <= names
    assert {f["path"] for f in manifest["files"]} == names - {"gatehouse.db", "audit_key", "manifest.json"}
    assert not list(tmp_path.glob(".*")), "staging left behind"

    result = fresh_instance.test_cli_runner().invoke(args=["restore", str(dest)])
    assert result.exit_code == 0, result.output
    assert tree(Path(fresh_instance.config["FILES_DIR"])) == tree(populated)
    assert checks(Path(fresh_instance.config["DATABASE"])) == (["ok"], [])
    assert fresh_instance.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_restore_into_an_empty_migrated_database_is_allowed(runner, populated, fresh_instance, tmp_path):
    from migrations import apply_all

    empty = connect(fresh_instance.config["DATABASE"])
    apply_all(empty)
    empty.conn.close()
    runner.invoke(args=["backup", str(tmp_path / "b")])
    result = fresh_instance.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert table_counts(Path(fresh_instance.config["DATABASE"]))["organisations"] == 3


# --- Refusals --------------------------------------------------------------------------------


def test_backup_refuses_a_non_empty_directory(runner, populated, tmp_path):
    dest = tmp_path / "used"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    result = runner.invoke(args=["backup", str(dest)])
    assert result.exit_code == 1
    assert "not an empty directory" in result.stderr
    assert os.listdir(dest) == ["keep.txt"]


def test_backup_into_an_existing_empty_directory(runner, populated, tmp_path):
    dest = tmp_path / "empty"
    dest.mkdir()
    assert runner.invoke(args=["backup", str(dest)]).exit_code == 0
    assert (dest / "manifest.json").is_file()


def test_zip_backup_refuses_an_existing_file(runner, populated, tmp_path):
    dest = tmp_path / "b.zip"
    dest.write_bytes(b"old")
    result = runner.invoke(args=["backup", "--zip", str(dest)])
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert dest.read_bytes() == b"old"


def test_backup_fails_loudly_when_the_copy_fails_its_checks(app, runner, populated, tmp_path):
    conn = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("INSERT INTO users (email, name, organisation_id) VALUES ('orphan@x.y', 'O', 999)")
    conn.close()
    result = runner.invoke(args=["backup", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert "foreign_key_check found 1 broken references" in result.stderr
    assert sorted(os.listdir(tmp_path)) == sorted(p for p in os.listdir(tmp_path) if not p.startswith("."))
    assert not (tmp_path / "b").exists()


def test_restore_refuses_an_instance_with_data_and_changes_nothing(app, db, runner, populated, tmp_path):
    runner.invoke(args=["backup", str(tmp_path / "b")])
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before_db, before_files = sha256(Path(app.config["DATABASE"])), tree(populated)
    result = runner.invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert "only goes into an empty instance" in result.stderr and "already has organisations" in result.stderr
    assert "Nothing was changed" in result.stderr
    assert sha256(Path(app.config["DATABASE"])) == before_db
    assert tree(populated) == before_files


def test_restore_refuses_when_the_files_folder_is_not_empty(runner, populated, fresh_instance, tmp_path):
    runner.invoke(args=["backup", str(tmp_path / "b")])
    stray = Path(fresh_instance.config["FILES_DIR"]) / "left-over.xml"
    stray.write_text("x")
    result = fresh_instance.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code == 1 and "files directory" in result.stderr
    assert not Path(fresh_instance.config["DATABASE"]).exists()
    assert tree(stray.parent) == {"left-over.xml": sha256(stray)}


def _tamper_file(backup: Path) -> str:
    victim = sorted((backup / "files").rglob("*.xml"))[0]
    data = bytearray(victim.read_bytes())
    data[10] ^= 0xFF
    victim.write_bytes(bytes(data))
    return "does not match its SHA-256"


def _tamper_db(backup: Path) -> str:
    conn = sqlite3.connect(backup / "gatehouse.db")
    conn.execute("UPDATE organisations SET name = 'Changed' WHERE id = 2")
    conn.commit()
    conn.close()
    return "gatehouse.db does not match its SHA-256"


def _extra_file(backup: Path) -> str:
    (backup / "files" / "smuggled.xml").write_text("<x/>")
    return "does not list"


def _missing_file(backup: Path) -> str:
    sorted((backup / "files").rglob("*.xml"))[0].unlink()
    return "are missing"


def _escaping_path(backup: Path) -> str:
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["files"][0]["path"] = "files/../../evil.xml"
    (backup / "manifest.json").write_text(json.dumps(manifest))
    return "outside files/"


def _newer_gatehouse(backup: Path) -> str:
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["migrations"].append("future:0001_hoverboards")
    (backup / "manifest.json").write_text(json.dumps(manifest))
    return "newer Gatehouse"


def _no_manifest(backup: Path) -> str:
    (backup / "manifest.json").unlink()
    return "not a complete Gatehouse backup"


def _tamper_key(backup: Path) -> str:
    (backup / "audit_key").write_text(audit_chain.new_key_text() + "\n")
    return "audit_key does not match its SHA-256"


def _missing_key(backup: Path) -> str:
    (backup / "audit_key").unlink()
    return "are missing: ['audit_key']"


@pytest.mark.parametrize(
    "tamper",
    [
        _tamper_file,
        _tamper_db,
        _extra_file,
        _missing_file,
        _escaping_path,
        _newer_gatehouse,
        _no_manifest,
        _tamper_key,
        _missing_key,
    ],
)
def test_restore_refuses_a_tampered_backup_and_changes_nothing(runner, populated, fresh_instance, tmp_path, tamper):
    backup = tmp_path / "b"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    expected = tamper(backup)
    fresh_runner = fresh_instance.test_cli_runner()
    result = fresh_runner.invoke(args=["restore", str(backup)])
    assert result.exit_code == 1, result.output
    assert expected in result.stderr
    folder = Path(fresh_instance.config["DATABASE"]).parent
    assert not Path(fresh_instance.config["DATABASE"]).exists()
    assert sorted(os.listdir(folder)) == ["files"] and os.listdir(folder / "files") == []
    if tamper is not _newer_gatehouse:
        check = fresh_runner.invoke(args=["restore", "--check", str(backup)])
        assert check.exit_code == 1 and expected in check.stderr


def test_restore_check_only_verifies(runner, populated, fresh_instance, tmp_path):
    runner.invoke(args=["backup", str(tmp_path / "b")])
    result = fresh_instance.test_cli_runner().invoke(args=["restore", "--check", str(tmp_path / "b")])
    assert result.exit_code == 0 and "match the manifest" in result.stdout
    assert not Path(fresh_instance.config["DATABASE"]).exists()


def test_restore_refuses_something_that_is_not_a_backup(fresh_instance, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    result = fresh_instance.test_cli_runner().invoke(args=["restore", str(junk)])
    assert result.exit_code == 1 and "neither a backup directory nor a .zip" in result.stderr
    shutil.rmtree(tmp_path / "fresh-instance" / "files")


def test_restore_refuses_an_instance_holding_another_audit_key(runner, populated, fresh_instance, tmp_path):
    runner.invoke(args=["backup", str(tmp_path / "b")])
    other_key = Path(fresh_instance.instance_path) / "audit_key"
    other_key.write_text(audit_chain.new_key_text() + "\n")
    before = other_key.read_bytes()
    result = fresh_instance.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert "already has an audit key" in result.stderr and "Nothing was changed" in result.stderr
    assert other_key.read_bytes() == before
    assert not Path(fresh_instance.config["DATABASE"]).exists()
    assert not list(other_key.parent.glob(".*restore*"))


def test_restore_takes_the_key_away_again_when_it_fails_after_placing_it(runner, populated, fresh_instance, tmp_path):
    runner.invoke(args=["backup", str(tmp_path / "b")])
    key_file = Path(fresh_instance.instance_path) / "audit_key"
    # A directory where the database's WAL file would be: putting the database in place fails.
    blocker = Path(f"{fresh_instance.config['DATABASE']}-wal")
    blocker.mkdir(parents=True)
    (blocker / "x").write_text("x")
    result = fresh_instance.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert isinstance(result.exception, IsADirectoryError), result.output
    assert not key_file.exists()
    assert not Path(fresh_instance.config["DATABASE"]).exists()
    assert not list(key_file.parent.glob(".*restore*"))


def test_uploads_still_being_received_are_left_out(app, runner, populated, tmp_path):
    """A half-written upload in FILES_DIR/tmp is no part of a backup (the next start deletes it)."""
    _store_file(populated, "tmp/abc123.part", b"<CensusReturn><Hea")
    dest = tmp_path / "backup"
    result = runner.invoke(args=["backup", str(dest)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((dest / "manifest.json").read_text())
    paths = {f["path"] for f in manifest["files"]}
    assert paths and not any("/tmp/" in p or p.endswith(".part") for p in paths)
    assert not (dest / "files" / "tmp").exists()
