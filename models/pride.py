"""PRIDE: anonymous prejudice-related incident reports, termly returns (incidents confirmed, or NIL) and
the counts the school and LA reports are made of.

* An incident is a ``draft`` until it is ``reported``; the school edits it until the return for its
  term is made. Its term comes from its date and the LA's term dates (a date in a holiday belongs to
  the term that follows, whose return is still to come).
* A termly return is the ``PRIDE-NIL`` deadline instance of that term (the return catalogue may make it
  monthly, one a month from September to July, or annual: a "period" below is a term such as ``autumn``,
  a month such as ``2026-09``, or None for the whole year; an incident's month is that of its date, an
  August date belonging to the September after, as holidays belong to the term that follows):
  :func:`make_return` records it with ``models.deadline_statuses.record_status`` (``submitted``; a NIL
  return with ``kind="nil"`` so it shows as "NIL return", its note "NIL return" only for people to read),
  so the tracker, chasing and digests work unchanged.
  An incident reported for a term whose return is made reopens it (status ``cleared``) and the LA is
  told (the caller sends the email; :func:`save_incident` says when).
* A school marked "PRIDE return not required" gets ``exempt`` with ``kind="not_required"`` (note
  :data:`NOT_REQUIRED_PREFIX` and the reason) on every PRIDE deadline of this and later years, shown as
  "Not required".

Every change is audited in its own transaction. Report counts are aggregated in SQL
(:func:`counts`), one query per dimension.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlite_utils import Database

from domain import clock
from domain.dates import MAX_ACADEMIC_YEAR as MAX_YEAR
from domain.dates import MIN_ACADEMIC_YEAR as MIN_YEAR
from domain.dates import academic_year_label, academic_year_of, uk_today
from domain.pride.history import HistoryRow
from domain.pride.vocabulary import (
    ACTIONS,
    CAME_TO_LIGHT,
    INCIDENT_TYPES,
    LOCATIONS,
    ROLES,
    TIME_BANDS,
    YEAR_GROUPS,
)
from models import audit, deadline_instances, deadline_statuses, term_dates
from models.db import one, rows, scalar, transaction
from models.versioned_cache import VersionedCache

CODE = "PRIDE-NIL"
TERMS = ("autumn", "spring", "summer")
#: The note of a "not required" exemption (then the reason): for people; the status is its kind.
NOT_REQUIRED_PREFIX = f"{deadline_statuses.NOT_REQUIRED_NOTE} (PRIDE): "


#: Report figures, computed at most once per PRIDE data version (any incident, characteristic or school change).
_report_cache = VersionedCache("pride_data_version", limit=512)


def _cache_key(name: str, filters: dict, *extra) -> tuple:
    return (name, *extra, *sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in filters.items()))


class PrideError(ValueError):
    """An incident or return that cannot be saved, with a message for the school office."""


# ----------------------------------------------------------------------------- characteristics


def characteristics(db: Database, *, active_only: bool = True) -> list[dict]:
    """The characteristics incidents are reported against: the nine statutory ones, then the LA's own."""
    if active_only:
        return rows(db, "SELECT * FROM pride_characteristics WHERE active = 1 ORDER BY statutory DESC, sort_order, id")
    return rows(db, "SELECT * FROM pride_characteristics ORDER BY statutory DESC, sort_order, id")


def add_characteristic(db: Database, label: str, *, actor: dict) -> dict:
    """Add a non-statutory characteristic. Raises PrideError for a blank, long or repeated label."""
    label = " ".join((label or "").split())
    if not label or len(label) > 100:
        raise PrideError("Enter a characteristic of 1 to 100 characters")
    code = "la_" + "_".join(label.lower().split())[:36]
    with transaction(db):
        if scalar(db, "SELECT 1 FROM pride_characteristics WHERE lower(label) = lower(?) OR code = ?", (label, code)):
            raise PrideError(f"{label} is already on the list")
        order = scalar(db, "SELECT coalesce(max(sort_order), 0) + 1 FROM pride_characteristics")
        cursor = db.conn.execute(
            "INSERT INTO pride_characteristics (code, label, statutory, sort_order) VALUES (?, ?, 0, ?)",
            (code, label, order),
        )
        audit.record(
            db,
            "pride_characteristic_added",
            actor=actor,
            organisation_id=actor["organisation_id"],
            target=f"pride_characteristic:{cursor.lastrowid}",
            detail={"label": label},
        )
    return one(db, "SELECT * FROM pride_characteristics WHERE id = ?", (cursor.lastrowid,))


def set_characteristic_active(db: Database, characteristic_id: int, active: bool, *, actor: dict) -> dict:
    """Offer or stop offering a non-statutory characteristic (reports keep past incidents' choices).

    Raises PrideError for an unknown or statutory characteristic.
    """
    with transaction(db):
        row = one(db, "SELECT * FROM pride_characteristics WHERE id = ?", (characteristic_id,))
        if row is None or row["statutory"]:
            raise PrideError("The nine protected characteristics are always offered")
        db.conn.execute("UPDATE pride_characteristics SET active = ? WHERE id = ?", (int(active), characteristic_id))
        audit.record(
            db,
            "pride_characteristic_changed",
            actor=actor,
            organisation_id=actor["organisation_id"],
            target=f"pride_characteristic:{characteristic_id}",
            detail={"label": row["label"], "active": active},
        )
    return {**row, "active": int(active)}


# ----------------------------------------------------------------------------- periods


def term_of(db: Database, day: dt.date) -> tuple[int, str]:
    """``(academic_year, term)`` an incident on ``day`` belongs to: the term containing it, or for a
    holiday the term that follows."""
    year = academic_year_of(day)
    for span in term_dates.get(db, year).spans():
        if day <= span.end:
            return year, span.term.value
    return year + 1, "autumn"


_MONTH = re.compile(r"^\d{4}-(0[1-79]|1[0-2])$")


def is_month(period: str | None) -> bool:
    """Whether a period is a month (``2026-09``) rather than a term or the whole year."""
    return bool(period and _MONTH.match(period))


def month_of(occurred_on: dt.date | None, academic_year: int | None) -> str | None:
    """The month period of an incident: that of its date, or for August the September after (``2026-09``);
    None without a date. :func:`term_summary` and :func:`term_returns` say the same in SQL."""
    if occurred_on is None or academic_year is None:
        return None
    return f"{academic_year}-09" if occurred_on.month == 8 else f"{occurred_on:%Y-%m}"


