"""Factories other test modules use to make Secure access objects (e.g. the cross-organisation test)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from domain.access_rules import request_timetable
from domain.dates import uk_today
from models import account_requests, claims, organisations, users
from models.db import connect


def open_request(db, organisation: dict, email: str = "asker@example.sch.uk", name: str = "Asha Asker",
                 made_on: dt.date | None = None, routed_to_la: bool = False) -> dict:
    """An open account request at ``organisation`` (made today unless ``made_on`` is given)."""
    return account_requests.create(
        db, organisation=organisation, name=name, email=email, reason="I run the census returns",
        chosen_services=["returns"], routed_to_la=routed_to_la,
        timetable=request_timetable(made_on or uk_today()),
    )  # fmt: skip


def other_schools_request(db, other_school: dict) -> int:
    """The id of an open account request at ``other_school``."""
    return open_request(db, other_school, email="someone@other.example.sch.uk")["id"]


def site_admin(db, la: dict | None = None) -> dict:
    """A site admin of the LA (created once per database)."""
    existing = users.get_by_email(db, "factory-admin@la.example.gov.uk")
    if existing:
        return existing
    la = la or organisations.get_la(db, "873") or organisations.ensure_la(db, "873", "Cambridgeshire")
    return users.create(db, email="factory-admin@la.example.gov.uk", name="Factory Admin", organisation_id=la["id"],
                        is_site_admin=True)


def other_schools_claim(db, other_school: dict) -> int:
    """The id of a live claim code of another school (one with no approver, beside ``other_school``)."""
    school = organisations.create_school(db, la_code=other_school["la_code"], estab="2999",
                                         name="No Approver Infant School", urn=119999)
    claim, _ = claims.issue(db, school["id"], 30, actor=site_admin(db))
    return claim["id"]


def race(database: str, calls: list[Callable], refused: type[Exception], refusal: object = "refused") -> list:
    """Run every call at once: each in its own thread with its own connection to ``database`` (passed to it), all
    let go together by a barrier. What each returned, or ``refusal`` for each that raised ``refused``, in the
    order they finished."""
    outcomes: list = []
    lock = threading.Lock()
    start = threading.Barrier(len(calls))

    def attempt(call: Callable) -> None:
        conn = connect(database)
        try:
            start.wait()
            outcome = call(conn)
        except refused:
            outcome = refusal
        finally:
            conn.conn.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes
