"""Invitations: a user row with status ``invited`` and a single-use ``invitation`` token.

Only the token's SHA-256 is stored (``auth_tokens``). Resending makes a new token and
withdraws the old one. Revoking, or the invitation expiring, deletes the never-used user row
(its services and token go with it); the audit log keeps what happened. Accepting sets the
password and makes the account active.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlite_utils import Database

from domain import clock
from domain.security.tokens import new_token
from models import audit, auth_tokens, services
from models.accounts import EmailUnavailable, WrongState, check_seat, get_user, organisation_row
from models.db import one, rows, transaction

PURPOSE = "invitation"


def _reuse_removed(db: Database, existing: dict, organisation_id: int, name: str, role: str, actor) -> int:
    """Give a removed account's row (same person, same email) a fresh start as an invitation."""
    db.conn.execute(
        "UPDATE users SET organisation_id = ?, name = ?, role = ?, status = 'invited', is_site_admin = 0,"
        " password_hash = NULL, password_changed_at = NULL, must_change_password = 0, failed_attempts = 0,"
        " locked_until = NULL, totp_secret = NULL, totp_enrolled_at = NULL, totp_last_step = NULL,"
        " session_version = session_version + 1, suspended_at = NULL, suspended_reason = NULL,"
        " removed_at = NULL, invited_at = ?, invited_by = ? WHERE id = ?",
        (organisation_id, name, role, clock.iso(), actor["id"] if actor else None, existing["id"]),
    )
    db.conn.execute("DELETE FROM recovery_codes WHERE user_id = ?", (existing["id"],))
    return existing["id"]


def invite(
    db: Database,
    config: Mapping,
    *,
    organisation: Mapping,
    email: str,
    name: str,
    role: str,
    chosen_services: Iterable[str] = (),
    actor: Mapping | None,
    via: str = "invitation",
    **client,
) -> tuple[dict, str]:
    """Invite someone to ``organisation``; return ``(user, token)`` (the token goes in the email only).

    The invitation takes a seat of ``role`` at once (CapReached when none is free) and is
    valid for INVITATION_DAYS. ``chosen_services`` apply to end users (approvers have all).
    An email address of a removed account can be invited again (that row is reused); any
    other existing account raises EmailUnavailable. ``via`` says what led to it
    (``invitation``, ``account_request``) for the audit log. Joins the caller's transaction.
    """
    email = email.strip().lower()
    name = " ".join(name.split())
    chosen = set(chosen_services) if role == "end_user" else set()
    token, token_hash = new_token()
    with transaction(db):
        existing = one(db, "SELECT id, status, organisation_id FROM users WHERE email = ? COLLATE NOCASE", (email,))
        if existing is not None and existing["status"] != "removed":
            if existing["organisation_id"] == organisation["id"]:
                raise EmailUnavailable(f"{email} already has an account at {organisation['name']}.")
            raise EmailUnavailable(
                f"{email} cannot be invited: it is already used by a Gatehouse account. Ask the LA if they need "
                "to move organisation."
            )
        check_seat(db, organisation_row(db, organisation["id"]), role, config)
        if existing is not None:
            user_id = _reuse_removed(db, existing, organisation["id"], name, role, actor)
        else:
            cursor = db.conn.execute(
                "INSERT INTO users (email, name, organisation_id, role, status, invited_at, invited_by)"
                " VALUES (?, ?, ?, ?, 'invited', ?, ?)",
                (email, name, organisation["id"], role, clock.iso(), actor["id"] if actor else None),
            )
            user_id = cursor.lastrowid
        services.set_services(db, user_id, chosen)
        auth_tokens.create(db, user_id, PURPOSE, token_hash, int(config["INVITATION_DAYS"]) * 24 * 60)
        audit.record(db, "user_invited", actor=actor, organisation_id=organisation["id"], target=email,
                     detail={"role": role, "services": sorted(chosen), "via": via}, **client)
    return get_user(db, user_id), token


