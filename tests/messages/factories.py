"""Factories for secure messages tests: conversations, templates, lists and bulk sends made through the models
(e.g. another school's, for the cross-organisation test)."""

from __future__ import annotations

import io

from background import message_files, transfer_store
from background.message_files import Upload
from models import messages, organisations
from models.db import scalar


def thread_between(db, sender: dict, recipient: dict, author: dict, subject: str = "Pupil moving to you",
                   body: str = "Please see below.", confirm: bool = False) -> int:  # fmt: skip
    """Start a conversation from ``sender`` to ``recipient`` written by ``author``; return its id."""
    return messages.start_thread(db, sender=sender, recipient_id=recipient["id"], author=author, subject=subject,
                                 body=body, confirm=confirm)  # fmt: skip


def _la(db, school: dict) -> dict:
    return organisations.get_la(db, school["la_code"])


def other_schools_thread(ctx: dict) -> int:
    """A conversation between the other school and the LA (the first school is not party to it), made once."""
    if "messages_thread" not in ctx:
        db = ctx["db"]
        ctx["messages_thread"] = thread_between(
            db, ctx["other_school"], _la(db, ctx["other_school"]), ctx["other_user"]
        )
    return ctx["messages_thread"]


def la_template(ctx: dict) -> int:
    """One of the LA's seeded templates (LA users only)."""
    messages.ensure_templates(ctx["db"], ctx["other_school"]["la_code"])
    return messages.templates(ctx["db"], ctx["other_school"]["la_code"])[0]["id"]


def la_group(ctx: dict) -> int:
    """A saved list of the LA holding the other school (LA users only), made once."""
    if "messages_group" not in ctx:
        ctx["messages_group"] = messages.save_group(ctx["db"], ctx["other_school"]["la_code"], "Other list",
                                                    [ctx["other_school"]["id"]], ctx["other_user"])  # fmt: skip
    return ctx["messages_group"]


def la_bulk(ctx: dict) -> int:
    """A bulk send of the LA to every school (LA users only), made once."""
    if "messages_bulk" not in ctx:
        db = ctx["db"]
        ctx["messages_bulk"] = messages.send_to_group(
            db, la=_la(db, ctx["other_school"]), group_key="all", author=ctx["other_user"], subject="To all",
            body="Hello all", confirm=False,
        )  # fmt: skip
    return ctx["messages_bulk"]


def objects_seen_by(app, db, la: dict, school: dict, school_user: dict, la_user: dict) -> dict:
    """One of each messages object, as ``{parameter: id}``: a conversation of ``school`` with the LA and a file
    attached in it (seen by ``school_user``), and the LA's template, saved list and bulk send (seen by ``la_user``)."""
    messages.ensure_templates(db, la["la_code"])
    thread_id = thread_between(db, school, la, school_user)
    return {
        "thread_id": thread_id,
        "attachment_id": attached_file(app, db, thread_id, school_user, b"Minutes of the meeting", "minutes.txt"),
        "template_id": messages.templates(db, la["la_code"])[0]["id"],
        "group_id": messages.save_group(db, la["la_code"], "A list", [school["id"]], la_user),
        "bulk_id": messages.send_to_group(
            db, la=la, group_key="all", author=la_user, subject="To all schools", body="Hello", confirm=True
        ),  # fmt: skip
    }


def attached_file(app, db, thread_id: int | None, author: dict, data: bytes, name: str, la: dict | None = None) -> int:
    """Store ``data`` encrypted as ``name`` and attach it to a reply by ``author`` in ``thread_id`` (or, with ``la``
    and no thread, to a group send of the LA to every school); return the reply's attachment id (or the bulk id)."""
    transfer_store.load_master_key(db, allow_create=True)  # other factories may record transfers with no key made
    [record] = message_files.store_uploads(app.config, db, [Upload(name, io.BytesIO(data))], author)
    if thread_id is None:
        return messages.send_to_group(db, la=la, group_key="all", author=author, subject="To all", body="See attached",
                                      confirm=False, attachments=[record])  # fmt: skip
    thread = messages.get_thread(db, thread_id, author["organisation_id"])
    post_id = messages.reply(db, thread, author["organisation_id"], author, "See attached", attachments=[record])
    return scalar(db, "SELECT id FROM message_attachments WHERE post_id = ?", (post_id,))


def other_schools_attachment(ctx: dict) -> int:
    """An attachment in the other school's conversation with the LA (the first school is not party to it)."""
    if "messages_attachment" not in ctx:
        ctx["messages_attachment"] = attached_file(ctx["app"], ctx["db"], other_schools_thread(ctx), ctx["other_user"],
                                                   b"Not yours", "theirs.txt")  # fmt: skip
    return ctx["messages_attachment"]
