"""The month calendar and the secret iCalendar feed (parsed back with icalendar)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import url_for
from icalendar import Calendar

from models import deadline_statuses, services
from models.db import rows
from tests.conftest import set_today
from tests.deadlines.factories import instance_of

D = dt.date
FEED = re.compile(r'value="(http://127\.0\.0\.1:5000/deadline-calendar/feeds/([A-Za-z0-9_-]+)\.ics)"')


@pytest.fixture
def school_user(make_user, primary, db):
    user = make_user(primary, name="Office Manager", email="office@ely.example.sch.uk")
    services.set_services(db, user["id"], {"deadlines"})
    return user


def _make_feed(client, page: str = "/deadlines/") -> tuple[str, str]:
    """Make a calendar link from ``page``; return (full URL, path) shown once on the page."""
    response = client.post("/deadline-calendar/link", data={"next": page}, follow_redirects=True)
    match = FEED.search(response.get_data(as_text=True))
    assert match, "the new calendar address is not on the page"
    return match.group(1), f"/deadline-calendar/feeds/{match.group(2)}.ics"


def _without_tokens(html: str) -> str:
    return re.sub(r'(nonce|value|content)="[^"]*"', "", html)


def test_month_calendar_shows_due_dates_and_bank_holidays(client, sign_in, school_user, generated, db):
    set_today(D(2026, 12, 2))
    sign_in(school_user)
    html = client.get("/deadline-calendar").get_data(as_text=True)
    assert "December 2026" in html and html.count("<h1") == 1
    assert "School Workforce Census" in html and "Christmas Day" in html and "Boxing Day" in html
    assert "gatehouse-month__day--today" in html
    october = client.get("/deadline-calendar?month=2026-10").get_data(as_text=True)
    assert "October 2026" in october and "School Census (autumn)" in october
    bad = client.get("/deadline-calendar?month=October").get_data(as_text=True)
    assert "Enter the month as a year and month, like 2026-10" in bad and "December 2026" in bad


def test_la_staff_see_every_deadline_on_the_calendar(client, sign_in, make_user, la, generated, db):
    set_today(D(2026, 10, 5))
    officer = make_user(la, email="officer@la.example.gov.uk")
    services.set_services(db, officer["id"], {"deadlines"})
    sign_in(officer)
    html = client.get("/deadline-calendar").get_data(as_text=True)
    assert "Every school" in html and "School Census (autumn)" in html


def test_feed_is_shown_once_and_parses_back(client, sign_in, school_user, generated, db, primary):
    set_today(D(2026, 10, 5))
    census = instance_of(db, "SC-AUT")
    deadline_statuses.record_status(db, organisation_id=primary["id"], instance_id=census["id"], status="in_progress")
    sign_in(school_user)
    url, path = _make_feed(client)
    assert FEED.search(client.get("/deadlines/").get_data(as_text=True)) is None  # shown once only
    assert "You have a calendar link" in client.get("/deadlines/").get_data(as_text=True)
    token = path.split("/")[-1][:-4]
    assert rows(db, "SELECT token_hash FROM calendar_feeds")[0]["token_hash"] != token  # only the hash is kept

    client.post("/sign-out")
    response = client.get(path)  # the feed needs no session: Outlook fetches it
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == "Gatehouse deadlines: Ely Primary School"
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == len(deadline_statuses.for_school(db, primary, start=D(2026, 7, 7), end=D(2027, 11, 9)))
    autumn = events[f"deadline-{census['id']}-{primary['id']}@127.0.0.1"]
    assert autumn.decoded("DTSTART") == D(2026, 10, 21) and autumn.decoded("DTEND") == D(2026, 10, 22)
    assert str(autumn["SUMMARY"]) == "Due: School Census (autumn) (2026/27)"
    assert "Status: In progress" in str(autumn["DESCRIPTION"])
    assert "External (DfE) deadline: 28 October 2026" in str(autumn["DESCRIPTION"])
    assert str(autumn["URL"]) == f"http://127.0.0.1:5000/deadlines/{census['id']}"
    assert not any("Census" in str(e["SUMMARY"]) and "Workforce" not in str(e["SUMMARY"]) and "autumn" not in
                   str(e["SUMMARY"]) and e.decoded("DTSTART") < D(2026, 10, 1) for e in events.values())  # fmt: skip
    assert url.startswith("http://127.0.0.1:5000/")


def test_regenerated_and_revoked_feeds_answer_404(client, sign_in, school_user, generated, db):
    set_today(D(2026, 10, 5))
    sign_in(school_user)
    _, first = _make_feed(client)
    _, second = _make_feed(client)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    client.post("/deadline-calendar/link/revoke", data={"next": "/deadlines/"})
    outlook = client.application.test_client()  # as a calendar fetches it: no session
    revoked = outlook.get(second)
    unknown = outlook.get("/deadline-calendar/feeds/not-a-real-token.ics")
    assert revoked.status_code == unknown.status_code == 404
    assert "Page not found" in revoked.get_data(as_text=True)
    assert _without_tokens(revoked.get_data(as_text=True)) == _without_tokens(unknown.get_data(as_text=True))
    assert "Make a calendar link" in client.get("/deadlines/").get_data(as_text=True)
    actions = [r["action"] for r in rows(db, "SELECT action FROM audit_log WHERE action LIKE 'calendar_feed_%'")]
    assert actions == ["calendar_feed_created", "calendar_feed_created", "calendar_feed_revoked"]


def test_feed_stops_for_suspended_users_and_lost_services(client, sign_in, school_user, generated, db):
    set_today(D(2026, 10, 5))
    sign_in(school_user)
    _, path = _make_feed(client)
    services.set_services(db, school_user["id"], set())
    assert client.get(path).status_code == 404
    services.set_services(db, school_user["id"], {"deadlines"})
    assert client.get(path).status_code == 200
    db.conn.execute("UPDATE users SET status = 'suspended' WHERE id = ?", (school_user["id"],))
    assert client.get(path).status_code == 404


def test_la_feed_holds_every_deadline(client, sign_in, make_user, la, generated, db):
    set_today(D(2026, 10, 5))
    officer = make_user(la, email="officer@la.example.gov.uk")
    services.set_services(db, officer["id"], {"deadlines"})
    sign_in(officer)
    assert "Deadlines calendar" in client.get("/deadline-tracker").get_data(as_text=True)
    _, path = _make_feed(client, "/deadline-calendar")
    events = Calendar.from_ical(client.get(path).data).walk("VEVENT")
    summaries = {str(e["SUMMARY"]) for e in events}
    assert (
        "Due: School Census (autumn) (2026/27)" in summaries
        and "Due: Year 11 intended destinations (2026/27)" in summaries
    )
    assert all("-la@" in str(e["UID"]) for e in events)


def test_feed_links_need_a_csrf_token(app_config, client, sign_in, school_user, generated):
    client.application.config["WTF_CSRF_ENABLED"] = True
    sign_in(school_user)
    assert client.post("/deadline-calendar/link", data={}).status_code == 400
    assert client.post("/deadline-calendar/link/revoke", data={}).status_code == 400


def test_next_must_be_a_local_path(client, sign_in, school_user, generated):
    sign_in(school_user)
    response = client.post("/deadline-calendar/link", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/deadlines/"


@pytest.mark.parametrize("endpoint", ["deadline_calendar.create_feed", "deadline_calendar.revoke_feed"])
@pytest.mark.parametrize("bad", ["/deadlines/\r\nSet-Cookie: x=1", "/\\evil.example", "/\t/evil.example", "/\n",
                                 "/\uff0fevil.example"])  # fmt: skip
def test_a_bad_next_goes_back_to_whats_due_never_a_500(app, client, sign_in, school_user, generated, endpoint, bad):
    sign_in(school_user)
    with app.test_request_context():
        url = url_for(endpoint)
    response = client.post(url, data={"next": bad})
    assert response.status_code == 302
    assert response.headers["Location"] == "/deadlines/"
