"""Account requests: anyone asks for an account at an organisation; approvers (or the LA) decide.

The public pages never say whether an email address has an account: every well-formed
request gets the same "request sent" page, and what happens next arrives by email at that
address (a confirmation, "you already have an account", or "we already have your request").
Emails go from background threads, so the response time says nothing either. Requests are
counted per IP address (ACCESS_IP_LIMIT per ACCESS_IP_WINDOW_MINUTES).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from background.mail.accounts import tell, tell_each
from domain import access_rules
from domain.dates import uk_today
from forms.accounts import AccountRequestForm, DecisionForm, FindOrganisationForm
from models import account_requests, accounts, organisations, users
from models.services import SERVICES
from views.invitations import email_problem, send_invitation
from web.access import has_oversight, manager, may_manage, oversight_la_code, public
from web.client import access_throttled, client_details, count_attempt, too_many_access_attempts
from web.database import get_db

bp = Blueprint("account_requests", __name__, url_prefix="/account-requests")

RESULTS_SHOWN = 20


# ----------------------------------------------------------------------------- public pages


@bp.get("/new")
@public
def start():
    form = FindOrganisationForm(request.args)
    found = None
    if form.q.data and form.validate():
        found = organisations.search(get_db(), query=form.q.data, status="open", per_page=RESULTS_SHOWN)
    return render_template("account_requests/start.html", form=form, found=found)


def _requestable(org_id: int) -> dict:
    organisation = organisations.get(get_db(), org_id)
    if organisation is None or organisation["status"] == "closed":
        abort(404)
    return organisation


def _timetable():
    config = current_app.config
    return access_rules.request_timetable(
        uk_today(), working_days=int(config["REQUEST_DUE_WORKING_DAYS"]),
        close_days=int(config["REQUEST_CLOSE_DAYS"]), region=config["BANK_HOLIDAY_REGION"],
    )  # fmt: skip


def deciders(db, organisation: dict) -> tuple[list[dict], bool]:
    """Who decides a request at ``organisation``: its active approvers, else the LA (second value True)."""
    approvers = accounts.active_approvers(db, organisation["id"])
    if approvers:
        return approvers, False
    return accounts.la_contacts(db, organisation["la_code"]), True


def _record_request(db, organisation: dict, form: AccountRequestForm) -> None:
    """Store the request and email its deciders and the requester (or tell the requester why not)."""
    email = form.email.data
    context = {"organisation": organisation, "name": form.name.data}
    existing = users.get_by_email(db, email)
    if existing is not None and existing["status"] != "removed":
        tell(email, "your account request", "account_requests/email/already_have_account.txt", **context)
        return
    if account_requests.open_request_for(db, organisation["id"], email):
        tell(email, "your account request", "account_requests/email/duplicate.txt", **context)
        return
    people, to_la = deciders(db, organisation)
    timetable = _timetable()
    details = client_details()
    created = account_requests.create(
        db, organisation=organisation, name=form.name.data, email=email, reason=form.reason.data,
        chosen_services=form.services.data or [], routed_to_la=to_la, timetable=timetable,
        ip=details["ip"], user_agent=details["user_agent"],
    )  # fmt: skip
    tell(email, "we have your account request", "account_requests/email/received.txt", request_row=created, **context)
    tell_each(people, f"account request from {created['name']}", "account_requests/email/new_request.txt",
              request_row=created, to_la=to_la, service_names=SERVICES)


@bp.route("/new/<int:org_id>", methods=["GET", "POST"])
@public
def ask(org_id: int):
    organisation = _requestable(org_id)
    form = AccountRequestForm()
    if form.validate_on_submit():
        if access_throttled("account_request"):
            return too_many_access_attempts()
        problem = email_problem(form.email.data)
        if problem:
            form.email.errors.append(problem)
        else:
            count_attempt("account_request")
            _record_request(get_db(), organisation, form)
            return redirect(url_for("account_requests.sent", org_id=org_id))
    return render_template("account_requests/ask.html", form=form, organisation=organisation)


@bp.get("/new/<int:org_id>/sent")
@public
def sent(org_id: int):
    return render_template("account_requests/sent.html", organisation=_requestable(org_id))


# ----------------------------------------------------------------------------- deciding


def _visible_request(request_id: int) -> tuple[dict, dict]:
    """``(request, organisation)`` for someone who may manage the organisation's accounts; else 404."""
    db = get_db()
    found = account_requests.get(db, request_id)
    if found is None:
        abort(404)
    organisation = organisations.get(db, found["organisation_id"])
    if not may_manage(organisation):
        abort(404)
    return found, organisation


def may_decide(found: dict) -> bool:
    """Approvers of the organisation decide; the LA (oversight) decides requests sent to it or escalated."""
    me = current_user.row
    if me["organisation_id"] == found["organisation_id"] and me["role"] == "approver":
        return True
    if has_oversight(current_user):
        scope = oversight_la_code()
        return found["with_la"] and (scope is None or found["organisation_la_code"] == scope)
    return False


def _approve(db, found: dict, organisation: dict, form: DecisionForm):
    try:
        _, user, token = account_requests.approve(
            db, found["id"], current_app.config, actor=current_user.row, role=form.role.data,
            chosen_services=form.services.data or [], **client_details(),
        )  # fmt: skip
    except accounts.CapReached as error:
        form.role.errors.append(str(error))
        return None
    except accounts.EmailUnavailable as error:
        form.decision.errors.append(str(error) + " Reject the request and say so in the reason.")
        return None
    send_invitation(user, token, organisation, approved_request=True)
    flash(f"Approved: {found['name']} has been sent an invitation.", "success")
    return redirect(url_for("users.organisation_users", org_id=organisation["id"]))


def _reject(db, found: dict, organisation: dict, form: DecisionForm):
    rejected = account_requests.reject(db, found["id"], form.reason.data, actor=current_user.row, **client_details())
    tell(rejected["email"], "your account request", "account_requests/email/rejected.txt", request_row=rejected,
         organisation=organisation)
    flash(f"Rejected: {found['name']} has been emailed your reason.", "success")
    return redirect(url_for("users.organisation_users", org_id=organisation["id"]))


@bp.route("/<int:request_id>", methods=["GET", "POST"])
@manager
def detail(request_id: int):
    found, organisation = _visible_request(request_id)
    allowed = may_decide(found)
    form = DecisionForm(data={"services": found["services"], "role": "end_user"} if request.method == "GET" else None)
    if request.method == "POST":
        if not allowed:
            abort(403)
        if form.validate_on_submit():
            db = get_db()
            try:
                response = (_approve if form.decision.data == "approve" else _reject)(db, found, organisation, form)
            except account_requests.AlreadyDecided as decided:
                flash(f"{decided.request['decided_by_name'] or 'Someone'} decided this request first.")
                return redirect(url_for("account_requests.detail", request_id=request_id))
            if response is not None:
                return response
    return render_template("account_requests/detail.html", found=found, organisation=organisation, form=form,
                           allowed=allowed, statuses=account_requests.STATUSES, service_names=SERVICES)
