"""The start-up sweep: a server killed mid-upload leaves unfinished jobs, temporary copies and stored files
no record points at; the next `serve` ends the jobs and deletes those files before it answers anyone, and
keeps every file a version was made from."""

from __future__ import annotations

import hashlib
import io

import pytest
import waitress

from background.validation_pool import storage
from background.validation_pool.sweep import sweep
from models import uploads
from models.db import rows
from tests.returns.factories import census, clean_pupils
from tests.returns.uploading import leftovers, upload


def _queued_job(db, app, school, user, content: bytes) -> dict:
    """A job as the upload request leaves it: its file in FILES_DIR/tmp, waiting for a worker."""
    temp = storage.save_temp(io.BytesIO(content), app.config["FILES_DIR"], 10_000_000)
    return uploads.create_job(db, organisation_id=school["id"], instance_id=None, kind="census",
                              original_name="upload.xml", sha256=temp.sha256, size=temp.size, temp_name=temp.name,
                              created_by=user["id"])  # fmt: skip


@pytest.fixture
def crashed(app, db, client, sign_in, school, school_user):
    """What a server killed at the worst moments leaves: one upload made into a version (kept), one job
    queued with its temporary file, one job whose file was moved into place but whose rows were never
    committed, a named spool file and a file under uploads/ that Gatehouse did not write."""
    files = app.config["FILES_DIR"]
    sign_in(school_user)
    kept = census(clean_pupils(2))
    upload(client, None, kept)
    queued = _queued_job(db, app, school, school_user, census(clean_pupils(3)))
    running = _queued_job(db, app, school, school_user, census(clean_pupils(4)))
    uploads.claim_job(db, running["id"])
    orphan, created = storage.keep(files, running["temp_name"], running["sha256"])
    assert created
    (storage.temp_dir(files) / "tmpk3x9q2").write_bytes(b"a spool a crash left named")
    foreign = storage.temp_dir(files).parent / "uploads" / "README.txt"
    foreign.write_text("not ours")
    return {"kept": storage.stored_name(hashlib.sha256(kept).hexdigest()), "orphan": orphan,
            "jobs": [queued["id"], running["id"]]}  # fmt: skip


def test_sweep_ends_interrupted_jobs_and_deletes_temporary_and_orphaned_files(app, db, crashed):
    report = sweep(app.config["DATABASE"], app.config["FILES_DIR"])

    assert (report.jobs_ended, report.temp_files_removed, report.orphans_removed) == (2, 2, 1)
    assert leftovers(db, app.config["FILES_DIR"])["files"] == sorted([crashed["kept"], "uploads/README.txt"])
    ended = rows(db, "SELECT state, message, temp_name FROM validation_jobs WHERE id IN (?, ?)", crashed["jobs"])
    assert ended == [{"state": "failed", "message": uploads.INTERRUPTED, "temp_name": None}] * 2
    assert not uploads.interrupted_jobs(db)
    with storage.open_stored(app.config["FILES_DIR"], crashed["kept"]) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == crashed["kept"].replace("uploads/", "").replace("/", "")


def test_a_second_sweep_finds_nothing(app, crashed):
    sweep(app.config["DATABASE"], app.config["FILES_DIR"])
    again = sweep(app.config["DATABASE"], app.config["FILES_DIR"])
    assert not again and (again.jobs_ended, again.temp_files_removed, again.orphans_removed) == (0, 0, 0)


def test_a_clean_instance_is_left_as_it_is(app, db):
    assert not sweep(app.config["DATABASE"], app.config["FILES_DIR"])
    assert leftovers(db, app.config["FILES_DIR"])["files"] == []


class _HeldPort:
    """Stands in for waitress's server: records what FILES_DIR held when serving would have begun."""

    def __init__(self, files_dir: str):
        self.files_dir = files_dir
        self.files_at_run: list[str] | None = None

    def print_listen(self, template: str) -> None:
        pass

    def run(self) -> None:
        self.files_at_run = storage.stored_files(self.files_dir) + [p.name for p in storage.temp_files(self.files_dir)]


def test_serve_sweeps_after_taking_its_port_and_before_serving(app, runner, crashed, monkeypatch):
    app.config["JOBS_IN_PROCESS"] = False
    held = _HeldPort(app.config["FILES_DIR"])
    monkeypatch.setattr(waitress, "create_server", lambda *args, **kwargs: held)

    result = runner.invoke(args=["serve", "--port", "5999"])

    assert result.exit_code == 0, result.output
    assert held.files_at_run == [crashed["kept"]]
    assert "Left by the last run: 2 interrupted file checks ended, 2 temporary files and 1 orphaned" in result.output


def test_serve_refuses_a_database_that_was_never_migrated(app, runner, tmp_path, monkeypatch):
    app.config.update(JOBS_IN_PROCESS=False, DATABASE=str(tmp_path / "never-migrated.db"))
    monkeypatch.setattr(waitress, "create_server", lambda *args, **kwargs: _HeldPort(app.config["FILES_DIR"]))

    result = runner.invoke(args=["serve", "--port", "5999"])

    assert result.exit_code == 1
    assert "the database is not ready" in result.output and "flask --app app migrate" in result.output
