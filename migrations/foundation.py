"""Foundation schema: organisations, users, sign-in security, audit log, outbox."""

from sqlite_utils import Database, Migrations

migrations = Migrations("foundation")


@migrations(name="0001_organisations")
def organisations(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE organisations (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('la', 'school')),
            la_code TEXT NOT NULL CHECK (length(la_code) = 3),
            estab TEXT CHECK (estab IS NULL OR length(estab) = 4),
            dfe_number TEXT NOT NULL UNIQUE,
            urn INTEGER UNIQUE,
            ukprn TEXT,
            name TEXT NOT NULL,
            type_name TEXT,
            phase TEXT,
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'proposed_to_close', 'closed')),
            is_academy INTEGER NOT NULL DEFAULT 0 CHECK (is_academy IN (0, 1)),
            low_age INTEGER,
            high_age INTEGER,
            postcode TEXT,
            closed_at TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            CHECK ((kind = 'la') = (estab IS NULL))
        );
        CREATE INDEX idx_organisations_la_code ON organisations (la_code, kind);
        CREATE INDEX idx_organisations_name ON organisations (name COLLATE NOCASE);
        """
    )


@migrations(name="0002_users")
def users(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL,
            organisation_id INTEGER NOT NULL REFERENCES organisations (id),
            role TEXT NOT NULL DEFAULT 'end_user' CHECK (role IN ('approver', 'end_user')),
            is_site_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_site_admin IN (0, 1)),
            status TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'invited', 'suspended', 'removed')),
            password_hash TEXT,
            password_changed_at TEXT,
            must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
            failed_attempts INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            totp_secret TEXT,
            totp_enrolled_at TEXT,
            totp_last_step INTEGER,
            session_version INTEGER NOT NULL DEFAULT 1,
            last_sign_in_at TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX idx_users_organisation ON users (organisation_id, status);

        CREATE TABLE recovery_codes (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            code_hash TEXT NOT NULL,
            used_at TEXT
        );
        CREATE INDEX idx_recovery_codes_user ON recovery_codes (user_id);

        CREATE TABLE auth_tokens (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            purpose TEXT NOT NULL CHECK (purpose IN ('password_reset', 'invitation')),
            token_hash TEXT NOT NULL UNIQUE,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX idx_auth_tokens_user ON auth_tokens (user_id, purpose);

        CREATE TABLE signin_failures (
            id INTEGER PRIMARY KEY,
            ip TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX idx_signin_failures_ip ON signin_failures (ip, at);
        """
    )


@migrations(name="0003_audit_log")
def audit_log(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor_id INTEGER,
            actor_email TEXT,
            organisation_id INTEGER,
            action TEXT NOT NULL,
            target TEXT,
            ip TEXT,
            user_agent TEXT,
            detail TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE
        );
        CREATE INDEX idx_audit_log_action ON audit_log (action, at);
        CREATE INDEX idx_audit_log_organisation ON audit_log (organisation_id, at);
        CREATE INDEX idx_audit_log_actor ON audit_log (actor_id, at);
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        """
    )


@migrations(name="0004_outbox")
def outbox(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            to_addr TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('sent', 'held', 'failed')),
            error TEXT,
            sent_at TEXT
        );
        CREATE INDEX idx_outbox_created ON outbox (created_at);
        """
    )
