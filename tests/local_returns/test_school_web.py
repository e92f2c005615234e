"""A school answers a local return on the web: prefilled pupil list, save and continue later, findings, submit,
nothing to report, copy last week, audience rules, and definitions versioned mid-collection."""

from __future__ import annotations

import datetime as dt

from domain.local_returns.definitions import Question
from models import deadline_catalogue, deadline_instances, deadline_statuses, local_returns, organisations
from tests.conftest import audit_events
from tests.local_returns.factories import designed, destinations, meals, year_11_census


def instance_of(db, code: str, due: str | None = None) -> dict:
    entry = deadline_catalogue.get_by_code(db, code)
    found = deadline_instances.list_instances(db, catalogue_id=entry["id"], include_cancelled=False)
    return next(i for i in found if due is None or i["due_on"].isoformat() == due)


def test_a_pupil_list_is_prefilled_answered_corrected_and_submitted(db, year, school, school_user, la_user,
                                                                     school_client):  # fmt: skip
    pupils = year_11_census(db, school, school_user)
    made = designed(db, "Y11-DEST", destinations(), la_user)
    instance = instance_of(db, "Y11-DEST")
    index = school_client.get("local_returns.index")
    assert "Year 11 intended destinations" in index.html
    page = school_client.get("local_returns.answers", deadline_id=instance["id"])
    assert page.texts("//tbody//th//span") == [p["UPN"] for p in pupils]
    assert "Younger" not in page.html  # Year 7: not in the chosen year groups
    data = {"r1-destination": "FE college", "r2-destination": "Moon base", "r3-destination": "Apprenticeship",
            "r1-notes": "=HYPERLINK(\"x\")", "continue": "1"}  # fmt: skip
    page = school_client.post("local_returns.answers", deadline_id=instance["id"], _data=data,
                              _follow_redirects=True)  # fmt: skip
    assert "Some need correcting" in page.html
    assert page.texts("//*[@class='govuk-error-summary__list']//a") == [
        "Row 2 (Alex Pupil002), Intended destination: Must be one of the choices in the list"] or \
        "Must be one of the choices in the list" in page.html
    status = deadline_statuses.status_for(db, school["id"], instance["id"])
    assert status["explicit"] == "in_progress"
    school_client.get_response("local_returns.submit", deadline_id=instance["id"])
    refused = school_client.post("local_returns.submit", deadline_id=instance["id"], _expected_status=400)
    assert "Correct the answers shown before submitting" in refused.html
    data["r2-destination"] = "FE college"
    school_client.post("local_returns.answers", deadline_id=instance["id"], _data=data, _follow_redirects=True)
    school_client.post("local_returns.submit", deadline_id=instance["id"], _follow_redirects=True)
    assert deadline_statuses.status_for(db, school["id"], instance["id"])["key"] == "submitted"
    submission = local_returns.find_submission(db, instance["id"], school["id"])
    assert submission["status"] == "submitted"
    rows = local_returns.rows_of(db, submission["id"])
    assert [r["answers"]["destination"] for r in rows] == ["FE college", "FE college", "Apprenticeship"]
    assert rows[0]["answers"]["notes"] == "=HYPERLINK(\"x\")"  # kept as typed; every export escapes it
    assert {"local_return_started", "local_return_answers_saved", "local_return_submitted"} <= {
        e["action"] for e in audit_events(db)}
    again = school_client.post_response("local_returns.answers", deadline_id=instance["id"], _data=data,
                                        _expected_status=200)  # fmt: skip
    assert "This return has been submitted" in again.get_data(as_text=True)
    assert made["id"] == submission["local_return_id"]


