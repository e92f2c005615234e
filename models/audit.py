"""The append-only, hash-chained audit log.

Each row's ``hash`` is HMAC-SHA-256, under the key in ``instance/audit_key`` (models/audit_key.py),
over the previous row's hash and the row's own fields, so any edit, deletion or reordering breaks
the chain from that row on. Triggers refuse UPDATE and DELETE; :func:`verify_chain` finds the
first row whose hash no longer fits. Because the chain is keyed, someone who can write the
database but not read the key file cannot drop the triggers, rewrite a row and recompute the
hashes after it.

Rows written before the chain was keyed keep their plain SHA-256 hashes: the log is a plain
prefix (possibly empty) followed by keyed rows, and the first keyed row's HMAC covers the last
plain hash, so it vouches for every row before it. Migration ``audit:0002_keyed_chain`` ends an
existing plain chain with an ``audit_chain_keyed`` row rather than re-chaining old rows: their
hashes stay as they were, so hashes noted earlier still work as ``--anchor``, and nothing in the
append-only table is rewritten. A plain row after a keyed one, or a log with rows but no keyed
row, does not verify.

A chain, keyed or not, cannot show on its own that rows were removed from its end: note the last
row's hash somewhere else (``audit verify`` prints it) and pass it back as an anchor.

Searching (the admin page) and exporting (CSV, web and CLI) also live here; every filter is
a bound parameter.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlite_utils import Database

from domain import clock
from domain.security import audit_chain
from models import audit_key
from models.audit_key import AuditKeyError
from models.db import one, rows, scalar, transaction

GENESIS = audit_chain.GENESIS
FIELDS = ("at", "actor_id", "actor_email", "organisation_id", "action", "target", "ip", "user_agent", "detail")
PAGE_SIZE = 50
KEYED_ACTION = "audit_chain_keyed"


def _values(row: dict) -> list:
    return [row.get(f) for f in FIELDS]


def _is_plain(row: dict) -> bool:
    """True when ``row`` carries a plain SHA-256 hash (written before the chain was keyed)."""
    return audit_chain.plain_link(row["prev_hash"], _values(row)) == row["hash"]


def _key_for_writing(db: Database) -> bytes:
    """The key to chain a new row with; call inside the write transaction.

    Creates the key file when it is missing and the log holds no keyed row yet (a new
    instance, or a log from before the chain was keyed). Raises AuditKeyError when the file
    is missing but the log is keyed, or when the file cannot be read.
    """
    key_file = audit_key.key_file_for(db)
    try:
        return audit_key.read_key(key_file)
    except FileNotFoundError:
        last = one(db, "SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
        if last is not None and not _is_plain(last):
            raise AuditKeyError(audit_key.missing_message(key_file)) from None
        return audit_key.create_key(key_file)


def record(
    db: Database,
    action: str,
    *,
    actor: dict | None = None,
    organisation_id: int | None = None,
    target: str | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
    detail: dict | str | None = None,
) -> dict:
    """Append one event and return the stored row.

    ``actor`` is a user dict (``id``, ``email``) or None for the system or an anonymous
    visitor. Runs in the caller's transaction when there is one, so an action and its audit
    row commit together; otherwise in its own ``BEGIN IMMEDIATE`` transaction. Raises
    AuditKeyError (and writes nothing) when the log is keyed and its key file is missing.
    """
    if isinstance(detail, dict):
        detail = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    row = {
        "at": clock.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": actor["id"] if actor else None,
        "actor_email": actor["email"] if actor else None,
        "organisation_id": organisation_id,
        "action": action,
        "target": target,
        "ip": ip,
        "user_agent": (user_agent or "")[:300] or None,
        "detail": detail,
    }
    with transaction(db):
        last = one(db, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
        row["prev_hash"] = last["hash"] if last else GENESIS
        row["hash"] = audit_chain.keyed_link(_key_for_writing(db), row["prev_hash"], _values(row))
        cursor = db.conn.execute(
            "INSERT INTO audit_log (at, actor_id, actor_email, organisation_id, action, target, ip,"
            " user_agent, detail, prev_hash, hash) VALUES (:at, :actor_id, :actor_email, :organisation_id,"
            " :action, :target, :ip, :user_agent, :detail, :prev_hash, :hash)",
            row,
        )
        row["id"] = cursor.lastrowid
    return row


# --- Verifying the chain ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """The result of :func:`verify_chain`.

    ``broken_id`` is the first row that does not fit the chain (None when intact) and ``reason``
    says how; ``rows_checked`` counts the rows up to and including it (all of them when intact),
    so the ``rows_checked - 1`` before it are intact. ``last_id`` and ``last_hash`` are the last
    intact row's. ``plain_rows`` counts the rows at the start of the log written before the
    chain was keyed.
    """

    rows_checked: int
    broken_id: int | None = None
    reason: str | None = None
    last_id: int | None = None
    last_hash: str | None = None
    plain_rows: int = 0

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def _iter_rows(db: Database, batch: int = 5000) -> Iterator[dict]:
    last_id = 0
    while True:
        chunk = rows(db, "SELECT * FROM audit_log WHERE id > ? ORDER BY id LIMIT ?", (last_id, batch))
        if not chunk:
            return
        yield from chunk
        last_id = chunk[-1]["id"]


def count(db: Database) -> int:
    """Return the number of rows in the audit log."""
    return scalar(db, "SELECT count(*) FROM audit_log")


def load_key(db: Database) -> bytes:
    """The key of ``db``'s audit log. Raises AuditKeyError when its file is missing or unreadable."""
    path = audit_key.key_file_for(db)
    try:
        return audit_key.read_key(path)
    except FileNotFoundError:
        raise AuditKeyError(audit_key.missing_message(path)) from None


