"""Account requests: anyone asks for an account at an organisation; its approvers decide.

The first decision wins (the check and the write share one ``BEGIN IMMEDIATE``
transaction); approving invites the requester (a seat is taken then). An organisation with
no active approver sends the request straight to the LA (``routed_to_la``). The daily jobs
remind, escalate (overdue) and close requests; each step is claimed in the database before
its email goes, so running a job twice sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping

from sqlite_utils import Database

from domain import clock
from domain.access_rules import RequestTimetable
from domain.dates import uk_today
from models import audit, invitations
from models.accounts import WrongState
from models.db import one, rows, scalar, transaction

STATUSES = {"open": "Waiting for a decision", "approved": "Approved", "rejected": "Rejected", "closed": "Closed"}


class AlreadyDecided(WrongState):
    """Someone decided the request first; ``request`` is how it stands now."""

    def __init__(self, request: dict):
        self.request = request
        super().__init__("This request has already been decided.")


_SELECT = (
    "SELECT r.*, o.name AS organisation_name, o.kind AS organisation_kind, o.la_code AS organisation_la_code,"
    " o.dfe_number AS organisation_dfe_number, d.name AS decided_by_name, d.email AS decided_by_email"
    " FROM account_requests r JOIN organisations o ON o.id = r.organisation_id"
    " LEFT JOIN users d ON d.id = r.decided_by"
)


def _decode(row: dict | None, today: dt.date | None = None) -> dict | None:
    if row is None:
        return None
    row["services"] = json.loads(row["services"])
    today = today or uk_today()
    row["overdue"] = row["status"] == "open" and dt.date.fromisoformat(row["due_on"]) < today
    row["with_la"] = bool(row["routed_to_la"] or row["escalated_at"])
    return row


def get(db: Database, request_id: int) -> dict | None:
    """One request with its organisation's name and the decider's name (or None)."""
    return _decode(one(db, f"{_SELECT} WHERE r.id = ?", (request_id,)))


def open_request_for(db: Database, organisation_id: int, email: str) -> dict | None:
    """The open request of ``email`` at the organisation, if there is one."""
    return _decode(one(db, f"{_SELECT} WHERE r.organisation_id = ? AND r.email = ? COLLATE NOCASE AND"
                           " r.status = 'open'", (organisation_id, email.strip().lower())))


def create(
    db: Database,
    *,
    organisation: Mapping,
    name: str,
    email: str,
    reason: str,
    chosen_services: Iterable[str],
    routed_to_la: bool,
    timetable: RequestTimetable,
    ip: str | None = None,
    user_agent: str | None = None,
) -> dict:
    """Store a new open request and audit ``account_requested``; return it."""
    with transaction(db):
        cursor = db.conn.execute(
            "INSERT INTO account_requests (organisation_id, name, email, reason, services, routed_to_la, created_at,"
            " remind_on, due_on, close_on, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                organisation["id"], " ".join(name.split()), email.strip().lower(), reason.strip(),
                json.dumps(sorted(set(chosen_services))), int(routed_to_la), clock.iso(),
                timetable.remind_on.isoformat(), timetable.due_on.isoformat(), timetable.close_on.isoformat(), ip,
            ),
        )  # fmt: skip
        audit.record(db, "account_requested", organisation_id=organisation["id"], target=email.strip().lower(),
                     detail={"request": cursor.lastrowid, "routed_to_la": routed_to_la}, ip=ip,
                     user_agent=user_agent)
    return get(db, cursor.lastrowid)


def list_for_organisation(db: Database, organisation_id: int, *, open_only: bool = True, limit: int = 100) -> list:
    """The organisation's requests, oldest open first (or every request, newest first)."""
    if open_only:
        found = rows(db, f"{_SELECT} WHERE r.organisation_id = ? AND r.status = 'open' ORDER BY r.created_at, r.id",
                     (organisation_id,))
    else:
        found = rows(db, f"{_SELECT} WHERE r.organisation_id = ? ORDER BY r.created_at DESC, r.id DESC LIMIT ?",
                     (organisation_id, limit))
    today = uk_today()
    return [_decode(row, today) for row in found]


def count_open_for(db: Database, organisation_id: int) -> int:
    """How many of the organisation's requests wait for a decision."""
    return scalar(db, "SELECT count(*) FROM account_requests WHERE organisation_id = ? AND status = 'open'",
                  (organisation_id,))


def list_with_la(db: Database, la_code: str | None, limit: int = 1000) -> list[dict]:
    """Open requests the LA should act on (sent straight to it, or escalated), oldest first, at most ``limit``.

    ``la_code`` None: every LA's (site admins).
    """
    found = rows(
        db,
        f"{_SELECT} WHERE r.status = 'open' AND (r.routed_to_la = 1 OR r.escalated_at IS NOT NULL)"
        " AND (:la IS NULL OR o.la_code = :la) ORDER BY r.due_on, r.id LIMIT :limit",
        {"la": la_code, "limit": limit},
    )
    today = uk_today()
    return [_decode(row, today) for row in found]


def count_with_la(db: Database, la_code: str | None) -> int:
    """How many open requests the LA should act on (see :func:`list_with_la`)."""
    return scalar(
        db,
        "SELECT count(*) FROM account_requests r JOIN organisations o ON o.id = r.organisation_id"
        " WHERE r.status = 'open' AND (r.routed_to_la = 1 OR r.escalated_at IS NOT NULL)"
        " AND (:la IS NULL OR o.la_code = :la)",
        {"la": la_code},
    )


