"""Returns for the LA: every school's return for a deadline, authorise or return with a reason, exports.

For LA staff with the Returns service and site admins; they see the schools of their own LA
only (another LA's school's version answers 404). Returning a version emails the school's
users who have the Returns service.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from background.mail.templated import send_email
from background.validation_pool import storage
from domain.dates import academic_year_label, academic_year_of, uk_today
from forms.deadlines import SubmissionDigestForm
from forms.returns import AuthoriseForm, ReturnToSchoolForm
from models import audit, deadline_instances, return_exports, returns, services, submission_digests
from views.returns import load_version
from web.access import RETURNS, la_returns
from web.client import client_details
from web.database import get_db

bp = Blueprint("returns_review", __name__, url_prefix="/returns-review")


def _la_code() -> str:
    return current_user.row["organisation_la_code"]


def _instance(instance_id: int) -> dict:
    instance = deadline_instances.get_instance(get_db(), instance_id)
    if instance is None or instance["code"] not in returns.FILE_KINDS:
        abort(404)
    return instance


@bp.get("/")
@la_returns
def index():
    year = academic_year_of(uk_today())
    instances = returns.review_instances(get_db(), _la_code(), year - 1)
    return render_template("returns_review/index.html", instances=instances, year_label=academic_year_label,
                           digests=submission_digests.wants_digests(current_user.row))  # fmt: skip


@bp.route("/emails", methods=["GET", "POST"])
@la_returns
def emails():
    """Whether the reviewer gets the hourly email of returns their schools have submitted."""
    user = current_user.row
    form = SubmissionDigestForm(data={"digests": "yes" if submission_digests.wants_digests(user) else "no"})
    if form.validate_on_submit():
        wanted = form.digests.data == "yes"
        submission_digests.set_digests(get_db(), user, wanted, **client_details())
        flash("You will get an email when schools submit returns." if wanted
              else "You will not get emails when schools submit returns.", "success")  # fmt: skip
        return redirect(url_for("returns_review.emails"), 303)
    return render_template("returns_review/emails.html", form=form), 400 if form.errors else 200


@bp.get("/instances/<int:instance_id>")
@la_returns
def instance(instance_id: int):
    found = _instance(instance_id)
    review_rows = returns.review(get_db(), found, _la_code())
    counts = {}
    for row in review_rows:
        counts[row["status"]["key"]] = counts.get(row["status"]["key"], 0) + 1
    return render_template("returns_review/instance.html", instance=found, rows=review_rows, counts=counts,
                           statuses=returns.STATUSES, kind=returns.expected_kind(found))  # fmt: skip


def _la_version(version_id: int) -> dict:
    version = load_version(version_id)
    if version["return"]["is_test"]:
        abort(404)
    return version


@bp.route("/versions/<int:version_id>/authorise", methods=["GET", "POST"])
@la_returns
def authorise(version_id: int):
    """GET asks first (what is being authorised, for which school); POST authorises and tells the school."""
    version = _la_version(version_id)
    form = AuthoriseForm()
    if request.method == "GET":
        if version["status"] != "submitted" or not version["is_latest"]:
            flash("Only a submitted return can be authorised or returned.")
            return redirect(url_for("returns.report", version_id=version_id), 303)
        return render_template("returns_review/authorise.html", form=form, version=version, ret=version["return"])
    if form.validate_on_submit():
        try:
            returns.authorise(get_db(), version, current_user.row, **client_details())  # fmt: skip
        except returns.WorkflowError as error:
            flash(str(error))
        else:
            emailed = _email_school(version, f"{version['return']['title']} authorised", "authorised.txt")
            flash(f"{version['return']['school_name']}: version {version['version']} authorised "
                  f"({emailed} email{'s' if emailed != 1 else ''} sent).", "success")  # fmt: skip
    return redirect(url_for("returns.report", version_id=version_id), 303)


def _email_school(version: dict, subject: str, template: str, **context) -> int:
    """Email the school's Returns users about a decision on ``version``; return how many were emailed."""
    ret = version["return"]
    recipients = services.users_with_service(get_db(), ret["organisation_id"], RETURNS)
    for user in recipients:
        send_email(
            user["email"], subject, f"returns_review/email/{template}", background=True,
            ret=ret, version=version, sender=current_user.row, recipient=user, **context,
        )  # fmt: skip
    return len(recipients)


