"""Deadlines for schools: "What's due", one return's page, making a return in Gatehouse.

School users see only their own school's returns: an instance that does not apply to the
user's school answers 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup

from domain.deadline_rules.catalogue import SPREADSHEET_RETURNS
from forms.deadlines import SCHOOL_RETURN_FORMS, ReminderPreferenceForm
from models import (
    calendar_feeds,
    deadline_cache,
    deadline_instances,
    deadline_reminders,
    deadline_statuses,
    local_returns,
    pride,
    returns,
)
from web.access import (
    DEADLINES,
    LOCAL_RETURNS,
    PRIDE,
    any_deadlines,
    has_service,
    is_school_user,
    my_school,
    school_deadlines,
)
from web.client import client_details
from web.database import get_db

bp = Blueprint("deadlines", __name__, url_prefix="/deadlines")

NEW_FEED_TOKEN = "deadline_feed_token"  # nosec B105 # the session key the new link is kept under, not a token


def action_label(instance: dict) -> str:
    """What a school does next for an instance, in a few words."""
    key = instance["status"]["key"]
    if instance["return_type"] == "none":
        return "Details"
    if key in deadline_statuses.DONE or key in deadline_statuses.NOT_EXPECTED or key == "not_open":
        return "View"
    if instance.get("code") in SPREADSHEET_RETURNS:
        return "Send your spreadsheet"
    return {
        "file_upload": "Upload your file",
        "confirmation": "Confirm",
        "incidents_or_nil": "Report incidents or make a NIL return",
        "form": "Fill in the return",
    }[instance["return_type"]]


def feed_url(token: str) -> str:
    """The calendar address to paste into Outlook, on BASE_URL (the address people use)."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for("deadline_calendar.feed", token=token)


def feed_context() -> dict:
    """What the calendar-link panel shows: the user's feed, and the address of one made just now (shown once)."""
    token = session.pop(NEW_FEED_TOKEN, None)
    return {
        "feed": calendar_feeds.for_user(get_db(), current_user.row["id"]),
        "new_feed_url": feed_url(token) if token else None,
    }


@bp.get("/")
@any_deadlines
def whats_due():
    if not is_school_user(current_user, DEADLINES):
        return redirect(url_for("deadline_tracker.index"))
    school = my_school()
    db = get_db()
    due = deadline_statuses.whats_due(db, school)
    # Nothing in the tables is per person, and a school may have sixty rows: render them once per
    # school, day and deadlines data version (any change to instances or statuses makes a new one).
    tables = deadline_cache.cached(
        db, ("whats_due_tables", school["id"], due["today"]),
        lambda: Markup(render_template("deadlines/_due_tables.html", due=due, action_label=action_label)),  # nosec B704 # autoescaped template output
    )  # fmt: skip
    return render_template(
        "deadlines/whats_due.html",
        school=school,
        due=due,
        due_tables=tables,
        digests=deadline_reminders.wants_digests(current_user.row),
        **feed_context(),
    )


def _school_instance(instance_id: int) -> tuple[dict, dict]:
    """The instance and the user's school; 404 unless the instance applies to that school."""
    db = get_db()
    school = my_school()
    instance = deadline_instances.get_instance(db, instance_id)
    if instance is None or not deadline_instances.is_applicable(db, instance, school):
        abort(404)
    instance["status"] = deadline_statuses.status_for(db, school["id"], instance_id)
    return instance, school


def _can_make_return(instance: dict) -> bool:
    key = instance["status"]["key"]
    return instance["return_type"] in SCHOOL_RETURN_FORMS and key in deadline_statuses.NOT_SUBMITTED


def upload_url(instance: dict) -> str | None:
    """Where a school uploads the file for ``instance`` in Returns (None: Returns does not take this return)."""
    if instance["code"] in returns.FILE_KINDS and "returns.upload" in current_app.view_functions:
        return url_for("returns.upload", instance_id=instance["id"])
    return None


def pride_url(instance: dict) -> str | None:
    """Where a school with PRIDE reports incidents or confirms them for a PRIDE term (None otherwise)."""
    if (
        instance["code"] == pride.CODE
        and has_service(current_user, PRIDE)
        and "pride.term_return" in current_app.view_functions
    ):
        return url_for("pride.term_return", term_id=instance["id"])
    return None


