"""Account management by approvers: caps, the users list, suspend, reactivate, remove, services,
role changes and handing the approver role over; the last-approver guard.

Seats: a user takes a seat of their role while ``active`` or ``invited`` with an invitation
that has not expired. A suspended user frees their seat and needs one again to come back.
Every check-then-write runs in one ``BEGIN IMMEDIATE`` transaction, so two approvers acting
at once can never pass a cap together or leave an organisation without an active approver.

Every function that changes something audits it in the same transaction. ``client`` keyword
arguments (``ip``, ``user_agent``) go to the audit row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta

from sqlite_utils import Database

from domain import clock
from models import audit, services
from models.db import one, rows, scalar, transaction

ROLES: dict[str, str] = {"approver": "Approver", "end_user": "End user"}
STATES: dict[str, str] = {
    "active": "Active",
    "invited": "Invited",
    "invitation_expired": "Invitation expired",
    "locked": "Locked",
    "suspended": "Suspended",
    "removed": "Removed",
}


class AccessRefused(Exception):
    """The rules forbid the change; ``str(error)`` is a sentence to show the person. Nothing changed."""


class CapReached(AccessRefused):
    """The organisation has no free seat for that role."""


class LastApprover(AccessRefused):
    """The change would leave the organisation with no active approver."""


class EmailUnavailable(AccessRefused):
    """The email address belongs to another account."""


class WrongState(AccessRefused):
    """The account (or request, or code) is not in a state that allows the change."""


# ----------------------------------------------------------------------------- caps and seats

_LIVE_INVITATION = (
    "EXISTS (SELECT 1 FROM auth_tokens t WHERE t.user_id = u.id AND t.purpose = 'invitation'"
    " AND t.used_at IS NULL AND t.expires_at > :now)"
)
_TAKES_SEAT = f"(u.status = 'active' OR (u.status = 'invited' AND {_LIVE_INVITATION}))"


def caps(organisation: Mapping, config: Mapping) -> dict[str, int | None]:
    """Return ``{"approver": n, "end_user": n}`` for ``organisation``; None means no cap.

    An organisation's own ``approver_cap``/``end_user_cap`` wins; otherwise a school gets the
    settings APPROVER_CAP and END_USER_CAP and the LA itself has no cap.
    """
    school = organisation["kind"] == "school"
    defaults = {
        "approver": int(config["APPROVER_CAP"]) if school else None,
        "end_user": int(config["END_USER_CAP"]) if school else None,
    }
    own = {"approver": organisation.get("approver_cap"), "end_user": organisation.get("end_user_cap")}
    return {role: own[role] if own[role] is not None else defaults[role] for role in ROLES}


def seats_taken(db: Database, organisation_id: int, role: str, *, excluding: int | None = None) -> int:
    """How many users of ``role`` take a seat at the organisation (optionally not counting one user)."""
    return scalar(
        db,
        "SELECT count(*) FROM users u WHERE u.organisation_id = :org AND u.role = :role"
        f" AND {_TAKES_SEAT} AND u.id IS NOT :excluding",  # nosec B608 # only this module's constant SQL
        {"org": organisation_id, "role": role, "now": clock.iso(), "excluding": excluding},
    )


def seat_summary(db: Database, organisation: Mapping, config: Mapping) -> dict[str, dict]:
    """Per role: ``{"taken", "cap", "free"}`` (``cap``/``free`` None when uncapped)."""
    limits = caps(organisation, config)
    summary = {}
    for role in ROLES:
        taken = seats_taken(db, organisation["id"], role)
        cap = limits[role]
        summary[role] = {"taken": taken, "cap": cap, "free": None if cap is None else max(0, cap - taken)}
    return summary


def organisation_row(db: Database, organisation_id: int) -> dict | None:
    """The organisation's row, read inside the caller's transaction (caps may have just changed)."""
    return one(db, "SELECT * FROM organisations WHERE id = ?", (organisation_id,))


def check_seat(
    db: Database, organisation: Mapping, role: str, config: Mapping, *, excluding: int | None = None
) -> None:
    """Raise CapReached when ``organisation`` has no free seat of ``role`` (call inside the write transaction)."""
    cap = caps(organisation, config)[role]
    if cap is None:
        return
    if seats_taken(db, organisation["id"], role, excluding=excluding) >= cap:
        noun = "approvers" if role == "approver" else "end users"
        raise CapReached(
            f"{organisation['name']} already has {cap} {noun}, the most it may have. Remove or suspend one, "
            "or revoke an invitation, first."
        )


def active_approvers(db: Database, organisation_id: int) -> list[dict]:
    """The organisation's active approvers, by name."""
    return rows(
        db,
        "SELECT * FROM users WHERE organisation_id = ? AND role = 'approver' AND status = 'active'"
        " ORDER BY name COLLATE NOCASE",
        (organisation_id,),
    )


