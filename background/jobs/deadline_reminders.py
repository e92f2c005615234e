"""The daily deadline reminder digest: one email per person per day at most.

Runs every day from 07:00 UK time (on working days it finds something to say). For each
school, the returns not yet made that are due in REMINDER_DAYS_BEFORE days (default 7
and 1) or, with REMINDER_ON_OVERDUE, became overdue since the last working day, go in one
email to each of the school's users who have the Deadlines service and have not opted
out. ``models.deadline_reminders.claim_digest`` guarantees nobody gets two on one day.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, render_template, url_for
from sqlite_utils import Database

from background.jobs import Job, register
from background.mail import mailer
from domain.dates import parse_region, uk_today
from models import deadline_reminders

NAME = "deadline-reminders"


def _subject(service: str, reminders: list) -> str:
    overdue = sum(1 for r in reminders if r.reason == "overdue")
    count = len(reminders)
    what = f"{count} return{'s' if count != 1 else ''}"
    return f"{service}: {what} {'need' if count != 1 else 'needs'} your attention" + (
        f" ({overdue} overdue)" if overdue else ""
    )


def send_digests(app: Flask, db: Database, now: dt.datetime) -> dict:
    """Send the day's digests for ``now``'s date in England; return counts for the job record.

    Raises ValueError when REMINDER_DAYS_BEFORE or BANK_HOLIDAY_REGION is not valid.
    """
    config = app.config
    on = uk_today(now)
    days = deadline_reminders.days_before(config)
    region = parse_region(config["BANK_HOLIDAY_REGION"]).value
    due = deadline_reminders.digests_due(
        db, on, days_before=days, on_overdue=bool(config["REMINDER_ON_OVERDUE"]), region=region
    )
    people = deadline_reminders.recipients(db, list(due))
    sent = skipped = 0
    base = config["BASE_URL"].rstrip("/")
    with app.test_request_context("/"):  # url_for and templates outside a real request
        links = {"whats_due": base + url_for("deadlines.whats_due"), "opt_out": base + url_for("deadlines.reminders")}
        for school_id, found in due.items():
            reminders = sorted(found["reminders"], key=lambda r: (r.reason != "overdue", r.instance["due_on"]))
            for user in people.get(school_id, []):
                if not deadline_reminders.claim_digest(db, user["id"], on, len(reminders)):
                    skipped += 1
                    continue
                body = render_template(
                    "deadlines/email/digest.txt", user=user, school=found["school"], reminders=reminders, on=on,
                    links=links, base=base, service_name=config["SERVICE_NAME"],
                )  # fmt: skip
                row = mailer.send(db, config, user["email"], _subject(config["SERVICE_NAME"], reminders), body)
                deadline_reminders.note_outbox(db, user["id"], on, row["id"])
                sent += 1
    return {"date": on.isoformat(), "schools": len(due), "emails": sent, "already_sent": skipped}


JOB = register(
    Job(
        NAME,
        send_digests,
        daily_at=dt.time(7, 0),
        description="Email each school's Deadlines users about returns due soon or just overdue.",
    )
)
