"""The LA hands a submitted local return back to the school for changes: the deadline shows it returned, the
school's Local returns users are emailed, the school sees the reason, corrects its answers and submits again.
A draft cannot be handed back, and a second click (or a stale page) is answered with a message."""

from __future__ import annotations

import pytest

from models import deadline_instances, deadline_statuses, local_returns, organisations, services
from models.local_returns import LocalReturnError
from tests.conftest import audit_events, link_in, outbox
from tests.local_returns.factories import local_meals

REASON = "Free meals look too low for this week: check the Wednesday count."


def submitted_meals(db, school, la_user, school_user, submission: dict | None = None) -> dict:
    """Weekly meal numbers (or the draft ``submission`` of them) answered and submitted by the school."""
    submission = submission or local_meals(db, school, la_user, school_user)[1]
    local_returns.save_answers(db, submission, {0: {"free": "10", "paid": "20", "total": "30"}}, school_user)
    local_returns.submit(db, local_returns.get_submission(db, submission["id"]), school_user)
    return local_returns.get_submission(db, submission["id"])


def test_the_la_returns_a_submission_and_the_school_corrects_and_resubmits(
    db, year, school, other_school, school_user, la_user, la_client, school_client, make_user, smtp_server
):
    head = make_user(school, role="approver", email="head@2001.example.sch.uk", name="Hana Head")
    make_user(school, email="caretaker@2001.example.sch.uk")  # no Local returns service: not told
    elsewhere = make_user(other_school, email="office@2002.example.sch.uk")
    services.set_services(db, elsewhere["id"], {"local_returns"})
    submission = submitted_meals(db, school, la_user, school_user)

    answers = la_client.get("local_returns.submission", submission_id=submission["id"])
    assert answers.texts("//a[contains(@class, 'govuk-button--warning')]") == ["Return for changes"]
    form = la_client.get("local_returns.return_for_changes", submission_id=submission["id"])
    assert form.h1 == "Return to Fenland Primary School for changes"
    blank = la_client.post("local_returns.return_for_changes", submission_id=submission["id"],
                           _data={"reason": "   "}, _expected_status=400)  # fmt: skip
    assert "Say what the school needs to change" in blank.html
    assert local_returns.get_submission(db, submission["id"])["state"] == "submitted"
    done = la_client.post("local_returns.return_for_changes", submission_id=submission["id"],
                          _data={"reason": REASON}, _follow_redirects=True)  # fmt: skip
    assert "returned for changes (2 emails sent)" in done.html
    assert "Last returned for changes" in done.html and REASON in done.html
    assert done.texts("//dd//*[contains(@class, 'gatehouse-lines')]") == [REASON]  # shown with its line breaks
    assert not done.xpath("//a[contains(@class, 'govuk-button--warning')]")
    period = la_client.get("local_returns.period", local_return_id=submission["local_return_id"],
                           deadline_id=submission["instance_id"])  # fmt: skip
    assert "Submitted by 0 of 2 schools." in period.html
    assert period.texts("//tbody//td/a") == ["Returned for changes: Fenland Primary School"]
    assert "873/2001" in period.texts("//tbody//th/span")  # DfE numbers as people write them, as on other pages
    assert done.texts("//span[contains(@class, 'govuk-caption-l')]")[0].startswith("Fenland Primary School (873/2001)")

    returned = local_returns.get_submission(db, submission["id"])
    assert (returned["status"], returned["state"], returned["status_label"]) == ("draft", "returned",
                                                                               "Returned for changes")
    assert returned["returned_by"] == la_user["id"] and returned["return_reason"] == REASON
    assert local_returns.rows_of(db, submission["id"])[0]["answers"] == {"free": "10", "paid": "20", "total": "30"}
    status = deadline_statuses.status_for(db, school["id"], submission["instance_id"])
    assert (status["key"], status["label"], status["note"]) == ("returned", "Returned for changes", REASON)
    [event] = [e for e in audit_events(db) if e["action"] == "local_return_returned"]
    assert event["target"] == f"local_return_submission:{submission['id']}" and event["detail"]["reason"] == REASON
    assert event["actor_id"] == la_user["id"]

    mails = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in mails) == sorted([school_user["email"], head["email"]])
    assert {m["to_addr"] for m in outbox(db)} == {school_user["email"], head["email"]}
    mail = next(m for m in mails if m["To"] == school_user["email"])
    assert "Weekly school meal numbers" in mail["Subject"] and "returned for changes" in mail["Subject"]
    body = mail.get_content()
    assert REASON in body and "Dana Data" in body
    path = link_in(body, "/local-returns/due/")
    assert path == school_client.url("local_returns.school_return", deadline_id=submission["instance_id"])

    page = school_client.get("local_returns.school_return", deadline_id=submission["instance_id"])
    banner = " ".join(page.texts("//*[contains(@class, 'govuk-notification-banner')]//p"))
    assert REASON in " ".join(page.texts("//*[contains(@class, 'govuk-notification-banner')]//div"))
    assert "Dana Data returned them" in banner
    index = school_client.get("local_returns.index")
    assert "Returned for changes" in index.texts("//tbody//strong")

    data = {"r0-free": "12", "r0-paid": "20", "r0-total": "32", "continue": "1"}
    school_client.post("local_returns.answers", deadline_id=submission["instance_id"], _data=data,
                       _follow_redirects=True)  # fmt: skip
    still = deadline_statuses.status_for(db, school["id"], submission["instance_id"])
    assert still["key"] == "returned"  # until the school submits again
    school_client.post("local_returns.submit", deadline_id=submission["instance_id"], _follow_redirects=True)
    again = local_returns.get_submission(db, submission["id"])
    assert again["state"] == "submitted" and local_returns.rows_of(db, again["id"])[0]["answers"]["free"] == "12"
    assert deadline_statuses.status_for(db, school["id"], submission["instance_id"])["key"] == "submitted"
    page = school_client.get("local_returns.school_return", deadline_id=submission["instance_id"])
    assert not page.xpath("//*[@id='returned-for-changes-title']") and REASON not in page.html


