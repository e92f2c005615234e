"""Transfers: files sent between organisations, where each sits, who downloaded it, the LA's stores.

A transfer's **status**, as its sender sees it: ``waiting`` (not yet downloaded by the recipient),
``downloaded``, ``revoked`` (by the sender, before any download), ``expired`` (past its retention:
the file and its key are gone, the record and its download log stay); for the LA's stores also
``held`` (for another LA, until the LA forwards it), ``forwarded``, ``in_store`` (a lost pupil or
leaver) and ``released`` (a lost pupil's record sent on to a school). Every change is audited in
the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlite_utils import Database

from domain import clock
from domain.transfers import routing
from domain.transfers.pupil_search import name_key
from domain.validation.identifiers import upn_key
from models import audit
from models.db import one, rows, scalar, transaction

#: The routes whose files sit in the recipient's inbox (and count as unread until downloaded).
INBOX_ROUTES = (routing.SCHOOL, routing.LA)
#: The LA's stores, with how their pages name them.
STORES = {
    routing.LOST: "Lost pupils",
    routing.LEFT: "Left the maintained sector",
    routing.OTHER_LA: "For other LAs",
}

_SELECT = (
    "SELECT t.*, s.name AS sender_name, s.la_code AS sender_la_code, s.dfe_number AS sender_dfe_number,"
    " s.kind AS sender_kind, r.name AS recipient_name, r.la_code AS recipient_la_code, r.kind AS recipient_kind,"
    " u.name AS sent_by_name, i.name AS imported_by_name, f.name AS forwarded_by_name, v.name AS revoked_by_name,"
    " (SELECT count(*) FROM transfer_downloads d WHERE d.transfer_id = t.id) AS download_count,"
    " (SELECT min(d.at) FROM transfer_downloads d WHERE d.transfer_id = t.id) AS first_download_at,"
    " (SELECT c.id FROM transfers c WHERE c.released_from = t.id ORDER BY c.id LIMIT 1) AS released_as"
    " FROM transfers t JOIN organisations s ON s.id = t.sender_id JOIN organisations r ON r.id = t.recipient_id"
    " LEFT JOIN users u ON u.id = t.sent_by LEFT JOIN users i ON i.id = t.imported_by"
    " LEFT JOIN users f ON f.id = t.forwarded_by LEFT JOIN users v ON v.id = t.revoked_by"
)


_INBOX_SELECT = _SELECT.replace(
    " FROM transfers t", ", (SELECT count(*) FROM transfer_downloads d WHERE d.transfer_id = t.id"
    " AND d.organisation_id = t.recipient_id) AS downloaded_here FROM transfers t", 1)


class TransferError(Exception):
    """The action cannot be done on this transfer now; the message says why."""


def status_of(transfer: dict) -> dict:
    """``{"key", "label"}`` of a transfer's status (see the module docstring); templates map the key to a colour."""
    if transfer["revoked_at"]:
        return {"key": "revoked", "label": "Revoked"}
    if transfer["expired_at"]:
        return {"key": "expired", "label": "Expired"}
    route = transfer["route"]
    if route == routing.OTHER_LA:
        return {"key": "forwarded", "label": "Forwarded"} if transfer["forwarded_at"] else {"key": "held",
                                                                                              "label": "Held by LA"}
    if route == routing.LOST and transfer.get("released_as"):
        return {"key": "released", "label": "Released to a school"}
    if route in (routing.LOST, routing.LEFT):
        return {"key": "in_store", "label": "In LA store"}
    if transfer["download_count"]:
        return {"key": "downloaded", "label": "Downloaded"}
    return {"key": "waiting", "label": "Waiting"}


def _with_status(found: list[dict]) -> list[dict]:
    for transfer in found:
        transfer["status"] = status_of(transfer)
    return found


def get(db: Database, transfer_id: int) -> dict | None:
    """One transfer with its organisations' names, download figures and status, or None."""
    found = one(db, _SELECT + " WHERE t.id = ?", (transfer_id,))
    return _with_status([found])[0] if found else None


def stored_names(db: Database) -> set[str]:
    """The stored names of every transfer whose file is held (for the start-up sweep of orphaned files)."""
    return {r["stored_name"] for r in rows(db, "SELECT stored_name FROM transfers WHERE stored_name IS NOT NULL")}


def any_stored(db: Database) -> bool:
    """True when at least one transfer's encrypted file is held (so the master key must already exist)."""
    return scalar(db, "SELECT 1 FROM transfers WHERE stored_name IS NOT NULL LIMIT 1") is not None