def la_contacts(db: Database, la_code: str) -> list[dict]:
    """Who the LA is for account matters: the LA's active approvers, then its active site admins."""
    return rows(
        db,
        "SELECT u.* FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE o.kind = 'la'"
        " AND o.la_code = ? AND u.status = 'active' AND (u.role = 'approver' OR u.is_site_admin = 1)"
        " ORDER BY u.role <> 'approver', u.name COLLATE NOCASE",
        (la_code,),
    )


def _guard_last_approver(db: Database, user: Mapping, doing: str) -> None:
    """Raise LastApprover when ``user`` is the organisation's only active approver."""
    if user["role"] != "approver" or user["status"] != "active":
        return
    others = scalar(
        db,
        "SELECT count(*) FROM users WHERE organisation_id = ? AND role = 'approver' AND status = 'active' AND id <> ?",
        (user["organisation_id"], user["id"]),
    )
    if not others:
        raise LastApprover(
            f"{user['name']} is the only active approver, so they cannot be {doing}. Make someone else an "
            "approver first (or hand the approver role over)."
        )


# ----------------------------------------------------------------------------- reading


def get_user(db: Database, user_id: int) -> dict | None:
    """Return one user with organisation fields, services and invitation expiry (or None)."""
    found = one(db, f"{_LIST_SELECT} WHERE u.id = :id", {"id": user_id})
    return _with_state(found) if found else None


_LIST_SELECT = (
    "SELECT u.id, u.email, u.name, u.organisation_id, u.role, u.is_site_admin, u.status, u.last_sign_in_at,"
    " u.locked_until, u.failed_attempts, u.created_at, u.totp_enrolled_at, u.suspended_at, u.suspended_reason,"
    " u.invited_at, u.invited_by, u.removed_at, u.session_version,"
    " o.name AS organisation_name, o.kind AS organisation_kind, o.la_code AS organisation_la_code,"
    " (SELECT group_concat(s.service, ',') FROM user_services s WHERE s.user_id = u.id) AS granted,"
    " (SELECT max(t.expires_at) FROM auth_tokens t WHERE t.user_id = u.id AND t.purpose = 'invitation'"
    "  AND t.used_at IS NULL) AS invitation_expires_at"
    " FROM users u JOIN organisations o ON o.id = u.organisation_id"
)


def state_of(user: Mapping, now_text: str | None = None) -> str:
    """The state shown in the users list: a key of :data:`STATES`."""
    now_text = now_text or clock.iso()
    status = user["status"]
    if status == "invited":
        expires = user.get("invitation_expires_at")
        return "invited" if expires and expires > now_text else "invitation_expired"
    if status == "active" and user.get("locked_until") and user["locked_until"] > now_text:
        return "locked"
    return status


def _with_state(user: dict, now_text: str | None = None) -> dict:
    user["state"] = state_of(user, now_text)
    granted = set((user.get("granted") or "").split(",")) - {""}
    user["services"] = sorted(services.SERVICES) if user["role"] == "approver" else sorted(granted)
    return user


