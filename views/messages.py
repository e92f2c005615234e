"""Secure messages: conversations between a school and the LA, or two schools of the LA.

Anyone with the Transfers and messages service writes and reads for their own organisation: its
inbox, sent and archived conversations, each conversation with read receipts, replies (a message and
a reply may carry files, downloaded by the two organisations only, each download logged), confirm
receipt and archive. LA users also send one message to a group of schools (a separate conversation
per school) and keep the LA's templates and saved lists of schools. A conversation the user's
organisation is not party to, and another LA's template, list or bulk send, answer 404.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from background import message_files, transfer_store
from background.message_files import AttachmentRefused, Upload
from background.transfer_store import sending
from forms.messages import ActionForm, BulkForm, ComposeForm, GroupForm, ReplyForm, SearchForm, TemplateForm
from models import audit, messages, organisations
from models.messages import MessageRefused
from web.access import TRANSFERS, any_transfers, is_la_user, la_transfers, my_school, unread_messages
from web.client import client_details
from web.database import get_db
from web.downloads import download_response
from web.errors import render_error
from web.filters import organisation_choice
from web.pagination import page_links
from web.rendering import render_page

bp = Blueprint("messages", __name__, url_prefix="/messages")

BOX_TITLES = {"inbox": "Inbox", "sent": "Sent", "archived": "Archived"}
BOX_ENDPOINTS = {"inbox": "messages.index", "sent": "messages.sent", "archived": "messages.archived"}
#: The forms that carry attachments: their requests may be as large as the attachments allowed, and no larger.
ATTACHING_ENDPOINTS = frozenset({"messages.compose", "messages.reply", "messages.bulk"})
#: Room in a request for the message's own fields beside its attachments (a 10,000-character body and the rest).
FORM_ALLOWANCE = 256 * 1024


@bp.url_value_preprocessor
def limit_upload(endpoint: str | None, values: dict | None) -> None:
    """Before anything reads the body (this runs before the CSRF check, which reads the form): cap the request at
    the attachments' limit, so a Content-Length over it is answered 413 without reading on, and have each attached
    file encrypted as it arrives (no plaintext copy on disk), as the transfers' uploads are."""
    if endpoint in ATTACHING_ENDPOINTS and request.method == "POST":
        config = current_app.config
        limit = sending.file_max_bytes(config) + FORM_ALLOWANCE
        request.max_content_length = min(limit, config["MAX_CONTENT_LENGTH"] or limit)
        try:
            master = transfer_store.master_key_for_storing(get_db())
        except transfer_store.StoreKeyError:
            return  # the files arrive as usual, and sending says why it cannot keep them

        def sealing_stream(total_content_length, content_type, filename=None, content_length=None):
            return message_files.SealedUpload(config["FILES_DIR"], master)

        request._get_file_stream = sealing_stream  # werkzeug's hook for where uploaded files are written


@bp.errorhandler(413)
def too_large(error):
    limit = current_app.config["TRANSFER_MAX_MB"]
    return render_error(
        413,
        f"The files attached to one message can be up to {limit} MB in all. Nothing was sent "
        "and nothing was kept: go back, attach fewer or smaller files, and send it again.",
    )


def _org_id() -> int:
    return current_user.row["organisation_id"]


def load_thread(thread_id: int) -> dict:
    """The conversation as the user's organisation sees it; 404 when it is not party to it."""
    thread = messages.get_thread(get_db(), thread_id, _org_id())
    if thread is None:
        abort(404)
    return thread


def the_la() -> dict:
    """The LA organisation of the signed-in LA user; 404 when there is none."""
    la = organisations.get_la(get_db(), current_user.row["organisation_la_code"])
    if la is None:
        abort(404)
    return la


# ----------------------------------------------------------------------------- boxes


def _box(which: str):
    form = SearchForm(request.args)
    q = (form.q.data or "") if form.validate() else ""
    found = messages.box(get_db(), _org_id(), current_user.row["id"], which, q, request.args.get("page", 1, type=int))
    endpoint = BOX_ENDPOINTS[which]
    pagination = page_links(found["page"], found["pages"], lambda n: url_for(endpoint, q=q or None, page=n))
    return render_page(
        "messages/box.html", "messages/_threads.html", which=which, titles=BOX_TITLES, endpoints=BOX_ENDPOINTS,
        form=form, q=q, found=found, pagination=pagination, my_org=_org_id(),
        la_user=is_la_user(current_user, TRANSFERS),
    )  # fmt: skip


