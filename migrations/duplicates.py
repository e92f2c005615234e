"""Duplicates schema: the pupil keys of each school's latest census version, cases, their members and history.

Statements run one by one with ``conn.execute`` (not ``executescript``, which commits), so each migration
and its record of being applied commit together.

Design: **duplicate_pupils** holds, for every census deadline instance, one row per pupil of each school's
LATEST loaded version (not only submitted ones), with the normalised keys detection groups by (UPN,
FormerUPN, person: surname|forename|DOB|sex), each indexed per instance. A new version replaces its school's
rows. **duplicate_cases** are what detection found, one per instance and case key (kind and the
(school, UPN) of every member), so a case marked "not a duplicate" is remembered and never reopens;
**duplicate_case_members** keep the records as last seen (the school's version and pupil);
**duplicate_case_events** are the case's history (found, contacted, notes, resolved, reopened).
``return_pupils`` gains each pupil's entry and leaving dates (0002).
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("duplicates")

STATUSES = "('open', 'contacted', 'resolved', 'not_duplicate')"
KINDS = "('same-upn', 'same-person', 'early-years')"
EVENTS = "('found', 'changed', 'contacted', 'note', 'resolved', 'not_duplicate', 'reopened', 'resolved_by_upload')"


@migrations(name="0001_duplicates")
def duplicates_tables(db: Database) -> None:
    statements = (
        """
        CREATE TABLE duplicate_pupils (
            id INTEGER PRIMARY KEY,
            instance_id INTEGER NOT NULL REFERENCES deadline_instances (id),
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            version_id INTEGER NOT NULL REFERENCES return_versions (id),
            pupil_id INTEGER NOT NULL REFERENCES return_pupils (id),
            upn_key TEXT NOT NULL DEFAULT '',
            former_key TEXT NOT NULL DEFAULT '',
            person_key TEXT NOT NULL DEFAULT ''
        )
        """,
        "CREATE INDEX idx_duplicate_pupils_school ON duplicate_pupils (instance_id, organisation_id)",
        "CREATE INDEX idx_duplicate_pupils_pupil ON duplicate_pupils (pupil_id)",
        "CREATE INDEX idx_duplicate_pupils_upn ON duplicate_pupils (instance_id, upn_key, organisation_id)"
        " WHERE upn_key <> ''",
        "CREATE INDEX idx_duplicate_pupils_former ON duplicate_pupils (instance_id, former_key, organisation_id)"
        " WHERE former_key <> ''",
        "CREATE INDEX idx_duplicate_pupils_person ON duplicate_pupils (instance_id, person_key, organisation_id,"
        " upn_key) WHERE person_key <> ''",
        f"""
        CREATE TABLE duplicate_cases (
            id INTEGER PRIMARY KEY,
            instance_id INTEGER NOT NULL REFERENCES deadline_instances (id),
            case_key TEXT NOT NULL CHECK (case_key <> ''),
            kind TEXT NOT NULL CHECK (kind IN {KINDS}),
            rule TEXT NOT NULL CHECK (rule <> ''),
            upns TEXT NOT NULL CHECK (json_valid(upns)),
            matched TEXT NOT NULL CHECK (json_valid(matched)),
            postcode TEXT NOT NULL CHECK (postcode IN ('agrees', 'differs', 'unknown')),
            on_roll_together INTEGER CHECK (on_roll_together IS NULL OR on_roll_together IN (0, 1)),
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN {STATUSES}),
            resolution TEXT CHECK (resolution IS NULL OR length(resolution) <= 2000),
            opened_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            closed_at TEXT,
            closed_by INTEGER REFERENCES users (id),
            UNIQUE (instance_id, case_key),
            CHECK ((status IN ('resolved', 'not_duplicate')) = (closed_at IS NOT NULL)),
            CHECK (status <> 'not_duplicate' OR resolution IS NOT NULL)
        )
        """,
        "CREATE INDEX idx_duplicate_cases_status ON duplicate_cases (instance_id, status, kind)",
        """
        CREATE TABLE duplicate_case_members (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES duplicate_cases (id),
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            version_id INTEGER NOT NULL REFERENCES return_versions (id),
            pupil_id INTEGER NOT NULL REFERENCES return_pupils (id)
        )
        """,
        "CREATE INDEX idx_duplicate_case_members_case ON duplicate_case_members (case_id)",
        "CREATE INDEX idx_duplicate_case_members_school ON duplicate_case_members (organisation_id, case_id)",
        f"""
        CREATE TABLE duplicate_case_events (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES duplicate_cases (id),
            at TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN {EVENTS}),
            actor_id INTEGER REFERENCES users (id),
            organisation_id INTEGER REFERENCES organisations (id),
            text TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 4000)
        )
        """,
        "CREATE INDEX idx_duplicate_case_events_case ON duplicate_case_events (case_id, id)",
    )
    for statement in statements:
        db.conn.execute(statement)


@migrations(name="0002_pupil_entry_dates")
def pupil_entry_dates(db: Database) -> None:
    """Each stored pupil's entry date (and leaving date, where a file gives one), so a case shows whether both
    schools had the pupil on roll on census day. Only columns added to Returns' ``return_pupils``: kept here,
    with the area that reads them."""
    db.conn.execute("ALTER TABLE return_pupils ADD COLUMN entry_date TEXT")
    db.conn.execute("ALTER TABLE return_pupils ADD COLUMN leaving_date TEXT")
