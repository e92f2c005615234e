"""Account oversight for site admins and the LA's approvers: every organisation's approvers and
users, organisations with no approver, waiting and overdue requests, and the requests the LA
should act on. From here they open an organisation's users page (decide requests, issue a
claim code, manage accounts)."""

from __future__ import annotations

from flask import Blueprint, request, url_for

from domain.dates import uk_today
from forms.accounts import OversightFilterForm
from models import oversight
from web.access import oversight as oversight_permission
from web.access import oversight_la_code
from web.database import get_db
from web.pagination import page_links
from web.rendering import render_page

bp = Blueprint("oversight", __name__, url_prefix="/oversight")

PER_PAGE = 25
WITH_LA_SHOWN = 10


@bp.get("")
@oversight_permission
def index():
    db = get_db()
    scope = oversight_la_code()
    today = uk_today()
    form = OversightFilterForm(request.args)
    seen = oversight.overview(db, scope, today, with_la_shown=WITH_LA_SHOWN)
    result, pagination = None, None
    if form.validate():
        result = oversight.page_of(
            seen["items"], show=form.show.data or "", query=form.q.data or "",
            page=request.args.get("page", 1, type=int), per_page=PER_PAGE,
        )  # fmt: skip
        query = form.query_args()
        pagination = page_links(result["page"], result["pages"], lambda n: url_for("oversight.index", page=n, **query))
    return render_page(
        "oversight/index.html",
        "oversight/_results.html",
        form=form,
        result=result,
        pagination=pagination,
        totals=seen["totals"],
        with_la=seen["with_la"],
        with_la_total=seen["with_la_total"],
        searching=bool(form.query_args()),
        filters=oversight.FILTERS,
    )
