"""Approvers' tools: the users list, one user's page and every change to an account.

Each change is one models.accounts call (checked and audited in one transaction), then an
email to the person affected, then a redirect to the user's page. A refused change (cap,
last approver, wrong state) changes nothing and says why.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from background.mail.accounts import tell
from domain import clock
from forms.accounts import ButtonForm, CapsForm, HandOverForm, InviteForm, RoleForm, ServicesForm, SuspendForm
from models import account_requests, accounts, audit, claims, invitations, services, users
from views.invitations import email_problem, send_invitation
from web.access import changeable_user, has_oversight, managed_organisation, managed_user, manager, site_admin
from web.client import client_details
from web.database import get_db
from web.downloads import csv_download

bp = Blueprint("users", __name__, url_prefix="/users")


def _me() -> dict:
    return current_user.row


def _tell_change(user: dict, subject: str, change: str, detail: str | None = None) -> None:
    """Email the person whose access changed."""
    tell(user["email"], subject, "users/email/access_changed.txt", person=user, change=change, detail=detail,
         actor=_me(), when=clock.now())


def _refused(error: Exception, user_id: int):
    flash(str(error), "error")
    return redirect(url_for("users.detail", user_id=user_id))


# ----------------------------------------------------------------------------- lists


@bp.get("")
@manager
def index():
    """The Users section: your own organisation's list."""
    return redirect(url_for("users.organisation_users", org_id=_me()["organisation_id"]))


@bp.get("/organisations/<int:org_id>")
@manager
def organisation_users(org_id: int):
    organisation = managed_organisation(org_id)
    db = get_db()
    config = current_app.config
    people = accounts.list_users(db, org_id)
    return render_template(
        "users/index.html",
        organisation=organisation,
        people=people,
        seats=accounts.seat_summary(db, organisation, config),
        requests=account_requests.list_for_organisation(db, org_id),
        unused=accounts.unused_accounts(db, org_id, int(config["REVIEW_UNUSED_DAYS"])),
        unused_days=int(config["REVIEW_UNUSED_DAYS"]),
        claims=claims.list_for_organisation(db, org_id) if has_oversight(current_user) else [],
        has_approver=any(p["role"] == "approver" and p["status"] == "active" for p in people),
        i_am_approver_here=_me()["organisation_id"] == org_id and current_user.is_approver,
        oversight=has_oversight(current_user),
        roles=accounts.ROLES,
        states=accounts.STATES,
        service_names=services.SERVICES,
    )


@bp.get("/organisations/<int:org_id>.csv")
@manager
def export(org_id: int):
    organisation = managed_organisation(org_id)
    db = get_db()
    people = accounts.list_users(db, org_id)
    audit.record(db, "users_exported", actor=_me(), organisation_id=org_id, target=organisation["name"],
                 detail={"rows": len(people)}, **client_details())
    filename = f"gatehouse-users-{organisation['dfe_number']}-{clock.now():%Y%m%d}.csv"
    return csv_download(filename, accounts.CSV_COLUMNS, accounts.csv_rows(people))


@bp.get("/organisations/<int:org_id>/review")
@manager
def review(org_id: int):
    organisation = managed_organisation(org_id)
    days = int(current_app.config["REVIEW_UNUSED_DAYS"])
    return render_template("users/review.html", organisation=organisation, days=days,
                           unused=accounts.unused_accounts(get_db(), org_id, days), roles=accounts.ROLES)


@bp.route("/organisations/<int:org_id>/invite", methods=["GET", "POST"])
@manager
def invite(org_id: int):
    organisation = managed_organisation(org_id)
    form = InviteForm()
    if form.validate_on_submit():
        problem = email_problem(form.email.data)
        if problem:
            form.email.errors.append(problem)
        else:
            try:
                user, token = invitations.invite(
                    get_db(), current_app.config, organisation=organisation, email=form.email.data,
                    name=form.name.data, role=form.role.data, chosen_services=form.services.data or [],
                    actor=_me(), **client_details(),
                )  # fmt: skip
            except accounts.EmailUnavailable as error:
                form.email.errors.append(str(error))
            except accounts.CapReached as error:
                form.role.errors.append(str(error))
            else:
                send_invitation(user, token, organisation)
                flash(f"Invitation sent to {user['email']}.", "success")
                return redirect(url_for("users.organisation_users", org_id=org_id))
    return render_template("users/invite.html", form=form, organisation=organisation,
                           seats=accounts.seat_summary(get_db(), organisation, current_app.config))


