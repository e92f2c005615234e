"""LA messages to groups of schools: templates, groups (all, phase, type, maintained/academy, saved lists),
one private conversation per school."""

from __future__ import annotations

import pytest

from models import messages, organisations
from models.db import scalar
from tests.conftest import audit_events


@pytest.fixture
def secondaries(db, la):
    """Two open secondary schools (one an academy), a closed one, and a primary."""
    return {
        "north": organisations.create_school(db, la_code="873", estab="4001", name="North Secondary",
                                             phase="Secondary", type_name="Community school"),
        "south": organisations.create_school(db, la_code="873", estab="4002", name="South Academy",
                                             phase="Secondary", type_name="Academy converter", is_academy=1),
        "closed": organisations.create_school(db, la_code="873", estab="4003", name="Old Secondary",
                                              phase="Secondary", status="closed"),
        "primary": organisations.create_school(db, la_code="873", estab="2005", name="Little Primary",
                                               phase="Primary", type_name="Community school"),
    }  # fmt: skip


def test_templates_are_seeded_once_and_the_la_edits_them(db, la, la_user, signed_in):
    lee = signed_in(la_user)
    page = lee.get("messages.templates")
    names = page.texts("//tbody//td[1]")
    assert names == ["Child protection file transfer — please confirm receipt", "Request for pupil's CTF"]
    request_ctf = messages.templates(db, "873")[1]
    lee.post("messages.edit_template", template_id=request_ctf["id"], _follow_redirects=True,
             _data={"name": "Request for pupil's CTF", "subject": "CTF please", "body": "Send it"})  # fmt: skip
    assert messages.get_template(db, request_ctf["id"], "873")["subject"] == "CTF please"
    page = lee.post("messages.new_template", _expected_status=400,
                    _data={"name": "request for PUPIL'S ctf", "subject": "x", "body": "y"})  # fmt: skip
    assert page.texts("//div[contains(@class, 'govuk-error-summary')]//li") == [
        "There is already a template called request for PUPIL'S ctf"
    ]
    lee.post("messages.delete_template", template_id=request_ctf["id"], _follow_redirects=True)
    lee.get("messages.templates")
    assert [t["name"] for t in messages.templates(db, "873")] == [names[0]]  # deleted ones do not come back
    assert [e["action"] for e in audit_events(db) if e["action"].startswith("message_template")] == [
        "message_templates_seeded",
        "message_template_updated",
        "message_template_deleted",
    ]


def test_group_choices(db, la, school, secondaries):
    organisations.create_school(db, la_code="873", estab="7001", name="Fen Special School", urn=170001,
                                phase="Not applicable", status="open")  # fmt: skip
    labels = {c["key"]: (c["label"], c["schools"]) for c in messages.group_choices(db, "873")}
    assert labels["all"] == ("All schools", 5)  # Fenland Primary (no phase), two secondaries, Little Primary, Fen
    assert labels["phase:Not applicable"] == ("Schools whose phase is not applicable", 1)
    assert labels["phase:Secondary"] == ("All secondary schools", 2)
    assert labels["phase:Primary"] == ("All primary schools", 1)
    assert labels["type:Community school"] == ("Type: Community school", 2)
    assert labels["maintained"] == ("Maintained schools", 4)
    assert labels["academy"] == ("Academies and free schools", 1)
    with pytest.raises(messages.MessageRefused):
        messages.group_schools(db, "873", "phase:")
    with pytest.raises(messages.MessageRefused):
        messages.group_schools(db, "873", "saved:999")


