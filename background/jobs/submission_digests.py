"""The hourly digest to LA reviewers of the returns their schools have submitted.

Each run emails every LA reviewer (see :mod:`models.submission_digests`) one message listing the
submissions of their LA's schools that wait for review and that they have not yet been told about.
The versions are claimed in the database before the email goes, so a second run, or a second runner,
tells nobody twice; with the job running hourly, a busy deadline day is at most one email an hour.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlite_utils import Database

from background.jobs import Job, register
from background.mail.accounts import tell_now
from models import submission_digests

NAME = "submission-digests"


def _subject(count: int) -> str:
    return f"{count} return{'s' if count != 1 else ''} submitted for you to review"


def send_digests(app: Flask, db: Database, now: dt.datetime) -> dict:
    """Tell each LA reviewer about the submissions they have not heard of; return counts for the job record."""
    emails = versions = 0
    for user in submission_digests.reviewers(db):
        waiting = submission_digests.untold(db, user, now)
        claimed = set(submission_digests.claim(db, user["id"], [v["id"] for v in waiting]))
        told = [v for v in waiting if v["id"] in claimed]
        if not told:
            continue
        tell_now(app, db, user["email"], _subject(len(told)), "returns_review/email/submission_digest.txt",
                 recipient=user, submissions=told)  # fmt: skip
        emails += 1
        versions += len(told)
    return {"emails": emails, "submissions": versions}


JOB = register(
    Job(
        NAME,
        send_digests,
        every=dt.timedelta(hours=1),
        description="Email LA reviewers, at most hourly, the returns their schools have submitted.",
    )
)
