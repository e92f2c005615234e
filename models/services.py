"""Services: what an end user may use. Approvers have every service of their organisation.

LA staff (users of the LA organisation) with a service see that service for every school of
the LA. Site admins have everything.
"""

from __future__ import annotations

from sqlite_utils import Database

from models.db import rows, transaction

SERVICES: dict[str, str] = {
    "returns": "Returns (uploads and validation)",
    "transfers": "Transfers and messages",
    "pride": "PRIDE incident returns",
    "deadlines": "Deadlines (view)",
    "local_returns": "Local returns (the LA's own data collections)",
}


def granted(db: Database, user_id: int) -> set[str]:
    """Return the services explicitly granted to ``user_id``."""
    return {r["service"] for r in rows(db, "SELECT service FROM user_services WHERE user_id = ?", (user_id,))}


def effective(db: Database, user: dict) -> set[str]:
    """Return the services ``user`` can use: all for approvers and site admins, else those granted."""
    if user["role"] == "approver" or user["is_site_admin"]:
        return set(SERVICES)
    return granted(db, user["id"])


def set_services(db: Database, user_id: int, services: set[str] | list[str]) -> None:
    """Replace the user's granted services. Raises ValueError for an unknown service name."""
    unknown = set(services) - set(SERVICES)
    if unknown:
        raise ValueError(f"unknown services: {sorted(unknown)}")
    with transaction(db):
        db.conn.execute("DELETE FROM user_services WHERE user_id = ?", (user_id,))
        db.conn.executemany(
            "INSERT INTO user_services (user_id, service) VALUES (?, ?)", [(user_id, s) for s in sorted(services)]
        )


def users_with_service(db: Database, organisation_id: int, service: str) -> list[dict]:
    """Return the active users of an organisation who can use ``service`` (approvers included)."""
    return rows(
        db,
        "SELECT u.* FROM users u WHERE u.organisation_id = ? AND u.status = 'active' AND (u.role = 'approver'"
        " OR EXISTS (SELECT 1 FROM user_services s WHERE s.user_id = u.id AND s.service = ?)) ORDER BY u.name",
        (organisation_id, service),
    )
