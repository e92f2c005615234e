"""Organisations: the LA itself and its schools; the GIAS import; search for the list page."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlite_utils import Database

from domain import clock
from domain.gias.reader import Closed, Establishment, Record, Skipped
from models import audit
from models.db import one, rows, scalar, transaction


def get(db: Database, organisation_id: int) -> dict | None:
    """Return the organisation with ``organisation_id``, or None."""
    return one(db, "SELECT * FROM organisations WHERE id = ?", (organisation_id,))


def get_school_by_dfe_number(db: Database, dfe_number: str) -> dict | None:
    """The school with this DfE number (``8732001`` or ``873/2001``), or None."""
    return one(db, "SELECT * FROM organisations WHERE kind = 'school' AND dfe_number = ?",
               (dfe_number.replace("/", "").strip(),))  # fmt: skip


def get_la(db: Database, la_code: str) -> dict | None:
    """Return the LA organisation with ``la_code``, or None."""
    return one(db, "SELECT * FROM organisations WHERE kind = 'la' AND la_code = ?", (la_code,))


def ensure_la(db: Database, la_code: str, name: str) -> dict:
    """Return the LA organisation for ``la_code``, creating it (DfE number LLL0000) if absent."""
    with transaction(db):
        existing = get_la(db, la_code)
        if existing:
            return existing
        db.conn.execute(
            "INSERT INTO organisations (kind, la_code, dfe_number, name) VALUES ('la', ?, ?, ?)",
            (la_code, f"{la_code}0000", name),
        )
    return get_la(db, la_code)


def create_school(db: Database, *, la_code: str, estab: str, name: str, urn: int | None = None, **fields) -> dict:
    """Insert a school (DfE number = LA code + establishment number) and return it."""
    columns = {"kind": "school", "la_code": la_code, "estab": estab, "dfe_number": la_code + estab, "urn": urn,
               "name": name, **fields}
    names = ", ".join(columns)
    marks = ", ".join(f":{c}" for c in columns)
    with transaction(db):
        # nosemgrep: sql-format # column names are the keyword arguments of our own callers, values are bound
        cursor = db.conn.execute(f"INSERT INTO organisations ({names}) VALUES ({marks})", columns)  # nosec B608
    return get(db, cursor.lastrowid)


def counts(db: Database) -> dict:
    """Return ``{"organisations": n, "users": n}``: how much the database already holds."""
    return {
        "organisations": scalar(db, "SELECT count(*) FROM organisations"),
        "users": scalar(db, "SELECT count(*) FROM users"),
    }


# ----------------------------------------------------------------------------- GIAS import

SCHOOL_FIELDS = (
    "la_code", "estab", "dfe_number", "urn", "name", "type_name", "phase", "status", "is_academy",
    "low_age", "high_age", "ukprn", "postcode", "opened_on", "closed_on",
)  # fmt: skip

SKIP_CLOSED = "closed in GIAS"
SKIP_DFE_TAKEN = "DfE number already belongs to another organisation"


class ImportRefused(ValueError):
    """The import would be unsafe (e.g. the file has no rows for a chosen LA); nothing was changed."""


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do)."""

    la_codes: tuple[str, ...]
    import_id: int | None = None
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    closed: int = 0
    unchanged: int = 0
    skipped: Counter = field(default_factory=Counter)
    las_created: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def as_detail(self) -> dict:
        """The counts as a plain dict (audit detail, JSON)."""
        return {
            "la_codes": list(self.la_codes), "rows_read": self.rows_read, "added": self.added,
            "updated": self.updated, "closed": self.closed, "unchanged": self.unchanged,
            "skipped": self.skipped_total, "skip_reasons": dict(sorted(self.skipped.items())),
            "las_created": self.las_created,
        }  # fmt: skip


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def _school_values(record: Establishment) -> dict:
    values = {name: getattr(record, name) for name in SCHOOL_FIELDS}
    values["is_academy"] = int(record.is_academy)
    return values


