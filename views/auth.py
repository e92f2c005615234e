"""Signing in (password, then a code from an authenticator app), signing out and password reset.

Sign-in never says which part was wrong: an unknown email, a wrong password, a locked or
suspended account all get :data:`GENERIC_FAILURE`, after the same argon2 work. Only the right
password for a locked account is told :data:`LOCKED` (it proved it knows the password), with when
the lock ends and how to end it sooner. Failures are
counted per account (lockout) and per IP address (throttle), both in the database.

After the password, a user with an authenticator is only *half* signed in: the session holds
``pending`` (user id, session version, time, stage) for :data:`PENDING_MINUTES`, and nobody
is signed in (``current_user`` stays anonymous) until the second step succeeds.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from background.mail.templated import send_email
from domain import clock
from domain.security import two_factor
from domain.security.passwords import hash_password, needs_rehash, verify_password
from domain.security.tokens import hash_token, new_token
from forms.auth import (
    NewPasswordForm,
    PasswordResetRequestForm,
    RecoveryCodeForm,
    SignInForm,
    SignInTwoFactorSetupForm,
    TotpCodeForm,
)
from models import audit, auth_tokens, recovery_codes, throttles, users
from models.db import transaction
from web import sessions
from web.access import public
from web.client import client_details, count_attempt, ip_throttled, too_many
from web.database import get_db
from web.passwords import app_hasher
from web.sessions import end_session, safe_next, start_session

bp = Blueprint("auth", __name__)

GENERIC_FAILURE = "Your email address or password is wrong"
LOCKED = "Your account is locked because there were too many failed attempts to sign in"
WRONG_CODE = "The code is not right, or it has been used already. Wait for the next code and try again"
WRONG_RECOVERY_CODE = "That recovery code is not right, or it has been used already"
PENDING_MINUTES = 5
LOCKED_DURING_SECOND_STEP = (
    "You entered too many wrong codes, so your account is locked for a while. We have emailed you how to unlock it."
)


# ---------------------------------------------------------------------------- throttling


def _signin_throttled(db) -> bool:
    cfg = current_app.config
    return ip_throttled("signin_failure", cfg["SIGNIN_IP_LIMIT"], cfg["SIGNIN_IP_WINDOW_MINUTES"])


def _signin_throttle_response():
    minutes = current_app.config["SIGNIN_IP_WINDOW_MINUTES"]
    return too_many(
        f"There have been too many failed sign-ins from your network. Wait {minutes} minutes and try again.",
        audit_action="signin_throttled",
        window_minutes=minutes,
    )


# ---------------------------------------------------------------------------- failures


def _email_locked(user: dict, locked_until: str | None) -> None:
    send_email(
        user["email"],
        "your account is locked",
        "auth/email/account_locked.txt",
        background=True,
        user=user,
        locked_until=locked_until,
        minutes=current_app.config["LOCKOUT_MINUTES"],
    )


def _record_failure(db, user: dict | None, target: str, reason: str) -> dict | None:
    """Count a failed attempt (per IP always; per account for a wrong password or code).

    Audits ``sign_in_failed`` and, when this failure locks the account, ``account_locked``
    (and emails the user). Returns the lock result for account failures, else None.
    """
    cfg = current_app.config
    details = client_details()
    organisation_id = user["organisation_id"] if user else None
    lock = None
    with transaction(db):
        count_attempt("signin_failure")
        if reason in {"wrong_password", "wrong_code", "wrong_recovery_code"}:
            lock = users.record_failed_sign_in(
                db, user["id"], threshold=cfg["LOCKOUT_THRESHOLD"], minutes=cfg["LOCKOUT_MINUTES"]
            )
        audit.record(db, "sign_in_failed", organisation_id=organisation_id, target=target, detail={"reason": reason},
                     **details)
        if lock and lock["locked_now"]:
            audit.record(db, "account_locked", organisation_id=organisation_id, target=user["email"],
                         detail={"locked_until": lock["locked_until"], "failed_attempts": lock["failed_attempts"]},
                         **details)
    if lock and lock["locked_now"]:
        _email_locked(user, lock["locked_until"])
    return lock


def _refusal(user: dict | None, password_ok: bool) -> str | None:
    """Why the password step fails (for the audit log only), or None when it succeeds."""
    if user is None:
        return "unknown_email"
    if user["status"] != "active":
        return f"account_{user['status']}"
    if users.is_locked(user):
        return "locked"
    if not password_ok:
        return "wrong_password"
    return None


def _check_password(db, user: dict | None, password: str) -> bool:
    """Verify (always doing the argon2 work) and rehash when the parameters changed."""
    ph = app_hasher()
    ok = verify_password(ph, user["password_hash"] if user else None, password)
    if ok and needs_rehash(ph, user["password_hash"]):
        users.update_password_hash(db, user["id"], hash_password(ph, password))
    return ok


# ---------------------------------------------------------------------------- half signed in


def _start_pending(user: dict, stage: str, next_url: str | None, **extra) -> None:
    session.clear()
    session["pending"] = {
        "uid": user["id"],
        "sv": user["session_version"],
        "at": clock.iso(),
        "stage": stage,
        "next": next_url,
        **extra,
    }


def _pending(stage: str) -> tuple[dict, dict] | None:
    """Return ``(pending, user)`` for a live half-signed-in state at ``stage``, else None.

    A state older than :data:`PENDING_MINUTES`, or whose user was since suspended, locked or
    had their sessions ended, is dropped.
    """
    pending = session.get("pending")
    if not pending or pending.get("stage") != stage:
        return None
    try:
        started = clock.parse(pending["at"])
    except (KeyError, ValueError):
        started = None
    user = users.get(get_db(), pending.get("uid", 0))
    fresh = started is not None and clock.now() - started <= timedelta(minutes=PENDING_MINUTES)
    if not fresh or user is None or user["status"] != "active" or user["session_version"] != pending.get("sv"):
        session.pop("pending", None)
        if not fresh:
            flash(f"It has been more than {PENDING_MINUTES} minutes since you entered your password. Sign in again.")
        return None
    if users.is_locked(user):
        session.pop("pending", None)
        return None
    return pending, user


def _restart_sign_in():
    return redirect(url_for("auth.sign_in"))


def _complete_sign_in(db, user: dict, next_url: str | None, method: str):
    """Sign ``user`` in with a fresh session, reset their failure count and audit ``sign_in``."""
    with transaction(db):
        users.record_sign_in(db, user["id"])
        audit.record(db, "sign_in", actor=user, organisation_id=user["organisation_id"], detail={"method": method},
                     **client_details())
    start_session(users.get(db, user["id"]))
    return redirect(safe_next(next_url) or url_for("main.home"))


def _after_password(db, user: dict):
    """The password was right: ask for the second step, set it up, or sign in."""
    next_url = safe_next(request.args.get("next"))
    if two_factor.is_enrolled(user):
        _start_pending(user, "code", next_url)
        return redirect(url_for("auth.sign_in_code"))
    if two_factor.required_for(user, current_app.config):
        _start_pending(user, "enrol", next_url, secret=two_factor.new_secret())
        return redirect(url_for("auth.set_up_two_factor"))
    return _complete_sign_in(db, user, next_url, "password")


# ---------------------------------------------------------------------------- pages


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        db = get_db()
        if _signin_throttled(db):
            return _signin_throttle_response()
        user = users.get_by_email(db, form.email.data)
        password_ok = _check_password(db, user, form.password.data)
        reason = _refusal(user, password_ok)
        if reason is None:
            return _after_password(db, user)
        _record_failure(db, user, form.email.data.strip().lower(), reason)
        if reason == "locked" and password_ok:
            form.email.errors.append(LOCKED)
            return render_template("auth/sign_in.html", form=form, locked_until=user["locked_until"])
        form.email.errors.append(GENERIC_FAILURE)
    return render_template("auth/sign_in.html", form=form, session_ended=session.pop("ended", None))


def _second_step_failed(db, user: dict, reason: str, form_field, message: str):
    lock = _record_failure(db, user, user["email"], reason)
    if lock and lock["locked_until"]:
        session.pop("pending", None)
        flash(LOCKED_DURING_SECOND_STEP)
        return _restart_sign_in()
    form_field.errors.append(message)
    return None


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
def sign_in_code():
    found = _pending("code")
    if found is None:
        return _restart_sign_in()
    pending, user = found
    form = TotpCodeForm()
    if form.validate_on_submit():
        db = get_db()
        if _signin_throttled(db):
            return _signin_throttle_response()
        step = two_factor.matching_step(user["totp_secret"], form.code.data, clock.now(), user["totp_last_step"])
        if step is not None and users.use_totp_step(db, user["id"], step):
            return _complete_sign_in(db, user, pending["next"], "totp")
        response = _second_step_failed(db, user, "wrong_code", form.code, WRONG_CODE)
        if response is not None:
            return response
    return render_template("auth/sign_in_code.html", form=form)


@bp.route("/sign-in/recovery-code", methods=["GET", "POST"])
@public
def sign_in_recovery_code():
    found = _pending("code")
    if found is None:
        return _restart_sign_in()
    pending, user = found
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        db = get_db()
        if _signin_throttled(db):
            return _signin_throttle_response()
        if recovery_codes.use(db, user["id"], two_factor.hash_recovery_code(form.code.data)):
            left = recovery_codes.count_unused(db, user["id"])
            audit.record(db, "recovery_code_used", actor=user, organisation_id=user["organisation_id"],
                         detail={"codes_left": left}, **client_details())
            response = _complete_sign_in(db, user, pending["next"], "recovery_code")
            flash(f"You used a recovery code. You have {left} left: make new ones from your account page "
                  "if you are running out.")
            return response
        response = _second_step_failed(db, user, "wrong_recovery_code", form.code, WRONG_RECOVERY_CODE)
        if response is not None:
            return response
    return render_template("auth/sign_in_recovery_code.html", form=form)


@bp.route("/sign-in/set-up-two-step-verification", methods=["GET", "POST"])
@public
def set_up_two_factor():
    found = _pending("enrol")
    if found is None:
        return _restart_sign_in()
    pending, user = found
    secret = pending["secret"]
    form = SignInTwoFactorSetupForm()
    if form.validate_on_submit():
        step = two_factor.matching_step(secret, form.code.data, clock.now(), None)
        if step is not None:
            db = get_db()
            codes = enrol(db, user, secret, step)
            _complete_sign_in(db, user, pending["next"], "password_then_enrolment")
            session["new_recovery_codes"] = codes
            session["after_recovery_codes"] = safe_next(pending["next"])
            return redirect(url_for("account.recovery_codes"))
        form.code.errors.append("The code is not right. Check the app shows Gatehouse and try the newest code")
    return render_template("auth/set_up_two_factor.html", form=form, **totp_setup_context(secret, user["email"]))


def enrol(db, user: dict, secret: str, step: int) -> list[str]:
    """Store a confirmed authenticator and 10 new recovery codes; audit; return the codes to show once."""
    codes = two_factor.new_recovery_codes()
    with transaction(db):
        users.enrol_totp(db, user["id"], secret, step)
        recovery_codes.replace(db, user["id"], [two_factor.hash_recovery_code(c) for c in codes])
        audit.record(db, "totp_enrolled", actor=user, organisation_id=user["organisation_id"], target=user["email"],
                     **client_details())
    return codes


def totp_setup_context(secret: str, email: str) -> dict:
    """What the QR-code partial needs: the inline SVG and the secret to type by hand."""
    uri = two_factor.provisioning_uri(secret, email, current_app.config["SERVICE_NAME"])
    return {"qr_svg": two_factor.qr_svg(uri), "secret_text": two_factor.grouped_secret(secret)}


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
    reason = request.args.get("reason")
    if current_user.is_authenticated and reason == "idle":
        # The page's timer sends people here; end the session only when the server agrees
        # it has been idle (so a link from elsewhere cannot sign anyone out).
        if sessions.idle_seconds() >= sessions.idle_limit_seconds() - 60:
            end_session()
        else:
            return redirect(url_for("main.home"))
    return render_template("auth/signed_out.html", reason=reason)


@bp.get("/session/status")
@public
def session_status():
    """For the idle warning: seconds until this session ends (asking does not count as activity)."""
    if not current_user.is_authenticated:
        return {"signed_in": False, "seconds_left": 0}
    return {"signed_in": True, "seconds_left": sessions.seconds_left()}


# ---------------------------------------------------------------------------- password reset


def _email_hash(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()


def _reset_throttled(db) -> bool:
    cfg = current_app.config
    return ip_throttled("password_reset", cfg["PASSWORD_RESET_IP_LIMIT"], cfg["PASSWORD_RESET_WINDOW_MINUTES"])


def _issue_reset(db, email: str) -> tuple[dict, str] | None:
    """Record the request; make a token when there is an active account and its limit allows.

    Does the same database work whether or not the address has an account.
    """
    cfg = current_app.config
    email_hash = _email_hash(email)
    window = cfg["PASSWORD_RESET_WINDOW_MINUTES"]
    within_limit = throttles.count_for_key(db, "password_reset", email_hash, window) < cfg["PASSWORD_RESET_EMAIL_LIMIT"]
    user = users.get_by_email(db, email)
    eligible = user is not None and user["status"] == "active" and within_limit
    token = None
    with transaction(db):
        count_attempt("password_reset", email_hash)
        if eligible:
            token, token_hash = new_token()
            auth_tokens.create(db, user["id"], "password_reset", token_hash, cfg["PASSWORD_RESET_MINUTES"])
        audit.record(db, "password_reset_requested", organisation_id=user["organisation_id"] if user else None,
                     target=email, detail={"link_sent": eligible, "within_limit": within_limit}, **client_details())
    return (user, token) if eligible else None


@bp.route("/password-reset", methods=["GET", "POST"])
@public
def password_reset_request():
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        db = get_db()
        minutes = current_app.config["PASSWORD_RESET_WINDOW_MINUTES"]
        if _reset_throttled(db):
            return too_many(f"There have been too many password reset requests from your network. "
                            f"Wait {minutes} minutes and try again.",
                            audit_action="password_reset_throttled", window_minutes=minutes)
        issued = _issue_reset(db, form.email.data.strip().lower())
        if issued:
            user, token = issued
            send_email(user["email"], "reset your password", "auth/email/password_reset.txt", background=True,
                       user=user, token=token, minutes=current_app.config["PASSWORD_RESET_MINUTES"])
        return redirect(url_for("auth.password_reset_sent"))
    return render_template("auth/password_reset_request.html", form=form)


@bp.get("/password-reset/sent")
@public
def password_reset_sent():
    return render_template("auth/password_reset_sent.html", minutes=current_app.config["PASSWORD_RESET_MINUTES"])


def _link_is_dead():
    return render_template("auth/password_reset_invalid.html"), 410


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@public
def password_reset(token: str):
    db = get_db()
    found = auth_tokens.find_valid(db, "password_reset", hash_token(token))
    user = users.get(db, found["user_id"]) if found else None
    if user is None or user["status"] != "active":
        return _link_is_dead()
    form = NewPasswordForm()
    form.policy_email = user["email"]
    if form.validate_on_submit():
        new_hash = hash_password(app_hasher(), form.password.data)
        details = client_details()
        with transaction(db):
            if not auth_tokens.consume(db, found["id"]):
                return _link_is_dead()
            users.set_password(db, user["id"], new_hash)
            audit.record(db, "password_reset", organisation_id=user["organisation_id"], target=user["email"], **details)
            if user["locked_until"] or user["failed_attempts"]:
                audit.record(db, "account_unlocked", organisation_id=user["organisation_id"], target=user["email"],
                             detail={"by": "password_reset"}, **details)
        send_email(user["email"], "your password was changed", "auth/email/password_changed.txt", background=True,
                   user=user)
        if current_user.is_authenticated and current_user.id == user["id"]:
            end_session()
        flash("Your password has been changed. Sign in with your new password.", "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/password_reset.html", form=form)
