"""Retention: a week's warning for files nobody collected, then deletion of the bytes and the key, the record
kept as expired with its download log, audited, and nothing more on a second run. The clock is moved."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from domain import clock
from models import transfers
from models.db import one, scalar
from tests.conftest import audit_events, outbox
from tests.transfers.factories import sent_ctf


def _purge(runner, *args):
    result = runner.invoke(args=["transfers", "purge", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_an_uncollected_file_is_warned_about_once_then_deleted(app, db, runner, school, sender, receiver):
    transfer_id = sent_ctf(app, db, school, "8732002", user=sender)
    stored = Path(app.config["FILES_DIR"]) / one(db, "SELECT stored_name FROM transfers")["stored_name"]
    clock.advance(dt.timedelta(days=52))
    assert "0 transfers deleted, 0 warned about" in _purge(runner)  # more than a week left
    clock.advance(dt.timedelta(days=1, hours=1))
    output = _purge(runner)
    assert f"Warned about transfer {transfer_id}" in output and "2 emails sent" in output
    warnings = [m for m in outbox(db) if "will be deleted in a week" in m["subject"]]
    assert sorted(m["to_addr"] for m in warnings) == ["office@fenland.example.sch.uk", "office@ouse.example.sch.uk"]
    assert "has not been downloaded yet" in warnings[0]["body"] and "Smith" not in warnings[0]["body"]
    assert "0 warned about" in _purge(runner)  # once only
    assert stored.exists()

    clock.advance(dt.timedelta(days=7))
    output = _purge(runner)
    assert f"Deleted transfer {transfer_id}" in output and "1 transfer deleted" in output
    row = one(db, "SELECT * FROM transfers WHERE id = ?", (transfer_id,))
    assert row["expired_at"] and row["stored_name"] is None and row["wrapped_key"] is None
    assert not stored.exists()
    assert transfers.get(db, transfer_id)["status"]["key"] == "expired"
    (event,) = audit_events(db, "transfer_expired")
    assert event["target"] == f"transfer:{transfer_id}" and event["detail"]["file"] == "8732001_CTF_8732002_001.xml"
    assert "0 transfers deleted" in _purge(runner)  # idempotent
    assert len(audit_events(db, "transfer_expired")) == 1


def test_a_downloaded_file_is_not_warned_about_but_still_deleted_keeping_its_log(app, db, runner, client_request,
                                                                                 sign_in, school, receiver):
    transfer_id = sent_ctf(app, db, school, "8732002")
    sign_in(receiver)
    client_request.get_response("transfers.download", transfer_id=transfer_id)
    clock.advance(dt.timedelta(days=55))
    assert "0 warned about" in _purge(runner)
    clock.advance(dt.timedelta(days=6))
    assert "1 transfer deleted" in _purge(runner)
    assert scalar(db, "SELECT count(*) FROM transfer_downloads WHERE transfer_id = ?", (transfer_id,)) == 1
    sign_in(receiver)  # the earlier session ended weeks ago
    page = client_request.get("transfers.detail", transfer_id=transfer_id)
    assert "Expired" in page.texts("//dd")[0] and "Downloads" in page.texts("//h2")
    client_request.get_response("transfers.download", transfer_id=transfer_id, _expected_status=404)


def test_a_dry_run_changes_nothing(app, db, runner, school, receiver):
    transfer_id = sent_ctf(app, db, school, "8732002")
    clock.advance(dt.timedelta(days=61))
    output = _purge(runner, "--dry-run")
    assert f"Would delete transfer {transfer_id}" in output and "1 transfer would be deleted" in output
    assert one(db, "SELECT stored_name FROM transfers")["stored_name"] is not None
    assert audit_events(db, "transfer_expired") == [] and outbox(db) == []


def test_the_retention_job_is_listed_and_runs_on_the_job_runner(app, db, runner, school, receiver):
    sent_ctf(app, db, school, "8732002")
    assert "transfer-retention: daily from 06:00 (UK time)" in runner.invoke(args=["jobs", "list"]).output
    clock.advance(dt.timedelta(days=61))
    result = runner.invoke(args=["jobs", "run", "--job", "transfer-retention"])
    assert result.exit_code == 0 and '"deleted": 1' in result.output.replace("'", '"')
    assert scalar(db, "SELECT count(*) FROM transfers WHERE expired_at IS NOT NULL") == 1
