"""Transfers: CTFs sent between schools and the LA, each encrypted at rest, with an inbox per
organisation, a download log, and the LA's stores (lost pupils, leavers, files for other LAs).

School users with the Transfers service see what their school sent and received; LA users with it
(and site admins) see the LA's own inbox and stores, and every transfer of their LA's schools
(with its download log) but download only what was sent to the LA. Another organisation's
transfer answers 404.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from background import transfer_store
from background.mail import templated
from background.transfer_store import sending
from domain.dates import england
from domain.dates.academic_year import academic_year_label, academic_year_of
from domain.transfers import routing
from forms.accounts import ButtonForm
from forms.transfers import LostPupilSearchForm, OversightMonthForm, ReleaseForm, SendCtfForm, SendFileForm
from models import audit, organisations, services, transfers
from web.access import TRANSFERS, any_transfers, la_transfers, may_see_school, my_school, unread_transfers
from web.client import client_details
from web.database import get_db
from web.downloads import csv_download, download_response
from web.filters import organisation_choice, uk_datetime

bp = Blueprint("transfers", __name__, url_prefix="/transfers")

#: Routes whose arrival is emailed to the recipient organisation's Transfers users.
EMAILED_ROUTES = (routing.SCHOOL, routing.LA, routing.OTHER_LA)
STORE_ENDPOINTS = {routing.LOST: "transfers.lost_pupils", routing.LEFT: "transfers.left_sector",
                   routing.OTHER_LA: "transfers.other_las"}


def _me() -> dict:
    return current_user.row


def may_see(transfer: dict) -> bool:
    """True when the signed-in user may see this transfer: their organisation sent or holds it, or (LA users) a
    school or the LA of their LA did."""
    return any(may_see_school(current_user, TRANSFERS, transfer[f"{side}_id"], transfer[f"{side}_la_code"])
               for side in ("sender", "recipient"))  # fmt: skip


def may_download(transfer: dict) -> bool:
    """True when the transfer is held for the user's own organisation and its file still exists."""
    return transfer["recipient_id"] == _me()["organisation_id"] and transfer["stored_name"] is not None


def load_transfer(transfer_id: int) -> dict:
    """The transfer, or 404 when it does not exist or the user may not see it."""
    transfer = transfers.get(get_db(), transfer_id)
    if transfer is None or not may_see(transfer):
        abort(404)
    return transfer


# ----------------------------------------------------------------------------- inbox and lists


@bp.get("/")
@any_transfers
def index():
    organisation = my_school()
    db = get_db()
    return render_template("transfers/index.html", organisation=organisation,
                           files=transfers.inbox(db, organisation["id"]), la_user=organisation["kind"] == "la")


@bp.get("/unread")
@any_transfers
def unread():
    """The unread count beside Transfers in the navigation, for htmx to poll (does not count as activity)."""
    count = unread_transfers(current_user)
    return render_template("transfers/_unread.html", count=count, count_url=url_for("transfers.unread"))


@bp.get("/sent")
@any_transfers
def sent():
    organisation = my_school()
    return render_template("transfers/sent.html", organisation=organisation,
                           files=transfers.sent(get_db(), organisation["id"]))


# ----------------------------------------------------------------------------- sending


def _tell_recipients(outcome: sending.Outcome, sender: dict) -> None:
    """Email the recipient organisation's Transfers users that a file is waiting (no pupil data: a link)."""
    if outcome.route not in EMAILED_ROUTES:
        return
    transfer = transfers.get(get_db(), outcome.transfer_id)
    for person in services.users_with_service(get_db(), outcome.recipient["id"], TRANSFERS):
        templated.send_email(
            person["email"], "a file is waiting for you", "transfers/email/waiting.txt", background=True,
            person=person, transfer=transfer, sender=sender, recipient=outcome.recipient,
        )  # fmt: skip


