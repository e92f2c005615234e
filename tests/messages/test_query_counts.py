"""The messages pages read in a fixed number of statements, however many conversations or messages they show
(statements counted with ``set_trace_callback`` on the test's own SQLite file)."""

from __future__ import annotations

from models import messages
from tests.messages.factories import attached_file, thread_between


def _statements(db, read) -> int:
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        read()
    finally:
        db.conn.set_trace_callback(None)
    return len(seen)


def test_a_folder_and_a_conversation_cost_the_same_whatever_their_size(app, db, la, school, la_user, school_user):
    def folder() -> int:
        return _statements(db, lambda: messages.box(db, school["id"], school_user["id"], "inbox", q="e"))

    def conversation(thread_id: int) -> int:
        return _statements(db, lambda: messages.posts(db, thread_id, la["id"]))

    first = thread_between(db, la, school, la_user)
    small = (folder(), conversation(first))
    for n in range(30):
        thread_between(db, school, la, school_user, subject=f"Subject {n}")
        messages.reply(db, messages.get_thread(db, first, la["id"]), la["id"], la_user, f"Reply {n}")
        messages.mark_read(db, first, school["id"], school_user)
    for _ in range(3):  # attached files and their downloads are read with the posts, in one statement
        attachment = messages.get_attachment(db, first, attached_file(app, db, first, la_user, b"Notes", "n.txt"))
        messages.record_download(db, attachment, first, school_user)
    assert (folder(), conversation(first)) == small == (2, 3)
