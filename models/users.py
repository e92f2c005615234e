"""Users: lookups and the core writes shared by sign-in and account management."""

from __future__ import annotations

from sqlite_utils import Database

from domain import clock
from domain.security import lockout
from models import audit
from models.db import one, rows, transaction

_USER_SELECT = (
    "SELECT u.*, o.kind AS organisation_kind, o.name AS organisation_name, o.la_code AS organisation_la_code,"
    " o.dfe_number AS organisation_dfe_number FROM users u JOIN organisations o ON o.id = u.organisation_id"
)


def get(db: Database, user_id: int) -> dict | None:
    """Return the user with ``user_id`` (with organisation fields), or None."""
    return one(db, f"{_USER_SELECT} WHERE u.id = ?", (user_id,))


def get_by_email(db: Database, email: str) -> dict | None:
    """Return the user whose email matches (case-insensitively), or None."""
    return one(db, f"{_USER_SELECT} WHERE u.email = ? COLLATE NOCASE", (email.strip(),))


def list_for_organisation(db: Database, organisation_id: int) -> list[dict]:
    """Return every user of one organisation, by name."""
    return rows(db, f"{_USER_SELECT} WHERE u.organisation_id = ? ORDER BY u.name COLLATE NOCASE", (organisation_id,))


def create(
    db: Database,
    *,
    email: str,
    name: str,
    organisation_id: int,
    role: str = "end_user",
    is_site_admin: bool = False,
    password_hash: str | None = None,
    status: str = "active",
    must_change_password: bool = False,
) -> dict:
    """Insert a user and return it. Raises sqlite3.IntegrityError when the email is taken."""
    with transaction(db):
        cursor = db.conn.execute(
            "INSERT INTO users (email, name, organisation_id, role, is_site_admin, status, password_hash,"
            " password_changed_at, must_change_password) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                email.strip().lower(),
                name.strip(),
                organisation_id,
                role,
                int(is_site_admin),
                status,
                password_hash,
                clock.iso() if password_hash else None,
                int(must_change_password),
            ),
        )
    return get(db, cursor.lastrowid)


def bump_session_version(db: Database, user_id: int) -> None:
    """End every live session of the user (their cookies carry the old version)."""
    with transaction(db):
        db.conn.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?", (user_id,))


def is_locked(user: dict) -> bool:
    """True while the user's account is locked after too many failed sign-ins."""
    return lockout.is_locked(_when(user["locked_until"]), clock.now())


def _when(text: str | None):
    return clock.parse(text) if text else None


def record_failed_sign_in(db: Database, user_id: int, *, threshold: int, minutes: int) -> dict:
    """Count one more failed sign-in (password or code) and lock the account at ``threshold``.

    Returns ``{"failed_attempts", "locked_until", "locked_now"}``; ``locked_now`` is True only
    for the failure that locked the account (see :func:`security.lockout.after_failure`).
    """
    with transaction(db):
        row = one(db, "SELECT failed_attempts, locked_until FROM users WHERE id = ?", (user_id,))
        attempts, locked_until, locked_now = lockout.after_failure(
            row["failed_attempts"], _when(row["locked_until"]), clock.now(), threshold, minutes
        )
        until_text = clock.iso(locked_until) if locked_until else None
        db.conn.execute(
            "UPDATE users SET failed_attempts = ?, locked_until = ? WHERE id = ?", (attempts, until_text, user_id)
        )
    return {"failed_attempts": attempts, "locked_until": until_text, "locked_now": locked_now}


def record_sign_in(db: Database, user_id: int) -> None:
    """Note a completed sign-in: clear the failure count and keep the previous sign-in time."""
    with transaction(db):
        db.conn.execute(
            "UPDATE users SET failed_attempts = 0, locked_until = NULL, previous_sign_in_at = last_sign_in_at,"
            " last_sign_in_at = ? WHERE id = ?",
            (clock.iso(), user_id),
        )


def unlock(
    db: Database, user_id: int, *, actor: dict | None = None, ip: str | None = None, user_agent: str | None = None,
    detail: dict | None = None,
) -> bool:
    """Clear a lock and the failure count; audit ``account_unlocked`` when there was anything to clear.

    Returns True when the account was locked or had failed attempts counted, else False.
    ``actor`` is the approver or admin doing it (None for the command line or a reset link).
    """
    with transaction(db):
        row = one(db, "SELECT id, email, organisation_id, failed_attempts, locked_until FROM users WHERE id = ?",
                  (user_id,))
        if row is None or (not row["failed_attempts"] and not row["locked_until"]):
            return False
        db.conn.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?", (user_id,))
        audit.record(db, "account_unlocked", actor=actor, organisation_id=row["organisation_id"], target=row["email"],
                     ip=ip, user_agent=user_agent, detail=detail)
    return True


