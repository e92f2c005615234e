"""The audit log for site admins: search, one entry, CSV export."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from domain import clock
from forms.audit import AuditFilterForm
from models import audit
from models.db import connection
from web.access import site_admin
from web.client import client_details
from web.database import get_db
from web.downloads import csv_download
from web.rendering import render_page

bp = Blueprint("audit", __name__, url_prefix="/audit")


#: The page of each kind of ``kind:id`` target: (endpoint, the name of its id argument).
TARGET_PAGES = {
    "instance": ("deadlines_admin.edit_instance", "instance_id"),
    "return": ("returns.return_page", "return_id"),
    "return_version": ("returns.report", "version_id"),
    "user": ("users.detail", "user_id"),
    "approver_claim": ("claims.detail", "claim_id"),
    "transfer": ("transfers.detail", "transfer_id"),
    "local_return_submission": ("local_returns.submission", "submission_id"),
}


def target_links(entries: list[dict]) -> dict[str, dict]:
    """``{target: {"name", "href"}}`` for the entries' targets that name something with a page."""
    links = {}
    for target, found in audit.target_names(get_db(), (e["target"] for e in entries)).items():
        endpoint, argument = TARGET_PAGES[found["kind"]]
        links[target] = {"name": found["name"], "href": url_for(endpoint, **{argument: found["id"]})}
    return links


def _filter_form() -> AuditFilterForm:
    return AuditFilterForm(request.args, actions=audit.distinct_actions(get_db()))


@bp.get("")
@site_admin
def index():
    form = _filter_form()
    results = None
    if form.validate():
        results = audit.search(
            get_db(),
            form.filters(),
            before=request.args.get("before", type=int),
            after=request.args.get("after", type=int),
        )
    targets = target_links(results["rows"]) if results else {}
    return render_page("audit/index.html", "audit/_results.html", form=form, results=results, query=form.query_args(),
                       targets=targets)


@bp.get("/<int:entry_id>")
@site_admin
def entry(entry_id: int):
    row = audit.get(get_db(), entry_id)
    if row is None:
        abort(404)
    return render_template("audit/entry.html", entry=row, target=target_links([row]).get(row["target"]))


@bp.get("/export.csv")
@site_admin
def export():
    form = _filter_form()
    if not form.validate():
        return redirect(url_for("audit.index", **request.args.to_dict(flat=False)))
    filters = form.filters()
    db = get_db()
    user = current_user.row
    audit.record(
        db,
        "audit_exported",
        actor=user,
        organisation_id=user["organisation_id"],
        target="audit log CSV",
        **client_details(),
        detail={"filters": {k: " ".join(v) if isinstance(v, list) else v for k, v in form.query_args().items()}},
    )

    database = current_app.config["DATABASE"]

    def entries():
        # Its own connection: at teardown, which may come before the stream ends, the request's
        # connection goes back to its thread for the next request.
        with connection(database) as stream_db:
            yield from audit.csv_rows(audit.iter_matching(stream_db, filters))

    return csv_download(f"gatehouse-audit-{clock.now():%Y%m%d}.csv", audit.CSV_COLUMNS, entries())
