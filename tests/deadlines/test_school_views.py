"""A school's "What's due" page, one return's page, and making a return in Gatehouse."""

from __future__ import annotations

import datetime as dt

import pytest

from models import deadline_statuses, services
from models.db import rows
from tests.conftest import csrf_token_from, set_today
from tests.deadlines.factories import instance_of

D = dt.date


@pytest.fixture
def school_user(make_user, primary, db):
    user = make_user(primary, name="Office Manager", email="office@ely.example.sch.uk")
    services.set_services(db, user["id"], {"deadlines"})
    return user


def test_whats_due_shows_overdue_first_then_eight_weeks(client_request, sign_in, school_user, generated, db, primary):
    set_today(D(2026, 10, 23))
    sign_in(school_user)
    html = client_request.get("deadlines.whats_due").html
    assert html.count("<h1") == 1 and "What's due" in html and "Ely Primary School" in html
    overdue_at, upcoming_at = html.index("Overdue ("), html.index("Due in the next 8 weeks, until 18 December 2026")
    assert overdue_at < upcoming_at
    # the autumn census is overdue; the workforce census (due 2 December) is in the next 8 weeks
    assert html.index("School Census (autumn)") < upcoming_at < html.index("School Workforce Census")
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in html
    assert "Upload your file" in html and "Fill in the return" in html
    assert "Make a calendar link" in html and "Change reminder emails" in html


def test_whats_due_needs_the_deadlines_service(client_request, sign_in, make_user, primary, generated):
    sign_in(make_user(primary, email="noservice@ely.example.sch.uk"))
    client_request.get("deadlines.whats_due", _expected_status=403)
    client_request.get("deadline_calendar.month", _expected_status=403)


def test_approvers_have_the_service(client_request, sign_in, make_user, primary, generated):
    sign_in(make_user(primary, role="approver", email="head@ely.example.sch.uk"))
    client_request.get("deadlines.whats_due")


def test_navigation_offers_whats_due_to_school_users(client_request, sign_in, school_user, generated):
    sign_in(school_user)
    html = client_request.get("main.home").html
    assert f'href="{client_request.url("deadlines.whats_due")}"' in html and "Returns tracker" not in html


def test_confirmation_return(client_request, sign_in, school_user, generated, db, primary):
    set_today(D(2026, 10, 5))
    privacy = instance_of(db, "PRIVACY")
    sign_in(school_user)
    page = client_request.get("deadlines.school_return", instance_id=privacy["id"]).html
    assert "Privacy notice confirmation" in page and "I confirm this has been done" in page
    refused = client_request.post("deadlines.make_return", instance_id=privacy["id"], _data={"details": ""},
                                  _expected_status=400)  # fmt: skip
    assert "Tick the box to confirm" in refused.html
    assert deadline_statuses.status_for(db, primary["id"], privacy["id"])["key"] == "open"
    done = client_request.post(
        "deadlines.make_return", instance_id=privacy["id"],
        _data={"confirm": "y", "details": "Sent with the newsletter"}, _follow_redirects=True,
    )  # fmt: skip
    assert "Privacy notice confirmation (2026/27): submitted" in done.html
    status = deadline_statuses.status_for(db, primary["id"], privacy["id"])
    assert status["key"] == "submitted" and status["note"] == "Confirmed: Sent with the newsletter"
    event = deadline_statuses.history(db, primary["id"], privacy["id"])[0]
    assert event["actor_id"] == school_user["id"] and event["source"] == "gatehouse"
    detail = client_request.get("deadlines.school_return", instance_id=privacy["id"]).html
    assert "Office Manager" in detail and "I confirm" not in detail  # made: no form any more


def test_nil_return_and_form_return(client_request, sign_in, school_user, generated, db, primary):
    set_today(D(2026, 12, 18))
    pride = instance_of(db, "PRIDE-NIL", "2026/27-autumn")
    meals = instance_of(db, "MEALS", "2026-W51")
    sign_in(school_user)
    client_request.post("deadlines.make_return", instance_id=pride["id"], _data={"confirm": "y"})
    assert deadline_statuses.status_for(db, primary["id"], pride["id"])["note"] == "NIL return"
    empty = client_request.post("deadlines.make_return", instance_id=meals["id"], _data={"details": "  "},
                                _expected_status=400)  # fmt: skip
    assert "Enter your return" in empty.html
    client_request.post("deadlines.make_return", instance_id=meals["id"], _data={"details": "Mon 120, Tue 118"})
    assert deadline_statuses.status_for(db, primary["id"], meals["id"])["note"] == "Mon 120, Tue 118"


def test_file_upload_returns_are_made_elsewhere(client_request, sign_in, school_user, generated, db, primary):
    set_today(D(2026, 10, 5))
    census = instance_of(db, "SC-AUT")
    sign_in(school_user)
    page = client_request.get("deadlines.school_return", instance_id=census["id"]).html
    assert "Upload your file" in page and 'name="details"' not in page
    client_request.post("deadlines.make_return", instance_id=census["id"], _data={"details": "x", "confirm": "y"})
    assert rows(db, "SELECT * FROM deadline_status_events") == []


