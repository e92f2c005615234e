"""The LA's returns tracker: schools x deadlines with each school's status, counts, chases.

:func:`matrix` reads everything with four queries whatever the size (instances, schools,
current statuses of those instances, chases), and derives each cell's displayed status
with ``models.deadline_statuses.display_status``. Which schools a deadline applies to comes from
its catalogue entry (``models.deadline_catalogue.applies_to``), evaluated once per entry
and school.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlite_utils import Database

from domain import clock
from domain.dates import uk_date_of, uk_today
from models import audit, deadline_catalogue
from models.db import rows, transaction
from models.deadline_instances import with_dates

#: The "status" filter also offers this group of displayed statuses.
from models.deadline_statuses import DONE, NOT_EXPECTED, NOT_SUBMITTED, STATUSES, display_status

#: The "status" filter also offers this group of displayed statuses.
NOT_SUBMITTED_FILTER = "not_submitted"
WINDOW_DAYS = 28
SORTS = ("name", "dfe", "outstanding")


@dataclass(frozen=True)
class Filters:
    """What the tracker shows. ``window`` is ``current`` (open now, or due within four weeks
    either side of today, and every earlier deadline of the year that a school shown has still
    not made) or ``year`` (the whole academic year)."""

    academic_year: int
    window: str = "current"
    code: str | None = None
    instance_id: int | None = None
    phase: str | None = None
    type_name: str | None = None
    status: str | None = None
    query: str | None = None
    sort: str = "name"


def academic_years(db: Database) -> list[int]:
    """The academic years that have deadlines, newest first."""
    return [
        r["academic_year"] for r in rows(db, "SELECT DISTINCT academic_year FROM deadline_instances ORDER BY 1 DESC")
    ]


def school_facets(db: Database, la_code: str) -> dict:
    """The phases and establishment types among the LA's open schools (for the filter lists)."""
    found = rows(
        db,
        "SELECT DISTINCT phase, type_name FROM organisations WHERE kind = 'school' AND la_code = ?"
        " AND status IN ('open', 'proposed_to_close')",
        (la_code,),
    )
    return {
        "phases": sorted({r["phase"] for r in found if r["phase"]}),
        "types": sorted({r["type_name"] for r in found if r["type_name"]}),
    }


def _instances(db: Database, filters: Filters, on: dt.date) -> list[dict]:
    """The deadlines ``filters`` choose, each with ``in_window`` (1 when it is in the current window, or
    no window applies; 0 for an earlier deadline of the year, which :func:`matrix` keeps only while
    a school shown has still not made it)."""
    clauses = ["i.cancelled_at IS NULL", "c.active = 1", "c.return_type <> 'none'"]
    params: dict = {}
    in_window = "1"
    if filters.instance_id is not None:
        clauses.append("i.id = :instance_id")
        params["instance_id"] = filters.instance_id
    else:
        clauses.append("i.academic_year = :year")
        params["year"] = filters.academic_year
        if filters.window == "current":
            in_window = "((i.opens_on <= :today AND i.due_on >= :back) OR i.due_on BETWEEN :today AND :ahead)"
            clauses.append(f"({in_window} OR i.due_on < :today)")
            params.update(
                today=on.isoformat(),
                back=(on - dt.timedelta(days=WINDOW_DAYS)).isoformat(),
                ahead=(on + dt.timedelta(days=WINDOW_DAYS)).isoformat(),
            )
    if filters.code:
        clauses.append("c.code = :code")
        params["code"] = filters.code
    return [
        with_dates(r)
        for r in rows(
            db,
            # nosemgrep: sql-format # the clauses are fixed SQL with :name placeholders; values are bound
            "SELECT i.id, i.catalogue_id, i.academic_year, i.period_key, i.period_label, i.opens_on, i.due_on,"  # nosec B608
            f" i.external_due_on, c.code, c.name, c.return_type, {in_window} AS in_window FROM deadline_instances i"
            " JOIN return_catalogue c ON c.id = i.catalogue_id WHERE " + " AND ".join(clauses) + ""
            " ORDER BY i.due_on, c.sort_order, i.id",
            params,
        )
    ]