def in_period(incident: dict, period: str | None) -> bool:
    """Whether an incident (with ``term``, ``occurred_on``, ``academic_year``) falls in a period of its year."""
    if period is None:
        return True
    if is_month(period):
        return month_of(incident["occurred_on"], incident["academic_year"]) == period
    return incident["term"] == period


def period_key(academic_year: int, term: str | None) -> str:
    """The PRIDE deadline instance's period key: ``2026/27-autumn``, ``2026/27-2026-09`` for a month, or
    ``2026/27`` for a whole year."""
    label = academic_year_label(academic_year)
    return f"{label}-{term}" if term else label


def term_name(academic_year: int, term: str | None) -> str:
    """``Autumn term 2026/27``, ``September 2026`` for a month, or ``Academic year 2026/27`` for a whole year."""
    if term is None:
        return f"Academic year {academic_year_label(academic_year)}"
    if is_month(term):
        return f"{dt.date.fromisoformat(term + '-01'):%B %Y}"
    return f"{term.capitalize()} term {academic_year_label(academic_year)}"


def period_phrase(academic_year: int, term: str | None) -> str:
    """The period inside a sentence: ``the autumn term 2026/27``, ``September 2026``, ``the academic year
    2026/27``."""
    name = term_name(academic_year, term)
    return name if is_month(term) else f"the {name[0].lower()}{name[1:]}"


def year_instances(db: Database, academic_year: int) -> list[dict]:
    """The PRIDE deadline instances of an academic year, in due order: three termly ones by default, one
    when the return catalogue makes PRIDE annual."""
    found = rows(
        db,
        "SELECT i.id FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
        " WHERE c.code = ? AND i.academic_year = ? AND i.cancelled_at IS NULL ORDER BY i.due_on, i.id",
        (CODE, academic_year),
    )
    return [deadline_instances.get_instance(db, r["id"]) for r in found]


def instance_term(instance: dict) -> tuple[int, str | None] | None:
    """``(academic_year, period)`` of a PRIDE instance (period: a term, a month such as ``2026-09`` when the
    return catalogue makes PRIDE monthly, or None for a whole-year return when it makes it annual); None for
    any other instance."""
    if instance.get("code") != CODE:
        return None
    year = instance["academic_year"]
    label = academic_year_label(year)
    if instance["period_key"] == label:
        return year, None
    period = instance["period_key"].removeprefix(f"{label}-")
    return (year, period) if period in TERMS or is_month(period) else None


# ----------------------------------------------------------------------------- incidents


def _check_people(people: list[dict]) -> None:
    for p in people:
        if p["side"] not in ("targeted", "responsible") or p["role"] not in ROLES:
            raise PrideError("Choose who was targeted or responsible from the list")
        if (p["role"] == "pupil") != (p.get("year_group") is not None):
            raise PrideError("Give pupils' year groups, and only pupils'")
        if p.get("year_group") is not None and p["year_group"] not in YEAR_GROUPS:
            raise PrideError("Choose a year group from the list")


def _check_report(data: dict) -> None:
    """Refuse a report (not a draft) that misses what the LA needs."""
    needed = {"occurred_on": "the date", "time_band": "the time", "location": "where it happened"}
    missing = [words for key, words in needed.items() if not data.get(key)]
    if not data.get("characteristics"):
        missing.append("what it was perceived to relate to")
    if not data.get("types"):
        missing.append("the type of incident")
    if not any(p["side"] == "targeted" for p in data.get("people", [])):
        missing.append("who was targeted")
    if missing:
        raise PrideError("To report the incident, give " + ", ".join(missing))


def _check_choices(data: dict, characteristic_ids: set[int]) -> None:
    lists = {"time_band": TIME_BANDS, "location": LOCATIONS, "came_to_light": CAME_TO_LIGHT}
    for key, allowed in lists.items():
        if data.get(key) and data[key] not in allowed:
            raise PrideError(f"Choose {key.replace('_', ' ')} from the list")
    if set(data.get("types", [])) - set(INCIDENT_TYPES) or set(data.get("actions", [])) - set(ACTIONS):
        raise PrideError("Choose the types and actions from the lists")
    if set(data.get("characteristics", [])) - characteristic_ids:
        raise PrideError("Choose the characteristics from the list")
    _check_people(data.get("people", []))


COLUMNS = (
    "occurred_on",
    "time_band",
    "location",
    "location_other",
    "came_to_light",
    "description",
    "action_details",
    "follow_up_on",
    "outcome",
)


