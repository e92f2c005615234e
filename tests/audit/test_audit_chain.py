"""The keyed hash chain: triggers refuse changes, and `audit verify` finds every kind of tampering,
including rows rewritten by someone who can write the database but does not hold the audit key."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from domain.security import audit_chain
from models import audit
from models.db import one


@pytest.fixture
def five_rows(db):
    """Five audit rows with ids 1..5 (the log starts empty in a fresh test database)."""
    assert audit.count(db) == 0
    made = [audit.record(db, "test_event", target=f"thing {n}", detail={"n": n}) for n in range(1, 6)]
    assert [r["id"] for r in made] == [1, 2, 3, 4, 5]
    return made


@pytest.fixture
def key_file(app) -> Path:
    return Path(app.instance_path) / "audit_key"


def _rechain(tamper, db, key: bytes | None, first_id: int, **changes) -> None:
    """Change row ``first_id`` and recompute the hash of it and every row after it, as an attacker
    with the database file would: plain SHA-256 when ``key`` is None, else HMAC under ``key``."""
    statements = []
    prev = one(db, "SELECT hash FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT 1", (first_id,))
    prev = prev["hash"] if prev else audit.GENESIS
    for row in audit.iter_matching(db, audit.Filters()):
        if row["id"] < first_id:
            continue
        if row["id"] == first_id:
            row.update(changes)
        values = [row[f] for f in audit.FIELDS]
        new = audit_chain.plain_link(prev, values) if key is None else audit_chain.keyed_link(key, prev, values)
        statements.append(
            (
                "UPDATE audit_log SET target = ?, prev_hash = ?, hash = ? WHERE id = ?",
                (row["target"], prev, new, row["id"]),
            )
        )
        prev = new
    tamper(*statements)


def test_rows_are_chained_from_the_genesis_hash_with_hmac_under_the_instance_key(db, five_rows, key_file):
    key = audit_chain.parse_key(key_file.read_text())
    assert five_rows[0]["prev_hash"] == audit.GENESIS
    for before, after in zip(five_rows, five_rows[1:], strict=False):
        assert after["prev_hash"] == before["hash"]
    for row in five_rows:
        assert row["hash"] == audit_chain.keyed_link(key, row["prev_hash"], [row[f] for f in audit.FIELDS])
        assert row["hash"] != audit_chain.plain_link(row["prev_hash"], [row[f] for f in audit.FIELDS])
    assert audit.verify(db) == (5, None)


def test_the_key_is_made_on_the_first_row_private_and_outside_the_database(app, db, key_file):
    assert not key_file.exists(), "no key before anything is audited"
    audit.record(db, "first")
    assert key_file.stat().st_mode & 0o777 == 0o600
    text = key_file.read_text()
    assert len(audit_chain.parse_key(text)) == 32
    audit.record(db, "second")
    assert key_file.read_text() == text, "the key never changes"
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert text.strip().encode() not in Path(app.config["DATABASE"]).read_bytes()


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


def test_verify_an_empty_log(runner, key_file):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "Audit log intact: 0 rows" in result.stdout
    assert not key_file.exists(), "verify never makes a key"


def test_edited_row_is_named(runner, five_rows, tamper):
    tamper("UPDATE audit_log SET target = 'someone else' WHERE id = 3")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at row 3" in result.stderr
    assert "edited" in result.stderr
    assert "intact: " not in result.stdout


def test_edited_row_with_its_own_hash_recomputed_under_the_key_breaks_the_next_row(runner, five_rows, tamper, key_file):
    key = audit_chain.parse_key(key_file.read_text())
    forged = dict(five_rows[2], target="someone else")
    forged_hash = audit_chain.keyed_link(key, forged["prev_hash"], [forged[f] for f in audit.FIELDS])
    tamper(("UPDATE audit_log SET target = ?, hash = ? WHERE id = 3", (forged["target"], forged_hash)))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at row 4" in result.stderr


def test_rewritten_row_with_the_plain_hashes_recomputed_is_caught(db, runner, five_rows, tamper):
    """The attack in issue 15: drop the triggers, change a row, recompute the (plain SHA-256) chain."""
    _rechain(tamper, db, None, 3, target="someone else")
    assert audit.get(db, 3)["target"] == "someone else"
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at row 3" in result.stderr
    assert "plain SHA-256 hash after keyed rows" in result.stderr
    assert "intact: " not in result.stdout


def test_whole_log_rewritten_with_plain_hashes_is_caught(db, runner, five_rows, tamper):
    _rechain(tamper, db, None, 1, target="someone else")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at row 1" in result.stderr
    assert "none of its 5 rows carries a keyed hash" in result.stderr


def test_rewritten_row_with_the_chain_recomputed_under_a_wrong_key_is_caught(db, runner, five_rows, tamper):
    wrong_key = audit_chain.parse_key(audit_chain.new_key_text())
    _rechain(tamper, db, wrong_key, 3, target="someone else")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at row 3" in result.stderr
    assert "computed without the audit key" in result.stderr


def test_the_same_rewrite_under_the_real_key_passes_so_the_key_is_what_protects_the_log(
    db, runner, five_rows, tamper, key_file
):
    _rechain(tamper, db, audit_chain.parse_key(key_file.read_text()), 3, target="someone else")
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_a_missing_key_file_is_reported_clearly(db, runner, five_rows, key_file):
    key_file.unlink()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), "a message, not a traceback"
    assert f"the audit key {key_file} is missing" in result.stderr
    assert "from a backup" in result.stderr
    assert "Traceback" not in result.output


def test_no_row_is_written_and_no_new_key_made_when_a_keyed_log_has_lost_its_key(db, five_rows, key_file):
    key_file.unlink()
    with pytest.raises(audit.AuditKeyError, match="is missing"):
        audit.record(db, "after the key was lost")
    assert audit.count(db) == 5
    assert not key_file.exists()


def test_a_key_file_that_holds_no_key_is_reported_clearly(runner, five_rows, key_file):
    key_file.write_text("not a key\n")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "does not hold an audit key" in result.stderr
    assert "Traceback" not in result.output


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


def test_row_inserted_in_the_middle_with_a_valid_hash_breaks_the_row_after_it(
    db, runner, five_rows, tamper, key_file
):
    forged = dict.fromkeys(audit.FIELDS) | {"at": five_rows[1]["at"], "action": "sign_in", "target": "forged"}
    forged["prev_hash"] = five_rows[1]["hash"]
    key = audit_chain.parse_key(key_file.read_text())
    forged["hash"] = audit_chain.keyed_link(key, forged["prev_hash"], [forged[f] for f in audit.FIELDS])
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
    assert result.exit_code == 0, "a chain, keyed or not, cannot see a removed tail on its own"
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


def test_signing_in_fails_rather_than_going_unaudited_when_the_key_is_lost(db, client, make_user, school, key_file):
    from tests.conftest import TEST_PASSWORD

    user = make_user(school)
    audit.record(db, "user_created", target=user["email"])
    key_file.unlink()
    response = client.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD})
    assert response.status_code == 500
    assert client.get("/account").status_code in (302, 303), "not signed in"
    assert audit.count(db) == 1 and not key_file.exists()
