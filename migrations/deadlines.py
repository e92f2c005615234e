"""Deadlines schema: the return catalogue, term dates, dated instances, per-school status.

Statements run one by one with ``conn.execute`` (not ``executescript``, which commits), so
each migration and its record of being applied commit together.

Status design: explicit statuses (in progress, submitted, accepted, returned, exempt,
cleared) are events in the append-only ``deadline_status_events``; ``deadline_statuses``
holds the latest one per (instance, school), written in the same transaction, so the LA
matrix reads one row per cell. "Not open yet", "open", "overdue" and "late" are derived
from dates and the clock when the page is drawn (see ``models/deadlines.py``).
"""

from __future__ import annotations

import json

from sqlite_utils import Database, Migrations

from domain.deadline_rules import DEFAULT_CATALOGUE

migrations = Migrations("deadlines")

_DATE = "GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"
_TERM_FIELDS = (
    "autumn_start", "autumn_half_term_start", "autumn_half_term_end", "autumn_end",
    "spring_start", "spring_half_term_start", "spring_half_term_end", "spring_end",
    "summer_start", "summer_half_term_start", "summer_half_term_end", "summer_end",
)  # fmt: skip
_NOW = "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"


def _run(db: Database, statements: tuple[str, ...]) -> None:
    for statement in statements:
        db.conn.execute(statement)


@migrations(name="0001_catalogue_and_term_dates")
def catalogue_and_term_dates(db: Database) -> None:
    term_columns = ",\n".join(f"{name} TEXT NOT NULL CHECK ({name} {_DATE})" for name in _TERM_FIELDS)
    _run(
        db,
        (
            f"""
            CREATE TABLE return_catalogue (
                id INTEGER PRIMARY KEY,
                code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 2 AND 32 AND code = upper(code)),
                name TEXT NOT NULL CHECK (trim(name) <> ''),
                description TEXT NOT NULL DEFAULT '',
                source TEXT NOT NULL CHECK (source IN ('dfe', 'local')),
                return_type TEXT NOT NULL
                    CHECK (return_type IN ('file_upload', 'incidents_or_nil', 'form', 'confirmation', 'none')),
                rule TEXT NOT NULL CHECK (json_valid(rule)),
                audience TEXT NOT NULL CHECK (json_valid(audience)),
                audience_types TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(audience_types)),
                chosen_only INTEGER NOT NULL DEFAULT 0 CHECK (chosen_only IN (0, 1)),
                active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                sort_order INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL DEFAULT {_NOW},
                updated_at TEXT NOT NULL DEFAULT {_NOW}
            )
            """,
            """
            CREATE TABLE return_catalogue_schools (
                catalogue_id INTEGER NOT NULL REFERENCES return_catalogue (id) ON DELETE CASCADE,
                organisation_id INTEGER NOT NULL REFERENCES organisations (id),
                PRIMARY KEY (catalogue_id, organisation_id)
            ) WITHOUT ROWID
            """,
            "CREATE INDEX idx_return_catalogue_schools_org ON return_catalogue_schools (organisation_id)",
            f"""
            CREATE TABLE term_dates (
                academic_year INTEGER PRIMARY KEY CHECK (academic_year BETWEEN 1900 AND 2098),
                {term_columns},
                updated_at TEXT NOT NULL,
                updated_by INTEGER REFERENCES users (id)
            )
            """,
        ),
    )


@migrations(name="0002_seed_catalogue")
def seed_catalogue(db: Database) -> None:
    db.conn.executemany(
        "INSERT INTO return_catalogue (code, name, description, source, return_type, rule, audience, sort_order)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                entry.code,
                entry.name,
                entry.description,
                entry.source.value,
                entry.return_type.value,
                json.dumps(entry.rule.to_dict(), sort_keys=True),
                json.dumps(entry.audience.to_dict(), sort_keys=True),
                (position + 1) * 10,
            )
            for position, entry in enumerate(DEFAULT_CATALOGUE)
        ],
    )