def earlier_copy(db: Database, transfer_id: int) -> dict | None:
    """The latest earlier transfer of the same bytes (SHA-256) from the same organisation to the same one, still
    held (not revoked or expired), or None: the same CTF sent twice is usually a mistake the sender wants to know
    of."""
    return one(
        db,
        "SELECT e.* FROM transfers t JOIN transfers e ON e.sha256 = t.sha256 AND e.sender_id = t.sender_id"
        " AND e.recipient_id = t.recipient_id AND e.id < t.id AND e.stored_name IS NOT NULL"
        " WHERE t.id = ? AND t.sha256 IS NOT NULL ORDER BY e.id DESC LIMIT 1",
        (transfer_id,),
    )


def create(
    db: Database, *, kind: str, route: str, sender: dict, sent_by: dict | None, recipient: dict, destination: str,
    original_name: str, size: int, sha256: str | None, stored_name: str, wrapped_key: bytes, key_id: str,
    pupils: int = 0, queries: int = 0, expires_at: dt.datetime, pupil_records: Iterable[dict] = (),
    released_from: int | None = None, ip: str | None = None, user_agent: str | None = None,
) -> int:
    """Record a transfer whose encrypted file is stored as ``stored_name``; audit ``transfer_sent``; return its id.

    ``pupil_records`` (validator records) are kept for searching when the route is one of the LA's
    lost-pupil or leaver stores. One transaction: nothing is recorded if any part fails. Raises TransferError for a
    release (``released_from``) of a record that is no longer held (revoked or expired while it was being copied).
    """
    with transaction(db):
        if released_from is not None and scalar(
            db, "SELECT stored_name FROM transfers WHERE id = ?", (released_from,)
        ) is None:  # fmt: skip
            raise TransferError("This lost pupil's file is no longer held: it was revoked or has expired.")
        cursor = db.conn.execute(
            "INSERT INTO transfers (kind, route, sender_id, sent_by, recipient_id, destination, original_name, size,"
            " sha256, stored_name, wrapped_key, key_id, pupils, queries, sent_at, expires_at, released_from)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, route, sender["id"], sent_by["id"] if sent_by else None, recipient["id"], destination,
             original_name, size, sha256, stored_name, wrapped_key, key_id, pupils, queries, clock.iso(),
             clock.iso(expires_at), released_from),
        )  # fmt: skip
        transfer_id = cursor.lastrowid
        if route in (routing.LOST, routing.LEFT):
            db.conn.executemany(
                "INSERT INTO transfer_pupils (transfer_id, position, upn, former_upn, surname, forename, dob,"
                " surname_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(transfer_id, p["position"], upn_key(p.get("upn")), upn_key(p.get("former_upn")),
                  p.get("surname") or "", p.get("forename") or "", (p.get("dob") or "").strip(),
                  name_key(p.get("surname"))) for p in pupil_records],
            )  # fmt: skip
        audit.record(
            db, "transfer_released" if released_from else "transfer_sent", actor=sent_by,
            organisation_id=sender["id"], target=f"transfer:{transfer_id}", ip=ip, user_agent=user_agent,
            detail={"file": original_name, "route": route, "to": recipient["name"], "destination": destination,
                    "size": size, "pupils": pupils, **({"released_from": released_from} if released_from else {})},
        )  # fmt: skip
    return transfer_id


# ----------------------------------------------------------------------------- lists


def inbox(db: Database, organisation_id: int) -> list[dict]:
    """The files waiting in an organisation's inbox (sent to it as a school, or to the LA itself), newest first.

    Each carries ``downloaded_here``: how often the organisation has downloaded it."""
    found = rows(
        db,
        _INBOX_SELECT + " WHERE t.recipient_id = ? AND t.route IN ('school', 'la') AND t.revoked_at IS NULL"
        " ORDER BY t.sent_at DESC, t.id DESC",
        (organisation_id,),
    )  # fmt: skip
    return _with_status(found)


def unread_count(db: Database, organisation_id: int) -> int:
    """Files in an organisation's inbox that it has not downloaded yet (revoked and expired ones left out)."""
    return scalar(
        db,
        "SELECT count(*) FROM transfers t WHERE t.recipient_id = ? AND t.route IN ('school', 'la')"
        " AND t.stored_name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM transfer_downloads d"
        " WHERE d.transfer_id = t.id AND d.organisation_id = t.recipient_id)",
        (organisation_id,),
    )


