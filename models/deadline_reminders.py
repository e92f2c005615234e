"""Deadline reminder digests: who gets them, what each contains, and the once-a-day record.

A person gets at most one digest email a day (``reminder_digests`` holds one row per user
per date, claimed before the email is sent). People opt out with the ``deadline_digests``
column of ``users``. Chases sent by LA staff are not digests and ignore the opt-out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlite_utils import Database

from domain import clock
from domain.dates import is_working_day, next_working_day, previous_working_day
from models import deadline_catalogue, deadline_instances, deadline_statuses, users
from models.db import rows, transaction


def wants_digests(user: dict) -> bool:
    """True when the user has not opted out of reminder digests."""
    return bool(user.get("deadline_digests", 1))


def set_digests(
    db: Database, user: dict, wanted: bool, *, ip: str | None = None, user_agent: str | None = None
) -> None:
    """Opt the user in to (``wanted``) or out of reminder digests; audited when it changes."""
    users.set_email_choice(db, user, "deadline_digests", wanted, ip=ip, user_agent=user_agent)


def days_before(config) -> list[int]:
    """The REMINDER_DAYS_BEFORE setting as sorted whole days, largest first (e.g. ``[7, 1]``).

    Raises ValueError naming the setting when it holds anything but comma-separated whole
    numbers from 1 to 60.
    """
    text = str(config.get("REMINDER_DAYS_BEFORE") or "").strip()
    if not text:
        return []
    days = set()
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or not 1 <= int(part) <= 60:
            raise ValueError(
                f"REMINDER_DAYS_BEFORE must be whole numbers of days from 1 to 60, like 7,1 (not {text!r})"
            )
        days.add(int(part))
    return sorted(days, reverse=True)


# ----------------------------------------------------------------------------- the daily digest


@dataclass(frozen=True)
class Reminder:
    """One line of a digest: a deadline, why it is mentioned, and the school's status."""

    instance: dict
    reason: str  # "due_in" or "overdue"
    days: int  # days until due (due_in) or days overdue
    status: dict


def _due_ranges(on: dt.date, days: list[int], on_overdue: bool, region: str) -> list[tuple[str, dt.date, dt.date]]:
    """``(reason, first due date, last due date)`` for each kind of reminder sent on ``on``.

    A reminder N days before is sent on the last working day on or before the date N
    days before the due date (so one due on a Monday is reminded on the Friday); an
    overdue reminder on the first working day after the due date.
    """
    after = next_working_day(on, region)
    before = previous_working_day(on, region)
    ranges = []
    for n in days:
        ranges.append(("due_in", on + dt.timedelta(days=n), after + dt.timedelta(days=n - 1)))
    if on_overdue:
        ranges.append(("overdue", before, on - dt.timedelta(days=1)))
    return ranges


def digests_due(
    db: Database, on: dt.date, *, days_before: list[int], on_overdue: bool, region: str = "ENG"
) -> dict[int, dict]:
    """What each school should be reminded of on ``on`` (a working day; else nothing).

    Returns ``{school_id: {"school": row, "reminders": [Reminder, ...]}}`` for open
    schools with at least one deadline that applies to them, has not been made
    (open, in progress, returned or overdue) and falls due as described in
    :func:`_due_ranges`. A handful of queries whatever the number of schools.
    """
    if not is_working_day(on, region):
        return {}
    ranges = _due_ranges(on, days_before, on_overdue, region)
    if not ranges:
        return {}
    start, end = min(r[1] for r in ranges), max(r[2] for r in ranges)
    instances = [i for i in deadline_instances.instances_between(db, start, end) if i["return_type"] != "none"]
    if not instances:
        return {}
    entries = {e["id"]: e for e in deadline_catalogue.list_entries(db, active_only=True)}
    marks = ",".join("?" * len(instances))
    current = {
        (r["instance_id"], r["organisation_id"]): r
        for r in rows(
            # nosemgrep: sql-format # {marks} is only ? placeholders: every value is bound
            db, f"SELECT * FROM deadline_statuses WHERE instance_id IN ({marks})", [i["id"] for i in instances]  # nosec B608
        )
    }
    schools = rows(db, "SELECT * FROM organisations WHERE kind = 'school' AND status IN ('open', 'proposed_to_close')")
    found: dict[int, dict] = {}
    for school in schools:
        for instance in instances:
            if not deadline_catalogue.applies_to(entries[instance["catalogue_id"]], school):
                continue
            status = deadline_statuses.status_from(instance, current.get((instance["id"], school["id"])), on)
            if status["key"] not in deadline_statuses.NOT_SUBMITTED:
                continue
            for reason, first, last in ranges:
                if first <= instance["due_on"] <= last:
                    days = (instance["due_on"] - on).days if reason == "due_in" else (on - instance["due_on"]).days
                    reminder = Reminder(instance, reason, days, status)
                    found.setdefault(school["id"], {"school": school, "reminders": []})["reminders"].append(reminder)
                    break
    return found


def recipients(db: Database, school_ids: list[int]) -> dict[int, list[dict]]:
    """Active users of those schools who can use Deadlines and have not opted out of digests."""
    if not school_ids:
        return {}
    marks = ",".join("?" * len(school_ids))
    found: dict[int, list[dict]] = {}
    for user in rows(
        db,
        # nosemgrep: sql-format # {marks} is only ? placeholders: every value is bound
        f"SELECT u.* FROM users u WHERE u.organisation_id IN ({marks}) AND u.status = 'active'"  # nosec B608
        " AND u.deadline_digests = 1 AND (u.role = 'approver' OR u.is_site_admin = 1 OR EXISTS"
        " (SELECT 1 FROM user_services s WHERE s.user_id = u.id AND s.service = 'deadlines')) ORDER BY u.id",
        school_ids,
    ):
        found.setdefault(user["organisation_id"], []).append(user)
    return found


def claim_digest(db: Database, user_id: int, on: dt.date, items: int) -> bool:
    """Record that ``user_id`` gets their digest for ``on``; False when they already have one.

    The INSERT is the guard: whichever runner claims first sends, so nobody gets two a day.
    """
    with transaction(db):
        cursor = db.conn.execute(
            "INSERT OR IGNORE INTO reminder_digests (user_id, on_date, sent_at, items) VALUES (?, ?, ?, ?)",
            (user_id, on.isoformat(), clock.iso(), items),
        )
    return cursor.rowcount == 1


def note_outbox(db: Database, user_id: int, on: dt.date, outbox_id: int) -> None:
    """Link a claimed digest to the outbox row of the email that carried it."""
    with transaction(db):
        db.conn.execute(
            "UPDATE reminder_digests SET outbox_id = ? WHERE user_id = ? AND on_date = ?",
            (outbox_id, user_id, on.isoformat()),
        )


def sent_on(db: Database, on: dt.date) -> list[dict]:
    """The digests recorded for a date."""
    return rows(db, "SELECT * FROM reminder_digests WHERE on_date = ? ORDER BY user_id", (on.isoformat(),))
