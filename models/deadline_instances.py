"""Deadline instances: the dated occurrences of catalogue returns (one per period of each academic year).

Instances are made by :func:`generate` from the catalogue's date rules (idempotent: keyed by
catalogue entry, academic year and period) and changed by site admins with :func:`add_instance`,
:func:`move_instance`, :func:`cancel_instance` and :func:`restore_instance` (all audited). An
instance belongs to no school: it applies to every school its catalogue entry's audience names
(``models.deadline_catalogue.applies_to``, :func:`is_applicable`). Each school's status for an
instance is ``models.deadline_statuses``.

Dates in returned rows are ``datetime.date`` objects; timestamps stay ISO text (UTC).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlite_utils import Database

from domain import clock
from domain.dates import academic_year_label, uk_today
from domain.deadline_rules import Instance, instances_for
from models import audit, deadline_catalogue, organisations
from models import term_dates as term_dates_model
from models.db import one, rows, scalar, transaction


class InstanceError(ValueError):
    """An instance change that cannot be made (bad dates, unknown or cancelled instance)."""


def _as_date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def with_dates(row: dict) -> dict:
    for name in ("opens_on", "due_on", "external_due_on", "period_start", "period_end"):
        if name in row:
            row[name] = _as_date(row[name])
    return row


_INSTANCE_SELECT = (
    "SELECT i.*, c.code, c.name, c.description, c.return_type, c.source, c.active AS catalogue_active"
    " FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
)


def get_instance(db: Database, instance_id: int) -> dict | None:
    """Return one instance with its catalogue code, name and return type, or None."""
    row = one(db, f"{_INSTANCE_SELECT} WHERE i.id = ?", (instance_id,))
    return with_dates(row) if row else None


def list_instances(
    db: Database, *, academic_year: int | None = None, catalogue_id: int | None = None, include_cancelled: bool = True
) -> list[dict]:
    """Return instances (of one year / catalogue entry when given), by due date then name."""
    clauses, params = [], {}
    if academic_year is not None:
        clauses.append("i.academic_year = :year")
        params["year"] = academic_year
    if catalogue_id is not None:
        clauses.append("i.catalogue_id = :catalogue_id")
        params["catalogue_id"] = catalogue_id
    if not include_cancelled:
        clauses.append("i.cancelled_at IS NULL")
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    # nosemgrep: sql-format # {where} is fixed clauses with :name placeholders, or nothing
    found = rows(db, f"{_INSTANCE_SELECT}{where} ORDER BY i.due_on, c.sort_order, i.id", params)
    return [with_dates(r) for r in found]


def instances_between(db: Database, start: dt.date, end: dt.date) -> list[dict]:
    """Active (not cancelled) instances of active catalogue entries due from ``start`` to ``end``."""
    return [
        with_dates(r)
        for r in rows(
            db,
            f"{_INSTANCE_SELECT} WHERE i.due_on BETWEEN ? AND ? AND i.cancelled_at IS NULL AND c.active = 1"
            " ORDER BY i.due_on, c.sort_order, i.id",
            (start.isoformat(), end.isoformat()),
        )
    ]


@dataclass
class GenerateSummary:
    """What :func:`generate` did for one academic year."""

    academic_year: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_moved: int = 0
    kept_cancelled: int = 0
    cancelled: int = 0
    entries: int = 0
    dry_run: bool = False
    per_entry: dict[str, int] = field(default_factory=dict)

    def as_detail(self) -> dict:
        return {
            "academic_year": self.academic_year, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "kept_moved": self.kept_moved, "kept_cancelled": self.kept_cancelled,
            "cancelled": self.cancelled, "entries": self.entries,
        }  # fmt: skip


class _DryRun(Exception):
    pass


def compute_instances(db: Database, academic_year: int, *, region: str, shift_policy: str) -> list[tuple[dict, list]]:
    """Return ``[(catalogue_row, [deadline_rules.Instance, ...]), ...]`` for the active entries.

    Pure computation, nothing written. Raises ValueError/TypeError for an implausible year.
    """
    terms = term_dates_model.get(db, academic_year)
    return [
        (entry, instances_for(entry["entry"].rule, academic_year, terms, region, shift_policy))
        for entry in deadline_catalogue.list_entries(db, active_only=True)
    ]


def _same_dates(existing: dict, computed: Instance) -> bool:
    return (
        existing["opens_on"] == computed.opens_on.isoformat()
        and existing["due_on"] == computed.due_on.isoformat()
        and existing["external_due_on"] == (computed.external_due_on.isoformat() if computed.external_due_on else None)
        and existing["period_label"] == computed.period_label
    )


def _instance_values(catalogue_id: int, year: int, computed: Instance, now: str) -> dict:
    return {
        "catalogue_id": catalogue_id, "academic_year": year, "period_key": computed.period_key,
        "period_label": computed.period_label, "opens_on": computed.opens_on.isoformat(),
        "due_on": computed.due_on.isoformat(),
        "external_due_on": computed.external_due_on.isoformat() if computed.external_due_on else None, "now": now,
    }  # fmt: skip


def _generate_entry(db: Database, entry: dict, computed: list[Instance], year: int, summary: GenerateSummary) -> None:
    now = clock.iso()
    existing = {
        r["period_key"]: r
        for r in rows(
            db, "SELECT * FROM deadline_instances WHERE catalogue_id = ? AND academic_year = ?", (entry["id"], year)
        )
    }
    for item in computed:
        row = existing.pop(item.period_key, None)
        values = _instance_values(entry["id"], year, item, now)
        if row is None:
            db.conn.execute(
                "INSERT INTO deadline_instances (catalogue_id, academic_year, period_key, period_label, opens_on,"
                " due_on, external_due_on, origin, created_at, updated_at) VALUES (:catalogue_id, :academic_year,"
                " :period_key, :period_label, :opens_on, :due_on, :external_due_on, 'generated', :now, :now)",
                values,
            )
            summary.created += 1
        elif row["cancelled_at"] is not None:
            summary.kept_cancelled += 1
        elif row["moved"]:
            summary.kept_moved += 1
        elif _same_dates(row, item):
            summary.unchanged += 1
        else:
            db.conn.execute(
                "UPDATE deadline_instances SET period_label = :period_label, opens_on = :opens_on, due_on = :due_on,"
                " external_due_on = :external_due_on, updated_at = :now WHERE id = :id",
                {**values, "id": row["id"]},
            )
            summary.updated += 1
    stale = [r["id"] for r in existing.values() if r["origin"] == "generated" and not r["moved"]
             and r["cancelled_at"] is None]  # fmt: skip
    db.conn.executemany(
        "UPDATE deadline_instances SET cancelled_at = ?, cancelled_reason = ?, updated_at = ? WHERE id = ?",
        [(now, "No longer produced by the return's date rule (regenerated)", now, i) for i in stale],
    )
    summary.cancelled += len(stale)
    summary.per_entry[entry["code"]] = len(computed)


def generate(
    db: Database,
    academic_year: int,
    *,
    region: str = "ENG",
    shift_policy: str = "previous",
    actor: dict | None = None,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> GenerateSummary:
    """Create or update the academic year's instances of every active catalogue entry.

    Idempotent: instances are keyed by (entry, year, period); running again changes only
    what the rules or term dates now give differently. Instances a site admin moved or
    cancelled are left alone; generated instances the rule no longer produces (e.g. a week
    that left term time) are cancelled. One transaction, audited ``deadlines_generated``.
    ``progress(code)`` is called after each entry. A dry run computes and rolls back.

    Raises ValueError/TypeError for an implausible year, region or shift policy.
    """
    computed = compute_instances(db, academic_year, region=region, shift_policy=shift_policy)
    summary = GenerateSummary(academic_year=academic_year, entries=len(computed), dry_run=dry_run)
    try:
        with transaction(db):
            for entry, instances in computed:
                _generate_entry(db, entry, instances, academic_year, summary)
                if progress:
                    progress(entry["code"])
            audit.record(
                db, "deadlines_generated", actor=actor, organisation_id=actor["organisation_id"] if actor else None,
                target=f"academic_year:{academic_year_label(academic_year)}",
                detail={**summary.as_detail(), "region": region, "shift_policy": shift_policy},
            )  # fmt: skip
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return summary


def _check_dates(opens_on: dt.date, due_on: dt.date, external_due_on: dt.date | None) -> None:
    if opens_on > due_on:
        raise InstanceError("The opening date must be on or before the due date")
    if external_due_on is not None and external_due_on < due_on:
        raise InstanceError("The external (DfE) deadline must be on or after the due date")


def _actor_org(actor: dict | None) -> int | None:
    return actor["organisation_id"] if actor else None


def add_instance(
    db: Database,
    *,
    catalogue_id: int,
    academic_year: int,
    period_label: str,
    opens_on: dt.date,
    due_on: dt.date,
    external_due_on: dt.date | None = None,
    actor: dict | None = None,
) -> dict:
    """Add an instance by hand (e.g. an extra collection the DfE announced); audited.

    Raises InstanceError for an unknown catalogue entry, an empty label or dates out of order.
    """
    _check_dates(opens_on, due_on, external_due_on)
    label = (period_label or "").strip()
    if not label:
        raise InstanceError("Enter a name for the period, for example Autumn term 2026/27")
    now = clock.iso()
    with transaction(db):
        entry = one(db, "SELECT id, code FROM return_catalogue WHERE id = ?", (catalogue_id,))
        if entry is None:
            raise InstanceError("That return is not in the catalogue")
        serial = scalar(
            db,
            "SELECT count(*) + 1 FROM deadline_instances WHERE catalogue_id = ? AND origin = 'manual'",
            (catalogue_id,),
        )
        cursor = db.conn.execute(
            "INSERT INTO deadline_instances (catalogue_id, academic_year, period_key, period_label, opens_on, due_on,"
            " external_due_on, origin, moved, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'manual', 1, ?, ?)",
            (catalogue_id, academic_year, f"manual-{serial}-{now}", label, opens_on.isoformat(), due_on.isoformat(),
             external_due_on.isoformat() if external_due_on else None, now, now),
        )  # fmt: skip
        audit.record(
            db, "deadline_instance_added", actor=actor, organisation_id=_actor_org(actor),
            target=f"instance:{cursor.lastrowid}",
            detail={"code": entry["code"], "period": label, "opens_on": opens_on.isoformat(),
                    "due_on": due_on.isoformat()},
        )  # fmt: skip
    return get_instance(db, cursor.lastrowid)


def _not_cancelled(db: Database, instance_id: int, cancelled: str) -> dict:
    """The instance, read inside the caller's transaction. Raises InstanceError when there is none, or with
    ``cancelled`` when it is cancelled."""
    before = get_instance(db, instance_id)
    if before is None:
        raise InstanceError("That deadline does not exist")
    if before["cancelled_at"]:
        raise InstanceError(cancelled)
    return before


def move_instance(
    db: Database,
    instance_id: int,
    *,
    opens_on: dt.date,
    due_on: dt.date,
    external_due_on: dt.date | None,
    reason: str,
    actor: dict | None = None,
) -> dict:
    """Change an instance's dates (it then keeps them when the year is regenerated); audited.

    Raises InstanceError for an unknown or cancelled instance, dates out of order or no reason.
    """
    _check_dates(opens_on, due_on, external_due_on)
    reason = (reason or "").strip()
    if not reason:
        raise InstanceError("Say why the dates changed, for example: the DfE published a different deadline")
    with transaction(db):
        before = _not_cancelled(db, instance_id, "That deadline is cancelled: restore it before moving it")
        db.conn.execute(
            "UPDATE deadline_instances SET opens_on = ?, due_on = ?, external_due_on = ?, moved = 1, updated_at = ?"
            " WHERE id = ?",
            (opens_on.isoformat(), due_on.isoformat(), external_due_on.isoformat() if external_due_on else None,
             clock.iso(), instance_id),
        )  # fmt: skip
        audit.record(
            db, "deadline_instance_moved", actor=actor, organisation_id=_actor_org(actor),
            target=f"instance:{instance_id}",
            detail={"code": before["code"], "period": before["period_label"], "reason": reason,
                    "from": {"opens_on": str(before["opens_on"]), "due_on": str(before["due_on"]),
                             "external_due_on": str(before["external_due_on"] or "")},
                    "to": {"opens_on": opens_on.isoformat(), "due_on": due_on.isoformat(),
                           "external_due_on": external_due_on.isoformat() if external_due_on else ""}},
        )  # fmt: skip
    return get_instance(db, instance_id)


def cancel_instance(db: Database, instance_id: int, *, reason: str, actor: dict | None = None) -> dict:
    """Cancel an instance (it disappears from schools' lists and the matrix); audited.

    Statuses already recorded are kept. Raises InstanceError for an unknown or already
    cancelled instance, or no reason.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InstanceError("Say why this deadline is cancelled")
    with transaction(db):
        before = _not_cancelled(db, instance_id, "That deadline is already cancelled")
        db.conn.execute(
            "UPDATE deadline_instances SET cancelled_at = ?, cancelled_reason = ?, updated_at = ? WHERE id = ?",
            (clock.iso(), reason[:500], clock.iso(), instance_id),
        )
        audit.record(
            db, "deadline_instance_cancelled", actor=actor, organisation_id=_actor_org(actor),
            target=f"instance:{instance_id}",
            detail={"code": before["code"], "period": before["period_label"], "reason": reason},
        )  # fmt: skip
    return get_instance(db, instance_id)


def restore_instance(db: Database, instance_id: int, *, actor: dict | None = None) -> dict:
    """Undo a cancellation (the instance then counts as moved, so regenerating keeps it); audited.

    Raises InstanceError for an unknown instance or one that is not cancelled.
    """
    with transaction(db):
        before = get_instance(db, instance_id)
        if before is None or not before["cancelled_at"]:
            raise InstanceError("That deadline is not cancelled")
        db.conn.execute(
            "UPDATE deadline_instances SET cancelled_at = NULL, cancelled_reason = NULL, moved = 1, updated_at = ?"
            " WHERE id = ?",
            (clock.iso(), instance_id),
        )
        audit.record(
            db, "deadline_instance_restored", actor=actor, organisation_id=_actor_org(actor),
            target=f"instance:{instance_id}", detail={"code": before["code"], "period": before["period_label"]},
        )  # fmt: skip
    return get_instance(db, instance_id)


def find_instance(db: Database, *, code: str, organisation_id: int, on: dt.date | None = None) -> dict | None:
    """The instance of catalogue ``code`` that a school is working on, or None.

    Among the entry's active instances that have opened by ``on`` (default today) and
    apply to the school: the one due soonest on or after ``on``; failing that, the one
    most recently due (an overdue return). None when the code is unknown, the entry does
    not apply to the school, or nothing has opened yet.
    """
    day = (on or uk_today()).isoformat()
    entry = deadline_catalogue.get_by_code(db, code)
    school = organisations.get(db, organisation_id)
    if entry is None or school is None or not deadline_catalogue.applies_to(entry, school):
        return None
    found = one(
        db,
        "SELECT id FROM deadline_instances WHERE catalogue_id = :c AND cancelled_at IS NULL AND opens_on <= :day"
        " ORDER BY due_on < :day, CASE WHEN due_on >= :day THEN due_on END, due_on DESC LIMIT 1",
        {"c": entry["id"], "day": day},
    )
    return get_instance(db, found["id"]) if found else None


def is_applicable(db: Database, instance: dict, school: dict) -> bool:
    """True when ``instance`` (active) applies to ``school``."""
    if instance["cancelled_at"] or not instance["catalogue_active"]:
        return False
    entry = deadline_catalogue.get(db, instance["catalogue_id"])
    return entry is not None and deadline_catalogue.applies_to(entry, school)
