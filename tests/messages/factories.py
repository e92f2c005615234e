"""Factories for secure messages tests: conversations, templates, lists and bulk sends made through the models
(e.g. another school's, for the cross-organisation test)."""

from __future__ import annotations

from models import messages, organisations


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


def objects_seen_by(db, la: dict, school: dict, school_user: dict, la_user: dict) -> dict:
    """One of each messages object, as ``{parameter: id}``: a conversation of ``school`` with the LA (seen by
    ``school_user``), and the LA's template, saved list and bulk send (seen by ``la_user``)."""
    messages.ensure_templates(db, la["la_code"])
    return {
        "thread_id": thread_between(db, school, la, school_user),
        "template_id": messages.templates(db, la["la_code"])[0]["id"],
        "group_id": messages.save_group(db, la["la_code"], "A list", [school["id"]], la_user),
        "bulk_id": messages.send_to_group(
            db, la=la, group_key="all", author=la_user, subject="To all schools", body="Hello", confirm=True
        ),  # fmt: skip
    }
