"""Organisations schema beyond foundation's table: GIAS import runs and GIAS dates.

Statements run one by one with ``conn.execute`` (not ``executescript``, which commits), so
each migration and its record of being applied commit together.
"""

from sqlite_utils import Database, Migrations

migrations = Migrations("organisations")

_DATE = "GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"


@migrations(name="0001_gias_imports")
def gias_imports(db: Database) -> None:
    statements = (
        """
        CREATE TABLE gias_imports (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor_id INTEGER REFERENCES users (id),
            file_name TEXT NOT NULL,
            file_sha256 TEXT NOT NULL CHECK (length(file_sha256) = 64),
            encoding TEXT NOT NULL,
            la_codes TEXT NOT NULL CHECK (la_codes <> ''),
            rows_read INTEGER NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
            added INTEGER NOT NULL DEFAULT 0 CHECK (added >= 0),
            updated INTEGER NOT NULL DEFAULT 0 CHECK (updated >= 0),
            closed INTEGER NOT NULL DEFAULT 0 CHECK (closed >= 0),
            unchanged INTEGER NOT NULL DEFAULT 0 CHECK (unchanged >= 0),
            skipped INTEGER NOT NULL DEFAULT 0 CHECK (skipped >= 0),
            skip_reasons TEXT NOT NULL DEFAULT '{}'
        )
        """,
        "CREATE INDEX idx_gias_imports_at ON gias_imports (at)",
        f"ALTER TABLE organisations ADD COLUMN opened_on TEXT CHECK (opened_on IS NULL OR opened_on {_DATE})",
        f"ALTER TABLE organisations ADD COLUMN closed_on TEXT CHECK (closed_on IS NULL OR closed_on {_DATE})",
        "ALTER TABLE organisations ADD COLUMN gias_import_id INTEGER REFERENCES gias_imports (id)",
        "CREATE INDEX idx_organisations_gias_import ON organisations (gias_import_id)",
    )
    for statement in statements:
        db.conn.execute(statement)
