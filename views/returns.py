"""Returns for schools: upload a School Census return, School Workforce Census return or CTF against a
deadline (or as a test upload at any time), watch it being checked, read the report, explain queries and
submit.

School users need the Returns service and only ever see their own school's returns; LA staff
with Returns (and site admins) see every school of their LA (their pages are in
``views/returns_review.py``). Another organisation's return, version or job answers 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import wait

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from background.validation_pool import pool, storage
from background.validation_pool.worker import max_bytes, quick_check
from domain.dates import uk_today
from domain.validation import FileRefused, uln_readiness
from domain.validation.census_summary import summary_rows
from domain.validation.dates import parse_iso_date
from domain.validation.kinds import PEOPLE
from domain.validation.rules import RULES
from forms.returns import FindingsFilterForm, NoteForm, SubmitReturnForm, UploadForm
from models import audit, deadline_instances, deadline_statuses, findings, return_exports, returns, uploads
from models.db import connection
from web.access import RETURNS, any_returns, is_school_user, may_see_school, my_school, school_returns
from web.client import client_details
from web.database import get_db
from web.downloads import csv_download
from web.filters import uk_datetime
from web.rendering import render_page

bp = Blueprint("returns", __name__, url_prefix="/returns")

WINDOW_DAYS = 180
HTMX_STOP_POLLING = 286
#: How long the upload request waits for its job: a file checked by then goes straight to its report
#: (or back to the form, refused); a longer one goes to the progress page.
QUICK_WAIT_SECONDS = 0.5


def may_see(organisation_id: int, la_code: str) -> bool:
    """True when the signed-in user may see a return of this school (their own, or their LA's)."""
    return may_see_school(current_user, RETURNS, organisation_id, la_code)


def load_return(return_id: int) -> dict:
    """The return, or 404 when it does not exist or the user may not see it."""
    ret = returns.get_return(get_db(), return_id)
    if ret is None or not may_see(ret["organisation_id"], ret["la_code"]):
        abort(404)
    return ret


def load_version(version_id: int) -> dict:
    """The version (with its ``return``), or 404 when it does not exist or the user may not see it."""
    version = returns.get_version(get_db(), version_id)
    if version is None or not may_see(version["return"]["organisation_id"], version["return"]["la_code"]):
        abort(404)
    return version


def load_job(job_id: int) -> dict:
    """The validation job, or 404 when it does not exist or the user may not see it."""
    job = uploads.get_job(get_db(), job_id)
    if job is None or not may_see(job["organisation_id"], job["organisation_la_code"]):
        abort(404)
    return job


def rule_title(rule: str) -> str:
    """A rule's short title (its id when the rule is no longer in the catalogue)."""
    found = RULES.get(rule)
    return found.title if found else rule


@bp.app_template_global("returns_rule_title")
def _rule_title_global(rule: str) -> str:
    return rule_title(rule)


@bp.app_template_global("version_name")
def version_name(version: dict, ret: dict) -> str:
    """How pages name a version of ``ret``: "Version 3"; a test upload is not numbered (test uploads are not
    versions of anything), so it is "Test upload of 1 July 2026 at 2:05pm"."""
    if ret["is_test"]:
        return f"Test upload of {uk_datetime(version['validated_at'])}"
    return f"Version {version['version']}"


@bp.app_template_global("returns_kind")
def kind_words(kind: str | None) -> dict:
    """How pages name a file of ``kind`` (None: a census return) and the people in it: ``label`` ("School
    Workforce Census return"), ``one`` / ``many`` ("staff member" / "staff"), ``key`` (what findings name a
    person by: "UPN", "TRN or NI number"), ``grouping`` (the data summary's rows: "Year group" or "Post")
    and ``tables`` (the CSV files of its export)."""
    kind = kind or "census"
    one, many, key = PEOPLE[kind]
    return {"label": returns.KIND_LABELS[kind], "one": one, "many": many, "key": key,
            "grouping": "Post" if kind == "workforce" else "Year group",
            "tables": [name.removesuffix(".csv") for name in return_exports.tables_for(kind)]}


def clean_file_name(raw: str | None) -> str:
    """The uploaded file's name as data: no folders or control characters, at most 255 characters."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255] or "upload.xml"


# ----------------------------------------------------------------------------- the school's returns


@bp.get("/")
@any_returns
def index():
    if not is_school_user(current_user, RETURNS):
        return redirect(url_for("returns_review.index"))
    db = get_db()
    school = my_school()
    today = uk_today()
    window = dt.timedelta(days=WINDOW_DAYS)
    items = [
        i for i in deadline_statuses.for_school(db, school, start=today - window, end=today + window)
        if i["code"] in returns.FILE_KINDS
    ]  # fmt: skip
    mine = returns.latest_by_instance(db, school["id"])
    for item in items:
        item["workflow"] = mine.get(item["id"])
        item["upload_block"] = returns.upload_block(db, school["id"], item)
    return render_template("returns/index.html", school=school, items=items, test=mine.get(None))


def _school_instance(instance_id: int) -> tuple[dict, dict]:
    """The instance and the user's school; 404 unless the instance applies to the school and takes a file."""
    db = get_db()
    school = my_school()
    instance = deadline_instances.get_instance(db, instance_id)
    if instance is None or instance["code"] not in returns.FILE_KINDS or not deadline_instances.is_applicable(
        db, instance, school
    ):
        abort(404)
    return instance, school


@bp.route("/upload/<int:instance_id>", methods=["GET", "POST"])
@school_returns
def upload(instance_id: int):
    instance, school = _school_instance(instance_id)
    return _upload_page(school, instance)


@bp.route("/test-upload", methods=["GET", "POST"])
@school_returns
def test_upload():
    return _upload_page(my_school(), None)


def _upload_page(school: dict, instance: dict | None):
    db = get_db()
    block = returns.upload_block(db, school["id"], instance)
    form = UploadForm()
    if block is None and form.validate_on_submit():
        outcome = _receive(form, school, instance)
        if outcome is not None:
            return outcome
    ret = returns.find_return(db, school["id"], instance["id"] if instance else None)
    latest = returns.latest_version(db, ret["id"]) if ret else None
    page = render_template(
        "returns/upload.html", form=form, school=school, instance=instance, block=block, ret=ret, latest=latest,
        kind_label=returns.KIND_LABELS.get(returns.expected_kind(instance)),
        max_mb=current_app.config["MAX_UPLOAD_MB"],
    )  # fmt: skip
    return page, 400 if request.method == "POST" else 200


def _refuse(form: UploadForm, school: dict, instance: dict | None, name: str, reason: str) -> None:
    form.file.errors.append(reason)
    user = current_user.row
    audit.record(
        get_db(), "return_upload_refused", actor=user, organisation_id=school["id"],
        target=f"instance:{instance['id']}" if instance else "test upload", detail={"file": name, "reason": reason},
        **client_details(),
    )  # fmt: skip


def _seen_before(school: dict, instance: dict | None, sha256: str):
    """A redirect to the report when this exact file is already the return's latest (changeable) version;
    otherwise flash where it was uploaded before (if anywhere) and return None."""
    db = get_db()
    previous = uploads.previous_versions_of_content(db, school["id"], sha256)
    if not previous:
        return None
    last = previous[0]
    when = uk_datetime(last["validated_at"])
    ret = returns.find_return(db, school["id"], instance["id"] if instance else None)
    latest = returns.latest_version(db, ret["id"]) if ret else None
    if latest is not None and latest["sha256"] == sha256 and returns.is_editable(latest):
        earlier = "your test upload of" if ret["is_test"] else f"version {latest['version']} on"
        flash(f"You uploaded this exact file before ({earlier} {uk_datetime(latest['validated_at'])}): "
              "this is its report.")  # fmt: skip
        return redirect(url_for("returns.report", version_id=latest["id"]), 303)
    earlier = returns.get_return(db, last["return_id"])
    where = "a test upload" if earlier["is_test"] else f"version {last['version']} of {earlier['title']}"
    flash(f"You uploaded this exact file before ({where} on {when}). "
          "It has been checked again as a new version.")  # fmt: skip
    return None


def _receive(form: UploadForm, school: dict, instance: dict | None):
    """Store the upload, refuse it at once when its start shows it is unusable, else start its job and
    wait up to QUICK_WAIT_SECONDS for it.

    Returns a redirect (to the report, or to the progress page of a job still running), or None
    after adding the reason the file was refused to the form's errors (nothing kept).
    """
    config = current_app.config
    name = clean_file_name(form.file.data.filename)
    try:
        temp = storage.save_temp(form.file.data.stream, config["FILES_DIR"], max_bytes(config))
    except storage.TooLarge:
        _refuse(form, school, instance, name, f"The file is larger than {config['MAX_UPLOAD_MB']} MB.")
        return None
    kind = returns.expected_kind(instance)
    try:
        quick_check(config, temp.name, kind)
    except FileRefused as refused:
        storage.discard(config["FILES_DIR"], temp.name)
        _refuse(form, school, instance, name, refused.reason)
        return None
    seen = _seen_before(school, instance, temp.sha256)
    if seen is not None:
        storage.discard(config["FILES_DIR"], temp.name)
        return seen
    db = get_db()
    job = uploads.create_job(
        db, organisation_id=school["id"], instance_id=instance["id"] if instance else None, kind=kind,
        original_name=name, sha256=temp.sha256, size=temp.size, temp_name=temp.name,
        created_by=current_user.row["id"],
    )  # fmt: skip
    future = pool.submit(current_app._get_current_object(), job["id"])
    if future is not None:
        wait([future], timeout=QUICK_WAIT_SECONDS)  # a small file's report comes straight back
    job = uploads.get_job(db, job["id"])
    if job["state"] in ("refused", "failed"):
        form.file.errors.append(job["message"])
        return None
    if job["state"] == "done":
        return redirect(url_for("returns.report", version_id=job["version_id"]), 303)
    return redirect(url_for("returns.job", job_id=job["id"]), 303)


# ----------------------------------------------------------------------------- progress


def _end_if_interrupted(job: dict) -> dict:
    """A job still queued or running that no thread of this server holds was left by a server that
    stopped: end it (and delete its temporary file) so the page does not wait for ever."""
    app = current_app._get_current_object()
    if job["state"] in uploads.FINAL_STATES or pool.is_in_flight(app, job["id"]):
        return job
    db = get_db()
    storage.discard(app.config["FILES_DIR"], job["temp_name"])
    uploads.fail_interrupted(db, [job["id"]])
    return uploads.get_job(db, job["id"])


def _go(target: str):
    """Leave the progress page: htmx gets 286 (stop polling) with HX-Redirect, a browser a redirect."""
    if request.headers.get("HX-Request") == "true":
        response = Response(status=HTMX_STOP_POLLING)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 303)


