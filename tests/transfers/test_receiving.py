"""Receiving: the inbox, the unread count in the navigation, "a file is waiting" emails, downloads recorded and
shown to the sender and the LA, marking as imported, and what a sender may still do."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import clock
from models import transfers
from models.db import rows, scalar
from tests.client_request import normalise_space
from tests.conftest import audit_events, link_in, outbox
from tests.transfers.factories import sent_ctf, transfers_user


def _nav_label(page) -> str:
    return normalise_space(page.xpath("//ul[@id='navigation']//a[contains(., 'Transfers')]")[0].text_content())


def test_the_inbox_shows_new_files_first_with_the_unread_count(app, db, client_request, sign_in, school, receiver):
    first = sent_ctf(app, db, school, "8732002")
    clock.advance(dt.timedelta(hours=1))
    second = sent_ctf(app, db, school, "8732002")
    sign_in(receiver)
    page = client_request.get("transfers.index")
    links = page.xpath("//table//a/@href")
    assert links == [client_request.url("transfers.detail", transfer_id=i) for i in (second, first)]
    assert _nav_label(page) == "Transfers 2 unread"
    assert page.texts("//table//strong[contains(@class, 'govuk-tag--red')]") == ["New", "New"]
    client_request.get_response("transfers.download", transfer_id=first)
    page = client_request.get("transfers.index")
    assert _nav_label(page) == "Transfers 1 unread"
    partial = client_request.get("transfers.unread", _headers={"HX-Request": "true"})
    span = partial.xpath("//span[@hx-get]")[0]
    assert span.get("hx-trigger") == "every 60s" and normalise_space(span.text_content()) == "1 unread"


def test_the_unread_count_is_each_organisations_own(app, db, client_request, sign_in, school, sender, receiver):
    sent_ctf(app, db, school, "8732002")
    sign_in(sender)
    assert _nav_label(client_request.get("main.home")) == "Transfers"


def test_recipients_with_the_service_are_emailed_with_a_link_and_no_pupil_data(app, db, client_request, sign_in,
                                                                              make_user, other_school, sender,
                                                                              receiver):
    make_user(other_school, email="noservice@ouse.example.sch.uk")  # no Transfers: not emailed
    sign_in(sender)
    from tests.transfers.factories import ctf

    stream, name = ctf("8732001", "8732002")
    client_request.client.post(client_request.url("transfers.send"), data={"files": [(stream, name)]},
                               content_type="multipart/form-data")
    mails = [m for m in outbox(db) if "file is waiting" in m["subject"]]
    assert [m["to_addr"] for m in mails] == ["office@ouse.example.sch.uk"]
    body = mails[0]["body"]
    assert "Fenland Primary School has sent a CTF to Ouse Valley Academy" in body
    for pupil_data in ("Smith", "F873400119001", "2014-11-15", "CB1 2AB"):
        assert pupil_data not in body
    transfer_id = scalar(db, "SELECT id FROM transfers")
    assert link_in(body, "/transfers/") == f"/transfers/{transfer_id}"


def test_every_download_is_recorded_and_shown_to_the_sender_and_the_la(app, db, client_request, sign_in, school,
                                                                       sender, receiver, la_user, client):
    transfer_id = sent_ctf(app, db, school, "8732002", user=sender)
    sign_in(receiver)
    for _ in range(2):
        assert client_request.get_response("transfers.download", transfer_id=transfer_id).status_code == 200
    downloads = rows(db, "SELECT * FROM transfer_downloads WHERE transfer_id = ?", (transfer_id,))
    who = (receiver["id"], receiver["organisation_id"])
    assert [(d["user_id"], d["organisation_id"]) for d in downloads] == [who, who]
    assert [e["detail"]["download"] for e in audit_events(db, "transfer_downloaded")] == [1, 2]
    for person in (sender, la_user):
        other = app.test_client()
        sign_in(person, client=other)
        page = client_request.using(other).get("transfers.detail", transfer_id=transfer_id)
        assert page.texts("//tbody/tr/td[2]")[-2:] == ["Ouse Office", "Ouse Office"]
        assert "Downloaded" in page.texts("//dd")[0]
    sign_in(sender, client=(other := app.test_client()))
    page = client_request.using(other).get("transfers.sent")
    assert "Downloaded" in page.texts("//tbody//td")[-1] and "2 times" in page.texts("//tbody//td")[-1]


def test_only_the_recipient_downloads(app, db, client_request, sign_in, school, other_school, sender):
    transfer_id = sent_ctf(app, db, school, "8732002", user=sender)
    sign_in(sender)
    client_request.get_response("transfers.download", transfer_id=transfer_id, _expected_status=404)
    page = client_request.get("transfers.detail", transfer_id=transfer_id)
    assert "Download" not in page.texts("//a[contains(@class, 'govuk-button')]")


def test_mark_as_imported_into_the_mis(app, db, client_request, sign_in, school, receiver):
    transfer_id = sent_ctf(app, db, school, "8732002")
    sign_in(receiver)
    client_request.post("transfers.imported", transfer_id=transfer_id, _data={}, _expected_status=303)
    page = client_request.get("transfers.detail", transfer_id=transfer_id)
    assert "Imported into the MIS" in page.texts("//dt") and "Ouse Office" in page.html
    client_request.post("transfers.imported", transfer_id=transfer_id, _data={}, _expected_status=303)
    assert len(audit_events(db, "transfer_imported")) == 1


def test_a_downloaded_file_cannot_be_revoked(app, db, client_request, sign_in, school, sender, receiver, client):
    transfer_id = sent_ctf(app, db, school, "8732002", user=sender)
    sign_in(receiver)
    client_request.get_response("transfers.download", transfer_id=transfer_id)
    sign_in(sender, client=(other := app.test_client()))
    page = client_request.using(other).get("transfers.detail", transfer_id=transfer_id)
    assert "Revoke" not in page.texts("//button")
    page = client_request.using(other).post("transfers.revoke", transfer_id=transfer_id, _data={},
                                            _follow_redirects=True)
    assert "can no longer be revoked" in page.html
    assert scalar(db, "SELECT revoked_at FROM transfers") is None


def test_only_the_sender_revokes_and_the_recipient_no_longer_sees_it(app, db, client_request, sign_in, school, sender,
                                                                    receiver):
    transfer_id = sent_ctf(app, db, school, "8732002", user=sender)
    sign_in(receiver)
    client_request.post("transfers.revoke", transfer_id=transfer_id, _data={}, _expected_status=404)
    sign_in(sender, client=(other := app.test_client()))
    client_request.using(other).post("transfers.revoke", transfer_id=transfer_id, _data={}, _expected_status=303)
    page = client_request.get("transfers.index")
    assert page.xpath("//table") == [] and _nav_label(page) == "Transfers"
    client_request.get_response("transfers.download", transfer_id=transfer_id, _expected_status=404)


def test_a_file_for_another_la_is_held_and_the_la_records_forwarding(app, db, client_request, sign_in, school, sender,
                                                                     la_user, make_user, la):
    transfer_id = sent_ctf(app, db, school, "8852001", user=sender)
    sign_in(la_user)
    page = client_request.get("transfers.other_las")
    assert page.texts("//tbody//td")[1:3] == ["Fenland Primary School", "885/2001"]
    client_request.post("transfers.forwarded", transfer_id=transfer_id, _data={}, _expected_status=303)
    sign_in(sender, client=(other := app.test_client()))
    page = client_request.using(other).get("transfers.detail", transfer_id=transfer_id)
    assert "Forwarded" in page.texts("//dd")[0]
    assert "Forwarded through S2S" in page.texts("//dt") and "LA Data" in page.html
    assert audit_events(db, "transfer_forwarded")[0]["actor_id"] == la_user["id"]
    transfers_user(make_user, la, db, email="second@cambs.example.gov.uk")


def test_the_la_inbox_and_leavers_list(app, db, client_request, sign_in, school, la_user):
    to_la = sent_ctf(app, db, school, "873LLLL")
    left = sent_ctf(app, db, school, "MMMMMMM")
    sign_in(la_user)
    page = client_request.get("transfers.index")
    assert page.xpath("//table//a/@href") == [client_request.url("transfers.detail", transfer_id=to_la)]
    assert _nav_label(page) == "Transfers 1 unread"
    page = client_request.get("transfers.left_sector")
    assert page.xpath("//table//a/@href") == [client_request.url("transfers.detail", transfer_id=left)]
    assert "Smith" in page.texts("//tbody//td")[-3]


def test_school_users_do_not_see_the_las_stores(client_request, sign_in, sender):
    sign_in(sender)
    for endpoint in ("transfers.lost_pupils", "transfers.left_sector", "transfers.other_las"):
        client_request.get(endpoint, _expected_status=403)


def test_a_download_that_meets_a_revocation_is_refused_and_not_recorded(app, db, school, sender, receiver):
    # The recipient's download loaded the transfer (still held) just before the sender's revocation committed:
    # recording the download must see the revocation and refuse, so a revoked file is never handed out.
    transfer_id = sent_ctf(app, db, school, "8732002", user=sender)
    as_loaded = transfers.get(db, transfer_id)
    transfers.revoke(db, as_loaded, sender)
    with pytest.raises(transfers.TransferError, match="revoked or has expired"):
        transfers.record_download(db, as_loaded, receiver)
    assert scalar(db, "SELECT count(*) FROM transfer_downloads") == 0
    assert audit_events(db, "transfer_downloaded") == []


def test_a_download_that_meets_the_expiry_is_refused(app, db, school, sender, receiver):
    transfer_id = sent_ctf(app, db, school, "8732002", user=sender)
    as_loaded = transfers.get(db, transfer_id)
    transfers.expire(db, as_loaded)
    with pytest.raises(transfers.TransferError, match="revoked or has expired"):
        transfers.record_download(db, as_loaded, receiver)
    assert scalar(db, "SELECT count(*) FROM transfer_downloads") == 0
