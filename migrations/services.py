"""Services a user may be granted (Returns, Transfers and messages, PRIDE, Deadlines, Local returns)."""

from sqlite_utils import Database, Migrations

migrations = Migrations("services")


@migrations(name="0001_user_services")
def user_services(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE user_services (
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            service TEXT NOT NULL CHECK (service IN ('returns', 'transfers', 'pride', 'deadlines')),
            granted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            PRIMARY KEY (user_id, service)
        ) WITHOUT ROWID;
        CREATE INDEX idx_user_services_service ON user_services (service, user_id);
        """
    )


_CHECK_BEFORE = "CHECK (service IN ('returns', 'transfers', 'pride', 'deadlines'))"
_CHECK_AFTER = "CHECK (service IN ('returns', 'transfers', 'pride', 'deadlines', 'local_returns'))"


@migrations(name="0002_local_returns_service")
def local_returns_service(db: Database) -> None:
    """Allow the Local returns service: SQLite cannot alter a CHECK, so the table is made again from its
    stored CREATE statement with only the check widened, every grant copied, and its index made again.
    Nothing refers to ``user_services``, so foreign keys may stay on."""
    sql = db.conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'user_services'").fetchone()[0]
    if _CHECK_AFTER in sql:
        return
    if sql.count(_CHECK_BEFORE) != 1:
        raise RuntimeError("user_services: expected one service check to widen")
    rebuilt = sql.replace(_CHECK_BEFORE, _CHECK_AFTER)
    rebuilt = rebuilt.replace("CREATE TABLE user_services", "CREATE TABLE user_services_new")
    db.conn.execute(rebuilt)  # nosemgrep: sql-format # the table's own stored CREATE statement, renamed
    db.conn.execute(
        "INSERT INTO user_services_new (user_id, service, granted_at) SELECT user_id, service, granted_at"
        " FROM user_services"
    )
    db.conn.execute("DROP TABLE user_services")
    db.conn.execute("ALTER TABLE user_services_new RENAME TO user_services")
    db.conn.execute("CREATE INDEX idx_user_services_service ON user_services (service, user_id)")