@bp.get("/jobs/<int:job_id>")
@any_returns
def job(job_id: int):
    found = _end_if_interrupted(load_job(job_id))
    if found["state"] == "done":
        return _go(url_for("returns.report", version_id=found["version_id"]))
    if found["state"] in uploads.FINAL_STATES and request.headers.get("HX-Request") == "true":
        return _go(url_for("returns.job", job_id=job_id))
    total = found["bytes_total"] or 1
    percent = min(100, round(100 * found["bytes_done"] / total))
    instance = deadline_instances.get_instance(get_db(), found["instance_id"]) if found["instance_id"] else None
    again = url_for("returns.upload", instance_id=instance["id"]) if instance else url_for("returns.test_upload")
    return render_page("returns/job.html", "returns/_job.html", job=found, percent=percent, instance=instance,
                       again=again)  # fmt: skip


# ----------------------------------------------------------------------------- a return and its report


@bp.get("/<int:return_id>")
@any_returns
def return_page(return_id: int):
    ret = load_return(return_id)
    db = get_db()
    versions = returns.versions_of(db, return_id)
    instance = deadline_instances.get_instance(db, ret["instance_id"]) if ret["instance_id"] else None
    school_user = is_school_user(current_user, RETURNS)
    block = returns.upload_block(db, ret["organisation_id"], instance) if school_user else "LA"
    return render_template("returns/return.html", ret=ret, versions=versions, instance=instance, block=block,
                           status=returns.status_view(versions[0] if versions else None))  # fmt: skip