def save_incident(
    db: Database, *, school: dict, data: dict, report: bool, actor: dict, incident_id: int | None = None
) -> dict:
    """Create or update an incident of ``school`` from the form's ``data`` and return
    ``{"incident": ..., "reopened": instance or None}``.

    ``data`` holds the columns of :data:`COLUMNS` (dates as ``datetime.date``), ``characteristics``
    (ids), ``types`` and ``actions`` (codes) and ``people`` (dicts of side, role, year_group, people).
    ``report=False`` keeps (or makes) it a draft; ``report=True`` reports it (a reported incident
    stays reported). Raises PrideError when the incident is another school's, is locked because its
    term's return was made, or is incomplete for a report. Reporting an incident in a term whose
    return was made reopens the return (the caller tells the LA).
    """
    ids = {c["id"] for c in characteristics(db, active_only=False)}
    _check_choices(data, ids)
    with transaction(db):
        existing = None
        if incident_id is not None:
            existing = get_incident(db, incident_id, school["id"])
            if existing is None:
                raise PrideError("That incident is not one of your school's")
            if not existing["editable"]:
                raise PrideError("This incident's term return has been made: it can no longer be changed")
        reported = report or (existing is not None and existing["state"] == "reported")
        if reported:
            _check_report(data)
        year, term = term_of(db, data["occurred_on"]) if data.get("occurred_on") else (None, None)
        values = {k: data.get(k) for k in COLUMNS}
        for key in ("occurred_on", "follow_up_on"):
            values[key] = values[key].isoformat() if values[key] else None
        now = clock.iso()
        values.update(
            academic_year=year,
            term=term,
            state="reported" if reported else "draft",
            now=now,
            actor=actor["id"],
            org=school["id"],
        )
        if existing is None:
            cursor = db.conn.execute(
                "INSERT INTO pride_incidents (organisation_id, state, occurred_on, academic_year, term, time_band,"
                " location, location_other, came_to_light, description, action_details, follow_up_on, outcome,"
                " created_at, created_by, updated_at, updated_by, reported_at) VALUES (:org, :state, :occurred_on,"
                " :academic_year, :term, :time_band, :location, :location_other, :came_to_light, :description,"
                " :action_details, :follow_up_on, :outcome, :now, :actor, :now, :actor,"
                " CASE WHEN :state = 'reported' THEN :now END)",
                values,
            )
            incident_id = cursor.lastrowid
        else:
            values["id"] = incident_id
            db.conn.execute(
                "UPDATE pride_incidents SET state = :state, occurred_on = :occurred_on,"
                " academic_year = :academic_year, term = :term, time_band = :time_band, location = :location,"
                " location_other = :location_other, came_to_light = :came_to_light, description = :description,"
                " action_details = :action_details, follow_up_on = :follow_up_on, outcome = :outcome,"
                " updated_at = :now, updated_by = :actor, reported_at = coalesce(reported_at,"
                " CASE WHEN :state = 'reported' THEN :now END) WHERE id = :id",
                values,
            )
        _replace_children(db, incident_id, data, (school["id"], year, term, int(reported)))
        reopened = None
        was_reported = existing is not None and existing["state"] == "reported"
        if reported and year is not None:
            reopened = _reopen_if_made(db, school, year, term, actor, incident_id, month_of(data["occurred_on"], year))
        action = (
            "pride_incident_reported"
            if reported and not was_reported
            else ("pride_incident_changed" if existing else "pride_incident_drafted")
        )
        audit.record(
            db,
            action,
            actor=actor,
            organisation_id=school["id"],
            target=f"pride_incident:{incident_id}",
            detail={"state": values["state"], "term": term and term_name(year, term)},
        )
    return {"incident": get_incident(db, incident_id, school["id"]), "reopened": reopened}


def _replace_children(db: Database, incident_id: int, data: dict, facts: tuple) -> None:
    """Rewrite an incident's choices and people; ``facts`` is its (school, year, term, reported), which
    the choice rows repeat for the reports."""
    db.conn.execute("DELETE FROM pride_incident_characteristics WHERE incident_id = ?", (incident_id,))
    db.conn.execute("DELETE FROM pride_incident_choices WHERE incident_id = ?", (incident_id,))
    db.conn.execute("DELETE FROM pride_incident_people WHERE incident_id = ?", (incident_id,))
    db.conn.executemany(
        "INSERT INTO pride_incident_characteristics (incident_id, characteristic_id, organisation_id, academic_year,"
        " term, reported) VALUES (?, ?, ?, ?, ?, ?)",
        [(incident_id, c, *facts) for c in sorted(set(data.get("characteristics", [])))],
    )
    db.conn.executemany(
        "INSERT INTO pride_incident_choices (incident_id, list, code, organisation_id, academic_year, term, reported)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(incident_id, "type", c, *facts) for c in sorted(set(data.get("types", [])))]
        + [(incident_id, "action", c, *facts) for c in sorted(set(data.get("actions", [])))],
    )
    db.conn.executemany(
        "INSERT INTO pride_incident_people (incident_id, side, role, year_group, people) VALUES (?, ?, ?, ?, ?)",
        [
            (incident_id, p["side"], p["role"], -99 if p.get("year_group") is None else p["year_group"], p["people"])
            for p in data.get("people", [])
            if p["people"]
        ],
    )


def _reopen_if_made(
    db: Database, school: dict, year: int, term: str, actor: dict, incident_id: int, month: str | None
) -> dict | None:
    made = return_made(db, school["id"], year, term, month)
    if made is None:
        return None
    db.conn.execute(
        "UPDATE pride_returns SET reopened_at = ? WHERE organisation_id = ? AND instance_id = ?",
        (clock.iso(), school["id"], made["instance_id"]),
    )
    deadline_statuses.record_status(
        db,
        organisation_id=school["id"],
        instance_id=made["instance_id"],
        status="cleared",
        actor=actor,
        note=f"Reopened: an incident was reported after the {'NIL ' if made['kind'] == 'nil' else ''}return",
    )
    audit.record(
        db,
        "pride_return_reopened",
        actor=actor,
        organisation_id=school["id"],
        target=f"instance:{made['instance_id']}",
        detail={"was": made["kind"], "incident": incident_id, "term": made["period_label"]},
    )
    return {**deadline_instances.get_instance(db, made["instance_id"]), "was": made["kind"]}


def delete_draft(db: Database, incident_id: int, school: dict, *, actor: dict) -> None:
    """Delete a draft of ``school``. Raises PrideError for a reported incident or another school's."""
    with transaction(db):
        incident = get_incident(db, incident_id, school["id"])
        if incident is None or incident["state"] != "draft":
            raise PrideError("Only a draft can be deleted")
        db.conn.execute("DELETE FROM pride_incidents WHERE id = ?", (incident_id,))
        audit.record(
            db, "pride_draft_deleted", actor=actor, organisation_id=school["id"], target=f"pride_incident:{incident_id}"
        )


def get_incident(db: Database, incident_id: int, organisation_id: int) -> dict | None:
    """The incident with its choices, people and ``editable`` flag, when it is ``organisation_id``'s."""
    incident = one(
        db, "SELECT * FROM pride_incidents WHERE id = ? AND organisation_id = ?", (incident_id, organisation_id)
    )
    if incident is None:
        return None
    for key in ("occurred_on", "follow_up_on"):
        incident[key] = dt.date.fromisoformat(incident[key]) if incident[key] else None
    incident["characteristics"] = [
        r["characteristic_id"]
        for r in rows(
            db, "SELECT characteristic_id FROM pride_incident_characteristics WHERE incident_id = ?", (incident_id,)
        )
    ]
    choices = rows(db, "SELECT list, code FROM pride_incident_choices WHERE incident_id = ?", (incident_id,))
    incident["types"] = [c["code"] for c in choices if c["list"] == "type"]
    incident["actions"] = [c["code"] for c in choices if c["list"] == "action"]
    incident["people"] = [
        {**p, "year_group": None if p["year_group"] == -99 else p["year_group"]}
        for p in rows(
            db,
            "SELECT side, role, year_group, people FROM pride_incident_people WHERE incident_id = ?"
            " ORDER BY side DESC, role, year_group",
            (incident_id,),
        )
    ]
    incident["editable"] = incident["state"] == "draft" or not (
        incident["term"]
        and return_made(
            db,
            organisation_id,
            incident["academic_year"],
            incident["term"],
            month_of(incident["occurred_on"], incident["academic_year"]),
        )
    )
    return incident


