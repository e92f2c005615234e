"""Secure messages jobs: the email notice digest, chasing unconfirmed receipts, and retention.

* ``message-digests`` (every 5 minutes): each person with new messages waiting gets one email saying
  how many, with a link to the inbox and nothing of who wrote or what, at most one per
  MESSAGE_DIGEST_MINUTES; a burst of messages waits for the next digest.
* ``message-receipt-chases`` (daily from 08:00): a "please confirm receipt" conversation still
  unconfirmed MESSAGE_CONFIRM_CHASE_SCHOOL_DAYS school days after it was sent (the LA's term dates,
  bank holidays skipped) is chased once: its recipients are emailed and the LA is told.
* ``message-retention`` (daily from 02:30): conversations whose last message is older than
  MESSAGE_RETENTION_DAYS lose their content (subject, every message, attachments' keys and bytes) and stay as
  expired records;
  MESSAGE_EXPIRY_WARNING_DAYS before that, both sides are warned once.

Every item is claimed in the database (a digest row, ``chased_at``, ``expiry_warned_at``,
``expired_at``) before its email goes, so a second run sends and deletes nothing twice.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlite_utils import Database

from background import message_files
from background.jobs import Job, register
from background.mail.accounts import tell_now, unique_people
from domain import clock
from domain.dates import add_school_days, parse_region, uk_today
from models import messages, organisations, term_dates

DIGESTS = "message-digests"
CHASES = "message-receipt-chases"
RETENTION = "message-retention"


def _date_of(stamp: str) -> dt.date:
    """The date in England of a stored timestamp (seconds or finer)."""
    return uk_today(clock.parse(stamp[:19] + "Z"))


def send_digests(app: Flask, db: Database, now: dt.datetime) -> dict:
    """Email each person whose messages wait and who had no digest in the last MESSAGE_DIGEST_MINUTES."""
    gap = dt.timedelta(minutes=int(app.config["MESSAGE_DIGEST_MINUTES"]))
    digests = messages.claim_digests(db, now, gap)
    for digest in digests:
        count = digest["messages"]
        subject = f"{count} new secure message{'s' if count != 1 else ''}"
        row = tell_now(app, db, digest["email"], subject, "messages/email/digest.txt", person=digest, count=count)
        messages.note_digest_outbox(db, digest["id"], row["id"])
    return {"emails": len(digests), "messages": sum(d["messages"] for d in digests)}


def chase_receipts(app: Flask, db: Database, now: dt.datetime) -> dict:
    """Chase each unconfirmed "please confirm receipt" conversation that is N school days old."""
    today = uk_today(now)
    school_days = int(app.config["MESSAGE_CONFIRM_CHASE_SCHOOL_DAYS"])
    region = parse_region(app.config["BANK_HOLIDAY_REGION"])
    chased = emails = 0
    for thread in messages.chases_due(db, now - dt.timedelta(days=school_days)):
        sent_on = _date_of(thread["created_at"])
        due = add_school_days(sent_on, school_days, lambda year: term_dates.get(db, year), region)
        if today < due or not messages.mark_chased(db, thread["id"], now, school_days):
            continue
        chased += 1
        context = {"thread": thread, "sent_on": sent_on, "school_days": school_days}
        for person in unique_people(messages.people_of(db, thread["recipient_org_id"])):
            tell_now(app, db, person["email"], "please confirm you have received a secure message",
                     "messages/email/chase.txt", person=person, **context)  # fmt: skip
            emails += 1
        la = organisations.get_la(db, thread["la_code"])
        if la is not None and la["id"] != thread["recipient_org_id"]:
            for person in unique_people(messages.people_of(db, la["id"])):
                tell_now(app, db, person["email"], f"receipt not confirmed by {thread['recipient_name']}",
                         "messages/email/chase_la.txt", person=person, la_is_sender=la["id"] == thread["sender_org_id"],
                         **context)  # fmt: skip
                emails += 1
    return {"date": today.isoformat(), "chased": chased, "emails": emails}


def apply_retention(app: Flask, db: Database, now: dt.datetime) -> dict:
    """Delete expired conversations' content, then warn both sides of those that expire within the warning."""
    days = int(app.config["MESSAGE_RETENTION_DAYS"])
    warning = int(app.config["MESSAGE_EXPIRY_WARNING_DAYS"])
    expired = messages.expire(db, now - dt.timedelta(days=days), now)
    for thread in expired:  # the keys went with the content; now the bytes no attachment names any more
        message_files.remove_unused(app.config, thread["unused"])
    due = messages.expiry_warnings_due(db, now - dt.timedelta(days=days - warning))
    claimed = set(messages.mark_warned(db, [t["id"] for t in due], now, uk_today(now) + dt.timedelta(days=warning)))
    by_org: dict[int, list[dt.date]] = {}
    for thread in due:
        if thread["id"] in claimed:
            deletes_on = _date_of(thread["last_post_at"]) + dt.timedelta(days=days)
            for org_id in (thread["sender_org_id"], thread["recipient_org_id"]):
                by_org.setdefault(org_id, []).append(deletes_on)
    emails = 0
    for org_id, dates in by_org.items():
        count = len(dates)
        subject = f"{count} secure conversation{'s' if count != 1 else ''} will be deleted"
        for person in unique_people(messages.people_of(db, org_id)):
            tell_now(app, db, person["email"], subject, "messages/email/expiry_warning.txt", person=person,
                     count=count, first=min(dates), days=days)  # fmt: skip
            emails += 1
    return {
        "expired": len(expired),
        "attachments": sum(t["attachments"] for t in expired),
        "warned": len(claimed),
        "emails": emails,
    }


register(
    Job(DIGESTS, send_digests, every=dt.timedelta(minutes=5),
        description="Email people that secure messages wait for them (a link only; one an hour at most).")
)  # fmt: skip
register(
    Job(CHASES, chase_receipts, daily_at=dt.time(8, 0),
        description="Chase 'please confirm receipt' messages unconfirmed after N school days; tell the LA.")
)  # fmt: skip
register(
    Job(RETENTION, apply_retention, daily_at=dt.time(2, 30),
        description="Delete secure message content after the retention period; warn both sides before.")
)  # fmt: skip
