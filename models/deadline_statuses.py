"""Deadline statuses: each school's status for each deadline instance, and a school's deadlines.

Explicit statuses are recorded as events with :func:`record_status` (the one function other
areas call) into an append-only history; the displayed status is derived from the latest event,
the instance's dates and today's date in England (:func:`display_status`):

* no event (or ``cleared``): ``not_open`` before the opening date, ``open`` up to and
  including the due date, ``overdue`` after it;
* ``in_progress``: ``in_progress``, or ``overdue`` once the due date has passed;
* ``submitted``: ``submitted``, or ``late`` when the submission came after the due date;
* ``accepted``, ``returned`` (returned for changes), ``exempt`` (with a reason): as recorded.
* ``nil``: a submission recorded with ``kind="nil"`` (a NIL return: nothing to report);
  ``not_required``: an exemption recorded with ``kind="not_required"`` (e.g. an academy with no
  data-sharing agreement for PRIDE). The kind is a recorded fact (a column of the history and of the
  current status), chosen by the caller; the note is only human text and never changes the status, so
  a submission noted "NIL return sent by post" is shown as submitted.

A school's deadlines with their statuses: :func:`for_school` and :func:`whats_due`. The instances
themselves are ``models.deadline_instances``. Dates in returned rows are ``datetime.date``
objects; timestamps stay ISO text (UTC).
"""

from __future__ import annotations

import datetime as dt
import json

from sqlite_utils import Database

from domain import clock
from domain.dates import uk_date_of, uk_today
from models import audit, deadline_cache, deadline_catalogue, organisations
from models.db import one, rows, transaction
from models.deadline_instances import find_instance, get_instance, with_dates

EVENT_STATUSES = ("in_progress", "submitted", "accepted", "returned", "exempt", "cleared")
EVENT_LABELS = {
    "in_progress": "In progress",
    "submitted": "Submitted",
    "accepted": "Accepted",
    "returned": "Returned for changes",
    "exempt": "Exempt",
    "cleared": "Status cleared",
}
#: Displayed status -> label (how each looks is templates/deadlines/_macros.html's ``tag_classes``).
STATUSES: dict[str, str] = {
    "not_open": "Not open yet",
    "open": "Open",
    "in_progress": "In progress",
    "submitted": "Submitted",
    "accepted": "Accepted",
    "returned": "Returned for changes",
    "overdue": "Overdue",
    "late": "Late",
    "exempt": "Exempt",
    "nil": "NIL return",
    "not_required": "Not required",
    "information": "For information",
}
#: Displayed statuses that count as a return made.
DONE = frozenset({"submitted", "late", "accepted", "nil"})
#: Displayed statuses of a school that is not expected to make the return.
NOT_EXPECTED = frozenset({"exempt", "not_required"})
#: What kind of submission or exemption a status is (``kind`` of :func:`record_status`) -> the status it needs.
KINDS = {"nil": "submitted", "not_required": "exempt"}
#: The usual note of a NIL return (PRIDE writes "NIL return" or "NIL return: details"): text for people only.
NIL_NOTE = "NIL return"
#: The usual start of a "not required" exemption's note (followed by the reason): text for people only.
NOT_REQUIRED_NOTE = "Return not required"
#: Displayed statuses of a school that has not made the return and can be chased.
NOT_SUBMITTED = frozenset({"open", "in_progress", "returned", "overdue"})
MAX_NOTE = 2000
SOURCE_GATEHOUSE = "gatehouse"


class StatusError(ValueError):
    """A status that cannot be recorded (unknown status, kind, instance or school; no reason for exempt)."""