@migrations(name="0003_instances_and_statuses")
def instances_and_statuses(db: Database) -> None:
    _run(
        db,
        (
            f"""
            CREATE TABLE deadline_instances (
                id INTEGER PRIMARY KEY,
                catalogue_id INTEGER NOT NULL REFERENCES return_catalogue (id),
                academic_year INTEGER NOT NULL CHECK (academic_year BETWEEN 1900 AND 2098),
                period_key TEXT NOT NULL CHECK (period_key <> ''),
                period_label TEXT NOT NULL CHECK (period_label <> ''),
                opens_on TEXT NOT NULL CHECK (opens_on {_DATE}),
                due_on TEXT NOT NULL CHECK (due_on {_DATE}),
                external_due_on TEXT CHECK (external_due_on IS NULL OR external_due_on {_DATE}),
                origin TEXT NOT NULL CHECK (origin IN ('generated', 'manual')),
                moved INTEGER NOT NULL DEFAULT 0 CHECK (moved IN (0, 1)),
                cancelled_at TEXT,
                cancelled_reason TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (catalogue_id, academic_year, period_key),
                CHECK (opens_on <= due_on),
                CHECK ((cancelled_at IS NULL) = (cancelled_reason IS NULL))
            )
            """,
            "CREATE INDEX idx_deadline_instances_due ON deadline_instances (due_on, opens_on)",
            "CREATE INDEX idx_deadline_instances_year ON deadline_instances (academic_year, due_on)",
            """
            CREATE TABLE deadline_status_events (
                id INTEGER PRIMARY KEY,
                instance_id INTEGER NOT NULL REFERENCES deadline_instances (id),
                organisation_id INTEGER NOT NULL REFERENCES organisations (id),
                status TEXT NOT NULL
                    CHECK (status IN ('in_progress', 'submitted', 'accepted', 'returned', 'exempt', 'cleared')),
                at TEXT NOT NULL,
                actor_id INTEGER REFERENCES users (id),
                source TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 100),
                note TEXT CHECK (note IS NULL OR length(note) <= 2000),
                CHECK (status <> 'exempt' OR length(trim(note)) > 0)
            )
            """,
            "CREATE INDEX idx_deadline_status_events_pair ON deadline_status_events (organisation_id, instance_id, id)",
            "CREATE INDEX idx_deadline_status_events_instance ON deadline_status_events (instance_id)",
            """
            CREATE TRIGGER deadline_status_events_no_update BEFORE UPDATE ON deadline_status_events
                BEGIN SELECT RAISE(ABORT, 'deadline_status_events is append-only'); END
            """,
            """
            CREATE TRIGGER deadline_status_events_no_delete BEFORE DELETE ON deadline_status_events
                BEGIN SELECT RAISE(ABORT, 'deadline_status_events is append-only'); END
            """,
            """
            CREATE TABLE deadline_statuses (
                instance_id INTEGER NOT NULL REFERENCES deadline_instances (id),
                organisation_id INTEGER NOT NULL REFERENCES organisations (id),
                status TEXT NOT NULL
                    CHECK (status IN ('in_progress', 'submitted', 'accepted', 'returned', 'exempt', 'cleared')),
                at TEXT NOT NULL,
                submitted_at TEXT,
                note TEXT,
                event_id INTEGER NOT NULL REFERENCES deadline_status_events (id),
                PRIMARY KEY (instance_id, organisation_id)
            ) WITHOUT ROWID
            """,
            "CREATE INDEX idx_deadline_statuses_org ON deadline_statuses (organisation_id, instance_id)",
            """
            CREATE TABLE deadline_chases (
                id INTEGER PRIMARY KEY,
                instance_id INTEGER NOT NULL REFERENCES deadline_instances (id),
                organisation_id INTEGER NOT NULL REFERENCES organisations (id),
                at TEXT NOT NULL,
                actor_id INTEGER REFERENCES users (id),
                recipients INTEGER NOT NULL CHECK (recipients >= 0)
            )
            """,
            "CREATE INDEX idx_deadline_chases_pair ON deadline_chases (instance_id, organisation_id, at)",
        ),
    )


