"""Approver claim codes: the LA issues one for an organisation with no approver (shown once, as
a printable letter to the headteacher); whoever redeems it becomes approver.

Redeeming works signed in (a user of that organisation is made approver) or by creating an
account. Either way the new approver must set up two-step verification before anything else
(the account gate sees to it). Wrong codes are counted per IP address.
"""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from background.mail.accounts import tell
from domain import clock
from domain.security.passwords import hash_password
from forms.accounts import ButtonForm, ClaimCodeForm, ClaimLettersForm, ClaimNewAccountForm
from models import accounts, claims, users
from views.invitations import email_problem
from web.access import managed_organisation, oversight, oversight_la_code, public
from web.client import access_throttled, client_details, count_attempt, too_many_access_attempts
from web.database import get_db
from web.filters import organisation_choice
from web.passwords import app_hasher
from web.sessions import start_session

bp = Blueprint("claims", __name__, url_prefix="/claims")

NEW_CODE = "new_claim_code"
CLAIMING = "claiming"
CLAIMING_MINUTES = 30
WRONG_CODE = "That code is not right, or it has been used, revoked or has expired. Check it against your letter."


def _claim_for_oversight(claim_id: int) -> dict:
    claim = claims.get(get_db(), claim_id)
    if claim is None:
        abort(404)
    managed_organisation(claim["organisation_id"])
    return claim