def sent(db: Database, organisation_id: int) -> list[dict]:
    """What an organisation has sent, newest first, each with its status."""
    return _with_status(rows(db, _SELECT + " WHERE t.sender_id = ? ORDER BY t.sent_at DESC, t.id DESC",
                             (organisation_id,)))  # fmt: skip


def store(db: Database, la_id: int, route: str) -> list[dict]:
    """The files of one of the LA's stores (``STORES``), newest first, with their pupils' names for lost pupils."""
    if route not in STORES:
        raise ValueError(f"not an LA store: {route!r}")
    found = _with_status(rows(db, _SELECT + " WHERE t.recipient_id = ? AND t.route = ?"
                                            " ORDER BY t.sent_at DESC, t.id DESC", (la_id, route)))  # fmt: skip
    _attach_pupils(db, found)
    return found


def _attach_pupils(db: Database, found: list[dict]) -> None:
    by_transfer: dict[int, list[dict]] = {t["id"]: [] for t in found}
    if not by_transfer:
        return
    for pupil in rows(db, "SELECT * FROM transfer_pupils WHERE transfer_id IN (SELECT value FROM json_each(?))"
                          " ORDER BY transfer_id, position", (f"[{','.join(map(str, by_transfer))}]",)):  # fmt: skip
        by_transfer[pupil["transfer_id"]].append(pupil)
    for transfer in found:
        transfer["pupil_rows"] = by_transfer[transfer["id"]]


def pupils_of(db: Database, transfer_id: int) -> list[dict]:
    """The pupils kept for searching of one transfer (lost-pupil and leaver CTFs only), in file order."""
    return rows(db, "SELECT * FROM transfer_pupils WHERE transfer_id = ? ORDER BY position", (transfer_id,))


def search_lost_pupils(db: Database, la_id: int, *, upn: str = "", surname: str = "", dob: str = "") -> list[dict]:
    """Lost pupils of the LA's store matching ``upn`` (as UPN or former UPN), or ``surname`` and ``dob`` together,
    exactly after normalising (:mod:`domain.transfers.pupil_search`); newest first. Revoked and expired ones are
    left out. Empty criteria find nothing."""
    criteria = {"la": la_id, "upn": upn_key(upn), "surname": name_key(surname), "dob": dob.strip()}
    if not criteria["upn"] and not (criteria["surname"] and criteria["dob"]):
        return []
    ids = [r["transfer_id"] for r in rows(
        db,
        "SELECT DISTINCT p.transfer_id FROM transfer_pupils p JOIN transfers t ON t.id = p.transfer_id"
        " WHERE t.recipient_id = :la AND t.route = 'lost_pupil' AND t.stored_name IS NOT NULL"
        " AND ((:upn <> '' AND (p.upn = :upn OR p.former_upn = :upn))"
        " OR (:surname <> '' AND :dob <> '' AND p.surname_key = :surname AND p.dob = :dob))",
        criteria,
    )]  # fmt: skip
    found = _with_status(rows(
        db,
        _SELECT + " WHERE t.id IN (SELECT value FROM json_each(?)) ORDER BY t.sent_at DESC, t.id DESC",  # nosec B608 # constant SQL
        (f"[{','.join(map(str, ids))}]",),
    ))  # fmt: skip
    _attach_pupils(db, found)
    return found


def downloads(db: Database, transfer_id: int) -> list[dict]:
    """Every download of a transfer, oldest first, with who made it and for which organisation."""
    return rows(
        db,
        "SELECT d.*, u.name AS user_name, u.email AS user_email, o.name AS organisation_name"
        " FROM transfer_downloads d LEFT JOIN users u ON u.id = d.user_id"
        " JOIN organisations o ON o.id = d.organisation_id"
        " WHERE d.transfer_id = ? ORDER BY d.id",
        (transfer_id,),
    )


# ----------------------------------------------------------------------------- actions