def list_incidents(db: Database, organisation_id: int, *, academic_year: int | None = None) -> list[dict]:
    """The school's incidents (drafts first, then newest), with characteristic and type labels."""
    params = {"org": organisation_id, "year": academic_year}
    found = rows(
        db,
        "SELECT i.*, (SELECT group_concat(c.label, '; ') FROM pride_incident_characteristics ic"
        " JOIN pride_characteristics c ON c.id = ic.characteristic_id WHERE ic.incident_id = i.id)"
        " AS characteristic_labels, (SELECT group_concat(code, ',') FROM pride_incident_choices"
        " WHERE incident_id = i.id AND list = 'type') AS type_codes"
        " FROM pride_incidents i WHERE i.organisation_id = :org"
        " AND (:year IS NULL OR i.academic_year = :year OR i.academic_year IS NULL)"
        " ORDER BY i.state = 'reported', i.occurred_on DESC, i.id DESC",
        params,
    )
    for row in found:
        row["occurred_on"] = dt.date.fromisoformat(row["occurred_on"]) if row["occurred_on"] else None
        row["type_labels"] = "; ".join(INCIDENT_TYPES[c] for c in (row.pop("type_codes") or "").split(",") if c)
    return found


# ----------------------------------------------------------------------------- termly returns


def return_made(
    db: Database, organisation_id: int, academic_year: int, term: str | None, month: str | None = None
) -> dict | None:
    """The school's return covering that period (its termly return, its ``month``'s when given, or the whole
    year's) when it is made and not reopened, with the instance's ``period_label``, else None. ``term`` None:
    the whole year's return only (and the month's, when given)."""
    keys = [period_key(academic_year, term), period_key(academic_year, None), period_key(academic_year, month)]
    return one(
        db,
        "SELECT r.*, i.period_label FROM pride_returns r JOIN deadline_instances i ON i.id = r.instance_id"
        " JOIN return_catalogue c ON c.id = i.catalogue_id WHERE r.organisation_id = ? AND c.code = ?"
        " AND i.academic_year = ? AND i.period_key IN (?, ?, ?) AND r.reopened_at IS NULL",
        (organisation_id, CODE, academic_year, *keys),
    )


def term_summary(db: Database, organisation_id: int, academic_year: int, term: str | None) -> dict:
    """``{"reported", "drafts"}``: the school's incidents of that period (a term, a month, or None: the
    whole year)."""
    found = one(
        db,
        "SELECT count(*) FILTER (WHERE state = 'reported') AS reported,"
        " count(*) FILTER (WHERE state = 'draft') AS drafts"
        " FROM pride_incidents WHERE organisation_id = :org AND academic_year = :year"
        " AND (:period IS NULL OR term = :period OR (CASE WHEN substr(occurred_on, 6, 2) = '08' THEN academic_year"
        " || '-09' ELSE substr(occurred_on, 1, 7) END) = :period)",
        {"org": organisation_id, "year": academic_year, "period": term},
    )
    return {"reported": found["reported"] or 0, "drafts": found["drafts"] or 0}


def make_return(
    db: Database,
    *,
    school: dict,
    instance: dict,
    kind: str,
    actor: dict,
    on: dt.date | None = None,
    details: str | None = None,
) -> dict:
    """Make the school's return for a PRIDE instance: ``kind`` ``"nil"`` (no incidents this term) or
    ``"incidents"`` (the term's reported incidents confirmed), with optional ``details`` for the LA
    (added to the status note). Returns the displayed deadline status.

    Raises PrideError when the term has not ended, a NIL return is made with incidents reported, a
    confirmation with none, drafts are still open, the school is marked not required, or the return
    is already made.
    """
    year, term = instance_term(instance) or (None, None)
    if year is None:
        raise PrideError("That is not a PRIDE return")
    on = on or uk_today()
    if on < instance["opens_on"]:
        raise PrideError(f"The return for {period_phrase(year, term)} opens on {instance['opens_on']:%-d %B %Y}")
    with transaction(db):
        if not_required(db, school["id"]):
            raise PrideError("Your school does not need to make PRIDE returns")
        if return_made(db, school["id"], year, term):
            raise PrideError(f"The return for {period_phrase(year, term)} has already been made")
        summary = term_summary(db, school["id"], year, term)
        if summary["drafts"]:
            raise PrideError(f"Finish or delete your draft incidents for {period_phrase(year, term)} first")
        if kind == "nil" and summary["reported"]:
            raise PrideError(
                f"You have reported incidents in {period_phrase(year, term)}: confirm them instead of a NIL return"
            )
        if kind == "incidents" and not summary["reported"]:
            raise PrideError(
                f"You have reported no incidents in {period_phrase(year, term)}: make a NIL return instead"
            )
        if kind not in ("nil", "incidents"):
            raise PrideError("Choose a NIL return or confirm your incidents")
        db.conn.execute(
            "INSERT INTO pride_returns (organisation_id, instance_id, kind, incidents, made_at, made_by)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (organisation_id, instance_id) DO UPDATE SET"
            " kind = excluded.kind, incidents = excluded.incidents, made_at = excluded.made_at,"
            " made_by = excluded.made_by, reopened_at = NULL",
            (school["id"], instance["id"], kind, summary["reported"], clock.iso(), actor["id"]),
        )
        note = deadline_statuses.NIL_NOTE if kind == "nil" else f"{summary['reported']} incidents confirmed"
        note = f"{note}: {details}" if details else note
        status = deadline_statuses.record_status(
            db, organisation_id=school["id"], instance_id=instance["id"], status="submitted", actor=actor, note=note,
            kind="nil" if kind == "nil" else None,
        )  # fmt: skip
        audit.record(
            db,
            "pride_return_made",
            actor=actor,
            organisation_id=school["id"],
            target=f"instance:{instance['id']}",
            detail={"kind": kind, "incidents": summary["reported"], "term": term_name(year, term)},
        )
    return status