@bp.post("/organisations/<int:org_id>")
@oversight
def issue(org_id: int):
    organisation = managed_organisation(org_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        claim, code = claims.issue(get_db(), org_id, int(current_app.config["CLAIM_CODE_DAYS"]),
                                   actor=current_user.row, **client_details())
    except accounts.AccessRefused as error:
        flash(str(error), "error")
        return redirect(url_for("users.organisation_users", org_id=organisation["id"]))
    session[NEW_CODE] = {"claim": claim["id"], "code": code}
    return redirect(url_for("claims.detail", claim_id=claim["id"]))


@bp.route("/letters", methods=["GET", "POST"])
@oversight
def letters():
    """Claim codes for many schools at once: GET lists the schools with no approver and no live code (all chosen);
    POST issues a code for each chosen one and answers with the printable letters, shown this once (not kept, so
    the response is not cached; sending the form again finds those schools have a live code and issues none)."""
    db = get_db()
    needing = claims.schools_needing_codes(db, oversight_la_code())
    form = ClaimLettersForm()
    form.schools.choices = [SelectChoice(s["id"], organisation_choice(s)) for s in needing]
    if request.method == "GET":
        form.schools.data = [s["id"] for s in needing]
    elif form.validate_on_submit():
        days = int(current_app.config["CLAIM_CODE_DAYS"])
        issued = []
        for org_id in form.schools.data:
            try:
                issued.append(claims.issue(db, org_id, days, actor=current_user.row, **client_details()))
            except accounts.AccessRefused as error:  # an approver joined since the form was shown
                flash(str(error), "error")
        response = make_response(render_template("claims/letters.html", issued=issued, claim_url=_claim_url()))
        response.headers["Cache-Control"] = "no-store"
        return response
    return render_template("claims/letters_choose.html", form=form, needing=needing), 400 if form.errors else 200


def _claim_url() -> str:
    """Where a letter tells the headteacher to enter the code."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for("claims.redeem")


@bp.get("/<int:claim_id>")
@oversight
def detail(claim_id: int):
    claim = _claim_for_oversight(claim_id)
    shown = session.get(NEW_CODE)
    code = None
    if shown and shown.get("claim") == claim_id:
        code = session.pop(NEW_CODE)["code"]
    return render_template("claims/detail.html", claim=claim, code=code, form=ButtonForm(), claim_url=_claim_url())


@bp.post("/<int:claim_id>/revoke")
@oversight
def revoke(claim_id: int):
    claim = _claim_for_oversight(claim_id)
    if ButtonForm().validate_on_submit():
        try:
            claims.revoke(get_db(), claim_id, actor=current_user.row, **client_details())
        except accounts.AccessRefused as error:
            flash(str(error), "error")
        else:
            flash("The code is revoked: it no longer works.", "success")
    return redirect(url_for("claims.detail", claim_id=claim["id"]))


# ----------------------------------------------------------------------------- redeeming (public)


def _tell_claimed(user: dict, claim: dict) -> None:
    tell(user["email"], f"you are now an approver of {claim['organisation_name']}", "claims/email/claimed.txt",
         person=user, claim=claim)
    if claim["created_by_email"] != user["email"]:
        tell(claim["created_by_email"], f"claim code used for {claim['organisation_name']}",
             "claims/email/claimed_issuer.txt", person={"name": claim["created_by_name"]}, claim=claim, user=user)


def _redeem_signed_in(claim: dict, form: ClaimCodeForm):
    db = get_db()
    try:
        claims.redeem_as(db, claim["id"], current_user.row, current_app.config, **client_details())
    except accounts.AccessRefused as error:
        form.code.errors.append(str(error))
        return None
    user = users.get(db, current_user.row["id"])
    _tell_claimed(user, claims.get(db, claim["id"]))
    flash(f"You are now an approver of {claim['organisation_name']}.", "success")
    return redirect(url_for("users.index"))


@bp.route("/", methods=["GET", "POST"])
@public
def redeem():
    if access_throttled("claim_code"):
        return too_many_access_attempts()
    form = ClaimCodeForm()
    if form.validate_on_submit():
        claim = claims.find_live(get_db(), form.code.data)
        if claim is None:
            count_attempt("claim_code")
            form.code.errors.append(WRONG_CODE)
        elif current_user.is_authenticated:
            response = _redeem_signed_in(claim, form)
            if response is not None:
                return response
        else:
            session[CLAIMING] = {"claim": claim["id"], "at": clock.iso()}
            return redirect(url_for("claims.new_account"))
    return render_template("claims/redeem.html", form=form)


def _claim_in_progress() -> dict | None:
    state = session.get(CLAIMING)
    if not state:
        return None
    try:
        fresh = clock.now() - clock.parse(state["at"]) <= timedelta(minutes=CLAIMING_MINUTES)
    except (KeyError, ValueError):
        fresh = False
    claim = claims.get(get_db(), state.get("claim", 0)) if fresh else None
    if claim is None or claim["state"] != "live":
        session.pop(CLAIMING, None)
        return None
    return claim


@bp.route("/new-account", methods=["GET", "POST"])
@public
def new_account():
    claim = _claim_in_progress()
    if claim is None or current_user.is_authenticated:
        return redirect(url_for("claims.redeem"))
    form = ClaimNewAccountForm()
    form.policy_email = (form.email.data or "").strip().lower() or None
    if form.validate_on_submit():
        problem = email_problem(form.email.data)
        if problem:
            form.email.errors.append(problem)
        else:
            db = get_db()
            try:
                user = claims.redeem_new_account(
                    db, claim["id"], current_app.config, name=form.name.data, email=form.email.data,
                    password_hash=hash_password(app_hasher(), form.password.data), **client_details(),
                )  # fmt: skip
            except accounts.EmailUnavailable as error:
                form.email.errors.append(str(error))
            except accounts.AccessRefused as error:
                session.pop(CLAIMING, None)
                flash(str(error), "error")
                return redirect(url_for("claims.redeem"))
            else:
                session.pop(CLAIMING, None)
                users.record_sign_in(db, user["id"])
                start_session(users.get(db, user["id"]), password_chosen=True)
                _tell_claimed(users.get(db, user["id"]), claims.get(db, claim["id"]))
                flash(f"You are now an approver of {claim['organisation_name']}.", "success")
                return redirect(url_for("users.index"))
    return render_template("claims/new_account.html", form=form, claim=claim)
