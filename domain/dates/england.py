"""Time in England: the zone every Gatehouse date is judged in.

Stored timestamps are UTC text (``domain.clock.iso``); what a person sees, and which day a
deadline, a job or a request falls on, is the date in England (GMT in winter, BST in summer).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from domain import clock

UK_TZ = ZoneInfo("Europe/London")


def uk_now(moment: dt.datetime | None = None) -> dt.datetime:
    """``moment`` (default ``clock.now()``, so tests control it) as an aware datetime in England.

    Pass an aware ``moment``: a naive one is taken as the machine's local time, as ``astimezone`` does.
    """
    return (moment or clock.now()).astimezone(UK_TZ)


def uk_today(moment: dt.datetime | None = None) -> dt.date:
    """Today's date in England (the date of ``moment`` in England when given): the day that deadlines,
    account requests and daily jobs are judged by."""
    return uk_now(moment).date()


def uk_date_of(stamp: str | None) -> dt.date | None:
    """The date in England of a stored UTC timestamp (``2026-10-21T23:30:00Z`` is 22 October in BST);
    None stays None. Raises ``ValueError`` for text not written by ``domain.clock.iso``."""
    return uk_today(clock.parse(stamp)) if stamp else None


def noon_in_england(day: dt.date) -> dt.datetime:
    """Midday in England on ``day``, as an aware UTC datetime (a time for an event known only by its date)."""
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=UK_TZ).astimezone(dt.UTC)
