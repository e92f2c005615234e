"""Duplicate pupils across the LA's schools: the LA's list of cases (filters, counts, CSV), each case with its
notes, history and actions, a school's own cases, and the census database closure countdown.

LA users of Returns (LA staff with it, site admins) see every case with a school of their LA and act on them:
message both schools (a conversation in Messages with each, from a template), note, resolve, mark not a
duplicate, reopen. A school user of Returns sees only its own cases and, of the other school, its name and the
pupil's UPN, name and date of birth: nothing else of that school's data (the view passes nothing else). Cases
open and close themselves as schools upload (``models.duplicates``). "Check test uploads too" (LA users) shows, once and
without storing anything, the duplicates there would be with the schools' newer test uploads counted.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from background.mail.templated import link, send_email
from domain.dates import uk_today
from domain.duplicates import KIND_LABELS
from forms.duplicates import (
    CaseFilterForm,
    ClosureForm,
    MessageForm,
    NotDuplicateForm,
    NoteForm,
    ReopenForm,
    ResolveForm,
    TestUploadsCheckForm,
)
from models import audit, duplicates, messages, organisations, services
from web.access import RETURNS, TRANSFERS, any_returns, is_la_user, la_returns, oversight_la_code
from web.client import client_details
from web.database import get_db
from web.downloads import csv_download
from web.pagination import page_count, page_links
from web.rendering import render_page

bp = Blueprint("duplicates", __name__, url_prefix="/duplicates")

#: What a school sees of another school's record in a case.
OTHER_SCHOOL_FIELDS = ("school_name", "upn", "surname", "forename", "dob")
CSV_HEADER = ("Case", "Kind", "Rule", "Status", "UPNs", "Schools", "DfE numbers", "Matched", "Postcode",
              "On both rolls on census day", "Opened", "Closed", "Resolution")  # fmt: skip


def _is_la() -> bool:
    return is_la_user(current_user, RETURNS)


def _closure(instance_id: int | None) -> dict | None:
    """The census instance with its database closure date and the days left (None: unknown instance)."""
    if instance_id is None:
        return None
    instance = duplicates.instance_closure(get_db(), instance_id)
    if instance and instance["database_closes_on"]:
        instance["days_left"] = (instance["database_closes_on"] - uk_today()).days
    return instance


# ----------------------------------------------------------------------------- lists


def _la_filters() -> tuple[CaseFilterForm, duplicates.Filters | None]:
    db = get_db()
    la_code = oversight_la_code()
    form = CaseFilterForm(request.args, duplicates.census_instances(db), duplicates.schools_with_cases(db, la_code),
                          organisations.phases(db, la_code))  # fmt: skip
    return form, form.filters()


@bp.get("/")
@any_returns
def index():
    db = get_db()
    if not _is_la():
        own = duplicates.Filters(None, status="")
        cases, _ = duplicates.list_cases(db, own, own_school=current_user.row["organisation_id"], page_size=None)
        return render_template("duplicates/school.html", cases=cases, kinds=KIND_LABELS,
                               own_id=current_user.row["organisation_id"])  # fmt: skip
    form, filters = _la_filters()
    page = request.args.get("page", 1, type=int)
    cases, total, counts, links = [], 0, {}, None
    if filters is not None:
        cases, total = duplicates.list_cases(db, filters, la_code=oversight_la_code(), page=page)
        counts = duplicates.counts_by_status(db, filters.instance_id, oversight_la_code())
        pages = page_count(total, duplicates.PAGE_SIZE)
        args = {k: v for k, v in request.args.items() if k != "page"}
        links = page_links(page, pages, lambda n: url_for("duplicates.index", **args, page=n))
    return render_page(
        "duplicates/index.html", "duplicates/_cases.html", form=form, cases=cases, total=total, counts=counts,
        statuses=duplicates.STATUSES, kinds=KIND_LABELS, links=links,
        closure=_closure(filters.instance_id if filters else None), csv_args=request.args.to_dict(),
        test_uploads_form=TestUploadsCheckForm(),
    )  # fmt: skip


@bp.get("/cases.csv")
@la_returns
def cases_csv():
    db = get_db()
    form, filters = _la_filters()
    if filters is None:
        abort(404)
    cases, _ = duplicates.list_cases(db, filters, la_code=oversight_la_code(), page_size=None)
    user = current_user.row
    audit.record(
        db, "duplicate_cases_downloaded", actor=user, organisation_id=user["organisation_id"],
        target=f"instance:{filters.instance_id}", detail={"cases": len(cases)}, **client_details(),
    )  # fmt: skip
    body = (
        (c["id"], KIND_LABELS[c["kind"]], c["rule"], c["status_label"], " ".join(c["upns"]), "; ".join(c["schools"]),
         " ".join(sorted({m["dfe_number"] for m in c["members"]})), ", ".join(c["matched"]), c["postcode"],
         {1: "yes", 0: "no"}.get(c["on_roll_together"], "unknown"), c["opened_at"][:10], (c["closed_at"] or "")[:10],
         c["resolution"] or "")
        for c in cases
    )  # fmt: skip
    return csv_download(f"duplicate-pupils-{filters.instance_id}.csv", CSV_HEADER, body)


# ----------------------------------------------------------------------------- one case


def _case(case_id: int) -> dict:
    """The case, when the current user may see it (an LA user: a school of their LA is in it; a school user:
    their school is in it); else 404."""
    case = duplicates.get_case(get_db(), case_id)
    if case is None:
        abort(404)
    if _is_la():
        la_code = oversight_la_code()
        if la_code is not None and not any(m["la_code"] == la_code for m in case["members"]):
            abort(404)
    elif not any(m["organisation_id"] == current_user.row["organisation_id"] for m in case["members"]):
        abort(404)
    return case


def _school_view(case: dict) -> dict:
    """The case as a school sees it: its own records in full, the other schools' reduced to the school's name
    and the pupil's UPN, name and date of birth; notes of its own and what the LA did, not other schools'
    notes."""
    own = current_user.row["organisation_id"]
    return {
        "id": case["id"], "kind": case["kind"], "status": case["status"], "status_label": case["status_label"],
        "instance_id": case["instance_id"], "opened_at": case["opened_at"], "closed_at": case["closed_at"],
        "resolution": case["resolution"],
        "own": [m for m in case["members"] if m["organisation_id"] == own],
        "others": [{k: m[k] for k in OTHER_SCHOOL_FIELDS} for m in case["members"] if m["organisation_id"] != own],
        "events": [e for e in case["events"] if e["action"] != "note" or e["organisation_id"] == own],
    }  # fmt: skip


def _case_page(case: dict, status: int = 200, **forms):
    context = {"note_form": forms.get("note_form") or NoteForm()}
    if not _is_la():
        view = _school_view(case)
        return render_template("duplicates/school_case.html", case=view, kinds=KIND_LABELS,
                               closure=_closure(case["instance_id"]), events=duplicates.EVENT_LABELS,
                               **context), status  # fmt: skip
    context.update(
        resolve_form=forms.get("resolve_form") or ResolveForm(),
        not_duplicate_form=forms.get("not_duplicate_form") or NotDuplicateForm(),
        reopen_form=forms.get("reopen_form") or ReopenForm(),
    )
    return render_template("duplicates/case.html", case=case, kinds=KIND_LABELS, closure=_closure(case["instance_id"]),
                           events=duplicates.EVENT_LABELS, active=case["status"] in duplicates.ACTIVE,
                           **context), status  # fmt: skip


@bp.get("/cases/<int:case_id>")
@any_returns
def case(case_id: int):
    return _case_page(_case(case_id))


def _act(case_id: int, form_name: str, form, change, field: str, done: str):
    """Validate ``form``, apply ``change(db, case, actor, text)`` and go back to the case; re-show it with the
    errors (400) otherwise."""
    found = _case(case_id)
    if form.validate_on_submit():
        try:
            change(get_db(), found, current_user.row, form[field].data, **client_details())
        except duplicates.CaseError as error:
            form[field].errors = [*form[field].errors, str(error)]
        else:
            flash(done, "success")
            return redirect(url_for("duplicates.case", case_id=case_id), 303)
    return _case_page(_case(case_id), 400, **{form_name: form})


@bp.post("/cases/<int:case_id>/notes")
@any_returns
def add_note(case_id: int):
    return _act(case_id, "note_form", NoteForm(), duplicates.add_note, "note", "Note added.")


@bp.post("/cases/<int:case_id>/resolve")
@la_returns
def resolve(case_id: int):
    return _act(case_id, "resolve_form", ResolveForm(), duplicates.resolve, "resolution", "Case closed as resolved.")


@bp.post("/cases/<int:case_id>/not-duplicate")
@la_returns
def not_duplicate(case_id: int):
    return _act(case_id, "not_duplicate_form", NotDuplicateForm(), duplicates.mark_not_duplicate, "reason",
                "Case closed as not a duplicate: the same pupils will not be reported again.")  # fmt: skip


@bp.post("/cases/<int:case_id>/reopen")
@la_returns
def reopen(case_id: int):
    return _act(case_id, "reopen_form", ReopenForm(), duplicates.reopen, "reopen_reason", "Case reopened.")


# ----------------------------------------------------------------------------- message both schools


def _school_ids(case: dict) -> list[int]:
    return sorted({m["organisation_id"] for m in case["members"]})


@bp.route("/cases/<int:case_id>/message", methods=["GET", "POST"])
@la_returns
def message(case_id: int):
    """Message every school of the case from a template the LA may change: a conversation in Messages with each
    school (so each one's reply stays private), and an email to any of its Returns users who cannot use Messages.
    The case is recorded as contacted."""
    found = _case(case_id)
    if found["status"] not in duplicates.ACTIVE:
        flash("This case is closed: reopen it before contacting the schools.")
        return redirect(url_for("duplicates.case", case_id=case_id), 303)
    form = MessageForm()
    if request.method == "GET":
        form.subject.data = f"Duplicate pupil: UPN {', '.join(found['upns'])}"
        form.body.data = render_template("duplicates/email/_suggested.txt", case=found, kinds=KIND_LABELS,
                                         closure=_closure(found["instance_id"]))  # fmt: skip
    elif form.validate_on_submit():
        sent = _message_schools(found, form.subject.data, form.body.data)
        if sent is not None:
            threads, emailed = sent
            flash(f"Message sent to {threads} school{'s' if threads != 1 else ''} in Messages"
                  + (f"; {emailed} who use Returns but not Messages were emailed a link to the case" if emailed else "")
                  + ". The case is now marked as contacted.", "success")  # fmt: skip
            return redirect(url_for("duplicates.case", case_id=case_id), 303)
        form.body.errors = [*form.body.errors, "None of these schools can receive messages: contact them another way."]
    page = render_template("duplicates/message.html", form=form, case=found, kinds=KIND_LABELS)
    return page, 400 if form.errors else 200


def _message_schools(case: dict, subject: str, body: str) -> tuple[int, int] | None:
    """Start a conversation with each school of ``case`` and email its Returns users who cannot use Messages;
    record the case as contacted. Return (conversations, emails), or None when no school could be written to."""
    db = get_db()
    me = current_user.row
    la = organisations.get(db, me["organisation_id"])
    text = f"{body}\n\nThe case: {link('duplicates.case', case_id=case['id'])}"
    threads, emailed = [], []
    for school_id in _school_ids(case):
        try:
            threads.append(messages.start_thread(db, sender=la, recipient_id=school_id, author=me, subject=subject,
                                                 body=text, client=client_details()))  # fmt: skip
        except messages.MessageRefused:
            continue
        readers = {u["id"] for u in services.users_with_service(db, school_id, TRANSFERS)}
        emailed += [u for u in services.users_with_service(db, school_id, RETURNS) if u["id"] not in readers]
    if not threads:
        return None
    try:
        duplicates.record_contacted(db, case, me, body, **client_details())
    except duplicates.CaseError:  # closed meanwhile: the messages went, and a closed case is not marked contacted
        pass
    for user in emailed:
        send_email(user["email"], subject, "duplicates/email/message.txt", background=True, recipient=user,
                   case_id=case["id"], sender=me)  # fmt: skip
    return len(threads), len(emailed)


# ----------------------------------------------------------------------------- census database closure


@bp.route("/instances/<int:instance_id>/closure", methods=["GET", "POST"])
@la_returns
def closure(instance_id: int):
    instance = duplicates.instance_closure(get_db(), instance_id)
    if instance is None:
        abort(404)
    form = ClosureForm()
    if request.method == "GET":
        form.closes_on.data = instance["database_closes_on"]
    elif form.validate_on_submit():
        duplicates.set_database_closure(get_db(), instance_id, form.closes_on.data, current_user.row,
                                        **client_details())  # fmt: skip
        flash("Census database closure date saved.", "success")
        return redirect(url_for("duplicates.index", instance=instance_id), 303)
    page = render_template("duplicates/closure.html", form=form, instance=instance)
    return page, 400 if form.errors else 200


@bp.route("/instances/<int:instance_id>/test-uploads", methods=["GET", "POST"])
@la_returns
def test_uploads(instance_id: int):
    """Detection for the census with each school's newer test upload of a census file in place of its deadline
    version: a report shown once, not stored (the cases above are untouched), LA users only. GET explains and
    offers the button; POST runs it (audited)."""
    db = get_db()
    instance = duplicates.instance_closure(db, instance_id)
    if instance is None:
        abort(404)
    form = TestUploadsCheckForm()
    report = None
    if form.validate_on_submit():
        report = duplicates.check_test_uploads(db, instance_id, current_user.row, la_code=oversight_la_code(),
                                               **client_details())  # fmt: skip
    status = 400 if form.errors else 200
    return render_template("duplicates/test_uploads.html", form=form, instance=instance, report=report,
                           kinds=KIND_LABELS, statuses=duplicates.STATUSES), status  # fmt: skip
