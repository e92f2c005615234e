"""The UPN generator's memory: every UPN a school issued with Gatehouse, so no serial is issued twice.

A school issues UPNs from its own LA code and establishment number and the academic year of issue
(:func:`domain.validation.identifiers.upn_stem`), with the next serial. The next serial comes after the
highest one the school has issued here for that year and kind, and after the highest one found in any census
return loaded into Gatehouse (a UPN the school's MIS issued and the census carried, as a pupil's UPN or former
UPN), so a UPN already in use is not issued again.
"""

from __future__ import annotations

from sqlite_utils import Database

from domain import clock
from domain.validation.identifiers import (
    CHECK_LETTERS,
    PERMANENT_SERIALS,
    TEMPORARY_SERIALS,
    generate_temporary_upn,
    generate_upn,
    upn_stem,
)
from models import audit
from models.db import one, rows, scalar, transaction

KINDS = {"permanent": "Permanent", "temporary": "Temporary"}
#: The most UPNs issued at once.
MAX_BATCH = 100
CSV_COLUMNS = ("upn", "kind", "academic_year", "issued_at", "issued_by")


class NoSerialsLeft(ValueError):
    """The school has issued (or its census returns hold) every serial of that kind this year."""


def _highest_seen(db: Database, stem: str, kind: str) -> int | None:
    """The highest serial of ``kind`` under ``stem`` in any loaded census return (UPN or former UPN)."""
    if kind == "permanent":
        serial = "CAST(substr(u, 11, 3) AS INTEGER)"
        shape = "substr(u, 11, 3) GLOB '[0-9][0-9][0-9]'"
    else:
        serial = f"CAST(substr(u, 11, 2) AS INTEGER) * {len(CHECK_LETTERS)} + instr(:letters, substr(u, 13, 1)) - 1"
        shape = "substr(u, 11, 2) GLOB '[0-9][0-9]' AND instr(:letters, substr(u, 13, 1)) > 0"
    return scalar(
        db,
        # nosemgrep: sql-format # serial and shape are constant SQL chosen by kind; every value is bound
        f"SELECT max({serial}) FROM (SELECT upn AS u FROM return_pupils UNION ALL SELECT former_upn FROM return_pupils)"  # nosec B608
        f" WHERE length(u) = 13 AND substr(u, 2, 9) = :stem AND {shape}",
        {"stem": stem, "letters": CHECK_LETTERS},
    )


def issue(
    db: Database, school: dict, *, kind: str, count: int, academic_year: int, actor: dict | None,
    ip: str | None = None, user_agent: str | None = None,
) -> list[str]:  # fmt: skip
    """Issue ``count`` new UPNs of ``kind`` for ``school`` in ``academic_year`` and return them, in order.

    Raises NoSerialsLeft when fewer than ``count`` serials remain, ValueError for a kind, count or school the
    generator cannot use (a school with no establishment number, an LA code not recognised).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of UPN {kind!r}")
    if not 1 <= count <= MAX_BATCH:
        raise ValueError(f"issue 1 to {MAX_BATCH} UPNs at once, not {count}")
    stem = upn_stem(school["la_code"], school["estab"] or "", academic_year)
    serials, make = (
        (PERMANENT_SERIALS, generate_upn) if kind == "permanent" else (TEMPORARY_SERIALS, generate_temporary_upn)
    )
    now = clock.iso()
    with transaction(db):
        issued = scalar(db, "SELECT max(serial) FROM issued_upns WHERE organisation_id = ? AND academic_year = ?"
                            " AND kind = ?", (school["id"], academic_year, kind))  # fmt: skip
        seen = _highest_seen(db, stem, kind)
        start = max([serials.start, *(s + 1 for s in (issued, seen) if s is not None)])
        if start + count - 1 > serials[-1]:
            left = max(0, serials[-1] - start + 1)
            raise NoSerialsLeft(
                f"Only {left} {kind} UPN{'s are' if left != 1 else ' is'} left for {school['name']} in this academic "
                f"year (serials up to {serials[-1]})."
            )
        batch = (scalar(db, "SELECT max(batch) FROM issued_upns") or 0) + 1
        upns = [make(school["la_code"], school["estab"], academic_year, serial)
                for serial in range(start, start + count)]  # fmt: skip
        db.conn.executemany(
            "INSERT INTO issued_upns (upn, organisation_id, academic_year, kind, serial, issued_at, issued_by, batch)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(upn, school["id"], academic_year, kind, serial, now, actor["id"] if actor else None, batch)
             for upn, serial in zip(upns, range(start, start + count), strict=True)],
        )  # fmt: skip
        audit.record(
            db, "upns_issued", actor=actor, organisation_id=school["id"], target=f"organisation:{school['id']}",
            ip=ip, user_agent=user_agent,
            detail={"kind": kind, "count": count, "first": upns[0], "last": upns[-1], "academic_year": academic_year},
        )  # fmt: skip
    return upns


_SELECT = (
    "SELECT i.*, u.name AS issued_by_name FROM issued_upns i LEFT JOIN users u ON u.id = i.issued_by"
    " WHERE i.organisation_id = ?"
)


def batch_of(db: Database, organisation_id: int, batch: int) -> list[dict]:
    """The UPNs the school issued in one batch, in order (empty for another school's batch)."""
    return rows(db, f"{_SELECT} AND i.batch = ? ORDER BY i.serial", (organisation_id, batch))  # nosec B608 # constant SQL


def page_of(db: Database, organisation_id: int, *, page: int, per_page: int) -> dict:
    """``{"items", "total", "page", "pages"}``: the school's issued UPNs, newest first."""
    total = scalar(db, "SELECT count(*) FROM issued_upns WHERE organisation_id = ?", (organisation_id,)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    items = rows(db, f"{_SELECT} ORDER BY i.issued_at DESC, i.batch DESC, i.serial LIMIT ? OFFSET ?",  # nosec B608 # constant SQL
                 (organisation_id, per_page, (page - 1) * per_page))  # fmt: skip
    return {"items": items, "total": total, "page": page, "pages": pages}


def latest_batch(db: Database, organisation_id: int) -> int | None:
    row = one(db, "SELECT max(batch) AS batch FROM issued_upns WHERE organisation_id = ?", (organisation_id,))
    return row["batch"] if row else None


def csv_rows(db: Database, organisation_id: int) -> list[tuple]:
    """Every UPN the school issued, oldest first, as rows of ``CSV_COLUMNS`` (read now: a download streams after
    the request's connection has gone back)."""
    found = rows(db, f"{_SELECT} ORDER BY i.issued_at, i.batch, i.serial", (organisation_id,))  # nosec B608 # constant SQL
    return [(row["upn"], row["kind"], row["academic_year"], row["issued_at"], row["issued_by_name"]) for row in found]