_MOVED = "its prev_hash is not the hash of the row before it (a row was deleted, inserted or moved just before it)"
_EDITED = (
    "its fields do not match its hash (the row was edited, or its hash was computed without the audit key)"
)
_PLAIN_AFTER_KEYED = (
    "it carries a plain SHA-256 hash after keyed rows (the row was written or rewritten by someone "
    "without the audit key)"
)


def verify_chain(
    db: Database, progress: Callable[[int], None] | None = None, *, key: bytes | None = None
) -> ChainReport:
    """Check every row's links, oldest first, and return a :class:`ChainReport`.

    A row is broken when its ``prev_hash`` is not the previous row's hash (a row before it
    was deleted, inserted or moved), when its hash is not the HMAC of its own fields under
    the key (it was edited, or re-hashed without the key), or when it carries a plain SHA-256
    hash after the first keyed row. A log with rows but no keyed row at all is broken at its
    first row. ``key`` defaults to the database's key file, read only when the log has rows
    (AuditKeyError when it is missing). ``progress(n)`` is called after every ``n`` rows.
    """
    prev, last_id, checked, plain, keyed, first_id = GENESIS, None, 0, 0, False, None
    for row in _iter_rows(db):
        if key is None:
            key = load_key(db)
        checked += 1
        first_id = row["id"] if first_id is None else first_id
        if row["prev_hash"] != prev:
            return ChainReport(checked, row["id"], _MOVED, last_id, prev, plain)
        values = _values(row)
        if audit_chain.keyed_link(key, prev, values) == row["hash"]:
            keyed = True
        elif audit_chain.plain_link(prev, values) == row["hash"]:
            if keyed:
                return ChainReport(checked, row["id"], _PLAIN_AFTER_KEYED, last_id, prev, plain)
            plain += 1
        else:
            return ChainReport(checked, row["id"], _EDITED, last_id, prev, plain)
        prev, last_id = row["hash"], row["id"]
        if progress and checked % 1000 == 0:
            progress(1000)
    if progress:
        progress(checked % 1000)
    if checked and not keyed:
        reason = (
            f"none of its {checked} rows carries a keyed hash, only plain SHA-256 ones that anyone who can write "
            "the database can recompute (the log was rewritten without the audit key, or this database predates "
            "keyed chains and `flask --app app migrate` has not been run)"
        )
        return ChainReport(1, first_id, reason, None, None, plain)
    return ChainReport(checked, None, None, last_id, prev if last_id else None, plain)


