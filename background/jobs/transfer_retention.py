"""Retention of transfers: warn a week before a file that nobody has collected is deleted, then delete it.

Runs every day from 06:00 UK time, and by hand with ``flask --app app transfers purge [--dry-run]``.
A file still held whose retention (TRANSFER_CTF_DAYS) ends within WARN_DAYS and that the recipient
has not downloaded (or, held for another LA, the LA has not forwarded) gets one warning email to the
Transfers users of the sender and of the recipient. A file whose retention has ended loses its
wrapped key and its bytes; its record stays as expired, with its download log, and the deletion is
audited (``transfer_expired``). Running again changes nothing more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import Flask
from sqlite_utils import Database

from background.jobs import Job, register
from background.mail import accounts as mail
from background.transfer_store import store
from models import services, transfers

NAME = "transfer-retention"
WARN_DAYS = 7
SERVICE = "transfers"


@dataclass
class PurgeReport:
    """What a purge did (or, dry, would do): the transfers warned about and deleted, and the emails sent."""

    warned: list[dict] = field(default_factory=list)
    deleted: list[dict] = field(default_factory=list)
    emails: int = 0

    def summary(self) -> dict:
        return {"warned": len(self.warned), "emails": self.emails, "deleted": len(self.deleted)}


def _warn(app: Flask, db: Database, transfer: dict) -> int:
    """Email the sender's and the recipient's Transfers users that ``transfer`` will be deleted; return how many."""
    people = mail.unique_people([*services.users_with_service(db, transfer["sender_id"], SERVICE),
                                 *services.users_with_service(db, transfer["recipient_id"], SERVICE)])
    for person in people:
        mail.tell_now(app, db, person["email"], "a file will be deleted in a week", "transfers/email/expiring.txt",
                      person=person, transfer=transfer)
    transfers.mark_warned(db, transfer["id"])
    return len(people)


def purge(app: Flask, db: Database, now: dt.datetime, *, dry_run: bool = False) -> PurgeReport:
    """Warn about files expiring within WARN_DAYS of ``now`` and delete those whose retention ended by ``now``.

    With ``dry_run`` nothing is sent, changed or deleted: the report lists what would be.
    """
    report = PurgeReport(deleted=transfers.due_for_deletion(db, now))
    deleting = {t["id"] for t in report.deleted}
    report.warned = [t for t in transfers.due_for_warning(db, now + dt.timedelta(days=WARN_DAYS))
                     if t["id"] not in deleting]  # fmt: skip
    if dry_run:
        return report
    for transfer in report.warned:
        report.emails += _warn(app, db, transfer)
    for transfer in report.deleted:
        stored_name = transfers.expire(db, transfer)
        store.remove(app.config["FILES_DIR"], stored_name)
    return report


def run(app: Flask, db: Database, now: dt.datetime) -> dict:
    """The scheduled run: :func:`purge` at ``now``, its counts for the job record."""
    return purge(app, db, now).summary()


JOB = register(
    Job(
        NAME,
        run,
        daily_at=dt.time(6, 0),
        description="Warn a week before an uncollected transfer is deleted; delete transfers past their retention.",
    )
)