def test_pupil_lists_are_paged_and_saved_a_page_at_a_time(db, year, school, school_user, la_user, school_client):
    year_11_census(db, school, school_user, count=30)
    designed(db, "Y11-DEST", destinations(), la_user)
    instance = instance_of(db, "Y11-DEST")
    first = school_client.get("local_returns.answers", deadline_id=instance["id"])
    assert "Pupils 1 to 25 of 30" in first.html
    answers = {f"r{n}-destination": "Not known" for n in range(1, 26)}
    second_page = school_client.url("local_returns.answers", deadline_id=instance["id"], page=2)
    school_client.post_response("local_returns.answers", deadline_id=instance["id"], _expected_status=303,
                                _data={**answers, "continue": "1"}, _expected_redirect=second_page)  # fmt: skip
    second = school_client.get("local_returns.answers", deadline_id=instance["id"], page=2)
    assert "Pupils 26 to 30 of 30" in second.html
    overview_url = school_client.url("local_returns.school_return", deadline_id=instance["id"])
    school_client.post_response("local_returns.answers", deadline_id=instance["id"], page=2, _data={"later": "1"},
                                _expected_status=303, _expected_redirect=overview_url)  # fmt: skip
    overview = school_client.get("local_returns.school_return", deadline_id=instance["id"])
    assert "5 answers need correcting" in overview.html


def test_weekly_meals_copy_last_week_and_check_totals(db, year, school, school_user, la_user, school_client):
    designed(db, "MEALS", meals(), la_user)
    last_week, this_week = instance_of(db, "MEALS", "2026-12-04"), instance_of(db, "MEALS", "2026-12-11")
    wrong_total = {"r0-free": "40", "r0-paid": "60", "r0-total": "110"}
    school_client.post("local_returns.answers", deadline_id=last_week["id"], _data=wrong_total, _follow_redirects=True)
    overview = school_client.get("local_returns.school_return", deadline_id=last_week["id"])
    assert "Must equal Free school meals + Paid meals (100)" in overview.html
    school_client.post("local_returns.answers", deadline_id=last_week["id"], _data={**wrong_total, "r0-total": "100"},
                       _follow_redirects=True)  # fmt: skip
    school_client.post("local_returns.submit", deadline_id=last_week["id"], _follow_redirects=True)
    page = school_client.get("local_returns.school_return", deadline_id=this_week["id"])
    assert "Copy the answers from" in page.html
    totals_shown = page.texts("//h2[normalize-space()='Check the totals']/following-sibling::dl[1]//dd")
    assert totals_shown == [f"0 ({last_week['period_label']}: {n})" for n in (40, 60, 100)]  # beside last week's
    school_client.post("local_returns.copy_last", deadline_id=this_week["id"], _follow_redirects=True)
    copied = local_returns.find_submission(db, this_week["id"], school["id"])
    assert local_returns.rows_of(db, copied["id"])[0]["answers"] == {"free": "40", "paid": "60", "total": "100"}
    assert copied["source"] == "copy"
    page = school_client.get("local_returns.submit", deadline_id=this_week["id"])
    assert "Total: Total meals" in page.html


def test_nothing_to_report_where_the_return_allows_it(db, year, school, school_user, la_user, school_client):
    designed(db, "MEALS", meals(), la_user)
    week = instance_of(db, "MEALS", "2026-12-11")
    school_client.post("local_returns.submit", deadline_id=week["id"], _data={"nothing_to_report": "y"},
                       _follow_redirects=True)  # fmt: skip
    submission = local_returns.find_submission(db, week["id"], school["id"])
    assert submission["nothing_to_report"] and submission["status"] == "submitted"
    # the tracker tells the LA it was a NIL return, not answers
    assert deadline_statuses.status_for(db, school["id"], week["id"])["label"] == "NIL return"


def test_nothing_to_report_is_refused_where_it_is_not_allowed(db, year, school, school_user, la_user, school_client):
    year_11_census(db, school, school_user)
    designed(db, "Y11-DEST", destinations(), la_user)
    instance = instance_of(db, "Y11-DEST")
    page = school_client.post("local_returns.submit", deadline_id=instance["id"], _data={"nothing_to_report": "y"},
                              _expected_status=400)  # fmt: skip
    assert "Correct the answers shown" in page.html


