"""The LA's returns tracker: every school of the LA against every deadline, chasing, CSV, statuses.

For LA staff with the Deadlines service and site admins. The matrix page is a GET form
(htmx swaps only the results; without JavaScript the form reloads the page). Chasing sends
a reminder email to each of a school's users who have the Deadlines service and logs it
on the school's row; a school with nobody to email is never marked chased but listed, with
where to give someone the service. Chasing every school shown, or more than one, asks first.
Schools of another LA answer 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from background.mail import mailer
from domain import clock
from domain.dates import (
    academic_year_end,
    academic_year_label,
    academic_year_of,
    academic_year_start,
    noon_in_england,
    uk_today,
)
from forms.deadlines import ChaseForm, RecordStatusForm, TrackerFilterForm
from models import (
    audit,
    deadline_catalogue,
    deadline_instances,
    deadline_statuses,
    deadline_tracker,
    organisations,
    services,
)
from web.access import DEADLINES, la_deadlines, may_manage
from web.client import client_details
from web.database import get_db
from web.downloads import csv_download
from web.rendering import render_page

bp = Blueprint("deadline_tracker", __name__, url_prefix="/deadline-tracker")

def _la_code() -> str:
    return current_user.row["organisation_la_code"]


def _filter_form(args) -> TrackerFilterForm:
    db = get_db()
    returns = [e for e in deadline_catalogue.list_entries(db, active_only=True) if not e["information_only"]]
    return TrackerFilterForm(
        args,
        years=deadline_tracker.academic_years(db),
        default_year=academic_year_of(uk_today()),
        returns=returns,
        facets=deadline_tracker.school_facets(db, _la_code()),
    )


def _matrix(form: TrackerFilterForm) -> dict | None:
    if not form.validate():
        return None
    return deadline_tracker.matrix(get_db(), la_code=_la_code(), filters=form.filters())


@bp.get("")
@la_deadlines
def index():
    form = _filter_form(request.args)
    data = _matrix(form)
    return render_page(
        "deadline_tracker/index.html",
        "deadline_tracker/_results.html",
        form=form,
        data=data,
        query=form.query_args(),
        chase_form=ChaseForm(),
        status_labels=deadline_statuses.STATUSES,
        year_label=academic_year_label,
    )


@bp.get("/export.csv")
@la_deadlines
def export():
    form = _filter_form(request.args)
    data = _matrix(form)
    if data is None:
        return redirect(url_for("deadline_tracker.index", **request.args.to_dict(flat=False)))
    user = current_user.row
    audit.record(
        get_db(), "deadline_tracker_exported", actor=user, organisation_id=user["organisation_id"],
        target="returns tracker CSV", **client_details(),
        detail={"filters": {k: str(v) for k, v in form.query_args().items()}, "schools": data["schools_shown"]},
    )  # fmt: skip
    header = ["DfE number", "URN", "School", "Phase", "Type", "Outstanding"] + [
        f"{i['name']} ({i['period_label']}) due {i['due_on'].isoformat()}" for i in data["instances"]
    ]

    def body():
        for row in data["rows"]:
            school = row["school"]
            statuses = [deadline_statuses.STATUSES[cell[0]] if cell else "Not required" for cell in row["cells"]]
            yield [f"{school['dfe_number'][:3]}/{school['dfe_number'][3:]}", school["urn"], school["name"],
                   school["phase"], school["type_name"], row["outstanding"], *statuses]  # fmt: skip

    return csv_download(f"gatehouse-returns-tracker-{clock.now():%Y%m%d}.csv", header, body())


def _la_school(organisation_id: int) -> dict:
    school = organisations.get(get_db(), organisation_id)
    if school is None or school["kind"] != "school" or school["la_code"] != _la_code():
        abort(404)
    return school


def _recipients(db, school: dict) -> list[str]:
    return [u["email"] for u in services.users_with_service(db, school["id"], DEADLINES)]


def _reachable(schools: list[dict]) -> tuple[list[dict], list[dict]]:
    """``(schools with someone to email, schools with nobody)``; each school gets its ``recipients``."""
    db = get_db()
    reached, nobody = [], []
    for school in schools:
        school = {**school, "recipients": _recipients(db, school)}
        (reached if school["recipients"] else nobody).append(school)
    return reached, nobody


def where_to_add_someone(school: dict) -> str:
    """Where the current user can give someone at ``school`` the Deadlines service: the school's users
    page for those who manage its accounts, else the school's page in the tracker."""
    if may_manage(school):
        return url_for("users.organisation_users", org_id=school["id"])
    return url_for("deadline_tracker.school_overview", organisation_id=school["id"])


def chase_schools(instance: dict, schools: list[dict], actor: dict) -> tuple[list[dict], int, list[dict]]:
    """Email each school's Deadlines users about ``instance`` and log the chase on its row.

    Returns ``(schools chased, emails sent, schools with nobody to chase)``. Only a school that
    was emailed is logged as chased: one with no user with the Deadlines service is returned
    in the third list, untouched, so the LA sees it needs another way of reaching them.
    """
    db = get_db()
    config = current_app.config
    link = config["BASE_URL"].rstrip("/") + url_for("deadlines.school_return", instance_id=instance["id"])
    subject = f"{config['SERVICE_NAME']}: reminder - {instance['name']} ({instance['period_label']})"
    emails = 0
    reached, nobody = _reachable(schools)
    for school in reached:
        recipients = school["recipients"]
        body = render_template(
            "deadline_tracker/email/chase.txt", instance=instance, school=school, link=link, sender=actor,
            service_name=config["SERVICE_NAME"], status=deadline_statuses.status_for(db, school["id"], instance["id"]),
        )  # fmt: skip
        for address in recipients:
            mailer.send(db, config, address, subject, body)
            emails += 1
        deadline_tracker.record_chase(db, instance=instance, school=school, recipients=recipients, actor=actor)
    return reached, emails, nobody


