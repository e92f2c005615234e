"""Approver claim codes: a one-off code a site admin (or LA approver) issues for an organisation
with no active approver. Whoever redeems it becomes an approver there.

Only the code's hash is stored; the code is shown once when issued. A code is live until it
is redeemed, revoked or expires (CLAIM_CODE_DAYS). Issuing a new code revokes the
organisation's earlier live ones. Redeeming marks the code used in the same transaction as
the role change, so a code works once however many people try it at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from sqlite_utils import Database

from domain import access_rules, clock
from models import audit
from models.accounts import EmailUnavailable, WrongState, check_seat, organisation_row
from models.db import one, rows, transaction

_SELECT = (
    "SELECT c.*, o.name AS organisation_name, o.kind AS organisation_kind, o.la_code AS organisation_la_code,"
    " o.dfe_number AS organisation_dfe_number, cb.name AS created_by_name, cb.email AS created_by_email,"
    " rb.name AS redeemed_by_name, rb.email AS redeemed_by_email"
    " FROM approver_claims c JOIN organisations o ON o.id = c.organisation_id"
    " JOIN users cb ON cb.id = c.created_by LEFT JOIN users rb ON rb.id = c.redeemed_by"
)


def state_of(claim: Mapping, now_text: str | None = None) -> str:
    """``redeemed``, ``revoked``, ``expired`` or ``live``."""
    if claim["redeemed_at"]:
        return "redeemed"
    if claim["revoked_at"]:
        return "revoked"
    if claim["expires_at"] <= (now_text or clock.iso()):
        return "expired"
    return "live"


def _with_state(claim: dict | None) -> dict | None:
    if claim is not None:
        claim["state"] = state_of(claim)
    return claim


def get(db: Database, claim_id: int) -> dict | None:
    """One claim with organisation and people's names, and its ``state``."""
    return _with_state(one(db, f"{_SELECT} WHERE c.id = ?", (claim_id,)))


def list_for_organisation(db: Database, organisation_id: int) -> list[dict]:
    """The organisation's claims, newest first."""
    return [_with_state(c) for c in rows(db, f"{_SELECT} WHERE c.organisation_id = ? ORDER BY c.id DESC",
                                         (organisation_id,))]


def _has_active_approver(db: Database, organisation_id: int) -> bool:
    return one(db, "SELECT 1 FROM users WHERE organisation_id = ? AND role = 'approver' AND status = 'active'"
                   " LIMIT 1", (organisation_id,)) is not None


def schools_needing_codes(db: Database, la_code: str | None) -> list[dict]:
    """The LA's open schools (every LA's for ``la_code`` None) with no active approver and no live claim
    code, by name: those a batch of claim letters is for."""
    return rows(
        db,
        "SELECT o.id, o.name, o.dfe_number, o.phase FROM organisations o"
        " WHERE o.kind = 'school' AND o.status <> 'closed' AND (:la IS NULL OR o.la_code = :la)"
        " AND NOT EXISTS (SELECT 1 FROM users u WHERE u.organisation_id = o.id AND u.role = 'approver'"
        "  AND u.status = 'active')"
        " AND NOT EXISTS (SELECT 1 FROM approver_claims c WHERE c.organisation_id = o.id AND c.revoked_at IS NULL"
        "  AND c.redeemed_at IS NULL AND c.expires_at > :now)"
        " ORDER BY o.name COLLATE NOCASE, o.id",
        {"la": la_code, "now": clock.iso()},
    )


def issue(db: Database, organisation_id: int, days: int, *, actor: Mapping, **client) -> tuple[dict, str]:
    """Issue a claim code for an organisation with no active approver; return ``(claim, code)``.

    Earlier live codes of the organisation are revoked. Raises WrongState when the
    organisation has an active approver (they invite people instead).
    """
    code = access_rules.new_code()
    now = clock.now()
    with transaction(db):
        organisation = organisation_row(db, organisation_id)
        if _has_active_approver(db, organisation_id):
            raise WrongState(f"{organisation['name']} has an active approver: they can invite approvers themselves.")
        revoked = db.conn.execute(
            "UPDATE approver_claims SET revoked_at = ?, revoked_by = ? WHERE organisation_id = ?"
            " AND revoked_at IS NULL AND redeemed_at IS NULL AND expires_at > ?",
            (clock.iso(now), actor["id"], organisation_id, clock.iso(now)),
        ).rowcount
        cursor = db.conn.execute(
            "INSERT INTO approver_claims (organisation_id, code_hash, created_by, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (organisation_id, access_rules.hash_code(code), actor["id"], clock.iso(now),
             clock.iso(now + timedelta(days=days))),
        )
        audit.record(db, "claim_code_issued", actor=actor, organisation_id=organisation_id,
                     target=f"approver_claim:{cursor.lastrowid}",
                     detail={"expires_at": clock.iso(now + timedelta(days=days)), "revoked_earlier": revoked},
                     **client)
    return get(db, cursor.lastrowid), code


