"""An audit log from before the chain was keyed: `migrate` ends its plain chain with a keyed row
(migration audit:0002_keyed_chain) instead of rewriting it, and the old rows stay protected."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app import create_app
from domain.security import audit_chain
from migrations import audit as audit_migrations
from models import audit
from models.db import connect
from tests.conftest import migrate_until

PLAIN_ROWS = 5


def _insert_plain_rows(db, count: int) -> list[dict]:
    """Rows chained as Gatehouse chained them before issue 15: plain SHA-256, no key."""
    prev, made = audit.GENESIS, []
    for n in range(1, count + 1):
        row = dict.fromkeys(audit.FIELDS) | {"at": f"2026-01-0{n}T09:00:00.000000Z", "action": "sign_in"}
        row |= {"target": f"old {n}", "prev_hash": prev}
        row["hash"] = prev = audit_chain.plain_link(prev, [row[f] for f in audit.FIELDS])
        db.conn.execute(
            "INSERT INTO audit_log (at, action, target, prev_hash, hash) VALUES (:at, :action, :target, :prev_hash,"
            " :hash)",
            row,
        )
        made.append(row)
    return made


@pytest.fixture
def old_instance(app_config, tmp_path):
    """An instance whose database predates the keyed chain: every migration but audit:0002, five plain rows
    and no key file. Returns ``(app, rows)``."""
    folder = tmp_path / "old-instance"
    application = create_app(
        dict(
            app_config,
            INSTANCE_PATH=str(folder),
            DATABASE=str(folder / "gatehouse.db"),
            FILES_DIR=str(folder / "files"),
        )
    )
    db = connect(application.config["DATABASE"])
    migrate_until(db, audit_migrations.migrations, "0002_keyed_chain")
    made = _insert_plain_rows(db, PLAIN_ROWS)
    db.conn.close()
    assert not (folder / "audit_key").exists()
    return application, made


def _tamper(app, *statements) -> None:
    conn = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    try:
        conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        for sql, params in statements:
            conn.execute(sql, params)
    finally:
        conn.close()


def _migrated(old_instance):
    app, rows = old_instance
    runner = app.test_cli_runner()
    result = runner.invoke(args=["migrate"])
    assert result.exit_code == 0, result.output
    return app, rows, runner


def test_migrate_ends_the_plain_chain_with_a_keyed_row_and_keeps_old_hashes(old_instance):
    app, rows, runner = _migrated(old_instance)
    key_file = Path(app.instance_path) / "audit_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    db = connect(app.config["DATABASE"])
    try:
        marker = audit.get(db, PLAIN_ROWS + 1)
        assert [audit.get(db, n)["hash"] for n in range(1, PLAIN_ROWS + 1)] == [r["hash"] for r in rows]
    finally:
        db.conn.close()
    assert marker["action"] == "audit_chain_keyed" and marker["prev_hash"] == rows[-1]["hash"]
    assert json.loads(marker["detail"])["plain_rows"] == PLAIN_ROWS
    key = audit_chain.parse_key(key_file.read_text())
    assert marker["hash"] == audit_chain.keyed_link(key, marker["prev_hash"], [marker[f] for f in audit.FIELDS])

    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"Audit log intact: {PLAIN_ROWS + 1} rows" in result.stdout
    assert f"The first {PLAIN_ROWS} rows predate the keyed chain" in result.stdout
    old_anchor = rows[-1]["hash"]
    assert runner.invoke(args=["audit", "verify", "--anchor", old_anchor]).exit_code == 0, "old anchors still work"

    assert runner.invoke(args=["migrate"]).exit_code == 0
    db = connect(app.config["DATABASE"])
    try:
        assert audit.count(db) == PLAIN_ROWS + 1, "migrating again adds nothing"
        audit.record(db, "after the switch")
    finally:
        db.conn.close()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_a_plain_row_rewritten_before_the_switch_is_caught_at_the_keyed_row(old_instance):
    app, rows, runner = _migrated(old_instance)
    rows[1]["target"] = "someone else"
    prev, statements = rows[0]["hash"], []
    for row_id, row in enumerate(rows[1:], start=2):
        new = audit_chain.plain_link(prev, [row[f] for f in audit.FIELDS])
        sql = "UPDATE audit_log SET target = ?, prev_hash = ?, hash = ? WHERE id = ?"
        statements.append((sql, (row["target"], prev, new, row_id)))
        prev = new
    _tamper(app, *statements)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at row {PLAIN_ROWS + 1}" in result.stderr


def test_the_keyed_tail_cut_off_leaves_a_log_that_does_not_verify(old_instance):
    app, _, runner = _migrated(old_instance)
    _tamper(app, ("DELETE FROM audit_log WHERE id > ?", (PLAIN_ROWS,)))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"none of its {PLAIN_ROWS} rows carries a keyed hash" in result.stderr


def test_a_backup_from_before_the_keyed_chain_restores_and_verifies(old_instance, app_config, tmp_path):
    """A format-1 backup (no audit key in it): the restored plain log gets a new key on its first keyed row."""
    app, _ = old_instance
    backup = tmp_path / "old-backup"
    assert app.test_cli_runner().invoke(args=["backup", str(backup)]).exit_code == 0
    assert not (backup / "audit_key").exists(), "the old instance had no key when its database was copied"
    manifest = json.loads((backup / "manifest.json").read_text())
    del manifest["audit_key"]
    manifest["version"] = 1
    (backup / "manifest.json").write_text(json.dumps(manifest))

    folder = tmp_path / "new-instance"
    fresh = create_app(
        dict(app_config, INSTANCE_PATH=str(folder), DATABASE=str(folder / "gatehouse.db"), FILES_DIR=str(folder / "f"))
    )
    runner = fresh.test_cli_runner()
    result = runner.invoke(args=["restore", str(backup)])
    assert result.exit_code == 0, result.output
    assert "run `flask --app app migrate` next" in result.stdout
    assert runner.invoke(args=["migrate"]).exit_code == 0
    assert (folder / "audit_key").stat().st_mode & 0o777 == 0o600
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"The first {PLAIN_ROWS} rows predate the keyed chain" in result.stdout
