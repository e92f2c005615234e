"""Conversations between organisations: writing, reading with receipts, unread marks, replies, search,
archive, confirm receipt, and the bad input a school office may give."""

from __future__ import annotations

import pytest

from models import messages, organisations
from models.db import scalar
from tests.conftest import audit_events
from tests.messages.factories import thread_between


def _send(client, recipient_id: int, subject: str = "Pupil joining in January", body: str = "Hello\n\nSee you",
          confirm: bool = False):  # fmt: skip
    data = {"recipient": recipient_id, "subject": subject, "body": body}
    if confirm:
        data["confirm_receipt"] = "y"
    location = client.post_response("messages.compose", _data=data).headers["Location"]
    client.client.get(location)  # the "Message sent" banner is shown once
    return int(location.rsplit("/", 1)[1])


def _nav_messages(page) -> str:
    return next(t for t in page.texts("//nav//a") if t.startswith("Messages"))


def test_school_writes_to_the_la_who_reads_it_and_the_school_sees_the_receipt(
    db, la, school, other_school, la_user, school_user, signed_in
):
    sam, lee = signed_in(school_user), signed_in(la_user)
    page = sam.get("messages.compose")
    options = page.texts("//select[@id='recipient']/option")
    # a school by its DfE number too: two schools may share a name
    assert options == ["Choose an organisation", "Cambridgeshire", "Ouse Valley Academy (873/2002)"]

    thread_id = _send(sam, la["id"])
    assert audit_events(db, "message_thread_started")[-1]["target"] == f"thread:{thread_id}"
    page = sam.get("messages.thread", thread_id=thread_id)
    assert page.h1 == "Pupil joining in January"
    assert "Not read yet by anyone at Cambridgeshire." in page.texts("//p[contains(@class, 'gatehouse-receipts')]")

    inbox = lee.get("messages.index")
    assert _nav_messages(inbox) == "Messages 1 unread"
    assert inbox.texts("//tbody//td[1]") == ["Unread Pupil joining in January"]
    assert inbox.texts("//tbody//td[2]") == ["Fenland Primary School 873/2001"]  # told apart from a namesake
    page = lee.get("messages.thread", thread_id=thread_id)
    assert "Conversation with Fenland Primary School (873/2001)" in page.texts("//span")
    assert page.texts("//div[contains(@class, 'govuk-summary-card__content')]/p[@class='govuk-body']") == [
        "Hello",
        "See you",
    ]
    assert _nav_messages(page) == "Messages"  # read on this very page load
    assert audit_events(db, "message_thread_read")[-1]["actor_email"] == la_user["email"]
    lee.get("messages.thread", thread_id=thread_id)
    assert len(audit_events(db, "message_thread_read")) == 1  # only the first reading is a receipt

    receipts = sam.get("messages.thread", thread_id=thread_id).texts("//p[contains(@class, 'gatehouse-receipts')]")
    assert receipts[0].startswith("Read by Cambridgeshire: Lee Anders (")


def test_a_reply_is_unread_for_the_other_side_and_not_for_its_writer(db, la, school, la_user, school_user, signed_in):
    sam, lee = signed_in(school_user), signed_in(la_user)
    thread_id = _send(sam, la["id"])
    lee.get("messages.thread", thread_id=thread_id)
    lee.post("messages.reply", thread_id=thread_id, _data={"body": "Thanks, received"}, _follow_redirects=True)
    assert audit_events(db, "message_replied")[-1]["organisation_id"] == la["id"]
    assert _nav_messages(lee.get("messages.index")) == "Messages"
    assert _nav_messages(sam.get("messages.index")) == "Messages 1 unread"
    page = sam.get("messages.thread", thread_id=thread_id)
    assert "Thanks, received" in page.html
    assert _nav_messages(page) == "Messages"
    # Mark as unread puts it back for this person only.
    sam.post("messages.mark_unread", thread_id=thread_id, _follow_redirects=True)
    assert audit_events(db, "message_thread_marked_unread")[-1]["actor_email"] == school_user["email"]
    assert _nav_messages(sam.get("messages.index")) == "Messages 1 unread"
    # Archiving marks it read for the whole school; a new message brings it back, unread.
    sam.post("messages.archive", thread_id=thread_id, _follow_redirects=True)
    assert _nav_messages(sam.get("messages.index")) == "Messages"
    lee.post("messages.reply", thread_id=thread_id, _data={"body": "One more thing"}, _follow_redirects=True)
    inbox = sam.get("messages.index")
    assert _nav_messages(inbox) == "Messages 1 unread"
    assert inbox.texts("//tbody//td[1]") == ["Unread Pupil joining in January"]


