"""Addresses that moved when each area took one name for its URL prefix, module and templates.

Emails, printed claim letters, calendar apps and bookmarks already carry the old addresses, so
each answers with a permanent redirect to its new home (query string kept). A redirect shows
nothing: the page it leads to checks who may see it, so these routes are public.
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

from web.access import public

bp = Blueprint("moved", __name__)

#: (old rule, new endpoint); the old rule's parameters are passed on by name.
MOVED: tuple[tuple[str, str], ...] = (
    ("/request-an-account", "account_requests.start"),
    ("/request-an-account/<int:org_id>", "account_requests.ask"),
    ("/requests/<int:request_id>", "account_requests.detail"),
    ("/invitation/<token>", "invitations.accept"),
    ("/claim", "claims.redeem"),
    ("/claim-codes/<int:claim_id>", "claims.detail"),
    ("/organisations/<int:org_id>/users", "users.organisation_users"),
    ("/organisations/<int:org_id>/users/review", "users.review"),
    ("/organisations/<int:org_id>/activity", "activity.organisation"),
    ("/users/me/activity", "activity.mine"),
    ("/admin/audit", "audit.index"),
    ("/admin/outbox", "outbox.index"),
    ("/deadlines/returns/<int:instance_id>", "deadlines.school_return"),
    ("/deadlines/calendar", "deadline_calendar.month"),
    ("/deadlines/calendar/<token>.ics", "deadline_calendar.feed"),
    ("/deadlines/tracker", "deadline_tracker.index"),
    ("/deadlines/tracker/<int:instance_id>/<int:organisation_id>", "deadline_tracker.school_status"),
    ("/deadlines/tracker/school/<int:organisation_id>", "deadline_tracker.school_overview"),
    ("/admin/deadlines", "deadlines_admin.catalogue"),
    ("/admin/deadlines/deadlines/<int:instance_id>", "deadlines_admin.edit_instance"),
    ("/returns/review/", "returns_review.index"),
    ("/returns/review/instances/<int:instance_id>", "returns_review.instance"),
    ("/returns/review/versions/<int:version_id>/return", "returns_review.return_to_school"),
)


def endpoint_name(old_rule: str) -> str:
    """The endpoint of a moved rule, e.g. ``moved.requests_request_id``."""
    words = old_rule.replace("<int:", "").replace("<", "").replace(">", "").strip("/")
    return "".join(ch if ch.isalnum() else "_" for ch in words)


def _redirect_to(endpoint: str):
    @public
    def moved(**values):
        target = url_for(endpoint, **values)
        query = request.query_string.decode("ascii", "replace")
        # nosemgrep: open-redirect # the path is url_for's, of this site; the request's query only follows "?"
        return redirect(f"{target}?{query}" if query else target, code=301)

    return moved


for _old, _new in MOVED:
    bp.add_url_rule(_old, endpoint=endpoint_name(_old), view_func=_redirect_to(_new), methods=["GET"])