def set_password(db: Database, user_id: int, password_hash: str) -> dict:
    """Store a new password hash and end every session of the user; return the updated user.

    Also clears ``must_change_password``, the failure count and any lock (a reset link
    unlocks), and bumps ``session_version`` so every existing session ends.
    """
    with transaction(db):
        db.conn.execute(
            "UPDATE users SET password_hash = ?, password_changed_at = ?, must_change_password = 0,"
            " failed_attempts = 0, locked_until = NULL, session_version = session_version + 1 WHERE id = ?",
            (password_hash, clock.iso(), user_id),
        )
    return get(db, user_id)


def update_password_hash(db: Database, user_id: int, password_hash: str) -> None:
    """Replace the stored hash of the same password (rehash with new argon2 parameters)."""
    with transaction(db):
        db.conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))


def set_must_change_password(db: Database, user_id: int, value: bool = True) -> None:
    """Make the user change their password at their next page after sign-in (or not)."""
    with transaction(db):
        db.conn.execute("UPDATE users SET must_change_password = ? WHERE id = ?", (int(value), user_id))


def enrol_totp(db: Database, user_id: int, secret: str, step: int) -> None:
    """Store a confirmed authenticator secret; ``step`` is the step of the code that confirmed it."""
    with transaction(db):
        db.conn.execute(
            "UPDATE users SET totp_secret = ?, totp_enrolled_at = ?, totp_last_step = ? WHERE id = ?",
            (secret, clock.iso(), step, user_id),
        )


def use_totp_step(db: Database, user_id: int, step: int) -> bool:
    """Mark the code of ``step`` used. False when it (or a later one) was used already."""
    with transaction(db):
        cursor = db.conn.execute(
            "UPDATE users SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
            (step, user_id, step),
        )
    return cursor.rowcount == 1


def reset_totp(
    db: Database, user_id: int, *, actor: dict | None = None, ip: str | None = None, user_agent: str | None = None
) -> bool:
    """Remove the user's authenticator and recovery codes; audit ``totp_reset``.

    The user sets up two-step verification again at their next sign-in when it is required
    for them. Returns False when the user had none (nothing changes, nothing audited).
    """
    with transaction(db):
        row = one(db, "SELECT id, email, organisation_id, totp_secret FROM users WHERE id = ?", (user_id,))
        if row is None or not row["totp_secret"]:
            return False
        db.conn.execute(
            "UPDATE users SET totp_secret = NULL, totp_enrolled_at = NULL, totp_last_step = NULL WHERE id = ?",
            (user_id,),
        )
        db.conn.execute("DELETE FROM recovery_codes WHERE user_id = ?", (user_id,))
        audit.record(db, "totp_reset", actor=actor, organisation_id=row["organisation_id"], target=row["email"],
                     ip=ip, user_agent=user_agent)
    return True


#: The email choices a person can make (column on users -> the audit action's prefix).
EMAIL_CHOICES = {"deadline_digests": "deadline_digests", "submission_digests": "submission_digests"}


def set_email_choice(
    db: Database, user: dict, choice: str, wanted: bool, *, ip: str | None = None, user_agent: str | None = None
) -> None:
    """Opt ``user`` in to (``wanted``) or out of one of :data:`EMAIL_CHOICES`; audited when it changes.

    Raises KeyError for a choice that is not one of them (the column name is never taken from input).
    """
    prefix = EMAIL_CHOICES[choice]
    with transaction(db):
        cursor = db.conn.execute(
            # nosemgrep: sql-format # the column is a key of EMAIL_CHOICES, never input
            f"UPDATE users SET {choice} = ? WHERE id = ? AND {choice} <> ?",  # nosec B608
            (int(wanted), user["id"], int(wanted)),
        )
        if cursor.rowcount:
            audit.record(
                db, f"{prefix}_{'on' if wanted else 'off'}", actor=user, organisation_id=user["organisation_id"],
                target=user["email"], ip=ip, user_agent=user_agent,
            )  # fmt: skip
