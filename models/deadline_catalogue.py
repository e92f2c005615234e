"""The return catalogue: which returns the LA tracks, who must make them, and their date rules.

Rows are seeded from ``deadline_rules.DEFAULT_CATALOGUE`` by the deadlines migration and
edited by site admins. A row's ``rule`` and ``audience`` columns hold the JSON of a
``deadline_rules`` ``DueRule`` and ``Audience``; on top of the audience a row may name GIAS
establishment types (``audience_types``, empty = any) or be limited to a chosen list of
schools (``chosen_only`` with ``return_catalogue_schools``).

Rows come back as dicts with the JSON decoded: ``rule`` (dict), ``audience`` (dict),
``audience_types`` (list), ``chosen`` (set of organisation ids), plus ``entry`` (the
``deadline_rules.CatalogueEntry``) and ``recurrence``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache

from sqlite_utils import Database

from domain import clock
from domain.deadline_rules import Audience, CatalogueEntry, DueRule, ReturnType, RuleKind, Source, year_groups_for_ages
from models import audit, deadline_cache
from models.db import one, rows, transaction

RETURN_TYPE_LABELS = {
    ReturnType.FILE_UPLOAD.value: "A file upload",
    ReturnType.INCIDENTS_OR_NIL.value: "Incidents, or a NIL return",
    ReturnType.FORM.value: "A form",
    ReturnType.CONFIRMATION.value: "A confirmation",
    ReturnType.NONE.value: "Nothing: for information only",
}
SOURCE_LABELS = {Source.DFE.value: "DfE", Source.LOCAL.value: "LA"}
OPEN_STATUSES = ("open", "proposed_to_close")


class CatalogueError(ValueError):
    """A catalogue change that cannot be made (bad rule, unknown school, duplicate code)."""


@lru_cache(maxsize=512)
def _parsed(code: str, name: str, description: str, audience: str, rule: str, return_type: str, source: str):
    """The stored JSON decoded and checked, once per distinct stored text (pages read the catalogue often)."""
    audience_dict, rule_dict = json.loads(audience), json.loads(rule)
    entry = CatalogueEntry(
        code=code,
        name=name,
        description=description,
        audience=Audience.from_dict(audience_dict),
        rule=DueRule.from_dict(rule_dict),
        return_type=return_type,
        source=source,
    )
    return audience_dict, rule_dict, entry


def _decode(row: dict, chosen: set[int]) -> dict:
    audience, rule, entry = _parsed(
        row["code"], row["name"], row["description"], row["audience"], row["rule"], row["return_type"], row["source"]
    )
    row["rule"] = rule  # shared between calls: read it, never change it
    row["audience"] = audience
    row["audience_types"] = json.loads(row["audience_types"])
    row["chosen"] = chosen
    row["entry"] = entry
    row["recurrence"] = entry.recurrence.value
    row["information_only"] = entry.information_only
    return row


def list_entries(db: Database, *, active_only: bool = False) -> list[dict]:
    """Return every catalogue row (decoded), in display order (cached per data version: do not change them)."""
    return deadline_cache.cached(db, ("catalogue", active_only), lambda: _list_entries(db, active_only))


def _list_entries(db: Database, active_only: bool) -> list[dict]:
    where = " WHERE c.active = 1" if active_only else ""
    found = rows(
        db,
        # nosemgrep: sql-format # {where} is a fixed clause or nothing
        "SELECT c.*, (SELECT json_group_array(s.organisation_id) FROM return_catalogue_schools s"  # nosec B608
        f" WHERE s.catalogue_id = c.id) AS chosen_ids FROM return_catalogue c{where} ORDER BY c.sort_order, c.name",
    )
    return [_decode(r, set(json.loads(r.pop("chosen_ids")))) for r in found]


def get(db: Database, catalogue_id: int) -> dict | None:
    """Return one catalogue row (decoded), or None."""
    row = one(db, "SELECT * FROM return_catalogue WHERE id = ?", (catalogue_id,))
    if row is None:
        return None
    chosen = {
        r["organisation_id"]
        for r in rows(db, "SELECT organisation_id FROM return_catalogue_schools WHERE catalogue_id = ?", (row["id"],))
    }
    return _decode(row, chosen)


def get_by_code(db: Database, code: str) -> dict | None:
    """Return the catalogue row with ``code`` (e.g. ``"SC-AUT"``), or None."""
    row = one(db, "SELECT id FROM return_catalogue WHERE code = ?", (code,))
    return get(db, row["id"]) if row else None


def _school_years(school: dict) -> frozenset[int] | None:
    low, high = school.get("low_age"), school.get("high_age")
    if low is None or high is None:
        return None
    try:
        return year_groups_for_ages(low, high)
    except ValueError:
        return None  # implausible GIAS ages: treat as unknown, so the school stays visible


def applies_to(entry_row: dict, school: dict) -> bool:
    """True when the school must make this return.

    A school counts when it is open (or proposed to close), and: for a chosen-list entry,
    it is on the list; otherwise it matches the audience (phase, year groups from its
    GIAS age range, maintained/academy; unknown facts count as a match) and, when the
    entry names establishment types, its type is one of them.
    """
    if school.get("kind") != "school" or school.get("status") not in OPEN_STATUSES:
        return False
    if entry_row["chosen_only"]:
        return school["id"] in entry_row["chosen"]
    types = entry_row["audience_types"]
    if types and school.get("type_name") is not None and school["type_name"] not in types:
        return False
    return entry_row["entry"].audience.includes(
        phase=school.get("phase"), is_academy=bool(school.get("is_academy")), year_groups=_school_years(school)
    )


def describe_audience(entry_row: dict) -> str:
    """Plain-English "who must return it" for a catalogue row."""
    if entry_row["chosen_only"]:
        count = len(entry_row["chosen"])
        return f"A chosen list of {count} school{'s' if count != 1 else ''}"
    text = entry_row["entry"].audience.describe()
    if entry_row["audience_types"]:
        types = entry_row["audience_types"]
        text += " of type " + (types[0] if len(types) == 1 else ", ".join(types[:-1]) + " or " + types[-1])
    return text


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip
_NTH = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last", -2: "second last"}


def _offset_text(offset: int, unit: str, anchor: str) -> str:
    if not offset:
        return anchor
    what = "working day" if unit == "working_days" else "day"
    plural = "s" if abs(offset) != 1 else ""
    return f"{abs(offset)} {what}{plural} {'after' if offset > 0 else 'before'} {anchor}"


def _anchor_text(rule: dict) -> str:
    kind = rule["kind"]
    if kind == RuleKind.FIXED:
        return f"{rule['day']} {_MONTHS[rule['month'] - 1]}"
    if kind == RuleKind.NTH_WEEKDAY:
        nth = _NTH.get(rule["nth"], f"number {rule['nth']}")
        return f"the {nth} {_WEEKDAYS[rule['weekday']]} of {_MONTHS[rule['month'] - 1]}"
    if kind == RuleKind.CENSUS_DAY_OFFSET:
        return f"{rule['census']} census day" if rule.get("census") else "the term's census day"
    if kind == RuleKind.TERM_START_OFFSET:
        return f"the first day of the {rule['term']} term" if rule.get("term") else "the first day of term"
    if kind == RuleKind.TERM_END_OFFSET:
        return f"the last day of the {rule['term']} term" if rule.get("term") else "the last day of term"
    if kind == RuleKind.WEEKLY:
        return f"{_WEEKDAYS[rule['weekday']]} each school week"
    if kind == RuleKind.MONTH_END_OFFSET:
        return "the last day of each month"
    return "the deadline"


def describe_date_rule(rule: dict | None) -> str:
    """Plain-English text of one stored date rule dict (``DateRule.to_dict()``)."""
    if not rule:
        return ""
    return _offset_text(rule.get("offset", 0), rule.get("unit", "days"), _anchor_text(rule))


def describe_rule(rule: dict) -> dict:
    """Plain-English ``{"recurrence", "due", "opens", "internal_due"}`` for a stored due rule."""
    internal = rule.get("internal_due")
    internal_text = describe_date_rule(internal).replace("the deadline", "the external deadline") if internal else ""
    return {
        "recurrence": rule["recurrence"].capitalize(),
        "due": describe_date_rule(rule["due"]),
        "opens": describe_date_rule(rule.get("opens")).replace("the deadline", "the due date")
        or "the start of the period",
        "internal_due": internal_text,
    }


def _check_schools(db: Database, chosen: Iterable[int]) -> list[int]:
    ids = sorted(set(chosen))
    if not ids:
        return ids
    marks = ",".join("?" * len(ids))
    # nosemgrep: sql-format # {marks} is only ? placeholders: every value is bound
    known = rows(db, f"SELECT id FROM organisations WHERE kind = 'school' AND id IN ({marks})", ids)  # nosec B608
    found = {r["id"] for r in known}
    missing = [i for i in ids if i not in found]
    if missing:
        raise CatalogueError(f"Unknown schools: {missing}")
    return ids


def save(
    db: Database,
    entry: CatalogueEntry,
    *,
    catalogue_id: int | None = None,
    audience_types: Iterable[str] = (),
    chosen_only: bool = False,
    chosen: Iterable[int] = (),
    active: bool = True,
    actor: dict | None = None,
) -> dict:
    """Insert (``catalogue_id`` None) or update a catalogue row and audit it; return the row.

    The code of an existing row cannot change (instances and other areas refer to it).
    Raises CatalogueError for an unknown school in ``chosen``, a code already used, a
    chosen-list entry with no schools, or a changed code.
    """
    types = sorted({t.strip() for t in audience_types if t and t.strip()})
    now = clock.iso()
    values = {
        "code": entry.code, "name": entry.name.strip(), "description": entry.description.strip(),
        "source": entry.source.value, "return_type": entry.return_type.value,
        "rule": json.dumps(entry.rule.to_dict(), sort_keys=True),
        "audience": json.dumps(entry.audience.to_dict(), sort_keys=True), "audience_types": json.dumps(types),
        "chosen_only": int(chosen_only), "active": int(active), "now": now,
    }  # fmt: skip
    with transaction(db):
        ids = _check_schools(db, chosen)
        if chosen_only and not ids:
            raise CatalogueError("Choose at least one school, or make the return apply by audience")
        if catalogue_id is None:
            if one(db, "SELECT id FROM return_catalogue WHERE code = ?", (entry.code,)):
                raise CatalogueError(f"A return with code {entry.code} already exists")
            cursor = db.conn.execute(
                "INSERT INTO return_catalogue (code, name, description, source, return_type, rule, audience,"
                " audience_types, chosen_only, active, sort_order, created_at, updated_at) VALUES (:code, :name,"
                " :description, :source, :return_type, :rule, :audience, :audience_types, :chosen_only, :active,"
                " (SELECT coalesce(max(sort_order), 0) + 10 FROM return_catalogue), :now, :now)",
                values,
            )
            catalogue_id = cursor.lastrowid
            action = "deadline_catalogue_added"
        else:
            existing = one(db, "SELECT code FROM return_catalogue WHERE id = ?", (catalogue_id,))
            if existing is None:
                raise CatalogueError("That return does not exist")
            if existing["code"] != entry.code:
                raise CatalogueError("The code of a return cannot be changed")
            db.conn.execute(
                "UPDATE return_catalogue SET name = :name, description = :description, source = :source,"
                " return_type = :return_type, rule = :rule, audience = :audience, audience_types = :audience_types,"
                " chosen_only = :chosen_only, active = :active, updated_at = :now WHERE id = :id",
                {**values, "id": catalogue_id},
            )
            action = "deadline_catalogue_changed"
        db.conn.execute("DELETE FROM return_catalogue_schools WHERE catalogue_id = ?", (catalogue_id,))
        db.conn.executemany(
            "INSERT INTO return_catalogue_schools (catalogue_id, organisation_id) VALUES (?, ?)",
            [(catalogue_id, i) for i in ids],
        )
        detail = {k: v for k, v in values.items() if k != "now"}
        detail["chosen"] = ids
        audit.record(
            db, action, actor=actor, organisation_id=actor["organisation_id"] if actor else None,
            target=f"return:{entry.code}", detail=detail,
        )  # fmt: skip
    return get(db, catalogue_id)


def dfe_numbers(db: Database, organisation_ids: Iterable[int]) -> list[str]:
    """The DfE numbers of those organisations, sorted (for showing a chosen list)."""
    ids = json.dumps(sorted(set(organisation_ids)))
    found = rows(
        db, "SELECT dfe_number FROM organisations WHERE id IN (SELECT value FROM json_each(?)) ORDER BY 1", (ids,)
    )
    return [r["dfe_number"] for r in found]


def schools_by_dfe_number(db: Database, numbers: Iterable[str]) -> dict[str, int]:
    """DfE number -> school id for those of ``numbers`` that name a school (others are left out)."""
    found = rows(
        db,
        "SELECT id, dfe_number FROM organisations WHERE kind = 'school' AND dfe_number IN"
        " (SELECT value FROM json_each(?))",
        (json.dumps(list(numbers)),),
    )
    return {r["dfe_number"]: r["id"] for r in found}