def test_a_templated_message_to_all_secondary_schools_is_a_private_conversation_each(
    db, la, secondaries, la_user, with_transfers, signed_in
):
    lee = signed_in(la_user)
    messages.ensure_templates(db, "873")
    cp = next(t for t in messages.templates(db, "873") if t["confirm_receipt"])
    page = lee.get("messages.bulk", template=cp["id"])
    assert page.xpath("//input[@id='subject']/@value") == [cp["subject"]]
    assert page.xpath("//input[@id='confirm_receipt']/@checked")
    response = lee.post_response("messages.bulk", template=cp["id"], _data={
        "group": "phase:Secondary", "subject": cp["subject"], "body": cp["body"], "confirm_receipt": "y"})  # fmt: skip
    bulk_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert scalar(db, "SELECT count(*) FROM message_threads WHERE bulk_id = ?", (bulk_id,)) == 2
    page = lee.get("messages.bulk_send", bulk_id=bulk_id)  # nobody uses the service at either school yet
    assert "2 of the schools have nobody who uses Transfers and messages yet" in page.html
    assert len(page.xpath("//tbody//span[text()='Nobody there uses Transfers and messages yet']")) == 2
    event = audit_events(db, "message_bulk_sent")[-1]
    assert event["detail"]["group"] == "All secondary schools" and event["detail"]["threads"] == 2

    north = signed_in(with_transfers(secondaries["north"], email="n@north.example.sch.uk", name="Nia North"))
    south = signed_in(with_transfers(secondaries["south"], email="s@south.example.sch.uk", name="Sol South"))
    north_thread = north.get("messages.index").xpath("//tbody//a/@href")[0]
    south_thread = south.get("messages.index").xpath("//tbody//a/@href")[0]
    assert north_thread != south_thread
    north_id = int(north_thread.rsplit("/", 1)[1])
    north.post("messages.reply", thread_id=north_id, _data={"body": "North got it"}, _follow_redirects=True)
    assert "North got it" not in south.client.get(south_thread).get_data(as_text=True)
    page = lee.get("messages.thread", thread_id=north_id)
    assert page.xpath('//a[text()="see every school\'s"]/@href') == [f"/messages/bulk/{bulk_id}"]
    assert not north.get("messages.thread", thread_id=north_id).xpath("//a[contains(@href, '/messages/bulk/')]")
    page = lee.get("messages.bulk_send", bulk_id=bulk_id)
    cells = [row.xpath("./td") for row in page.xpath("//tbody/tr")]
    texts = [[" ".join(c.text_content().split()) for c in row] for row in cells]
    assert [row[0] for row in texts] == ["North Secondary 873/4001", "South Academy 873/4002"]  # told apart by number
    assert [row[2:] for row in texts] == [["1", "Waiting"], ["0", "Waiting"]]  # replies, receipt
    assert all(row[1] != "Not read yet" for row in texts)  # both opened it


def test_a_saved_list_and_bad_groups(db, la, school, secondaries, la_user, signed_in):
    lee = signed_in(la_user)
    labels = lee.get("messages.new_group").texts("//input[@name='schools']/following-sibling::label")
    assert "North Secondary (873/4001)" in labels  # two schools of the same name can be told apart
    lee.post("messages.new_group", _follow_redirects=True,
             _data={"name": "Cluster", "schools": [school["id"], secondaries["north"]["id"]]})  # fmt: skip
    group = messages.groups(db, "873")[0]
    assert (group["name"], group["schools"]) == ("Cluster", 2)
    page = lee.post("messages.new_group", _data={"name": "Empty"}, _expected_status=400)
    assert "Select at least one school" in page.html
    organisations.ensure_la(db, "874", "Peterborough")
    elsewhere = organisations.create_school(db, la_code="874", estab="2001", name="Elsewhere School")
    page = lee.post("messages.new_group", _data={"name": "Other", "schools": [elsewhere["id"]]}, _expected_status=400)
    assert "Choose schools from the list" in page.html
    lee.post("messages.bulk", _follow_redirects=True,
             _data={"group": f"saved:{group['id']}", "subject": "Cluster meeting", "body": "Tuesday"})  # fmt: skip
    assert scalar(db, "SELECT count(*) FROM message_threads") == 2
    page = lee.post("messages.bulk", _data={"group": "phase:Nursery", "subject": "x", "body": "y"},
                    _expected_status=400)  # fmt: skip
    assert "That group has no open schools" in page.html
    page = lee.post("messages.bulk", _data={"group": "nonsense", "subject": "x", "body": "y"}, _expected_status=400)
    assert "Choose a group from the list" in page.html
    assert scalar(db, "SELECT count(*) FROM message_threads") == 2


def test_schools_cannot_send_to_groups_or_edit_templates(db, school, school_user, signed_in):
    sam = signed_in(school_user)
    for endpoint in ("messages.bulk", "messages.templates", "messages.groups", "messages.new_template"):
        sam.get_response(endpoint, _expected_status=403)
    assert "Message a group of schools" not in sam.get("messages.index").html
