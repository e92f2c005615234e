"""UPNs a school issues with Gatehouse's UPN generator: each one remembered, so no serial is issued twice."""

from sqlite_utils import Database, Migrations

migrations = Migrations("upns")


@migrations(name="0001_issued_upns")
def issued_upns(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE issued_upns (
            upn TEXT PRIMARY KEY CHECK (length(upn) = 13),
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            academic_year INTEGER NOT NULL CHECK (academic_year BETWEEN 2000 AND 2099),
            kind TEXT NOT NULL CHECK (kind IN ('permanent', 'temporary')),
            serial INTEGER NOT NULL CHECK (serial >= 0),
            issued_at TEXT NOT NULL,
            issued_by INTEGER REFERENCES users (id),
            batch INTEGER NOT NULL,
            UNIQUE (organisation_id, academic_year, kind, serial)
        );
        CREATE INDEX idx_issued_upns_school ON issued_upns (organisation_id, issued_at DESC, upn);
        """
    )