def display_status(
    explicit: str | None,
    submitted_on: dt.date | None,
    opens_on: dt.date,
    due_on: dt.date,
    on: dt.date,
    kind: str | None = None,
) -> str:
    """The status to show (a key of ``STATUSES``) from the latest explicit one, its kind and the dates.

    ``submitted_on`` is the England date of the latest submission; ``on`` is today; ``kind`` is the
    recorded kind of that status (``nil``, ``not_required`` or None), never guessed from its note.
    """
    if kind is not None and KINDS.get(kind) == explicit:
        return kind
    if explicit in ("exempt", "accepted", "returned"):
        return explicit
    if explicit == "submitted":
        return "late" if submitted_on is not None and submitted_on > due_on else "submitted"
    if on > due_on:
        return "overdue"
    if explicit == "in_progress":
        return "in_progress"
    return "not_open" if on < opens_on else "open"


def status_view(key: str) -> dict:
    """``{"key", "label"}`` for a displayed status key."""
    return {"key": key, "label": STATUSES[key]}


# An instance as models.deadline_instances selects it, with one school's current status as s_* columns
# (NULL when none is recorded).
_INSTANCE_SELECT_WITH_STATUS = (
    "SELECT i.*, c.code, c.name, c.description, c.return_type, c.source, c.active AS catalogue_active,"
    " s.status AS s_status, s.at AS s_at, s.submitted_at AS s_submitted_at, s.note AS s_note, s.kind AS s_kind"
    " FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
    " LEFT JOIN deadline_statuses s ON s.instance_id = i.id AND s.organisation_id = :org"
)


# ----------------------------------------------------------------------------- recording and reading


def _check_status_args(status: str, note: str | None, source: str, kind: str | None) -> str | None:
    if status not in EVENT_STATUSES:
        raise StatusError(f"Unknown status {status!r}: expected one of {', '.join(EVENT_STATUSES)}")
    if kind is not None and kind not in KINDS:
        raise StatusError(f"Unknown kind {kind!r}: expected nil, not_required or none")
    if kind == "nil" and status != "submitted":
        raise StatusError(f"Only a submitted return can be a NIL return, not one {EVENT_LABELS[status].lower()}")
    if kind == "not_required" and status != "exempt":
        raise StatusError(
            f"Only an exemption can say the return is not required, not a status {EVENT_LABELS[status].lower()}"
        )
    note = (note or "").strip() or None
    if status == "exempt" and not note:
        raise StatusError("Give the reason this school is exempt")
    if note and len(note) > MAX_NOTE:
        raise StatusError(f"The note must be {MAX_NOTE} characters or fewer")
    if not source or len(source) > 100:
        raise StatusError("The source must be 1 to 100 characters")
    return note


def _target_for_status(db: Database, organisation_id: int, instance_id: int) -> tuple[dict, dict]:
    instance = get_instance(db, instance_id)
    if instance is None or instance["cancelled_at"]:
        raise StatusError("That deadline does not exist or was cancelled")
    if instance["return_type"] == "none":
        raise StatusError(f"{instance['name']} is for information only: there is no status to record")
    school = organisations.get(db, organisation_id)
    entry = deadline_catalogue.get(db, instance["catalogue_id"])
    if school is None or not deadline_catalogue.applies_to(entry, school):
        raise StatusError(f"{instance['name']} does not apply to that organisation")
    return instance, school


