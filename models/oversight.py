"""The LA's view of accounts everywhere: per organisation, approvers, users and requests.

One aggregate query per page (users and open requests grouped by organisation), filtered and
paginated in SQL, so the page for an LA of 600 organisations reads in a few milliseconds.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlite_utils import Database

from models.db import one, rows

FILTERS = {
    "": "All organisations",
    "no_approver": "No active approver",
    "pending": "Requests waiting",
    "overdue": "Overdue requests",
}
_FILTER_SQL = {
    "": "",
    "no_approver": " AND approvers = 0",
    "pending": " AND pending > 0",
    "overdue": " AND overdue > 0",
}

_SUMMARY_CTE = """
WITH orgs AS (
    SELECT o.id, o.kind, o.name, o.dfe_number, o.urn, o.status, o.la_code, o.approver_cap, o.end_user_cap
    FROM organisations o
    WHERE (:la IS NULL OR o.la_code = :la) AND o.status <> 'closed'
),
people AS (
    SELECT u.organisation_id,
        sum(u.role = 'approver' AND u.status = 'active') AS approvers,
        sum(u.role = 'end_user' AND u.status = 'active') AS end_users,
        sum(u.status = 'invited') AS invited,
        sum(u.status = 'suspended') AS suspended
    FROM users u WHERE u.organisation_id IN (SELECT id FROM orgs) AND u.status <> 'removed'
    GROUP BY u.organisation_id
),
asks AS (
    SELECT r.organisation_id, count(*) AS pending, sum(r.due_on < :today) AS overdue
    FROM account_requests r WHERE r.status = 'open' AND r.organisation_id IN (SELECT id FROM orgs)
    GROUP BY r.organisation_id
),
summary AS (
    SELECT orgs.*, coalesce(people.approvers, 0) AS approvers, coalesce(people.end_users, 0) AS end_users,
        coalesce(people.invited, 0) AS invited, coalesce(people.suspended, 0) AS suspended,
        coalesce(asks.pending, 0) AS pending, coalesce(asks.overdue, 0) AS overdue
    FROM orgs LEFT JOIN people ON people.organisation_id = orgs.id LEFT JOIN asks ON asks.organisation_id = orgs.id
)
"""


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search(query: str) -> tuple[str, dict]:
    query = " ".join(query.split())
    if not query:
        return "", {}
    params = {"name": f"%{_like(query)}%"}
    match = ["name LIKE :name ESCAPE '\\'"]
    digits = query.replace("/", "").replace(" ", "")
    if digits.isdigit():
        params["digits"] = f"{digits}%"
        match += ["dfe_number LIKE :digits", "CAST(urn AS TEXT) LIKE :digits"]
    return " AND (" + " OR ".join(match) + ")", params


def totals(db: Database, la_code: str | None, today: dt.date) -> dict:
    """Counts across the LA: organisations, with no approver, open and overdue requests, users."""
    return one(
        db,
        _SUMMARY_CTE + "SELECT count(*) AS organisations, coalesce(sum(approvers = 0), 0) AS no_approver,"
        " coalesce(sum(pending), 0) AS pending, coalesce(sum(overdue), 0) AS overdue,"
        " coalesce(sum(approvers + end_users), 0) AS active_users, coalesce(sum(invited), 0) AS invited"
        " FROM summary",
        {"la": la_code, "today": today.isoformat()},
    )


def organisations(
    db: Database, la_code: str | None, today: dt.date, *, show: str = "", query: str = "", page: int = 1,
    per_page: int = 50,
) -> dict:
    """One page of organisations with their counts: LA first, then by name.

    ``show`` is a key of :data:`FILTERS`; ``query`` matches part of a name or the start of a
    DfE number or URN. A page past the end gives the last page. Returns ``{"items", "total",
    "page", "pages", "per_page"}``. Raises KeyError for an unknown ``show``.
    """
    where, params = _search(query)
    where = " WHERE 1 = 1" + where + _FILTER_SQL[show]
    params.update({"la": la_code, "today": today.isoformat()})
    total = one(db, _SUMMARY_CTE + f"SELECT count(*) AS n FROM summary{where}", params)["n"]
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    items = rows(
        db,
        _SUMMARY_CTE + f"SELECT * FROM summary{where} ORDER BY kind = 'school', name COLLATE NOCASE, id"
        " LIMIT :limit OFFSET :offset",
        {**params, "limit": per_page, "offset": (page - 1) * per_page},
    )
    return {"items": items, "total": total, "page": page, "pages": pages, "per_page": per_page}
