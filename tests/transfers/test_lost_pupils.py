"""The LA's lost pupils store: search by UPN, former UPN or surname and date of birth (exact after normalising),
every search audited, and "release to school" sending the record to the school's inbox."""

from __future__ import annotations

import pytest

from domain.transfers.pupil_search import name_key, upn_key
from models import organisations
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


def test_release_needs_a_school(db, client_request, sign_in, la_user, lost):
    sign_in(la_user)
    page = client_request.post("transfers.release", transfer_id=lost, _data={"school": "0"}, _expected_status=400)
    assert "Choose the school the pupil has joined" in page.html
    assert scalar(db, "SELECT count(*) FROM transfers") == 1


def test_only_lost_pupil_files_are_released(app, db, client_request, sign_in, la_user, school):
    to_la = sent_ctf(app, db, school, "873LLLL")
    sign_in(la_user)
    client_request.get("transfers.release", transfer_id=to_la, _expected_status=404)
