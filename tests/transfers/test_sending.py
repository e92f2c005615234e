"""Sending CTFs: each checked by the CTF validator, routed by its header and file name, refused with a
message a school office can act on and nothing kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from models import organisations, transfers
from models.db import rows, scalar
from tests.conftest import audit_events
from tests.domain.validation.xml_files import pupil
from tests.transfers.factories import ctf, lost_pupil


def _send(client_request, *uploads, status=None):
    """POST the uploads to the send page; return the response (a redirect when every file went cleanly)."""
    data = {"files": list(uploads)}
    return client_request.client.post(client_request.url("transfers.send"), data=data,
                                      content_type="multipart/form-data")


def _nothing_kept(db, files_dir) -> bool:
    stored = [p for p in Path(files_dir).rglob("*") if p.is_file()]
    return scalar(db, "SELECT count(*) FROM transfers") == 0 and stored == []


def test_a_ctf_to_a_school_of_this_gatehouse_goes_to_its_inbox(app, db, client_request, sign_in, sender, receiver,
                                                               school, other_school):
    sign_in(sender)
    response = _send(client_request, ctf("8732001", "8732002"))
    assert response.status_code == 303 and response.location.endswith("/transfers/sent")
    (transfer,) = rows(db, "SELECT * FROM transfers")
    assert (transfer["route"], transfer["recipient_id"], transfer["sender_id"]) == ("school", other_school["id"],
                                                                                     school["id"])
    assert transfer["pupils"] == 1 and transfer["destination"] == "8732002"
    page = client_request.get("transfers.sent")
    assert "8732001_CTF_8732002_001.xml" in page.html and "Waiting" in page.texts("//td")[-1]
    assert audit_events(db, "transfer_sent")[0]["detail"]["route"] == "school"


def test_the_same_ctf_sent_twice_is_pointed_out(db, client_request, sign_in, sender, receiver, other_school):
    """Sending the exact file again to the same school goes through (it may be meant) but says so, with when the
    first went, until the first is revoked."""
    sign_in(sender)
    stream, name = ctf("8732001", "8732002")
    body = stream.getvalue()
    banner_path = "//div[contains(@class, 'govuk-notification-banner')]"
    assert _send(client_request, (io.BytesIO(body), name)).status_code == 303
    banner = " ".join(client_request.get("transfers.sent").texts(banner_path))
    assert f"Sent {name}" in banner and "already sent" not in banner
    assert _send(client_request, (io.BytesIO(body), name)).status_code == 303
    banner = " ".join(client_request.get("transfers.sent").texts(banner_path))
    assert f"You had already sent this exact file ({name}) to {other_school['name']} on" in banner
    first, second = (r["id"] for r in rows(db, "SELECT id FROM transfers ORDER BY id"))
    assert transfers.earlier_copy(db, second)["id"] == first and transfers.earlier_copy(db, first) is None
    changed = ctf("8732001", "8732002", [pupil(2)])
    assert _send(client_request, changed).status_code == 303
    assert transfers.earlier_copy(db, scalar(db, "SELECT max(id) FROM transfers")) is None  # other bytes


@pytest.mark.parametrize("dest,route,sent_to", [
    ("873LLLL", "la", "Cambridgeshire"), ("XXXXXXX", "lost_pupil", "Cambridgeshire: lost pupils store"),
    ("MMMMMMM", "left_sector", "Cambridgeshire: left the maintained sector"),
    ("8852001", "other_la", "885/2001"), ("885LLLL", "other_la", "885/LLLL")])
def test_other_destinations_go_to_the_las_inbox_and_stores(db, client_request, sign_in, sender, la, dest, route,
                                                           sent_to):
    sign_in(sender)
    pupils = [lost_pupil()] if route == "lost_pupil" else None
    response = _send(client_request, ctf("8732001", dest, pupils))
    assert response.status_code == 303, response.get_data(as_text=True)
    (transfer,) = rows(db, "SELECT * FROM transfers")
    assert (transfer["route"], transfer["recipient_id"], transfer["destination"]) == (route, la["id"], dest)
    # the sender's list says where it went in words, never the header's XXX/XXXX or MMM/MMMM
    assert client_request.get("transfers.sent").texts("//td")[1] == sent_to


def test_several_ctfs_at_once_each_on_its_own_merits(db, client_request, sign_in, sender, other_school, la):
    sign_in(sender)
    response = _send(client_request, ctf("8732001", "8732002"), ctf("8732001", "873LLLL"),
                     ctf("8732001", "8732002", [pupil(1, Surname="")], name="8732001_CTF_8732002_002.xml"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200  # two sent, one refused: the page says which
    assert page.count(">Sent</strong>") == 2 and page.count(">Not sent</strong>") == 1
    assert "This CTF has 1 error" in page and "1580" in page
    assert scalar(db, "SELECT count(*) FROM transfers") == 2


def test_errors_block_sending_and_nothing_is_kept(app, db, client_request, sign_in, sender, other_school):
    sign_in(sender)
    response = _send(client_request, ctf("8732001", "8732002", [pupil(1, Surname="")]))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This CTF has 1 error" in page and "Errors and queries in 8732001_CTF_8732002_001.xml" in page
    assert _nothing_kept(db, Path(app.config["FILES_DIR"]) / "transfers")
    assert audit_events(db, "transfer_refused")[0]["detail"]["errors"] == 1


def test_queries_are_shown_and_the_file_is_sent(db, client_request, sign_in, sender, other_school):
    sign_in(sender)
    twins = [pupil(1, Surname="Twin", Forename="Alex"), pupil(2, Surname="Twin", Forename="Alex")]
    response = _send(client_request, ctf("8732001", "8732002", twins))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and ">Sent</strong>" in page and "1620Q" in page
    assert "sent with 2 queries" in page
    assert scalar(db, "SELECT queries FROM transfers") == 2


def test_header_and_file_name_must_agree(app, db, client_request, sign_in, sender, other_school):
    sign_in(sender)
    response = _send(client_request, ctf("8732001", "8732002", name="8732001_CTF_8732003_001.xml"))
    assert response.status_code == 400
    assert "ctf-file-destination" in response.get_data(as_text=True)
    assert _nothing_kept(db, Path(app.config["FILES_DIR"]) / "transfers")


def test_a_second_pupil_in_a_lost_pupil_file_is_refused(app, db, client_request, sign_in, sender, la):
    sign_in(sender)
    response = _send(client_request, ctf("8732001", "XXXXXXX", [lost_pupil(1), lost_pupil(2, Surname="Other")]))
    assert response.status_code == 400
    assert "ctf-lost-pupil" in response.get_data(as_text=True)
    assert _nothing_kept(db, Path(app.config["FILES_DIR"]) / "transfers")
    assert scalar(db, "SELECT count(*) FROM transfer_pupils") == 0


def test_a_ctf_from_another_school_is_refused(db, client_request, sign_in, sender, other_school):
    sign_in(sender)
    response = _send(client_request, ctf("8732002", "8732001"))
    assert response.status_code == 400 and "header-school" in response.get_data(as_text=True)


def test_an_unknown_school_is_refused(db, client_request, sign_in, sender):
    sign_in(sender)
    response = _send(client_request, ctf("8732001", "8739999"))
    assert response.status_code == 400
    assert "addressed to 873/9999, and there is no school with that DfE number" in response.get_data(as_text=True)
    assert scalar(db, "SELECT count(*) FROM transfers") == 0


def test_a_closed_school_is_refused_naming_its_successor(db, client_request, sign_in, sender):
    organisations.create_school(db, la_code="873", estab="3001", name="Old Mill Primary School", status="closed",
                                postcode="CB1 1AA", closed_on="2026-08-31")
    organisations.create_school(db, la_code="873", estab="2100", name="Old Mill Academy", postcode="cb1 1aa",
                                opened_on="2026-09-01", is_academy=1)
    sign_in(sender)
    response = _send(client_request, ctf("8732001", "8733001"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "addressed to Old Mill Primary School (873/3001), which is closed." in page
    assert "Old Mill Academy (873/2100) took its place" in page


def test_a_closed_school_without_a_known_successor(db, client_request, sign_in, sender):
    organisations.create_school(db, la_code="873", estab="3002", name="Gone School", status="closed")
    sign_in(sender)
    page = _send(client_request, ctf("8732001", "8733002")).get_data(as_text=True)
    assert "Gone School (873/3002), which is closed. Check where the pupil is going" in page


def test_a_ctf_to_yourself_is_refused(db, client_request, sign_in, sender):
    sign_in(sender)
    page = _send(client_request, ctf("8732001", "8732001")).get_data(as_text=True)
    assert "which is you" in page


def test_the_la_sends_as_the_la(db, client_request, sign_in, la_user, other_school, school):
    sign_in(la_user)
    assert _send(client_request, ctf("873LLLL", "8732002")).status_code == 303
    assert scalar(db, "SELECT recipient_id FROM transfers") == other_school["id"]
    page = _send(client_request, ctf("8732001", "8732002")).get_data(as_text=True)
    assert "source is 873/2001, not your LA (873/LLLL)" in page


HOSTILE = {
    "an external entity": b'<?xml version="1.0"?><!DOCTYPE CTfile [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                          b"<CTfile>&x;</CTfile>",
    "a billion laughs": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><CTfile>&b;'
                        b"</CTfile>",
    "not XML": b"PK\x03\x04 this is a zip",
    "gzip": b"\x1f\x8b\x08\x00 compressed",
    "a census return": b'<?xml version="1.0"?><Message><Header/></Message>',
    "an empty file": b"",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_and_wrong_files_are_refused_with_nothing_kept(app, db, client_request, sign_in, sender,
                                                               other_school, kind):
    sign_in(sender)
    response = _send(client_request, (io.BytesIO(HOSTILE[kind]), "8732001_CTF_8732002_001.xml"))
    assert response.status_code == 400
    assert ">Not sent</strong>" in response.get_data(as_text=True)
    assert _nothing_kept(db, Path(app.config["FILES_DIR"]) / "transfers")
    assert list((Path(app.config["FILES_DIR"]) / "tmp").iterdir()) == []


@pytest.mark.parametrize("name,message", [
    ("../../etc/8732001_CTF_8732002_001.xml", "includes a folder"),
    ("..\\8732001_CTF_8732002_001.xml", "includes a folder"),
    ("8732001_CTF_8732002_001\u202eLMX.exe", "hidden or control characters"),
    ("8732001_CTF\u200b_8732002_001.xml", "hidden or control characters"),
    ("8732001\x00.xml", "hidden or control characters"),
    ("...", "only dots and spaces"),
    ("a" * 300 + ".xml", "Shorten it to 255 characters"),
])
def test_file_names_with_tricks_are_refused(app, db, client_request, sign_in, sender, other_school, name, message):
    sign_in(sender)
    stream, _ = ctf("8732001", "8732002")
    response = _send(client_request, (stream, name))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _nothing_kept(db, Path(app.config["FILES_DIR"]) / "transfers")
    assert audit_events(db, "transfer_refused")


def test_sending_needs_a_file(client_request, sign_in, sender):
    sign_in(sender)
    page = client_request.post("transfers.send", _data={}, _expected_status=400)
    assert "Select the CTF files to send" in page.html


def test_the_send_page_shows_the_lost_pupil_wait(client_request, sign_in, sender, app):
    app.config["LOST_PUPIL_WAIT_SCHOOL_DAYS"] = 15
    sign_in(sender)
    assert "gone 15 school days with no known destination" in client_request.get("transfers.send").html


def test_users_without_the_service_cannot_send(client_request, sign_in, make_user, school):
    sign_in(make_user(school, email="noservice@fenland.example.sch.uk"))
    client_request.get("transfers.send", _expected_status=403)
    assert transfers.STORES