def _findings_context(version: dict) -> dict:
    db = get_db()
    counts = findings.counts_by_rule(db, version["id"])
    rules = list(dict.fromkeys(c["rule"] for c in counts))
    form = FindingsFilterForm(request.args, rules=[(r, f"{r}: {rule_title(r)}") for r in rules])
    filters = form.filters() if form.validate() else findings.Filters()
    results = findings.search(db, version["id"], filters, request.args.get("page", 1, type=int))
    return {"counts": counts, "form": form, "results": results, "query": filters.query_args()}


@bp.get("/versions/<int:version_id>")
@any_returns
def report(version_id: int):
    version = load_version(version_id)
    db = get_db()
    context = _findings_context(version)
    school_user = is_school_user(current_user, RETURNS)
    previous = returns.previous_census(db, version)
    school_summary = summary_rows(version["summary"].get("figures"),
                                  previous["summary"].get("figures") if previous else None)
    return render_page(
        "returns/report.html", "returns/_findings.html", version=version, ret=version["return"],
        school_summary=school_summary, previous_census=previous,
        notes=returns.notes_of(db, version_id), unexplained=findings.unexplained_queries(db, version_id),
        editable=school_user and returns.is_editable(version),
        submit_problems=returns.submit_problems(db, version) if school_user and returns.can_submit(version) else None,
        la_user=not school_user, **context,
    )  # fmt: skip


