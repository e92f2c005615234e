"""Deadlines as calendars: a month page, and a secret iCalendar feed per user for Outlook.

The feed URL carries a random token (only its SHA-256 is stored). Unknown and revoked
tokens, suspended users and users who lost the Deadlines service all get the same plain
404, so the URL reveals nothing. A school user's feed holds their school's deadlines with
its status; an LA user's holds every deadline.
"""

from __future__ import annotations

import calendar
import datetime as dt
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from icalendar import Calendar, Event

from domain import clock
from domain.dates import bank_holiday_name, parse_region, uk_today
from forms.deadlines import ButtonForm
from models import calendar_feeds, deadline_instances, deadline_statuses, organisations, services, users
from views.deadlines import NEW_FEED_TOKEN, feed_context
from web.access import DEADLINES, any_deadlines, is_school_user, my_school, public
from web.client import client_details
from web.database import get_db
from web.filters import govuk_date
from web.sessions import safe_next

bp = Blueprint("deadline_calendar", __name__, url_prefix="/deadline-calendar")

FEED_PAST_DAYS = 90
FEED_FUTURE_DAYS = 400


def _month(text: str | None, today: dt.date) -> tuple[dt.date, str | None]:
    """The first day of the month asked for (``YYYY-MM``), or this month and an error message."""
    if not text:
        return today.replace(day=1), None
    try:
        first = dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        return today.replace(day=1), "Enter the month as a year and month, like 2026-10"
    if not 2000 <= first.year <= 2097:
        return today.replace(day=1), "Choose a month between 2000 and 2097"
    return first, None


def _items(db, start: dt.date, end: dt.date, on: dt.date, school: dict | None) -> list[dict]:
    """Deadlines due from ``start`` to ``end``: the school's with status, or every one for the LA."""
    if school is not None:
        return deadline_statuses.for_school(db, school, start=start, end=end, on=on)
    return deadline_instances.instances_between(db, start, end)


@bp.get("")
@any_deadlines
def month():
    db = get_db()
    today = uk_today()
    first, error = _month(request.args.get("month"), today)
    weeks = calendar.Calendar(calendar.MONDAY).monthdatescalendar(first.year, first.month)
    school = my_school() if is_school_user(current_user, DEADLINES) else None
    by_day: dict[dt.date, list[dict]] = {}
    for item in _items(db, weeks[0][0], weeks[-1][-1], today, school):
        by_day.setdefault(item["due_on"], []).append(item)
    region = parse_region(current_app.config["BANK_HOLIDAY_REGION"])
    holidays = {day: bank_holiday_name(day, region) for week in weeks for day in week}
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return render_template(
        "deadline_calendar/month.html",
        first=first,
        weeks=weeks,
        by_day=by_day,
        holidays=holidays,
        today=today,
        school=school,
        error=error,
        previous=previous,
        following=following,
        **feed_context(),
    )


def _back() -> str:
    return safe_next(request.form.get("next")) or url_for("deadlines.whats_due")


@bp.post("/link")
@any_deadlines
def create_feed():
    if not ButtonForm().validate_on_submit():
        abort(400)
    session[NEW_FEED_TOKEN] = calendar_feeds.create(get_db(), current_user.row, **client_details())
    return redirect(_back())


@bp.post("/link/revoke")
@any_deadlines
def revoke_feed():
    if not ButtonForm().validate_on_submit():
        abort(400)
    calendar_feeds.revoke(get_db(), current_user.row, **client_details())
    session.pop(NEW_FEED_TOKEN, None)
    return redirect(_back())


def _feed_user(token: str) -> dict | None:
    db = get_db()
    user_id = calendar_feeds.user_id_for_token(db, token)
    user = users.get(db, user_id) if user_id is not None else None
    if user is None or user["status"] != "active" or DEADLINES not in services.effective(db, user):
        return None
    return user


def _description(item: dict, link: str) -> str:
    lines = []
    if item.get("status"):
        lines.append(f"Status: {item['status']['label']}")
    lines.append(f"Opens: {govuk_date(item['opens_on'])}")
    if item["external_due_on"]:
        lines.append(f"External (DfE) deadline: {govuk_date(item['external_due_on'])}")
    lines.append(link)
    return "\n".join(lines)


def build_calendar(user: dict, items: list[dict], base_url: str, name: str) -> bytes:
    """The iCalendar text of ``items``: one all-day event on each due date, stable UIDs."""
    host = urlsplit(base_url).hostname or "gatehouse"
    cal = Calendar()
    cal.add("prodid", "-//Gatehouse//Deadlines//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-published-ttl", "PT6H")
    stamp = clock.now()
    scope = user["organisation_id"] if user["organisation_kind"] == "school" else "la"
    for item in items:
        if scope == "la":
            path = url_for("deadline_tracker.index", instance=item["id"])
        else:
            path = url_for("deadlines.school_return", instance_id=item["id"])
        link = base_url.rstrip("/") + path
        event = Event()
        event.add("uid", f"deadline-{item['id']}-{scope}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", item["due_on"])
        event.add("dtend", item["due_on"] + dt.timedelta(days=1))
        event.add("summary", f"Due: {item['name']} ({item['period_label']})")
        event.add("description", _description(item, link))
        event.add("url", link)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()


@bp.get("/feeds/<token>.ics")
@public
def feed(token: str):
    user = _feed_user(token)
    if user is None:
        abort(404)
    db = get_db()
    today = uk_today()
    start, end = today - dt.timedelta(days=FEED_PAST_DAYS), today + dt.timedelta(days=FEED_FUTURE_DAYS)
    school = organisations.get(db, user["organisation_id"]) if user["organisation_kind"] == "school" else None
    items = _items(db, start, end, today, school)
    name = f"{current_app.config['SERVICE_NAME']} deadlines: {user['organisation_name']}"
    body = build_calendar(user, items, current_app.config["BASE_URL"], name)
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": 'inline; filename="deadlines.ics"', "X-Robots-Tag": "noindex"},
    )
