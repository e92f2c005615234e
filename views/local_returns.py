"""Local returns: the LA designs its own returns (a pupil list or a single form) and schools answer them
on the web or in a spreadsheet, then submit.

LA users of the Local returns service (and site admins) design their LA's returns, publish new versions
of a definition, see who has sent and download everyone's answers. School users of the service answer
their own school's returns: each is a deadline they already see in What's due (the return catalogue says
who must make it and when), and its status there follows. Another LA's return, or another school's
submission, answers 404.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from background.mail.templated import send_email
from domain.dates import uk_today
from domain.local_returns.answers import findings, totals
from domain.local_returns.definitions import CHOICES, NUMBER, PUPIL_LIST, Definition, DefinitionError, Question
from domain.local_returns.uploads import UploadRefused, read_upload
from forms.deadlines import ButtonForm
from forms.local_returns import DetailsForm, NewReturnForm, QuestionForm, ReturnForChangesForm, SubmitForm, UploadForm
from models import audit, local_return_files, local_returns, services
from models.local_returns import LocalReturnError
from views.returns import clean_file_name
from web.access import (
    LOCAL_RETURNS,
    any_local_returns,
    is_la_user,
    is_school_user,
    la_local_returns,
    may_see_school,
    my_school,
    oversight_la_code,
    school_local_returns,
)
from web.client import client_details
from web.database import get_db
from web.pagination import page_count, page_links

bp = Blueprint("local_returns", __name__, url_prefix="/local-returns")

PAGE_SIZE = 25
WINDOW_DAYS = 120
#: Largest spreadsheet or CSV a school may upload for a local return.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def load_local_return(local_return_id: int) -> dict:
    """The local return, or 404 when it does not exist or belongs to another LA."""
    found = local_returns.get(get_db(), local_return_id)
    scope = oversight_la_code()
    if found is None or (scope is not None and found["la_code"] != scope):
        abort(404)
    return found


def load_submission(submission_id: int) -> dict:
    """A submission the current user may see (their own school's, or their LA's); else 404."""
    found = local_returns.get_submission(get_db(), submission_id)
    if found is None or not may_see_school(current_user, LOCAL_RETURNS, found["organisation_id"], found["la_code"]):
        abort(404)
    return found


def _actor_audit(action: str, target: str, **detail) -> None:
    user = current_user.row
    audit.record(get_db(), action, actor=user, organisation_id=user["organisation_id"], target=target,
                 detail=detail, **client_details())  # fmt: skip


# ----------------------------------------------------------------------------- lists


@bp.get("/")
@any_local_returns
def index():
    db = get_db()
    if is_la_user(current_user, LOCAL_RETURNS):
        return render_template("local_returns/index.html", designs=local_returns.list_for_la(db, oversight_la_code()),
                               items=None)  # fmt: skip
    school = my_school()
    today = uk_today()
    window = dt.timedelta(days=WINDOW_DAYS)
    items = local_returns.for_school(db, school, start=today - window, end=today + window)
    return render_template("local_returns/index.html", designs=None, items=items, school=school)


# ----------------------------------------------------------------------------- the designer


def _definition_from(form: DetailsForm, base: Definition | None) -> Definition:
    details = {"title": form.title.data, "purpose": form.purpose.data, "nc_years": tuple(form.nc_years.data or ()),
               "nothing_to_report": bool(form.nothing_to_report.data)}  # fmt: skip
    if base is None:
        shape = form.shape.data
        details["nc_years"] = details["nc_years"] if shape == PUPIL_LIST else ()
        return Definition(shape=shape, **details)
    if not base.is_pupil_list:
        details["nc_years"] = ()
    return base.with_details(**details)


@bp.route("/new", methods=["GET", "POST"])
@la_local_returns
def new_return():
    db = get_db()
    la_code = current_user.row["organisation_la_code"]
    catalogue = local_returns.catalogue_choices(db, la_code)
    form = NewReturnForm(catalogue=catalogue)
    if catalogue and form.validate_on_submit():
        try:
            created = local_returns.create(db, la_code=la_code, catalogue_id=form.catalogue_id.data,
                                           definition=_definition_from(form, None), actor=current_user.row)
        except (DefinitionError, LocalReturnError) as error:
            form.title.errors.append(str(error))
        else:
            flash("Return created. Add its questions, then publish it.", "success")
            return redirect(url_for("local_returns.design", local_return_id=created["id"]), 303)
    page = render_template("local_returns/new.html", form=form, catalogue=catalogue)
    return page, 400 if form.errors else 200


@bp.get("/<int:local_return_id>")
@la_local_returns
def design(local_return_id: int):
    found = load_local_return(local_return_id)
    db = get_db()
    return render_template("local_returns/design.html", ret=found, definition=found["latest"]["definition"],
                           instances=local_returns.instances_of(db, found)[:20], form=ButtonForm())  # fmt: skip


@bp.route("/<int:local_return_id>/details", methods=["GET", "POST"])
@la_local_returns
def edit_details(local_return_id: int):
    found = load_local_return(local_return_id)
    definition = found["latest"]["definition"]
    form = DetailsForm(data={"title": definition.title, "purpose": definition.purpose,
                             "nc_years": list(definition.nc_years), "nothing_to_report": definition.nothing_to_report})
    if form.validate_on_submit():
        try:
            changed = _definition_from(form, definition)
        except DefinitionError as error:
            form.nc_years.errors.append(str(error))
        else:
            local_returns.save_draft(get_db(), found, changed, current_user.row)
            flash("Details saved in the draft.", "success")
            return redirect(url_for("local_returns.design", local_return_id=local_return_id), 303)
    page = render_template("local_returns/details.html", form=form, ret=found, definition=definition)
    return page, 400 if form.errors else 200


def _question_page(found: dict, question: Question | None):
    definition = found["latest"]["definition"]
    numbers = [(q.key, q.label) for q in definition.questions
               if q.kind == NUMBER and (question is None or q.key != question.key)]  # fmt: skip
    data = None
    if question is not None:
        data = {"label": question.label, "kind": question.kind, "required": question.required, "help": question.help,
                "minimum": question.minimum, "maximum": question.maximum, "options": "\n".join(question.options),
                "sum_of": list(question.sum_of)}  # fmt: skip
    form = QuestionForm(data=data, number_questions=numbers)
    if form.validate_on_submit():
        number = form.kind.data == NUMBER
        made = Question(
            key=question.key if question else definition.new_key(form.label.data), label=form.label.data,
            kind=form.kind.data, required=bool(form.required.data), help=form.help.data or "",
            minimum=form.minimum.data if number else None, maximum=form.maximum.data if number else None,
            options=form.option_list() if form.kind.data in ("choice", CHOICES) else (),
            sum_of=tuple(form.sum_of.data or ()) if number else (),
        )  # fmt: skip
        try:
            changed = definition.with_question(made, replacing=question.key if question else None)
        except DefinitionError as error:
            form.label.errors.append(str(error))
        else:
            local_returns.save_draft(get_db(), found, changed, current_user.row)
            flash(f"Question '{made.label}' saved in the draft.", "success")
            return redirect(url_for("local_returns.design", local_return_id=found["id"]) + "#questions", 303)
    page = render_template("local_returns/question.html", form=form, ret=found, question=question)
    return page, 400 if form.errors else 200


@bp.route("/<int:local_return_id>/questions/new", methods=["GET", "POST"])
@la_local_returns
def add_question(local_return_id: int):
    return _question_page(load_local_return(local_return_id), None)


def _question(found: dict, question_key: str) -> Question:
    question = found["latest"]["definition"].question(question_key)
    if question is None:
        abort(404)
    return question


@bp.route("/<int:local_return_id>/questions/<question_key>", methods=["GET", "POST"])
@la_local_returns
def edit_question(local_return_id: int, question_key: str):
    found = load_local_return(local_return_id)
    return _question_page(found, _question(found, question_key))


@bp.post("/<int:local_return_id>/questions/<question_key>/remove")
@la_local_returns
def remove_question(local_return_id: int, question_key: str):
    found = load_local_return(local_return_id)
    question = _question(found, question_key)
    if ButtonForm().validate_on_submit():
        changed = found["latest"]["definition"].without_question(question_key)
        local_returns.save_draft(get_db(), found, changed, current_user.row)
        flash(f"Question '{question.label}' removed from the draft.", "success")
    return redirect(url_for("local_returns.design", local_return_id=local_return_id) + "#questions", 303)


#: The two ways a question moves in the draft's order (the Move up / Move down buttons).
MOVES = {"up": -1, "down": 1}


@bp.post("/<int:local_return_id>/questions/<question_key>/move")
@la_local_returns
def move_question(local_return_id: int, question_key: str):
    """Move a question of the draft one place up or down (a published version's order stays as it is)."""
    found = load_local_return(local_return_id)
    question = _question(found, question_key)
    step = MOVES.get(request.form.get("direction", ""))
    if ButtonForm().validate_on_submit() and step is not None:
        try:
            local_returns.move_question(get_db(), found, question_key, step, current_user.row)
        except LocalReturnError as error:
            flash(str(error))
        else:
            flash(f"Question '{question.label}' moved {request.form['direction']}.", "success")
    return redirect(url_for("local_returns.design", local_return_id=local_return_id) + "#questions", 303)


@bp.post("/<int:local_return_id>/publish")
@la_local_returns
def publish(local_return_id: int):
    found = load_local_return(local_return_id)
    if ButtonForm().validate_on_submit():
        try:
            published = local_returns.publish(get_db(), found, current_user.row)
        except LocalReturnError as error:
            flash(str(error))
        else:
            flash(f"Version {published['current']['version']} published: schools answer it from now on.", "success")
    return redirect(url_for("local_returns.design", local_return_id=local_return_id), 303)


# ----------------------------------------------------------------------------- a school's return


def _school_return(deadline_id: int) -> tuple[dict, dict, dict]:
    """``(instance, local_return, school)`` for the user's school; 404 unless the instance applies to it
    and its LA collects it as a published local return."""
    school = my_school()
    found = local_returns.instance_for_school(get_db(), deadline_id, school)
    if found is None:
        abort(404)
    return found[0], found[1], school


def _open_submission(deadline_id: int) -> tuple[dict, dict, dict]:
    """``(instance, local_return, submission)``: the school's submission, started (or moved to the
    current definition) as it is opened."""
    instance, local_return, school = _school_return(deadline_id)
    submission = local_returns.start(get_db(), local_return, instance, school, current_user.row)
    return instance, local_return, submission


def _summary(submission: dict) -> dict:
    db = get_db()
    all_rows = local_returns.rows_of(db, submission["id"])
    definition = submission["definition"]
    return {"findings": findings(definition, all_rows), "totals": totals(definition, all_rows),
            "row_count": len(all_rows), "page_size": PAGE_SIZE}  # fmt: skip


@bp.get("/due/<int:deadline_id>")
@school_local_returns
def school_return(deadline_id: int):
    instance, local_return, submission = _open_submission(deadline_id)
    db = get_db()
    previous = local_returns.previous_submission(db, submission)
    previous_totals = totals(submission["definition"], local_returns.rows_of(db, previous["id"])) if previous else {}
    return render_template(
        "local_returns/school_return.html", instance=instance, ret=local_return, submission=submission,
        definition=submission["definition"], previous=previous, upload_form=UploadForm(), button=ButtonForm(),
        previous_totals=previous_totals, **_summary(submission),
    )  # fmt: skip


def _field_name(position: int, key: str) -> str:
    return f"r{position}-{key}"


def _page_of_rows(submission_id: int) -> tuple[int, int, int, list[dict]]:
    """``(total, pages, page, rows)``: the submission's rows on the page the query string asks for (kept within
    the pages there are)."""
    db = get_db()
    total = local_returns.count_rows(db, submission_id)
    pages = page_count(total, PAGE_SIZE)
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    return total, pages, page, local_returns.rows_of(db, submission_id, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)


def _answers_from_form(definition: Definition, page_rows: list[dict]) -> dict[int, dict]:
    answers = {}
    for row in page_rows:
        given = {}
        for question in definition.questions:
            name = _field_name(row["position"], question.key)
            given[question.key] = request.form.getlist(name) if question.kind == CHOICES else request.form.get(name, "")
        answers[row["position"]] = given
    return answers


@bp.route("/due/<int:deadline_id>/answers", methods=["GET", "POST"])
@school_local_returns
def answers(deadline_id: int):
    instance, local_return, submission = _open_submission(deadline_id)
    db = get_db()
    total, pages, page, page_rows = _page_of_rows(submission["id"])
    definition = submission["definition"]
    form = ButtonForm()
    if submission["status"] == "draft" and form.validate_on_submit():
        given = _answers_from_form(definition, page_rows)
        try:
            local_returns.save_answers(db, submission, given, current_user.row)
        except LocalReturnError as error:
            flash(str(error))
            return redirect(url_for("local_returns.school_return", deadline_id=deadline_id), 303)
        wrong = findings(definition, [{**r, "answers": given[r["position"]]} for r in page_rows])
        if request.form.get("later"):
            flash("Your answers are saved. Come back to them at any time before the due date.", "success")
            return redirect(url_for("local_returns.school_return", deadline_id=deadline_id), 303)
        if wrong:
            flash("Your answers are saved. Some need correcting before you submit: they are shown below.")
            return redirect(url_for("local_returns.answers", deadline_id=deadline_id, page=page), 303)
        if page < pages:
            return redirect(url_for("local_returns.answers", deadline_id=deadline_id, page=page + 1), 303)
        flash("Your answers are saved.", "success")
        return redirect(url_for("local_returns.school_return", deadline_id=deadline_id), 303)
    # a return only opened has nothing to correct yet: errors come once the school has answered something
    wrong = findings(definition, page_rows) if submission["state"] else []
    errors = {(f.row, f.key): f.message for f in wrong}
    return render_template(
        "local_returns/answers.html", instance=instance, ret=local_return, submission=submission,
        definition=definition, rows=page_rows, errors=errors, wrong=wrong, form=form, page=page, pages=pages,
        total=total, field_name=_field_name, page_size=PAGE_SIZE,
        nav=page_links(page, pages, lambda n: url_for("local_returns.answers", deadline_id=deadline_id, page=n)),
    )  # fmt: skip


@bp.post("/due/<int:deadline_id>/copy-last")
@school_local_returns
def copy_last(deadline_id: int):
    instance, local_return, submission = _open_submission(deadline_id)
    if ButtonForm().validate_on_submit():
        try:
            previous = local_returns.copy_previous(get_db(), submission, current_user.row)
        except LocalReturnError as error:
            flash(str(error))
        else:
            if previous is None:
                flash("There is no earlier return to copy.")
            else:
                flash(f"Answers copied from {previous['period_label']}. Check them and change what is different.",
                      "success")  # fmt: skip
    return redirect(url_for("local_returns.school_return", deadline_id=deadline_id), 303)


@bp.route("/due/<int:deadline_id>/submit", methods=["GET", "POST"])
@school_local_returns
def submit(deadline_id: int):
    instance, local_return, submission = _open_submission(deadline_id)
    if submission["status"] == "submitted":
        return redirect(url_for("local_returns.submission", submission_id=submission["id"]))
    form = SubmitForm()
    summary = _summary(submission)
    problem = None
    if form.validate_on_submit():
        nothing = bool(form.nothing_to_report.data) and submission["definition"].nothing_to_report
        try:
            local_returns.submit(get_db(), submission, current_user.row, nothing_to_report=nothing)
        except LocalReturnError as error:
            problem = str(error)
        else:
            flash(f"{submission['definition'].title} ({instance['period_label']}) submitted. Thank you.", "success")
            return redirect(url_for("local_returns.submission", submission_id=submission["id"]), 303)
    page = render_template("local_returns/submit.html", instance=instance, ret=local_return, submission=submission,
                           definition=submission["definition"], form=form, problem=problem, **summary)  # fmt: skip
    return page, 400 if problem else 200


@bp.get("/submissions/<int:submission_id>")
@any_local_returns
def submission(submission_id: int):
    found = load_submission(submission_id)
    total, pages, page, page_rows = _page_of_rows(submission_id)
    may_return = is_la_user(current_user, LOCAL_RETURNS) and found["state"] == "submitted"
    return render_template("local_returns/submission.html", submission=found, definition=found["definition"],
                           rows=page_rows, page=page, pages=pages, total=total, may_return=may_return,
                           school_user=is_school_user(current_user, LOCAL_RETURNS))  # fmt: skip


def _email_school(submission: dict, reason: str) -> int:
    """Email the school's Local returns users that the LA handed its return back; how many were emailed. The
    email names the return and period, gives the LA's reason and links to the return: no pupil data."""
    recipients = services.users_with_service(get_db(), submission["organisation_id"], LOCAL_RETURNS)
    subject = f"{submission['definition'].title} ({submission['period_label']}) returned for changes"
    for user in recipients:
        send_email(user["email"], subject, "local_returns/email/returned.txt", background=True,
                   submission=submission, reason=reason, sender=current_user.row, recipient=user)  # fmt: skip
    return len(recipients)


@bp.route("/submissions/<int:submission_id>/return", methods=["GET", "POST"])
@la_local_returns
def return_for_changes(submission_id: int):
    """GET asks for the reason; POST hands the submitted answers back to the school (a draft again, its
    answers kept), shows ``returned`` on the deadline and emails the school's Local returns users."""
    found = load_submission(submission_id)
    back = url_for("local_returns.submission", submission_id=submission_id)
    if found["state"] != "submitted":
        flash("Only submitted answers can be returned for changes: these are not submitted now"
              + (" (they have been returned already)." if found["state"] == "returned" else "."))  # fmt: skip
        return redirect(back, 303)
    form = ReturnForChangesForm()
    if form.validate_on_submit():
        try:
            local_returns.return_for_changes(get_db(), found, current_user.row, form.reason.data, **client_details())
        except LocalReturnError as error:
            flash(str(error))
            return redirect(back, 303)
        emailed = _email_school(found, form.reason.data)
        flash(f"{found['school_name']}: {found['definition'].title} ({found['period_label']}) returned for changes "
              f"({emailed} email{'s' if emailed != 1 else ''} sent).", "success")  # fmt: skip
        return redirect(back, 303)
    page = render_template("local_returns/return.html", form=form, submission=found, definition=found["definition"])
    return page, 400 if form.errors else 200


# ----------------------------------------------------------------------------- spreadsheets


@bp.get("/due/<int:deadline_id>/spreadsheet")
@school_local_returns
def spreadsheet(deadline_id: int):
    instance, local_return, submission = _open_submission(deadline_id)
    db = get_db()
    content = local_return_files.workbook(submission, local_returns.rows_of(db, submission["id"]))
    _actor_audit("local_return_spreadsheet_downloaded", f"local_return_submission:{submission['id']}",
                 version=submission["version"])  # fmt: skip
    name = local_return_files.file_name(submission, "xlsx")
    return Response(content, mimetype=local_return_files.XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@bp.post("/due/<int:deadline_id>/upload")
@school_local_returns
def upload(deadline_id: int):
    instance, local_return, submission = _open_submission(deadline_id)
    form = UploadForm()
    if submission["status"] == "draft" and form.validate_on_submit():
        name = clean_file_name(form.file.data.filename)
        raw = form.file.data.stream.read(MAX_UPLOAD_BYTES + 1)
        db = get_db()
        try:
            if len(raw) > MAX_UPLOAD_BYTES:
                raise UploadRefused(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
            upload_rows = local_returns.rows_of(db, submission["id"])
            read = read_upload(raw, name, expected=local_return_files.expected(submission), rows=upload_rows)
            local_returns.save_answers(db, submission, read.answers, current_user.row, source="spreadsheet",
                                       file_name=name, replace_all=True)  # fmt: skip
        except (UploadRefused, LocalReturnError) as refused:
            form.file.errors.append(str(refused))
            _actor_audit("local_return_upload_refused", f"local_return_submission:{submission['id']}", file=name,
                         reason=str(refused))  # fmt: skip
        else:
            wrong = local_returns.findings_of(db, local_returns.get_submission(db, submission["id"]))
            flash(f"{name} uploaded: {len(read.answers)} row{'s' if len(read.answers) != 1 else ''} read. "
                  + (f"{len(wrong)} answer{'s need' if len(wrong) != 1 else ' needs'} correcting: see below."
                     if wrong else "Every answer is acceptable: you can submit."), "success" if not wrong else "info")
            return redirect(url_for("local_returns.school_return", deadline_id=deadline_id) + "#findings", 303)
    if submission["status"] != "draft":
        flash("This return has been submitted: it cannot be changed now.")
        return redirect(url_for("local_returns.school_return", deadline_id=deadline_id), 303)
    previous = local_returns.previous_submission(get_db(), submission)
    page = render_template(
        "local_returns/school_return.html", instance=instance, ret=local_return, submission=submission,
        definition=submission["definition"], previous=previous, upload_form=form, button=ButtonForm(),
        **_summary(submission),
    )  # fmt: skip
    return page, 400


# ----------------------------------------------------------------------------- the LA's view of a period


def _period(local_return_id: int, deadline_id: int) -> tuple[dict, dict]:
    found = load_local_return(local_return_id)
    instance = next((i for i in local_returns.instances_of(get_db(), found) if i["id"] == deadline_id), None)
    if instance is None:
        abort(404)
    return found, instance


@bp.get("/<int:local_return_id>/periods/<int:deadline_id>")
@la_local_returns
def period(local_return_id: int, deadline_id: int):
    found, instance = _period(local_return_id, deadline_id)
    db = get_db()
    schools = local_returns.schools_for(db, found, instance)
    summary = local_return_files.summary(db, found, instance)
    return render_template("local_returns/period.html", ret=found, instance=instance, schools=schools,
                           summary=summary)  # fmt: skip


def _period_download(local_return_id: int, deadline_id: int, fmt: str) -> Response:
    found, instance = _period(local_return_id, deadline_id)
    _actor_audit("local_return_answers_downloaded", f"local_return:{local_return_id}", instance=deadline_id,
                 format=fmt)  # fmt: skip
    name = local_return_files.export_name(found, instance, fmt)
    if fmt == "csv":
        body = local_return_files.stream_csv(current_app.config["DATABASE"], found, instance)
        return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})
    content = local_return_files.export_xlsx(get_db(), found, instance)
    return Response(content, mimetype=local_return_files.XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@bp.get("/<int:local_return_id>/periods/<int:deadline_id>/answers.csv")
@la_local_returns
def answers_csv(local_return_id: int, deadline_id: int):
    return _period_download(local_return_id, deadline_id, "csv")


@bp.get("/<int:local_return_id>/periods/<int:deadline_id>/answers.xlsx")
@la_local_returns
def answers_xlsx(local_return_id: int, deadline_id: int):
    return _period_download(local_return_id, deadline_id, "xlsx")
