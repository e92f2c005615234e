"""Secure access schema: caps per organisation, suspension, account requests, approver claims.

Statements run one by one with ``conn.execute`` (not ``executescript``, which commits), so
each migration and its record of being applied commit together.

Invitations reuse what foundation made: a user row with status ``invited`` and an
``auth_tokens`` row of purpose ``invitation`` (only its hash). An invitation that expires
or is revoked deletes its never-used user row (the audit log keeps the story).
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("accounts")

_DATE = "GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"


def _run(db: Database, statements: tuple[str, ...]) -> None:
    for statement in statements:
        db.conn.execute(statement)


@migrations(name="0001_access")
def access(db: Database) -> None:
    _run(
        db,
        (
            # NULL: the setting's default for a school (APPROVER_CAP, END_USER_CAP), no cap for the LA.
            "ALTER TABLE organisations ADD COLUMN approver_cap INTEGER"
            " CHECK (approver_cap IS NULL OR approver_cap BETWEEN 1 AND 1000)",
            "ALTER TABLE organisations ADD COLUMN end_user_cap INTEGER"
            " CHECK (end_user_cap IS NULL OR end_user_cap BETWEEN 0 AND 100000)",
            "ALTER TABLE users ADD COLUMN suspended_at TEXT",
            "ALTER TABLE users ADD COLUMN suspended_reason TEXT CHECK (suspended_reason IS NULL"
            " OR length(suspended_reason) <= 1000)",
            "ALTER TABLE users ADD COLUMN removed_at TEXT",
            "ALTER TABLE users ADD COLUMN invited_at TEXT",
            "ALTER TABLE users ADD COLUMN invited_by INTEGER REFERENCES users (id) ON DELETE SET NULL",
            "CREATE INDEX idx_users_org_role ON users (organisation_id, role, status)",
            "CREATE INDEX idx_users_invited_by ON users (invited_by)",
            f"""
            CREATE TABLE account_requests (
                id INTEGER PRIMARY KEY,
                organisation_id INTEGER NOT NULL REFERENCES organisations (id),
                name TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 200),
                email TEXT NOT NULL COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
                reason TEXT NOT NULL CHECK (length(reason) <= 2000),
                services TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(services)),
                status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'approved', 'rejected', 'closed')),
                routed_to_la INTEGER NOT NULL DEFAULT 0 CHECK (routed_to_la IN (0, 1)),
                created_at TEXT NOT NULL,
                remind_on TEXT NOT NULL CHECK (remind_on {_DATE}),
                due_on TEXT NOT NULL CHECK (due_on {_DATE}),
                close_on TEXT NOT NULL CHECK (close_on {_DATE}),
                reminded_at TEXT,
                escalated_at TEXT,
                decided_at TEXT,
                decided_by INTEGER REFERENCES users (id),
                decision_reason TEXT CHECK (decision_reason IS NULL OR length(decision_reason) <= 2000),
                user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
                ip TEXT,
                CHECK ((status = 'open') = (decided_at IS NULL)),
                CHECK (status <> 'rejected' OR length(trim(decision_reason)) > 0),
                CHECK (remind_on <= due_on AND due_on < close_on)
            )
            """,
            "CREATE INDEX idx_account_requests_org ON account_requests (organisation_id, status, created_at)",
            "CREATE INDEX idx_account_requests_open ON account_requests (status, due_on)",
            "CREATE INDEX idx_account_requests_email ON account_requests (email, status)",
            "CREATE INDEX idx_account_requests_ip ON account_requests (ip, created_at)",
            """
            CREATE TABLE approver_claims (
                id INTEGER PRIMARY KEY,
                organisation_id INTEGER NOT NULL REFERENCES organisations (id),
                code_hash TEXT NOT NULL UNIQUE CHECK (length(code_hash) = 64),
                created_by INTEGER NOT NULL REFERENCES users (id),
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                revoked_at TEXT,
                revoked_by INTEGER REFERENCES users (id),
                redeemed_at TEXT,
                redeemed_by INTEGER REFERENCES users (id),
                CHECK (revoked_at IS NULL OR redeemed_at IS NULL),
                CHECK ((redeemed_at IS NULL) = (redeemed_by IS NULL)),
                CHECK (created_at < expires_at)
            )
            """,
            "CREATE INDEX idx_approver_claims_org ON approver_claims (organisation_id, created_at)",
            """
            CREATE TABLE access_attempts (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('account_request', 'claim_code', 'invitation')),
                ip TEXT NOT NULL,
                at TEXT NOT NULL
            )
            """,
            "CREATE INDEX idx_access_attempts_ip ON access_attempts (kind, ip, at)",
            "CREATE INDEX idx_access_attempts_at ON access_attempts (at)",
            """
            CREATE TABLE review_prompts (
                organisation_id INTEGER NOT NULL REFERENCES organisations (id),
                term_key TEXT NOT NULL CHECK (term_key GLOB '[0-9][0-9][0-9][0-9]-*'),
                sent_at TEXT NOT NULL,
                recipients INTEGER NOT NULL CHECK (recipients >= 0),
                unused INTEGER NOT NULL CHECK (unused >= 0),
                PRIMARY KEY (organisation_id, term_key)
            ) WITHOUT ROWID
            """,
            # "Your account activity" finds the events whose target is a person's email address.
            "CREATE INDEX idx_audit_log_target ON audit_log (target, id)",
        ),
    )


_VERSIONED = (
    ("users", ("INSERT", "DELETE", "UPDATE OF role, status, organisation_id")),
    ("account_requests", ("INSERT", "DELETE", "UPDATE")),
    ("organisations", ("INSERT", "DELETE", "UPDATE OF kind, name, status, la_code, dfe_number, urn")),
)


@migrations(name="0002_access_data_version")
def access_data_version(db: Database) -> None:
    """A counter that every change to who has access bumps (by trigger), so the oversight page can cache.

    Sign-ins and other updates of users that do not change a role, status or organisation
    leave it alone. ``token`` is random per database, so caches never mix two databases.
    """
    statements = [
        """
        CREATE TABLE access_data_version (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            token TEXT NOT NULL,
            version INTEGER NOT NULL
        )
        """,
        "INSERT INTO access_data_version (id, token, version) VALUES (1, lower(hex(randomblob(16))), 0)",
    ]
    for table, events in _VERSIONED:
        for event in events:
            name = f"{table}_{event.split()[0].lower()}_access_version"
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table}"  # nosec B608 # names fixed in this module
                " BEGIN UPDATE access_data_version SET version = version + 1 WHERE id = 1; END"
            )
    _run(db, tuple(statements))


@migrations(name="0003_one_throttle_table")
def one_throttle_table(db: Database) -> None:
    """One table counts every throttled attempt (sign-in failures, reset requests, access attempts)."""
    statements = (
        """
        CREATE TABLE throttle_events (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('signin_failure', 'password_reset', 'account_request',
                                               'claim_code', 'invitation')),
            ip TEXT NOT NULL,
            key TEXT,
            at TEXT NOT NULL
        )
        """,
        "CREATE INDEX idx_throttle_events_ip ON throttle_events (kind, ip, at)",
        "CREATE INDEX idx_throttle_events_key ON throttle_events (kind, key, at) WHERE key IS NOT NULL",
        "CREATE INDEX idx_throttle_events_at ON throttle_events (at)",
        "INSERT INTO throttle_events (kind, ip, at) SELECT 'signin_failure', ip, at FROM signin_failures",
        "INSERT INTO throttle_events (kind, ip, key, at)"
        " SELECT 'password_reset', ip, email_hash, at FROM reset_requests",
        "INSERT INTO throttle_events (kind, ip, at) SELECT kind, ip, at FROM access_attempts",
        "DROP TABLE signin_failures",
        "DROP TABLE reset_requests",
        "DROP TABLE access_attempts",
    )
    _run(db, statements)