@bp.route("/send", methods=["GET", "POST"])
@any_transfers
def send():
    organisation = my_school()
    form = SendCtfForm()
    outcomes: list[sending.Outcome] = []
    if form.validate_on_submit():
        uploads = [(upload.stream, upload.filename) for upload in request.files.getlist(form.files.name)]
        outcomes = _send_each(uploads, organisation, sending.send_ctf)
        if all(o.sent and not o.queries for o in outcomes):
            flash(_sent_message(outcomes), "success")
            return _to_sent()
    status = 400 if request.method == "POST" and not any(o.sent for o in outcomes) else 200
    page = render_template("transfers/send.html", form=form, organisation=organisation, outcomes=outcomes,
                           wait_days=current_app.config["LOST_PUPIL_WAIT_SCHOOL_DAYS"],
                           keep_days=current_app.config["TRANSFER_CTF_DAYS"],
                           max_mb=current_app.config["MAX_UPLOAD_MB"])  # fmt: skip
    return page, status


def _to_sent():
    """After sending: to the Sent page. An upload sent by the progress script (static/js/gatehouse.mjs, which adds
    the ``X-Gatehouse-Upload`` header) gets the address in ``X-Gatehouse-Redirect`` instead of a redirect, which
    XMLHttpRequest would follow itself and so use up the flashed "Sent ..." message before the page shows it."""
    target = url_for("transfers.sent")
    if request.headers.get("X-Gatehouse-Upload"):
        return "", 204, {"X-Gatehouse-Redirect": target}
    return redirect(target, 303)


#: Room for the form's other fields and the multipart framing around the files.
FORM_OVERHEAD = 64 * 1024


@bp.url_value_preprocessor
def _upload_limit(endpoint: str | None, values: dict | None) -> None:
    """Before anything reads the body of an upload of other files (the CSRF check included): set its own,
    smaller limit (TRANSFER_MAX_MB), so a browser that says the upload is larger gets the "too large" page at
    once, and have each file encrypted as it arrives (:class:`transfer_store.SealingFile`), so no plaintext copy
    is written and the file is not copied twice. Without the store's key the files arrive as usual and sending
    says why it cannot keep them."""
    if endpoint != "transfers.send_file" or request.method != "POST":
        return
    config = current_app.config
    request.max_content_length = sending.file_max_bytes(config) + FORM_OVERHEAD
    db = get_db()
    try:
        master = transfer_store.master_key_for_storing(db)
    except transfer_store.StoreKeyError:
        return
    files_dir = config["FILES_DIR"]

    def sealing_stream(total_content_length, content_type, filename=None, content_length=None):
        return transfer_store.SealingFile(files_dir, master)

    request._get_file_stream = sealing_stream  # werkzeug's hook for where uploaded files are written


def file_recipients(organisation: dict) -> list[dict]:
    """Who an organisation may send files to: its LA and the LA's open schools (not itself)."""
    db = get_db()
    la = organisations.get_la(db, organisation["la_code"])
    schools = transfers.open_schools(db, organisation["la_code"])
    return [o for o in ([la] if la else []) + schools if o["id"] != organisation["id"]]


@bp.route("/send-file", methods=["GET", "POST"])
@any_transfers
def send_file():
    organisation = my_school()
    recipients = {o["id"]: o for o in file_recipients(organisation)}
    form = SendFileForm()
    choices = [(i, organisation_choice(o)) for i, o in recipients.items()]
    form.recipient.choices = [(0, "Choose who to send to"), *choices]
    outcomes: list[sending.Outcome] = []
    raw = request.method == "POST" and request.mimetype == RAW_TYPE
    if raw or form.validate_on_submit():
        recipient = recipients.get(_raw_recipient() if raw else form.recipient.data)
        form.recipient.data = recipient["id"] if recipient else 0
        if recipient is None:
            form.recipient.errors = [*form.recipient.errors, "Choose who to send the files to"]
        else:
            uploads = [(request.stream, unquote(request.headers.get("X-Gatehouse-File-Name", "")))] if raw else [
                (upload.stream, upload.filename) for upload in request.files.getlist(form.files.name)]
            outcomes = _send_each(uploads, organisation, sending.send_file, recipient=recipient)
            if all(o.sent for o in outcomes):
                flash(_sent_message(outcomes), "success")
                return _to_sent()
    status = 400 if request.method == "POST" and not any(o.sent for o in outcomes) else 200
    page = render_template("transfers/send_file.html", form=form, organisation=organisation, outcomes=outcomes,
                           keep_days=current_app.config["TRANSFER_FILE_DAYS"],
                           max_mb=current_app.config["TRANSFER_MAX_MB"])  # fmt: skip
    return page, status


