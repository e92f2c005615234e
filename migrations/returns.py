"""Returns schema: uploaded files, returns and their versions, findings, notes, pupils, jobs.

Statements run one by one with ``conn.execute`` (not ``executescript``, which commits), so
each migration and its record of being applied commit together.

Design: a **return** is one school's return for one deadline instance (or, with no
instance, the school's test uploads). Each upload that validates becomes a new **version**
(numbered from 1, every one kept); a refused file creates no version. A version carries its
counts, the validator's data summary and header, its **findings**, the **pupils** read (for
exports and later duplicate checks; a School Workforce Census version holds **staff** instead) and
the **notes** explaining its queries. The file itself
is stored once per content (``uploads.stored_path`` is relative to FILES_DIR and named by its
SHA-256); ``uploads`` rows record who uploaded what, under which name (data only).
**validation_jobs** track a file between upload and report, for the progress bar.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("returns")

_SHA256 = "length({0}) = 64 AND {0} NOT GLOB '*[^0-9a-f]*'"
_KIND = "IN ('census', 'ctf')"


@migrations(name="0001_returns")
def returns_tables(db: Database) -> None:
    statements = (
        f"""
        CREATE TABLE uploads (
            id INTEGER PRIMARY KEY,
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            sha256 TEXT NOT NULL CHECK ({_SHA256.format("sha256")}),
            size INTEGER NOT NULL CHECK (size > 0),
            original_name TEXT NOT NULL CHECK (length(original_name) BETWEEN 1 AND 255),
            stored_path TEXT NOT NULL CHECK (stored_path GLOB 'uploads/[0-9a-f][0-9a-f]/*'),
            uploaded_by INTEGER REFERENCES users (id),
            uploaded_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX idx_uploads_sha256 ON uploads (sha256)",
        "CREATE INDEX idx_uploads_organisation ON uploads (organisation_id, uploaded_at)",
        """
        CREATE TABLE returns (
            id INTEGER PRIMARY KEY,
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            instance_id INTEGER REFERENCES deadline_instances (id),
            created_at TEXT NOT NULL
        )
        """,
        # One return per school and instance; one "test uploads" return (no instance) per school.
        "CREATE UNIQUE INDEX idx_returns_school_instance ON returns (organisation_id, ifnull(instance_id, 0))",
        "CREATE INDEX idx_returns_instance ON returns (instance_id)",
        f"""
        CREATE TABLE return_versions (
            id INTEGER PRIMARY KEY,
            return_id INTEGER NOT NULL REFERENCES returns (id),
            version INTEGER NOT NULL CHECK (version >= 1),
            upload_id INTEGER NOT NULL REFERENCES uploads (id),
            kind TEXT NOT NULL CHECK (kind {_KIND}),
            status TEXT NOT NULL DEFAULT 'validated'
                CHECK (status IN ('validated', 'submitted', 'authorised', 'returned')),
            pupils INTEGER NOT NULL CHECK (pupils >= 0),
            errors INTEGER NOT NULL CHECK (errors >= 0),
            queries INTEGER NOT NULL CHECK (queries >= 0),
            summary TEXT NOT NULL CHECK (json_valid(summary)),
            header TEXT NOT NULL CHECK (json_valid(header)),
            validated_at TEXT NOT NULL,
            submitted_at TEXT,
            submitted_by INTEGER REFERENCES users (id),
            decided_at TEXT,
            decided_by INTEGER REFERENCES users (id),
            decision_reason TEXT CHECK (decision_reason IS NULL OR length(decision_reason) <= 2000),
            UNIQUE (return_id, version),
            CHECK (status = 'validated' OR submitted_at IS NOT NULL),
            CHECK (status <> 'returned' OR decision_reason IS NOT NULL)
        )
        """,
        "CREATE INDEX idx_return_versions_upload ON return_versions (upload_id)",
        """
        CREATE TABLE return_findings (
            id INTEGER PRIMARY KEY,
            version_id INTEGER NOT NULL REFERENCES return_versions (id),
            rule TEXT NOT NULL,
            severity TEXT NOT NULL CHECK (severity IN ('error', 'query')),
            scope TEXT NOT NULL,
            pupil INTEGER,
            upn TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL DEFAULT '',
            field TEXT NOT NULL DEFAULT '',
            value TEXT NOT NULL DEFAULT '',
            message TEXT NOT NULL,
            fix TEXT NOT NULL DEFAULT ''
        )
        """,
        "CREATE INDEX idx_return_findings_version ON return_findings (version_id, severity, rule)",
        """
        CREATE TABLE return_notes (
            id INTEGER PRIMARY KEY,
            version_id INTEGER NOT NULL REFERENCES return_versions (id),
            rule TEXT NOT NULL,
            upn TEXT,
            text TEXT NOT NULL CHECK (trim(text) <> '' AND length(text) <= 2000),
            author_id INTEGER REFERENCES users (id),
            written_at TEXT NOT NULL,
            carried_from INTEGER REFERENCES return_notes (id)
        )
        """,
        # upn NULL: the note explains every query of its rule; otherwise the queries about one UPN.
        "CREATE UNIQUE INDEX idx_return_notes_pupil ON return_notes (version_id, rule, upn) WHERE upn IS NOT NULL",
        "CREATE UNIQUE INDEX idx_return_notes_rule ON return_notes (version_id, rule) WHERE upn IS NULL",
        """
        CREATE TABLE return_pupils (
            id INTEGER PRIMARY KEY,
            version_id INTEGER NOT NULL REFERENCES return_versions (id),
            position INTEGER NOT NULL,
            upn TEXT,
            former_upn TEXT,
            uln TEXT,
            surname TEXT,
            forename TEXT,
            middle_names TEXT,
            preferred_surname TEXT,
            dob TEXT,
            sex TEXT,
            nc_year TEXT,
            enrol_status TEXT,
            postcode TEXT,
            address_lines TEXT NOT NULL DEFAULT '[]'
        )
        """,
        "CREATE INDEX idx_return_pupils_version ON return_pupils (version_id, position)",
        "CREATE INDEX idx_return_pupils_upn ON return_pupils (upn)",
        f"""
        CREATE TABLE validation_jobs (
            id INTEGER PRIMARY KEY,
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            instance_id INTEGER REFERENCES deadline_instances (id),
            kind TEXT CHECK (kind IS NULL OR kind {_KIND}),
            original_name TEXT NOT NULL CHECK (length(original_name) BETWEEN 1 AND 255),
            sha256 TEXT NOT NULL CHECK ({_SHA256.format("sha256")}),
            temp_name TEXT,
            state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'refused', 'failed')),
            bytes_done INTEGER NOT NULL DEFAULT 0 CHECK (bytes_done >= 0),
            bytes_total INTEGER NOT NULL CHECK (bytes_total > 0),
            message TEXT,
            version_id INTEGER REFERENCES return_versions (id),
            created_by INTEGER REFERENCES users (id),
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            CHECK (state <> 'done' OR version_id IS NOT NULL)
        )
        """,
        "CREATE INDEX idx_validation_jobs_state ON validation_jobs (state)",
    )
    for statement in statements:
        db.conn.execute(statement)


