"""PRIDE: prejudice-related incidents.

Schools (users with the PRIDE service): report incidents anonymously (one long form, saved as a
draft or reported), see and edit their own until the term's return is made, make the termly return
(confirm the term's incidents, or a NIL return after a confirmation page), print their report.
LA users with PRIDE: reports across the LA (suppressed below 5, charts with tables), an audited
drill-down to one school, who has not returned, the characteristics list and "not required" marks.

A school's objects are loaded with the school's id, so another school's incident answers 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from background.mail.accounts import tell_each
from domain.dates import academic_year_label, academic_year_of, uk_today
from domain.pride import charts
from domain.pride.anonymity import WHY
from domain.pride.history import read_history
from domain.pride.suppression import SHOWN, Cell, suppress, suppress_list, unsuppressed
from domain.pride.vocabulary import (
    ACTIONS,
    INCIDENT_TYPES,
    LOCATIONS,
    OTHER_ROLES,
    ROLES,
    SIDES,
    TIME_BANDS,
    YEAR_GROUPS,
    year_group_label,
)
from forms.pride import (
    CharacteristicForm,
    ConfirmIncidentsForm,
    DeleteDraftForm,
    HistoryImportForm,
    IncidentForm,
    LaReportForm,
    NilReturnForm,
    NotRequiredForm,
    SchoolReportForm,
    ToggleForm,
    people_field_name,
)
from models import audit, deadline_instances, deadline_statuses, organisations, pride, services
from web.access import (
    DEADLINES,
    PRIDE,
    any_pride,
    is_la_user,
    is_school_user,
    la_pride,
    my_school,
    school_pride,
)
from web.client import client_details
from web.database import get_db
from web.downloads import csv_download

bp = Blueprint("pride", __name__, url_prefix="/pride")

MAX_HISTORY_BYTES = 5 * 1024 * 1024
PREVIOUS_TERM = {"autumn": (-1, "summer"), "spring": (0, "autumn"), "summer": (0, "spring")}


# ----------------------------------------------------------------------------- a school's incidents


@bp.get("/")
@any_pride
def index():
    if not is_school_user(current_user, PRIDE):
        return redirect(url_for("pride.la_report"))
    db = get_db()
    school = my_school()
    today = uk_today()
    year = academic_year_of(today)
    terms = []
    for instance in pride.year_instances(db, year):  # one a term, or one for the year (the return catalogue)
        _, term = pride.instance_term(instance)
        terms.append(
            {
                "term": term,
                "name": pride.term_name(year, term),
                "phrase": pride.period_phrase(year, term),
                "instance": instance,
                "status": deadline_statuses.status_for(db, school["id"], instance["id"]),
                **pride.term_summary(db, school["id"], year, term),
            }
        )
    return render_template(
        "pride/index.html",
        school=school,
        incidents=pride.list_incidents(db, school["id"], academic_year=year),
        terms=terms,
        year_label=academic_year_label(year),
        not_required=pride.not_required(db, school["id"]),
    )


def _incident_form(**kwargs) -> IncidentForm:
    return IncidentForm(characteristics=pride.characteristics(get_db()), today=uk_today(), **kwargs)


def _incident_page(form, incident: dict | None, status: int = 200):
    people_rows = [
        (f"Pupils: {label}", [getattr(form, people_field_name(side, "pupil", year_group)) for side in SIDES])
        for year_group, label in YEAR_GROUPS.items()
    ] + [(ROLES[role], [getattr(form, people_field_name(side, role)) for side in SIDES]) for role in OTHER_ROLES]
    return render_template(
        "pride/incident_form.html",
        form=form,
        incident=incident,
        people_rows=people_rows,
        sides=SIDES,
        why=WHY,
        delete_form=DeleteDraftForm(),
    ), status


def _save(form, incident_id: int | None):
    db = get_db()
    school = my_school()
    try:
        result = pride.save_incident(
            db,
            school=school,
            data=form.data_for_model(),
            report=form.reporting,
            actor=current_user.row,
            incident_id=incident_id,
        )
    except pride.PrideError as error:
        form.form_errors.append(str(error))
        form.occurred_on.errors = [*form.occurred_on.errors, str(error)]
        return None
    if result["reopened"]:
        _tell_la_reopened(school, result["reopened"])
    return result


def _tell_la_reopened(school: dict, instance: dict) -> None:
    """Email the LA's PRIDE users that a school's return was reopened by a late incident."""
    db = get_db()
    la = organisations.get_la(db, school["la_code"])
    people = services.users_with_service(db, la["id"], PRIDE) if la else []
    tell_each(
        people, f"PRIDE return reopened: {school['name']}", "pride/email/reopened.txt", school=school, instance=instance
    )


@bp.route("/incidents/new", methods=["GET", "POST"])
@school_pride
def new_incident():
    form = _incident_form()
    if form.validate_on_submit():
        result = _save(form, None)
        if result:
            return _saved(result)
    return _incident_page(form, None, 400 if form.errors else 200)


def _saved(result: dict):
    incident = result["incident"]
    if result["reopened"]:
        flash(
            f"Incident reported. Your {result['reopened']['period_label']} return was reopened and the LA told: "
            "confirm your incidents for it again.",
            "success",
        )
    elif incident["state"] == "draft":
        flash("Draft saved. It is not reported until you choose Report incident.", "success")
    else:
        flash("Incident reported. Thank you.", "success")
    return redirect(url_for("pride.index"))


def _school_incident(incident_id: int) -> dict:
    incident = pride.get_incident(get_db(), incident_id, my_school()["id"])
    if incident is None:
        abort(404)
    return incident


@bp.route("/incidents/<int:incident_id>", methods=["GET", "POST"])
@school_pride
def incident(incident_id: int):
    found = _school_incident(incident_id)
    if not found["editable"]:
        return _view_incident(found)
    if request.method == "GET":
        form = _incident_form(data=IncidentForm.data_from_incident(found))
        return _incident_page(form, found)
    form = _incident_form()
    if form.validate_on_submit():
        result = _save(form, incident_id)
        if result:
            return _saved(result)
    return _incident_page(form, found, 400)


def _view_incident(found: dict):
    labels = {c["id"]: c["label"] for c in pride.characteristics(get_db(), active_only=False)}
    people = [
        f"{SIDES[p['side']]}: {p['people']} {ROLES[p['role']].lower()}"
        + (f" in {year_group_label(p['year_group'])}" if p["year_group"] is not None else "")
        for p in found["people"]
    ]
    text = {
        "when": f"{found['occurred_on']:%-d %B %Y}, {TIME_BANDS[found['time_band']].lower()}",
        "where": LOCATIONS[found["location"]] + (f": {found['location_other']}" if found["location_other"] else ""),
        "characteristics": "; ".join(labels[c] for c in found["characteristics"]),
        "types": "; ".join(INCIDENT_TYPES[t] for t in found["types"]),
        "actions": "; ".join(ACTIONS[a] for a in found["actions"]) or "None recorded",
        "people": "; ".join(people),
    }
    return render_template("pride/incident.html", incident=found, text=text)


@bp.post("/incidents/<int:incident_id>/delete")
@school_pride
def delete_draft(incident_id: int):
    _school_incident(incident_id)
    if DeleteDraftForm().validate_on_submit():
        try:
            pride.delete_draft(get_db(), incident_id, my_school(), actor=current_user.row)
            flash("Draft deleted.", "success")
        except pride.PrideError as error:
            flash(str(error))
    return redirect(url_for("pride.index"))


# ----------------------------------------------------------------------------- termly returns


def _school_term(term_id: int) -> tuple[dict, dict, int, str]:
    """The PRIDE deadline instance ``term_id`` (one term's return) for the user's school; 404 for any other
    instance or one that does not apply to the school."""
    db = get_db()
    school = my_school()
    instance = deadline_instances.get_instance(db, term_id)
    if instance is None or pride.instance_term(instance) is None or instance["cancelled_at"]:
        abort(404)
    if not deadline_instances.is_applicable(db, instance, school):
        abort(404)
    instance["status"] = deadline_statuses.status_for(db, school["id"], term_id)
    year, term = pride.instance_term(instance)
    return instance, school, year, term


@bp.get("/returns/<int:term_id>")
@school_pride
def term_return(term_id: int):
    instance, school, year, term = _school_term(term_id)
    db = get_db()
    incidents = [i for i in pride.list_incidents(db, school["id"], academic_year=year) if pride.in_period(i, term)]
    return render_template(
        "pride/term_return.html",
        instance=instance,
        school=school,
        term_name=pride.term_name(year, term),
        term_phrase=pride.period_phrase(year, term),
        incidents=incidents,
        summary=pride.term_summary(db, school["id"], year, term),
        made=pride.return_made(db, school["id"], year, term),
        not_required=pride.not_required(db, school["id"]),
        confirm_form=ConfirmIncidentsForm(),
        today=uk_today(),
    )


def _make_return(instance: dict, school: dict, kind: str):
    try:
        status = pride.make_return(get_db(), school=school, instance=instance, kind=kind, actor=current_user.row)
    except pride.PrideError as error:
        flash(str(error))
        return redirect(url_for("pride.term_return", term_id=instance["id"]))
    flash(f"{instance['period_label']}: {status['label']}. Thank you.", "success")
    return redirect(url_for("pride.index"))


@bp.post("/returns/<int:term_id>/confirm")
@school_pride
def confirm_incidents(term_id: int):
    instance, school, _, _ = _school_term(term_id)
    if not ConfirmIncidentsForm().validate_on_submit():
        abort(400)
    return _make_return(instance, school, "incidents")


@bp.route("/returns/<int:term_id>/nil", methods=["GET", "POST"])
@school_pride
def nil_return(term_id: int):
    instance, school, year, term = _school_term(term_id)
    form = NilReturnForm()
    if form.validate_on_submit():
        return _make_return(instance, school, "nil")
    return render_template(
        "pride/nil_return.html",
        instance=instance,
        school=school,
        form=form,
        term_name=pride.term_name(year, term),
        term_phrase=pride.period_phrase(year, term),
    )


# ----------------------------------------------------------------------------- reports


def _period(form) -> tuple[int, str | None]:
    year = form.year.data if form.validate() else form.year.choices[-1].value
    return year, (form.term.data or None) if not form.errors else None


def _previous(year: int, term: str | None) -> tuple[int, str | None]:
    if term is None:
        return year - 1, None
    shift, before = PREVIOUS_TERM[term]
    return year + shift, before


def _dimension_rows(db, dimension: str, filters: dict, previous: dict | None, labels: dict) -> list[dict]:
    now = pride.counts(db, dimension, filters)
    before = pride.counts(db, dimension, previous) if previous else {}
    keys = [k for k in labels if k in now or k in before] if dimension == "year_group" else list(labels)
    return [{"label": labels[k], "count": now.get(k, 0), "previous": before.get(k, 0)} for k in keys]


def _labels(db) -> dict:
    return {
        "characteristic": {c["id"]: c["label"] for c in pride.characteristics(db, active_only=False)},
        "type": INCIDENT_TYPES,
        "location": LOCATIONS,
        "year_group": YEAR_GROUPS,
        "action": ACTIONS,
    }


SCHOOL_SECTIONS = (
    ("characteristic", "Characteristic"),
    ("type", "Type of incident"),
    ("location", "Location"),
    ("year_group", "Year group of pupils involved"),
    ("action", "Actions taken"),
)


def _school_report_data(organisation_id: int, args) -> dict:
    db = get_db()
    default = academic_year_of(uk_today())
    form = SchoolReportForm(
        args, years=pride.years_with_incidents(db, organisation_id=organisation_id), default_year=default
    )
    year, term = _period(form)
    filters = {"organisation_id": organisation_id, "years": [year], "term": term}
    prev_year, prev_term = _previous(year, term)
    previous = {"organisation_id": organisation_id, "years": [prev_year], "term": prev_term}
    labels = _labels(db)
    return {
        "form": form,
        "period": pride.term_name(year, term),
        "previous_period": pride.term_name(prev_year, prev_term),
        "total": pride.total(db, filters),
        "previous_total": pride.total(db, previous),
        "sections": [
            {"name": name, "key": key, "rows": _dimension_rows(db, key, filters, previous, labels[key])}
            for key, name in SCHOOL_SECTIONS
        ],
    }


@bp.get("/report")
@school_pride
def school_report():
    school = my_school()
    return render_template("pride/school_report.html", school=school, **_school_report_data(school["id"], request.args))


@bp.get("/report.csv")
@school_pride
def school_report_csv():
    school = my_school()
    data = _school_report_data(school["id"], request.args)
    body = [["Incidents", "All", data["total"], data["previous_total"]]]
    body += [[s["name"], r["label"], r["count"], r["previous"]] for s in data["sections"] for r in s["rows"]]
    header = ["Breakdown", "Category", data["period"], data["previous_period"]]
    return csv_download(
        f"pride-{school['dfe_number']}-{data['period'].replace(' ', '-').replace('/', '-')}.csv", header, body
    )


# ----------------------------------------------------------------------------- LA reports


def _la_code() -> str:
    return current_user.row["organisation_la_code"]


def _la_form(args) -> LaReportForm:
    db = get_db()
    phases = organisations.phases(db, _la_code())
    return LaReportForm(
        args,
        years=pride.years_with_incidents(db, la_code=_la_code()),
        default_year=academic_year_of(uk_today()),
        phases=phases,
        characteristics=pride.characteristics(db, active_only=False),
    )


def _la_filters(form: LaReportForm) -> dict:
    year, term = _period(form)
    valid = not form.errors
    return {
        "la_code": _la_code(),
        "years": [year],
        "term": term,
        "phase": form.phase.data if valid and form.phase.data else None,
        "characteristic_id": int(form.characteristic.data) if valid and form.characteristic.data else None,
        "type": form.type.data if valid and form.type.data else None,
    }


LA_SECTIONS = (
    ("characteristic", "Characteristic"),
    ("type", "Type of incident"),
    ("location", "Location"),
    ("phase", "Phase of school"),
    ("term", "Term"),
    ("school", "School"),
)


def _la_section(key: str, counts: dict, labels: dict, *, suppressed: bool = True) -> dict:
    """One breakdown's rows (``key``, ``label``, ``cell``) and total, suppressed unless told otherwise."""
    if key in ("school", "phase"):
        keys = sorted(counts, key=lambda k: str(labels.get(k, k)).lower())
    else:
        keys = list(labels)
    values = [counts.get(k, 0) for k in keys]
    if suppressed:
        cells, total = suppress_list(values)
    else:
        cells, total = [Cell(n, SHOWN) for n in values], Cell(sum(values), SHOWN)
    rows_ = [{"key": k, "label": labels.get(k, k), "cell": c} for k, c in zip(keys, cells, strict=True)]
    return {"rows": rows_, "total": total}


def _la_report_data(form: LaReportForm, *, organisation: dict | None = None) -> dict:
    """Every section of the LA report; suppressed unless ``organisation`` (the drill-down) is given."""
    db = get_db()
    filters = _la_filters(form)
    if organisation is not None:
        filters["organisation_id"] = organisation["id"]
    labels = _labels(db)
    schools = organisations.school_names(db, _la_code())
    all_labels = {**labels, "term": {t: t.capitalize() for t in pride.TERMS}, "school": schools, "phase": {}}
    sections = []
    for key, name in LA_SECTIONS:
        if organisation is not None and key in ("school", "phase"):
            continue
        counts = pride.counts(db, key, filters)
        section = _la_section(key, counts, all_labels[key], suppressed=organisation is None)
        sections.append({"key": key, "name": name, **section})
    trend = _trend(db, filters, labels["characteristic"], suppressed=organisation is None)
    first = sections[0]
    bar = charts.bar_chart([(r["label"], r["cell"].value) for r in first["rows"]])
    return {
        "form": form,
        "sections": sections,
        "trend": trend,
        "bar": bar,
        "period": pride.term_name(filters["years"][0], filters["term"]),
    }


def _trend(db, filters: dict, labels: dict, *, suppressed: bool) -> dict:
    """Incidents by characteristic over the last five academic years, with the line of totals."""
    last = filters["years"][0]
    years = list(range(last - 4, last + 1))
    counts = pride.trend(db, {**filters, "years": years}, by="characteristic")
    keys = list(labels)
    matrix = [[counts.get((year, key), 0) for year in years] for key in keys]
    table = suppress(matrix) if suppressed else unsuppressed(matrix)
    by_year = pride.counts(db, "academic_year", {**filters, "years": years})
    attributable = not (filters.get("characteristic_id") or filters.get("type"))
    history = pride.history_by_year(db, {**filters, "years": years}) if attributable else {}
    totals = [by_year.get(year, 0) + history.get(year, 0) for year in years]
    incidents, _ = suppress_list(totals) if suppressed else ([Cell(n, SHOWN) for n in totals], None)
    line = charts.line_chart([(academic_year_label(y), c.value) for y, c in zip(years, incidents, strict=True)])
    return {
        "years": [academic_year_label(y) for y in years],
        "rows": [labels[k] for k in keys],
        "table": table,
        "incidents": incidents,
        "line": line,
    }


@bp.get("/la-report")
@la_pride
def la_report():
    form = _la_form(request.args)
    return render_template("pride/la_report.html", **_la_report_data(form), organisation=None)


@bp.get("/la-report.csv")
@la_pride
def la_report_csv():
    data = _la_report_data(_la_form(request.args))
    body = []
    for section in data["sections"]:
        body += [[section["name"], r["label"], _figure(r["cell"])] for r in section["rows"]]
        body.append([section["name"], "Total", _figure(section["total"])])
    return csv_download("pride-la-report.csv", ["Breakdown", "Category", data["period"]], body)


def _figure(cell: Cell) -> str | int:
    if cell.state == SHOWN:
        return cell.value
    return "fewer than 5" if cell.state == "primary" else "hidden"


def _la_school(org_id: int) -> dict:
    """A school of the current user's LA; else 404."""
    organisation = organisations.get(get_db(), org_id)
    if organisation is None or organisation["la_code"] != _la_code() or organisation["kind"] != "school":
        abort(404)
    return organisation


@bp.get("/schools/<int:org_id>")
@la_pride
def school_drilldown(org_id: int):
    db = get_db()
    organisation = _la_school(org_id)
    form = _la_form(request.args)
    data = _la_report_data(form, organisation=organisation)
    audit.record(
        db,
        "pride_school_report_viewed",
        actor=current_user.row,
        organisation_id=org_id,
        target=f"organisation:{org_id}",
        detail={"period": data["period"]},
        **client_details(),
    )
    return render_template(
        "pride/la_report.html",
        **data,
        organisation=organisation,
        not_required=pride.not_required(db, org_id),
        not_required_form=NotRequiredForm(),
        clear_form=ToggleForm(),
    )


@bp.post("/schools/<int:org_id>/not-required")
@la_pride
def not_required(org_id: int):
    db = get_db()
    organisation = _la_school(org_id)
    clearing = request.form.get("clear") == "yes"
    form = ToggleForm() if clearing else NotRequiredForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(errors[0])
        return redirect(url_for("pride.school_drilldown", org_id=org_id))
    reason = None if clearing else form.reason.data
    changed = pride.set_not_required(db, organisation, reason, actor=current_user.row)
    flash(
        f"{organisation['name']}: PRIDE return {'required again' if clearing else 'not required'} "
        f"({changed} deadlines changed).",
        "success",
    )
    return redirect(url_for("pride.school_drilldown", org_id=org_id))


# ----------------------------------------------------------------------------- follow-up


def _follow_up_instance() -> dict | None:
    db = get_db()
    wanted = request.args.get("instance", type=int)
    if wanted:
        instance = deadline_instances.get_instance(db, wanted)
        return instance if instance and pride.instance_term(instance) else None
    today = uk_today()
    opened = next((p for p in pride.all_periods(db) if p["opens_on"] <= today.isoformat()), None)
    return deadline_instances.get_instance(db, opened["id"]) if opened else None


def _follow_up_rows(instance: dict) -> list[dict]:
    return pride.term_returns(get_db(), _la_code(), instance)


@bp.get("/follow-up")
@la_pride
def follow_up():
    instance = _follow_up_instance()
    schools = _follow_up_rows(instance) if instance else []
    outstanding = [s for s in schools if s["display"]["key"] in deadline_statuses.NOT_SUBMITTED]
    choices = pride.all_periods(get_db())
    return render_template(
        "pride/follow_up.html",
        instance=instance,
        schools=schools,
        outstanding=outstanding,
        choices=choices,
        chase_form=ToggleForm(),
        can_chase=is_la_user(current_user, DEADLINES),
    )


@bp.get("/follow-up.csv")
@la_pride
def follow_up_csv():
    instance = _follow_up_instance()
    if instance is None:
        abort(404)
    body = [
        [
            s["name"],
            s["dfe_number"],
            s["display"]["label"],
            s["incidents"],
            (s["made_at"] or s["submitted_at"] or "")[:10],
        ]
        for s in _follow_up_rows(instance)
    ]
    name = f"pride-returns-{instance['period_key'].replace('/', '-')}.csv"
    return csv_download(name, ["School", "DfE number", "Status", "Incidents reported", "Date returned"], body)


# ----------------------------------------------------------------------------- settings


@bp.route("/settings", methods=["GET", "POST"])
@la_pride
def settings():
    db = get_db()
    form = CharacteristicForm()
    if form.validate_on_submit():
        try:
            added = pride.add_characteristic(db, form.label.data, actor=current_user.row)
            flash(f"{added['label']} added: schools can choose it from now on.", "success")
            return redirect(url_for("pride.settings"))
        except pride.PrideError as error:
            form.label.errors = [str(error)]
    return render_template(
        "pride/settings.html",
        form=form,
        toggle_form=ToggleForm(),
        characteristics=pride.characteristics(db, active_only=False),
        not_required=pride.not_required_schools(db, _la_code()),
    ), 400 if form.errors else 200


@bp.route("/settings/history", methods=["GET", "POST"])
@la_pride
def import_history():
    form = HistoryImportForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(MAX_HISTORY_BYTES + 1)
        if len(data) > MAX_HISTORY_BYTES:
            problems = ["The file is larger than 5 MB: split it"]
        else:
            found, problems = read_history(data)
            if not problems:
                result = pride.import_history(
                    get_db(),
                    found,
                    la_code=_la_code(),
                    actor=current_user.row,
                    file_name=upload.filename or "history.csv",
                )
                problems = result["problems"]
                if not problems:
                    flash(
                        f"Imported {result['rows']:,} rows for {result['schools']:,} schools: the trend includes them.",
                        "success",
                    )
                    return redirect(url_for("pride.settings"))
    status = 400 if form.errors or problems else 200
    return render_template(
        "pride/import_history.html", form=form, problems=problems[:50], more=max(len(problems) - 50, 0)
    ), status


@bp.post("/settings/characteristics/<int:characteristic_id>")
@la_pride
def toggle_characteristic(characteristic_id: int):
    if ToggleForm().validate_on_submit():
        try:
            changed = pride.set_characteristic_active(
                get_db(), characteristic_id, request.form.get("active") == "yes", actor=current_user.row
            )
            flash(f"{changed['label']}: {'offered' if changed['active'] else 'no longer offered'}.", "success")
        except pride.PrideError as error:
            flash(str(error))
    return redirect(url_for("pride.settings"))