# ----------------------------------------------------------------------------- not required


def not_required(db: Database, organisation_id: int) -> dict | None:
    """The "PRIDE return not required" mark of a school (its reason), or None."""
    return one(db, "SELECT * FROM pride_not_required WHERE organisation_id = ?", (organisation_id,))


def all_periods(db: Database) -> list[dict]:
    """Every PRIDE deadline instance not cancelled (``id``, ``period_label``, ``opens_on``), newest due first."""
    return rows(
        db,
        "SELECT i.id, i.period_label, i.opens_on FROM deadline_instances i JOIN return_catalogue c"
        " ON c.id = i.catalogue_id WHERE c.code = ? AND i.cancelled_at IS NULL ORDER BY i.due_on DESC, i.id DESC",
        (CODE,),
    )


def _pride_instances_from(db: Database, academic_year: int) -> list[dict]:
    return rows(
        db,
        "SELECT i.id FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
        " WHERE c.code = ? AND i.academic_year >= ? AND i.cancelled_at IS NULL ORDER BY i.due_on",
        (CODE, academic_year),
    )


def set_not_required(db: Database, school: dict, reason: str | None, *, actor: dict, on: dt.date | None = None) -> int:
    """Mark ``school`` "PRIDE return not required" with ``reason`` (None: clear the mark).

    Records ``exempt`` of kind ``not_required`` (note "Return not required (PRIDE): reason") on every
    PRIDE deadline of this and later academic years that is not made, or clears those exemptions (those
    shown as "Not required", i.e. of that kind, whatever their note says). Returns how many
    deadlines changed. Raises PrideError for a missing or long reason.
    """
    year = academic_year_of(on or uk_today())
    reason = " ".join((reason or "").split()) or None
    if reason is not None and len(reason) > 500:
        raise PrideError("Keep the reason to 500 characters or fewer")
    changed = 0
    with transaction(db):
        if reason:
            db.conn.execute(
                "INSERT INTO pride_not_required (organisation_id, reason, set_at, set_by) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (organisation_id) DO UPDATE SET reason = excluded.reason, set_at = excluded.set_at,"
                " set_by = excluded.set_by",
                (school["id"], reason, clock.iso(), actor["id"]),
            )
        else:
            db.conn.execute("DELETE FROM pride_not_required WHERE organisation_id = ?", (school["id"],))
        for instance in _pride_instances_from(db, year):
            current = deadline_statuses.status_for(db, school["id"], instance["id"])
            if reason and current["key"] not in deadline_statuses.DONE:
                deadline_statuses.record_status(
                    db,
                    organisation_id=school["id"],
                    instance_id=instance["id"],
                    status="exempt",
                    kind="not_required",
                    actor=actor,
                    note=NOT_REQUIRED_PREFIX + reason,
                )
                changed += 1
            elif not reason and current["key"] == "not_required":
                deadline_statuses.record_status(
                    db,
                    organisation_id=school["id"],
                    instance_id=instance["id"],
                    status="cleared",
                    actor=actor,
                    note="PRIDE return required again",
                )
                changed += 1
        audit.record(
            db,
            "pride_not_required_set" if reason else "pride_not_required_cleared",
            actor=actor,
            organisation_id=school["id"],
            target=f"organisation:{school['id']}",
            detail={"reason": reason, "deadlines": changed},
        )
    return changed


def not_required_schools(db: Database, la_code: str) -> list[dict]:
    """The LA's schools marked "PRIDE return not required", by name."""
    return rows(
        db,
        "SELECT o.id, o.name, o.dfe_number, n.reason, n.set_at FROM pride_not_required n"
        " JOIN organisations o ON o.id = n.organisation_id WHERE o.la_code = ? ORDER BY o.name COLLATE NOCASE",
        (la_code,),
    )


# ----------------------------------------------------------------------------- report counts


#: Report dimensions: name -> (label, SQL giving (key, n) rows over the filtered incidents ``f``).
_DIMENSION_SQL = {
    "characteristic": "SELECT ic.characteristic_id AS key, count(*) AS n FROM f"
    " JOIN pride_incident_characteristics ic ON ic.incident_id = f.id GROUP BY ic.characteristic_id",
    "type": "SELECT ch.code AS key, count(*) AS n FROM f JOIN pride_incident_choices ch"
    " ON ch.incident_id = f.id AND ch.list = 'type' GROUP BY ch.code",
    "action": "SELECT ch.code AS key, count(*) AS n FROM f JOIN pride_incident_choices ch"
    " ON ch.incident_id = f.id AND ch.list = 'action' GROUP BY ch.code",
    "location": "SELECT f.location AS key, count(*) AS n FROM f GROUP BY f.location",
    "year_group": "SELECT p.year_group AS key, count(DISTINCT f.id) AS n FROM f JOIN pride_incident_people p"
    " ON p.incident_id = f.id AND p.role = 'pupil' GROUP BY p.year_group",
    "term": "SELECT f.term AS key, count(*) AS n FROM f GROUP BY f.term",
    "academic_year": "SELECT f.academic_year AS key, count(*) AS n FROM f GROUP BY f.academic_year",
    "school": "SELECT f.organisation_id AS key, count(*) AS n FROM f GROUP BY f.organisation_id",
}


def _filtered(filters: dict) -> tuple[str, dict]:
    """The CTE ``f`` of reported incidents under ``filters`` (la_code, organisation_id, years, term,
    phase, characteristic_id, type), and its parameters. ``years`` is read as the range from its
    smallest to its largest. The incidents come from ``idx_pride_incidents_period`` alone (it covers
    every column ``f`` keeps)."""
    clauses = ["i.state = 'reported'"]
    params: dict = {}
    if filters.get("organisation_id") is not None:
        clauses.append("i.organisation_id = :org")
        params["org"] = filters["organisation_id"]
    if filters.get("la_code") or filters.get("phase"):
        # the unary + keeps SQLite on idx_pride_incidents_period (by year) rather than one search per school
        clauses.append(
            "+i.organisation_id IN (SELECT id FROM organisations WHERE kind = 'school'"
            " AND (:la IS NULL OR la_code = :la) AND (:phase IS NULL OR phase = :phase))"
        )
        params["la"], params["phase"] = filters.get("la_code"), filters.get("phase")
    if filters.get("years"):
        clauses.append("i.academic_year BETWEEN :first_year AND :last_year")
        params["first_year"], params["last_year"] = min(filters["years"]), max(filters["years"])
    if filters.get("term"):
        clauses.append("i.term = :term")
        params["term"] = filters["term"]
    if filters.get("characteristic_id"):
        clauses.append(
            "EXISTS (SELECT 1 FROM pride_incident_characteristics x WHERE x.incident_id = i.id"
            " AND x.characteristic_id = :cid)"
        )
        params["cid"] = filters["characteristic_id"]
    if filters.get("type"):
        clauses.append(
            "EXISTS (SELECT 1 FROM pride_incident_choices y WHERE y.incident_id = i.id AND y.list = 'type'"
            " AND y.code = :type)"
        )
        params["type"] = filters["type"]
    cte = (
        "WITH f AS MATERIALIZED (SELECT i.id, i.organisation_id, i.location, i.term, i.academic_year"  # nosec B608 # clauses are constant SQL; values are bound
        f" FROM pride_incidents i WHERE {' AND '.join(clauses)}) "
    )
    return cte, params