#: The type of an upload of one other file sent by the progress script as the whole request body (no multipart to
#: parse): its name in the ``X-Gatehouse-File-Name`` header (percent-encoded UTF-8), its recipient's id in
#: ``X-Gatehouse-Recipient``, and the CSRF token in ``X-CSRFToken`` (checked by CSRFProtect before the view).
RAW_TYPE = "application/octet-stream"


def _raw_recipient() -> int:
    """The recipient id of a raw upload (0, which is nobody, when missing or not a number)."""
    value = request.headers.get("X-Gatehouse-Recipient", "")
    return int(value) if value.isdigit() else 0


def _send_each(uploads: list[tuple], organisation: dict, send_one, **extra) -> list[sending.Outcome]:
    """Send each ``(stream, file name)`` of ``uploads`` with ``send_one`` (sending.send_ctf or send_file); email the
    recipients of each one sent and audit each one refused. Returns the outcomes in upload order."""
    outcomes = []
    for stream, raw_name in uploads:
        outcome = send_one(current_app.config, get_db(), sender=organisation, user=_me(), stream=stream,
                           raw_name=raw_name, client=client_details(), **extra)
        if outcome.sent:
            _tell_recipients(outcome, organisation)
        else:
            _audit_refusal(organisation, outcome)
        outcomes.append(outcome)
    return outcomes


def _sent_message(outcomes: list[sending.Outcome]) -> str:
    names = ", ".join(f"{o.name} to {o.recipient['name']}" for o in outcomes)
    message = f"Sent {names}."
    for outcome in outcomes:
        earlier = transfers.earlier_copy(get_db(), outcome.transfer_id) if outcome.transfer_id else None
        if earlier:
            message += (f" You had already sent this exact file ({outcome.name}) to {outcome.recipient['name']} on "
                        f"{uk_datetime(earlier['sent_at'])}: if the second copy was a mistake, revoke one of them"
                        " from Sent before it is downloaded.")  # fmt: skip
    return message


def _audit_refusal(organisation: dict, outcome: sending.Outcome) -> None:
    audit.record(
        get_db(), "transfer_refused", actor=_me(), organisation_id=organisation["id"], target="transfers",
        detail={"file": outcome.name, "reason": outcome.reason, "errors": outcome.errors}, **client_details(),
    )  # fmt: skip


# ----------------------------------------------------------------------------- one transfer


@bp.get("/<int:transfer_id>")
@any_transfers
def detail(transfer_id: int):
    transfer = load_transfer(transfer_id)
    db = get_db()
    mine = _me()["organisation_id"]
    # Where a lost pupil's record was released to is the LA's (the recipient's) to know, not the old school's.
    released = transfer["released_as"] if transfer["recipient_id"] == mine else None
    released_as = transfers.get(db, released) if released else None
    return render_template(
        "transfers/transfer.html", transfer=transfer, downloads=transfers.downloads(db, transfer_id),
        pupils=transfers.pupils_of(db, transfer_id), may_download=may_download(transfer),
        is_recipient=transfer["recipient_id"] == mine, is_sender=transfer["sender_id"] == mine,
        released_as=released_as, form=ButtonForm(),
    )  # fmt: skip


@bp.get("/<int:transfer_id>/download")
@any_transfers
def download(transfer_id: int):
    transfer = load_transfer(transfer_id)
    if not may_download(transfer):
        abort(404)
    db = get_db()
    try:
        chunks = transfer_store.open_stored(db, current_app.config["FILES_DIR"], transfer["stored_name"],
                                            transfer["wrapped_key"])
    except transfer_store.UNREADABLE as problem:
        audit.record(db, "transfer_download_refused", actor=_me(), organisation_id=_me()["organisation_id"],
                     target=f"transfer:{transfer_id}", detail={"reason": str(problem)}, **client_details())
        current_app.logger.error("transfer %s cannot be read: %s", transfer_id, problem)
        return render_template("transfers/damaged.html", transfer=transfer), 500
    try:
        transfers.record_download(db, transfer, _me(), **client_details())
    except transfers.TransferError as error:  # revoked or expired since it was loaded: the open file is not sent
        chunks.close()
        flash(str(error))
        return redirect(url_for("transfers.detail", transfer_id=transfer_id), 303)
    return download_response(chunks, transfer["original_name"], transfer["size"])


