"""Local returns schema: the LA's own returns, their versioned definitions, schools' submissions and rows.

Statements run one by one with ``conn.execute`` so the migration and its record commit together.

Design: a **local return** belongs to one LA and one return-catalogue entry (which says who must make it
and when: its deadline instances). Its **definition** is versioned (``local_return_versions``): the LA
edits a draft (the highest version, ``published_at`` NULL) and publishes it; schools answer the latest
published version. A **submission** is one school's answers for one deadline instance, made under one
definition version (kept when the definition changes later, so what was sent stays readable as sent);
its **rows** are one per pupil (a pupil list, prefilled from the school's census) or one (a single form),
answers as JSON.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("local_returns")


@migrations(name="0001_local_returns")
def local_returns_tables(db: Database) -> None:
    statements = (
        """
        CREATE TABLE local_returns (
            id INTEGER PRIMARY KEY,
            la_code TEXT NOT NULL CHECK (length(la_code) = 3),
            catalogue_id INTEGER NOT NULL REFERENCES return_catalogue (id),
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES users (id),
            UNIQUE (la_code, catalogue_id)
        )
        """,
        """
        CREATE TABLE local_return_versions (
            id INTEGER PRIMARY KEY,
            local_return_id INTEGER NOT NULL REFERENCES local_returns (id),
            version INTEGER NOT NULL CHECK (version >= 1),
            definition TEXT NOT NULL CHECK (json_valid(definition)),
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES users (id),
            published_at TEXT,
            published_by INTEGER REFERENCES users (id),
            UNIQUE (local_return_id, version)
        )
        """,
        """
        CREATE TABLE local_return_submissions (
            id INTEGER PRIMARY KEY,
            local_return_id INTEGER NOT NULL REFERENCES local_returns (id),
            version_id INTEGER NOT NULL REFERENCES local_return_versions (id),
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            instance_id INTEGER NOT NULL REFERENCES deadline_instances (id),
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
            nothing_to_report INTEGER NOT NULL DEFAULT 0 CHECK (nothing_to_report IN (0, 1)),
            started_at TEXT NOT NULL,
            started_by INTEGER REFERENCES users (id),
            updated_at TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT 'web' CHECK (source IN ('web', 'spreadsheet', 'copy')),
            file_name TEXT CHECK (file_name IS NULL OR length(file_name) <= 255),
            submitted_at TEXT,
            submitted_by INTEGER REFERENCES users (id),
            UNIQUE (instance_id, organisation_id),
            CHECK (status = 'draft' OR submitted_at IS NOT NULL)
        )
        """,
        "CREATE INDEX idx_local_return_submissions_return ON local_return_submissions (local_return_id, instance_id)",
        """
        CREATE TABLE local_return_rows (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES local_return_submissions (id) ON DELETE CASCADE,
            position INTEGER NOT NULL CHECK (position >= 0),
            upn TEXT,
            surname TEXT,
            forename TEXT,
            dob TEXT,
            nc_year TEXT,
            answers TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(answers)),
            UNIQUE (submission_id, position)
        )
        """,
    )
    for statement in statements:
        db.conn.execute(statement)


@migrations(name="0002_returned_for_changes")
def returned_for_changes(db: Database) -> None:
    """The LA can hand a submitted return back to the school: when, by whom and why (the school sees the reason
    until it submits again). The submission is a draft again; these stay as the last hand-back."""
    for statement in (
        "ALTER TABLE local_return_submissions ADD COLUMN returned_at TEXT",
        "ALTER TABLE local_return_submissions ADD COLUMN returned_by INTEGER REFERENCES users (id)",
        "ALTER TABLE local_return_submissions ADD COLUMN return_reason TEXT"
        " CHECK (return_reason IS NULL OR length(return_reason) <= 2000)",
    ):
        db.conn.execute(statement)


@migrations(name="0003_changed_at")
def changed_at(db: Database) -> None:
    """When the school last changed its answers (saved, uploaded, copied): NULL for a return only opened, which
    then shows as not started. Returns made before this are taken as changed when last updated."""
    db.conn.execute("ALTER TABLE local_return_submissions ADD COLUMN changed_at TEXT")
    db.conn.execute("UPDATE local_return_submissions SET changed_at = updated_at")