class _Plan:
    """Decides, record by record, what to insert, update and close; writes nothing itself."""

    def __init__(self, existing: list[dict], summary: ImportSummary):
        self.summary = summary
        self.schools = [r for r in existing if r["kind"] == "school"]
        self.by_urn = {r["urn"]: r for r in self.schools if r["urn"] is not None}
        self.unnumbered = {r["dfe_number"]: r for r in self.schools if r["urn"] is None}
        self.dfe_owner: dict[str, object] = {r["dfe_number"]: r["id"] for r in existing}
        self.inserts: list[dict] = []
        self.updates: list[dict] = []
        self.closes: list[dict] = []
        self.unchanged: list[int] = []
        self.seen: set[int] = set()

    def take(self, record: Record) -> None:
        if isinstance(record, Skipped):
            self.summary.skipped[record.reason] += 1
        elif isinstance(record, Closed):
            self._closed(record)
        else:
            self._establishment(record)

    def _closed(self, record: Closed) -> None:
        existing = self.by_urn.get(record.urn)
        if existing is None:
            self.summary.skipped[SKIP_CLOSED] += 1
            return
        self.seen.add(existing["id"])
        if existing["status"] == "closed":
            self.summary.unchanged += 1
            self.unchanged.append(existing["id"])
            return
        self.closes.append({"id": existing["id"], "closed_on": record.closed_on})
        self.summary.closed += 1

    def _establishment(self, record: Establishment) -> None:
        existing = self.by_urn.get(record.urn) or self.unnumbered.pop(record.dfe_number, None)
        owner = self.dfe_owner.get(record.dfe_number)
        if owner is not None and (existing is None or owner != existing["id"]):
            self.summary.skipped[SKIP_DFE_TAKEN] += 1
            return
        values = _school_values(record)
        if existing is None:
            self.inserts.append(values)
            self.dfe_owner[record.dfe_number] = ("new", record.urn)
            self.summary.added += 1
            return
        self.seen.add(existing["id"])
        if all(existing[name] == values[name] for name in SCHOOL_FIELDS):
            self.summary.unchanged += 1
            self.unchanged.append(existing["id"])
            return
        self.dfe_owner.pop(existing["dfe_number"], None)
        self.dfe_owner[record.dfe_number] = existing["id"]
        self.updates.append({**values, "id": existing["id"]})
        self.summary.updated += 1

    def close_absent(self, la_codes: Iterable[str]) -> None:
        """Close the open schools of ``la_codes`` that have a URN but were not in the file."""
        chosen = set(la_codes)
        for school in self.schools:
            absent = school["id"] not in self.seen and school["urn"] is not None
            if absent and school["la_code"] in chosen and school["status"] != "closed":
                self.closes.append({"id": school["id"], "closed_on": None})
                self.summary.closed += 1


def _refuse_missing_las(records: list[Record], la_codes: tuple[str, ...]) -> dict[str, str]:
    """Return LA code -> LA name from the rows; raise ImportRefused when a chosen LA has no rows."""
    names: dict[str, str] = {}
    present: Counter = Counter()
    for record in records:
        present[record.la_code] += 1
        if record.la_name and record.la_code not in names:
            names[record.la_code] = record.la_name
    missing = [code for code in la_codes if not present[code]]
    if missing:
        others = ", ".join(code for code, _ in present.most_common(8) if code) or "none"
        raise ImportRefused(
            f"The file has no rows for LA {', '.join(missing)}, so nothing was imported (importing it would "
            f"mark every school of that LA closed). Check the LA code; the file has rows for LAs: {others}."
        )
    return names


