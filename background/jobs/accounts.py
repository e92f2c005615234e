"""Secure access jobs: account request reminders, escalation and closing; invitation expiry;
the termly "review your users" prompt.

Each run looks at the clock's date in England, so a runner that was stopped catches up the
next time it runs. Every item is claimed in the database (a column set, a row inserted or
deleted, inside ``BEGIN IMMEDIATE``) before its email goes, so a second run, or a second
runner at the same time, sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask
from sqlite_utils import Database

from background.jobs import Job, register
from background.mail.accounts import tell_now, unique_people
from domain.dates import term_key, term_label, uk_today
from models import account_requests, accounts, invitations

REMINDERS = "account-request-reminders"
ESCALATION = "account-request-escalation"
CLOSING = "account-request-closing"
INVITATION_EXPIRY = "invitation-expiry"
REVIEW_PROMPTS = "review-prompts"


def _deciders(db: Database, request: dict) -> list[dict]:
    """The organisation's active approvers, or the LA when it has none (or the request went there)."""
    approvers = [] if request["routed_to_la"] else accounts.active_approvers(db, request["organisation_id"])
    return approvers or _la(db, request)


def _la(db: Database, request: dict) -> list[dict]:
    """The LA contacts of the request's organisation."""
    return accounts.la_contacts(db, request["organisation_la_code"])


def _claim_and_tell(
    app: Flask, db: Database, today: dt.date, due: list[dict], claim: Callable[[Database, int], dict | None],
    recipients: Callable[[Database, dict], list[dict]], subject: Callable[[dict], str], template: str,
) -> dict:
    """Claim each due request (``claim`` returns None when another run already has) and email each of its
    ``recipients`` once; counts of the requests claimed and the emails sent."""
    requests = emails = 0
    for row in due:
        request = claim(db, row["id"])
        if request is None:
            continue
        requests += 1
        for person in unique_people(recipients(db, request)):
            tell_now(app, db, person["email"], subject(request), template, person=person, request_row=request)
            emails += 1
    return {"date": today.isoformat(), "requests": requests, "emails": emails}


def send_reminders(app: Flask, db: Database, now: dt.datetime) -> dict:
    """Remind the deciders of open requests due on their next working day."""
    today = uk_today(now)
    return _claim_and_tell(app, db, today, account_requests.reminders_due(db, today), account_requests.mark_reminded,
                           _deciders, lambda request: f"reminder: account request from {request['name']}",
                           "account_requests/email/reminder.txt")


def escalate(app: Flask, db: Database, now: dt.datetime) -> dict:
    """Send overdue requests (past their due date, undecided) to the LA."""
    today = uk_today(now)
    return _claim_and_tell(app, db, today, account_requests.escalations_due(db, today),
                           account_requests.mark_escalated, _la,
                           lambda request: f"overdue account request at {request['organisation_name']}",
                           "account_requests/email/escalated.txt")


def close_old(app: Flask, db: Database, now: dt.datetime) -> dict:
    """Close requests nobody decided within REQUEST_CLOSE_DAYS and tell the requester."""
    today = uk_today(now)
    closed = 0
    for due in account_requests.closures_due(db, today):
        request = account_requests.close(db, due["id"])
        if request is None:
            continue
        closed += 1
        tell_now(app, db, request["email"], "your account request was closed", "account_requests/email/closed.txt",
                 request_row=request, days=app.config["REQUEST_CLOSE_DAYS"])
    return {"date": today.isoformat(), "closed": closed}


def expire_invitations(app: Flask, db: Database, now: dt.datetime) -> dict:
    """Delete invitations whose link has expired (freeing their seat) and tell the invitee."""
    expired = 0
    for invitation in invitations.expired(db):
        gone = invitations.expire(db, invitation["id"])
        if gone is None:
            continue
        expired += 1
        tell_now(app, db, gone["email"], "your invitation has expired", "invitations/email/expired.txt",
                 person=gone, days=app.config["INVITATION_DAYS"])
    return {"expired": expired}


def prompt_reviews(app: Flask, db: Database, now: dt.datetime) -> dict:
    """Once a term, ask each organisation's approvers to review their users (listing unused accounts)."""
    term = term_key(uk_today(now))
    days = int(app.config["REVIEW_UNUSED_DAYS"])
    organisations = emails = 0
    for organisation in accounts.organisations_to_prompt(db, term):
        approvers = accounts.active_approvers(db, organisation["id"])
        unused = accounts.unused_accounts(db, organisation["id"], days)
        if not accounts.claim_review_prompt(db, organisation["id"], term, recipients=len(approvers),
                                            unused=len(unused)):
            continue
        organisations += 1
        for person in approvers:
            tell_now(app, db, person["email"], f"review your users for the {term_label(term)}",
                     "users/email/review_prompt.txt", person=person, organisation=organisation, unused=unused,
                     days=days, term=term_label(term))
            emails += 1
    return {"term": term, "organisations": organisations, "emails": emails}


JOBS = [
    register(Job(REMINDERS, send_reminders, daily_at=dt.time(7, 30),
                 description="Remind approvers of account requests due on the next working day.")),
    register(Job(ESCALATION, escalate, daily_at=dt.time(7, 30),
                 description="Send account requests overdue (5 working days) to the LA.")),
    register(Job(CLOSING, close_old, daily_at=dt.time(7, 30),
                 description="Close account requests undecided after 90 days and tell the requester.")),
    register(Job(INVITATION_EXPIRY, expire_invitations, every=dt.timedelta(hours=1),
                 description="Remove invitations whose link has expired and tell the invitee.")),
    register(Job(REVIEW_PROMPTS, prompt_reviews, daily_at=dt.time(8, 0),
                 description="Once a term, ask approvers to review their users.")),
]
