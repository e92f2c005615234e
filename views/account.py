"""Your account: details, change password, two-step verification and recovery codes.

The gate that sends people here first (two-step verification to set up, a password to change)
is ``web/gate.py``.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user

from background.mail.templated import send_email
from domain import clock
from domain.security import two_factor
from domain.security.passwords import hash_password, verify_password
from forms.account import ChangePasswordForm, ConfirmPasswordForm, TwoFactorSetupForm
from models import audit, recovery_codes, users
from models.db import transaction
from views.auth import enrol, totp_setup_context
from web.access import signed_in
from web.client import client_details
from web.database import get_db
from web.gate import must_change_password, must_set_up_two_factor, password_expired
from web.passwords import app_hasher
from web.sessions import password_just_chosen, start_session

bp = Blueprint("account", __name__, url_prefix="/account")

WRONG_CURRENT_PASSWORD = "Your current password is not right"  # nosec B105 # an error message, not a password


def _current_password_ok(form) -> bool:
    if verify_password(app_hasher(), current_user.row["password_hash"], form.current_password.data):
        return True
    form.current_password.errors.append(WRONG_CURRENT_PASSWORD)
    return False


def _notify(subject: str, template: str) -> None:
    user = current_user.row
    send_email(user["email"], subject, template, background=True, user=user)


@bp.get("")
@signed_in
def index():
    user = current_user.row
    return render_template(
        "account/index.html",
        user=user,
        enrolled=two_factor.is_enrolled(user),
        required=two_factor.required_for(user, current_app.config),
        codes_left=recovery_codes.count_unused(get_db(), user["id"]),
    )


@bp.route("/change-password", methods=["GET", "POST"])
@signed_in
def change_password():
    user = current_user.row
    forced = must_change_password(user)
    form = ChangePasswordForm()
    form.policy_email = user["email"]
    if form.validate_on_submit() and _current_password_ok(form):
        if form.password.data == form.current_password.data:
            form.password.errors.append("Your new password must be different from your current password")
        else:
            db = get_db()
            new_hash = hash_password(app_hasher(), form.password.data)
            with transaction(db):
                fresh = users.set_password(db, user["id"], new_hash)
                audit.record(db, "password_changed", actor=user, organisation_id=user["organisation_id"],
                             target=user["email"], detail={"forced": forced}, **client_details())
            start_session(fresh, password_chosen=True)  # every other session ended with the version bump
            _notify("your password was changed", "auth/email/password_changed.txt")
            flash("Your password has been changed. Anywhere else you were signed in has been signed out.", "success")
            return redirect(url_for("main.home") if forced else url_for("account.index"))
    return render_template("account/change_password.html", form=form, forced=forced,
                           expired=password_expired(user) and not user["must_change_password"])


@bp.route("/two-step-verification", methods=["GET", "POST"], endpoint="two_factor")
@signed_in
def set_up_two_factor():
    user = current_user.row
    secret = session.get("totp_setup_secret") or two_factor.new_secret()
    session["totp_setup_secret"] = secret
    form = TwoFactorSetupForm()
    ask_password = not password_just_chosen()  # never ask for the password chosen a minute ago
    if not ask_password:
        del form.current_password
    if form.validate_on_submit() and (not ask_password or _current_password_ok(form)):
        step = two_factor.matching_step(secret, form.code.data, clock.now(), None)
        if step is None:
            form.code.errors.append("The code is not right. Check the app shows Gatehouse and try the newest code")
        else:
            codes = enrol(get_db(), user, secret, step)
            session.pop("totp_setup_secret", None)
            _notify("two-step verification was set up", "auth/email/two_factor_changed.txt")
            session["new_recovery_codes"] = codes
            session["after_recovery_codes"] = url_for("account.index")
            return redirect(url_for("account.recovery_codes"))
    return render_template(
        "account/two_factor.html",
        form=form,
        enrolled=two_factor.is_enrolled(user),
        forced=must_set_up_two_factor(user),
        **totp_setup_context(secret, user["email"]),
    )


@bp.route("/two-step-verification/turn-off", methods=["GET", "POST"])
@signed_in
def turn_off_two_factor():
    user = current_user.row
    if two_factor.required_for(user, current_app.config) or not two_factor.is_enrolled(user):
        return redirect(url_for("account.index"))
    form = ConfirmPasswordForm()
    if form.validate_on_submit() and _current_password_ok(form):
        users.reset_totp(get_db(), user["id"], actor=user, **client_details())
        _notify("two-step verification was turned off", "auth/email/two_factor_changed.txt")
        flash("Two-step verification is off.", "success")
        return redirect(url_for("account.index"))
    return render_template("account/turn_off_two_factor.html", form=form)


@bp.route("/recovery-codes/new", methods=["GET", "POST"])
@signed_in
def new_recovery_codes():
    user = current_user.row
    if not two_factor.is_enrolled(user):
        return redirect(url_for("account.index"))
    form = ConfirmPasswordForm()
    if form.validate_on_submit() and _current_password_ok(form):
        codes = two_factor.new_recovery_codes()
        db = get_db()
        with transaction(db):
            recovery_codes.replace(db, user["id"], [two_factor.hash_recovery_code(c) for c in codes])
            audit.record(db, "recovery_codes_regenerated", actor=user, organisation_id=user["organisation_id"],
                         target=user["email"], **client_details())
        session["new_recovery_codes"] = codes
        session["after_recovery_codes"] = url_for("account.index")
        return redirect(url_for("account.recovery_codes"))
    return render_template("account/new_recovery_codes.html", form=form)


@bp.get("/recovery-codes", endpoint="recovery_codes")
@signed_in
def show_recovery_codes():
    """Show newly made recovery codes, once: they leave the session as they are shown."""
    codes = session.pop("new_recovery_codes", None)
    after = session.pop("after_recovery_codes", None) or url_for("main.home")
    if not codes:
        return redirect(url_for("account.index"))
    return render_template("account/recovery_codes.html", codes=codes, after=after)