def test_a_draft_cannot_be_returned_and_a_second_click_gets_a_message(db, year, school, school_user, la_user,
                                                                      la_client, smtp_server):  # fmt: skip
    _, draft = local_meals(db, school, la_user, school_user)
    asked = la_client.get("local_returns.return_for_changes", submission_id=draft["id"], _follow_redirects=True)
    posted = la_client.post("local_returns.return_for_changes", submission_id=draft["id"], _data={"reason": REASON},
                            _follow_redirects=True)  # fmt: skip
    for page in (asked, posted):
        assert "Only submitted answers can be returned for changes" in page.html
    assert local_returns.get_submission(db, draft["id"])["status"] == "draft"  # still the school's, not returned
    assert local_returns.get_submission(db, draft["id"])["returned_at"] is None
    with pytest.raises(LocalReturnError, match="not submitted now"):
        local_returns.return_for_changes(db, draft, la_user, REASON)

    submission = submitted_meals(db, school, la_user, school_user, draft)
    stale = la_client.get("local_returns.return_for_changes", submission_id=submission["id"])
    assert stale.h1.startswith("Return to")
    la_client.post("local_returns.return_for_changes", submission_id=submission["id"], _data={"reason": REASON},
                   _expected_status=303)
    second = la_client.post("local_returns.return_for_changes", submission_id=submission["id"],
                            _data={"reason": "Again"}, _follow_redirects=True)  # fmt: skip
    assert "(they have been returned already)" in second.html
    with pytest.raises(LocalReturnError, match="returned already"):  # a page read before the first hand-back
        local_returns.return_for_changes(db, submission, la_user, "Again")
    assert [e["action"] for e in audit_events(db)].count("local_return_returned") == 1
    assert local_returns.get_submission(db, submission["id"])["return_reason"] == REASON
    assert len(smtp_server.wait_for(1)) == 1