def revoke(db: Database, claim_id: int, *, actor: Mapping, **client) -> dict:
    """Revoke a live claim code; return it. Raises WrongState when it is not live."""
    with transaction(db):
        claim = get(db, claim_id)
        if claim is None or claim["state"] != "live":
            raise WrongState("That code is no longer live: it was used, revoked or has expired.")
        db.conn.execute("UPDATE approver_claims SET revoked_at = ?, revoked_by = ? WHERE id = ?",
                        (clock.iso(), actor["id"], claim_id))
        audit.record(db, "claim_code_revoked", actor=actor, organisation_id=claim["organisation_id"],
                     target=f"approver_claim:{claim_id}", **client)
    return get(db, claim_id)


def find_live(db: Database, code: str) -> dict | None:
    """The live claim whose code is ``code`` (any case, hyphens optional), else None."""
    if not access_rules.looks_like_code(code):
        return None
    claim = _with_state(one(db, f"{_SELECT} WHERE c.code_hash = ?", (access_rules.hash_code(code),)))
    return claim if claim and claim["state"] == "live" else None


def _use(db: Database, claim_id: int, user_id: int) -> dict:
    """Mark the claim redeemed by ``user_id``; raise WrongState when it is no longer live."""
    now = clock.iso()
    cursor = db.conn.execute(
        "UPDATE approver_claims SET redeemed_at = ?, redeemed_by = ? WHERE id = ? AND redeemed_at IS NULL"
        " AND revoked_at IS NULL AND expires_at > ?",
        (now, user_id, claim_id, now),
    )
    if cursor.rowcount != 1:
        raise WrongState("That code is no longer live: it was used, revoked or has expired.")
    return get(db, claim_id)


def _check_claimable(db: Database, claim: Mapping) -> dict:
    organisation = organisation_row(db, claim["organisation_id"])
    if _has_active_approver(db, organisation["id"]):
        raise WrongState(f"{organisation['name']} has an approver now. Ask them to invite you.")
    return organisation


def redeem_as(db: Database, claim_id: int, user: Mapping, config: Mapping, **client) -> dict:
    """Make the signed-in ``user`` (of the claim's organisation) its approver with the code.

    Raises WrongState when the code is no longer live, the user belongs to another
    organisation or the organisation has an active approver by now; CapReached when the
    approver seats are taken (by invitations).
    """
    with transaction(db):
        claim = _use(db, claim_id, user["id"])
        if user["organisation_id"] != claim["organisation_id"]:
            raise WrongState(
                f"This code is for {claim['organisation_name']}, and your account belongs to another organisation. "
                "Sign out, then use the code to make a new account."
            )
        organisation = _check_claimable(db, claim)
        if user["role"] != "approver":
            check_seat(db, organisation, "approver", config)
            db.conn.execute("UPDATE users SET role = 'approver' WHERE id = ?", (user["id"],))
        audit.record(db, "approver_claimed", actor=user, organisation_id=organisation["id"], target=user["email"],
                     detail={"claim": claim_id, "new_account": False}, **client)
    return claim


def redeem_new_account(
    db: Database, claim_id: int, config: Mapping, *, name: str, email: str, password_hash: str, **client
) -> dict:
    """Create an active approver account at the claim's organisation with the code; return the user row.

    Raises WrongState (code no longer live, or an approver exists by now), CapReached, or
    models.accounts.EmailUnavailable when the address already has an account.
    """
    email = email.strip().lower()
    with transaction(db):
        claim = get(db, claim_id)
        if claim is None or claim["state"] != "live":
            raise WrongState("That code is no longer live: it was used, revoked or has expired.")
        organisation = _check_claimable(db, claim)
        if one(db, "SELECT 1 FROM users WHERE email = ? COLLATE NOCASE", (email,)):
            raise EmailUnavailable(
                f"{email} already has a Gatehouse account. Sign in with it first, or use another address."
            )
        check_seat(db, organisation, "approver", config)
        cursor = db.conn.execute(
            "INSERT INTO users (email, name, organisation_id, role, status, password_hash, password_changed_at)"
            " VALUES (?, ?, ?, 'approver', 'active', ?, ?)",
            (email, " ".join(name.split()), organisation["id"], password_hash, clock.iso()),
        )
        user = one(db, "SELECT * FROM users WHERE id = ?", (cursor.lastrowid,))
        _use(db, claim_id, user["id"])
        audit.record(db, "approver_claimed", actor=user, organisation_id=organisation["id"], target=email,
                     detail={"claim": claim_id, "new_account": True}, **client)
    return user
