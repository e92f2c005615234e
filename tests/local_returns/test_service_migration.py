"""The Local returns service: the migration that allows it keeps every grant, and the service works after it."""

from __future__ import annotations

import sqlite3

import pytest

from migrations import services as services_migrations
from models import audit_key, organisations, services, users
from models.db import connect, rows
from tests.conftest import migrate_until


def test_the_migration_keeps_every_grant_and_then_allows_local_returns(tmp_path):
    audit_key.use_key_file(tmp_path / "old.db", tmp_path / "audit_key")  # as create_app does for its database
    db = connect(tmp_path / "old.db")
    migrate_until(db, services_migrations.migrations, "0002_local_returns_service")
    school = organisations.create_school(db, la_code="873", estab="2001", name="Fenland Primary School", urn=110001)
    user = users.create(db, email="office@2001.example.sch.uk", name="Olive", organisation_id=school["id"],
                        role="end_user", password_hash="x")  # fmt: skip
    services.set_services(db, user["id"], {"returns", "deadlines"})
    before = rows(db, "SELECT * FROM user_services ORDER BY service")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.conn.execute("INSERT INTO user_services (user_id, service) VALUES (?, 'local_returns')", (user["id"],))
    services_migrations.migrations.apply(db)
    assert rows(db, "SELECT * FROM user_services ORDER BY service") == before
    services.set_services(db, user["id"], {"returns", "deadlines", "local_returns"})
    assert services.effective(db, user) == {"returns", "deadlines", "local_returns"}
    assert [r["name"] for r in rows(db, "PRAGMA index_list(user_services)") if r["name"].startswith("idx")] == [
        "idx_user_services_service"]
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.conn.execute("INSERT INTO user_services (user_id, service) VALUES (?, 'payroll')", (user["id"],))
    db.conn.close()