@bp.post("/<int:transfer_id>/imported")
@any_transfers
def imported(transfer_id: int):
    transfer = load_transfer(transfer_id)
    if transfer["recipient_id"] != _me()["organisation_id"] or not ButtonForm().validate_on_submit():
        abort(404)
    try:
        transfers.mark_imported(get_db(), transfer, _me(), **client_details())
    except transfers.TransferError as error:
        flash(str(error))
    else:
        flash(f"{transfer['original_name']} is marked as imported into your MIS.", "success")
    return redirect(url_for("transfers.detail", transfer_id=transfer_id), 303)


@bp.post("/<int:transfer_id>/revoke")
@any_transfers
def revoke(transfer_id: int):
    transfer = load_transfer(transfer_id)
    if transfer["sender_id"] != _me()["organisation_id"] or not ButtonForm().validate_on_submit():
        abort(404)
    try:
        stored_name = transfers.revoke(get_db(), transfer, _me(), **client_details())
    except transfers.TransferError as error:
        flash(str(error))
    else:
        transfer_store.remove(current_app.config["FILES_DIR"], stored_name)
        flash(f"{transfer['original_name']} is revoked: it can no longer be downloaded.", "success")
    return redirect(url_for("transfers.detail", transfer_id=transfer_id), 303)


@bp.post("/<int:transfer_id>/forwarded")
@la_transfers
def forwarded(transfer_id: int):
    transfer = load_transfer(transfer_id)
    if transfer["recipient_id"] != _me()["organisation_id"] or not ButtonForm().validate_on_submit():
        abort(404)
    try:
        transfers.mark_forwarded(get_db(), transfer, _me(), **client_details())
    except transfers.TransferError as error:
        flash(str(error))
    else:
        flash(f"{transfer['original_name']} is recorded as forwarded through the DfE's S2S.", "success")
    return redirect(url_for("transfers.detail", transfer_id=transfer_id), 303)


@bp.route("/<int:transfer_id>/release", methods=["GET", "POST"])
@la_transfers
def release(transfer_id: int):
    transfer = load_transfer(transfer_id)
    if transfer["recipient_id"] != _me()["organisation_id"] or transfer["route"] != routing.LOST:
        abort(404)
    db = get_db()
    schools = transfers.open_schools(db, transfer["recipient_la_code"])
    form = ReleaseForm()
    form.school.choices = [(0, "Choose a school")] + [(s["id"], organisation_choice(s)) for s in schools]
    by_id = {s["id"]: s for s in schools}
    if form.validate_on_submit():
        school = by_id.get(form.school.data)
        if school is None:
            form.school.errors.append("Choose the school the pupil has joined")
        else:
            try:
                new_id = sending.release_lost_pupil(current_app.config, db, transfer, school, _me(), client_details())
            except (transfers.TransferError, *transfer_store.UNREADABLE) as error:
                form.school.errors.append(str(error) if isinstance(error, transfers.TransferError) else
                                          "The stored file cannot be read, so it was not released. Tell your LA's IT.")
            else:
                outcome = sending.Outcome(name=transfer["original_name"], sent=True, transfer_id=new_id,
                                          route=routing.SCHOOL, recipient=school)
                _tell_recipients(outcome, my_school())
                flash(f"The lost pupil's CTF is released to {school['name']}: it is in their inbox.", "success")
                return redirect(url_for("transfers.detail", transfer_id=transfer_id), 303)
    page = render_template("transfers/release.html", transfer=transfer, form=form,
                           pupils=transfers.pupils_of(db, transfer_id))
    return page, 400 if form.errors else 200


# ----------------------------------------------------------------------------- the LA's stores