def counts(db: Database, dimension: str, filters: dict) -> dict:
    """Incident counts by ``dimension`` (a key of ``_DIMENSION_SQL``) under ``filters``: ``{key: n}``.

    An incident with several characteristics (types, actions) counts once under each. Cached per
    data version: callers must not change the result.
    """
    return _report_cache.cached(db, _cache_key("counts", filters, dimension), lambda: _counts(db, dimension, filters))


#: Choice counts straight from the choice tables' report indexes (no join per incident), used unless the
#: filters pick incidents by a characteristic or type.
_CHOICE_SQL = {
    "characteristic": "SELECT characteristic_id AS key, count(*) AS n FROM pride_incident_characteristics c",
    "type": "SELECT code AS key, count(*) AS n FROM pride_incident_choices c WHERE c.list = 'type' AND",
    "action": "SELECT code AS key, count(*) AS n FROM pride_incident_choices c WHERE c.list = 'action' AND",
}
_CHOICE_WHERE = (
    " c.reported = 1 AND c.academic_year BETWEEN :first AND :last AND (:term IS NULL OR c.term = :term)"
    " AND (:org IS NULL OR c.organisation_id = :org) AND (:schools = 0 OR +c.organisation_id IN"
    " (SELECT id FROM organisations WHERE kind = 'school' AND (:la IS NULL OR la_code = :la)"
    " AND (:phase IS NULL OR phase = :phase)))"
)


#: Counts of incidents by one of their own columns, straight from ``idx_pride_incidents_period``.
_INCIDENT_SQL = {
    "location": "SELECT c.location AS key, count(*) AS n FROM pride_incidents c",
    "term": "SELECT c.term AS key, count(*) AS n FROM pride_incidents c",
    "academic_year": "SELECT c.academic_year AS key, count(*) AS n FROM pride_incidents c",
    "school": "SELECT c.organisation_id AS key, count(*) AS n FROM pride_incidents c",
}


def _choice_params(filters: dict) -> dict:
    years = filters.get("years") or [MIN_YEAR, MAX_YEAR]
    return {
        "first": min(years),
        "last": max(years),
        "term": filters.get("term"),
        "org": filters.get("organisation_id"),
        "schools": int(bool(filters.get("la_code") or filters.get("phase"))),
        "la": filters.get("la_code"),
        "phase": filters.get("phase"),
    }


def _by_choice(filters: dict) -> bool:
    """True when the filters pick incidents by a characteristic or type (the choice tables alone cannot)."""
    return bool(filters.get("characteristic_id") or filters.get("type"))


def _choice_sql(dimension: str, group: str = "key") -> str:
    if dimension in _INCIDENT_SQL:
        where = _CHOICE_WHERE.replace("c.reported = 1", "c.state = 'reported'")
        return _INCIDENT_SQL[dimension] + " WHERE" + where + " GROUP BY 1"
    head = _CHOICE_SQL[dimension]
    where = _CHOICE_WHERE if head.endswith("AND") else " WHERE" + _CHOICE_WHERE
    if group == "year":
        head = head.replace("SELECT ", "SELECT c.academic_year AS year, ", 1)
        return head + where + " GROUP BY 1, 2"
    return head + where + " GROUP BY 1"


def _counts(db: Database, dimension: str, filters: dict) -> dict:
    if (dimension in _CHOICE_SQL or dimension in _INCIDENT_SQL) and not _by_choice(filters):
        return {r["key"]: r["n"] for r in rows(db, _choice_sql(dimension), _choice_params(filters))}
    if dimension == "phase":  # from the per-school counts: no join per incident
        phases = {r["id"]: r["phase"] or "Not recorded" for r in rows(db, "SELECT id, phase FROM organisations")}
        found: dict = {}
        for school, n in counts(db, "school", filters).items():
            found[phases.get(school, "Not recorded")] = found.get(phases.get(school, "Not recorded"), 0) + n
        return found
    cte, params = _filtered(filters)
    # nosemgrep: sql-format # a fixed CTE with :named parameters and one of the fixed dimension queries
    return {r["key"]: r["n"] for r in rows(db, cte + _DIMENSION_SQL[dimension], params)}  # nosec B608


def total(db: Database, filters: dict) -> int:
    """How many reported incidents match ``filters`` (cached per data version)."""
    return _report_cache.cached(db, _cache_key("total", filters), lambda: _total(db, filters))


def _total(db: Database, filters: dict) -> int:
    cte, params = _filtered(filters)
    return scalar(db, cte + "SELECT count(*) FROM f", params) or 0  # nosec B608 # fixed CTE, bound values


def trend(db: Database, filters: dict, by: str = "characteristic") -> dict:
    """Counts by academic year and ``by`` (characteristic or type): ``{(year, key): n}``. Cached per data
    version."""
    return _report_cache.cached(db, _cache_key("trend", filters, by), lambda: _trend(db, filters, by))


