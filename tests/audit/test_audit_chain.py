"""The hash chain: triggers refuse changes, and `audit verify` finds every kind of tampering."""

from __future__ import annotations

import json
import sqlite3

import pytest

from models import audit


@pytest.fixture
def five_rows(db):
    """Five audit rows with ids 1..5 (the log starts empty in a fresh test database)."""
    assert audit.count(db) == 0
    made = [audit.record(db, "test_event", target=f"thing {n}", detail={"n": n}) for n in range(1, 6)]
    assert [r["id"] for r in made] == [1, 2, 3, 4, 5]
    return made


def test_rows_are_chained_from_the_genesis_hash(db, five_rows):
    assert five_rows[0]["prev_hash"] == audit.GENESIS
    for before, after in zip(five_rows, five_rows[1:], strict=False):
        assert after["prev_hash"] == before["hash"]
    assert audit.verify(db) == (5, None)


def test_record_joins_the_callers_transaction(db):
    from models.db import transaction

    with pytest.raises(RuntimeError), transaction(db):
        audit.record(db, "rolled_back")
        raise RuntimeError("the change failed")
    assert audit.count(db) == 0


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_log SET target = 'changed' WHERE id = 2", "DELETE FROM audit_log WHERE id = 2"],
)
def test_triggers_refuse_update_and_delete(db, five_rows, sql):
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.conn.execute(sql)
    assert audit.get(db, 2)["target"] == "thing 2"


def test_verify_reports_an_intact_log_and_exits_0(runner, five_rows):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Audit log intact: 5 rows" in result.stdout
    assert five_rows[-1]["hash"] in result.stdout


def test_verify_an_empty_log(runner):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "Audit log intact: 0 rows" in result.stdout


def test_edited_row_is_named(runner, five_rows, tamper):
    tamper("UPDATE audit_log SET target = 'someone else' WHERE id = 3")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at row 3" in result.stderr
    assert "edited" in result.stderr
    assert "intact: " not in result.stdout


def test_edited_row_with_a_recomputed_hash_breaks_the_next_row(runner, five_rows, tamper):
    forged = dict(five_rows[2], target="someone else")
    tamper(
        (
            "UPDATE audit_log SET target = ?, hash = ? WHERE id = 3",
            (forged["target"], audit._row_hash(forged["prev_hash"], forged)),
        )
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at row 4" in result.stderr


def test_deleted_row_is_noticed_at_the_next_row(runner, five_rows, tamper):
    tamper("DELETE FROM audit_log WHERE id = 3")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at row 4" in result.stderr
    assert "deleted, inserted or moved" in result.stderr


def test_reordered_rows_are_named(runner, five_rows, tamper):
    tamper(
        "UPDATE audit_log SET id = 100 WHERE id = 2",
        "UPDATE audit_log SET id = 2 WHERE id = 3",
        "UPDATE audit_log SET id = 3 WHERE id = 100",
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at row 2" in result.stderr


def test_row_inserted_in_the_middle_with_a_valid_hash_breaks_the_row_after_it(db, runner, five_rows, tamper):
    forged = dict.fromkeys(audit.FIELDS) | {"at": five_rows[1]["at"], "action": "sign_in", "target": "forged"}
    forged["prev_hash"] = five_rows[1]["hash"]
    forged["hash"] = audit._row_hash(forged["prev_hash"], forged)
    tamper(
        "UPDATE audit_log SET id = id + 100 WHERE id >= 3",
        (
            "INSERT INTO audit_log (id, at, action, target, prev_hash, hash) VALUES (3, ?, ?, ?, ?, ?)",
            (forged["at"], forged["action"], forged["target"], forged["prev_hash"], forged["hash"]),
        ),
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at row 103" in result.stderr
    assert audit.verify(db) == (4, 103)


def test_row_appended_with_a_made_up_hash_is_named(runner, five_rows, tamper):
    tamper(
        "INSERT INTO audit_log (at, action, prev_hash, hash) VALUES ('2026-01-01T00:00:00.000000Z', 'x', 'bad', 'bad')"
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at row 6" in result.stderr


def test_anchor_catches_a_removed_tail(runner, five_rows, tamper):
    anchor = five_rows[-1]["hash"]
    assert runner.invoke(args=["audit", "verify", "--anchor", anchor]).exit_code == 0
    tamper("DELETE FROM audit_log WHERE id = 5")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, "an unkeyed chain cannot see a removed tail on its own"
    result = runner.invoke(args=["audit", "verify", "--anchor", anchor])
    assert result.exit_code == 1
    assert "anchor" in result.stderr


def test_verify_checks_more_rows_than_one_batch(db):
    from models.db import transaction

    with transaction(db):
        for n in range(5003):
            audit.record(db, "bulk", detail=json.dumps({"n": n}))
    report = audit.verify_chain(db)
    assert report.intact and report.rows_checked == 5003 and report.last_id == 5003