def local_return(instance: dict, school: dict) -> dict | None:
    """How the school makes ``instance`` when its LA collects it as a local return: ``{"url"}`` (None when the
    user lacks the Local returns service); None when it is not a local return."""
    if "local_returns.school_return" not in current_app.view_functions:
        return None
    if local_returns.instance_for_school(get_db(), instance["id"], school) is None:
        return None
    allowed = is_school_user(current_user, LOCAL_RETURNS)
    return {"url": url_for("local_returns.school_return", deadline_id=instance["id"]) if allowed else None}


def _return_page(instance: dict, school: dict, form, status: int = 200, local=None):
    page = render_template(
        "deadlines/school_return.html",
        instance=instance,
        school=school,
        form=form,
        history=deadline_statuses.history(get_db(), school["id"], instance["id"]),
        upload_url=upload_url(instance),
        pride_url=pride_url(instance),
        spreadsheet=instance["code"] in SPREADSHEET_RETURNS,
        action_label=action_label,
        local=local,
    )
    return page, status


@bp.get("/<int:instance_id>")
@school_deadlines
def school_return(instance_id: int):
    instance, school = _school_instance(instance_id)
    local = local_return(instance, school)
    form_class = SCHOOL_RETURN_FORMS.get(instance["return_type"])
    form = form_class() if form_class and _can_make_return(instance) and local is None else None
    return _return_page(instance, school, form, local=local)


@bp.post("/<int:instance_id>")
@school_deadlines
def make_return(instance_id: int):
    instance, school = _school_instance(instance_id)
    if local_return(instance, school) is not None:
        flash(f"{instance['name']} is made in Local returns.")
        return redirect(url_for("deadlines.school_return", instance_id=instance_id))
    if not _can_make_return(instance):
        flash(f"{instance['name']} cannot be returned here now: it is {instance['status']['label'].lower()}.")
        return redirect(url_for("deadlines.school_return", instance_id=instance_id))
    form = SCHOOL_RETURN_FORMS[instance["return_type"]]()
    if not form.validate_on_submit():
        return _return_page(instance, school, form, 400 if request.method == "POST" else 200)
    if instance["return_type"] == "incidents_or_nil":  # PRIDE keeps the term's return (it refuses NIL with incidents)
        try:
            result = pride.make_return(get_db(), school=school, instance=instance, kind="nil", actor=current_user.row,
                                       details=form.details.data)  # fmt: skip
        except pride.PrideError as error:
            flash(str(error))
            return redirect(url_for("deadlines.school_return", instance_id=instance_id))
        flash(f"{instance['name']} ({instance['period_label']}): {result['label']}. Thank you.", "success")
        return redirect(url_for("deadlines.whats_due"))
    note = {"confirmation": "Confirmed"}.get(instance["return_type"])
    details = form.details.data
    note = f"{note}: {details}" if note and details else (note or details)
    result = deadline_statuses.record_status(
        get_db(), organisation_id=school["id"], instance_id=instance_id, status="submitted",
        actor=current_user.row, note=note,
    )  # fmt: skip
    flash(f"{instance['name']} ({instance['period_label']}): {result['label'].lower()}. Thank you.", "success")
    return redirect(url_for("deadlines.whats_due"))


@bp.route("/reminders", methods=["GET", "POST"])
@any_deadlines
def reminders():
    user = current_user.row
    form = ReminderPreferenceForm(data={"digests": "yes" if deadline_reminders.wants_digests(user) else "no"})
    if form.validate_on_submit():
        wanted = form.digests.data == "yes"
        deadline_reminders.set_digests(get_db(), user, wanted, **client_details())
        flash("You will get reminder emails." if wanted else "You will not get reminder emails.", "success")
        return redirect(url_for("deadlines.reminders"))
    return render_template(
        "deadlines/reminders.html",
        form=form,
        days_before=deadline_reminders.days_before(current_app.config),
        on_overdue=bool(current_app.config["REMINDER_ON_OVERDUE"]),
    ), 400 if form.errors else 200