@migrations(name="0004_calendar_feeds_and_reminders")
def calendar_feeds_and_reminders(db: Database) -> None:
    _run(
        db,
        (
            """
            CREATE TABLE calendar_feeds (
                user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
                created_at TEXT NOT NULL,
                last_used_at TEXT
            )
            """,
            """
            CREATE TABLE reminder_digests (
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                on_date TEXT NOT NULL CHECK (on_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
                sent_at TEXT NOT NULL,
                items INTEGER NOT NULL CHECK (items > 0),
                outbox_id INTEGER REFERENCES outbox (id),
                PRIMARY KEY (user_id, on_date)
            ) WITHOUT ROWID
            """,
            "CREATE INDEX idx_reminder_digests_date ON reminder_digests (on_date)",
            "ALTER TABLE users ADD COLUMN deadline_digests INTEGER NOT NULL DEFAULT 1"
            " CHECK (deadline_digests IN (0, 1))",
        ),
    )


_VERSIONED_TABLES = ("deadline_instances", "deadline_statuses", "return_catalogue", "return_catalogue_schools")


@migrations(name="0005_data_version")
def data_version(db: Database) -> None:
    """A counter every change to deadlines data bumps (by trigger), so pages can cache safely.

    ``token`` is random per database, so caches never mix two databases in one process.
    """
    statements = [
        """
        CREATE TABLE deadline_data_version (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            token TEXT NOT NULL,
            version INTEGER NOT NULL
        )
        """,
        "INSERT INTO deadline_data_version (id, token, version) VALUES (1, lower(hex(randomblob(16))), 0)",
    ]
    for table in _VERSIONED_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_{event.lower()}_version AFTER {event} ON {table}"  # nosec B608 # fixed names
                " BEGIN UPDATE deadline_data_version SET version = version + 1 WHERE id = 1; END"
            )
    _run(db, tuple(statements))


@migrations(name="0006_census_database_closure")
def census_database_closure(db: Database) -> None:
    """The date the DfE closes a census's database to changes (after it, unresolved duplicates stay split for
    funding): set on a census deadline instance, shown as a countdown on the duplicates pages."""
    _run(db, (f"ALTER TABLE deadline_instances ADD COLUMN database_closes_on TEXT"
              f" CHECK (database_closes_on IS NULL OR database_closes_on {_DATE})",))


_KIND_CHECK = (
    "CHECK (kind IS NULL OR (kind = 'nil' AND status = 'submitted') OR (kind = 'not_required' AND status = 'exempt'))"
)
_NO_UPDATE_TRIGGER = """
    CREATE TRIGGER deadline_status_events_no_update BEFORE UPDATE ON deadline_status_events
        BEGIN SELECT RAISE(ABORT, 'deadline_status_events is append-only'); END
"""


@migrations(name="0007_status_kind")
def status_kind(db: Database) -> None:
    """What kind of submission or exemption a status is, recorded as a fact: ``nil`` (a NIL return: a
    submission with nothing to report) or ``not_required`` (an exemption because the school need not make the
    return), NULL otherwise. Before this, the kind was read from the note ("NIL return...", "Return not
    required..."), so a note such as "NIL return sent by post" turned an ordinary submission into a NIL one.

    Existing rows are backfilled with that old rule so every database shows what it showed. The history is
    append-only: its no-update trigger is dropped for the backfill and recreated as it was, in the same
    transaction. The current statuses take the kind of the event they hold.
    """
    _run(
        db,
        (
            f"ALTER TABLE deadline_status_events ADD COLUMN kind TEXT {_KIND_CHECK}",
            f"ALTER TABLE deadline_statuses ADD COLUMN kind TEXT {_KIND_CHECK}",
            "DROP TRIGGER deadline_status_events_no_update",
            "UPDATE deadline_status_events SET kind = 'nil'"
            " WHERE status = 'submitted' AND substr(note, 1, length('NIL return')) = 'NIL return'",
            "UPDATE deadline_status_events SET kind = 'not_required'"
            " WHERE status = 'exempt' AND substr(note, 1, length('Return not required')) = 'Return not required'",
            _NO_UPDATE_TRIGGER,
            "UPDATE deadline_statuses SET kind = (SELECT e.kind FROM deadline_status_events e WHERE e.id = event_id)"
            " WHERE event_id IN (SELECT id FROM deadline_status_events WHERE kind IS NOT NULL)",
        ),
    )