def test_sent_search_and_archive(db, la, school, other_school, la_user, school_user, signed_in):
    sam, lee = signed_in(school_user), signed_in(la_user)
    to_la = _send(sam, la["id"], subject="Census query")
    to_school = _send(sam, other_school["id"], subject="CTF for a pupil")
    assert sam.get("messages.sent").texts("//tbody//td[1]//a") == ["CTF for a pupil", "Census query"]
    assert sam.get("messages.index", q="census").texts("//tbody//td[1]//a") == ["Census query"]
    assert sam.get("messages.index", q="ouse").texts("//tbody//td[1]//a") == ["CTF for a pupil"]
    assert "No conversation matches “100%”." in sam.get("messages.index", q="100%").html
    partial = sam.get("messages.index", q="ouse", _headers={"HX-Request": "true"})
    assert not partial.whole_page and partial.texts("//tbody//td[1]//a") == ["CTF for a pupil"]

    sam.post("messages.archive", thread_id=to_la, _follow_redirects=True)
    assert audit_events(db, "message_thread_archived")[-1]["target"] == f"thread:{to_la}"
    assert sam.get("messages.index").texts("//tbody//td[1]//a") == ["CTF for a pupil"]
    assert sam.get("messages.archived").texts("//tbody//td[1]//a") == ["Census query"]
    assert lee.get("messages.index").texts("//tbody//td[1]//a") == ["Census query"]  # the LA's side is untouched
    lee.post("messages.reply", thread_id=to_la, _data={"body": "Answer"}, _follow_redirects=True)
    assert sam.get("messages.index").texts("//tbody//td[1]//a") == ["Census query", "CTF for a pupil"]
    sam.post("messages.archive", thread_id=to_school, _follow_redirects=True)
    sam.post("messages.unarchive", thread_id=to_school, _follow_redirects=True)
    assert audit_events(db, "message_thread_unarchived")[-1]["target"] == f"thread:{to_school}"
    assert sam.get("messages.archived").texts("//tbody//td[1]//a") == []


def test_confirm_receipt(db, la, school, la_user, school_user, signed_in):
    sam, lee = signed_in(school_user), signed_in(la_user)
    thread_id = _send(lee, school["id"], subject="Child protection file", confirm=True)
    assert "Waiting for confirmation" in lee.get("messages.thread", thread_id=thread_id).html
    lee.post("messages.confirm", thread_id=thread_id, _expected_status=404)  # the sender cannot confirm
    page = sam.get("messages.thread", thread_id=thread_id)
    assert page.xpath("//form[contains(@action, '/confirm')]")
    assert sam.get("messages.index").texts("//tbody//td[4]") == ["Please confirm receipt"]
    sam.post("messages.confirm", thread_id=thread_id, _follow_redirects=True)
    sam.post("messages.confirm", thread_id=thread_id)  # twice: nothing more happens
    assert len(audit_events(db, "message_receipt_confirmed")) == 1
    page = lee.get("messages.thread", thread_id=thread_id)
    assert "Fenland Primary School confirmed receipt: Sam Office," in " ".join(page.texts("//div[@id='receipt']//p"))
    assert lee.get("messages.sent").texts("//tbody//td[4]") == ["Receipt confirmed"]


def test_a_conversation_not_of_my_organisation_is_not_found(db, la, school, other_school, la_user, other_user,
                                                            school_user, signed_in):  # fmt: skip
    thread_id = thread_between(db, other_school, la, other_user)
    sam = signed_in(school_user)
    for endpoint in ("messages.thread",):
        sam.get(endpoint, thread_id=thread_id, _expected_status=404)
    for endpoint in ("messages.reply", "messages.archive", "messages.unarchive", "messages.confirm",
                     "messages.mark_unread"):  # fmt: skip
        sam.post_response(endpoint, thread_id=thread_id, _data={"body": "x"}, _expected_status=404)
    assert sam.get("messages.index").texts("//tbody//tr") == []
    assert scalar(db, "SELECT count(*) FROM message_reads") == 0


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"subject": "", "body": "x"}, "Enter a subject"),
        ({"subject": "x", "body": "   "}, "Enter your message"),
        ({"subject": "x" * 151, "body": "x"}, "The subject must be 150 characters or fewer"),
        ({"subject": "x", "body": "x" * 10_001}, "The message must be 10,000 characters or fewer"),
        ({"recipient": 0, "subject": "x", "body": "x"}, "Choose who the message is for"),
        ({"recipient": 99999, "subject": "x", "body": "x"}, "Choose an organisation from the list"),
        ({"recipient": "abc", "subject": "x", "body": "x"}, "Choose who the message is for"),
    ],
)
def test_bad_messages_are_refused_with_a_clear_message(db, la, school, school_user, signed_in, data, error):
    sam = signed_in(school_user)
    page = sam.post("messages.compose", _data={"recipient": la["id"], **data}, _expected_status=400)
    assert error in page.texts("//div[contains(@class, 'govuk-error-summary')]//li")[0]
    assert scalar(db, "SELECT count(*) FROM message_threads") == 0