def _schools(db: Database, la_code: str, filters: Filters) -> list[dict]:
    clauses = ["kind = 'school'", "la_code = :la", "status IN ('open', 'proposed_to_close')"]
    params: dict = {"la": la_code}
    if filters.phase:
        clauses.append("phase = :phase")
        params["phase"] = filters.phase
    if filters.type_name:
        clauses.append("type_name = :type_name")
        params["type_name"] = filters.type_name
    if filters.query:
        text = " ".join(filters.query.split())
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["name"] = f"%{escaped}%"
        params["digits"] = text.replace("/", "").replace(" ", "") + "%"
        clauses.append("(name LIKE :name ESCAPE '\\' OR dfe_number LIKE :digits OR CAST(urn AS TEXT) LIKE :digits)")
    order = "dfe_number" if filters.sort == "dfe" else "name COLLATE NOCASE, id"
    return rows(
        db,
        # nosemgrep: sql-format # fixed clauses with :name placeholders, and one of two fixed orders
        "SELECT id, kind, name, dfe_number, urn, phase, type_name, status, is_academy, low_age, high_age"  # nosec B608
        f" FROM organisations WHERE {' AND '.join(clauses)} ORDER BY {order}",
        params,
    )


def _current(db: Database, instance_ids: list[int]) -> tuple[dict, dict]:
    if not instance_ids:
        return {}, {}
    marks = ",".join("?" * len(instance_ids))
    statuses = {
        (r["instance_id"], r["organisation_id"]): r
        for r in rows(
            db,
            # nosemgrep: sql-format # {marks} is only ? placeholders: every value is bound
            "SELECT instance_id, organisation_id, status, submitted_at, kind FROM deadline_statuses"  # nosec B608
            f" WHERE instance_id IN ({marks})",
            instance_ids,
        )
    }
    chases = {
        (r["instance_id"], r["organisation_id"]): r
        for r in rows(
            db,
            # nosemgrep: sql-format # {marks} is only ? placeholders: every value is bound
            "SELECT instance_id, organisation_id, max(at) AS last_at, count(*) AS times FROM deadline_chases"  # nosec B608
            f" WHERE instance_id IN ({marks}) GROUP BY instance_id, organisation_id",
            instance_ids,
        )
    }
    return statuses, chases


def _status_matches(wanted: str | None, keys: list[str | None]) -> bool:
    if not wanted:
        return True
    if wanted == NOT_SUBMITTED_FILTER:
        return any(k in NOT_SUBMITTED for k in keys)
    return wanted in keys


def _cells(school: dict, instances: list[dict], entries: dict, statuses: dict, chases: dict, on: dt.date) -> list:
    applicable = {cid for cid, entry in entries.items() if deadline_catalogue.applies_to(entry, school)}
    cells = []
    for instance in instances:
        if instance["catalogue_id"] not in applicable:
            cells.append(None)
            continue
        pair = (instance["id"], school["id"])
        current = statuses.get(pair)
        if current is None:
            key = display_status(None, None, instance["opens_on"], instance["due_on"], on)
        else:
            submitted = uk_date_of(current["submitted_at"]) if current["status"] == "submitted" else None
            key = display_status(
                current["status"], submitted, instance["opens_on"], instance["due_on"], on, current["kind"]
            )
        chase = chases.get(pair)
        cells.append((key, uk_date_of(chase["last_at"]) if chase else None))
    return cells