def list_users(db: Database, organisation_id: int, *, include_removed: bool = False) -> list[dict]:
    """The organisation's users (approvers first, then by name), each with ``state`` and ``services``."""
    where = "" if include_removed else " AND u.status <> 'removed'"
    found = rows(
        db,
        # nosemgrep: sql-format # {where} is a fixed clause or nothing; values are bound
        f"{_LIST_SELECT} WHERE u.organisation_id = :org{where} ORDER BY u.role <> 'approver', u.name COLLATE NOCASE,"
        " u.id",
        {"org": organisation_id},
    )
    now_text = clock.iso()
    return [_with_state(user, now_text) for user in found]


def unused_accounts(db: Database, organisation_id: int, days: int) -> list[dict]:
    """Active accounts not signed in for ``days`` days (never signed in and older than that counts too)."""
    since = clock.iso(clock.now() - timedelta(days=days))
    found = rows(
        db,
        f"{_LIST_SELECT} WHERE u.organisation_id = :org AND u.status = 'active'"
        " AND coalesce(u.last_sign_in_at, u.created_at) < :since ORDER BY coalesce(u.last_sign_in_at, '') , u.name",
        {"org": organisation_id, "since": since},
    )
    now_text = clock.iso()
    return [_with_state(user, now_text) for user in found]


# ----------------------------------------------------------------------------- changes


def _load_for_change(db: Database, user_id: int) -> dict:
    user = one(db, "SELECT * FROM users WHERE id = ?", (user_id,))
    if user is None:
        raise WrongState("That account no longer exists.")
    return user


