"""PRIDE schema: the LA's characteristics list, anonymous incident reports (with their characteristics,
types, actions and counts of people by role and year group), termly returns and the schools that need
not make them.

No column holds a name, UPN, date of birth or address: an incident is counts, roles, year groups,
choices from fixed lists and short free text that the form checks (``domain.pride.anonymity``).
"""

from sqlite_utils import Database, Migrations

from domain.pride.vocabulary import PROTECTED_CHARACTERISTICS, SEEDED_LOCAL_CHARACTERISTICS

migrations = Migrations("pride")

#: Tables whose changes change a report: incidents (their choices change with them), the characteristics'
#: labels, and schools (names, phases).
_VERSIONED_TABLES = ("pride_incidents", "pride_characteristics", "organisations")


@migrations(name="0001_incidents_and_returns")
def incidents_and_returns(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE pride_characteristics (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
            label TEXT NOT NULL CHECK (length(trim(label)) BETWEEN 1 AND 100),
            statutory INTEGER NOT NULL DEFAULT 0 CHECK (statutory IN (0, 1)),
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            sort_order INTEGER NOT NULL
        );
        CREATE TABLE pride_incidents (
            id INTEGER PRIMARY KEY,
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            state TEXT NOT NULL CHECK (state IN ('draft', 'reported')),
            occurred_on TEXT,
            academic_year INTEGER,
            term TEXT CHECK (term IN ('autumn', 'spring', 'summer')),
            time_band TEXT,
            location TEXT,
            location_other TEXT,
            came_to_light TEXT,
            description TEXT,
            action_details TEXT,
            follow_up_on TEXT,
            outcome TEXT,
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES users (id),
            updated_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES users (id),
            reported_at TEXT,
            CHECK (state = 'draft' OR (occurred_on IS NOT NULL AND academic_year IS NOT NULL AND term IS NOT NULL
                                       AND location IS NOT NULL AND time_band IS NOT NULL))
        );
        CREATE INDEX idx_pride_incidents_school ON pride_incidents (organisation_id, academic_year, term);
        CREATE INDEX idx_pride_incidents_period
            ON pride_incidents (state, academic_year, term, organisation_id, location);
        -- A choice row repeats its incident's school, year, term and whether it is reported (the incident's
        -- save rewrites its choices, so they stay in step): reports count choices from one index, with no
        -- join per incident.
        CREATE TABLE pride_incident_characteristics (
            incident_id INTEGER NOT NULL REFERENCES pride_incidents (id) ON DELETE CASCADE,
            characteristic_id INTEGER NOT NULL REFERENCES pride_characteristics (id),
            organisation_id INTEGER NOT NULL,
            academic_year INTEGER,
            term TEXT,
            reported INTEGER NOT NULL CHECK (reported IN (0, 1)),
            PRIMARY KEY (incident_id, characteristic_id)
        ) WITHOUT ROWID;
        CREATE INDEX idx_pride_incident_characteristics_report
            ON pride_incident_characteristics (reported, academic_year, term, organisation_id, characteristic_id);
        CREATE TABLE pride_incident_choices (
            incident_id INTEGER NOT NULL REFERENCES pride_incidents (id) ON DELETE CASCADE,
            list TEXT NOT NULL CHECK (list IN ('type', 'action')),
            code TEXT NOT NULL,
            organisation_id INTEGER NOT NULL,
            academic_year INTEGER,
            term TEXT,
            reported INTEGER NOT NULL CHECK (reported IN (0, 1)),
            PRIMARY KEY (incident_id, list, code)
        ) WITHOUT ROWID;
        CREATE INDEX idx_pride_incident_choices_report
            ON pride_incident_choices (reported, list, academic_year, term, organisation_id, code);
        CREATE TABLE pride_incident_people (
            incident_id INTEGER NOT NULL REFERENCES pride_incidents (id) ON DELETE CASCADE,
            side TEXT NOT NULL CHECK (side IN ('targeted', 'responsible')),
            role TEXT NOT NULL CHECK (role IN ('pupil', 'staff', 'parent', 'visitor', 'unknown')),
            year_group INTEGER NOT NULL DEFAULT -99,
            people INTEGER NOT NULL CHECK (people BETWEEN 1 AND 200),
            CHECK ((role = 'pupil') = (year_group <> -99)),
            PRIMARY KEY (incident_id, side, role, year_group)
        ) WITHOUT ROWID;
        CREATE TABLE pride_returns (
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            instance_id INTEGER NOT NULL REFERENCES deadline_instances (id),
            kind TEXT NOT NULL CHECK (kind IN ('incidents', 'nil')),
            incidents INTEGER NOT NULL DEFAULT 0,
            made_at TEXT NOT NULL,
            made_by INTEGER REFERENCES users (id),
            reopened_at TEXT,
            PRIMARY KEY (organisation_id, instance_id)
        );
        CREATE TABLE pride_not_required (
            organisation_id INTEGER PRIMARY KEY REFERENCES organisations (id),
            reason TEXT NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 500),
            set_at TEXT NOT NULL,
            set_by INTEGER REFERENCES users (id)
        );
        """
    )
    # A counter every change to what the reports read bumps (by trigger), so report figures can be cached
    # per data version (models/pride.py). ``token`` is random per database.
    db.conn.execute(
        "CREATE TABLE pride_data_version (id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL,"
        " version INTEGER NOT NULL)"
    )
    db.conn.execute("INSERT INTO pride_data_version VALUES (1, lower(hex(randomblob(16))), 0)")
    for table in _VERSIONED_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.conn.execute(
                # nosemgrep: sql-format # fixed table names from _VERSIONED_TABLES, no values
                f"CREATE TRIGGER {table}_{event.lower()}_pride_version AFTER {event} ON {table}"  # nosec B608 # fixed names
                " BEGIN UPDATE pride_data_version SET version = version + 1 WHERE id = 1; END"
            )
    seeded = [(code, label, 1) for code, label in PROTECTED_CHARACTERISTICS.items()]
    seeded += [(code, label, 0) for code, label in SEEDED_LOCAL_CHARACTERISTICS.items()]
    db.conn.executemany(
        "INSERT INTO pride_characteristics (code, label, statutory, sort_order) VALUES (?, ?, ?, ?)",
        [(code, label, statutory, n) for n, (code, label, statutory) in enumerate(seeded, start=1)],
    )


@migrations(name="0002_history")
def history(db: Database) -> None:
    """Counts of incidents per school and term from before Gatehouse (the LA's import), for the trend."""
    db.executescript(
        """
        CREATE TABLE pride_history (
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            academic_year INTEGER NOT NULL,
            term TEXT NOT NULL CHECK (term IN ('autumn', 'spring', 'summer', 'year')),
            incidents INTEGER NOT NULL CHECK (incidents BETWEEN 0 AND 100000),
            imported_at TEXT NOT NULL,
            imported_by INTEGER REFERENCES users (id),
            PRIMARY KEY (organisation_id, academic_year, term)
        ) WITHOUT ROWID;
        CREATE INDEX idx_pride_history_year ON pride_history (academic_year, organisation_id, incidents);
        """
    )
    for event in ("INSERT", "UPDATE", "DELETE"):
        db.conn.execute(
            # nosemgrep: sql-format # a fixed event name, no values
            f"CREATE TRIGGER pride_history_{event.lower()}_pride_version AFTER {event} ON pride_history"  # nosec B608
            " BEGIN UPDATE pride_data_version SET version = version + 1 WHERE id = 1; END"
        )