def _trend(db: Database, filters: dict, by: str) -> dict:
    if not _by_choice(filters):
        found = rows(db, _choice_sql(by, group="year"), _choice_params(filters))
        return {(r["year"], r["key"]): r["n"] for r in found}
    cte, params = _filtered(filters)
    sql = {
        "characteristic": "SELECT f.academic_year AS year, ic.characteristic_id AS key, count(*) AS n FROM f"
        " JOIN pride_incident_characteristics ic ON ic.incident_id = f.id GROUP BY 1, 2",
        "type": "SELECT f.academic_year AS year, ch.code AS key, count(*) AS n FROM f JOIN pride_incident_choices ch"
        " ON ch.incident_id = f.id AND ch.list = 'type' GROUP BY 1, 2",
    }[by]
    # nosemgrep: sql-format # a fixed CTE with :named parameters and one of two fixed queries
    return {(r["year"], r["key"]): r["n"] for r in rows(db, cte + sql, params)}  # nosec B608


def years_with_incidents(db: Database, la_code: str | None = None, organisation_id: int | None = None) -> list[int]:
    """Academic years from the first with a reported incident to the last (of one school, when given),
    oldest first. Two index look-ups."""
    # two queries each: SQLite answers a lone min() or max() from the index, but not both in one
    if organisation_id is not None:
        first = scalar(
            db, "SELECT min(academic_year) FROM pride_incidents WHERE organisation_id = ?", (organisation_id,)
        )
        last = scalar(
            db, "SELECT max(academic_year) FROM pride_incidents WHERE organisation_id = ?", (organisation_id,)
        )
    else:  # one LA per installation: its schools' incidents (and imported history) are all there are
        ends = [
            scalar(db, "SELECT min(academic_year) FROM pride_incidents WHERE state = 'reported'"),
            scalar(db, "SELECT max(academic_year) FROM pride_incidents WHERE state = 'reported'"),
            scalar(db, "SELECT min(academic_year) FROM pride_history"),
            scalar(db, "SELECT max(academic_year) FROM pride_history"),
        ]
        known = [y for y in ends if y is not None]
        first, last = (min(known), max(known)) if known else (None, None)
    return [] if first is None else list(range(first, last + 1))


# ----------------------------------------------------------------------------- follow-up


def term_returns(db: Database, la_code: str, instance: dict, *, on: dt.date | None = None) -> list[dict]:
    """Every open school of the LA with its PRIDE status for ``instance``: ``school``, ``status``
    (displayed), ``incidents`` (reported that term), ``made_at`` (the return, or None), by name."""
    on = on or uk_today()
    year, term = instance_term(instance)
    schools = rows(
        db,
        "SELECT o.id, o.name, o.dfe_number, o.phase, s.status, s.kind, s.note, s.submitted_at, s.at,"
        " r.made_at, r.kind, (SELECT count(*) FROM pride_incidents WHERE organisation_id = o.id"
        " AND state = 'reported' AND academic_year = :year"
        " AND (:period IS NULL OR term = :period OR (CASE WHEN substr(occurred_on, 6, 2) = '08' THEN academic_year"
        " || '-09' ELSE substr(occurred_on, 1, 7) END) = :period)) AS incidents"
        " FROM organisations o LEFT JOIN deadline_statuses s ON s.organisation_id = o.id AND s.instance_id = :inst"
        " LEFT JOIN pride_returns r ON r.organisation_id = o.id AND r.instance_id = :inst AND r.reopened_at IS NULL"
        " WHERE o.kind = 'school' AND o.la_code = :la AND o.status IN ('open', 'proposed_to_close')"
        " ORDER BY o.name COLLATE NOCASE",
        {"year": year, "period": term, "inst": instance["id"], "la": la_code},
    )
    for school in schools:
        current = {k: school[k] for k in ("status", "kind", "note", "submitted_at", "at")} if school["status"] else None
        school["display"] = deadline_statuses.status_from(instance, current, on)
    return schools


# ----------------------------------------------------------------------------- history


def import_history(db: Database, history_rows: list, *, la_code: str, actor: dict, file_name: str) -> dict:
    """Store the LA's past incident counts (``domain.pride.history.HistoryRow``) all or nothing.

    Returns ``{"rows", "schools", "problems"}``; with problems (a DfE number that is not a school of
    the LA; a school and term that already has incidents reported in Gatehouse, which would count twice)
    nothing is stored. A school, year and term imported before is replaced. Audited.
    """
    schools = {
        r["dfe_number"]: r["id"]
        for r in rows(db, "SELECT id, dfe_number FROM organisations WHERE kind = 'school' AND la_code = ?", (la_code,))
    }
    problems = []
    with transaction(db):
        for row in history_rows:
            school = schools.get(row.dfe_number)
            if school is None:
                problems.append(f"Row {row.line}: {row.dfe_number[:3]}/{row.dfe_number[3:]} is not a school of this LA")
                continue
            reported = scalar(
                db,
                "SELECT count(*) FROM pride_incidents WHERE organisation_id = ? AND academic_year = ?"
                " AND state = 'reported' AND (? = 'year' OR term = ?)",
                (school, row.academic_year, row.term, row.term),
            )
            if reported:
                problems.append(
                    f"Row {row.line}: this school already reported incidents in Gatehouse for that "
                    "period; leave it out so they are not counted twice"
                )
        if problems:
            return {"rows": 0, "schools": 0, "problems": problems}
        now = clock.iso()
        for row in history_rows:
            school = schools[row.dfe_number]
            if row.term == "year":
                db.conn.execute(
                    "DELETE FROM pride_history WHERE organisation_id = ? AND academic_year = ?",
                    (school, row.academic_year),
                )
            else:
                db.conn.execute(
                    "DELETE FROM pride_history WHERE organisation_id = ? AND academic_year = ? AND term = 'year'",
                    (school, row.academic_year),
                )
        db.conn.executemany(
            "INSERT INTO pride_history (organisation_id, academic_year, term, incidents, imported_at, imported_by)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (organisation_id, academic_year, term) DO UPDATE SET"
            " incidents = excluded.incidents, imported_at = excluded.imported_at, imported_by = excluded.imported_by",
            [(schools[r.dfe_number], r.academic_year, r.term, r.incidents, now, actor["id"]) for r in history_rows],
        )
        summary = {"rows": len(history_rows), "schools": len({r.dfe_number for r in history_rows}), "problems": []}
        audit.record(
            db,
            "pride_history_imported",
            actor=actor,
            organisation_id=actor["organisation_id"],
            target="pride_history",
            detail={"file": file_name, **summary},
        )
    return summary


def history_by_year(db: Database, filters: dict) -> dict:
    """Imported incident counts ``{academic_year: n}`` under the school filters (LA, phase, one school)
    and the years and term of ``filters``. Cached per data version."""
    return _report_cache.cached(db, _cache_key("history", filters), lambda: _history_by_year(db, filters))