@bp.route("/organisations/<int:org_id>/hand-over", methods=["GET", "POST"])
@manager
def hand_over(org_id: int):
    organisation = managed_organisation(org_id)
    me = _me()
    if me["organisation_id"] != org_id or me["role"] != "approver":
        abort(403)
    db = get_db()
    people = [p for p in accounts.list_users(db, org_id) if p["role"] == "end_user" and p["status"] == "active"]
    form = HandOverForm(people=people)
    if form.validate_on_submit():
        try:
            taker = accounts.hand_over(db, me["id"], form.to_user.data, actor=me, **client_details())
        except accounts.AccessRefused as error:
            form.to_user.errors.append(str(error))
        else:
            _tell_change(taker, "you are now an approver",
                         f"{me['name']} handed the approver role at {organisation['name']} to you. You now manage "
                         "its accounts and use every service. You must use two-step verification: you will be "
                         "asked to set it up the next time you sign in, if you have not already.")
            _tell_change(users.get(db, me["id"]), "you are no longer an approver",
                         f"You handed the approver role at {organisation['name']} to {taker['name']}. You are now "
                         "an end user and keep every service you had.")
            flash(f"{taker['name']} is now an approver instead of you.", "success")
            return redirect(url_for("main.home"))
    return render_template("users/hand_over.html", form=form, organisation=organisation, people=people)


@bp.route("/organisations/<int:org_id>/limits", methods=["GET", "POST"])
@site_admin
def limits(org_id: int):
    organisation = managed_organisation(org_id)
    form = CapsForm(data={"approver_cap": organisation["approver_cap"], "end_user_cap": organisation["end_user_cap"]}
                    if request.method == "GET" else None)
    defaults = accounts.caps({**organisation, "approver_cap": None, "end_user_cap": None}, current_app.config)
    if form.validate_on_submit():
        accounts.set_caps(get_db(), org_id, approver_cap=form.approver_cap.data, end_user_cap=form.end_user_cap.data,
                          actor=_me(), **client_details())
        flash("Limits saved.", "success")
        return redirect(url_for("users.organisation_users", org_id=org_id))
    return render_template("users/limits.html", form=form, organisation=organisation, defaults=defaults)


# ----------------------------------------------------------------------------- one user


@bp.get("/<int:user_id>")
@manager
def detail(user_id: int):
    user, organisation = managed_user(user_id)
    return render_template(
        "users/detail.html",
        user=user,
        organisation=organisation,
        roles=accounts.ROLES,
        states=accounts.STATES,
        service_names=services.SERVICES,
        is_me=user["id"] == _me()["id"],
        can_change=not user["is_site_admin"] or current_user.is_site_admin,
    )


def _not_yourself(user: dict, what: str):
    if user["id"] == _me()["id"]:
        flash(f"You cannot {what} your own account. Ask another approver, or hand the approver role over.", "error")
        return redirect(url_for("users.detail", user_id=user["id"]))
    return None


@bp.route("/<int:user_id>/suspend", methods=["GET", "POST"])
@manager
def suspend(user_id: int):
    user, organisation = changeable_user(user_id)
    refused = _not_yourself(user, "suspend")
    if refused:
        return refused
    form = SuspendForm()
    if form.validate_on_submit():
        try:
            changed = accounts.suspend(get_db(), user_id, form.reason.data, actor=_me(), **client_details())
        except accounts.AccessRefused as error:
            return _refused(error, user_id)
        _tell_change(changed, "your account has been suspended",
                     f"Your account at {organisation['name']} has been suspended: you cannot sign in until it is "
                     "reactivated.", f"The reason given: {form.reason.data}")
        flash(f"{user['name']}'s account is suspended and they have been signed out.", "success")
        return redirect(url_for("users.detail", user_id=user_id))
    return render_template("users/suspend.html", form=form, user=user, organisation=organisation)


@bp.post("/<int:user_id>/reactivate")
@manager
def reactivate(user_id: int):
    user, organisation = changeable_user(user_id)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            changed = accounts.reactivate(get_db(), user_id, current_app.config, actor=_me(), **client_details())
        except accounts.AccessRefused as error:
            return _refused(error, user_id)
        _tell_change(changed, "your account is active again",
                     f"Your account at {organisation['name']} has been reactivated: you can sign in again.")
        flash(f"{user['name']}'s account is active again.", "success")
    return redirect(url_for("users.detail", user_id=user_id))


@bp.post("/<int:user_id>/unlock")
@manager
def unlock(user_id: int):
    user, organisation = changeable_user(user_id)
    form = ButtonForm()
    if form.validate_on_submit():
        if users.unlock(get_db(), user_id, actor=_me(), **client_details()):
            _tell_change(user, "your account has been unlocked",
                         f"Your account at {organisation['name']} was locked after too many failed sign-ins. "
                         "It has been unlocked: you can sign in again.")
            flash(f"{user['name']}'s account is unlocked.", "success")
        else:
            flash(f"{user['name']}'s account was not locked.")
    return redirect(url_for("users.detail", user_id=user_id))