@bp.get("/unread")
@any_transfers
def unread():
    """The unread count beside Messages in the navigation, for htmx to poll (does not count as activity)."""
    count = unread_messages(current_user)
    return render_template("messages/_unread.html", count=count, count_url=url_for("messages.unread"))


@bp.get("/")
@any_transfers
def index():
    return _box("inbox")


@bp.get("/sent")
@any_transfers
def sent():
    return _box("sent")


@bp.get("/archived")
@any_transfers
def archived():
    return _box("archived")


# ----------------------------------------------------------------------------- writing


@contextmanager
def attached(form) -> Iterator[list[dict]]:
    """Check and store the form's attachments (raises AttachmentRefused, nothing kept) and yield their records for
    the post; when the block fails, remove them again, so a refused message leaves no file behind."""
    uploads = [Upload(f.filename, f.stream) for f in request.files.getlist(form.attachments.name)]
    stored = message_files.store_uploads(current_app.config, get_db(), uploads, current_user.row)
    try:
        yield stored
    except BaseException:
        message_files.discard(current_app.config, stored)
        raise


def with_limits(form):
    """The form, its attachments' hint saying the size limit in force (TRANSFER_MAX_MB)."""
    limit = current_app.config["TRANSFER_MAX_MB"]
    form.attachments.description = f"Up to {limit} MB in all. {form.attachments.description}"
    return form


def refuse_attachment(form, refused: AttachmentRefused) -> None:
    """Show why the attachments were refused (on the attachments field) and audit it."""
    form.attachments.errors.append(str(refused))
    audit.record(get_db(), "message_attachment_refused", actor=current_user.row, organisation_id=_org_id(),
                 target="messages", detail={"reason": str(refused)}, **client_details())  # fmt: skip


@bp.route("/new", methods=["GET", "POST"])
@any_transfers
def compose():
    db = get_db()
    me = my_school()
    choices = messages.recipients(db, me)
    form = with_limits(ComposeForm())
    form.recipient.choices = [(0, "Choose an organisation"), *((o["id"], organisation_choice(o)) for o in choices)]
    if request.method == "GET" and request.args.get("to", type=int):
        form.recipient.data = request.args.get("to", type=int)
    if form.validate_on_submit():
        try:
            with attached(form) as files:
                thread_id = messages.start_thread(
                    db, sender=me, recipient_id=form.recipient.data, author=current_user.row,
                    subject=form.subject.data, body=form.body.data, confirm=form.confirm_receipt.data,
                    client=client_details(), attachments=files,
                )  # fmt: skip
        except AttachmentRefused as refused:
            refuse_attachment(form, refused)
        except MessageRefused as refused:
            form.recipient.errors.append(str(refused))
        else:
            recipient = organisations.get(db, form.recipient.data)
            if messages.nobody_there(db, recipient["id"]):
                flash(f"Message sent, but nobody at {recipient['name']} uses Transfers and messages yet, so nobody"
                      " there can read it or has been told. Ask them to give someone the service.")  # fmt: skip
            else:
                flash("Message sent", "success")
            return redirect(url_for("messages.thread", thread_id=thread_id))
    return render_template("messages/compose.html", form=form), 400 if request.method == "POST" else 200


@bp.get("/<int:thread_id>")
@any_transfers
def thread(thread_id: int):
    conversation = load_thread(thread_id)
    return _thread_page(conversation, with_limits(ReplyForm()))


def _thread_page(conversation: dict, form: ReplyForm, status: int = 200):
    db = get_db()
    messages.mark_read(db, conversation["id"], _org_id(), current_user.row, client_details())
    return render_template(
        "messages/thread.html", thread=conversation, posts=messages.posts(db, conversation["id"], _org_id()),
        form=form, my_org=_org_id(), la_user=is_la_user(current_user, TRANSFERS),
    ), status  # fmt: skip


@bp.post("/<int:thread_id>/reply")
@any_transfers
def reply(thread_id: int):
    conversation = load_thread(thread_id)
    form = with_limits(ReplyForm())
    if form.validate_on_submit():
        try:
            with attached(form) as files:
                messages.reply(get_db(), conversation, _org_id(), current_user.row, form.body.data, client_details(),
                               files)  # fmt: skip
        except AttachmentRefused as refused:
            refuse_attachment(form, refused)
        except MessageRefused as refused:
            form.body.errors.append(str(refused))
        else:
            flash("Reply sent", "success")
            return redirect(url_for("messages.thread", thread_id=thread_id))
    return _thread_page(conversation, form, 400)