def _history_by_year(db: Database, filters: dict) -> dict:
    years = filters.get("years") or [MIN_YEAR, MAX_YEAR]
    found = rows(
        db,
        "SELECT h.academic_year AS year, sum(h.incidents) AS n FROM pride_history h"
        " JOIN organisations o ON o.id = h.organisation_id WHERE h.academic_year BETWEEN :first AND :last"
        " AND (:org IS NULL OR h.organisation_id = :org) AND (:la IS NULL OR o.la_code = :la)"
        " AND (:phase IS NULL OR o.phase = :phase) AND (:term IS NULL OR h.term = :term) GROUP BY 1",
        {
            "first": min(years),
            "last": max(years),
            "org": filters.get("organisation_id"),
            "la": filters.get("la_code"),
            "phase": filters.get("phase"),
            "term": filters.get("term"),
        },
    )
    return {r["year"]: r["n"] for r in found}


# ----------------------------------------------------------------------------- demo data

#: The demo's incidents: (characteristic codes, types, location, actions), drawn in turn (weighted by repeats).
_DEMO_KINDS = (
    (("race",), ("verbal",), "playground", ("parents_informed", "restorative")),
    (("race",), ("verbal", "threat"), "corridor", ("sanction", "parents_informed")),
    (("religion",), ("verbal",), "classroom", ("education", "parents_informed")),
    (("sexual_orientation",), ("verbal",), "corridor", ("restorative", "target_support")),
    (("race", "religion"), ("online",), "online", ("parents_informed", "other_agency")),
    (("disability",), ("exclusion",), "playground", ("restorative", "target_support")),
    (("race",), ("physical",), "playground", ("sanction", "parents_informed", "target_support")),
    (("sexual_orientation",), ("written", "graffiti"), "toilets", ("education",)),
    (("sex",), ("verbal",), "dining", ("restorative",)),
    (("appearance",), ("verbal",), "journey", ("parents_informed",)),
)
_DEMO_BANDS = ("morning", "break", "break", "afternoon", "after_school")


def _demo_incident(ids: dict, kind: tuple, day: dt.date, n: int, secondary: bool) -> dict:
    codes, types, location, actions = kind
    year_group = (7 + n % 5) if secondary else (2 + n % 5)
    return {
        "occurred_on": day,
        "time_band": _DEMO_BANDS[n % len(_DEMO_BANDS)],
        "location": location,
        "location_other": None,
        "came_to_light": ("target", "staff", "witness_pupil", "parent")[n % 4],
        "description": "A remark about the pupil's background" if "race" in codes else None,
        "action_details": None,
        "follow_up_on": None,
        "outcome": None,
        "characteristics": [ids[c] for c in codes],
        "types": list(types),
        "actions": list(actions),
        "people": [
            {"side": "targeted", "role": "pupil", "year_group": year_group, "people": 1},
            {"side": "responsible", "role": "pupil", "year_group": year_group, "people": 1 + n % 3},
        ],
    }


def _seed_demo_incidents(db: Database, reporting: list[dict], actor: dict, year: int, today: dt.date) -> int:
    ids = {c["code"]: c["id"] for c in characteristics(db)}
    made = 0
    for number, school in enumerate(reporting):
        secondary = (school["phase"] or "").lower().startswith("secondary")
        first = dt.date(year - 1, 9, 7) + dt.timedelta(days=3 * number)
        days = (today - first).days
        count = 6 + 2 * (number % 4)
        for n in range(count):
            day = first + dt.timedelta(days=(days - 1) * n // count)
            day -= dt.timedelta(days=max(0, day.weekday() - 4))  # a weekend date moves back to the Friday
            kind = _DEMO_KINDS[(number * 3 + n) % len(_DEMO_KINDS)]
            data = _demo_incident(ids, kind, day, n, secondary)
            save_incident(db, school=school, data=data, report=True, actor=actor)
            made += 1
    return made


def _seed_demo_returns(db: Database, reporting: list[dict], nil: list[dict], actor: dict, year: int, today) -> int:
    made = 0
    instances = year_instances(db, year)
    ended = [(i, reporting + nil) for i in instances if i["due_on"] < today]
    current = [(i, nil) for i in instances if i["opens_on"] <= today <= i["due_on"]][:1]
    for instance, schools in ended + current:
        _, period = instance_term(instance)
        for school in schools:
            kind = "incidents" if term_summary(db, school["id"], year, period)["reported"] else "nil"
            make_return(db, school=school, instance=instance, kind=kind, actor=actor, on=today)
            made += 1
    return made


def seed_demo(db: Database, la_code: str, actor: dict, *, today: dt.date | None = None) -> dict:
    """Believable PRIDE data for the demo (deterministic for a given ``today``): incidents at eight of the
    LA's schools over last academic year and this one up to yesterday, the returns of this year's past-due
    periods (confirmed, or NIL for two schools without incidents, who also make this period's NIL return
    early), one school "not required", and three earlier years of imported termly history for twelve
    schools. Returns the counts made. Call after this year's deadlines are generated."""
    today = today or uk_today()
    year = academic_year_of(today)
    schools = rows(
        db,
        "SELECT * FROM organisations WHERE kind = 'school' AND la_code = ? AND status = 'open' ORDER BY dfe_number",
        (la_code,),
    )
    if len(schools) < 12:
        return {"incidents": 0, "returns": 0, "history": 0}
    reporting, nil = schools[:8], schools[8:10]
    incidents = _seed_demo_incidents(db, reporting, actor, year, today)
    returns = _seed_demo_returns(db, reporting, nil, actor, year, today)
    set_not_required(db, schools[-1], "Academy without a data-sharing agreement (demo)", actor=actor, on=today)
    earlier = [(s, y, t) for s in schools[:12] for y in range(year - 4, year - 1) for t in TERMS]
    history = [HistoryRow(line, s["dfe_number"], y, t, 2 + (line * 7) % 9) for line, (s, y, t) in enumerate(earlier, 2)]
    result = import_history(db, history, la_code=la_code, actor=actor, file_name="demo-history.csv")
    if result["problems"]:
        raise PrideError("; ".join(result["problems"]))
    return {"incidents": incidents, "returns": returns, "history": len(history)}
