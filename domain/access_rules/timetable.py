"""When an account request is due, reminded about, overdue (escalated) and closed.

A request made on day D is due ``working_days`` working days later (default 5: a request
made on Monday is due the next Monday). Its approvers get a reminder on the working day
before that. It is overdue, and escalated to the LA, from the day after the due date; it
is closed, if nobody has decided it, ``close_days`` calendar days after it was made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.dates import add_working_days, previous_working_day


@dataclass(frozen=True)
class RequestTimetable:
    """The dates of one request (UK dates)."""

    made_on: dt.date
    remind_on: dt.date
    due_on: dt.date
    close_on: dt.date

    def is_overdue(self, today: dt.date) -> bool:
        """True from the day after the due date."""
        return today > self.due_on


def request_timetable(made_on: dt.date, *, working_days: int = 5, close_days: int = 90,
                      region: str = "ENG") -> RequestTimetable:
    """Return the timetable of a request made on ``made_on``.

    ``remind_on`` is the working day before the due date, but never before ``made_on``.
    Raises ValueError when ``working_days`` is below 1 or ``close_days`` not above it.
    """
    if working_days < 1:
        raise ValueError("a request needs at least one working day to be decided")
    due_on = add_working_days(made_on, working_days, region)
    close_on = made_on + dt.timedelta(days=close_days)
    if close_on <= due_on:
        raise ValueError("requests must stay open until after they are due")
    remind_on = max(made_on, previous_working_day(due_on, region))
    return RequestTimetable(made_on=made_on, remind_on=remind_on, due_on=due_on, close_on=close_on)