def test_only_the_las_local_returns_users_hand_back(
    db, year, school, other_school, school_user, la_user, school_client, make_user, client_request, app, sign_in
):
    submission = submitted_meals(db, school, la_user, school_user)
    school_client.get_response("local_returns.return_for_changes", submission_id=submission["id"],
                               _expected_status=403)  # fmt: skip
    school_client.post_response("local_returns.return_for_changes", submission_id=submission["id"],
                                _data={"reason": REASON}, _expected_status=403)  # fmt: skip
    page = school_client.get("local_returns.submission", submission_id=submission["id"])
    assert "Return for changes" not in page.html
    other_la = organisations.ensure_la(db, "874", "Peterborough")
    stranger = make_user(other_la, email="data@peterborough.gov.uk")
    services.set_services(db, stranger["id"], {"local_returns"})
    own = app.test_client()
    sign_in(stranger, client=own)
    client_request.using(own).post_response("local_returns.return_for_changes", submission_id=submission["id"],
                                            _data={"reason": REASON}, _expected_status=404)  # fmt: skip
    no_service = make_user(organisations.get(db, la_user["organisation_id"]), email="other@cambridgeshire.gov.uk")
    own = app.test_client()
    sign_in(no_service, client=own)
    client_request.using(own).post_response("local_returns.return_for_changes", submission_id=submission["id"],
                                            _data={"reason": REASON}, _expected_status=403)  # fmt: skip
    neighbour = make_user(organisations.get(db, other_school["id"]), email="office@2002.example.sch.uk")
    services.set_services(db, neighbour["id"], {"local_returns"})
    own = app.test_client()
    sign_in(neighbour, client=own)
    neighbours = client_request.using(own)
    neighbours.get_response("local_returns.submission", submission_id=submission["id"], _expected_status=404)
    assert local_returns.get_submission(db, submission["id"])["state"] == "submitted"


def test_a_long_reason_is_refused_and_nothing_changes(db, year, school, school_user, la_user, la_client):
    submission = submitted_meals(db, school, la_user, school_user)
    page = la_client.post("local_returns.return_for_changes", submission_id=submission["id"],
                          _data={"reason": "x" * 2001}, _expected_status=400)  # fmt: skip
    assert "The reason must be 2,000 characters or fewer" in page.html
    assert local_returns.get_submission(db, submission["id"])["state"] == "submitted"
    assert deadline_statuses.status_for(db, school["id"], submission["instance_id"])["key"] == "submitted"


def test_a_hand_back_the_deadline_cannot_record_changes_nothing(db, year, school, school_user, la_user, la_client,
                                                                smtp_server):  # fmt: skip
    submission = submitted_meals(db, school, la_user, school_user)
    deadline_instances.cancel_instance(db, submission["instance_id"], reason="Contract ended", actor=None)
    page = la_client.post("local_returns.return_for_changes", submission_id=submission["id"],
                          _data={"reason": REASON}, _follow_redirects=True)  # fmt: skip
    assert "The deadline cannot show it returned" in page.html
    found = local_returns.get_submission(db, submission["id"])
    assert (found["state"], found["return_reason"]) == ("submitted", None)
    assert not audit_events(db, "local_return_returned")
    assert outbox(db) == []


def test_account_activity_names_the_local_return_not_its_key(db, year, school, school_user, la_user, school_client):
    """A school user's own activity says which return they started and submitted, not 'local_return_submission:7'."""
    submission = submitted_meals(db, school, la_user, school_user)
    page = school_client.get("activity.mine")
    named = f"Fenland Primary School: Weekly school meal numbers ({submission['period_label']})"
    assert named in page.texts("//tbody//td") and "local_return_submission:" not in page.html