def suspend(db: Database, user_id: int, reason: str, *, actor: Mapping | None, **client) -> dict:
    """Suspend an active account with ``reason``, ending every session of it at once.

    Raises WrongState when the account is not active, LastApprover for the only active
    approver, ValueError for an empty reason.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a suspension needs a reason")
    with transaction(db):
        user = _load_for_change(db, user_id)
        if user["status"] != "active":
            raise WrongState(f"{user['name']} is not active, so cannot be suspended.")
        _guard_last_approver(db, user, "suspended")
        db.conn.execute(
            "UPDATE users SET status = 'suspended', suspended_at = ?, suspended_reason = ?,"
            " session_version = session_version + 1 WHERE id = ?",
            (clock.iso(), reason, user_id),
        )
        audit.record(db, "user_suspended", actor=actor, organisation_id=user["organisation_id"],
                     target=user["email"], detail={"reason": reason}, **client)
    return get_user(db, user_id)


def reactivate(db: Database, user_id: int, config: Mapping, *, actor: Mapping | None, **client) -> dict:
    """Make a suspended account active again (it needs a free seat of its role).

    Raises WrongState when the account is not suspended, CapReached when no seat is free.
    """
    with transaction(db):
        user = _load_for_change(db, user_id)
        if user["status"] != "suspended":
            raise WrongState(f"{user['name']} is not suspended.")
        check_seat(db, organisation_row(db, user["organisation_id"]), user["role"], config)
        db.conn.execute(
            "UPDATE users SET status = 'active', suspended_at = NULL, suspended_reason = NULL,"
            " failed_attempts = 0, locked_until = NULL WHERE id = ?",
            (user_id,),
        )
        audit.record(db, "user_reactivated", actor=actor, organisation_id=user["organisation_id"],
                     target=user["email"], **client)
    return get_user(db, user_id)


def remove(db: Database, user_id: int, *, actor: Mapping | None, **client) -> dict:
    """Remove an active or suspended account: it can no longer sign in and its sessions end.

    The row stays (status ``removed``) for the record; its services, authenticator and
    unused links are deleted. Raises WrongState for an invitation (revoke it instead) or an
    account already removed, LastApprover for the only active approver.
    """
    with transaction(db):
        user = _load_for_change(db, user_id)
        if user["status"] not in ("active", "suspended"):
            raise WrongState(f"{user['name']} cannot be removed: the account is {user['status']}.")
        _guard_last_approver(db, user, "removed")
        db.conn.execute(
            "UPDATE users SET status = 'removed', removed_at = ?, session_version = session_version + 1,"
            " totp_secret = NULL, totp_enrolled_at = NULL, totp_last_step = NULL, password_hash = NULL"
            " WHERE id = ?",
            (clock.iso(), user_id),
        )
        for table in ("user_services", "recovery_codes"):
            db.conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))  # nosec B608 # nosemgrep: sql-format # fixed names
        db.conn.execute("DELETE FROM auth_tokens WHERE user_id = ? AND used_at IS NULL", (user_id,))
        audit.record(db, "user_removed", actor=actor, organisation_id=user["organisation_id"],
                     target=user["email"], detail={"role": user["role"]}, **client)
    return user


def set_services(db: Database, user_id: int, chosen: Iterable[str], *, actor: Mapping | None,
                 **client) -> tuple[set[str], set[str]]:
    """Replace an end user's services; return ``(added, removed)`` (both empty: nothing changed).

    Raises ValueError for an unknown service, WrongState for an approver (they have every
    service) or a removed account.
    """
    chosen = set(chosen)
    with transaction(db):
        user = _load_for_change(db, user_id)
        if user["role"] == "approver":
            raise WrongState("Approvers have every service: there is nothing to choose.")
        if user["status"] == "removed":
            raise WrongState(f"{user['name']}'s account has been removed.")
        before = services.granted(db, user_id)
        added, removed = chosen - before, before - chosen
        if not added and not removed:
            return set(), set()
        services.set_services(db, user_id, chosen)
        audit.record(db, "services_changed", actor=actor, organisation_id=user["organisation_id"],
                     target=user["email"], detail={"added": sorted(added), "removed": sorted(removed)}, **client)
    return added, removed


def _demote_keeping_services(db: Database, user_id: int) -> None:
    """An approver becoming an end user keeps every service they had (an approver can trim them)."""
    db.conn.execute("UPDATE users SET role = 'end_user' WHERE id = ?", (user_id,))
    services.set_services(db, user_id, set(services.SERVICES))


def change_role(db: Database, user_id: int, role: str, config: Mapping, *, actor: Mapping | None, **client) -> bool:
    """Make the user an approver or an end user. Returns False when they already had that role.

    Promotion needs a free approver seat (CapReached); demoting the only active approver
    raises LastApprover; a demoted approver keeps every service. Raises ValueError for an
    unknown role, WrongState for a removed account.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    with transaction(db):
        user = _load_for_change(db, user_id)
        if user["status"] == "removed":
            raise WrongState(f"{user['name']}'s account has been removed.")
        if user["role"] == role:
            return False
        if role == "end_user":
            _guard_last_approver(db, user, "made an end user")
            _demote_keeping_services(db, user_id)
        else:
            check_seat(db, organisation_row(db, user["organisation_id"]), "approver", config)
            db.conn.execute("UPDATE users SET role = 'approver' WHERE id = ?", (user_id,))
        audit.record(db, "role_changed", actor=actor, organisation_id=user["organisation_id"],
                     target=user["email"], detail={"from": user["role"], "to": role}, **client)
    return True


def hand_over(db: Database, from_user_id: int, to_user_id: int, *, actor: Mapping | None, **client) -> dict:
    """Make ``to_user`` an approver and ``from_user`` an end user, in one step; return the new approver.

    Both must be active accounts of the same organisation; ``from_user`` an approver and
    ``to_user`` an end user. The number of approvers does not change, so no cap applies.
    Raises WrongState otherwise.
    """
    with transaction(db):
        giver = _load_for_change(db, from_user_id)
        taker = _load_for_change(db, to_user_id)
        if giver["role"] != "approver" or giver["status"] != "active":
            raise WrongState("Only an active approver can hand the approver role over.")
        if (taker["organisation_id"] != giver["organisation_id"] or taker["status"] != "active"
                or taker["role"] != "end_user"):
            raise WrongState("Choose an active end user of the same organisation.")
        db.conn.execute("UPDATE users SET role = 'approver' WHERE id = ?", (to_user_id,))
        _demote_keeping_services(db, from_user_id)
        audit.record(db, "approver_handed_over", actor=actor, organisation_id=giver["organisation_id"],
                     target=taker["email"], detail={"from": giver["email"], "to": taker["email"]}, **client)
    return get_user(db, to_user_id)