def matrix(db: Database, *, la_code: str, filters: Filters, on: dt.date | None = None) -> dict:
    """The tracker for the LA's open schools under ``filters``.

    With the ``current`` window, a deadline of the year due before the window is shown while any
    school that matched the phase, type and name filters has still not made it (overdue or
    returned for changes), so an overdue return never drops out of the default view.

    Returns ``{"instances", "rows", "counts", "schools_total", "schools_shown"}``. Each row
    is ``{"school", "cells", "outstanding", "last_chased"}``; a cell is None when the
    deadline does not apply to the school, else ``(status key, date last chased or None)``.
    ``counts[instance_id]`` counts displayed statuses over every school that matched the
    phase, type and name filters (before the status filter), with ``applicable``,
    ``done`` (submitted, late or accepted), ``exempt`` and ``percent`` complete (done out
    of those not exempt; None when there are none).
    """
    on = on or uk_today()
    instances = _instances(db, filters, on)
    schools = _schools(db, la_code, filters)
    used = {i["catalogue_id"] for i in instances}
    entries = {e["id"]: e for e in deadline_catalogue.list_entries(db) if e["id"] in used}
    statuses, chases = _current(db, [i["id"] for i in instances])
    grid = [(school, _cells(school, instances, entries, statuses, chases, on)) for school in schools]
    # an earlier deadline outside the window stays only while a school shown has still not made it
    keep = [
        n
        for n, instance in enumerate(instances)
        if instance["in_window"] or any(cells[n] and cells[n][0] in NOT_SUBMITTED for _, cells in grid)
    ]
    if len(keep) < len(instances):
        instances = [instances[n] for n in keep]
        grid = [(school, [cells[n] for n in keep]) for school, cells in grid]
    counts = {i["id"]: Counter() for i in instances}
    shown = []
    for school, cells in grid:
        keys = [cell[0] if cell else None for cell in cells]
        for instance, key in zip(instances, keys, strict=True):
            if key is not None:
                counts[instance["id"]][key] += 1
        if not _status_matches(filters.status, keys):
            continue
        chased = [cell[1] for cell in cells if cell and cell[1]]
        shown.append({
            "school": school,
            "cells": cells,
            "outstanding": sum(1 for k in keys if k in NOT_SUBMITTED),
            "last_chased": max(chased) if chased else None,
        })  # fmt: skip
    if filters.sort == "outstanding":
        shown.sort(key=lambda row: -row["outstanding"])  # stable: name order within equal counts
    return {
        "instances": instances,
        "rows": shown,
        "counts": {iid: _summary(counter) for iid, counter in counts.items()},
        "schools_total": len(schools),
        "schools_shown": len(shown),
    }


def _summary(counter: Counter) -> dict:
    applicable = sum(counter.values())
    done = sum(counter[k] for k in DONE)
    exempt = sum(counter[k] for k in NOT_EXPECTED)
    expected = applicable - exempt
    return {
        "by_status": {k: counter[k] for k in STATUSES if counter[k]},
        "applicable": applicable,
        "done": done,
        "exempt": exempt,
        "not_submitted": sum(counter[k] for k in NOT_SUBMITTED),
        "percent": round(100 * done / expected) if expected else None,
    }


def record_chase(
    db: Database, *, instance: dict, school: dict, recipients: list[str], actor: dict | None = None
) -> None:
    """Log that the LA chased ``school`` about ``instance`` (shown on its row); audited."""
    with transaction(db):
        db.conn.execute(
            "INSERT INTO deadline_chases (instance_id, organisation_id, at, actor_id, recipients)"
            " VALUES (?, ?, ?, ?, ?)",
            (instance["id"], school["id"], clock.iso(), actor["id"] if actor else None, len(recipients)),
        )
        audit.record(
            db, "deadline_chased", actor=actor, organisation_id=school["id"], target=f"instance:{instance['id']}",
            detail={"code": instance["code"], "period": instance["period_label"], "school": school["dfe_number"],
                    "recipients": recipients},
        )  # fmt: skip


def chases(db: Database, instance_id: int, organisation_id: int) -> list[dict]:
    """The chases of one school about one deadline, newest first, with who sent them."""
    return rows(
        db,
        "SELECT c.*, u.name AS actor_name FROM deadline_chases c LEFT JOIN users u ON u.id = c.actor_id"
        " WHERE c.instance_id = ? AND c.organisation_id = ? ORDER BY c.id DESC",
        (instance_id, organisation_id),
    )