@bp.get("/<int:thread_id>/attachments/<int:attachment_id>")
@any_transfers
def attachment(thread_id: int, attachment_id: int):
    """Download an attachment of the conversation: checked whole before the first byte, every download logged."""
    conversation = load_thread(thread_id)
    db = get_db()
    found = messages.get_attachment(db, thread_id, attachment_id)
    if found is None or found["stored_name"] is None:
        abort(404)
    try:
        chunks = transfer_store.open_stored(db, current_app.config["FILES_DIR"], found["stored_name"],
                                            found["wrapped_key"])
    except transfer_store.UNREADABLE as problem:
        audit.record(db, "message_attachment_download_refused", actor=current_user.row, organisation_id=_org_id(),
                     target=f"thread:{thread_id}", detail={"attachment": attachment_id, "reason": str(problem)},
                     **client_details())  # fmt: skip
        current_app.logger.error("message attachment %s cannot be read: %s", attachment_id, problem)
        return render_template("messages/damaged.html", thread=conversation, attachment=found), 500
    try:
        messages.record_download(db, found, thread_id, current_user.row, client_details())
    except MessageRefused as refused:  # deleted since it was loaded: the open file is not sent
        chunks.close()
        flash(str(refused))
        return redirect(url_for("messages.thread", thread_id=thread_id))
    return download_response(chunks, found["original_name"], found["size"])


def _action(thread_id: int) -> dict:
    """The conversation, after checking the button's CSRF token (400 without one)."""
    conversation = load_thread(thread_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return conversation


@bp.post("/<int:thread_id>/archive")
@any_transfers
def archive(thread_id: int):
    _action(thread_id)
    messages.set_archived(get_db(), thread_id, _org_id(), True, current_user.row, client_details())
    flash("Conversation archived: it comes back to the inbox when they reply", "success")
    return redirect(url_for("messages.index"))


@bp.post("/<int:thread_id>/unarchive")
@any_transfers
def unarchive(thread_id: int):
    _action(thread_id)
    messages.set_archived(get_db(), thread_id, _org_id(), False, current_user.row, client_details())
    flash("Conversation moved back to the inbox", "success")
    return redirect(url_for("messages.thread", thread_id=thread_id))


@bp.post("/<int:thread_id>/unread")
@any_transfers
def mark_unread(thread_id: int):
    _action(thread_id)
    messages.mark_unread(get_db(), thread_id, current_user.row, client_details())
    return redirect(url_for("messages.index"))


@bp.post("/<int:thread_id>/confirm")
@any_transfers
def confirm(thread_id: int):
    conversation = _action(thread_id)
    if not conversation["confirm_requested"] or conversation["recipient_org_id"] != _org_id():
        abort(404)
    if messages.confirm_receipt(get_db(), conversation, current_user.row, client_details()):
        flash(f"Receipt confirmed: {conversation['sender_name']} can see it", "success")
    return redirect(url_for("messages.thread", thread_id=thread_id))


# ----------------------------------------------------------------------------- LA: bulk messages


@bp.route("/bulk", methods=["GET", "POST"])
@la_transfers
def bulk():
    db = get_db()
    la = the_la()
    messages.ensure_templates(db, la["la_code"])
    choices = messages.group_choices(db, la["la_code"])
    form = with_limits(BulkForm())
    form.group.choices = [("", "Choose a group of schools")] + [
        (c["key"], f"{c['label']} ({c['schools']} school{'s' if c['schools'] != 1 else ''})") for c in choices
    ]
    template = None
    template_id = request.values.get("template", type=int)
    if template_id:
        template = messages.get_template(db, template_id, la["la_code"])
        if template is None:
            abort(404)
        if request.method == "GET":
            form.subject.data, form.body.data = template["subject"], template["body"]
            form.confirm_receipt.data = bool(template["confirm_receipt"])
    if form.validate_on_submit():
        try:
            with attached(form) as files:
                bulk_id = messages.send_to_group(
                    db, la=la, group_key=form.group.data, author=current_user.row, subject=form.subject.data,
                    body=form.body.data, confirm=form.confirm_receipt.data,
                    template_id=template["id"] if template else None, client=client_details(), attachments=files,
                )  # fmt: skip
        except AttachmentRefused as refused:
            refuse_attachment(form, refused)
        except MessageRefused as refused:
            form.group.errors.append(str(refused))
        else:
            missing = sum(t["nobody_there"] for t in messages.get_bulk(db, bulk_id, la["la_code"])["threads"])
            sent = "Message sent: each school has its own conversation with the LA."
            if missing:
                sent += (f" {missing} of the schools {'has' if missing == 1 else 'have'} nobody who uses Transfers"
                         " and messages yet: they are marked below.")  # fmt: skip
            flash(sent, "success")
            return redirect(url_for("messages.bulk_send", bulk_id=bulk_id))
    return render_template(
        "messages/bulk.html", form=form, templates=messages.templates(db, la["la_code"]), template=template,
        sends=messages.bulk_sends(db, la["la_code"]),
    ), 400 if request.method == "POST" else 200  # fmt: skip


@bp.get("/bulk/<int:bulk_id>")
@la_transfers
def bulk_send(bulk_id: int):
    found = messages.get_bulk(get_db(), bulk_id, the_la()["la_code"])
    if found is None:
        abort(404)
    return render_template("messages/bulk_send.html", bulk=found)


# ----------------------------------------------------------------------------- LA: templates


@bp.get("/templates")
@la_transfers
def templates():
    db = get_db()
    la = the_la()
    messages.ensure_templates(db, la["la_code"])
    return render_template("messages/templates.html", templates=messages.templates(db, la["la_code"]))


def _template_page(template: dict | None):
    db = get_db()
    la = the_la()
    form = TemplateForm(data=template if request.method == "GET" else None)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in ("name", "subject", "body", "confirm_receipt")}
        try:
            messages.save_template(db, la["la_code"], values, current_user.row, template["id"] if template else None,
                                   client_details())  # fmt: skip
        except MessageRefused as refused:
            form.name.errors.append(str(refused))
        else:
            flash(f"Template {values['name']} saved", "success")
            return redirect(url_for("messages.templates"))
    return render_template("messages/template.html", form=form, template=template), (
        400 if request.method == "POST" else 200
    )


