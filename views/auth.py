"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from forms.auth import SignInForm
from models import audit, users
from security.passwords import verify_password
from web.database import get_db
from web.passwords import app_hasher
from web.permissions import public
from web.sessions import end_session, safe_next, start_session

bp = Blueprint("auth", __name__)

GENERIC_FAILURE = "Your email address or password is wrong"


def client_details() -> dict:
    """The IP address and user agent recorded with audit events."""
    return {"ip": request.remote_addr, "user_agent": request.headers.get("User-Agent")}


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        db = get_db()
        user = users.get_by_email(db, form.email.data)
        ok = user is not None and user["status"] == "active"
        ok = verify_password(app_hasher(), user["password_hash"] if user else None, form.password.data) and ok
        if ok:
            start_session(user)
            audit.record(db, "sign_in", actor=user, organisation_id=user["organisation_id"], **client_details())
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
        audit.record(db, "sign_in_failed", target=form.email.data.lower(), **client_details())
        form.email.errors.append(GENERIC_FAILURE)
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
@public
def sign_out():
    if current_user.is_authenticated:
        user = current_user.row
        audit.record(get_db(), "sign_out", actor=user, organisation_id=user["organisation_id"], **client_details())
    end_session()
    return redirect(url_for("auth.signed_out"))


@bp.get("/signed-out")
@public
def signed_out():
    if current_user.is_authenticated and request.args.get("reason") == "idle":
        end_session()
    return render_template("auth/signed_out.html", reason=request.args.get("reason"))