def test_the_catalogues_audience_decides_which_schools_answer(db, year, la, la_user, make_user, client_request, app,
                                                               sign_in):  # fmt: skip
    primary = organisations.create_school(db, la_code="873", estab="2101", name="Ely Primary School", urn=120001,
                                          phase="Primary", low_age=4, high_age=11, status="open")  # fmt: skip
    user = make_user(primary, role="approver")
    designed(db, "Y11-DEST", destinations(), la_user)
    designed(db, "MEALS", meals(), la_user)
    own = app.test_client()
    sign_in(user, client=own)
    page = client_request.using(own).get("local_returns.index")
    assert "Weekly school meal numbers" in page.html and "Year 11 intended destinations" not in page.html
    client_request.using(own).get_response("local_returns.school_return",
                                           deadline_id=instance_of(db, "Y11-DEST")["id"], _expected_status=404)


def test_an_unpublished_return_is_not_offered_to_schools(db, year, la_user, school_client):
    designed(db, "MEALS", meals(), la_user, publish=False)
    school_client.get_response("local_returns.school_return", deadline_id=instance_of(db, "MEALS", "2026-12-11")["id"],
                               _expected_status=404)  # fmt: skip


def test_a_change_mid_collection_keeps_what_schools_sent_under_their_version(db, year, school, other_school,
                                                                              school_user, la_user, make_user,
                                                                              school_client, la_client):  # fmt: skip
    made = designed(db, "MEALS", meals(), la_user)
    week = instance_of(db, "MEALS", "2026-12-11")
    school_client.post("local_returns.answers", deadline_id=week["id"],
                       _data={"r0-free": "1", "r0-paid": "2", "r0-total": "3"}, _follow_redirects=True)  # fmt: skip
    school_client.post("local_returns.submit", deadline_id=week["id"], _follow_redirects=True)
    other_user = make_user(other_school, role="approver")
    draft = local_returns.start(db, made, week, other_school, other_user)
    local_returns.save_answers(db, draft, {0: {"free": "5", "paid": "6", "total": "11"}}, other_user)
    changed = made["current"]["definition"].without_question("paid").with_question(
        Question("packed", "Packed lunches", "number"))
    local_returns.save_draft(db, made, changed, la_user)
    local_returns.publish(db, local_returns.get(db, made["id"]), la_user)
    sent = local_returns.find_submission(db, week["id"], school["id"])
    assert sent["version"] == 1
    page = la_client.get("local_returns.submission", submission_id=sent["id"])
    assert "Paid meals" in page.html and "Version 1 of the return" in page.html
    moved = local_returns.start(db, local_returns.get(db, made["id"]), week, other_school, other_user)
    assert moved["version"] == 2
    assert local_returns.rows_of(db, moved["id"])[0]["answers"] == {"free": "5", "total": "11"}


def test_the_deadline_page_sends_the_school_to_its_local_return(db, year, school, school_user, la_user, school_client):
    instance = instance_of(db, "MEALS", "2026-12-11")
    before = school_client.get("deadlines.school_return", instance_id=instance["id"])
    assert "Send return" in before.html  # no design yet: the catalogue's own form
    designed(db, "MEALS", meals(), la_user)
    page = school_client.get("deadlines.school_return", instance_id=instance["id"])
    assert school_client.url("local_returns.school_return", deadline_id=instance["id"]) in page.html
    assert "Send return" not in page.html
    school_client.post("deadlines.make_return", instance_id=instance["id"], _data={"details": "12 meals"},
                       _follow_redirects=True)  # fmt: skip
    assert deadline_statuses.status_for(db, school["id"], instance["id"])["explicit"] is None