@bp.post("/<int:user_id>/reset-two-step-verification")
@manager
def reset_two_factor(user_id: int):
    user, organisation = changeable_user(user_id)
    form = ButtonForm()
    if form.validate_on_submit():
        if users.reset_totp(get_db(), user_id, actor=_me(), **client_details()):
            _tell_change(user, "your two-step verification was reset",
                         "Your authenticator app and recovery codes no longer work for your account at "
                         f"{organisation['name']}. If two-step verification is required for you, you will set it "
                         "up again the next time you sign in.")
            flash(f"{user['name']}'s two-step verification has been reset.", "success")
        else:
            flash(f"{user['name']} had no two-step verification set up.")
    return redirect(url_for("users.detail", user_id=user_id))


@bp.route("/<int:user_id>/services", methods=["GET", "POST"])
@manager
def change_services(user_id: int):
    user, organisation = changeable_user(user_id)
    if user["role"] == "approver" or user["status"] == "removed":
        return redirect(url_for("users.detail", user_id=user_id))
    form = ServicesForm(data={"services": user["services"]} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            added, removed = accounts.set_services(get_db(), user_id, form.services.data or [], actor=_me(),
                                                   **client_details())
        except accounts.AccessRefused as error:
            return _refused(error, user_id)
        if added or removed:
            now = [services.SERVICES[s] for s in sorted(form.services.data or [])]
            _tell_change(user, "your services have changed",
                         f"The services you may use at {organisation['name']} have changed.",
                         "You may now use: " + (", ".join(now) if now else "no services") + ".")
            flash(f"{user['name']}'s services are saved.", "success")
        return redirect(url_for("users.detail", user_id=user_id))
    return render_template("users/services.html", form=form, user=user, organisation=organisation)


@bp.route("/<int:user_id>/role", methods=["GET", "POST"])
@manager
def change_role(user_id: int):
    user, organisation = changeable_user(user_id)
    refused = _not_yourself(user, "change the role of")
    if refused:
        return refused
    form = RoleForm(data={"role": user["role"]} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            changed = accounts.change_role(get_db(), user_id, form.role.data, current_app.config, actor=_me(),
                                           **client_details())
        except accounts.AccessRefused as error:
            form.role.errors.append(str(error))
        else:
            if changed:
                label = accounts.ROLES[form.role.data].lower()
                extra = (" You manage its accounts and use every service, and must use two-step verification."
                         if form.role.data == "approver" else " You keep every service you had.")
                _tell_change(user, f"you are now an {label}",
                             f"Your role at {organisation['name']} is now {label}.{extra}")
                flash(f"{user['name']} is now an {label}.", "success")
            return redirect(url_for("users.detail", user_id=user_id))
    return render_template("users/role.html", form=form, user=user, organisation=organisation)


@bp.route("/<int:user_id>/remove", methods=["GET", "POST"])
@manager
def remove(user_id: int):
    user, organisation = changeable_user(user_id)
    refused = _not_yourself(user, "remove")
    if refused:
        return refused
    if user["status"] == "invited":
        return redirect(url_for("users.detail", user_id=user_id))
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            accounts.remove(get_db(), user_id, actor=_me(), **client_details())
        except accounts.AccessRefused as error:
            return _refused(error, user_id)
        _tell_change(user, "your account has been removed",
                     f"Your account at {organisation['name']} has been removed: you can no longer sign in.")
        flash(f"{user['name']}'s account has been removed.", "success")
        return redirect(url_for("users.organisation_users", org_id=organisation["id"]))
    return render_template("users/remove.html", form=form, user=user, organisation=organisation)


@bp.post("/<int:user_id>/resend-invitation")
@manager
def resend_invitation(user_id: int):
    user, organisation = changeable_user(user_id)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            fresh, token = invitations.resend(get_db(), user_id, current_app.config, actor=_me(), **client_details())
        except accounts.AccessRefused as error:
            return _refused(error, user_id)
        send_invitation(fresh, token, organisation)
        flash(f"A new invitation has gone to {user['email']}. The earlier link no longer works.", "success")
    return redirect(url_for("users.detail", user_id=user_id))


@bp.post("/<int:user_id>/revoke-invitation")
@manager
def revoke_invitation(user_id: int):
    user, organisation = changeable_user(user_id)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            invitations.revoke(get_db(), user_id, actor=_me(), **client_details())
        except accounts.AccessRefused as error:
            return _refused(error, user_id)
        _tell_change(user, "your invitation was withdrawn",
                     f"Your invitation to {organisation['name']} on Gatehouse has been withdrawn: the link in it "
                     "no longer works.")
        flash(f"The invitation to {user['email']} is withdrawn.", "success")
        return redirect(url_for("users.organisation_users", org_id=organisation["id"]))
    return redirect(url_for("users.detail", user_id=user_id))
