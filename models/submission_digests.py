"""The LA's digest of returns schools have submitted: who gets it, what it holds, what was already told.

Each LA reviewer (an active user of an LA organisation who can use Returns and has not opted out with
the ``submission_digests`` column of ``users``) is told once about each version a school of their LA
submits that still waits for review. ``submission_digest_items`` holds one row per person and version,
claimed before the email is sent, so nobody hears of one submission twice, whichever runner sends.
Submissions older than :data:`LOOK_BACK` are never brought up (a new reviewer is not sent the past).
"""

from __future__ import annotations

import datetime as dt

from sqlite_utils import Database

from domain import clock
from models import users
from models.db import rows, transaction

#: How far back a digest looks for submissions nobody has told this person about.
LOOK_BACK = dt.timedelta(days=7)


def wants_digests(user: dict) -> bool:
    """True when the user has not opted out of the submitted-returns digest."""
    return bool(user.get("submission_digests", 1))


def set_digests(
    db: Database, user: dict, wanted: bool, *, ip: str | None = None, user_agent: str | None = None
) -> None:
    """Opt the user in to (``wanted``) or out of the submitted-returns digest; audited when it changes."""
    users.set_email_choice(db, user, "submission_digests", wanted, ip=ip, user_agent=user_agent)


def reviewers(db: Database) -> list[dict]:
    """Active users of LA organisations who can use Returns (approvers and site admins included) and
    want the digest, each with ``la_code``."""
    return rows(
        db,
        "SELECT u.*, o.la_code FROM users u JOIN organisations o ON o.id = u.organisation_id"
        " WHERE o.kind = 'la' AND u.status = 'active' AND u.submission_digests = 1"
        " AND (u.role = 'approver' OR u.is_site_admin = 1 OR EXISTS"
        " (SELECT 1 FROM user_services s WHERE s.user_id = u.id AND s.service = 'returns'))"
        " ORDER BY o.la_code, u.id",
    )


def untold(db: Database, user: dict, now: dt.datetime) -> list[dict]:
    """Versions submitted by the schools of ``user``'s LA since ``now`` − LOOK_BACK that are still the
    latest, still wait for review and have not been in a digest to ``user``; oldest submission first."""
    since = (now - LOOK_BACK).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return rows(
        db,
        "SELECT v.id, v.version, v.submitted_at, r.id AS return_id, o.name AS school_name,"
        " o.dfe_number, coalesce(c.name, 'Test upload') AS title, i.period_label,"
        " (SELECT count(*) FROM return_versions p WHERE p.return_id = r.id AND p.submitted_at IS NOT NULL"
        "  AND p.id < v.id) AS earlier_submissions"
        " FROM return_versions v JOIN returns r ON r.id = v.return_id"
        " JOIN organisations o ON o.id = r.organisation_id"
        " LEFT JOIN deadline_instances i ON i.id = r.instance_id LEFT JOIN return_catalogue c ON c.id = i.catalogue_id"
        " WHERE o.la_code = :la AND r.instance_id IS NOT NULL AND v.status = 'submitted' AND v.submitted_at >= :since"
        " AND v.id = (SELECT max(id) FROM return_versions WHERE return_id = r.id)"
        " AND NOT EXISTS (SELECT 1 FROM submission_digest_items d WHERE d.user_id = :user AND d.version_id = v.id)"
        " ORDER BY v.submitted_at, v.id",
        {"la": user["la_code"], "since": since, "user": user["id"]},
    )


def claim(db: Database, user_id: int, version_ids: list[int]) -> list[int]:
    """Record that ``user_id`` is told about these versions; return those nobody had claimed for them yet.

    The INSERT is the guard: whichever runner claims a version first tells the person about it.
    """
    claimed = []
    with transaction(db):
        for version_id in version_ids:
            cursor = db.conn.execute(
                "INSERT OR IGNORE INTO submission_digest_items (user_id, version_id, sent_at) VALUES (?, ?, ?)",
                (user_id, version_id, clock.iso()),
            )
            if cursor.rowcount == 1:
                claimed.append(version_id)
    return claimed