def import_gias(
    db: Database,
    records: Iterable[Record],
    *,
    la_codes: tuple[str, ...],
    file_name: str,
    file_sha256: str,
    encoding: str = "cp1252",
    notes: Iterable[str] = (),
    actor: dict | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Import GIAS records for ``la_codes``: add new schools, update by URN, close the missing.

    ``records`` come from :meth:`gias.reader.Extract.records` (they are all read before the
    write transaction starts, so a progress display tracks the reading). In ONE transaction:
    creates missing LA organisations (named from ``LA (name)``), inserts and updates schools
    with ``executemany``, marks closed the schools of those LAs that GIAS lists as closed or
    no longer lists, records the run in ``gias_imports`` and audits ``gias_import``.
    Schools created by hand without a URN are matched by DfE number; other schools without a
    URN are never closed. A dry run does all of it, then rolls back.

    Raises ImportRefused (nothing changed) when the file has no rows for a chosen LA;
    gias.reader.GiasFileError from reading the records propagates, also with nothing changed.
    """
    records = list(records)
    summary = ImportSummary(la_codes=la_codes, rows_read=len(records), notes=list(notes), dry_run=dry_run)
    la_names = _refuse_missing_las(records, la_codes)
    if dry_run and db.conn.in_transaction:
        raise ValueError("a dry run needs its own transaction")
    try:
        with transaction(db):
            _import_in_transaction(db, records, summary, la_names, file_name, file_sha256, encoding, actor)
            if dry_run:
                raise _DryRun
    except _DryRun:
        summary.import_id = None
    return summary


def _import_in_transaction(db, records, summary, la_names, file_name, file_sha256, encoding, actor) -> None:
    now = clock.iso()
    for code in summary.la_codes:
        if get_la(db, code) is None:
            ensure_la(db, code, la_names.get(code) or f"LA {code}")
            summary.las_created.append(code)
    plan = _Plan(rows(db, "SELECT * FROM organisations"), summary)
    for record in records:
        plan.take(record)
    plan.close_absent(summary.la_codes)
    cursor = db.conn.execute(
        "INSERT INTO gias_imports (at, actor_id, file_name, file_sha256, encoding, la_codes) VALUES (?, ?, ?, ?, ?, ?)",
        (now, actor["id"] if actor else None, file_name, file_sha256, encoding, ",".join(summary.la_codes)),
    )
    summary.import_id = cursor.lastrowid
    _write(db, plan, summary.import_id, now)
    detail = summary.as_detail()
    db.conn.execute(
        "UPDATE gias_imports SET rows_read = :rows_read, added = :added, updated = :updated, closed = :closed,"
        " unchanged = :unchanged, skipped = :skipped, skip_reasons = :reasons WHERE id = :id",
        {**detail, "reasons": json.dumps(detail["skip_reasons"], sort_keys=True), "id": summary.import_id},
    )
    la = get_la(db, summary.la_codes[0]) if len(summary.la_codes) == 1 else None
    audit.record(
        db, "gias_import", actor=actor, organisation_id=la["id"] if la else None,
        target=f"gias_import:{summary.import_id}", detail={"file": file_name, "sha256": file_sha256, **detail},
    )  # fmt: skip


def _write(db: Database, plan: _Plan, import_id: int, now: str) -> None:
    """Apply the plan: updates before inserts, so a DfE number freed by an update can be reused."""
    stamp = {"gias_import_id": import_id, "now": now}
    sets = ", ".join(f"{name} = :{name}" for name in SCHOOL_FIELDS)
    db.conn.executemany(
        # nosemgrep: sql-format # SCHOOL_FIELDS, fixed in this module; values are bound
        f"UPDATE organisations SET {sets}, closed_at = NULL, updated_at = :now, gias_import_id = :gias_import_id"  # nosec B608
        " WHERE id = :id AND kind = 'school'",
        [{**row, **stamp} for row in plan.updates],
    )
    names = ", ".join(SCHOOL_FIELDS)
    marks = ", ".join(f":{name}" for name in SCHOOL_FIELDS)
    db.conn.executemany(
        # nosemgrep: sql-format # SCHOOL_FIELDS, fixed in this module; values are bound
        f"INSERT INTO organisations (kind, {names}, created_at, updated_at, gias_import_id)"  # nosec B608
        f" VALUES ('school', {marks}, :now, :now, :gias_import_id)",
        [{**row, **stamp} for row in plan.inserts],
    )
    db.conn.executemany(
        "UPDATE organisations SET status = 'closed', closed_on = coalesce(:closed_on, closed_on), closed_at = :now,"
        " updated_at = :now, gias_import_id = :gias_import_id WHERE id = :id",
        [{**row, **stamp} for row in plan.closes],
    )
    db.conn.executemany(
        "UPDATE organisations SET gias_import_id = ? WHERE id = ?", [(import_id, org_id) for org_id in plan.unchanged]
    )


def get_import(db: Database, import_id: int | None) -> dict | None:
    """Return one GIAS import run (``skip_reasons`` decoded to a dict), or None."""
    if import_id is None:
        return None
    run = one(db, "SELECT * FROM gias_imports WHERE id = ?", (import_id,))
    if run:
        run["skip_reasons"] = json.loads(run["skip_reasons"])
    return run


# ----------------------------------------------------------------------------- search

STATUS_FILTERS = {
    "open": "o.status IN ('open', 'proposed_to_close')",
    "proposed_to_close": "o.status = 'proposed_to_close'",
    "closed": "o.status = 'closed'",
}


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search_where(query: str, status: str, phase: str, la_code: str | None) -> tuple[str, dict]:
    clauses, params = [], {}
    query = " ".join(query.split())
    if query:
        params["name"] = f"%{_like(query)}%"
        match = ["o.name LIKE :name ESCAPE '\\'"]
        digits = query.replace("/", "").replace(" ", "")
        if digits.isdigit():
            params["digits"] = f"{digits}%"
            match += ["o.dfe_number LIKE :digits", "CAST(o.urn AS TEXT) LIKE :digits", "o.estab LIKE :digits"]
        clauses.append("(" + " OR ".join(match) + ")")
    if status in STATUS_FILTERS:
        clauses.append(STATUS_FILTERS[status])
    if phase:
        clauses.append("o.phase = :phase")
        params["phase"] = phase
    if la_code is not None:
        clauses.append("o.la_code = :la_code")
        params["la_code"] = la_code
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def search(
    db: Database,
    *,
    query: str = "",
    status: str = "",
    phase: str = "",
    la_code: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> dict:
    """Find organisations for the list page, LA first, then schools by name.

    ``query`` matches part of the name (any case), or the start of the DfE number (with or
    without the slash, ``873/2001`` or ``8732001``), URN or establishment number. ``status`` is
    ``open`` (includes proposed to close), ``proposed_to_close``, ``closed`` or empty for all;
    ``la_code`` limits to one LA (None: every LA). A page past the end gives the last page.
    Returns ``{"items", "total", "page", "pages", "per_page"}``.
    """
    where, params = _search_where(query, status, phase, la_code)
    # nosemgrep: sql-format # {where} is fixed clauses with :name placeholders (_search_where)
    total = scalar(db, f"SELECT count(*) FROM organisations o{where}", params)  # nosec B608
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    items = rows(
        db,
        # nosemgrep: sql-format # {where} is fixed clauses with :name placeholders (_search_where)
        f"SELECT o.* FROM organisations o{where}"  # nosec B608
        " ORDER BY o.kind = 'school', o.name COLLATE NOCASE, o.id LIMIT :limit OFFSET :offset",
        {**params, "limit": per_page, "offset": (page - 1) * per_page},
    )
    return {"items": items, "total": total, "page": page, "pages": pages, "per_page": per_page}


def school_names(db: Database, la_code: str) -> dict[int, str]:
    """The LA's schools' names by id (closed ones too: past figures name them)."""
    return {r["id"]: r["name"] for r in rows(db, "SELECT id, name FROM organisations WHERE kind = 'school'"
                                                 " AND la_code = ?", (la_code,))}  # fmt: skip


def phases(db: Database, la_code: str | None = None) -> list[str]:
    """Return the distinct phases of education held (of one LA when given), sorted."""
    if la_code is None:
        found = rows(db, "SELECT DISTINCT phase FROM organisations WHERE phase IS NOT NULL ORDER BY phase")
    else:
        found = rows(
            db,
            "SELECT DISTINCT phase FROM organisations WHERE phase IS NOT NULL AND la_code = ? ORDER BY phase",
            (la_code,),
        )
    return [r["phase"] for r in found]