@bp.get("/lost-pupils")
@la_transfers
def lost_pupils():
    db = get_db()
    la = my_school()
    form = LostPupilSearchForm(request.args)
    searched = False
    if request.args:
        if form.validate() and form.has_criteria():
            dob = form.dob.data.isoformat() if form.dob.data else ""
            files = transfers.search_lost_pupils(db, la["id"], upn=form.upn.data or "",
                                                 surname=form.surname.data or "", dob=dob)
            transfers.audit_search(db, _me(), {"upn": form.upn.data, "surname": form.surname.data, "dob": dob},
                                   len(files), **client_details())
            searched = True
        elif not form.errors:
            form.upn.errors.append("Enter a UPN, or a surname and a date of birth")
    if not searched:
        files = transfers.store(db, la["id"], routing.LOST)
    page = render_template("transfers/lost_pupils.html", form=form, files=files, searched=searched,
                           wait_days=current_app.config["LOST_PUPIL_WAIT_SCHOOL_DAYS"])
    return page, 400 if form.errors else 200


@bp.get("/left-sector")
@la_transfers
def left_sector():
    files = transfers.store(get_db(), my_school()["id"], routing.LEFT)
    return render_template("transfers/store.html", files=files, route=routing.LEFT,
                           title=transfers.STORES[routing.LEFT])


@bp.get("/other-las")
@la_transfers
def other_las():
    files = transfers.store(get_db(), my_school()["id"], routing.OTHER_LA)
    return render_template("transfers/store.html", files=files, route=routing.OTHER_LA,
                           title=transfers.STORES[routing.OTHER_LA])


# ----------------------------------------------------------------------------- the LA's oversight

#: How many months back the oversight page offers to count.
OVERSIGHT_MONTHS = 24


def _month_start(year: int, month: int) -> dt.datetime:
    """Midnight in England at the start of a month (an aware datetime)."""
    return dt.datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1, tzinfo=england.UK_TZ)


def _oversight_months(today: dt.date) -> list[tuple[str, str]]:
    """``(YYYY-MM, "November 2026")`` for this month and the ones before it, newest first."""
    months = []
    for back in range(OVERSIGHT_MONTHS):
        start = _month_start(today.year, today.month - back)
        months.append((start.strftime("%Y-%m"), start.strftime("%B %Y")))
    return months


@bp.get("/oversight")
@la_transfers
def oversight():
    """The LA's view of its schools' transfers: counts per school this academic year and in a chosen month, the
    files nobody has downloaded, and the lost pupils store."""
    db = get_db()
    la = my_school()
    today = england.uk_today()
    form = OversightMonthForm(request.args)
    form.month.choices = _oversight_months(today)
    chosen = today.strftime("%Y-%m")
    if request.args.get("month") and form.validate():
        chosen = form.month.data
    elif request.args.get("month"):
        form.month.errors[:] = ["Choose a month from the list"]
    form.month.data = chosen
    year, month = int(chosen[:4]), int(chosen[5:])
    academic_year = academic_year_of(today)
    year_span = (_month_start(academic_year, 9), _month_start(academic_year, 21))
    waiting = transfers.never_downloaded(db, la["la_code"])
    for transfer in waiting:
        transfer["age_days"] = (today - england.uk_date_of(transfer["sent_at"])).days
    lost = transfers.lost_pupil_summary(db, la["id"])
    lost_age = (today - england.uk_date_of(lost["oldest_at"])).days if lost["oldest_at"] else None
    page = render_template(
        "transfers/oversight.html", form=form, la=la, month_label=dict(form.month.choices)[chosen],
        year_label=academic_year_label(academic_year), waiting=waiting, lost=lost, lost_age=lost_age,
        schools=transfers.school_counts(db, la["la_code"], year_span,
                                        (_month_start(year, month), _month_start(year, month + 1))),
    )  # fmt: skip
    return page, 400 if form.errors else 200


@bp.get("/oversight/ctf-counts.csv")
@la_transfers
def ctf_counts_csv():
    """The monthly CTF transfer counts of the LA's schools as CSV (counts only: no pupil data); audited."""
    db = get_db()
    la = my_school()
    counts = transfers.monthly_ctf_counts(db, la["la_code"])
    audit.record(db, "transfer_counts_downloaded", actor=_me(), organisation_id=la["id"], target="transfers",
                 detail={"months": len(counts)}, **client_details())
    columns = transfers.MONTHLY_COLUMNS
    body = ([row[c] for c in columns] for row in counts)
    return csv_download(f"ctf-transfers-{la['la_code']}.csv", columns.values(), body)