def record_download(db: Database, transfer: dict, user: dict, *, ip: str | None = None,
                    user_agent: str | None = None) -> int:
    """Record that ``user`` downloaded ``transfer`` for their organisation (audited); return how many downloads
    it now has. Raises TransferError (nothing recorded) when the file is no longer held as ``transfer`` was loaded:
    revoked or expired meanwhile, so the caller must not hand it out."""
    with transaction(db):
        held = scalar(db, "SELECT stored_name FROM transfers WHERE id = ?", (transfer["id"],))
        if held is None or held != transfer["stored_name"]:
            raise TransferError("This file was revoked or has expired, so it can no longer be downloaded.")
        db.conn.execute(
            "INSERT INTO transfer_downloads (transfer_id, user_id, organisation_id, at) VALUES (?, ?, ?, ?)",
            (transfer["id"], user["id"], user["organisation_id"], clock.iso()),
        )
        count = scalar(db, "SELECT count(*) FROM transfer_downloads WHERE transfer_id = ?", (transfer["id"],))
        audit.record(
            db, "transfer_downloaded", actor=user, organisation_id=user["organisation_id"],
            target=f"transfer:{transfer['id']}", ip=ip, user_agent=user_agent,
            detail={"file": transfer["original_name"], "download": count},
        )  # fmt: skip
    return count


def mark_imported(db: Database, transfer: dict, user: dict, **client) -> None:
    """Record that the recipient imported the file into its MIS (audited). Raises TransferError when already marked."""
    with transaction(db):
        changed = db.conn.execute(
            "UPDATE transfers SET imported_at = ?, imported_by = ? WHERE id = ? AND imported_at IS NULL",
            (clock.iso(), user["id"], transfer["id"]),
        ).rowcount
        if not changed:
            raise TransferError("This file is already marked as imported into the MIS.")
        audit.record(db, "transfer_imported", actor=user, organisation_id=user["organisation_id"],
                     target=f"transfer:{transfer['id']}", detail={"file": transfer["original_name"]}, **client)


def revoke(db: Database, transfer: dict, user: dict, **client) -> str:
    """Revoke a transfer nobody has downloaded: its wrapped key is destroyed (so the bytes can never be read
    again) and the record stays as revoked (audited). Returns the stored name, for the caller to delete the
    file after the commit. Raises TransferError when it was downloaded, released to a school (a lost pupil's record
    the LA passed on), revoked or expired already."""
    with transaction(db):
        current = one(db, "SELECT stored_name, revoked_at, expired_at FROM transfers WHERE id = ?", (transfer["id"],))
        downloaded = scalar(db, "SELECT count(*) FROM transfer_downloads WHERE transfer_id = ?", (transfer["id"],))
        released = scalar(db, "SELECT count(*) FROM transfers WHERE released_from = ?", (transfer["id"],))
        if current["revoked_at"] or current["expired_at"] or current["stored_name"] is None:
            raise TransferError("This file was already revoked or has expired.")
        if released:
            raise TransferError("The LA has released this file to a school, so it can no longer be revoked. Contact "
                                "your LA if it was sent by mistake.")  # fmt: skip
        if downloaded:
            raise TransferError("This file has been downloaded, so it can no longer be revoked. Contact the "
                                "recipient if it was sent by mistake.")
        db.conn.execute(
            "UPDATE transfers SET revoked_at = ?, revoked_by = ?, stored_name = NULL, wrapped_key = NULL WHERE id = ?",
            (clock.iso(), user["id"], transfer["id"]),
        )
        audit.record(db, "transfer_revoked", actor=user, organisation_id=user["organisation_id"],
                     target=f"transfer:{transfer['id']}", detail={"file": transfer["original_name"]}, **client)
    return current["stored_name"]


def mark_forwarded(db: Database, transfer: dict, user: dict, **client) -> None:
    """Record that the LA forwarded a file held for another LA through the DfE's S2S (who and when; audited).

    Raises TransferError when it was recorded already or the file is not one held for another LA."""
    if transfer["route"] != routing.OTHER_LA:
        raise TransferError("Only files held for another LA are forwarded.")
    with transaction(db):
        changed = db.conn.execute(
            "UPDATE transfers SET forwarded_at = ?, forwarded_by = ? WHERE id = ? AND forwarded_at IS NULL",
            (clock.iso(), user["id"], transfer["id"]),
        ).rowcount
        if not changed:
            raise TransferError("This file is already recorded as forwarded.")
        audit.record(db, "transfer_forwarded", actor=user, organisation_id=user["organisation_id"],
                     target=f"transfer:{transfer['id']}",
                     detail={"file": transfer["original_name"], "destination": transfer["destination"]}, **client)


def audit_search(db: Database, user: dict, criteria: dict, found: int, **client) -> None:
    """Audit one lost-pupil search: who searched for what and how many files it found."""
    audit.record(db, "lost_pupil_search", actor=user, organisation_id=user["organisation_id"],
                 detail={**{k: v for k, v in criteria.items() if v}, "found": found}, **client)


