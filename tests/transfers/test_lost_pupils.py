"""The LA's lost pupils store: search by UPN, former UPN or surname and date of birth (exact after normalising),
every search audited, and "release to school" sending the record to the school's inbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from background.transfer_store import sending
from domain.transfers.pupil_search import name_key
from domain.validation.identifiers import upn_key
from models import organisations, transfers
from models.db import one, scalar
from tests.conftest import audit_events, outbox
from tests.transfers.factories import lost_pupil, sent_ctf, transfers_user


@pytest.fixture
def lost(app, db, school, la):
    """A lost pupil's CTF school 873/2001 sent: Niamh Ó'Brien-Smith, born 4 May 2014, with a former UPN."""
    return sent_ctf(app, db, school, "XXXXXXX", [lost_pupil(7, FormerUPN="J873200118001")])


def _found(page) -> list[str]:
    return page.xpath("//table//a/@href")


def test_names_are_compared_without_case_accents_or_spaces():
    assert name_key("Ó'Brien-Smith") == name_key("o brien smith") == name_key("O’BRIEN SMITH") == "obriensmith"
    assert upn_key(" a873 2001 19007 ") == "A873200119007"


def test_search_by_upn(db, client_request, sign_in, la_user, lost):
    sign_in(la_user)
    upn = one(db, "SELECT upn FROM transfer_pupils")["upn"]
    page = client_request.get("transfers.lost_pupils", upn=upn.lower())
    assert _found(page) == [client_request.url("transfers.detail", transfer_id=lost)]
    assert "1 file found" in page.html and "Niamh" in page.html
    (event,) = audit_events(db, "lost_pupil_search")
    assert event["detail"] == {"upn": upn.lower(), "found": 1} and event["actor_id"] == la_user["id"]


def test_search_by_former_upn(db, client_request, sign_in, la_user, lost):
    sign_in(la_user)
    page = client_request.get("transfers.lost_pupils", upn="j873 2001 18001")
    assert _found(page) == [client_request.url("transfers.detail", transfer_id=lost)]


@pytest.mark.parametrize("surname,found", [("o'brien smith", True), ("OBRIEN-SMITH", True), ("O Brien", False),
                                           ("Smith", False)])
def test_search_by_surname_and_date_of_birth_is_exact_after_normalising(db, client_request, sign_in, la_user, lost,
                                                                        surname, found):
    sign_in(la_user)
    page = client_request.get("transfers.lost_pupils", surname=surname, dob=["4", "5", "2014"])
    assert bool(_found(page)) is found
    page = client_request.get("transfers.lost_pupils", surname=surname, dob=["5", "5", "2014"])
    assert _found(page) == []
    assert len(audit_events(db, "lost_pupil_search")) == 2


def test_a_search_needs_a_upn_or_a_surname_with_a_date_of_birth(db, client_request, sign_in, la_user, lost):
    sign_in(la_user)
    page = client_request.get("transfers.lost_pupils", surname="Smith", _expected_status=400)
    assert "Enter a UPN, or a surname and a date of birth" in page.html
    page = client_request.get("transfers.lost_pupils", surname="Smith", dob=["31", "2", "2014"], _expected_status=400)
    assert "must be a real date" in page.html
    assert audit_events(db, "lost_pupil_search") == []


def test_the_store_lists_every_lost_pupil_without_a_search(db, client_request, sign_in, la_user, lost):
    sign_in(la_user)
    page = client_request.get("transfers.lost_pupils")
    assert _found(page) == [client_request.url("transfers.detail", transfer_id=lost)]
    assert audit_events(db, "lost_pupil_search") == []


def test_release_to_school_sends_the_record_to_its_inbox(app, db, client_request, sign_in, client, la_user, lost,
                                                         make_user):
    joining = organisations.create_school(db, la_code="873", estab="2003", name="Cam Valley School")
    office = transfers_user(make_user, joining, db, email="office@cam.example.sch.uk")
    sign_in(la_user)
    page = client_request.get("transfers.release", transfer_id=lost)
    assert "Cam Valley School (873/2003)" in page.texts("//option")
    client_request.post("transfers.release", transfer_id=lost, _data={"school": joining["id"]},
                        _expected_status=303)
    released = one(db, "SELECT * FROM transfers WHERE released_from = ?", (lost,))
    assert (released["recipient_id"], released["route"], released["sender_id"]) == (joining["id"], "school",
                                                                                   la_user["organisation_id"])
    assert released["stored_name"] != one(db, "SELECT stored_name FROM transfers WHERE id = ?", (lost,))["stored_name"]
    assert audit_events(db, "transfer_released")[0]["detail"]["released_from"] == lost
    page = client_request.get("transfers.detail", transfer_id=lost)
    assert "Released to a school" in page.texts("//dd")[0] and "To Cam Valley School" in page.html
    assert [m["to_addr"] for m in outbox(db) if "file is waiting" in m["subject"]] == ["office@cam.example.sch.uk"]
    # The school downloads exactly what the lost pupil's old school sent.
    original = client_request.get_response("transfers.download", transfer_id=lost, _expected_status=200).get_data()
    other = app.test_client()
    sign_in(office, client=other)
    got = client_request.using(other).get_response("transfers.download", transfer_id=released["id"]).get_data()
    assert got == original and b"XXXXXXX"[:3] in got


def test_the_old_school_is_not_told_which_school_its_lost_pupil_joined(app, db, client_request, sign_in, la_user,
                                                                        sender, lost):
    # A lost pupil's new school is the LA's to know (the child may have moved away from someone): the school that
    # sent the record sees that it was released, not where to.
    joining = organisations.create_school(db, la_code="873", estab="2003", name="Cam Valley School")
    sign_in(la_user)
    client_request.post("transfers.release", transfer_id=lost, _data={"school": joining["id"]}, _expected_status=303)
    sign_in(sender, client=(old_school := app.test_client()))
    page = client_request.using(old_school).get("transfers.detail", transfer_id=lost)
    assert "Released to a school" in page.texts("//dd")[0]
    assert "Cam Valley" not in page.html and "8732003" not in page.html
    page = client_request.using(old_school).get("transfers.sent")
    assert "Cam Valley" not in page.html


def test_a_released_record_can_no_longer_be_revoked_by_its_old_school(app, db, client_request, sign_in, la_user,
                                                                       sender, lost):
    # Releasing hands the record on (a copy is in the new school's inbox): revoking the original afterwards would
    # tell the old school it can no longer be read when it already has been passed on.
    joining = organisations.create_school(db, la_code="873", estab="2003", name="Cam Valley School")
    sign_in(la_user)
    client_request.post("transfers.release", transfer_id=lost, _data={"school": joining["id"]}, _expected_status=303)
    sign_in(sender, client=(old_school := app.test_client()))
    page = client_request.using(old_school).post("transfers.revoke", transfer_id=lost, _data={},
                                                 _follow_redirects=True)  # fmt: skip
    assert "released this file to a school, so it can no longer be revoked" in page.html
    assert scalar(db, "SELECT revoked_at FROM transfers WHERE id = ?", (lost,)) is None
    assert audit_events(db, "transfer_revoked") == []


def test_a_record_revoked_while_it_was_being_released_is_not_released(app, db, la_user, sender, lost):
    # The LA's release loaded the record (still held) just before its old school's revocation committed.
    joining = organisations.create_school(db, la_code="873", estab="2003", name="Cam Valley School")
    as_loaded = transfers.get(db, lost)
    transfers.revoke(db, as_loaded, sender)
    with pytest.raises(transfers.TransferError, match="no longer held"):
        sending.release_lost_pupil(app.config, db, as_loaded, joining, la_user)
    assert scalar(db, "SELECT count(*) FROM transfers WHERE released_from = ?", (lost,)) == 0
    assert audit_events(db, "transfer_released") == []
    assert len(list((Path(app.config["FILES_DIR"]) / "transfers").rglob("*/*"))) == 1  # the copy was removed again


def test_release_needs_a_school(db, client_request, sign_in, la_user, lost):
    sign_in(la_user)
    page = client_request.post("transfers.release", transfer_id=lost, _data={"school": "0"}, _expected_status=400)
    assert "Choose the school the pupil has joined" in page.html
    assert scalar(db, "SELECT count(*) FROM transfers") == 1


def test_only_lost_pupil_files_are_released(app, db, client_request, sign_in, la_user, school):
    to_la = sent_ctf(app, db, school, "873LLLL")
    sign_in(la_user)
    client_request.get("transfers.release", transfer_id=to_la, _expected_status=404)
