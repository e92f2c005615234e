"""The LA's view of accounts everywhere: per organisation, approvers, users and requests.

The counts of every organisation are read once (three plain queries, a few milliseconds for
600 organisations and 5,400 accounts) and kept until anything about access changes; the
totals, filters and pages are worked out from those rows in Python.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlite_utils import Database

from models import access_cache, account_requests
from models.db import rows

FILTERS = {
    "": "All organisations",
    "no_approver": "No active approver",
    "pending": "Requests waiting",
    "overdue": "Overdue requests",
}

def overview(db: Database, la_code: str | None, today: dt.date, *, with_la_shown: int = 25) -> dict:
    """What the oversight page shows, as ``{"items", "totals", "with_la", "with_la_total"}``.

    ``items`` are :func:`read_summaries`, ``totals`` their :func:`totals`, ``with_la`` the
    first ``with_la_shown`` open requests the LA should decide and ``with_la_total`` how many
    there are. Cached per process until anything about access changes (``models.access_cache``);
    the values are shared between requests, so callers must not change them.
    """

    def compute() -> dict:
        items = read_summaries(db, la_code, today)
        return {
            "items": items,
            "totals": totals(items),
            "with_la": account_requests.list_with_la(db, la_code, with_la_shown),
            "with_la_total": account_requests.count_with_la(db, la_code),
        }

    return access_cache.cached(db, ("oversight", la_code, today, with_la_shown), compute)


def read_summaries(db: Database, la_code: str | None, today: dt.date) -> list[dict]:
    """Every open organisation (of one LA, or all for None) with its counts, read now: LA first, then by name.

    Each dict has the organisation's fields and ``approvers``, ``end_users`` (active),
    ``invited``, ``suspended``, ``pending`` and ``overdue`` (open requests past their due date).
    Three plain queries (organisations; users counted by organisation, role and status along
    the covering index; open requests by organisation) are combined here: measured ~3x
    quicker than one query joining aggregates (bench/accounts_bench.py).
    """
    found = rows(
        db,
        "SELECT id, kind, name, dfe_number, urn, status, la_code, approver_cap, end_user_cap FROM organisations"
        " WHERE (:la IS NULL OR la_code = :la) AND status <> 'closed'"
        " ORDER BY kind = 'school', name COLLATE NOCASE, id",
        {"la": la_code},
    )
    by_id = {}
    for org in found:
        org.update(approvers=0, end_users=0, invited=0, suspended=0, pending=0, overdue=0)
        by_id[org["id"]] = org
    counted = db.conn.execute(
        "SELECT organisation_id, role, status, count(*) FROM users GROUP BY organisation_id, role, status"
    )
    for organisation_id, role, status, n in counted:
        org = by_id.get(organisation_id)
        if org is None or status == "removed":
            continue
        if status == "active":
            org["approvers" if role == "approver" else "end_users"] += n
        else:
            org[status] += n
    waiting = db.conn.execute(
        "SELECT organisation_id, count(*), sum(due_on < ?) FROM account_requests WHERE status = 'open'"
        " GROUP BY organisation_id",
        (today.isoformat(),),
    )
    for organisation_id, pending, overdue in waiting:
        if organisation_id in by_id:
            by_id[organisation_id].update(pending=pending, overdue=overdue)
    return found


def totals(items: list[dict]) -> dict:
    """Counts across ``items`` (from :func:`summaries`): organisations, with no approver, requests, users."""
    return {
        "organisations": len(items),
        "no_approver": sum(1 for i in items if not i["approvers"]),
        "pending": sum(i["pending"] for i in items),
        "overdue": sum(i["overdue"] for i in items),
        "active_users": sum(i["approvers"] + i["end_users"] for i in items),
        "invited": sum(i["invited"] for i in items),
    }


_SHOW = {
    "": lambda item: True,
    "no_approver": lambda item: not item["approvers"],
    "pending": lambda item: item["pending"] > 0,
    "overdue": lambda item: item["overdue"] > 0,
}


def _matches(query: str):
    """A test for ``query``: part of the name (any case), or the start of the DfE number or URN."""
    query = " ".join(query.split()).casefold()
    if not query:
        return lambda item: True
    digits = query.replace("/", "").replace(" ", "")
    numeric = digits.isdigit()

    def test(item: dict) -> bool:
        if query in item["name"].casefold():
            return True
        return numeric and (item["dfe_number"].startswith(digits) or str(item["urn"] or "").startswith(digits))

    return test


def page_of(items: list[dict], *, show: str = "", query: str = "", page: int = 1, per_page: int = 50) -> dict:
    """One page of ``items`` filtered by ``show`` (a key of :data:`FILTERS`) and ``query``.

    A page past the end gives the last page. Returns ``{"items", "total", "page", "pages",
    "per_page"}``. Raises KeyError for an unknown ``show``.
    """
    keep, match = _SHOW[show], _matches(query)
    chosen = [item for item in items if keep(item) and match(item)]
    pages = max(1, math.ceil(len(chosen) / per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return {"items": chosen[start:start + per_page], "total": len(chosen), "page": page, "pages": pages,
            "per_page": per_page}