# ----------------------------------------------------------------------------- the register


def successor_of(db: Database, school: dict) -> dict | None:
    """The open school that took over a closed one, where the register shows it: the one open school of the same
    LA at the same postcode that opened on or after the day it closed (an academy conversion). None otherwise."""
    if not school.get("postcode") or not school.get("closed_on"):
        return None
    found = rows(
        db,
        "SELECT * FROM organisations WHERE kind = 'school' AND la_code = ? AND status <> 'closed' AND id <> ?"
        " AND replace(upper(postcode), ' ', '') = replace(upper(?), ' ', '') AND opened_on >= ?",
        (school["la_code"], school["id"], school["postcode"], school["closed_on"]),
    )
    return found[0] if len(found) == 1 else None


def open_schools(db: Database, la_code: str) -> list[dict]:
    """The open schools of an LA by name (for choosing where a lost pupil's record goes)."""
    return rows(db, "SELECT * FROM organisations WHERE kind = 'school' AND la_code = ? AND status <> 'closed'"
                    " ORDER BY name COLLATE NOCASE", (la_code,))  # fmt: skip


# ----------------------------------------------------------------------------- retention


def due_for_warning(db: Database, before: dt.datetime) -> list[dict]:
    """Files still held that expire before ``before`` and nobody has been warned about, oldest first: those in an
    inbox not yet downloaded by the recipient, and those held for another LA and not yet forwarded."""
    return _with_status(rows(
        db,
        _SELECT + " WHERE t.stored_name IS NOT NULL AND t.expiry_warned_at IS NULL"  # nosec B608 # constant SQL
        " AND t.expires_at < ?"
        " AND ((t.route IN ('school', 'la') AND NOT EXISTS (SELECT 1 FROM transfer_downloads d"
        " WHERE d.transfer_id = t.id AND d.organisation_id = t.recipient_id))"
        " OR (t.route = 'other_la' AND t.forwarded_at IS NULL)) ORDER BY t.expires_at, t.id",
        (clock.iso(before),),
    ))  # fmt: skip


def mark_warned(db: Database, transfer_id: int) -> None:
    """Record that the expiry warning for a transfer went out (so it goes once)."""
    with transaction(db):
        db.conn.execute("UPDATE transfers SET expiry_warned_at = ? WHERE id = ?", (clock.iso(), transfer_id))


def due_for_deletion(db: Database, now: dt.datetime) -> list[dict]:
    """Files still held whose retention ended at or before ``now``, oldest first."""
    return _with_status(rows(db, _SELECT + " WHERE t.stored_name IS NOT NULL AND t.expires_at <= ?"
                                           " ORDER BY t.expires_at, t.id", (clock.iso(now),)))  # fmt: skip


def expire(db: Database, transfer: dict) -> str | None:
    """End a transfer's retention: destroy its wrapped key, keep the record (and its download log) as expired, and
    audit ``transfer_expired``. Returns the stored name for the caller to delete after the commit; None when it
    was no longer held (another runner got there first)."""
    with transaction(db):
        stored_name = scalar(db, "SELECT stored_name FROM transfers WHERE id = ?", (transfer["id"],))
        if stored_name is None:
            return None
        db.conn.execute("UPDATE transfers SET expired_at = ?, stored_name = NULL, wrapped_key = NULL WHERE id = ?",
                        (clock.iso(), transfer["id"]))  # fmt: skip
        audit.record(
            db, "transfer_expired", organisation_id=transfer["sender_id"], target=f"transfer:{transfer['id']}",
            detail={"file": transfer["original_name"], "sent_at": transfer["sent_at"], "to": transfer["recipient_name"],
                    "downloads": transfer["download_count"]},
        )  # fmt: skip
    return stored_name


# ----------------------------------------------------------------------------- the LA's oversight


