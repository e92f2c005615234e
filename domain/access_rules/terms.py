"""The school term a date falls in, for prompts that go once a term.

Terms by calendar month: autumn September-December, spring January-March, summer
April-August. Good enough for a prompt; it is not a statutory date.
"""

from __future__ import annotations

import datetime as dt


def term_key(day: dt.date) -> str:
    """Return ``"2026-autumn"``, ``"2026-spring"`` or ``"2026-summer"``; the year is the academic year's start."""
    if day.month >= 9:
        return f"{day.year}-autumn"
    if day.month <= 3:
        return f"{day.year - 1}-spring"
    return f"{day.year - 1}-summer"


def term_label(key: str) -> str:
    """``"2026-spring"`` as ``"spring term 2026/27"``."""
    year, _, term = key.partition("-")
    start = int(year)
    return f"{term} term {start}/{str(start + 1)[-2:]}"