CSV_HEADER = ("Severity", "Rule", "Rule title", "Pupil (position in file)", "UPN", "Name", "Field", "Value",
              "Message", "How to fix", "Note")  # fmt: skip


def csv_header(kind: str) -> tuple[str, ...]:
    """The findings CSV's header row for a file of ``kind``: its people named as the report names them."""
    words = kind_words(kind)
    return tuple({"Pupil (position in file)": f"{words['one'].capitalize()} (position in file)", "UPN": words["key"]}
                 .get(column, column) for column in CSV_HEADER)


def findings_csv_rows(rows) -> Iterator[tuple]:
    """The CSV cells of findings (with their notes)."""
    for f in rows:
        yield (f["severity"], f["rule"], rule_title(f["rule"]), f["pupil"] or "", f["upn"], f["name"], f["field"],
               f["value"], f["message"], f["fix"], f["note"] or "")


@bp.get("/versions/<int:version_id>/findings.csv")
@any_returns
def findings_csv(version_id: int):
    version = load_version(version_id)
    user = current_user.row
    audit.record(
        get_db(), "return_findings_downloaded", actor=user, organisation_id=version["return"]["organisation_id"],
        target=f"return_version:{version_id}", **client_details(),
    )  # fmt: skip
    database = current_app.config["DATABASE"]

    def body():
        # Its own connection: at teardown, which may come before the stream ends, the request's
        # connection goes back to its thread for the next request.
        with connection(database) as stream_db:
            yield from findings_csv_rows(findings.iter_findings(stream_db, version_id))

    return csv_download(f"{return_exports.stem(version)}_findings.csv", csv_header(version["kind"]), body())


# ----------------------------------------------------------------------------- ULN readiness


def _uln_readiness(version: dict) -> tuple[dt.date, list[dict]]:
    """The day ages are taken on (census day, else the day the file was checked) and, for each pupil of a census
    version who needs a ULN and has none, ``{"pupil", "flags"}``: flagged pupils first, then in file order."""
    if version["kind"] != "census":
        abort(404)
    on = parse_iso_date((version.get("summary") or {}).get("age_on")) or parse_iso_date(version["validated_at"][:10])
    found = [{"pupil": p, "flags": uln_readiness.flags_for(p, on)}
             for p in findings.iter_pupils(get_db(), version["id"]) if uln_readiness.needs_uln(p, on)]  # fmt: skip
    found.sort(key=lambda row: not row["flags"])
    return on, found


@bp.get("/versions/<int:version_id>/uln-readiness")
@any_returns
def uln_readiness_page(version_id: int):
    version = load_version(version_id)
    on, found = _uln_readiness(version)
    flagged = sum(1 for row in found if row["flags"])
    return render_template("returns/uln_readiness.html", version=version, ret=version["return"], on=on, rows=found,
                           flagged=flagged, exceptions=uln_readiness.EXCEPTIONS)  # fmt: skip


