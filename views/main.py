"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_login import current_user

from models import account_requests, deadline_statuses, duplicates, returns
from web.access import (
    DEADLINES,
    RETURNS,
    has_oversight,
    is_la_user,
    is_school_user,
    my_school,
    oversight_la_code,
    public,
    signed_in,
)
from web.database import get_db

bp = Blueprint("main", __name__)

HOME_UPCOMING = 3


def waiting_for(user) -> list[dict]:
    """What waits for ``user`` to act on, as ``{"count", "one", "many", "href"}``: account requests for an
    approver's organisation or the LA's oversight, returns submitted to the LA for review, open duplicate pupil
    cases (the LA's, or a school's own). Empty
    queues are left out."""
    db = get_db()
    queues = []
    if user.is_approver and not user.is_la_staff:
        org_id = user.row["organisation_id"]
        queues.append({"count": account_requests.count_open_for(db, org_id), "one": "account request to decide",
                       "many": "account requests to decide",
                       "href": url_for("users.organisation_users", org_id=org_id)})  # fmt: skip
    if has_oversight(user):
        queues.append({"count": account_requests.count_with_la(db, oversight_la_code()),
                       "one": "account request sent to the LA", "many": "account requests sent to the LA",
                       "href": url_for("oversight.index")})  # fmt: skip
    if is_la_user(user, RETURNS):
        la_code = None if user.is_site_admin else user.row["organisation_la_code"]
        queues.append({"count": returns.count_awaiting_review(db, la_code), "one": "return submitted for review",
                       "many": "returns submitted for review", "href": url_for("returns_review.index")})  # fmt: skip
        queues.append({"count": duplicates.count_active(db, la_code=la_code), "one": "duplicate pupil case open",
                       "many": "duplicate pupil cases open", "href": url_for("duplicates.index")})  # fmt: skip
    elif is_school_user(user, RETURNS):
        queues.append({"count": duplicates.count_active(db, own_school=user.row["organisation_id"]),
                       "one": "duplicate pupil to check with another school",
                       "many": "duplicate pupils to check with other schools",
                       "href": url_for("duplicates.index")})  # fmt: skip
    return [queue for queue in queues if queue["count"]]


@bp.get("/")
@signed_in
def home():
    due = None
    if is_school_user(current_user, DEADLINES):
        due = deadline_statuses.whats_due(get_db(), my_school())
    return render_template("main/home.html", due=due, upcoming_shown=HOME_UPCOMING, waiting=waiting_for(current_user))


@bp.get("/healthz")
@public
def health():
    return {"status": "ok"}
