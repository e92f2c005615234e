"""Emails written as Jinja text templates (``templates/<area>/email/*.txt``), sent through the mailer.

Needs a Flask app context: links are built with ``url_for`` on the BASE_URL setting, so
they point at the address people use, not at whatever host a request came in on.
"""

from __future__ import annotations

from flask import current_app, render_template, url_for

from background.mail import mailer
from web.database import get_db


def link(endpoint: str, **values) -> str:
    """Return an absolute link to ``endpoint`` on BASE_URL (for email bodies)."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def send_email(to: str, subject: str, template: str, *, background: bool = False, **context):
    """Render ``template`` with ``context`` and send it to ``to``.

    ``background=True`` sends from a thread (see :func:`mailer.send_in_background`) and
    returns the thread; otherwise sends now and returns the outbox row.
    """
    service = current_app.config["SERVICE_NAME"]
    body = render_template(template, service_name=service, link=link, **context)
    subject = f"{service}: {subject}"
    if background:
        return mailer.send_in_background(current_app.config, to, subject, body)
    return mailer.send(get_db(), current_app.config, to, subject, body)
