"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from models import deadline_statuses
from web.access import DEADLINES, is_school_user, my_school, public, signed_in
from web.database import get_db

bp = Blueprint("main", __name__)

HOME_UPCOMING = 3


@bp.get("/")
@signed_in
def home():
    due = None
    if is_school_user(current_user, DEADLINES):
        due = deadline_statuses.whats_due(get_db(), my_school())
    return render_template("main/home.html", due=due, upcoming_shown=HOME_UPCOMING)


@bp.get("/healthz")
@public
def health():
    return {"status": "ok"}
