"""Account activity from the audit log: an organisation's events for its approvers, one person's
events (what they did and what was done to their account), and your own account activity."""

from __future__ import annotations

import json

from flask import Blueprint, request
from flask_login import current_user

from models import audit
from web.access import managed_organisation, managed_user, manager, signed_in
from web.action_titles import action_title, detail_notes
from web.database import get_db
from web.rendering import render_page

bp = Blueprint("activity", __name__, url_prefix="/activity")



def _describe(row: dict) -> dict:
    row["label"] = action_title(row["action"])
    detail = row.get("detail")
    try:
        parsed = json.loads(detail) if detail and detail.startswith("{") else None
    except ValueError:
        parsed = None
    row["notes"] = detail_notes(parsed) if isinstance(parsed, dict) else ""
    return row


def _page(filters: audit.Filters, *, heading: str, caption: str, endpoint: str, show_ip: bool, **values):
    results = audit.search(
        get_db(), filters, before=request.args.get("before", type=int), after=request.args.get("after", type=int)
    )
    results["rows"] = [_describe(row) for row in results["rows"]]
    # what a ``kind:id`` target is called (a return, a file, an account), never the key itself
    names = audit.target_names(get_db(), (row["target"] for row in results["rows"]))
    for row in results["rows"]:
        row["target_name"] = names[row["target"]]["name"] if row["target"] in names else row["target"]
    return render_page("activity/index.html", "activity/_results.html", results=results, heading=heading,
                       caption=caption, endpoint=endpoint, values=values, show_ip=show_ip)


@bp.get("/organisations/<int:org_id>")
@manager
def organisation(org_id: int):
    org = managed_organisation(org_id)
    return _page(audit.Filters(organisation_id=org_id), heading="Account activity", caption=org["name"],
                 endpoint="activity.organisation", show_ip=False, org_id=org_id)


@bp.get("/users/<int:user_id>")
@manager
def person(user_id: int):
    user, org = managed_user(user_id)
    filters = audit.Filters(account_id=user["id"], account_email=user["email"])
    return _page(filters, heading=f"Activity of {user['name']}", caption=org["name"], endpoint="activity.person",
                 show_ip=False, user_id=user_id)


@bp.get("/me")
@signed_in
def mine():
    me = current_user.row
    return _page(audit.Filters(account_id=me["id"], account_email=me["email"]), heading="Your account activity",
                 caption=me["organisation_name"], endpoint="activity.mine", show_ip=True)
