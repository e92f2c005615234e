"""Organisations for LA staff and site admins: the searchable list and one organisation's page.

A school's page is the LA's hub for it: its register entry, its accounts (approvers, seats, a claim code to
issue when it has no approver) for those who manage them, and its deadlines and returns for LA users of
those services.

Site admins see every organisation; LA staff see their own LA's (another LA's organisation
is a 404). School users get 403 from the permission decorator.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user

from forms.organisations import OrganisationSearchForm
from models import accounts, claims, deadline_statuses, organisations, returns
from web.access import DEADLINES, RETURNS, has_oversight, is_la_user, la_staff, may_manage
from web.database import get_db
from web.pagination import page_links
from web.rendering import render_page

bp = Blueprint("organisations", __name__, url_prefix="/organisations")

PER_PAGE = 50
#: How many of a school's returns its page lists (newest due first).
RETURNS_SHOWN = 10
#: A school's page lists its overdue returns and those due in this many weeks.
DEADLINE_WEEKS = 4


def _la_scope() -> str | None:
    """The LA code the current user is limited to, or None (site admins see every LA)."""
    if current_user.is_site_admin:
        return None
    return current_user.row["organisation_la_code"]


@bp.get("")
@la_staff
def index():
    db = get_db()
    scope = _la_scope()
    form = OrganisationSearchForm(request.args, phases=organisations.phases(db, scope))
    result, pagination = None, None
    if form.validate():
        result = organisations.search(
            db,
            query=form.q.data or "",
            status=form.status.data or "",
            phase=form.phase.data or "",
            la_code=scope,
            page=request.args.get("page", 1, type=int),
            per_page=PER_PAGE,
        )
        query = form.query_args()
        pagination = page_links(
            result["page"], result["pages"], lambda n: url_for("organisations.index", page=n, **query)
        )
    return render_page(
        "organisations/index.html",
        "organisations/_results.html",
        form=form,
        result=result,
        pagination=pagination,
        searching=bool(form.query_args()),
    )


@bp.get("/<int:org_id>")
@la_staff
def detail(org_id: int):
    db = get_db()
    org = organisations.get(db, org_id)
    scope = _la_scope()
    if org is None or (scope is not None and org["la_code"] != scope):
        abort(404)
    la = organisations.get_la(db, org["la_code"]) if org["kind"] == "school" else None
    last_import = organisations.get_import(db, org["gias_import_id"])
    return render_template("organisations/detail.html", org=org, la=la, last_import=last_import,
                           **_hub(db, org))  # fmt: skip


def _hub(db, org: dict) -> dict:
    """What the viewer may see and do about the organisation beyond its register entry: its accounts
    (approvers, seats, claim codes) for those who manage them, and a school's deadlines and returns for LA
    users of Deadlines and of Returns. Each part is None when the viewer may not see it."""
    me = current_user
    hub = {"accounts": None, "deadlines": None, "returns": None}
    if may_manage(org):
        codes = [c for c in claims.list_for_organisation(db, org["id"]) if c["state"] == "live"]
        approvers = accounts.active_approvers(db, org["id"])
        hub["accounts"] = {
            "approvers": approvers, "seats": accounts.seat_summary(db, org, current_app.config), "live_codes": codes,
            "may_issue_code": has_oversight(me) and not approvers and not codes and org["status"] != "closed",
        }  # fmt: skip
    if org["kind"] != "school":
        return hub
    if is_la_user(me, DEADLINES):
        hub["deadlines"] = deadline_statuses.whats_due(db, org, weeks=DEADLINE_WEEKS)
    if is_la_user(me, RETURNS):
        hub["returns"] = returns.school_returns(db, org["id"])[:RETURNS_SHOWN]
    return hub
