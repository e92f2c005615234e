"""Secure messages between organisations: threads, posts, read receipts, unread marks, archive,
confirm-receipt, templates, recipient groups, bulk sends, email notices and retention.

A thread is between two organisations of one LA (a school and the LA, or two schools). Everything
an organisation sees goes through its **party** row (``message_parties``), so a thread the
organisation is not party to is never found by these functions' callers (views answer 404).
Unread marks are per person (a row per unread conversation, made when a message arrives); read receipts are each
person's first reading of each post, shown to the other organisation. Every change is audited in its own transaction.
Schema and design: ``migrations/messages.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Sequence

from sqlite_utils import Database

from domain import clock
from models import audit, services
from models.db import one, rows, scalar, transaction

SERVICE = "transfers"
MAX_SUBJECT = 150
MAX_BODY = 10_000
MAX_NAME = 100
PAGE_SIZE = 25
#: Folders count their conversations up to this many; past it they say "more than 1,000" (an exact count of a
#: 10,000-conversation inbox would cost more than the rest of the page).
COUNT_CAP = 1000
BOXES = ("inbox", "sent", "archived")

SEED_TEMPLATES = (
    {
        "name": "Request for pupil's CTF",
        "subject": "Request for a pupil's CTF",
        "body": "Please send us the Common Transfer File (CTF) for the pupil below through Transfers.\n\n"
        "Pupil's full name:\nDate of birth:\nUPN (if you know it):\nDate they joined (or will join) us:\n\n"
        "Thank you.",
        "confirm_receipt": 0,
    },
    {
        "name": "Child protection file transfer — please confirm receipt",
        "subject": "Child protection file transfer – please confirm receipt",
        "body": "A child protection file for a pupil joining your school is being transferred to you.\n\n"
        "Your designated safeguarding lead should check it has arrived complete, then press "
        "'Confirm receipt' on this message so the sender knows it is safe. Reply here with any questions.",
        "confirm_receipt": 1,
    },
)


class MessageRefused(ValueError):
    """A message that cannot be sent as asked (no such recipient, closed, another LA, empty group)."""


def _now() -> str:
    """Now, to the microsecond (posts in one second still sort in the order they were written)."""
    return clock.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ----------------------------------------------------------------------------- who may message whom


def recipients(db: Database, organisation: dict) -> list[dict]:
    """The organisations ``organisation`` may start a thread with: for a school, its LA then the other
    open schools of its LA; for the LA, its open schools. By name."""
    found = rows(
        db,
        "SELECT id, kind, name, dfe_number FROM organisations WHERE la_code = ? AND id <> ? AND status <> 'closed'"
        " AND (kind = 'school' OR ? = 'school') ORDER BY kind <> 'la', name COLLATE NOCASE",
        (organisation["la_code"], organisation["id"], organisation["kind"]),
    )
    return found


def _check_recipient(db: Database, sender: dict, recipient_id: int) -> dict:
    recipient = one(db, "SELECT * FROM organisations WHERE id = ?", (recipient_id,))
    if recipient is None or recipient["la_code"] != sender["la_code"] or recipient["id"] == sender["id"]:
        raise MessageRefused("Choose an organisation from the list")
    if recipient["status"] == "closed":
        raise MessageRefused(f"{recipient['name']} is closed: it cannot receive messages")
    if recipient["kind"] == "la" and sender["kind"] == "la":
        raise MessageRefused("Choose an organisation from the list")
    return recipient


# ----------------------------------------------------------------------------- writing


def _notify(db: Database, thread_id: int, post_id: int, organisation_id: int, at: str) -> None:
    """Mark the thread unread, and queue an email notice of ``post_id``, for each active user of
    ``organisation_id`` with the service."""
    people = services.users_with_service(db, organisation_id, SERVICE)
    db.conn.executemany(
        "INSERT OR IGNORE INTO message_notices (user_id, post_id, created_at) VALUES (?, ?, ?)",
        [(person["id"], post_id, at) for person in people],
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO message_unread (user_id, thread_id) VALUES (?, ?)",
        [(person["id"], thread_id) for person in people],
    )


def _add_post(db: Database, thread_id: int, author_org: int, other_org: int, author: dict, body: str, at: str,
              attachments: Sequence[dict] = ()) -> int:  # fmt: skip
    """Insert a post with its attachments (records from ``background.message_files``) and move both parties'
    rows (the other side's comes back out of its archive)."""
    post_id = db.conn.execute(
        "INSERT INTO message_posts (thread_id, organisation_id, author_id, body, sent_at) VALUES (?, ?, ?, ?, ?)",
        (thread_id, author_org, author["id"], body, at),
    ).lastrowid
    db.conn.executemany(
        "INSERT INTO message_attachments (post_id, original_name, size, sha256, stored_name, wrapped_key, key_id,"
        " uploaded_by, uploaded_at) VALUES (:post_id, :original_name, :size, :sha256, :stored_name, :wrapped_key,"
        " :key_id, :uploaded_by, :at)",
        [{**a, "post_id": post_id, "at": at} for a in attachments],
    )
    db.conn.execute(
        "UPDATE message_threads SET last_post_at = ?, expiry_warned_at = NULL WHERE id = ?", (at, thread_id)
    )
    db.conn.execute(
        "UPDATE message_parties SET last_post_at = ?, last_sent_at = ? WHERE thread_id = ? AND organisation_id = ?",
        (at, at, thread_id, author_org),
    )
    db.conn.execute(
        "UPDATE message_parties SET last_post_at = ?, archived = 0 WHERE thread_id = ? AND organisation_id = ?",
        (at, thread_id, other_org),
    )
    # Whoever writes has read the conversation.
    db.conn.execute("DELETE FROM message_unread WHERE user_id = ? AND thread_id = ?", (author["id"], thread_id))
    _notify(db, thread_id, post_id, other_org, at)
    return post_id


def _insert_thread(
    db: Database, sender: dict, recipient: dict, author: dict, subject: str, body: str, confirm: bool,
    bulk_id: int | None, at: str, attachments: Sequence[dict] = (),
) -> int:  # fmt: skip
    thread_id = db.conn.execute(
        "INSERT INTO message_threads (la_code, subject, sender_org_id, recipient_org_id, created_by, created_at,"
        " last_post_at, bulk_id, confirm_requested) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (sender["la_code"], subject, sender["id"], recipient["id"], author["id"], at, at, bulk_id, int(confirm)),
    ).lastrowid
    db.conn.executemany(
        "INSERT INTO message_parties (thread_id, organisation_id, other_org_id, last_post_at) VALUES (?, ?, ?, ?)",
        [(thread_id, sender["id"], recipient["id"], at), (thread_id, recipient["id"], sender["id"], at)],
    )
    _add_post(db, thread_id, sender["id"], recipient["id"], author, body, at, attachments)
    return thread_id


def _files(attachments: Sequence[dict]) -> dict:
    """What the audit log keeps of a post's attachments: their names and sizes."""
    if not attachments:
        return {}
    return {"attachments": [{"name": a["original_name"], "size": a["size"]} for a in attachments]}


def start_thread(
    db: Database, *, sender: dict, recipient_id: int, author: dict, subject: str, body: str, confirm: bool = False,
    client: dict | None = None, attachments: Sequence[dict] = (),
) -> int:  # fmt: skip
    """Start a thread from ``sender`` (the author's organisation) to ``recipient_id``; return its id.

    Raises MessageRefused when the recipient is not one ``sender`` may write to (see :func:`recipients`).
    """
    at = _now()
    with transaction(db):
        recipient = _check_recipient(db, sender, recipient_id)
        thread_id = _insert_thread(db, sender, recipient, author, subject, body, confirm, None, at, attachments)
        audit.record(
            db, "message_thread_started", actor=author, organisation_id=sender["id"], target=f"thread:{thread_id}",
            detail={"to": recipient["dfe_number"], "confirm_receipt": bool(confirm), **_files(attachments)},
            **(client or {}),
        )  # fmt: skip
    return thread_id


def reply(db: Database, thread: dict, organisation_id: int, author: dict, body: str, client: dict | None = None,
          attachments: Sequence[dict] = ()) -> int:  # fmt: skip
    """Add ``author``'s reply (for ``organisation_id``, a party) to ``thread``; return the post's id.

    Raises MessageRefused when the thread's content has expired.
    """
    at = _now()
    with transaction(db):
        if scalar(db, "SELECT expired_at FROM message_threads WHERE id = ?", (thread["id"],)):
            raise MessageRefused("This conversation has been deleted under the retention policy: start a new one")
        other = thread["recipient_org_id"] if organisation_id == thread["sender_org_id"] else thread["sender_org_id"]
        post_id = _add_post(db, thread["id"], organisation_id, other, author, body, at, attachments)
        audit.record(
            db, "message_replied", actor=author, organisation_id=organisation_id, target=f"thread:{thread['id']}",
            detail={"post": post_id, **_files(attachments)}, **(client or {}),
        )  # fmt: skip
    return post_id


def _drop_notices(db: Database, thread_id: int, *, user_id: int | None = None, organisation_id: int | None = None):
    """Forget the email notices not yet sent about the thread to the person (or everyone at the organisation)
    who has now read (or archived) it."""
    db.conn.execute(
        "DELETE FROM message_notices WHERE digest_id IS NULL"
        " AND post_id IN (SELECT id FROM message_posts WHERE thread_id = :thread)"
        " AND user_id IN (SELECT id FROM users WHERE id = :user OR organisation_id = :org)",
        {"thread": thread_id, "user": user_id, "org": organisation_id},
    )


def mark_read(db: Database, thread_id: int, organisation_id: int, reader: dict, client: dict | None = None) -> int:
    """Record that ``reader`` (of ``organisation_id``) has read every post of the thread so far: read receipts
    for the other side's posts, and their unread mark cleared. Returns how many receipts were new (audited
    when any)."""
    at = _now()
    with transaction(db):
        new = db.conn.execute(
            "INSERT OR IGNORE INTO message_reads (post_id, user_id, read_at)"
            " SELECT id, ?, ? FROM message_posts WHERE thread_id = ? AND organisation_id <> ?",
            (reader["id"], at, thread_id, organisation_id),
        ).rowcount
        db.conn.execute("DELETE FROM message_unread WHERE user_id = ? AND thread_id = ?", (reader["id"], thread_id))
        _drop_notices(db, thread_id, user_id=reader["id"])
        if new:
            audit.record(
                db, "message_thread_read", actor=reader, organisation_id=organisation_id, target=f"thread:{thread_id}",
                detail={"posts": new}, **(client or {}),
            )  # fmt: skip
    return new


def mark_unread(db: Database, thread_id: int, reader: dict, client: dict | None = None) -> None:
    """Put the thread back as unread for ``reader`` only (their receipts stay: they did read it); audited."""
    with transaction(db):
        db.conn.execute(
            "INSERT OR IGNORE INTO message_unread (user_id, thread_id) VALUES (?, ?)", (reader["id"], thread_id)
        )
        audit.record(db, "message_thread_marked_unread", actor=reader, organisation_id=reader["organisation_id"],
                     target=f"thread:{thread_id}", **(client or {}))  # fmt: skip


def set_archived(
    db: Database, thread_id: int, organisation_id: int, archived: bool, actor: dict, client: dict | None = None
) -> None:
    """Archive (or bring back) the thread for the whole of ``organisation_id``; the other side is untouched.
    Archiving also marks it read for everyone at the organisation (so the unread count is one index range)."""
    with transaction(db):
        if archived:
            db.conn.execute(
                "DELETE FROM message_unread WHERE thread_id = ? AND user_id IN"
                " (SELECT id FROM users WHERE organisation_id = ?)",
                (thread_id, organisation_id),
            )
            _drop_notices(db, thread_id, organisation_id=organisation_id)
        db.conn.execute(
            "UPDATE message_parties SET archived = ? WHERE thread_id = ? AND organisation_id = ?",
            (int(archived), thread_id, organisation_id),
        )
        audit.record(
            db, "message_thread_archived" if archived else "message_thread_unarchived", actor=actor,
            organisation_id=organisation_id, target=f"thread:{thread_id}", **(client or {}),
        )  # fmt: skip


def confirm_receipt(db: Database, thread: dict, actor: dict, client: dict | None = None) -> bool:
    """Confirm receipt of ``thread`` for its recipient organisation (the caller checks ``actor`` is of it).
    Returns False when it was already confirmed (nothing changes)."""
    at = _now()
    with transaction(db):
        changed = db.conn.execute(
            "UPDATE message_threads SET confirmed_at = ?, confirmed_by = ?"
            " WHERE id = ? AND confirm_requested = 1 AND confirmed_at IS NULL",
            (at, actor["id"], thread["id"]),
        ).rowcount
        if changed:
            audit.record(
                db, "message_receipt_confirmed", actor=actor, organisation_id=thread["recipient_org_id"],
                target=f"thread:{thread['id']}", **(client or {}),
            )  # fmt: skip
    return bool(changed)


# ----------------------------------------------------------------------------- reading


def get_thread(db: Database, thread_id: int, organisation_id: int) -> dict | None:
    """The thread as ``organisation_id`` sees it (with its party row and both organisations' names), or
    None when there is no such thread or the organisation is not party to it."""
    return one(
        db,
        "SELECT t.*, p.archived, p.other_org_id, o.name AS other_name, o.kind AS other_kind,"
        " CASE WHEN o.kind = 'school' THEN o.dfe_number END AS other_dfe_number,"
        " s.name AS sender_name, r.name AS recipient_name, cu.name AS confirmed_by_name"
        " FROM message_parties p JOIN message_threads t ON t.id = p.thread_id"
        " JOIN organisations o ON o.id = p.other_org_id"
        " JOIN organisations s ON s.id = t.sender_org_id JOIN organisations r ON r.id = t.recipient_org_id"
        " LEFT JOIN users cu ON cu.id = t.confirmed_by"
        " WHERE p.thread_id = ? AND p.organisation_id = ?",
        (thread_id, organisation_id),
    )


def posts(db: Database, thread_id: int, organisation_id: int) -> list[dict]:
    """The thread's posts, oldest first, each with its author and organisation names and, for the posts of
    ``organisation_id``, ``receipts``: who at the other organisation read it and when (first reading)."""
    found = rows(
        db,
        "SELECT m.*, u.name AS author_name, o.name AS organisation_name FROM message_posts m"
        " LEFT JOIN users u ON u.id = m.author_id JOIN organisations o ON o.id = m.organisation_id"
        " WHERE m.thread_id = ? ORDER BY m.id",
        (thread_id,),
    )
    reads = rows(
        db,
        "SELECT r.post_id, r.read_at, u.name FROM message_reads r JOIN message_posts m ON m.id = r.post_id"
        " JOIN users u ON u.id = r.user_id WHERE m.thread_id = ? AND m.organisation_id = ?"
        " AND u.organisation_id <> ? ORDER BY r.read_at, u.name",
        (thread_id, organisation_id, organisation_id),
    )
    by_post: dict[int, list[dict]] = {}
    for read in reads:
        by_post.setdefault(read["post_id"], []).append(read)
    files = _attachments_by_post(db, thread_id)
    for post in found:
        post["mine"] = post["organisation_id"] == organisation_id
        post["receipts"] = by_post.get(post["id"], [])
        post["attachments"] = files.get(post["id"], [])
    return found


# ----------------------------------------------------------------------------- attachments


def any_attachment_stored(db: Database) -> bool:
    """True when at least one attachment's encrypted file is held (so the store's master key must exist)."""
    return scalar(db, "SELECT 1 FROM message_attachments WHERE stored_name IS NOT NULL LIMIT 1") is not None


def attachment_stored_names(db: Database) -> set[str]:
    """The stored names of every attachment whose file is held (the start-up sweep keeps them)."""
    found = rows(db, "SELECT DISTINCT stored_name FROM message_attachments WHERE stored_name IS NOT NULL")
    return {r["stored_name"] for r in found}


def _attachments_by_post(db: Database, thread_id: int) -> dict[int, list[dict]]:
    """The thread's attachments by post, each with ``downloads``: who downloaded it, from where, when (oldest first).
    One statement, however many files and downloads."""
    found = rows(
        db,
        "SELECT a.id, a.post_id, a.original_name, a.size, a.expired_at, d.downloaded_at, u.name,"
        " o.name AS organisation_name FROM message_posts m JOIN message_attachments a ON a.post_id = m.id"
        " LEFT JOIN message_attachment_downloads d ON d.attachment_id = a.id LEFT JOIN users u ON u.id = d.user_id"
        " LEFT JOIN organisations o ON o.id = d.organisation_id WHERE m.thread_id = ? ORDER BY a.id, d.id",
        (thread_id,),
    )
    by_id: dict[int, dict] = {}
    by_post: dict[int, list[dict]] = {}
    for row in found:
        attachment = by_id.get(row["id"])
        if attachment is None:
            attachment = by_id[row["id"]] = {key: row[key] for key in ("id", "post_id", "original_name", "size",
                                                                       "expired_at")} | {"downloads": []}  # fmt: skip
            by_post.setdefault(row["post_id"], []).append(attachment)
        if row["downloaded_at"]:
            attachment["downloads"].append({k: row[k] for k in ("downloaded_at", "name", "organisation_name")})
    return by_post


def get_attachment(db: Database, thread_id: int, attachment_id: int) -> dict | None:
    """The attachment of a post in ``thread_id`` (with its stored file and key), or None."""
    return one(
        db,
        "SELECT a.* FROM message_attachments a JOIN message_posts m ON m.id = a.post_id"
        " WHERE a.id = ? AND m.thread_id = ?",
        (attachment_id, thread_id),
    )


def record_download(db: Database, attachment: dict, thread_id: int, user: dict, client: dict | None = None) -> None:
    """Log (on the thread and in the audit log) that ``user`` downloaded the attachment. Raises MessageRefused
    (nothing logged) when its file is no longer held as ``attachment`` was loaded: deleted under the retention policy
    meanwhile, so the caller must not hand it out."""
    with transaction(db):
        held = scalar(db, "SELECT stored_name FROM message_attachments WHERE id = ?", (attachment["id"],))
        if held is None or held != attachment["stored_name"]:
            raise MessageRefused("This file has been deleted under the retention policy, so it can no longer be "
                                 "downloaded")  # fmt: skip
        db.conn.execute(
            "INSERT INTO message_attachment_downloads (attachment_id, user_id, organisation_id, downloaded_at)"
            " VALUES (?, ?, ?, ?)",
            (attachment["id"], user["id"], user["organisation_id"], _now()),
        )
        audit.record(
            db, "message_attachment_downloaded", actor=user, organisation_id=user["organisation_id"],
            target=f"thread:{thread_id}", detail={"attachment": attachment["id"], "file": attachment["original_name"]},
            **(client or {}),
        )  # fmt: skip


def _search(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_BOX_WHERE = {
    "inbox": "p.organisation_id = :org AND p.archived = 0",
    "archived": "p.organisation_id = :org AND p.archived = 1",
    "sent": "p.organisation_id = :org AND p.last_sent_at IS NOT NULL",
}
_BOX_ORDER = {
    "inbox": "p.last_post_at DESC, p.thread_id DESC",
    "archived": "p.last_post_at DESC, p.thread_id DESC",
    "sent": "p.last_sent_at DESC, p.thread_id DESC",
}


def box(db: Database, organisation_id: int, user_id: int, which: str = "inbox", q: str = "", page: int = 1,
        per_page: int = PAGE_SIZE) -> dict:  # fmt: skip
    """One page of an organisation's ``inbox``, ``sent`` or ``archived`` threads, newest first, each with the
    other organisation's name and ``unread`` for ``user_id``; ``q`` matches the subject or the other
    organisation's name. Returns ``{"items", "total", "more_than", "page", "pages"}``: ``total`` is None when
    there are more than ``more_than`` (COUNT_CAP), and then ``pages`` reaches one past the current page while
    there are more. Raises ValueError for another box."""
    if which not in BOXES:
        raise ValueError(f"unknown box {which!r}")
    where = _BOX_WHERE[which]
    params: dict = {"org": organisation_id, "user": user_id}
    if q:
        where += (
            " AND (t.subject LIKE :q ESCAPE '\\'"
            " OR p.other_org_id IN (SELECT id FROM organisations WHERE name LIKE :q ESCAPE '\\'))"
        )
        params["q"] = _search(q)
    joins = (
        " FROM message_parties p JOIN message_threads t ON t.id = p.thread_id"
        " JOIN organisations o ON o.id = p.other_org_id"
    )
    # Without a search the total is counted on the party index alone, and never past COUNT_CAP.
    counted = joins if q else " FROM message_parties p"
    total = scalar(
        # nosemgrep: sql-format # {counted}/{where} are fixed clauses chosen above; every value is bound
        db, f"SELECT count(*) FROM (SELECT 1{counted} WHERE {where} LIMIT :cap)",  # nosec B608
        {**params, "cap": COUNT_CAP + 1},
    )  # fmt: skip
    known = total <= COUNT_CAP
    page = max(1, page)
    if known:
        page = min(page, max(1, math.ceil(total / per_page)))
    items = rows(
        db,
        # nosemgrep: sql-format # fixed clauses chosen above (_BOX_WHERE, _BOX_ORDER); every value is bound
        "SELECT t.id, t.subject, t.created_at, t.confirm_requested, t.confirmed_at, t.expired_at, t.bulk_id,"  # nosec B608
        " t.sender_org_id, p.last_post_at, p.last_sent_at, p.archived, o.name AS other_name,"
        " CASE WHEN o.kind = 'school' THEN o.dfe_number END AS other_dfe_number,"
        " EXISTS (SELECT 1 FROM message_unread u WHERE u.user_id = :user AND u.thread_id = p.thread_id) AS unread"
        f"{joins} WHERE {where} ORDER BY {_BOX_ORDER[which]} LIMIT :limit OFFSET :offset",
        {**params, "limit": per_page + 1, "offset": (page - 1) * per_page},
    )
    more = len(items) > per_page
    if known:
        pages = max(1, math.ceil(total / per_page))
    else:
        pages = max(math.ceil(COUNT_CAP / per_page), page + more)
    return {"items": items[:per_page], "total": total if known else None, "more_than": COUNT_CAP, "page": page,
            "pages": pages}  # fmt: skip


def unread_count(db: Database, user_id: int) -> int:
    """How many conversations (of the person's organisation, not archived) have a message from the other side
    that ``user_id`` has not read since it arrived."""
    return scalar(
        db,
        "SELECT count(*) FROM message_unread WHERE user_id = ?",
        (user_id,),
    )


# ----------------------------------------------------------------------------- templates


def _audit_la(db: Database, action: str, actor: dict, target: str, detail: dict, client: dict | None) -> None:
    """Audit a change to the LA's templates or saved lists, in the caller's transaction."""
    audit.record(
        db, action, actor=actor, organisation_id=actor["organisation_id"], target=target, detail=detail,
        **(client or {}),
    )  # fmt: skip


def ensure_templates(db: Database, la_code: str) -> None:
    """Give the LA the starting templates once (an LA that deletes them does not get them back)."""
    if one(db, "SELECT 1 FROM message_template_seeds WHERE la_code = ?", (la_code,)):
        return
    at = _now()
    with transaction(db):
        if db.conn.execute(
            "INSERT OR IGNORE INTO message_template_seeds (la_code, seeded_at) VALUES (?, ?)", (la_code, at)
        ).rowcount:
            db.conn.executemany(
                "INSERT OR IGNORE INTO message_templates (la_code, name, subject, body, confirm_receipt, updated_at)"
                " VALUES (:la, :name, :subject, :body, :confirm_receipt, :at)",
                [{**seed, "la": la_code, "at": at} for seed in SEED_TEMPLATES],
            )
            audit.record(db, "message_templates_seeded", target=f"la:{la_code}",
                         detail={"templates": [seed["name"] for seed in SEED_TEMPLATES]})  # fmt: skip


def templates(db: Database, la_code: str) -> list[dict]:
    """The LA's message templates, by name."""
    return rows(db, "SELECT * FROM message_templates WHERE la_code = ? ORDER BY name COLLATE NOCASE", (la_code,))


def get_template(db: Database, template_id: int, la_code: str) -> dict | None:
    """The LA's template, or None (another LA's is None too)."""
    return one(db, "SELECT * FROM message_templates WHERE id = ? AND la_code = ?", (template_id, la_code))


_NAME_TAKEN = {
    table: f"SELECT 1 FROM {table} WHERE la_code = ? AND name = ? COLLATE NOCASE AND id <> ?"  # nosec B608 # two literal names
    for table in ("message_templates", "message_groups")
}


def _name_taken(db: Database, table: str, la_code: str, name: str, except_id: int | None) -> bool:
    return bool(scalar(db, _NAME_TAKEN[table], (la_code, name, except_id or 0)))


def save_template(db: Database, la_code: str, values: dict, actor: dict, template_id: int | None = None,
                  client: dict | None = None) -> int:  # fmt: skip
    """Create (or update ``template_id``) the LA's template from ``values`` (name, subject, body,
    confirm_receipt); return its id. Raises MessageRefused when the LA already has one by that name."""
    at = _now()
    params = {**values, "confirm_receipt": int(bool(values["confirm_receipt"])), "la": la_code, "at": at,
              "by": actor["id"], "id": template_id}  # fmt: skip
    with transaction(db):
        if _name_taken(db, "message_templates", la_code, values["name"], template_id):
            raise MessageRefused(f"There is already a template called {values['name']}")
        if template_id is None:
            template_id = db.conn.execute(
                "INSERT INTO message_templates (la_code, name, subject, body, confirm_receipt, updated_by, updated_at)"
                " VALUES (:la, :name, :subject, :body, :confirm_receipt, :by, :at)",
                params,
            ).lastrowid
            action = "message_template_created"
        else:
            db.conn.execute(
                "UPDATE message_templates SET name = :name, subject = :subject, body = :body, confirm_receipt ="
                " :confirm_receipt, updated_by = :by, updated_at = :at WHERE id = :id AND la_code = :la",
                params,
            )
            action = "message_template_updated"
        _audit_la(db, action, actor, f"template:{template_id}", {"name": values["name"]}, client)
    return template_id


def delete_template(db: Database, template: dict, actor: dict, client: dict | None = None) -> None:
    """Delete the template (bulk sends that used it keep their record)."""
    with transaction(db):
        db.conn.execute("DELETE FROM message_templates WHERE id = ?", (template["id"],))
        _audit_la(
            db, "message_template_deleted", actor, f"template:{template['id']}", {"name": template["name"]}, client
        )


# ----------------------------------------------------------------------------- recipient groups


def _open_schools_where() -> str:
    return "o.kind = 'school' AND o.la_code = :la AND o.status <> 'closed'"


def group_choices(db: Database, la_code: str) -> list[dict]:
    """Every group the LA can send to, as ``{"key", "label", "schools"}``: all schools, each phase, each type,
    maintained schools, academies, then the saved lists. Groups with no open school are left out."""
    where = _open_schools_where()
    params = {"la": la_code}
    # nosemgrep: sql-format # a fixed clause; values are bound
    total = scalar(db, f"SELECT count(*) FROM organisations o WHERE {where}", params)  # nosec B608
    choices = [{"key": "all", "label": "All schools", "schools": total}]
    for column, prefix in (("phase", "phase"), ("type_name", "type")):
        found = rows(
            db,
            # nosemgrep: sql-format # column is one of two literal column names; values are bound
            f"SELECT o.{column} AS value, count(*) AS n FROM organisations o WHERE {where}"  # nosec B608
            f" AND o.{column} IS NOT NULL AND o.{column} <> '' GROUP BY o.{column} ORDER BY o.{column}",
            params,
        )
        for row in found:
            if prefix == "type":
                label = f"Type: {row['value']}"
            elif row["value"].lower() == "not applicable":  # GIAS's phase of e.g. special schools and PRUs
                label = "Schools whose phase is not applicable"
            else:
                label = f"All {row['value'].lower()} schools"
            choices.append({"key": f"{prefix}:{row['value']}", "label": label, "schools": row["n"]})
    for key, label, academy in (("maintained", "Maintained schools", 0), ("academy", "Academies and free schools", 1)):
        # nosemgrep: sql-format # a fixed clause; values are bound
        n = scalar(db, f"SELECT count(*) FROM organisations o WHERE {where} AND o.is_academy = :a",  # nosec B608
                   {**params, "a": academy})  # fmt: skip
        if n:
            choices.append({"key": key, "label": label, "schools": n})
    for group in groups(db, la_code):
        choices.append({"key": f"saved:{group['id']}", "label": f"Saved list: {group['name']}",
                        "schools": group["schools"]})  # fmt: skip
    return [c for c in choices if c["schools"]]


def group_schools(db: Database, la_code: str, key: str) -> list[dict]:
    """The open schools of the LA in the group ``key`` (see :func:`group_choices`), by name.

    Raises MessageRefused for a key that names no group of this LA.
    """
    where = _open_schools_where()
    params: dict = {"la": la_code}
    kind, _, value = key.partition(":")
    if kind == "all" and not value:
        extra = ""
    elif kind == "phase" and value:
        extra, params["v"] = " AND o.phase = :v", value
    elif kind == "type" and value:
        extra, params["v"] = " AND o.type_name = :v", value
    elif kind in ("maintained", "academy") and not value:
        extra, params["v"] = " AND o.is_academy = :v", int(kind == "academy")
    elif kind == "saved" and value.isdigit() and get_group(db, int(value), la_code):
        extra, params["v"] = (
            " AND o.id IN (SELECT organisation_id FROM message_group_members WHERE group_id = :v)",
            int(value),
        )
    else:
        raise MessageRefused("Choose a group from the list")
    # nosemgrep: sql-format # fixed clauses chosen above; values are bound
    return rows(db, f"SELECT o.* FROM organisations o WHERE {where}{extra} ORDER BY o.name COLLATE NOCASE", params)  # nosec B608


def groups(db: Database, la_code: str) -> list[dict]:
    """The LA's saved lists, by name, each with ``schools`` (how many open schools it holds)."""
    return rows(
        db,
        "SELECT g.*, (SELECT count(*) FROM message_group_members m JOIN organisations o ON o.id = m.organisation_id"
        " WHERE m.group_id = g.id AND o.status <> 'closed') AS schools"
        " FROM message_groups g WHERE g.la_code = ? ORDER BY g.name COLLATE NOCASE",
        (la_code,),
    )


def get_group(db: Database, group_id: int, la_code: str) -> dict | None:
    """The LA's saved list with ``members`` (organisation ids), or None."""
    group = one(db, "SELECT * FROM message_groups WHERE id = ? AND la_code = ?", (group_id, la_code))
    if group is not None:
        group["members"] = [r["organisation_id"] for r in rows(
            db, "SELECT organisation_id FROM message_group_members WHERE group_id = ?", (group_id,))]  # fmt: skip
    return group


def save_group(db: Database, la_code: str, name: str, members: Iterable[int], actor: dict,
               group_id: int | None = None, client: dict | None = None) -> int:  # fmt: skip
    """Create (or replace ``group_id``) the LA's saved list ``name`` of schools; return its id.

    Raises MessageRefused for a name already used, no schools, or a school not of this LA.
    """
    members = sorted(set(members))
    if not members:
        raise MessageRefused("Select at least one school")
    at = _now()
    with transaction(db):
        if _name_taken(db, "message_groups", la_code, name, group_id):
            raise MessageRefused(f"There is already a list called {name}")
        ours = scalar(
            db,
            "SELECT count(*) FROM organisations WHERE kind = 'school' AND la_code = ?"
            " AND id IN (SELECT value FROM json_each(?))",
            (la_code, json.dumps(members)),
        )
        if ours != len(members):
            raise MessageRefused("Choose schools from the list")
        if group_id is None:
            group_id = db.conn.execute(
                "INSERT INTO message_groups (la_code, name, updated_by, updated_at) VALUES (?, ?, ?, ?)",
                (la_code, name, actor["id"], at),
            ).lastrowid
            action = "message_group_created"
        else:
            db.conn.execute("UPDATE message_groups SET name = ?, updated_by = ?, updated_at = ? WHERE id = ?",
                            (name, actor["id"], at, group_id))  # fmt: skip
            db.conn.execute("DELETE FROM message_group_members WHERE group_id = ?", (group_id,))
            action = "message_group_updated"
        db.conn.executemany("INSERT INTO message_group_members (group_id, organisation_id) VALUES (?, ?)",
                            [(group_id, m) for m in members])  # fmt: skip
        _audit_la(db, action, actor, f"group:{group_id}", {"name": name, "schools": len(members)}, client)
    return group_id


def delete_group(db: Database, group: dict, actor: dict, client: dict | None = None) -> None:
    """Delete a saved list (its members go with it)."""
    with transaction(db):
        db.conn.execute("DELETE FROM message_groups WHERE id = ?", (group["id"],))
        _audit_la(db, "message_group_deleted", actor, f"group:{group['id']}", {"name": group["name"]}, client)


# ----------------------------------------------------------------------------- bulk sends


def send_to_group(
    db: Database, *, la: dict, group_key: str, author: dict, subject: str, body: str, confirm: bool,
    template_id: int | None = None, client: dict | None = None, attachments: Sequence[dict] = (),
) -> int:  # fmt: skip
    """Send the message as one separate thread to each open school in the group (replies stay private
    between the LA and that school); return the bulk send's id. All or nothing. Each school's post gets its
    own rows for the ``attachments``, naming the same stored files (stored once, removed with the last).

    Raises MessageRefused for an unknown group or one with no open school.
    """
    at = _now()
    with transaction(db):
        schools = group_schools(db, la["la_code"], group_key)
        if not schools:
            raise MessageRefused("That group has no open schools")
        label = next((c["label"] for c in group_choices(db, la["la_code"]) if c["key"] == group_key), group_key)
        bulk_id = db.conn.execute(
            "INSERT INTO message_bulk_sends (la_code, organisation_id, group_label, template_id, subject, threads,"
            " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (la["la_code"], la["id"], label, template_id, subject, len(schools), author["id"], at),
        ).lastrowid
        for school in schools:
            _insert_thread(db, la, school, author, subject, body, confirm, bulk_id, at, attachments)
        audit.record(
            db, "message_bulk_sent", actor=author, organisation_id=la["id"], target=f"bulk:{bulk_id}",
            detail={"group": label, "threads": len(schools), "template": template_id, "confirm_receipt": bool(confirm),
                    **_files(attachments)},
            **(client or {}),
        )  # fmt: skip
    return bulk_id


def bulk_sends(db: Database, la_code: str, limit: int = 20) -> list[dict]:
    """The LA's latest bulk sends, newest first, each with how many schools have read and confirmed it."""
    return rows(
        db,
        "SELECT b.*, u.name AS sender_name,"
        " (SELECT count(*) FROM message_threads t WHERE t.bulk_id = b.id AND t.confirmed_at IS NOT NULL) AS confirmed"
        " FROM message_bulk_sends b LEFT JOIN users u ON u.id = b.created_by WHERE b.la_code = ?"
        " ORDER BY b.created_at DESC, b.id DESC LIMIT ?",
        (la_code, limit),
    )


def get_bulk(db: Database, bulk_id: int, la_code: str) -> dict | None:
    """The LA's bulk send with ``threads``: each school's thread, whether it has been read (first reader and
    when), replied to and confirmed, and ``nobody_there`` when the school has nobody who uses the service.
    None for another LA's."""
    bulk = one(db, "SELECT * FROM message_bulk_sends WHERE id = ? AND la_code = ?", (bulk_id, la_code))
    if bulk is None:
        return None
    bulk["threads"] = rows(
        db,
        "SELECT t.id, t.confirm_requested, t.confirmed_at, t.expired_at, o.name AS school_name,"
        " o.dfe_number AS school_dfe_number,"
        " (SELECT min(r.read_at) FROM message_reads r JOIN message_posts m ON m.id = r.post_id"
        "  JOIN users u ON u.id = r.user_id WHERE m.thread_id = t.id AND u.organisation_id = o.id) AS first_read_at,"
        " (SELECT count(*) FROM message_posts m WHERE m.thread_id = t.id AND m.organisation_id = o.id) AS replies,"
        # Nobody active there uses the service (approvers have every service): nobody can read it or be told.
        " NOT EXISTS (SELECT 1 FROM users u WHERE u.organisation_id = o.id AND u.status = 'active'"
        "  AND (u.role = 'approver' OR EXISTS (SELECT 1 FROM user_services s WHERE s.user_id = u.id"
        "  AND s.service = 'transfers'))) AS nobody_there"
        " FROM message_threads t JOIN organisations o ON o.id = t.recipient_org_id WHERE t.bulk_id = ?"
        " ORDER BY o.name COLLATE NOCASE",
        (bulk_id,),
    )
    return bulk


# ----------------------------------------------------------------------------- email notices (jobs)


def claim_digests(db: Database, now: dt.datetime, gap: dt.timedelta) -> list[dict]:
    """Claim every person's waiting notices into one digest each, for people whose last digest was at least
    ``gap`` before ``now`` (or who never had one) and who are still active. Returns the digests claimed
    (``id``, ``user_id``, ``email``, ``name``, ``messages``); a second call at once claims nothing."""
    at = clock.iso(now)
    since = clock.iso(now - gap)
    claimed = []
    with transaction(db):
        waiting = rows(
            db,
            "SELECT n.user_id, u.email, u.name, count(*) AS messages FROM message_notices n"
            " JOIN users u ON u.id = n.user_id WHERE n.digest_id IS NULL AND u.status = 'active'"
            " AND NOT EXISTS (SELECT 1 FROM message_digests d WHERE d.user_id = n.user_id AND d.sent_at > ?)"
            " GROUP BY n.user_id ORDER BY n.user_id",
            (since,),
        )
        for person in waiting:
            digest_id = db.conn.execute(
                "INSERT INTO message_digests (user_id, sent_at, messages) VALUES (?, ?, ?)",
                (person["user_id"], at, person["messages"]),
            ).lastrowid
            db.conn.execute(
                "UPDATE message_notices SET digest_id = ? WHERE user_id = ? AND digest_id IS NULL",
                (digest_id, person["user_id"]),
            )
            claimed.append({**person, "id": digest_id})
    return claimed


def note_digest_outbox(db: Database, digest_id: int, outbox_id: int) -> None:
    """Remember which outbox row carried the digest."""
    with transaction(db):
        db.conn.execute("UPDATE message_digests SET outbox_id = ? WHERE id = ?", (outbox_id, digest_id))


def chases_due(db: Database, created_before: dt.datetime) -> list[dict]:
    """Threads asking for confirmation of receipt, unconfirmed, not chased, not expired and started before
    ``created_before`` (the caller then counts school days), with both organisations' names."""
    return rows(
        db,
        "SELECT t.*, s.name AS sender_name, r.name AS recipient_name FROM message_threads t"
        " JOIN organisations s ON s.id = t.sender_org_id JOIN organisations r ON r.id = t.recipient_org_id"
        " WHERE t.confirm_requested = 1 AND t.confirmed_at IS NULL AND t.chased_at IS NULL AND t.expired_at IS NULL"
        " AND t.created_at < ? ORDER BY t.id",
        (clock.iso(created_before),),
    )


def mark_chased(db: Database, thread_id: int, now: dt.datetime, school_days: int) -> bool:
    """Claim the chase of one thread (audited); False when another run got there first or it was confirmed."""
    with transaction(db):
        changed = db.conn.execute(
            "UPDATE message_threads SET chased_at = ? WHERE id = ? AND chased_at IS NULL AND confirmed_at IS NULL",
            (clock.iso(now), thread_id),
        ).rowcount
        if changed:
            audit.record(db, "message_receipt_chased", target=f"thread:{thread_id}",
                         detail={"school_days": school_days})  # fmt: skip
    return bool(changed)


def nobody_there(db: Database, organisation_id: int) -> bool:
    """True when nobody active at the organisation uses Transfers and messages (nobody can read or be told)."""
    return not people_of(db, organisation_id)


def people_of(db: Database, organisation_id: int) -> list[dict]:
    """The organisation's active users with the Transfers and messages service."""
    return services.users_with_service(db, organisation_id, SERVICE)


def expiry_warnings_due(db: Database, last_post_before: dt.datetime) -> list[dict]:
    """Unexpired, unwarned threads whose last post was before ``last_post_before``."""
    return rows(
        db,
        "SELECT id, sender_org_id, recipient_org_id, last_post_at FROM message_threads"
        " WHERE expired_at IS NULL AND expiry_warned_at IS NULL AND last_post_at < ? ORDER BY id",
        (clock.iso(last_post_before),),
    )


def mark_warned(db: Database, thread_ids: list[int], now: dt.datetime, deletes_on: dt.date) -> list[int]:
    """Claim the expiry warning of each thread (audited); returns those claimed now."""
    claimed = []
    with transaction(db):
        for thread_id in thread_ids:
            if db.conn.execute(
                "UPDATE message_threads SET expiry_warned_at = ? WHERE id = ? AND expiry_warned_at IS NULL"
                " AND expired_at IS NULL",
                (clock.iso(now), thread_id),
            ).rowcount:
                claimed.append(thread_id)
        if claimed:
            audit.record(db, "message_expiry_warned", target="threads",
                         detail={"threads": claimed, "deletes_on": deletes_on.isoformat()})  # fmt: skip
    return claimed


def expire(db: Database, last_post_before: dt.datetime, now: dt.datetime) -> list[dict]:
    """Delete the content (subject and every post's body, and a group send's subject once all its threads have
    gone) of each thread whose last post was before ``last_post_before``, keeping the records as expired; audit
    each. One short transaction a thread, so a large first run never holds the database for long. Returns
    ``{"thread", "posts"}`` per thread expired now (a second run finds none)."""
    at = clock.iso(now)
    done = []
    due = rows(
        db,
        "SELECT id FROM message_threads WHERE expired_at IS NULL AND last_post_at < ? ORDER BY id",
        (clock.iso(last_post_before),),
    )
    for thread_id in (t["id"] for t in due):
        with transaction(db):
            thread = one(
                db,
                "SELECT id, sender_org_id, bulk_id FROM message_threads WHERE id = ? AND expired_at IS NULL"
                " AND last_post_at < ?",
                (thread_id, clock.iso(last_post_before)),
            )
            if thread is None:  # another run, or a new message, got there first
                continue
            posts_deleted = db.conn.execute(
                "UPDATE message_posts SET body = NULL, expired_at = ? WHERE thread_id = ? AND expired_at IS NULL",
                (at, thread_id),
            ).rowcount
            stored = _expire_attachments(db, thread_id, at)
            db.conn.execute("UPDATE message_threads SET subject = NULL, expired_at = ? WHERE id = ?", (at, thread_id))
            db.conn.execute("DELETE FROM message_unread WHERE thread_id = ?", (thread_id,))
            db.conn.execute("DELETE FROM message_notices WHERE digest_id IS NULL AND post_id IN"
                            " (SELECT id FROM message_posts WHERE thread_id = ?)", (thread_id,))  # fmt: skip
            if thread["bulk_id"]:
                db.conn.execute(
                    "UPDATE message_bulk_sends SET subject = NULL WHERE id = :bulk AND NOT EXISTS"
                    " (SELECT 1 FROM message_threads WHERE bulk_id = :bulk AND expired_at IS NULL)",
                    {"bulk": thread["bulk_id"]},
                )
            audit.record(db, "message_thread_expired", organisation_id=thread["sender_org_id"],
                         target=f"thread:{thread_id}",
                         detail={"posts": posts_deleted, **({"attachments": stored["attachments"]}
                                                            if stored["attachments"] else {})})  # fmt: skip
            done.append({"thread": thread_id, "posts": posts_deleted, **stored})
    return done


def _expire_attachments(db: Database, thread_id: int, at: str) -> dict:
    """Forget the thread's attachments' stored files and keys; return how many, and ``unused``: the stored files
    no attachment names any more, whose bytes the caller removes once this is committed."""
    names = [r["stored_name"] for r in rows(
        db,
        "SELECT DISTINCT a.stored_name FROM message_attachments a JOIN message_posts m ON m.id = a.post_id"
        " WHERE m.thread_id = ? AND a.stored_name IS NOT NULL",
        (thread_id,),
    )]  # fmt: skip
    count = db.conn.execute(
        "UPDATE message_attachments SET stored_name = NULL, wrapped_key = NULL, expired_at = ?"
        " WHERE stored_name IS NOT NULL AND post_id IN (SELECT id FROM message_posts WHERE thread_id = ?)",
        (at, thread_id),
    ).rowcount
    unused = [n for n in names if scalar(db, "SELECT 1 FROM message_attachments WHERE stored_name = ?", (n,)) is None]
    return {"attachments": count, "unused": unused}