def test_closed_schools_and_other_las_cannot_be_written_to(db, la, school, school_user, signed_in):
    closed = organisations.create_school(db, la_code="873", estab="2003", name="Closed School", status="closed")
    organisations.ensure_la(db, "874", "Peterborough")
    elsewhere = organisations.create_school(db, la_code="874", estab="2001", name="Elsewhere School")
    sam = signed_in(school_user)
    assert "Closed School" not in sam.get("messages.compose").html
    page = sam.post("messages.compose", _data={"recipient": closed["id"], "subject": "x", "body": "x"},
                    _expected_status=400)  # fmt: skip
    assert "Closed School is closed: it cannot receive messages" in page.html
    sam.post("messages.compose", _data={"recipient": elsewhere["id"], "subject": "x", "body": "x"},
             _expected_status=400)  # fmt: skip
    assert scalar(db, "SELECT count(*) FROM message_threads") == 0


def test_a_reply_must_say_something(db, la, school, la_user, school_user, signed_in):
    sam = signed_in(school_user)
    thread_id = _send(sam, la["id"])
    page = sam.post("messages.reply", thread_id=thread_id, _data={"body": ""}, _expected_status=400)
    assert "Enter your message" in page.html
    assert scalar(db, "SELECT count(*) FROM message_posts") == 1


def test_without_the_service_there_is_no_messages_section(db, school, make_user, signed_in, client_request):
    no_service = make_user(school, email="nobody@fenland.example.sch.uk")
    person = signed_in(no_service)
    person.get("messages.index", _expected_status=403)
    assert not [t for t in person.get("main.home").texts("//nav//a") if t.startswith("Messages")]


def test_pages_of_threads(db, la, school, school_user, la_user, signed_in):
    for n in range(messages.PAGE_SIZE + 2):
        thread_between(db, school, la, school_user, subject=f"Subject {n:02d}")
    sam = signed_in(school_user)
    first = sam.get("messages.index")
    assert len(first.xpath("//tbody/tr")) == messages.PAGE_SIZE
    second = sam.get("messages.index", page=2)
    assert second.texts("//tbody//td[1]//a") == ["Subject 01", "Subject 00"]
    assert "(27)" in first.texts("//caption")[0]


def test_a_folder_past_the_count_cap_says_more_than(db, la, school, school_user, signed_in, monkeypatch):
    monkeypatch.setattr(messages, "COUNT_CAP", 30)
    for n in range(32):
        thread_between(db, la, school, school_user, subject=f"Subject {n:02d}")
    sam = signed_in(school_user)
    first = sam.get("messages.index")
    assert "(more than 30)" in first.texts("//caption")[0]
    assert first.texts("//nav[@aria-label='Pages of conversations']//li") == ["1", "2"]
    second = sam.get("messages.index", page=2)
    assert second.texts("//tbody//td[1]//a") == [f"Subject {n:02d}" for n in range(6, -1, -1)]


def test_a_search_too_long_is_explained_and_everything_shown(db, la, school, school_user, signed_in):
    thread_between(db, la, school, school_user, subject="Hello")
    page = signed_in(school_user).get("messages.index", q="x" * 101)
    assert page.texts("//div[contains(@class, 'govuk-error-summary')]//li") == ["Search for 100 characters or fewer"]
    assert page.xpath("//input[@id='q']/@aria-describedby") == ["q-error"]
    assert page.texts("//tbody//td[1]//a") == ["Hello"]


def test_writing_to_a_school_where_nobody_uses_the_service_says_so(db, la, school, other_school, school_user,
                                                                    signed_in):  # fmt: skip
    sam = signed_in(school_user)
    page = sam.post("messages.compose", _follow_redirects=True,
                    _data={"recipient": other_school["id"], "subject": "Hello", "body": "Anyone?"})  # fmt: skip
    assert "nobody at Ouse Valley Academy uses Transfers and messages yet" in " ".join(
        page.texts("//div[contains(@class, 'govuk-notification-banner')]")
    )
    assert scalar(db, "SELECT count(*) FROM message_threads") == 1  # sent all the same: it waits for them