def resend(db: Database, user_id: int, config: Mapping, *, actor: Mapping | None, **client) -> tuple[dict, str]:
    """Send a fresh link (the old one stops working); return ``(user, token)``.

    An expired invitation needs a free seat again (CapReached). Raises WrongState when the
    account is not an invitation.
    """
    token, token_hash = new_token()
    with transaction(db):
        user = one(db, "SELECT * FROM users WHERE id = ?", (user_id,))
        if user is None or user["status"] != "invited":
            raise WrongState("That invitation has already been accepted, revoked or has expired.")
        check_seat(db, organisation_row(db, user["organisation_id"]), user["role"], config, excluding=user_id)
        auth_tokens.create(db, user_id, PURPOSE, token_hash, int(config["INVITATION_DAYS"]) * 24 * 60)
        audit.record(db, "invitation_resent", actor=actor, organisation_id=user["organisation_id"],
                     target=user["email"], **client)
    return get_user(db, user_id), token


def _delete(db: Database, user: Mapping, action: str, actor: Mapping | None, client: dict) -> None:
    db.conn.execute("UPDATE account_requests SET user_id = NULL WHERE user_id = ?", (user["id"],))
    db.conn.execute("DELETE FROM users WHERE id = ? AND status = 'invited'", (user["id"],))
    audit.record(db, action, actor=actor, organisation_id=user["organisation_id"], target=user["email"],
                 detail={"role": user["role"]}, **client)


def revoke(db: Database, user_id: int, *, actor: Mapping | None, **client) -> dict:
    """Withdraw an invitation (its link stops working, its seat is freed); return the invitation as it was.

    Raises WrongState when the account is not an invitation.
    """
    with transaction(db):
        user = get_user(db, user_id)
        if user is None or user["status"] != "invited":
            raise WrongState("That invitation has already been accepted, revoked or has expired.")
        _delete(db, user, "invitation_revoked", actor, client)
    return user


def find(db: Database, token_hash: str) -> tuple[dict, dict] | None:
    """Return ``(token_row, user)`` for a live invitation link, else None."""
    found = auth_tokens.find_valid(db, PURPOSE, token_hash)
    if found is None:
        return None
    user = get_user(db, found["user_id"])
    if user is None or user["status"] != "invited":
        return None
    return found, user


def accept(db: Database, token_id: int, user_id: int, password_hash: str, **client) -> dict | None:
    """Use the link: set the password and make the account active; return the user (None: link already used).

    Audits ``invitation_accepted`` with the user as actor. Raises WrongState (nothing
    changed) when the invitation was revoked between finding and accepting it.
    """
    with transaction(db):
        if not auth_tokens.consume(db, token_id):
            return None
        cursor = db.conn.execute(
            "UPDATE users SET status = 'active', password_hash = ?, password_changed_at = ?,"
            " session_version = session_version + 1 WHERE id = ? AND status = 'invited'",
            (password_hash, clock.iso(), user_id),
        )
        if cursor.rowcount != 1:  # revoked meanwhile: undo the token's use with the rest
            raise WrongState("That invitation has been revoked.")
        user = one(db, "SELECT * FROM users WHERE id = ?", (user_id,))
        audit.record(db, "invitation_accepted", actor=user, organisation_id=user["organisation_id"],
                     target=user["email"], **client)
    return get_user(db, user_id)


def expired(db: Database) -> list[dict]:
    """Invitations whose every link has expired (the ones :func:`expire` deletes)."""
    return [
        get_user(db, row["id"])
        for row in rows(
            db,
            "SELECT u.id FROM users u WHERE u.status = 'invited' AND NOT EXISTS (SELECT 1 FROM auth_tokens t"
            " WHERE t.user_id = u.id AND t.purpose = 'invitation' AND t.used_at IS NULL AND t.expires_at > ?)",
            (clock.iso(),),
        )
    ]


def expire(db: Database, user_id: int) -> dict | None:
    """Delete one expired invitation (audit ``invitation_expired``); None when it is no longer expired or gone.

    Safe to call twice or from two runners: the check and the delete are one transaction.
    """
    with transaction(db):
        user = get_user(db, user_id)
        if user is None or user["state"] != "invitation_expired":
            return None
        _delete(db, user, "invitation_expired", None, {})
    return user