def school_counts(db: Database, la_code: str, year: tuple[dt.datetime, dt.datetime],
                  month: tuple[dt.datetime, dt.datetime]) -> list[dict]:
    """Every school of the LA by name with how many files it sent (``sent_*``) and received in its inbox
    (``received_*``) in the academic ``year`` and in the ``month`` (each a ``[start, end)`` pair of moments).
    Closed schools are listed only when they sent or received something that year. One statement."""
    return rows(
        db,
        "SELECT * FROM (SELECT o.id, o.name, o.dfe_number, o.status,"
        " (SELECT count(*) FROM transfers t WHERE t.sender_id = o.id AND t.sent_at >= :y0 AND t.sent_at < :y1)"
        " AS sent_year,"
        " (SELECT count(*) FROM transfers t WHERE t.recipient_id = o.id AND t.route = 'school'"
        " AND t.sent_at >= :y0 AND t.sent_at < :y1) AS received_year,"
        " (SELECT count(*) FROM transfers t WHERE t.sender_id = o.id AND t.sent_at >= :m0 AND t.sent_at < :m1)"
        " AS sent_month,"
        " (SELECT count(*) FROM transfers t WHERE t.recipient_id = o.id AND t.route = 'school'"
        " AND t.sent_at >= :m0 AND t.sent_at < :m1) AS received_month"
        " FROM organisations o WHERE o.kind = 'school' AND o.la_code = :la)"
        " WHERE status <> 'closed' OR sent_year + received_year > 0 ORDER BY name COLLATE NOCASE, id",
        {"la": la_code, "y0": clock.iso(year[0]), "y1": clock.iso(year[1]), "m0": clock.iso(month[0]),
         "m1": clock.iso(month[1])},
    )  # fmt: skip


def never_downloaded(db: Database, la_code: str) -> list[dict]:
    """Files still held in an inbox (a school's or the LA's) that the recipient has never downloaded, sent by or to
    an organisation of the LA, oldest first, each with its status."""
    return _with_status(rows(
        db,
        _SELECT + " WHERE t.stored_name IS NOT NULL AND t.route IN ('school', 'la')"  # nosec B608 # constant SQL
        " AND (s.la_code = :la OR r.la_code = :la) AND NOT EXISTS (SELECT 1 FROM transfer_downloads d"
        " WHERE d.transfer_id = t.id AND d.organisation_id = t.recipient_id) ORDER BY t.sent_at, t.id",
        {"la": la_code},
    ))  # fmt: skip


def lost_pupil_summary(db: Database, la_id: int) -> dict:
    """``{"files", "pupils", "oldest_at"}`` of the LA's lost pupils store: the files still held and not yet released
    to a school, their pupils, and when the oldest of them arrived (None when the store is empty)."""
    return one(
        db,
        "SELECT count(*) AS files, coalesce(sum(t.pupils), 0) AS pupils, min(t.sent_at) AS oldest_at"
        " FROM transfers t WHERE t.recipient_id = ? AND t.route = 'lost_pupil' AND t.stored_name IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM transfers c WHERE c.released_from = t.id)",
        (la_id,),
    )


#: The columns of the monthly CTF counts, in order, with their CSV headings.
MONTHLY_COLUMNS = {
    "month": "Month",
    "total": "CTFs sent",
    "to_school": "To a school",
    "to_la": "To the LA",
    "lost_pupil": "Lost pupils (XXXXXXX)",
    "left_sector": "Left the maintained sector (MMMMMMM)",
    "other_la": "For other LAs",
    "released": "Lost pupils released to a school",
}


def monthly_ctf_counts(db: Database, la_code: str) -> list[dict]:
    """CTFs sent by or to an organisation of the LA, counted per calendar month in England of sending, oldest
    month first, split by where they went (``MONTHLY_COLUMNS``). A lost pupil's record released to a school counts
    as a release, not a second CTF."""
    # The month in England of t.sent_at (UTC): only a moment in the last hour (UTC) of a month's last day can fall in
    # another month in England, and that moment is in British Summer Time exactly when the month is March to
    # September (BST starts before 31 March ends and ends before 31 October does), so those months gain an hour.
    return rows(
        db,
        "SELECT substr(datetime(t.sent_at, CASE WHEN substr(t.sent_at, 6, 2) BETWEEN '03' AND '09'"
        " THEN '+1 hours' ELSE '+0 hours' END), 1, 7) AS month, sum(t.released_from IS NULL) AS total,"
        " sum(t.route = 'school' AND t.released_from IS NULL) AS to_school, sum(t.route = 'la') AS to_la,"
        " sum(t.route = 'lost_pupil') AS lost_pupil, sum(t.route = 'left_sector') AS left_sector,"
        " sum(t.route = 'other_la') AS other_la, sum(t.released_from IS NOT NULL) AS released"
        " FROM transfers t JOIN organisations s ON s.id = t.sender_id JOIN organisations r ON r.id = t.recipient_id"
        " WHERE t.kind = 'ctf' AND (s.la_code = :la OR r.la_code = :la) GROUP BY month ORDER BY month",
        {"la": la_code},
    )  # fmt: skip