ULN_CSV_HEADER = ("UPN", "Surname", "Forename", "Date of birth", "Year group", "Postcode", "Ready", "LRS exceptions",
                  "What to fix")  # fmt: skip


@bp.get("/versions/<int:version_id>/uln-readiness.csv")
@any_returns
def uln_readiness_csv(version_id: int):
    version = load_version(version_id)
    _on, found = _uln_readiness(version)
    audit.record(
        get_db(), "return_uln_readiness_downloaded", actor=current_user.row,
        organisation_id=version["return"]["organisation_id"], target=f"return_version:{version_id}",
        **client_details(),
    )  # fmt: skip
    body = ((row["pupil"]["upn"], row["pupil"]["surname"], row["pupil"]["forename"], row["pupil"]["dob"],
             row["pupil"]["nc_year"], row["pupil"]["postcode"], "no" if row["flags"] else "yes",
             " ".join(f.code for f in row["flags"]), " ".join(f.message for f in row["flags"])) for row in found)
    return csv_download(f"{return_exports.stem(version)}_uln_readiness.csv", ULN_CSV_HEADER, body)


# ----------------------------------------------------------------------------- notes and submission


def _note_target(version: dict) -> tuple[str, str | None]:
    """The rule and UPN (None: every query of the rule) named in the query string; 404 if no such query."""
    rule = request.args.get("rule", "")
    upn = request.args.get("upn")
    if not rule or not findings.has_query(get_db(), version["id"], rule, upn):
        abort(404)
    return rule, upn


@bp.route("/versions/<int:version_id>/explain", methods=["GET", "POST"])
@school_returns
def explain(version_id: int):
    version = load_version(version_id)
    rule, upn = _note_target(version)
    db = get_db()
    if not returns.is_editable(version):
        flash("This version cannot be changed now.")
        return redirect(url_for("returns.report", version_id=version_id))
    existing = next((n for n in returns.notes_of(db, version_id) if n["rule"] == rule and n["upn"] == upn), None)
    form = NoteForm(data={"note": existing["text"] if existing else ""})
    submitted = form.validate_on_submit()
    if submitted and existing is None and not (form.note.data or "").strip():
        # nothing written and no note to remove: ask for the explanation rather than say "Note removed"
        form.note.errors.append("Explain why the data is correct, or go back to the report")
    elif submitted:
        try:
            outcome = returns.save_note(db, version, rule=rule, upn=upn, text=form.note.data, actor=current_user.row)
        except returns.WorkflowError as error:
            form.note.errors.append(str(error))
        else:
            flash("Note saved." if outcome == "saved" else "Note removed.", "success")
            return redirect(url_for("returns.report", version_id=version_id, rule=rule) + "#findings")
    concerned = findings.search(db, version_id, findings.Filters(rule=rule, upn=upn, severity="query"), page_size=100)
    page = render_template("returns/explain.html", version=version, ret=version["return"], rule=rule, upn=upn,
                           form=form, concerned=concerned)  # fmt: skip
    return page, 400 if form.errors else 200


@bp.route("/versions/<int:version_id>/submit", methods=["GET", "POST"])
@school_returns
def submit(version_id: int):
    version = load_version(version_id)
    db = get_db()
    form = SubmitReturnForm()
    problems = returns.submit_problems(db, version)
    if not problems and form.validate_on_submit():
        try:
            returns.submit(db, version, current_user.row, **client_details())  # fmt: skip
        except returns.WorkflowError as error:
            problems = [str(error)]
        else:
            return redirect(url_for("returns.submitted", version_id=version_id), 303)
    page = render_template("returns/submit.html", version=version, ret=version["return"], form=form,
                           problems=problems, notes=len(returns.notes_of(db, version_id)))  # fmt: skip
    return page, 400 if request.method == "POST" else 200


@bp.get("/versions/<int:version_id>/submitted")
@any_returns
def submitted(version_id: int):
    version = load_version(version_id)
    if version["status"] == "validated":
        return redirect(url_for("returns.report", version_id=version_id))
    return render_template("returns/submitted.html", version=version, ret=version["return"])