@bp.route("/versions/<int:version_id>/return", methods=["GET", "POST"])
@la_returns
def return_to_school(version_id: int):
    version = _la_version(version_id)
    form = ReturnToSchoolForm()
    if version["status"] != "submitted" or not version["is_latest"]:
        flash("Only a submitted return can be returned to the school.")
        return redirect(url_for("returns.report", version_id=version_id), 303)
    if form.validate_on_submit():
        try:
            returns.return_to_school(get_db(), version, current_user.row, form.reason.data, **client_details())
        except returns.WorkflowError as error:
            form.reason.errors.append(str(error))
        else:
            emailed = _email_school(version, f"{version['return']['title']} returned for changes", "returned.txt",
                                    reason=form.reason.data)
            flash(f"{version['return']['school_name']}: version {version['version']} returned to the school "
                  f"({emailed} email{'s' if emailed != 1 else ''} sent).", "success")  # fmt: skip
            return redirect(url_for("returns.report", version_id=version_id), 303)
    page = render_template("returns_review/return.html", form=form, version=version, ret=version["return"])
    return page, 400 if form.errors else 200


def _audit_export(name: str, target: str, detail: dict) -> None:
    """Record ``returns_exported`` for the zip ``name`` the LA user is about to download."""
    user = current_user.row
    audit.record(
        get_db(), "returns_exported", actor=user, organisation_id=user["organisation_id"], target=target,
        **client_details(), detail={"file": name, **detail},
    )  # fmt: skip


def _zip_attachment(name: str, write: Callable[[IO[bytes]], None]):
    """The zip ``write`` puts into a temporary file, sent as the attachment ``name`` (the file is closed if
    writing fails)."""
    out = tempfile.TemporaryFile(dir=storage.temp_dir(current_app.config["FILES_DIR"]))
    try:
        write(out)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return send_file(out, mimetype="application/zip", as_attachment=True, download_name=name)


def _send_zip(versions: list[dict], name: str, folders: bool, target: str, detail: dict):
    _audit_export(name, target, detail)
    return _zip_attachment(name, lambda out: return_exports.write_zip(get_db(), versions, out, folders=folders))


@bp.get("/versions/<int:version_id>/original")
@la_returns
def original(version_id: int):
    """The file exactly as the school uploaded it, as an attachment under its own name; audited."""
    version = _la_version(version_id)
    user = current_user.row
    try:
        stored = storage.open_stored(current_app.config["FILES_DIR"], version["stored_path"])
    except OSError:
        abort(404)
    audit.record(
        get_db(), "return_original_downloaded", actor=user, organisation_id=version["return"]["organisation_id"],
        target=f"return_version:{version_id}", **client_details(),
        detail={"file": version["original_name"], "sha256": version["sha256"]},
    )  # fmt: skip
    return send_file(stored, mimetype="application/xml", as_attachment=True, download_name=version["original_name"])


@bp.get("/versions/<int:version_id>/export.zip")
@la_returns
def export_version(version_id: int):
    version = _la_version(version_id)
    name = f"{return_exports.stem(version)}.zip"
    return _send_zip([version], name, False, f"return_version:{version_id}", {"versions": 1})


@bp.get("/versions/<int:version_id>/collect.zip")
@la_returns
def export_collect(version_id: int):
    """A School Census version in COLLECT's export layout (one CSV per entity), read from the stored file;
    audited as returns_exported."""
    version = _la_version(version_id)
    if version["kind"] != "census":
        abort(404)
    try:
        stored = storage.open_stored(current_app.config["FILES_DIR"], version["stored_path"])
    except OSError:
        abort(404)
    name = f"{return_exports.stem(version)}_collect.zip"
    _audit_export(name, f"return_version:{version_id}", {"layout": "collect"})

    def write(out: IO[bytes]) -> None:
        with stored:
            return_exports.write_collect_zip(stored, out)

    return _zip_attachment(name, write)


@bp.get("/instances/<int:instance_id>/export.zip")
@la_returns
def export_instance(instance_id: int):
    found = _instance(instance_id)
    versions = returns.exportable_versions(get_db(), instance_id, _la_code())
    if not versions:
        flash("No school has submitted this return yet: there is nothing to export.")
        return redirect(url_for("returns_review.instance", instance_id=instance_id), 303)
    year = academic_year_label(found["academic_year"]).replace("/", "-")
    name = f"{_la_code()}_{found['code']}_{year}_all_schools.zip"
    return _send_zip(versions, name, True, f"instance:{instance_id}", {"versions": len(versions)})
