"""Gatehouse's Jinja filters: how dates, times and DfE numbers read on every page and in every email.

The app factory (``app.py``) adds :data:`FILTERS` to its Jinja environment, so every template,
blueprint and background email sees the same set; views that need the same text outside a template
(a flash message, a calendar entry) import the function. Dates are GOV.UK style (``21 October 2026``,
``2:05pm``) whatever the server's locale; stored UTC timestamps are shown in England's time
(``domain.dates``).

| filter | shows |
| --- | --- |
| ``govuk_date`` | a date, or ISO text, as ``21 October 2026`` |
| ``short_date`` | a date as ``Wed 21 Oct`` (tables, where space is short) |
| ``uk_datetime`` | a stored UTC timestamp as ``21 October 2026 at 2:05pm`` in England |
| ``dfe_number`` | ``8732001`` as ``873/2001`` |
| ``action_title`` | an audited action's plain title (``deadline_chased`` as ``School reminded about a return``) |
"""

from __future__ import annotations

import datetime as dt

from domain.dates import uk_now
from web.action_titles import action_title

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def govuk_date(value: dt.date | str | None) -> str:
    """``21 October 2026``: a date, or ISO text (a date, or the date part of a timestamp as written);
    empty for None or empty text. Text that is not an ISO date comes back unchanged; never raises."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def short_date(day: dt.date | None) -> str:
    """``Wed 21 Oct``: weekday, day and month of a date; empty for None."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1][:3]}" if day else ""


def uk_datetime(stamp: str | None) -> str:
    """A stored UTC timestamp (``2026-07-01T13:05:00Z``, fractions of a second allowed) in England's
    time: ``1 July 2026 at 2:05pm``; ``Never`` for None or empty text.

    Raises ValueError for text that does not start ``YYYY-MM-DDTHH:MM:SS``.
    """
    if not stamp:
        return "Never"
    moment = uk_now(dt.datetime.fromisoformat(stamp[:19]).replace(tzinfo=dt.UTC))  # not strptime: a table has many
    hour = moment.hour % 12 or 12
    return f"{govuk_date(moment.date())} at {hour}:{moment:%M}{'am' if moment.hour < 12 else 'pm'}"


def dfe_number(value: str | None) -> str:
    """``8732001`` as ``873/2001`` (the way people write DfE numbers); other text unchanged, None empty."""
    if not value:
        return ""
    return f"{value[:3]}/{value[3:]}" if len(value) == 7 else value


def organisation_choice(organisation: dict) -> str:
    """An organisation as it reads in a list to choose from: the LA by its name, a school by its name and DfE number
    (``Fenland Primary (873/2001)``), so that two schools with the same name can be told apart."""
    if organisation.get("kind") == "la" or not organisation.get("dfe_number"):
        return organisation["name"]
    return f"{organisation['name']} ({dfe_number(organisation['dfe_number'])})"


#: Every filter by its template name: the app factory registers exactly these.
FILTERS = {"govuk_date": govuk_date, "short_date": short_date, "uk_datetime": uk_datetime, "dfe_number": dfe_number,
           "action_title": action_title}
