"""Transfers schema: files sent between organisations, their downloads, and the pupils of the LA's stores.

Statements run one by one with ``conn.execute`` (not ``executescript``, which commits), so
each migration and its record of being applied commit together.

Design: a **transfer** is one file sent by an organisation. ``recipient_id`` is the organisation
whose inbox or store holds it: the destination school, or the LA for the routes ``la`` (the LA's
inbox), ``lost_pupil`` (the lost pupils store), ``left_sector`` (pupils who left the maintained
sector) and ``other_la`` (held for the LA to forward to another LA through the DfE's S2S).
The bytes are encrypted at rest under a per-file data key, kept here only *wrapped* by the
master key in ``instance/transfers_key`` (never in the database); ``stored_name`` and
``wrapped_key`` go together, and both are cleared when the file is destroyed (revoked or
expired): the row stays, with its download log. ``sha256`` is the plaintext's hash for CTFs (taken
while they are checked); other files are encrypted as they arrive and have none.
**transfer_downloads** records every download; **transfer_pupils** the pupils of CTFs in the LA's
lost-pupil and leaver stores, for searching.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("transfers")

_SHA256 = "length({0}) = 64 AND {0} NOT GLOB '*[^0-9a-f]*'"
_ROUTES = "('school', 'la', 'lost_pupil', 'left_sector', 'other_la')"


@migrations(name="0001_transfers")
def transfers_tables(db: Database) -> None:
    statements = (
        f"""
        CREATE TABLE transfers (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('ctf', 'file')),
            route TEXT NOT NULL CHECK (route IN {_ROUTES}),
            sender_id INTEGER NOT NULL REFERENCES organisations (id),
            sent_by INTEGER REFERENCES users (id),
            recipient_id INTEGER NOT NULL REFERENCES organisations (id),
            destination TEXT NOT NULL DEFAULT '',
            original_name TEXT NOT NULL CHECK (length(original_name) BETWEEN 1 AND 255),
            size INTEGER NOT NULL CHECK (size >= 0),
            sha256 TEXT CHECK (sha256 IS NULL OR {_SHA256.format("sha256")}),
            stored_name TEXT CHECK (stored_name IS NULL OR stored_name GLOB 'transfers/[0-9a-f][0-9a-f]/*'),
            wrapped_key BLOB,
            key_id TEXT,
            pupils INTEGER NOT NULL DEFAULT 0 CHECK (pupils >= 0),
            queries INTEGER NOT NULL DEFAULT 0 CHECK (queries >= 0),
            sent_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            revoked_at TEXT,
            revoked_by INTEGER REFERENCES users (id),
            expired_at TEXT,
            expiry_warned_at TEXT,
            imported_at TEXT,
            imported_by INTEGER REFERENCES users (id),
            forwarded_at TEXT,
            forwarded_by INTEGER REFERENCES users (id),
            released_from INTEGER REFERENCES transfers (id),
            CHECK ((stored_name IS NULL) = (wrapped_key IS NULL)),
            CHECK (stored_name IS NOT NULL OR revoked_at IS NOT NULL OR expired_at IS NOT NULL)
        )
        """,
        "CREATE UNIQUE INDEX idx_transfers_stored_name ON transfers (stored_name) WHERE stored_name IS NOT NULL",
        "CREATE INDEX idx_transfers_recipient ON transfers (recipient_id, route, sent_at)",
        "CREATE INDEX idx_transfers_sender ON transfers (sender_id, sent_at)",
        "CREATE INDEX idx_transfers_released_from ON transfers (released_from)",
        "CREATE INDEX idx_transfers_expires ON transfers (expires_at) WHERE stored_name IS NOT NULL",
        """
        CREATE TABLE transfer_downloads (
            id INTEGER PRIMARY KEY,
            transfer_id INTEGER NOT NULL REFERENCES transfers (id),
            user_id INTEGER REFERENCES users (id),
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            at TEXT NOT NULL
        )
        """,
        "CREATE INDEX idx_transfer_downloads_transfer ON transfer_downloads (transfer_id, organisation_id)",
        """
        CREATE TABLE transfer_pupils (
            id INTEGER PRIMARY KEY,
            transfer_id INTEGER NOT NULL REFERENCES transfers (id),
            position INTEGER NOT NULL,
            upn TEXT NOT NULL DEFAULT '',
            former_upn TEXT NOT NULL DEFAULT '',
            surname TEXT NOT NULL DEFAULT '',
            forename TEXT NOT NULL DEFAULT '',
            dob TEXT NOT NULL DEFAULT '',
            surname_key TEXT NOT NULL DEFAULT ''
        )
        """,
        "CREATE INDEX idx_transfer_pupils_transfer ON transfer_pupils (transfer_id)",
        "CREATE INDEX idx_transfer_pupils_upn ON transfer_pupils (upn)",
        "CREATE INDEX idx_transfer_pupils_former_upn ON transfer_pupils (former_upn)",
        "CREATE INDEX idx_transfer_pupils_name ON transfer_pupils (surname_key, dob)",
    )
    for statement in statements:
        db.conn.execute(statement)


@migrations(name="0002_oversight_indexes")
def oversight_indexes(db: Database) -> None:
    """For the LA's oversight page: CTFs counted by month, and files still waiting in an inbox, oldest first."""
    db.conn.execute("CREATE INDEX idx_transfers_kind_sent ON transfers (kind, sent_at)")
    db.conn.execute(
        "CREATE INDEX idx_transfers_waiting ON transfers (sent_at)"
        " WHERE stored_name IS NOT NULL AND route IN ('school', 'la')"
    )
