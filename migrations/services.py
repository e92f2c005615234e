"""Services a user may be granted (Returns, Transfers and messages, PRIDE, Deadlines)."""

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