@bp.route("/templates/new", methods=["GET", "POST"])
@la_transfers
def new_template():
    return _template_page(None)


def _load_template(template_id: int) -> dict:
    template = messages.get_template(get_db(), template_id, the_la()["la_code"])
    if template is None:
        abort(404)
    return template


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@la_transfers
def edit_template(template_id: int):
    return _template_page(_load_template(template_id))


@bp.post("/templates/<int:template_id>/delete")
@la_transfers
def delete_template(template_id: int):
    template = _load_template(template_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    messages.delete_template(get_db(), template, current_user.row, client_details())
    flash(f"Template {template['name']} deleted", "success")
    return redirect(url_for("messages.templates"))


# ----------------------------------------------------------------------------- LA: saved lists of schools


@bp.get("/groups")
@la_transfers
def groups():
    la = the_la()
    return render_template("messages/groups.html", groups=messages.groups(get_db(), la["la_code"]))


def _group_page(group: dict | None):
    db = get_db()
    la = the_la()
    form = GroupForm(data={"name": group["name"], "schools": group["members"]} if group and request.method == "GET"
                     else None)  # fmt: skip
    schools = messages.group_schools(db, la["la_code"], "all")
    form.schools.choices = [(s["id"], organisation_choice(s)) for s in schools]
    if form.validate_on_submit():
        try:
            messages.save_group(db, la["la_code"], form.name.data, form.schools.data, current_user.row,
                                group["id"] if group else None, client_details())  # fmt: skip
        except MessageRefused as refused:
            form.schools.errors.append(str(refused))
        else:
            flash(f"List {form.name.data} saved", "success")
            return redirect(url_for("messages.groups"))
    return render_template("messages/group.html", form=form, group=group), 400 if request.method == "POST" else 200


@bp.route("/groups/new", methods=["GET", "POST"])
@la_transfers
def new_group():
    return _group_page(None)


def _load_group(group_id: int) -> dict:
    group = messages.get_group(get_db(), group_id, the_la()["la_code"])
    if group is None:
        abort(404)
    return group


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@la_transfers
def edit_group(group_id: int):
    return _group_page(_load_group(group_id))


@bp.post("/groups/<int:group_id>/delete")
@la_transfers
def delete_group(group_id: int):
    group = _load_group(group_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    messages.delete_group(get_db(), group, current_user.row, client_details())
    flash(f"List {group['name']} deleted", "success")
    return redirect(url_for("messages.groups"))
