"""`flask --app app audit export FILE [--since DATE]`."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

from domain import clock
from models import audit


def _read(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_export_writes_every_row_oldest_first_with_formulas_neutralised(db, runner, tmp_path):
    audit.record(db, "sign_in_failed", target='=HYPERLINK("http://evil.example")', ip="127.0.0.1")
    audit.record(db, "user_created", target="+44 1234", detail={"name": "Zoë"})
    out = tmp_path / "audit.csv"
    result = runner.invoke(args=["audit", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert "Exported 2 audit rows" in result.stderr
    exported = _read(out)
    assert [r["action"] for r in exported] == ["sign_in_failed", "user_created"]
    assert exported[0]["target"] == '\'=HYPERLINK("http://evil.example")'
    assert exported[1]["target"] == "'+44 1234"
    assert exported[1]["detail"] == '{"name": "Zoë"}'
    assert exported[1]["hash"] == audit.get(db, 2)["hash"]
    assert not list(tmp_path.glob(".*partial"))
    # the export itself is audited
    assert audit.get(db, 3)["action"] == "audit_exported"
    assert audit.verify(db) == (3, None)


def test_export_since_a_date(db, runner, tmp_path):
    clock.set_now(datetime(2026, 3, 1, 23, 59, tzinfo=UTC))
    audit.record(db, "old_event")
    clock.set_now(datetime(2026, 3, 2, 0, 0, tzinfo=UTC))
    audit.record(db, "new_event")
    out = tmp_path / "since.csv"
    result = runner.invoke(args=["audit", "export", str(out), "--since", "2026-03-02"])
    assert result.exit_code == 0, result.output
    assert [r["action"] for r in _read(out)] == ["new_event"]


def test_export_to_standard_output(db, runner):
    audit.record(db, "event_one")
    result = runner.invoke(args=["audit", "export", "-"])
    assert result.exit_code == 0, repr(result.exception)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("id,at,actor_id,actor_email")
    assert ",event_one," in lines[1]


def test_export_to_a_missing_folder_fails_cleanly(db, runner, tmp_path):
    result = runner.invoke(args=["audit", "export", str(tmp_path / "no-such-dir" / "a.csv")])
    assert result.exit_code == 1
    assert "Could not write" in result.stderr


def test_bad_since_date_is_refused(runner):
    result = runner.invoke(args=["audit", "export", "-", "--since", "1/2/2026"])
    assert result.exit_code == 2
    assert "--since" in result.stderr