def record_status(
    db: Database,
    *,
    organisation_id: int,
    instance_id: int,
    status: str,
    actor: dict | None = None,
    note: str | None = None,
    source: str = SOURCE_GATEHOUSE,
    at: dt.datetime | None = None,
    kind: str | None = None,
) -> dict:
    """Record an explicit status of a school for an instance; return the displayed status.

    ``status`` is one of ``EVENT_STATUSES``: ``in_progress`` (e.g. upload received),
    ``submitted``, ``accepted`` (authorised), ``returned`` (returned for changes),
    ``exempt`` (``note`` = the reason, required) or ``cleared`` (back to the date-derived
    status). ``source`` says where it came from (``"gatehouse"``, ``"returns"``, or for a
    return made outside Gatehouse e.g. ``"DfE COLLECT"``). ``at`` (aware datetime, default
    now, never in the future) is when it happened: a submission after the due date shows
    as late. ``kind`` says what the caller knows the status to be: ``"nil"`` (with
    ``submitted``: a NIL return, shown as "NIL return") or ``"not_required"`` (with ``exempt``:
    shown as "Not required"); None for anything else. The note never decides it. Appends to
    the history, updates the current status and audits ``deadline_status_recorded`` (with the
    kind) in one transaction.

    Returns ``{"key", "label", "explicit", "kind", "note", "at", "submitted_at"}``.
    Raises StatusError for an unknown status or kind, a kind with the wrong status, a
    cancelled, unknown or information-only instance, a school the instance does not apply
    to, an exemption with no reason, a note over 2,000 characters or a time in the future.
    """
    note = _check_status_args(status, note, source, kind)
    moment = at or clock.now()
    if moment.tzinfo is None or moment > clock.now():
        raise StatusError("The time of a status must be timezone-aware and not in the future")
    stamp = clock.iso(moment)
    with transaction(db):
        instance, school = _target_for_status(db, organisation_id, instance_id)
        cursor = db.conn.execute(
            "INSERT INTO deadline_status_events (instance_id, organisation_id, status, kind, at, actor_id, source,"
            " note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (instance_id, organisation_id, status, kind, stamp, actor["id"] if actor else None, source, note),
        )
        db.conn.execute(
            "INSERT INTO deadline_statuses (instance_id, organisation_id, status, kind, at, submitted_at, note,"
            " event_id) VALUES (:instance, :org, :status, :kind, :at, :submitted, :note, :event)"
            " ON CONFLICT (instance_id, organisation_id) DO UPDATE SET status = excluded.status,"
            " kind = excluded.kind, at = excluded.at,"
            " submitted_at = coalesce(excluded.submitted_at, deadline_statuses.submitted_at), note = excluded.note,"
            " event_id = excluded.event_id",
            {"instance": instance_id, "org": organisation_id, "status": status, "kind": kind, "at": stamp,
             "note": note, "submitted": stamp if status == "submitted" else None, "event": cursor.lastrowid},
        )  # fmt: skip
        audit.record(
            db, "deadline_status_recorded", actor=actor, organisation_id=organisation_id,
            target=f"instance:{instance_id}",
            detail={"status": status, "kind": kind, "source": source, "note": note, "code": instance["code"],
                    "period": instance["period_label"], "school": school["dfe_number"], "at": stamp},
        )  # fmt: skip
    return status_for(db, organisation_id, instance_id)


def record_status_for_code(
    db: Database, *, code: str, organisation_id: int, status: str, on: dt.date | None = None, **kwargs
) -> dict:
    """:func:`record_status` on the instance :func:`find_instance` picks for ``code``.

    Returns the displayed status plus ``instance_id``. Raises StatusError when no instance
    of ``code`` is open for the school, or as :func:`record_status`.
    """
    instance = find_instance(db, code=code, organisation_id=organisation_id, on=on)
    if instance is None:
        raise StatusError(f"No {code} deadline is open for that school")
    result = record_status(db, organisation_id=organisation_id, instance_id=instance["id"], status=status, **kwargs)
    return {**result, "instance_id": instance["id"]}


def status_for(db: Database, organisation_id: int, instance_id: int, on: dt.date | None = None) -> dict:
    """The displayed status of a school for an instance (see :func:`record_status`'s return).

    Raises StatusError for an unknown instance.
    """
    instance = get_instance(db, instance_id)
    if instance is None:
        raise StatusError("That deadline does not exist")
    current = one(
        db,
        "SELECT * FROM deadline_statuses WHERE instance_id = ? AND organisation_id = ?",
        (instance_id, organisation_id),
    )
    return _status_of(instance, current, on or uk_today())


def status_from(instance: dict, current: dict | None, on: dt.date) -> dict:
    """The displayed status of an instance from its ``deadline_statuses`` row (or None) on date ``on``.

    ``current`` needs ``status``, ``kind``, ``note``, ``at`` and ``submitted_at``."""
    return _status_of(instance, current, on)


