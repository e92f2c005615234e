"""Other files: any type but programs and scripts, several at once, up to TRANSFER_MAX_MB (refused before the body
is read when the browser gives its size), encrypted like CTFs, kept TRANSFER_FILE_DAYS."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from background.transfer_store import sending
from domain import clock
from models.db import rows, scalar
from tests.conftest import audit_events, outbox


def _send(client_request, recipient_id, *uploads, headers=None):
    """POST the uploads to the other-files form, the multipart body built in memory (the test client would spool a
    large one to a temporary file it never closes)."""
    boundary = "gatehouse-test-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="recipient"\r\n\r\n{recipient_id}\r\n'.encode()]
    for stream, name in uploads:
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{quoted}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + stream.read() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return client_request.client.post(client_request.url("transfers.send_file"),
                                      input_stream=io.BytesIO(b"".join(parts)),
                                      content_type=f"multipart/form-data; boundary={boundary}", headers=headers)


def _nothing_kept(app, db) -> bool:
    files = Path(app.config["FILES_DIR"])
    return scalar(db, "SELECT count(*) FROM transfers") == 0 and not [
        p for p in files.rglob("*") if p.is_file() and "transfers" in p.parts or p.parent.name == "tmp"]


def test_several_files_at_once_to_another_school(app, db, client_request, sign_in, sender, receiver, other_school):
    sign_in(sender)
    pdf, sheet = b"%PDF-1.7 a letter about a pupil", b"name,year\nA,7\n" * 1000
    response = _send(client_request, other_school["id"], (io.BytesIO(pdf), "Letter to parents.pdf"),
                     (io.BytesIO(sheet), "Class list é.csv"))
    assert response.status_code == 303, response.get_data(as_text=True)
    found = rows(db, "SELECT * FROM transfers ORDER BY id")
    assert [(t["kind"], t["route"], t["recipient_id"], t["original_name"]) for t in found] == [
        ("file", "school", other_school["id"], "Letter to parents.pdf"),
        ("file", "school", other_school["id"], "Class list é.csv")]
    assert clock.parse(found[0]["expires_at"]) - clock.parse(found[0]["sent_at"]) == dt.timedelta(days=30)
    for transfer in found:
        on_disk = (Path(app.config["FILES_DIR"]) / transfer["stored_name"]).read_bytes()
        assert pdf not in on_disk and b"name,year" not in on_disk
    assert len([m for m in outbox(db) if "file is waiting" in m["subject"]]) == 2
    sign_in(receiver, client=(other := app.test_client()))
    response = client_request.using(other).get_response("transfers.download", transfer_id=found[1]["id"])
    assert response.get_data() == sheet
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Class list e.csv\"; filename*=UTF-8''Class%20list%20%C3%A9.csv")


@pytest.mark.parametrize("name,header", [
    ("run%2Ebat", "attachment; filename=\"run_2Ebat\"; filename*=UTF-8''run%252Ebat"),
    ("=?utf-8?Q?run=2Ebat?=",
     "attachment; filename=\"=_utf-8_Q_run=2Ebat_=\"; filename*=UTF-8''%3D%3Futf-8%3FQ%3Frun%3D2Ebat%3F%3D"),
])  # fmt: skip
def test_a_name_the_browser_would_decode_is_saved_as_it_was_sent(app, db, client_request, sign_in, sender, receiver,
                                                                 other_school, name, header):
    # Chromium decodes percent escapes and RFC 2047 words in a plain filename="..." (it saves both names above as
    # run.bat), which would turn a name that passed the block list into a script's; filename* (which browsers
    # prefer, and do not decode so) carries the name exactly.
    sign_in(sender)
    response = _send(client_request, other_school["id"], (io.BytesIO(b"@echo off"), name))
    assert response.status_code == 303, response.get_data(as_text=True)
    sign_in(receiver, client=(other := app.test_client()))
    transfer_id = scalar(db, "SELECT id FROM transfers")
    response = client_request.using(other).get_response("transfers.download", transfer_id=transfer_id)
    assert response.headers["Content-Disposition"] == header


def test_a_file_to_the_la(db, client_request, sign_in, sender, la):
    sign_in(sender)
    assert _send(client_request, la["id"], (io.BytesIO(b"hello"), "note.txt")).status_code == 303
    assert scalar(db, "SELECT route FROM transfers") == "la"


@pytest.mark.parametrize("name,content,message", [
    ("setup.exe", b"anything", "is a .exe file"),
    ("report.pdf.exe", b"%PDF", "is a .exe file"),
    ("script.PS1", b"Write-Host", "is a .ps1 file"),
    ("run.bat.", b"@echo off", "is a .bat file"),  # Windows drops trailing dots and spaces when it saves a file
    ("run.vbs . .", b"MsgBox 1", "is a .vbs file"),
    ("report.pdf", b"MZ\x90\x00 a program in disguise", "is a Windows program, whatever its name says"),
    ("notes.txt", b"#!/bin/sh\nrm -rf /", "is a script, whatever its name says"),
    ("../../etc/passwd", b"root:x:0:0", "includes a folder"),
    ("invoice\u202efdp.exe", b"%PDF", "hidden or control characters"),
])
def test_programs_scripts_and_tricky_names_are_refused_with_nothing_kept(app, db, client_request, sign_in, sender,
                                                                         other_school, name, content, message):
    sign_in(sender)
    response = _send(client_request, other_school["id"], (io.BytesIO(content), name))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _nothing_kept(app, db)
    assert audit_events(db, "transfer_refused")[0]["detail"]["file"]


def test_the_block_list_is_a_setting(app, db, client_request, sign_in, sender, other_school):
    app.config["TRANSFER_BLOCKED_EXTENSIONS"] = "txt"
    sign_in(sender)
    assert _send(client_request, other_school["id"], (io.BytesIO(b"x"), "a.txt")).status_code == 400
    assert _send(client_request, other_school["id"], (io.BytesIO(b"x"), "a.exe")).status_code == 303


class _MustNotBeRead(io.BytesIO):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = readinto = read1 = read


def test_an_upload_over_the_limit_is_refused_before_its_body_is_read(app, db, client, sign_in, sender, other_school):
    app.config["TRANSFER_MAX_MB"] = 1
    sign_in(sender)
    response = client.post("/transfers/send-file", input_stream=_MustNotBeRead(),
                           content_type="multipart/form-data; boundary=xyz",
                           environ_overrides={"CONTENT_LENGTH": str(2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)
    assert scalar(db, "SELECT count(*) FROM transfers") == 0


def test_a_file_over_the_limit_without_a_size_given_is_refused_with_nothing_kept(app, db, school, sender,
                                                                                  other_school):
    config = {**app.config, "TRANSFER_MAX_MB": 1}
    outcome = sending.send_file(config, db, sender=school, user=sender, recipient=other_school,
                                stream=io.BytesIO(b"x" * (1024 * 1024 + 1)), raw_name="big.csv")
    assert not outcome.sent and "larger than 1 MB" in outcome.reason
    assert _nothing_kept(app, db)


def test_only_the_las_schools_and_the_la_are_offered(db, client_request, sign_in, sender, la, school, other_school):
    from models import organisations

    elsewhere = organisations.create_school(db, la_code="885", estab="2001", name="Kent School")
    sign_in(sender)
    page = client_request.get("transfers.send_file")
    options = page.texts("//select[@name='recipient']/option")
    assert options == ["Choose who to send to", "Cambridgeshire", "Ouse Valley Academy (873/2002)"]
    response = _send(client_request, elsewhere["id"], (io.BytesIO(b"x"), "a.txt"))
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    assert scalar(db, "SELECT count(*) FROM transfers") == 0


def test_an_upload_is_encrypted_as_it_arrives_and_never_written_plain(app, db, client_request, sign_in, sender,
                                                                      other_school, tmp_path, monkeypatch):
    """Werkzeug would spool a file over 500 KB to the system's temporary folder; Transfers' uploads are written
    encrypted straight into FILES_DIR/tmp and renamed into the store, and nothing is left behind."""
    import tempfile

    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    content = b"PUPIL-NAME-Ada-Lovelace," * 100_000  # 2.4 MB
    sign_in(sender)
    assert _send(client_request, other_school["id"], (io.BytesIO(content), "list.csv")).status_code == 303
    assert list(system_tmp.iterdir()) == []
    assert list((Path(app.config["FILES_DIR"]) / "tmp").iterdir()) == []
    stored = Path(app.config["FILES_DIR"]) / scalar(db, "SELECT stored_name FROM transfers")
    assert b"Ada-Lovelace" not in stored.read_bytes()
    assert scalar(db, "SELECT size FROM transfers") == len(content)
    # A refused file was encrypted on arrival too, and is gone once the request ends.
    assert _send(client_request, other_school["id"], (io.BytesIO(b"MZ" + content), "list.csv")).status_code == 400
    assert list((Path(app.config["FILES_DIR"]) / "tmp").iterdir()) == [] and list(system_tmp.iterdir()) == []


def test_the_progress_script_is_told_where_to_go_and_the_sent_message_waits_for_that_page(
        db, client_request, sign_in, sender, other_school):
    sign_in(sender)
    response = _send(client_request, other_school["id"], (io.BytesIO(b"%PDF-1.7 minutes"), "Minutes.pdf"),
                     headers={"X-Gatehouse-Upload": "progress"})
    assert response.status_code == 204 and "Location" not in response.headers
    assert response.headers["X-Gatehouse-Redirect"] == client_request.url("transfers.sent")
    page = client_request.get("transfers.sent")
    assert "Sent Minutes.pdf to Ouse Valley Academy." in page.texts("//*[contains(@class, 'banner--success')]")[0]


def test_a_refused_upload_from_the_progress_script_gets_the_page_saying_why(
        db, client_request, sign_in, sender, other_school):
    sign_in(sender)
    response = _send(client_request, other_school["id"], (io.BytesIO(b"MZ\x90\x00program"), "setup.exe"),
                     headers={"X-Gatehouse-Upload": "progress"})
    assert response.status_code == 400 and "X-Gatehouse-Redirect" not in response.headers
    assert "Not sent" in response.get_data(as_text=True)


RAW = "application/octet-stream"


def _send_raw(client_request, recipient_id, body: bytes, name: str, **headers):
    """POST one file as the whole request body, as the progress script does for a single file."""
    return client_request.client.post(
        client_request.url("transfers.send_file"), input_stream=io.BytesIO(body), content_type=RAW,
        headers={"X-Gatehouse-Upload": "progress", "X-Gatehouse-Recipient": str(recipient_id),
                 "X-Gatehouse-File-Name": name, "Content-Length": str(len(body)), **headers},
    )  # fmt: skip


def test_one_file_sent_as_the_request_body_is_encrypted_and_arrives(app, db, client_request, sign_in, sender,
                                                                     receiver, other_school):
    sign_in(sender)
    body = b"name,year\nA,7\n" * 50_000
    response = _send_raw(client_request, other_school["id"], body, "Class%20list%20%C3%A9.csv")
    assert response.status_code == 204 and response.headers["X-Gatehouse-Redirect"] == "/transfers/sent"
    (transfer,) = rows(db, "SELECT * FROM transfers")
    assert (transfer["original_name"], transfer["size"], transfer["recipient_id"]) == (
        "Class list é.csv", len(body), other_school["id"])
    assert b"name,year" not in (Path(app.config["FILES_DIR"]) / transfer["stored_name"]).read_bytes()
    sign_in(receiver, client=(other := app.test_client()))
    assert client_request.using(other).get_response("transfers.download", transfer_id=transfer["id"]).get_data() == body


@pytest.mark.parametrize("recipient", ["", "abc", "999999"])
def test_a_body_upload_without_a_recipient_we_know_is_refused_and_nothing_kept(app, db, client_request, sign_in,
                                                                                sender, recipient):
    sign_in(sender)
    response = _send_raw(client_request, recipient, b"%PDF-1.7 letter", "Letter.pdf")
    assert response.status_code == 400 and "Choose who to send the files to" in response.get_data(as_text=True)
    assert _nothing_kept(app, db)


def test_a_blocked_body_upload_is_refused_with_the_page_saying_why(app, db, client_request, sign_in, sender, la):
    sign_in(sender)
    response = _send_raw(client_request, la["id"], b"MZ\x90\x00" + b"\x00" * 100, "setup.exe")
    assert response.status_code == 400 and "programs and scripts cannot be sent" in response.get_data(as_text=True)
    assert _nothing_kept(app, db) and audit_events(db, "transfer_refused")


def test_an_oversize_body_upload_is_answered_before_it_is_read(app, db, client, sign_in, sender, la):
    app.config["TRANSFER_MAX_MB"] = 1
    sign_in(sender)
    response = client.post("/transfers/send-file", input_stream=_MustNotBeRead(), content_type=RAW,
                           headers={"X-Gatehouse-Recipient": str(la["id"]), "X-Gatehouse-File-Name": "Big.pdf"},
                           environ_overrides={"CONTENT_LENGTH": str(2 * 1024 * 1024)})  # fmt: skip
    assert response.status_code == 413 and "The file is too large" in response.get_data(as_text=True)
    assert _nothing_kept(app, db)


def test_a_body_upload_needs_the_csrf_token(app, db, client_request, sign_in, sender, la):
    app.config["WTF_CSRF_ENABLED"] = True
    sign_in(sender)
    response = _send_raw(client_request, la["id"], b"%PDF-1.7 letter", "Letter.pdf")
    assert response.status_code == 400 and _nothing_kept(app, db)
