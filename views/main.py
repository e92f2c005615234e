"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from models import deadlines
from views.deadlines import is_school_user, my_school
from web.database import get_db
from web.permissions import public, signed_in

bp = Blueprint("main", __name__)

HOME_UPCOMING = 3


@bp.get("/")
@signed_in
def home():
    due = None
    if is_school_user(current_user):
        due = deadlines.whats_due(get_db(), my_school())
    return render_template("main/home.html", due=due, upcoming_shown=HOME_UPCOMING)


@bp.get("/healthz")
@public
def health():
    return {"status": "ok"}
