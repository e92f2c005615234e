"""A version's findings and pupils (or staff): bulk storage, the filtered and paged findings list, counts.

Findings are stored in file order (their ``id``); each is joined to the note that explains it
(a note about its rule and UPN, or a note about its whole rule; for a workforce return the "UPN" is
the staff member's TRN, else NI number). Pupils are the records the validator handed on
(``on_pupil``), kept for exports and later duplicate checks; a School Workforce Census version keeps
its staff instead (``return_staff``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlite_utils import Database

from models.db import one, rows, scalar

PAGE_SIZE = 50
SEVERITIES = ("error", "query")
PUPIL_FIELDS = (
    "position", "upn", "former_upn", "uln", "surname", "forename", "middle_names", "preferred_surname", "dob",
    "sex", "nc_year", "enrol_status", "postcode", "entry_date", "leaving_date",
)  # fmt: skip
STAFF_FIELDS = ("position", "trn", "ni_number", "surname", "forename", "dob", "sex")
_PUPIL_BATCH = 5000

# A finding with the note that explains it: one about its rule and UPN, else one about its whole rule.
_FINDING_SELECT = (
    "SELECT f.*, coalesce(np.text, nr.text) AS note, CASE WHEN np.id IS NOT NULL THEN 'pupil'"
    " WHEN nr.id IS NOT NULL THEN 'rule' END AS note_kind FROM return_findings f"
    " LEFT JOIN return_notes np ON np.version_id = f.version_id AND np.rule = f.rule AND np.upn = f.upn"
    " LEFT JOIN return_notes nr ON nr.version_id = f.version_id AND nr.rule = f.rule AND nr.upn IS NULL"
)


def insert_findings(db: Database, version_id: int, findings: Iterable) -> int:
    """Store validation ``Finding`` objects for a version (one executemany); return how many."""
    values = [
        (version_id, f.rule, f.severity, f.scope, f.pupil, f.upn or "", f.name or "", f.field or "",
         f.value or "", f.message, f.fix or "")
        for f in findings
    ]  # fmt: skip
    db.conn.executemany(
        "INSERT INTO return_findings (version_id, rule, severity, scope, pupil, upn, name, field, value, message, fix)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        values,
    )
    return len(values)


def _pupil_values(version_id: int, record: dict) -> tuple:
    lines = [str(line) for line in record.get("address_lines") or []]
    return (version_id, *(record.get(name) for name in PUPIL_FIELDS), json.dumps(lines, ensure_ascii=False))


def insert_pupils(db: Database, version_id: int, records: Iterable[dict]) -> int:
    """Store pupil records (dicts as the validator's ``on_pupil`` gives) in batches; return how many."""
    columns = ", ".join(PUPIL_FIELDS)
    marks = ", ".join("?" for _ in range(len(PUPIL_FIELDS) + 2))
    # The column names are PUPIL_FIELDS, fixed in this module, and {marks} only ? placeholders.
    sql = f"INSERT INTO return_pupils (version_id, {columns}, address_lines) VALUES ({marks})"  # nosec B608
    count, batch = 0, []
    for record in records:
        batch.append(_pupil_values(version_id, record))
        if len(batch) >= _PUPIL_BATCH:
            db.conn.executemany(sql, batch)  # nosemgrep: sql-format # fixed columns, values bound (above)
            count += len(batch)
            batch = []
    db.conn.executemany(sql, batch)  # nosemgrep: sql-format # fixed columns, values bound (above)
    return count + len(batch)


@dataclass(frozen=True)
class Filters:
    """What the findings list shows: a severity, a rule, text in the UPN or name, unexplained queries
    only, or one exact UPN (``upn``; "" for findings about no pupil's UPN)."""

    severity: str | None = None
    rule: str | None = None
    text: str | None = None
    unexplained: bool = False
    upn: str | None = None

    def query_args(self) -> dict:
        """The filters as query-string arguments (only those set)."""
        args = {"severity": self.severity, "rule": self.rule, "q": self.text, "unexplained": "1" if self.unexplained
                else None}  # fmt: skip
        return {k: v for k, v in args.items() if v}


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _where(version_id: int, filters: Filters) -> tuple[str, dict]:
    clauses, params = ["f.version_id = :version"], {"version": version_id}
    if filters.severity:
        clauses.append("f.severity = :severity")
        params["severity"] = filters.severity
    if filters.rule:
        clauses.append("f.rule = :rule")
        params["rule"] = filters.rule
    if filters.text:
        clauses.append("(f.upn LIKE :text ESCAPE '\\' OR f.name LIKE :text ESCAPE '\\')")
        params["text"] = _like(filters.text)
    if filters.upn is not None:
        clauses.append("f.upn = :upn")
        params["upn"] = filters.upn
    if filters.unexplained:
        clauses.append("f.severity = 'query' AND np.id IS NULL AND nr.id IS NULL")
    return " WHERE " + " AND ".join(clauses), params


def search(db: Database, version_id: int, filters: Filters, page: int = 1, page_size: int = PAGE_SIZE) -> dict:
    """One page of a version's findings matching ``filters``, in file order.

    Returns ``{"rows", "total", "page", "pages", "first"}`` (``first``: the 1-based number of the page's
    first row); a page beyond the last gives the last.
    Each row is a finding plus ``note`` (the explaining note's text or None) and ``note_kind``
    (``"pupil"``, ``"rule"`` or None).
    """
    where, params = _where(version_id, filters)
    total = scalar(
        db,
        # nosemgrep: sql-format # {where} is fixed clauses with :name placeholders (_where)
        "SELECT count(*) FROM return_findings f"  # nosec B608
        " LEFT JOIN return_notes np ON np.version_id = f.version_id AND np.rule = f.rule AND np.upn = f.upn"
        " LEFT JOIN return_notes nr ON nr.version_id = f.version_id AND nr.rule = f.rule AND nr.upn IS NULL"
        + where,
        params,
    )
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    found = rows(
        db,
        # nosemgrep: sql-format # {where} is fixed clauses with :name placeholders (_where)
        f"{_FINDING_SELECT}{where} ORDER BY f.id LIMIT :limit OFFSET :offset",
        {**params, "limit": page_size, "offset": (page - 1) * page_size},
    )
    return {"rows": found, "total": total, "page": page, "pages": pages, "first": (page - 1) * page_size + 1}


def get_finding(db: Database, finding_id: int) -> dict | None:
    """One finding with its note (as in :func:`search`), or None."""
    return one(db, f"{_FINDING_SELECT} WHERE f.id = ?", (finding_id,))


def iter_findings(db: Database, version_id: int) -> Iterator[dict]:
    """Every finding of a version in file order, with its note (for CSV files)."""
    cursor = db.conn.execute(f"{_FINDING_SELECT} WHERE f.version_id = ? ORDER BY f.id", (version_id,))
    for row in cursor:
        yield dict(row)


def counts_by_rule(db: Database, version_id: int) -> list[dict]:
    """``[{"rule", "severity", "count", "unexplained"}, ...]``: most frequent first.

    ``unexplained`` counts the rule's queries that no note explains (0 for errors).
    """
    return rows(
        db,
        "SELECT f.rule, f.severity, count(*) AS count, sum(f.severity = 'query' AND np.id IS NULL AND nr.id IS NULL)"
        " AS unexplained FROM return_findings f"
        " LEFT JOIN return_notes np ON np.version_id = f.version_id AND np.rule = f.rule AND np.upn = f.upn"
        " LEFT JOIN return_notes nr ON nr.version_id = f.version_id AND nr.rule = f.rule AND nr.upn IS NULL"
        " WHERE f.version_id = ? GROUP BY f.rule, f.severity ORDER BY count(*) DESC, f.rule",
        (version_id,),
    )


def unexplained_queries(db: Database, version_id: int) -> int:
    """How many of a version's queries no note explains."""
    return scalar(
        db,
        "SELECT count(*) FROM return_findings f WHERE f.version_id = ? AND f.severity = 'query' AND NOT EXISTS"
        " (SELECT 1 FROM return_notes n WHERE n.version_id = f.version_id AND n.rule = f.rule"
        " AND (n.upn IS NULL OR n.upn = f.upn))",
        (version_id,),
    )


def has_query(db: Database, version_id: int, rule: str, upn: str | None) -> bool:
    """True when the version has a query of ``rule`` (about ``upn``, unless None)."""
    sql = "SELECT 1 FROM return_findings WHERE version_id = ? AND severity = 'query' AND rule = ?"
    params: tuple = (version_id, rule)
    if upn is not None:
        sql += " AND upn = ?"
        params += (upn,)
    return one(db, sql + " LIMIT 1", params) is not None


def iter_pupils(db: Database, version_id: int) -> Iterator[dict]:
    """Every pupil of a version in file order; ``address_lines`` decoded to a list."""
    cursor = db.conn.execute("SELECT * FROM return_pupils WHERE version_id = ? ORDER BY position", (version_id,))
    for row in cursor:
        pupil = dict(row)
        pupil["address_lines"] = json.loads(pupil["address_lines"])
        yield pupil


def max_address_lines(db: Database, version_id: int) -> int:
    """The most address lines any pupil of the version has (0 when none has any)."""
    return scalar(
        db, "SELECT coalesce(max(json_array_length(address_lines)), 0) FROM return_pupils WHERE version_id = ?",
        (version_id,),
    )  # fmt: skip


_STAFF_INSERT = (
    "INSERT INTO return_staff (version_id, position, trn, ni_number, surname, forename, dob, sex, contracts)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _staff_values(version_id: int, record: dict) -> tuple:
    contracts = json.dumps(record.get("contracts") or [], ensure_ascii=False)
    return (version_id, *(record.get(name) for name in STAFF_FIELDS), contracts)


def insert_staff(db: Database, version_id: int, records: Iterable[dict]) -> int:
    """Store a workforce return's staff records (dicts as the validator hands them on, each with its
    ``contracts``) in batches; return how many."""
    count, batch = 0, []
    for record in records:
        batch.append(_staff_values(version_id, record))
        if len(batch) >= _PUPIL_BATCH:
            db.conn.executemany(_STAFF_INSERT, batch)
            count += len(batch)
            batch = []
    db.conn.executemany(_STAFF_INSERT, batch)
    return count + len(batch)


def iter_staff(db: Database, version_id: int) -> Iterator[dict]:
    """Every member of staff of a version in file order; ``contracts`` decoded to a list of dicts."""
    cursor = db.conn.execute("SELECT * FROM return_staff WHERE version_id = ? ORDER BY position", (version_id,))
    for row in cursor:
        member = dict(row)
        member["contracts"] = json.loads(member["contracts"])
        yield member