_KIND_BEFORE = "kind IN ('census', 'ctf')"
_KIND_AFTER = "kind IN ('census', 'ctf', 'workforce')"


def _widen_kind_check(db: Database, table: str) -> None:
    """Rebuild ``table`` so its ``kind`` CHECK also allows 'workforce' (SQLite cannot alter a CHECK): the
    stored CREATE statement with only that check changed, rows copied, indexes made again."""
    sql = db.conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()[0]
    if _KIND_AFTER in sql:
        return
    if sql.count(_KIND_BEFORE) != 1:
        raise RuntimeError(f"{table}: expected one kind check to widen")
    indexes = [row[0] for row in db.conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,))]
    rebuilt = sql.replace(_KIND_BEFORE, _KIND_AFTER).replace(f"CREATE TABLE {table}", f"CREATE TABLE {table}_new", 1)
    db.conn.execute(rebuilt)  # nosemgrep: sql-format # the table's own stored CREATE statement, renamed
    # ``table`` is one of this module's two fixed table names, never input.
    db.conn.execute(f"INSERT INTO {table}_new SELECT * FROM {table}")  # nosemgrep: sql-format # nosec B608
    db.conn.execute(f"DROP TABLE {table}")  # nosemgrep: sql-format
    db.conn.execute(f"ALTER TABLE {table}_new RENAME TO {table}")  # nosemgrep: sql-format
    for index in indexes:
        db.conn.execute(index)


@migrations(name="0002_workforce", transactional=False)
def workforce_returns(db: Database) -> None:
    """School Workforce Census returns: versions and jobs of kind 'workforce', and the staff a workforce
    version holds (``return_staff``; each member's contracts as a JSON list).

    Rebuilding return_versions, which other tables refer to, needs foreign keys off, and that pragma
    cannot change inside a transaction: so this migration makes its own (BEGIN IMMEDIATE), checks every
    foreign key before committing, and is safe to run again if the process stops before it is recorded.
    """
    from models.db import transaction

    db.conn.execute("PRAGMA foreign_keys = OFF")
    try:
        with transaction(db):
            _widen_kind_check(db, "return_versions")
            _widen_kind_check(db, "validation_jobs")
            db.conn.execute(
                """
                CREATE TABLE IF NOT EXISTS return_staff (
                    id INTEGER PRIMARY KEY,
                    version_id INTEGER NOT NULL REFERENCES return_versions (id),
                    position INTEGER NOT NULL,
                    trn TEXT,
                    ni_number TEXT,
                    surname TEXT,
                    forename TEXT,
                    dob TEXT,
                    sex TEXT,
                    contracts TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(contracts))
                )
                """
            )
            db.conn.execute(
                "CREATE INDEX IF NOT EXISTS idx_return_staff_version ON return_staff (version_id, position)"
            )
            broken = db.conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken by the rebuild: {[tuple(row) for row in broken][:5]}")
    finally:
        db.conn.execute("PRAGMA foreign_keys = ON")


@migrations(name="0003_upn_serials")
def upn_serials(db: Database) -> None:
    """The UPNs each school issued with Gatehouse's UPN generator: one row per UPN, so a serial is never issued
    twice for the same school and academic year (permanent 0-999, temporary 0-2299)."""
    db.conn.execute(
        """
        CREATE TABLE upn_issued (
            id INTEGER PRIMARY KEY,
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            academic_year INTEGER NOT NULL CHECK (academic_year BETWEEN 2000 AND 2099),
            temporary INTEGER NOT NULL CHECK (temporary IN (0, 1)),
            serial INTEGER NOT NULL CHECK (serial >= 0),
            upn TEXT NOT NULL UNIQUE CHECK (length(upn) = 13),
            issued_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
            issued_at TEXT NOT NULL,
            UNIQUE (organisation_id, academic_year, temporary, serial)
        )
        """
    )
    db.conn.execute("CREATE INDEX idx_upn_issued_school ON upn_issued (organisation_id, academic_year)")
