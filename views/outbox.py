"""The outbox for site admins: every email Gatehouse sent, held (no SMTP server) or failed to send."""

from __future__ import annotations

import math
import re

from flask import Blueprint, abort, render_template, request

from models import outbox
from web.access import site_admin
from web.database import get_db
from web.rendering import render_page

bp = Blueprint("outbox", __name__, url_prefix="/outbox")

PAGE_SIZE = 50
_URL = re.compile(r"https?://[^\s<>\"']+")
STATUS_LABELS = {"sent": "Sent", "held": "Held", "failed": "Failed"}


def with_links(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into ``(piece, is_address)`` pairs, each http(s) address a piece of its own, so the
    template can show the addresses as links (trailing punctuation stays text)."""
    parts = []
    last = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?)")
        parts.append((text[last:match.start()], False))
        parts.append((url, True))
        last = match.start() + len(url)
    parts.append((text[last:], False))
    return parts


@bp.get("")
@site_admin
def index():
    status = request.args.get("status") or None
    if status not in (None, *outbox.STATUSES):
        status = None
    db = get_db()
    total = outbox.count(db, status)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    number = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
    messages = outbox.page(db, status=status, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    return render_page(
        "outbox/index.html",
        "outbox/_messages.html",
        messages=messages,
        status=status,
        total=total,
        page_number=number,
        pages=pages,
        labels=STATUS_LABELS,
    )


@bp.get("/<int:message_id>")
@site_admin
def message(message_id: int):
    row = outbox.get(get_db(), message_id)
    if row is None:
        abort(404)
    return render_template("outbox/message.html", message=row, body=with_links(row["body"]), labels=STATUS_LABELS)