def verify(db: Database) -> tuple[int, int | None]:
    """Check the whole chain. Return ``(rows_checked, first_broken_id)``; the id is None when intact."""
    report = verify_chain(db)
    return report.rows_checked, report.broken_id


def key_existing_chain(db: Database) -> dict | None:
    """End a chain of plain SHA-256 rows with a keyed ``audit_chain_keyed`` row; return it.

    Does nothing (returns None) when the log is empty or its last row is already keyed. The
    plain rows are left as they are: the new row's HMAC covers the last plain hash, so it
    vouches for them all, and hashes noted before stay valid anchors. Creates the key file
    when it is missing. Runs in the caller's transaction (the migration's).
    """
    last = one(db, "SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    if last is None or not _is_plain(last):
        return None
    plain_rows = count(db)
    return record(
        db,
        KEYED_ACTION,
        target=str(audit_key.key_file_for(db)),
        detail={"plain_rows": plain_rows, "last_plain_id": last["id"], "last_plain_hash": last["hash"]},
    )


def has_hash(db: Database, row_hash: str) -> bool:
    """True when some row of the log carries ``row_hash`` (an anchor noted earlier)."""
    return one(db, "SELECT 1 FROM audit_log WHERE hash = ?", (row_hash.strip().lower(),)) is not None


# --- Searching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What to look for. Empty fields match everything; dates are inclusive UTC days.

    ``actor_email`` and ``target`` match any part, ignoring case; ``organisation`` matches
    part of an organisation's name, its DfE number (with or without the slash) or its URN.
    """

    action: str | None = None
    actor_email: str | None = None
    organisation: str | None = None
    target: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    # Exact matches used by the account pages (not the admin form): one organisation's
    # events, and one person's account activity (what they did, or what was done to them).
    organisation_id: int | None = None
    account_id: int | None = None
    account_email: str | None = None


def _where(filters: Filters) -> tuple[list[str], dict]:
    """Build WHERE clauses (fixed SQL text) and their bound parameters from ``filters``."""
    clauses: list[str] = []
    params: dict = {}
    if filters.action:
        clauses.append("a.action = :action")
        params["action"] = filters.action
    if filters.actor_email:
        clauses.append("instr(lower(a.actor_email), lower(:actor_email)) > 0")
        params["actor_email"] = filters.actor_email
    if filters.target:
        clauses.append("instr(lower(a.target), lower(:target)) > 0")
        params["target"] = filters.target
    if filters.organisation:
        clauses.append(
            "a.organisation_id IN (SELECT id FROM organisations WHERE instr(lower(name), lower(:organisation)) > 0"
            " OR dfe_number = :organisation_dfe OR CAST(urn AS TEXT) = :organisation)"
        )
        params["organisation"] = filters.organisation
        params["organisation_dfe"] = filters.organisation.replace("/", "").replace(" ", "")
    if filters.organisation_id is not None:
        clauses.append("a.organisation_id = :organisation_id")
        params["organisation_id"] = filters.organisation_id
    if filters.account_id is not None:
        clauses.append("(a.actor_id = :account_id OR a.target = :account_email)")
        params["account_id"] = filters.account_id
        params["account_email"] = filters.account_email or ""
    if filters.date_from:
        clauses.append("a.at >= :date_from")
        params["date_from"] = filters.date_from.isoformat()
    if filters.date_to:
        clauses.append("a.at < :date_to_next")
        params["date_to_next"] = (filters.date_to + timedelta(days=1)).isoformat()
    return clauses, params


_SELECT = (
    "SELECT a.*, o.name AS organisation_name, o.dfe_number AS organisation_dfe_number"
    " FROM audit_log a LEFT JOIN organisations o ON o.id = a.organisation_id"
)


def _query(filters: Filters, extra: str | None = None) -> tuple[str, dict]:
    clauses, params = _where(filters)
    if extra:
        clauses.append(extra)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _exists(db: Database, filters: Filters, extra: str, bound: dict) -> bool:
    where, params = _query(filters, extra)
    # nosemgrep: sql-format # {where} is _query's fixed clauses with :name placeholders; values are bound
    return one(db, f"SELECT 1 FROM audit_log a{where} LIMIT 1", {**params, **bound}) is not None  # nosec B608


def search(
    db: Database, filters: Filters, *, before: int | None = None, after: int | None = None, size: int = PAGE_SIZE
) -> dict:
    """Return one page of matching rows, newest first, paginated by id (keyset).

    With ``before``: the ``size`` newest rows with a smaller id; with ``after``: the ``size``
    oldest rows with a larger id (the newer page); with neither, the newest rows. Returns
    ``{"rows": [...], "newer": id | None, "older": id | None}`` where ``newer`` is the
    ``after`` value of the newer page and ``older`` the ``before`` value of the older one.
    """
    if after is not None:
        where, params = _query(filters, "a.id > :after")
        found = rows(
            # nosemgrep: sql-format # {where} is _query's fixed clauses with :name placeholders; values are bound
            db, f"{_SELECT}{where} ORDER BY a.id ASC LIMIT :limit", {**params, "after": after, "limit": size + 1}
        )
        has_newer = len(found) > size
        page = list(reversed(found[:size]))
        has_older = bool(page) and _exists(db, filters, "a.id < :id", {"id": page[-1]["id"]})
    else:
        extra = "a.id < :before" if before is not None else None
        where, params = _query(filters, extra)
        found = rows(
            # nosemgrep: sql-format # {where} is _query's fixed clauses with :name placeholders; values are bound
            db, f"{_SELECT}{where} ORDER BY a.id DESC LIMIT :limit", {**params, "before": before, "limit": size + 1}
        )
        has_older = len(found) > size
        page = found[:size]
        has_newer = bool(page) and before is not None and _exists(db, filters, "a.id > :id", {"id": page[0]["id"]})
    return {
        "rows": page,
        "newer": page[0]["id"] if has_newer else None,
        "older": page[-1]["id"] if has_older else None,
    }


def iter_matching(db: Database, filters: Filters, batch: int = 1000) -> Iterator[dict]:
    """Yield every matching row, oldest first, reading ``batch`` rows per query."""
    last_id = 0
    while True:
        where, params = _query(filters, "a.id > :last_id")
        chunk = rows(
            # nosemgrep: sql-format # {where} is _query's fixed clauses with :name placeholders; values are bound
            db, f"{_SELECT}{where} ORDER BY a.id ASC LIMIT :limit", {**params, "last_id": last_id, "limit": batch}
        )
        if not chunk:
            return
        yield from chunk
        last_id = chunk[-1]["id"]


def get(db: Database, entry_id: int) -> dict | None:
    """Return one row (with its organisation's name), or None."""
    return one(db, f"{_SELECT} WHERE a.id = ?", (entry_id,))


def distinct_actions(db: Database) -> list[str]:
    """Every action name in the log, sorted. Skips along the action index, so it stays quick."""
    found = rows(
        db,
        "WITH RECURSIVE seen(action) AS ("
        " SELECT min(action) FROM audit_log"
        " UNION ALL SELECT (SELECT min(action) FROM audit_log WHERE action > seen.action) FROM seen"
        " WHERE seen.action IS NOT NULL)"
        " SELECT action FROM seen WHERE action IS NOT NULL",
    )
    return [r["action"] for r in found]


# --- CSV export ------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_email",
    "organisation_id",
    "organisation_name",
    "organisation_dfe_number",
    "action",
    "target",
    "ip",
    "user_agent",
    "detail",
    "prev_hash",
    "hash",
)


def csv_rows(entries: Iterable[dict]) -> Iterator[list]:
    """The cells of each entry in ``CSV_COLUMNS`` order (written by ``domain.csv_files.csv_chunks``)."""
    for entry in entries:
        yield [entry.get(column) for column in CSV_COLUMNS]


#: Targets written as ``kind:id`` whose thing has a name to show, and the SQL that names them.
_TARGET_NAMES = {
    "instance": "SELECT i.id, c.name || ' (' || i.period_label || ')' AS name FROM deadline_instances i"
                " JOIN return_catalogue c ON c.id = i.catalogue_id WHERE i.id IN (SELECT value FROM json_each(?))",
    "return": "SELECT r.id, o.name || ': ' || coalesce(c.name || ' (' || i.period_label || ')', 'test uploads') AS name"
              " FROM returns r JOIN organisations o ON o.id = r.organisation_id"
              " LEFT JOIN deadline_instances i ON i.id = r.instance_id"
              " LEFT JOIN return_catalogue c ON c.id = i.catalogue_id WHERE r.id IN (SELECT value FROM json_each(?))",
    "return_version": "SELECT v.id, o.name || ': ' || coalesce(c.name || ' (' || i.period_label || ')', 'test upload')"
                      " || ', version ' || v.version AS name"
                      " FROM return_versions v JOIN returns r ON r.id = v.return_id"
                      " JOIN organisations o ON o.id = r.organisation_id"
                      " LEFT JOIN deadline_instances i ON i.id = r.instance_id"
                      " LEFT JOIN return_catalogue c ON c.id = i.catalogue_id"
                      " WHERE v.id IN (SELECT value FROM json_each(?))",
    "user": "SELECT id, name || ' (' || email || ')' AS name FROM users WHERE id IN (SELECT value FROM json_each(?))",
    "approver_claim": "SELECT a.id, 'Claim code for ' || o.name AS name FROM approver_claims a"
                      " JOIN organisations o ON o.id = a.organisation_id"
                      " WHERE a.id IN (SELECT value FROM json_each(?))",
    "local_return_submission": "SELECT s.id, o.name || ': ' || c.name || ' (' || i.period_label || ')' AS name"
                               " FROM local_return_submissions s JOIN organisations o ON o.id = s.organisation_id"
                               " JOIN deadline_instances i ON i.id = s.instance_id"
                               " JOIN return_catalogue c ON c.id = i.catalogue_id"
                               " WHERE s.id IN (SELECT value FROM json_each(?))",
    "transfer": "SELECT t.id, t.original_name || ' (' || s.name || ' to ' || r.name || ')' AS name FROM transfers t"
                " JOIN organisations s ON s.id = t.sender_id JOIN organisations r ON r.id = t.recipient_id"
                " WHERE t.id IN (SELECT value FROM json_each(?))",
}  # fmt: skip


def target_names(db: Database, targets: Iterable[str | None]) -> dict[str, dict]:
    """What the ``kind:id`` targets among ``targets`` are called: ``{target: {"kind", "id", "name"}}``.

    Targets of another form (an email address, free text) and things since removed are left out.
    One query per kind of target, however many rows."""
    wanted: dict[str, set[int]] = {}
    for target in targets:
        kind, _, number = (target or "").partition(":")
        if kind in _TARGET_NAMES and number.isdigit():
            wanted.setdefault(kind, set()).add(int(number))
    found = {}
    for kind, ids in wanted.items():
        for row in rows(db, _TARGET_NAMES[kind], (json.dumps(sorted(ids)),)):
            found[f"{kind}:{row['id']}"] = {"kind": kind, "id": row["id"], "name": row["name"]}
    return found