def requests_from_ip(db: Database, ip: str, since: str) -> int:
    """How many requests ``ip`` made since the time ``since``."""
    return scalar(db, "SELECT count(*) FROM account_requests WHERE ip = ? AND created_at >= ?", (ip, since))


# ----------------------------------------------------------------------------- deciding


def _open_or_raise(db: Database, request_id: int) -> dict:
    request = get(db, request_id)
    if request is None:
        raise WrongState("That request does not exist.")
    if request["status"] != "open":
        raise AlreadyDecided(request)
    return request


def approve(
    db: Database,
    request_id: int,
    config: Mapping,
    *,
    actor: Mapping,
    role: str = "end_user",
    chosen_services: Iterable[str] = (),
    **client,
) -> tuple[dict, dict, str]:
    """Approve an open request: invite the requester; return ``(request, user, token)``.

    Raises AlreadyDecided when someone decided first, CapReached when the organisation has
    no free seat of ``role``, EmailUnavailable when the address has an account by now.
    Nothing changes when it raises.
    """
    with transaction(db):
        request = _open_or_raise(db, request_id)
        user, token = invitations.invite(
            db, config, organisation={"id": request["organisation_id"], "name": request["organisation_name"]},
            email=request["email"], name=request["name"], role=role, chosen_services=chosen_services,
            actor=actor, via="account_request", **client,
        )  # fmt: skip
        db.conn.execute(
            "UPDATE account_requests SET status = 'approved', decided_at = ?, decided_by = ?, user_id = ?"
            " WHERE id = ? AND status = 'open'",
            (clock.iso(), actor["id"], user["id"], request_id),
        )
        audit.record(db, "account_request_approved", actor=actor, organisation_id=request["organisation_id"],
                     target=request["email"], detail={"request": request_id, "role": role}, **client)
    return get(db, request_id), user, token


def reject(db: Database, request_id: int, reason: str, *, actor: Mapping, **client) -> dict:
    """Reject an open request with ``reason`` (emailed to the requester); return the request.

    Raises AlreadyDecided when someone decided first, ValueError for an empty reason.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("rejecting a request needs a reason")
    with transaction(db):
        request = _open_or_raise(db, request_id)
        db.conn.execute(
            "UPDATE account_requests SET status = 'rejected', decided_at = ?, decided_by = ?, decision_reason = ?"
            " WHERE id = ? AND status = 'open'",
            (clock.iso(), actor["id"], reason, request_id),
        )
        audit.record(db, "account_request_rejected", actor=actor, organisation_id=request["organisation_id"],
                     target=request["email"], detail={"request": request_id, "reason": reason}, **client)
    return get(db, request_id)


# ----------------------------------------------------------------------------- the daily jobs


def reminders_due(db: Database, today: dt.date) -> list[dict]:
    """Open requests whose reminder day has come, not yet reminded and not yet overdue."""
    found = rows(
        db,
        f"{_SELECT} WHERE r.status = 'open' AND r.reminded_at IS NULL AND r.remind_on <= :today"
        " AND r.due_on >= :today ORDER BY r.id",
        {"today": today.isoformat()},
    )
    return [_decode(row, today) for row in found]


def escalations_due(db: Database, today: dt.date) -> list[dict]:
    """Open requests past their due date that have not been escalated yet."""
    found = rows(
        db,
        f"{_SELECT} WHERE r.status = 'open' AND r.escalated_at IS NULL AND r.due_on < :today ORDER BY r.id",
        {"today": today.isoformat()},
    )
    return [_decode(row, today) for row in found]


def closures_due(db: Database, today: dt.date) -> list[dict]:
    """Open requests whose closing day has come."""
    found = rows(
        db, f"{_SELECT} WHERE r.status = 'open' AND r.close_on <= :today ORDER BY r.id", {"today": today.isoformat()}
    )
    return [_decode(row, today) for row in found]


def _claim_step(db: Database, request_id: int, sql: str, action: str, detail: dict) -> dict | None:
    with transaction(db):
        cursor = db.conn.execute(sql, (clock.iso(), request_id))
        if cursor.rowcount != 1:
            return None
        request = get(db, request_id)
        audit.record(db, action, organisation_id=request["organisation_id"], target=request["email"],
                     detail={"request": request_id, **detail})
    return request


def mark_reminded(db: Database, request_id: int) -> dict | None:
    """Note the reminder as sent (audit ``account_request_reminded``); None when it already was or is decided."""
    return _claim_step(
        db, request_id,
        "UPDATE account_requests SET reminded_at = ? WHERE id = ? AND status = 'open' AND reminded_at IS NULL",
        "account_request_reminded", {},
    )  # fmt: skip


def mark_escalated(db: Database, request_id: int) -> dict | None:
    """Note the request escalated to the LA (audit ``account_request_escalated``); None when it already was."""
    return _claim_step(
        db, request_id,
        "UPDATE account_requests SET escalated_at = ? WHERE id = ? AND status = 'open' AND escalated_at IS NULL",
        "account_request_escalated", {},
    )  # fmt: skip


def close(db: Database, request_id: int) -> dict | None:
    """Close an undecided request (audit ``account_request_closed``); None when it is no longer open."""
    return _claim_step(
        db, request_id,
        "UPDATE account_requests SET status = 'closed', decided_at = ?,"
        " decision_reason = 'Nobody decided it in time' WHERE id = ? AND status = 'open'",
        "account_request_closed", {},
    )  # fmt: skip
