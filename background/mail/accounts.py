"""Emails about access: to the person whose access changed, to approvers, to the LA.

From a request, :func:`tell` sends in the background (the response never waits for SMTP,
and on public pages the time taken reveals nothing). From a scheduled job, :func:`tell_now`
renders inside a request context built on BASE_URL and sends on the job's own connection,
so the job's summary counts what was really sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import Flask, render_template
from sqlite_utils import Database

from background.mail import mailer, templated


def tell(to: str, subject: str, template: str, **context):
    """Send ``template`` to ``to`` from a background thread (inside a request); return the thread."""
    return templated.send_email(to, subject, template, background=True, **context)


def tell_each(people: Iterable[Mapping], subject: str, template: str, **context) -> int:
    """Send ``template`` to each person (``person`` in the context); return how many were sent."""
    sent = 0
    for person in unique_people(people):
        tell(person["email"], subject, template, person=person, **context)
        sent += 1
    return sent


def tell_now(app: Flask, db: Database, to: str, subject: str, template: str, **context) -> dict:
    """Render and send now on ``db`` (for jobs, outside any request); return the outbox row."""
    config = app.config
    with app.test_request_context("/"):
        body = render_template(template, service_name=config["SERVICE_NAME"], link=templated.link, **context)
    return mailer.send(db, config, to, f"{config['SERVICE_NAME']}: {subject}", body)


def unique_people(people: Iterable[Mapping]) -> list[Mapping]:
    """The people with duplicates (by email) left out, in order."""
    seen, unique = set(), []
    for person in people:
        key = person["email"].lower()
        if key not in seen:
            seen.add(key)
            unique.append(person)
    return unique
