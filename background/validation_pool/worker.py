"""Run one validation job: validate the uploaded file and store the result, or record the refusal.

Runs in a pool thread (or inline with VALIDATION_SYNC) with its OWN database connection, never
a request's. Progress (bytes read) is written at most every half second. On success the file
moves to its content-addressed place and the version, findings, pupils and the job's end are
written in one transaction; on refusal the temporary file is deleted and no version is made.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Mapping
from typing import BinaryIO

from sqlite_utils import Database

from background.validation_pool import storage
from domain.dates import uk_today
from domain.validation import FileRefused, validate
from domain.validation.kinds import kind_of_file, refuse_wrong_kind
from domain.validation.safe_xml import open_xml
from models import audit, organisations, returns, uploads, users
from models.db import connection, transaction

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5
SERVER_FAULT = ("Gatehouse could not check this file because of a problem on the server. Nothing was kept: "
                "try again later, and tell your LA data team if it happens again.")


class ProgressWriter:
    """``progress(done, total)`` for the validator: writes ``bytes_done`` at most every half second."""

    def __init__(self, db: Database, job_id: int, interval: float = PROGRESS_INTERVAL):
        self.db, self.job_id, self.interval = db, job_id, interval
        self.last = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        try:
            uploads.set_progress(self.db, self.job_id, done)
        except sqlite3.Error:  # progress is only for show: never fail a validation over it
            logger.warning("could not record progress of validation job %s", self.job_id, exc_info=True)


def max_bytes(config: Mapping) -> int:
    """The upload size limit from MAX_UPLOAD_MB, in bytes."""
    return int(config["MAX_UPLOAD_MB"]) * 1024 * 1024


def quick_check(config: Mapping, temp_name: str, kind: str | None) -> str:
    """The checks that need only the start of the file (size, archive, XML, no DOCTYPE, root element and,
    under a ``<Message>``, whether pupils or staff follow the header), run in the upload request so most bad
    files are refused at once. Returns the kind of file.

    Raises FileRefused with a one-line reason, e.g. a CTF or a workforce return uploaded for a census return.
    """
    path = storage.temp_path(config["FILES_DIR"], temp_name)
    with open_xml(path, max_bytes=max_bytes(config)) as xml:
        if kind is not None:
            refuse_wrong_kind(xml, kind)
            return kind
        return kind_of_file(xml)


def _read_spool(spool: BinaryIO) -> Iterator[dict]:
    spool.seek(0)
    for line in spool:
        yield json.loads(line)


def _validate(config: Mapping, db: Database, job: dict, spool: BinaryIO):
    """Validate the job's temporary file, writing each pupil to ``spool``. Raises FileRefused or ValueError."""
    school = organisations.get(db, job["organisation_id"])
    ages = (school["low_age"], school["high_age"])
    path = storage.temp_path(config["FILES_DIR"], job["temp_name"])

    def on_pupil(record: dict) -> None:
        spool.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")

    def previous(census_day) -> dict | None:
        """The school's previous census return before ``census_day``, for the term-on-term queries."""
        found = returns.previous_census_before(db, school["id"], census_day.isoformat())
        return {**found, "figures": found["summary"].get("figures")} if found else None

    return validate(
        path, job["kind"], filename=job["original_name"], school=school["dfe_number"], max_bytes=max_bytes(config),
        progress=ProgressWriter(db, job["id"]), on_pupil=on_pupil, today=uk_today(),
        age_range=ages if None not in ages else None, previous=previous,
    )  # fmt: skip


def _store(config: Mapping, db: Database, job: dict, report, spool: BinaryIO) -> int:
    """Keep the file and write the version; undo the file move when the database writes fail."""
    files_dir = config["FILES_DIR"]
    stored, created = storage.keep(files_dir, job["temp_name"], job["sha256"])
    try:
        with transaction(db):
            actor = users.get(db, job["created_by"]) if job["created_by"] else None
            version_id = returns.create_version(
                db, job=job, report=report, stored_path=stored, pupils=_read_spool(spool), actor=actor
            )
            uploads.finish_job(db, job["id"], "done", version_id=version_id)
    except BaseException:
        if created and not uploads.stored_file_in_use(db, stored):
            storage.remove_stored(files_dir, stored)
        raise
    return version_id


def _audit_refusal(db: Database, job: dict, reason: str) -> None:
    audit.record(
        db, "return_upload_refused", actor=users.get(db, job["created_by"]) if job["created_by"] else None,
        organisation_id=job["organisation_id"],
        target=f"instance:{job['instance_id']}" if job["instance_id"] else "test upload",
        detail={"file": job["original_name"], "reason": reason, "job": job["id"]},
    )  # fmt: skip


def _run(config: Mapping, db: Database, job: dict) -> str:
    files_dir = config["FILES_DIR"]
    with tempfile.TemporaryFile(dir=storage.temp_dir(files_dir)) as spool:
        try:
            report = _validate(config, db, job, spool)
        except (FileRefused, ValueError) as refused:
            storage.discard(files_dir, job["temp_name"])
            reason = refused.reason if isinstance(refused, FileRefused) else f"This file cannot be checked: {refused}."
            with transaction(db):
                uploads.finish_job(db, job["id"], "refused", message=reason)
                _audit_refusal(db, job, reason)
            return "refused"
        except Exception:
            logger.exception("validation job %s failed", job["id"])
            storage.discard(files_dir, job["temp_name"])
            uploads.finish_job(db, job["id"], "failed", message=SERVER_FAULT)
            return "failed"
        try:
            _store(config, db, job, report, spool)
        except Exception:
            logger.exception("storing the result of validation job %s failed", job["id"])
            storage.discard(files_dir, job["temp_name"])
            uploads.finish_job(db, job["id"], "failed", message=SERVER_FAULT)
            return "failed"
    return "done"


def run_job(config: Mapping, job_id: int) -> str:
    """Run job ``job_id`` if it is still queued; return its final state (or ``"skipped"``).

    ``config`` needs DATABASE, FILES_DIR and MAX_UPLOAD_MB. Never raises for a bad file: the
    outcome is in the job's row (``done`` with its version, ``refused`` or ``failed`` with a
    message a school office can act on).
    """
    with connection(config["DATABASE"]) as db:
        job = uploads.claim_job(db, job_id)
        if job is None:
            return "skipped"
        return _run(config, db, job)