def _chase_targets(form: ChaseForm, instance: dict) -> list[dict]:
    """The schools to chase: those chosen (or every school the filters show) that have not submitted."""
    db = get_db()
    if form.scope.data == "all":
        filters_form = _filter_form(request.form)
        data = _matrix(filters_form)
        if data is None:
            return []
        index = next((n for n, i in enumerate(data["instances"]) if i["id"] == instance["id"]), None)
        if index is None:
            return []
        wanted = [row["school"]["id"] for row in data["rows"] if row["cells"][index]]
    else:
        wanted = form.schools.data
    targets = []
    for organisation_id in dict.fromkeys(wanted):
        school = organisations.get(db, organisation_id)
        if (
            school is None
            or school["la_code"] != _la_code()
            or not deadline_instances.is_applicable(db, instance, school)
        ):
            continue
        if deadline_statuses.status_for(db, organisation_id, instance["id"])["key"] in deadline_statuses.NOT_SUBMITTED:
            targets.append(school)
    return targets


@bp.post("/chase")
@la_deadlines
def chase():
    form = ChaseForm()
    back = url_for("deadline_tracker.index", **_filter_form(request.form).query_args())
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(errors[0])
        return redirect(back)
    instance = deadline_instances.get_instance(get_db(), form.chase_instance.data)
    if instance is None or instance["cancelled_at"]:
        abort(404)
    targets = _chase_targets(form, instance)
    if not targets:
        flash(f"No reminders sent: none of those schools still has {instance['name']} to submit.")
        return redirect(back)
    many = form.scope.data == "all" or len(targets) > 1  # every school shown, or more than one: ask first
    if many and request.form.get("confirmed") != "yes":
        reached, nobody = _reachable(targets)
        return render_template(
            "deadline_tracker/chase_confirm.html", instance=instance, reached=reached, nobody=nobody, form=form,
            filters=_filter_form(request.form).query_args(), back=back, where_to_add_someone=where_to_add_someone,
        )  # fmt: skip
    chased, emails, nobody = chase_schools(instance, targets, current_user.row)
    if chased:
        flash(
            f"Reminders about {instance['name']} ({instance['period_label']}) sent to {len(chased)} "
            f"school{'s' if len(chased) != 1 else ''} ({emails} email{'s' if emails != 1 else ''}).",
            "success",
        )
    if nobody:
        names = "; ".join(school["name"] for school in nobody)
        flash(
            f"Nobody to chase at {len(nobody)} school{'s' if len(nobody) != 1 else ''}, no user with Deadlines: "
            f"{names}. They were not marked as chased: give someone there the Deadlines service, or send the "
            "school a claim code if it has no approver."
        )
    return redirect(back)


@bp.route("/<int:instance_id>/<int:organisation_id>", methods=["GET", "POST"])
@la_deadlines
def school_status(instance_id: int, organisation_id: int):
    db = get_db()
    school = _la_school(organisation_id)
    instance = deadline_instances.get_instance(db, instance_id)
    if (
        instance is None
        or not deadline_instances.is_applicable(db, instance, school)
        or instance["return_type"] == "none"
    ):
        abort(404)
    form = RecordStatusForm()
    if form.validate_on_submit():
        made = form.made_on.data
        at = clock.now()
        if made is not None:
            at = min(at, noon_in_england(made))
        try:
            deadline_statuses.record_status(
                db, organisation_id=school["id"], instance_id=instance_id, status=form.status.data,
                actor=current_user.row, note=form.note.data,
                source=form.source.data or deadline_statuses.SOURCE_GATEHOUSE, at=at,
            )  # fmt: skip
        except deadline_statuses.StatusError as error:
            form.status.errors.append(str(error))
        else:
            flash(f"{school['name']}: {instance['name']} status recorded.", "success")
            return redirect(
                url_for("deadline_tracker.school_status", instance_id=instance_id, organisation_id=school["id"])
            )
    instance["status"] = deadline_statuses.status_for(db, school["id"], instance_id)
    page = render_template(
        "deadline_tracker/school_status.html",
        form=form,
        school=school,
        instance=instance,
        history=deadline_statuses.history(db, school["id"], instance_id),
        chases=deadline_tracker.chases(db, instance_id, school["id"]),
    )
    return page, 400 if form.errors else 200


@bp.get("/schools/<int:organisation_id>")
@la_deadlines
def school_overview(organisation_id: int):
    db = get_db()
    school = _la_school(organisation_id)
    today = uk_today()
    year = request.args.get("year", type=int) or academic_year_of(today)
    if not 2000 <= year <= 2097:
        abort(404)
    start, end = academic_year_start(year), academic_year_end(year)
    items = deadline_statuses.for_school(db, school, start=start, end=end, on=today)
    return render_template(
        "deadline_tracker/school.html", school=school, items=items, year_label=academic_year_label(year)
    )