def set_caps(db: Database, organisation_id: int, *, approver_cap: int | None, end_user_cap: int | None,
             actor: Mapping | None, **client) -> dict:
    """Set (or clear, with None) an organisation's own caps; return the organisation.

    Lowering a cap below the seats taken is allowed: nobody loses access, but nobody new
    can join until enough leave. Raises ValueError for a cap out of range.
    """
    if approver_cap is not None and not 1 <= approver_cap <= 1000:
        raise ValueError("an approver cap must be between 1 and 1000")
    if end_user_cap is not None and not 0 <= end_user_cap <= 100000:
        raise ValueError("an end user cap must be between 0 and 100000")
    with transaction(db):
        before = organisation_row(db, organisation_id)
        db.conn.execute(
            "UPDATE organisations SET approver_cap = ?, end_user_cap = ? WHERE id = ?",
            (approver_cap, end_user_cap, organisation_id),
        )
        audit.record(db, "caps_changed", actor=actor, organisation_id=organisation_id, target=before["name"],
                     detail={"approver_cap": [before["approver_cap"], approver_cap],
                             "end_user_cap": [before["end_user_cap"], end_user_cap]}, **client)
    return organisation_row(db, organisation_id)


# ----------------------------------------------------------------------------- CSV

CSV_COLUMNS = ("name", "email", "role", "status", "services", "last_sign_in_at", "two_step_verification",
               "created_at", "suspended_reason")


def csv_rows(users: Iterable[Mapping]) -> Iterator[list]:
    """The users list's cells in ``CSV_COLUMNS`` order (written by ``domain.csv_files.csv_chunks``)."""
    for user in users:
        values = {
            **user,
            "role": ROLES[user["role"]],
            "status": STATES[user["state"]],
            "services": "; ".join(services.SERVICES[s] for s in user["services"]),
            "two_step_verification": "on" if user["totp_enrolled_at"] else "off",
        }
        yield [values.get(column) or "" for column in CSV_COLUMNS]


# ----------------------------------------------------------------------------- termly review prompts


def organisations_to_prompt(db: Database, term_key: str) -> list[dict]:
    """Open organisations with an active approver that have had no review prompt in ``term_key``."""
    return rows(
        db,
        "SELECT o.* FROM organisations o WHERE o.status <> 'closed' AND EXISTS (SELECT 1 FROM users u"
        " WHERE u.organisation_id = o.id AND u.role = 'approver' AND u.status = 'active') AND NOT EXISTS"
        " (SELECT 1 FROM review_prompts p WHERE p.organisation_id = o.id AND p.term_key = ?) ORDER BY o.id",
        (term_key,),
    )


def claim_review_prompt(db: Database, organisation_id: int, term_key: str, *, recipients: int, unused: int) -> bool:
    """Record the organisation's prompt for ``term_key`` and audit it; False when it was already sent.

    Two runners at once: one records it (and sends), the other gets False.
    """
    with transaction(db):
        cursor = db.conn.execute(
            "INSERT OR IGNORE INTO review_prompts (organisation_id, term_key, sent_at, recipients, unused)"
            " VALUES (?, ?, ?, ?, ?)",
            (organisation_id, term_key, clock.iso(), recipients, unused),
        )
        if cursor.rowcount != 1:
            return False
        audit.record(db, "review_prompt_sent", organisation_id=organisation_id, target=term_key,
                     detail={"recipients": recipients, "unused": unused})
    return True
