"""The UPN generator's memory: the UPNs each school issued, by academic year, so no serial is issued twice.

``issue`` hands out the next ``count`` serials of a school and year (permanent 0-999, temporary 0-2299) as UPNs
made by ``domain.validation.identifiers``, records them and audits it in one ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

from sqlite_utils import Database

from domain import clock
from domain.validation.identifiers import TEMPORARY_SERIALS, generate_temporary_upn, generate_upn
from models import audit
from models.db import one, rows, scalar, transaction

PERMANENT_SERIALS = 1000
MAX_AT_ONCE = 100


class SerialsUsedUp(ValueError):
    """The school has no serials left for that kind of UPN in that academic year."""


def school_by_dfe_number(db: Database, dfe_number: str) -> dict | None:
    """The school with 7-digit DfE number ``dfe_number`` (e.g. 8734001), or None."""
    return one(db, "SELECT * FROM organisations WHERE kind = 'school' AND dfe_number = ?", (dfe_number,))


def issued(db: Database, organisation_id: int, academic_year: int) -> list[dict]:
    """The UPNs the school issued for ``academic_year``, newest first."""
    return rows(db, "SELECT u.upn, u.temporary, u.serial, u.issued_at, us.name AS issued_by_name FROM upn_issued u"
                    " LEFT JOIN users us ON us.id = u.issued_by"
                    " WHERE u.organisation_id = ? AND u.academic_year = ? ORDER BY u.id DESC",
                (organisation_id, academic_year))


def issue(db: Database, school: dict, academic_year: int, count: int, *, temporary: bool = False,
          actor: dict | None = None, ip: str | None = None, user_agent: str | None = None) -> list[str]:
    """Issue ``count`` (1-100) new UPNs for ``school`` (with ``la_code`` and ``estab``) in ``academic_year``
    (2026 for 2026/27), temporary ones when ``temporary``: the next serials after the last issued. Audited as
    upns_issued. Raises ValueError for a count out of range, SerialsUsedUp when the year's serials run out."""
    if not 1 <= count <= MAX_AT_ONCE:
        raise ValueError(f"Ask for 1 to {MAX_AT_ONCE} UPNs at a time.")
    limit = TEMPORARY_SERIALS if temporary else PERMANENT_SERIALS
    make = generate_temporary_upn if temporary else generate_upn
    with transaction(db):
        last = scalar(db, "SELECT max(serial) FROM upn_issued WHERE organisation_id = ? AND academic_year = ?"
                          " AND temporary = ?", (school["id"], academic_year, int(temporary)))
        first = 0 if last is None else last + 1
        if first + count > limit:
            left = max(0, limit - first)
            raise SerialsUsedUp(f"Only {left} {'temporary' if temporary else 'permanent'} UPN"
                                f"{'s' if left != 1 else ''} can still be issued for {academic_year}/"
                                f"{(academic_year + 1) % 100:02d}.")
        upns = [make(school["la_code"], school["estab"], academic_year, serial)
                for serial in range(first, first + count)]
        now = clock.iso()
        db.conn.executemany(
            "INSERT INTO upn_issued (organisation_id, academic_year, temporary, serial, upn, issued_by, issued_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(school["id"], academic_year, int(temporary), serial, upn, actor["id"] if actor else None, now)
             for serial, upn in zip(range(first, first + count), upns, strict=True)],
        )
        audit.record(db, "upns_issued", actor=actor, organisation_id=school["id"], target=f"upns:{academic_year}",
                     ip=ip, user_agent=user_agent,
                     detail={"count": count, "temporary": temporary, "first": upns[0], "last": upns[-1]})
    return upns
