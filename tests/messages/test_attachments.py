"""Files attached to secure messages: stored encrypted, downloaded whole by the two organisations only (each download
logged on the conversation), refused with nothing kept when bad, shared by a group send, deleted by retention."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from werkzeug.test import EnvironBuilder

from background.message_files import SealedUpload
from background.validation_pool.sweep import sweep
from models import messages, organisations
from models.db import one, rows, scalar
from tests.conftest import audit_events
from tests.messages.factories import attached_file, thread_between
from tests.messages.test_jobs import MONDAY, at, run

PDF = b"%PDF-1.4 Child protection chronology for Alex Smith, born 2015-03-02\n" * 200
SHEET = b"UPN,Surname\nA123456789012,Smith\n"


def _files(*pairs: tuple[bytes, str]) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(data), name) for data, name in pairs]


def _stored_files(app) -> list[Path]:
    root = Path(app.config["FILES_DIR"]) / "transfers"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _temp_files(app) -> list[Path]:
    root = Path(app.config["FILES_DIR"]) / "tmp"
    return list(root.iterdir()) if root.exists() else []


def _compose(client, recipient_id: int, files, status: int = 302, **fields):
    data = {"recipient": recipient_id, "subject": "Chronology", "body": "Attached, as agreed.", **fields,
            "attachments": files}  # fmt: skip
    return client.post_response("messages.compose", _data=data, _expected_status=status)


def _downloads(page) -> list[str]:
    return page.texts("//span[contains(@class, 'gatehouse-downloads')]")


def test_a_school_attaches_files_the_la_downloads_them_and_the_school_sees_who_did(
    app, db, la, school, la_user, school_user, signed_in, monkeypatch
):
    sealed = []  # the files were encrypted as they arrived: no plaintext copy was written on the way
    keep = SealedUpload.keep
    monkeypatch.setattr(SealedUpload, "keep", lambda self: sealed.append(self.temp.name) or keep(self))
    sam, lee = signed_in(school_user), signed_in(la_user)
    files = _files((PDF, "Chronology.pdf"), (SHEET, "Pupils – list.csv"))
    location = _compose(sam, la["id"], files).headers["Location"]
    thread_id = int(location.rsplit("/", 1)[1])

    # On disk: two encrypted files, neither holding the plaintext; nothing plain left in the temporary folder.
    stored = _stored_files(app)
    assert len(stored) == 2 and len(sealed) == 2 and _temp_files(app) == []
    for path in stored:
        on_disk = path.read_bytes()
        assert b"Alex Smith" not in on_disk and b"A123456789012" not in on_disk
    event = audit_events(db, "message_thread_started")[-1]
    assert event["detail"]["attachments"] == [{"name": "Chronology.pdf", "size": len(PDF)},
                                              {"name": "Pupils – list.csv", "size": len(SHEET)}]  # fmt: skip

    page = lee.get("messages.thread", thread_id=thread_id)
    assert page.texts("//div[@id='attachments-hint']")[0].startswith("Up to 100 MB in all. You can choose several")
    links = page.xpath("//ul[contains(@class, 'gatehouse-attachments')]//a")
    assert [a.text for a in links] == ["Chronology.pdf", "Pupils – list.csv"]
    assert _downloads(page) == ["Not downloaded yet.", "Not downloaded yet."]
    response = lee.client.get(links[0].get("href"))
    assert response.status_code == 200 and response.get_data() == PDF
    assert response.headers["Content-Disposition"] == 'attachment; filename="Chronology.pdf"'
    assert response.headers["Content-Type"] == "application/octet-stream"
    second = lee.client.get(links[1].get("href"))
    assert second.get_data() == SHEET
    assert "filename*=UTF-8''Pupils%20%E2%80%93%20list.csv" in second.headers["Content-Disposition"]

    page = sam.get("messages.thread", thread_id=thread_id)
    [first, _] = _downloads(page)
    assert first.startswith("Downloaded by Lee Anders, Cambridgeshire (")
    downloaded = audit_events(db, "message_attachment_downloaded")
    assert [e["detail"]["file"] for e in downloaded] == ["Chronology.pdf", "Pupils – list.csv"]
    assert {e["target"] for e in downloaded} == {f"thread:{thread_id}"}


def test_a_reply_carries_attachments_and_other_organisations_cannot_download_them(
    app, db, la, school, other_user, la_user, school_user, signed_in
):
    thread_id = thread_between(db, la, school, la_user)
    sam = signed_in(school_user)
    sam.post_response("messages.reply", thread_id=thread_id, _data={"body": "Here it is", "attachments": _files(
        (SHEET, "ctf-notes.csv"))})  # fmt: skip
    [attachment] = rows(db, "SELECT * FROM message_attachments")
    assert attachment["uploaded_by"] == school_user["id"] and attachment["size"] == len(SHEET)
    assert audit_events(db, "message_replied")[-1]["detail"]["attachments"] == [{"name": "ctf-notes.csv",
                                                                                  "size": len(SHEET)}]  # fmt: skip
    olu = signed_in(other_user)
    olu.get_response("messages.attachment", thread_id=thread_id, attachment_id=attachment["id"], _expected_status=404)
    # Nor through a conversation of its own: the attachment must belong to the conversation asked for.
    own = thread_between(db, organisations.get(db, other_user["organisation_id"]), la, other_user)
    olu.get_response("messages.attachment", thread_id=own, attachment_id=attachment["id"], _expected_status=404)
    assert scalar(db, "SELECT count(*) FROM message_attachment_downloads") == 0


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("setup.exe", b"MZ\x90\x00", "setup.exe is a .exe file, and programs and scripts cannot be sent"),
        ("Minutes.PDF.js ", b"alert(1)", "Minutes.PDF.js is a .js file"),
        ("letter.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "letter.pdf is a Windows program, whatever its name says"),
        ("../../etc/passwd", b"root:x:0:0", "includes a folder"),
        ("report\u202efdp.exe", b"MZ", "contains hidden or control characters"),
        ("empty.pdf", b"", "empty.pdf is empty (0 bytes). Check you chose the right file."),
    ],
)
def test_a_bad_attachment_refuses_the_message_and_keeps_nothing(app, db, la, school_user, signed_in, name, data, says):
    sam = signed_in(school_user)
    # A good file first: it is stored, then removed again when the bad one is refused.
    response = _compose(sam, la["id"], _files((PDF, "Chronology.pdf"), (data, name)), status=400)
    page = response.get_data(as_text=True)
    assert says in page
    assert scalar(db, "SELECT count(*) FROM message_threads") == 0
    assert scalar(db, "SELECT count(*) FROM message_attachments") == 0
    assert _stored_files(app) == [] and _temp_files(app) == []
    assert audit_events(db, "message_attachment_refused")


def test_attachments_over_the_limit_in_all_are_refused_and_nothing_kept(app, db, la, school_user, signed_in):
    app.config["TRANSFER_MAX_MB"] = 1
    sam = signed_in(school_user)
    half = b"x" * (600 * 1024)
    data = {"recipient": la["id"], "subject": "Big", "body": "Two files", "attachments": _files(
        (half, "one.pdf"), (half, "two.pdf"))}  # fmt: skip
    # Built by hand so the test can close the request body, which the test client spools to a temporary file.
    environ = EnvironBuilder(path=sam.url("messages.compose"), method="POST", data=data).get_environ()
    try:
        response = sam.client.open(environ)
    finally:
        environ["wsgi.input"].close()
    assert response.status_code == 400
    assert "two.pdf is too large: the files attached to one message can be up to 1 MB in all." in response.get_data(
        as_text=True)  # fmt: skip
    assert scalar(db, "SELECT count(*) FROM message_threads") == 0
    assert _stored_files(app) == [] and _temp_files(app) == []


class _Unread(io.BytesIO):
    """A request body that fails the test if anything reads it."""

    def read(self, size: int | None = -1) -> bytes:
        raise AssertionError("the body was read")

    readline = read1 = read


def test_a_declared_size_too_big_is_answered_before_the_body_is_read(app, db, la, school_user, signed_in):
    sam = signed_in(school_user)
    limit = app.config["TRANSFER_MAX_MB"] * 1024 * 1024
    response = sam.client.post(sam.url("messages.compose"), input_stream=_Unread(),
                               content_type="multipart/form-data; boundary=x",
                               environ_overrides={"CONTENT_LENGTH": str(limit * 2)})  # fmt: skip
    assert response.status_code == 413, response.get_data(as_text=True)[-3000:]
    assert "can be up to 100 MB in all. Nothing was sent" in response.get_data(as_text=True)
    assert scalar(db, "SELECT count(*) FROM message_threads") == 0


def test_a_tampered_attachment_is_refused_with_a_page_saying_so(app, db, la, school, la_user, school_user, signed_in):
    thread_id = thread_between(db, school, la, school_user)
    attachment_id = attached_file(app, db, thread_id, school_user, b"Plain text of the file", "note.txt")
    [path] = _stored_files(app)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    lee = signed_in(la_user)
    response = lee.get_response("messages.attachment", thread_id=thread_id, attachment_id=attachment_id,
                                _expected_status=500)  # fmt: skip
    page = response.get_data(as_text=True)
    assert "This file cannot be downloaded" in page and "Nothing was downloaded." in page
    assert "Content-Disposition" not in response.headers
    assert scalar(db, "SELECT count(*) FROM message_attachment_downloads") == 0
    assert audit_events(db, "message_attachment_download_refused")


def test_a_group_send_stores_each_file_once_and_every_school_downloads_its_own(
    app, db, la, school, other_school, la_user, school_user, other_user, signed_in
):
    lee = signed_in(la_user)
    lee.post_response("messages.bulk", _data={"group": "all", "subject": "Admissions guidance", "body": "Please read",
                                              "attachments": _files((PDF, "Guidance.pdf"))})  # fmt: skip
    assert len(_stored_files(app)) == 1
    files = rows(db, "SELECT a.id, a.stored_name, t.id AS thread_id, t.recipient_org_id FROM message_attachments a"
                     " JOIN message_posts m ON m.id = a.post_id JOIN message_threads t ON t.id = m.thread_id"
                     " ORDER BY t.recipient_org_id")  # fmt: skip
    assert {f["recipient_org_id"] for f in files} == {school["id"], other_school["id"]}
    assert len({f["stored_name"] for f in files}) == 1
    for user, file in zip((school_user, other_user), files, strict=True):
        person = signed_in(user)
        response = person.get_response("messages.attachment", thread_id=file["thread_id"], attachment_id=file["id"])
        assert response.get_data() == PDF
    sam = signed_in(school_user)
    other = files[1]  # the other school's conversation
    sam.get_response("messages.attachment", thread_id=other["thread_id"], attachment_id=other["id"],
                     _expected_status=404)  # fmt: skip
    page = lee.get("messages.thread", thread_id=files[0]["thread_id"])
    assert _downloads(page)[0].startswith("Downloaded by Sam Office, Fenland")


def test_retention_deletes_the_keys_and_then_the_bytes_once_no_conversation_holds_them(
    app, db, la, school, other_school, la_user, school_user
):
    at(MONDAY, 9)
    single = thread_between(db, school, la, school_user)
    attached_file(app, db, single, school_user, b"Only here", "one.txt")
    bulk = attached_file(app, db, None, la_user, b"For every school", "all.txt", la=la)
    kept = scalar(db, "SELECT id FROM message_threads WHERE bulk_id = ? AND recipient_org_id = ?",
                  (bulk, school["id"]))  # fmt: skip
    at(MONDAY + dt.timedelta(days=400), 9)
    messages.reply(db, messages.get_thread(db, kept, school["id"]), school["id"], school_user, "Still here")
    assert len(_stored_files(app)) == 2

    result = run(app, "message-retention", at(MONDAY + dt.timedelta(days=731), 3))
    assert "'expired': 2" in result.summary and "'attachments': 2" in result.summary
    assert len(_stored_files(app)) == 1  # the single one's bytes are gone; the group file is still held for `kept`
    gone = one(db, "SELECT * FROM message_attachments WHERE original_name = 'one.txt'")
    assert gone["stored_name"] is None and gone["wrapped_key"] is None and gone["expired_at"]
    assert scalar(db, "SELECT count(*) FROM message_attachments WHERE wrapped_key IS NOT NULL") == 1
    event = next(e for e in audit_events(db, "message_thread_expired") if e["target"] == f"thread:{single}")
    assert event["detail"] == {"posts": 2, "attachments": 1}  # its first message and the reply carrying the file

    run(app, "message-retention", at(MONDAY + dt.timedelta(days=400 + 731), 3))
    assert _stored_files(app) == []
    assert scalar(db, "SELECT count(*) FROM message_attachments WHERE wrapped_key IS NOT NULL") == 0
    assert scalar(db, "SELECT count(*) FROM message_attachments") == 3  # the records stay, marked expired


def test_an_expired_attachment_is_listed_without_a_link(app, db, la, school, la_user, school_user, signed_in):
    at(MONDAY, 9)
    thread_id = thread_between(db, school, la, school_user)
    attachment_id = attached_file(app, db, thread_id, school_user, b"Old", "old.txt")
    run(app, "message-retention", at(MONDAY + dt.timedelta(days=731), 3))
    at(MONDAY + dt.timedelta(days=731), 12)
    lee = signed_in(la_user)
    page = lee.get("messages.thread", thread_id=thread_id)
    [item] = page.texts("//ul[contains(@class, 'gatehouse-attachments')]/li")
    assert item.startswith("old.txt (3 Bytes): deleted under the retention policy")
    lee.get_response("messages.attachment", thread_id=thread_id, attachment_id=attachment_id, _expected_status=404)


def test_the_start_up_sweep_keeps_attached_files_and_removes_orphans(app, db, la, school, school_user):
    thread_id = thread_between(db, school, la, school_user)
    attached_file(app, db, thread_id, school_user, b"Kept", "kept.txt")
    [kept] = _stored_files(app)
    orphan = kept.parent / ("0" * 30)  # a file stored just before a server died, never recorded
    orphan.write_bytes(b"left behind")
    report = sweep(app.config["DATABASE"], app.config["FILES_DIR"])
    assert report.orphans_removed == 1
    assert _stored_files(app) == [kept]


def test_a_message_refused_for_another_reason_keeps_none_of_its_files(app, db, la, school, school_user, signed_in):
    sam = signed_in(school_user)
    # The form is incomplete: the files were encrypted as they arrived, and are thrown away with the request.
    page = _compose(sam, la["id"], _files((PDF, "Chronology.pdf")), status=400, subject="").get_data(as_text=True)
    assert "Enter a subject" in page
    assert _stored_files(app) == [] and _temp_files(app) == []
    # The school closed while the message was being written: the stored files are removed again.
    closed = organisations.create_school(db, la_code="873", estab="4009", name="Closed School", status="closed")
    page = _compose(sam, closed["id"], _files((PDF, "Chronology.pdf")), status=400).get_data(as_text=True)
    assert "Closed School is closed: it cannot receive messages" in page
    assert scalar(db, "SELECT count(*) FROM message_attachments") == 0
    assert _stored_files(app) == [] and _temp_files(app) == []


def test_a_download_that_meets_the_retention_deletion_is_refused_and_not_recorded(app, db, la, school, la_user,
                                                                                   school_user):
    # The download loaded the attachment (still held) just before retention deleted it: recording the download must
    # see that and refuse, so a file deleted under the retention policy is never handed out afterwards.
    at(MONDAY, 9)
    thread_id = thread_between(db, school, la, school_user)
    attachment_id = attached_file(app, db, thread_id, school_user, b"Old", "old.txt")
    as_loaded = messages.get_attachment(db, thread_id, attachment_id)
    run(app, "message-retention", at(MONDAY + dt.timedelta(days=731), 3))
    with pytest.raises(messages.MessageRefused, match="deleted under the retention policy"):
        messages.record_download(db, as_loaded, thread_id, la_user)
    assert scalar(db, "SELECT count(*) FROM message_attachment_downloads") == 0
    assert audit_events(db, "message_attachment_downloaded") == []