def test_copy_last_time_matches_pupils_by_upn(db, year, school, school_user, la_user, school_client):
    """A pupil list copied from the previous period: each pupil's answers follow their UPN."""
    year_11_census(db, school, school_user, count=2)
    made = designed(db, "Y11-DEST", destinations(), la_user)
    entry = deadline_catalogue.get_by_code(db, "Y11-DEST")
    now = instance_of(db, "Y11-DEST")
    earlier = deadline_instances.add_instance(db, catalogue_id=entry["id"], academic_year=2025,
                                              period_label="Autumn check", opens_on=dt.date(2026, 9, 1),
                                              due_on=dt.date(2026, 10, 30))  # fmt: skip
    before = local_returns.start(db, made, earlier, school, school_user)
    local_returns.save_answers(db, before, {1: {"destination": "Not known"}, 2: {"destination": "FE college"}},
                               school_user)  # fmt: skip
    local_returns.submit(db, local_returns.get_submission(db, before["id"]), school_user)
    school_client.post("local_returns.copy_last", deadline_id=now["id"], _follow_redirects=True)
    copied = local_returns.find_submission(db, now["id"], school["id"])
    assert [(r["upn"], r["answers"]) for r in local_returns.rows_of(db, copied["id"])] == [
        (r["upn"], r["answers"]) for r in local_returns.rows_of(db, before["id"])]


def test_a_pupil_list_opened_before_the_census_is_filled_once_the_census_is_loaded(
    db, year, school, school_user, la_user, school_client
):
    """Opening the return with no census starts an empty list and says to upload the census; doing so then fills it
    (before, the empty draft stayed empty for good, whatever the school uploaded)."""
    designed(db, "Y11-DEST", destinations(), la_user)
    instance = instance_of(db, "Y11-DEST")
    empty = school_client.get("local_returns.school_return", deadline_id=instance["id"])
    assert "0 pupils from your latest census" in empty.html and "Upload your census in Returns first" in empty.html
    pupils = year_11_census(db, school, school_user)
    page = school_client.get("local_returns.school_return", deadline_id=instance["id"])
    assert "3 pupils from your latest census" in page.html
    assert school_client.get("local_returns.answers", deadline_id=instance["id"]).texts("//tbody//th//span") == [
        p["UPN"] for p in pupils]
    assert len(audit_events(db, "local_return_list_filled")) == 1
    school_client.get("local_returns.school_return", deadline_id=instance["id"])
    assert len(audit_events(db, "local_return_list_filled")) == 1  # filled once, never again


def test_a_return_only_opened_is_not_started_and_shows_nothing_to_correct(db, year, school, school_user, la_user,
                                                                          school_client):  # fmt: skip
    """Opening a return (even a future week's) is not answering it: it stays Not started for the school and the LA,
    with no errors shown on a blank form, until the school saves something."""
    year_11_census(db, school, school_user)
    designed(db, "Y11-DEST", destinations(), la_user)
    instance = instance_of(db, "Y11-DEST")
    page = school_client.get("local_returns.school_return", deadline_id=instance["id"])
    assert "Not started" in page.html and "need correcting" not in page.html
    answers = school_client.get("local_returns.answers", deadline_id=instance["id"])
    assert not answers.xpath("//*[contains(@class, 'govuk-error-summary')]")
    submission = local_returns.find_submission(db, instance["id"], school["id"])
    assert submission["status"] == "draft" and submission["state"] is None
    assert deadline_statuses.status_for(db, school["id"], instance["id"])["explicit"] is None

    school_client.post("local_returns.answers", deadline_id=instance["id"],
                       _data={"r1-destination": "FE college", "later": "1"}, _follow_redirects=True)  # fmt: skip
    page = school_client.get("local_returns.school_return", deadline_id=instance["id"])
    assert "In progress" in page.html and "need correcting" in page.html  # the other two pupils now wait
    assert local_returns.find_submission(db, instance["id"], school["id"])["state"] == "draft"
