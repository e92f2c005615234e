"""Accepting an invitation: the emailed link, choosing a password, signing in.

Also the helpers the other access pages share: the email domain rules and the invitation
email. Wrong or dead links are counted per IP address (ACCESS_IP_LIMIT) like other public
access attempts.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for

from background.mail.accounts import tell
from domain import access_rules
from domain.security.passwords import hash_password
from domain.security.tokens import hash_token
from forms.accounts import AcceptInvitationForm
from models import invitations, users
from web.access import public
from web.client import access_throttled, client_details, count_attempt, too_many_access_attempts
from web.database import get_db
from web.passwords import app_hasher
from web.sessions import start_session

bp = Blueprint("invitations", __name__, url_prefix="/invitations")


def email_problem(email: str) -> str | None:
    """Why ``email`` may not be used under BLOCKED_EMAIL_DOMAINS / ALLOWED_EMAIL_DOMAINS, or None."""
    config = current_app.config
    return access_rules.domain_problem(
        email,
        blocked=access_rules.parse_domains(config["BLOCKED_EMAIL_DOMAINS"]),
        allowed=access_rules.parse_domains(config["ALLOWED_EMAIL_DOMAINS"]),
    )


def send_invitation(user: dict, token: str, organisation: dict, *, approved_request: bool = False) -> None:
    """Email the invitation link (valid INVITATION_DAYS) to the invited person."""
    tell(user["email"], f"your account at {organisation['name']}", "invitations/email/invitation.txt",
         person=user, token=token, organisation=organisation, days=current_app.config["INVITATION_DAYS"],
         approved_request=approved_request)


def _dead_link():
    count_attempt("invitation")
    return render_template("invitations/invalid.html"), 410


@bp.route("/<token>", methods=["GET", "POST"])
@public
def accept(token: str):
    if access_throttled("invitation"):
        return too_many_access_attempts()
    db = get_db()
    found = invitations.find(db, hash_token(token))
    if found is None:
        return _dead_link()
    token_row, user = found
    form = AcceptInvitationForm()
    form.policy_email = user["email"]
    if form.validate_on_submit():
        password_hash = hash_password(app_hasher(), form.password.data)
        try:
            accepted = invitations.accept(db, token_row["id"], user["id"], password_hash, **client_details())
        except invitations.WrongState:
            accepted = None
        if accepted is None:
            return _dead_link()
        tell(accepted["email"], "your account is ready", "invitations/email/accepted.txt", person=accepted)
        users.record_sign_in(db, accepted["id"])
        start_session(users.get(db, accepted["id"]), password_chosen=True)
        flash(f"Your account at {accepted['organisation_name']} is ready.", "success")
        return redirect(url_for("main.home"))
    return render_template("invitations/accept.html", form=form, user=user)
