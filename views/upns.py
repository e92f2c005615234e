"""The UPN generator for schools: new permanent or temporary UPNs from the school's LA code, establishment
number and this academic year, each serial issued once (``models.upns``), with the list of those issued.

For school users with the Returns service; the school is always the user's own.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from domain.dates import academic_year_label, academic_year_of, uk_today
from forms.upns import IssueUpnsForm
from models import upns
from web.access import my_school, school_returns
from web.client import client_details
from web.database import get_db
from web.downloads import csv_download
from web.pagination import page_links

bp = Blueprint("upns", __name__, url_prefix="/upns")

PER_PAGE = 50


@bp.route("", methods=["GET", "POST"])
@school_returns
def index():
    db = get_db()
    school = my_school()
    year = academic_year_of(uk_today())
    form = IssueUpnsForm()
    if form.validate_on_submit():
        try:
            issued = upns.issue(db, school, kind=form.kind.data, count=form.count.data, academic_year=year,
                                actor=current_user.row, **client_details())  # fmt: skip
        except upns.NoSerialsLeft as error:
            form.count.errors.append(str(error))
        else:
            flash(f"{len(issued)} new {form.kind.data} UPN{'s' if len(issued) != 1 else ''} issued: "
                  "give each to one pupil and enter it in your MIS.", "success")  # fmt: skip
            return redirect(url_for("upns.index", batch=upns.latest_batch(db, school["id"])), 303)
    batch = request.args.get("batch", type=int)
    listing = upns.page_of(db, school["id"], page=request.args.get("page", 1, type=int), per_page=PER_PAGE)
    return render_template(
        "upns/index.html", form=form, school=school, year_label=academic_year_label(year), listing=listing,
        new=upns.batch_of(db, school["id"], batch) if batch else [], kinds=upns.KINDS,
        pagination=page_links(listing["page"], listing["pages"], lambda n: url_for("upns.index", page=n)),
    ), 400 if form.errors else 200  # fmt: skip


@bp.get("/issued.csv")
@school_returns
def export():
    school = my_school()
    rows = upns.csv_rows(get_db(), school["id"])
    return csv_download(f"{school['dfe_number']}_issued_upns.csv", upns.CSV_COLUMNS, rows)