def _status_of(instance: dict, current: dict | None, on: dt.date) -> dict:
    if instance["return_type"] == "none":
        key = "information"
    else:
        explicit = current["status"] if current else None
        submitted_on = uk_date_of(current["submitted_at"]) if current else None
        kind = current["kind"] if current else None
        key = display_status(explicit, submitted_on, instance["opens_on"], instance["due_on"], on, kind)
    return {
        **status_view(key),
        "explicit": current["status"] if current else None,
        "kind": current["kind"] if current else None,
        "note": current["note"] if current else None,
        "at": current["at"] if current else None,
        "submitted_at": current["submitted_at"] if current else None,
    }


def history(db: Database, organisation_id: int, instance_id: int) -> list[dict]:
    """The school's status events for an instance, newest first, with the actor's name and email and
    ``label`` (the status, or "NIL return" / "Not required" for an event of that kind)."""
    found = rows(
        db,
        "SELECT e.*, u.name AS actor_name, u.email AS actor_email FROM deadline_status_events e"
        " LEFT JOIN users u ON u.id = e.actor_id WHERE e.organisation_id = ? AND e.instance_id = ?"
        " ORDER BY e.id DESC",
        (organisation_id, instance_id),
    )
    for event in found:
        event["label"] = STATUSES[event["kind"]] if event["kind"] else EVENT_LABELS[event["status"]]
    return found


# ----------------------------------------------------------------------------- a school's deadlines


def for_school(db: Database, school: dict, *, start: dt.date, end: dt.date, on: dt.date | None = None) -> list[dict]:
    """The active instances due from ``start`` to ``end`` that apply to ``school``, with its status.

    Each row is an instance dict plus ``status`` (as :func:`status_for`). Two queries.
    """
    on = on or uk_today()
    entries = deadline_catalogue.list_entries(db, active_only=True)
    applicable = [e["id"] for e in entries if deadline_catalogue.applies_to(e, school)]
    found = []
    for row in rows(
        db,
        f"{_INSTANCE_SELECT_WITH_STATUS} WHERE i.due_on BETWEEN :start AND :end AND i.cancelled_at IS NULL"
        " AND i.catalogue_id IN (SELECT value FROM json_each(:applicable))"  # nosec B608 # only constant SQL
        " ORDER BY i.due_on, c.sort_order, i.id",
        {"org": school["id"], "start": start.isoformat(), "end": end.isoformat(), "applicable": json.dumps(applicable)},
    ):
        current = {key: row.pop(f"s_{key}") for key in ("status", "kind", "at", "submitted_at", "note")}
        current = current if current["status"] else None
        instance = with_dates(row)
        instance["status"] = _status_of(instance, current, on)
        found.append(instance)
    return found


def whats_due(db: Database, school: dict, *, on: dt.date | None = None, weeks: int = 8) -> dict:
    """A school's "What's due": ``{"overdue": [...], "upcoming": [...], "until": date}``.

    ``overdue``: returns due in the last year and not made (most overdue first), including one the LA returned
    for changes after its due date (it shows as Returned for changes, and the school must make it again).
    ``upcoming``: everything due from today to ``weeks`` weeks ahead, soonest first
    (made ones included, with their status). Rows as :func:`for_school`. Cached per data
    version and date: callers must not change the rows.
    """
    on = on or uk_today()
    facts = tuple(school.get(k) for k in ("id", "kind", "status", "phase", "type_name", "is_academy", "low_age",
                                          "high_age"))  # fmt: skip
    return deadline_cache.cached(db, ("whats_due", facts, on, weeks), lambda: _whats_due(db, school, on, weeks))


def _whats_due(db: Database, school: dict, on: dt.date, weeks: int) -> dict:
    until = on + dt.timedelta(weeks=weeks)
    everything = for_school(db, school, start=on - dt.timedelta(days=365), end=until, on=on)
    overdue = [
        i
        for i in everything
        if i["status"]["key"] == "overdue" or (i["status"]["key"] == "returned" and i["due_on"] < on)
    ]
    upcoming = [i for i in everything if i["due_on"] >= on]
    return {"overdue": overdue, "upcoming": upcoming, "until": until, "today": on}