def test_a_return_that_has_not_opened(client_request, sign_in, school_user, generated, db, primary):
    set_today(D(2026, 9, 2))
    spring = instance_of(db, "PRIDE-NIL", "2026/27-spring")
    sign_in(school_user)
    page = client_request.get("deadlines.school_return", instance_id=spring["id"])
    assert "This return opens on 4 January 2027" in page.html
    page = client_request.post("deadlines.make_return", instance_id=spring["id"], _data={"confirm": "y"},
                               _follow_redirects=True)  # fmt: skip
    assert "cannot be returned here now: it is not open yet" in page.html
    assert deadline_statuses.status_for(db, primary["id"], spring["id"])["key"] == "not_open"
    # due 30 October: more than 8 weeks away on 2 September, so not listed yet though it is open
    assert "Privacy notice confirmation" not in client_request.get("deadlines.whats_due").html
    set_today(D(2026, 9, 4))
    sign_in(school_user)  # two days on, the session has timed out
    assert "Privacy notice confirmation" in client_request.get("deadlines.whats_due").html


def test_returns_that_do_not_apply_answer_404(client_request, sign_in, make_user, academy, generated, db):
    user = make_user(academy, role="approver", email="head@wisbech.example.sch.uk")
    census = instance_of(db, "SC-AUT")  # maintained schools only
    sign_in(user)
    client_request.get("deadlines.school_return", instance_id=census["id"], _expected_status=404)
    client_request.post("deadlines.make_return", instance_id=census["id"], _data={"confirm": "y"},
                        _expected_status=404)  # fmt: skip
    client_request.get("deadlines.school_return", instance_id=999999, _expected_status=404)
    assert "School Census" not in client_request.get("deadlines.whats_due").html


def test_making_a_return_needs_a_csrf_token(app_config, app, client_request, sign_in, school_user, generated, db,
                                            primary):
    app_config["WTF_CSRF_ENABLED"] = True
    app.config["WTF_CSRF_ENABLED"] = True
    set_today(D(2026, 10, 5))
    privacy = instance_of(db, "PRIVACY")
    sign_in(school_user)
    client_request.post("deadlines.make_return", instance_id=privacy["id"], _data={"confirm": "y"},
                        _expected_status=400)  # fmt: skip
    token = csrf_token_from(client_request.get("deadlines.school_return", instance_id=privacy["id"]).html)
    client_request.post("deadlines.make_return", instance_id=privacy["id"], _data={"confirm": "y", "csrf_token": token},
                        _expected_status=302)  # fmt: skip
    assert deadline_statuses.status_for(db, primary["id"], privacy["id"])["key"] == "submitted"


def test_reminder_preference(client_request, sign_in, school_user, db):
    sign_in(school_user)
    page = client_request.get("deadlines.reminders").html
    assert "due in 7 or 1 days" in page and "has just become overdue" in page
    client_request.post("deadlines.reminders", _data={}, _expected_status=400)
    response = client_request.post("deadlines.reminders", _data={"digests": "no"}, _follow_redirects=True)
    assert "You will not get reminder emails" in response.html
    assert rows(db, "SELECT deadline_digests FROM users WHERE id = ?", (school_user["id"],))[0]["deadline_digests"] == 0
    assert rows(db, "SELECT action FROM audit_log WHERE action LIKE 'deadline_digests_%'")[-1]["action"] == (
        "deadline_digests_off"
    )
    assert "You do not get reminder emails" in client_request.get("deadlines.whats_due").html


def test_whats_due_kept_tables_follow_changes_and_never_cross_schools(app, client_request, sign_in, school_user,
                                                                      generated, db, primary, secondary, make_user):
    """The tables are kept per school, day and data version: a status change shows at once, another school
    sees its own, and the next day is worked out afresh."""
    set_today(D(2026, 10, 23))
    census = instance_of(db, "SC-AUT")
    sign_in(school_user)
    before = client_request.get("deadlines.whats_due").html
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in before

    def tables(html):
        return html.split("What's due</h1>", 1)[1].split('id="calendar-link"', 1)[0]

    assert tables(client_request.get("deadlines.whats_due").html) == tables(before)  # kept: the same tables
    deadline_statuses.record_status(db, organisation_id=primary["id"], instance_id=census["id"], status="submitted")
    after = client_request.get("deadlines.whats_due").html
    assert "School Census (autumn)" in tables(before) and "School Census (autumn)" not in tables(after)  # made

    other = make_user(secondary, name="Other Office", email="office@march.example.sch.uk")
    services.set_services(db, other["id"], {"deadlines"})
    with app.test_client() as second:
        sign_in(other, client=second)
        theirs = second.get("/deadlines/").get_data(as_text=True)
    assert "March Secondary School" in theirs and "Ely Primary School" not in theirs
    census_row = theirs.split("School Census (autumn)", 1)[1].split("</tr>", 1)[0]
    assert "Overdue" in census_row  # the other school's own status, not Ely's kept table

    set_today(D(2026, 12, 21))
    sign_in(school_user)  # two months on: the session has long timed out
    later = client_request.get("deadlines.whats_due").html
    assert "as of 21 December 2026" in later and "until 15 February 2027" in later


def test_the_history_says_which_part_of_gatehouse_recorded_a_status_not_its_key(
    client_request, sign_in, school_user, generated, db, primary
):
    set_today(D(2026, 10, 5))
    privacy = instance_of(db, "PRIVACY")
    for source in ("local_returns", "returns", "DfE COLLECT"):
        deadline_statuses.record_status(db, organisation_id=primary["id"], instance_id=privacy["id"],
                                        status="in_progress", actor=school_user, source=source)  # fmt: skip
    sign_in(school_user)
    page = client_request.get("deadlines.school_return", instance_id=privacy["id"])
    assert page.texts("//tbody//td[3]") == ["Office Manager (DfE COLLECT)", "Office Manager (Returns)",
                                            "Office Manager (Local returns)"]  # fmt: skip
