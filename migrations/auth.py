"""Sign-in security beyond foundation's tables: password-reset request throttling and more.

Statements run one by one with ``conn.execute`` (not ``executescript``, which commits), so
each migration and its record of being applied commit together.
"""

from sqlite_utils import Database, Migrations

migrations = Migrations("auth")


@migrations(name="0001_reset_requests")
def reset_requests(db: Database) -> None:
    statements = (
        """
        CREATE TABLE reset_requests (
            id INTEGER PRIMARY KEY,
            ip TEXT NOT NULL,
            email_hash TEXT NOT NULL CHECK (length(email_hash) = 64),
            at TEXT NOT NULL
        )
        """,
        "CREATE INDEX idx_reset_requests_ip ON reset_requests (ip, at)",
        "CREATE INDEX idx_reset_requests_email ON reset_requests (email_hash, at)",
        "CREATE INDEX idx_signin_failures_at ON signin_failures (at)",
        "CREATE INDEX idx_outbox_status ON outbox (status, created_at)",
        "ALTER TABLE users ADD COLUMN previous_sign_in_at TEXT",
    )
    for statement in statements:
        db.conn.execute(statement)

