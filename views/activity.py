"""Account activity from the audit log: an organisation's events for its approvers, one person's
events (what they did and what was done to their account), and your own account activity."""

from __future__ import annotations

import json

from flask import Blueprint, request
from flask_login import current_user

from models import audit
from web.access import managed_organisation, managed_user, manager, signed_in
from web.database import get_db
from web.rendering import render_page

bp = Blueprint("activity", __name__, url_prefix="/activity")

ACTION_LABELS = {
    "sign_in": "Signed in",
    "sign_out": "Signed out",
    "sign_in_failed": "Sign-in failed",
    "account_locked": "Account locked after failed sign-ins",
    "account_unlocked": "Account unlocked",
    "password_changed": "Password changed",
    "password_reset": "Password reset by email link",
    "password_reset_requested": "Password reset link asked for",
    "totp_enrolled": "Two-step verification set up",
    "totp_reset": "Two-step verification reset",
    "recovery_code_used": "Recovery code used",
    "recovery_codes_regenerated": "New recovery codes made",
    "user_invited": "Invited",
    "invitation_resent": "Invitation sent again",
    "invitation_revoked": "Invitation revoked",
    "invitation_expired": "Invitation expired",
    "invitation_accepted": "Invitation accepted, account set up",
    "user_suspended": "Account suspended",
    "user_reactivated": "Account reactivated",
    "user_removed": "Account removed",
    "services_changed": "Services changed",
    "role_changed": "Role changed",
    "approver_handed_over": "Approver role handed over",
    "caps_changed": "Limits on approvers and end users changed",
    "users_exported": "Users list downloaded",
    "account_requested": "Account asked for",
    "account_request_approved": "Account request approved",
    "account_request_rejected": "Account request rejected",
    "account_request_reminded": "Approvers reminded about an account request",
    "account_request_escalated": "Account request overdue: sent to the LA",
    "account_request_closed": "Account request closed undecided",
    "claim_code_issued": "Approver claim code issued",
    "claim_code_revoked": "Approver claim code revoked",
    "approver_claimed": "Approver role claimed with a code",
    "review_prompt_sent": "Termly review prompt sent",
}


def _describe(row: dict) -> dict:
    row["label"] = ACTION_LABELS.get(row["action"], row["action"].replace("_", " ").capitalize())
    detail = row.get("detail")
    try:
        parsed = json.loads(detail) if detail and detail.startswith("{") else None
    except ValueError:
        parsed = None
    notes = []
    if isinstance(parsed, dict):
        for key in ("reason", "role", "from", "to", "added", "removed", "method"):
            value = parsed.get(key)
            if value:
                notes.append(f"{key}: {', '.join(value) if isinstance(value, list) else value}")
    row["notes"] = "; ".join(notes)
    return row


def _page(filters: audit.Filters, *, heading: str, caption: str, endpoint: str, show_ip: bool, **values):
    results = audit.search(
        get_db(), filters, before=request.args.get("before", type=int), after=request.args.get("after", type=int)
    )
    results["rows"] = [_describe(row) for row in results["rows"]]
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
