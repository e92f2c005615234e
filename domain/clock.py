"""The one source of "now" for Gatehouse, so tests can control time.

Everything that compares against the current time calls :func:`now` (timezone-aware UTC).
Tests move time with :func:`set_now` / :func:`advance` and put it back with :func:`reset`.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

_lock = threading.Lock()
_frozen: datetime | None = None


def now() -> datetime:
    """Return the current time as an aware UTC datetime (the frozen one in tests)."""
    with _lock:
        return _frozen if _frozen is not None else datetime.now(UTC)


def iso(moment: datetime | None = None) -> str:
    """Return ``moment`` (default now) as ``YYYY-MM-DDTHH:MM:SSZ`` text, the database format."""
    return (moment or now()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text: str) -> datetime:
    """Parse text written by :func:`iso` back into an aware UTC datetime.

    Raises ValueError when the text is not in that format.
    """
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def set_now(moment: datetime) -> None:
    """Freeze the clock at ``moment`` (must be timezone-aware)."""
    global _frozen
    if moment.tzinfo is None:
        raise ValueError("set_now needs a timezone-aware datetime")
    with _lock:
        _frozen = moment.astimezone(UTC)


def advance(delta: timedelta) -> None:
    """Move a frozen clock forward by ``delta`` (freezing it at the real now first if needed)."""
    set_now(now() + delta)


def reset() -> None:
    """Unfreeze the clock."""
    global _frozen
    with _lock:
        _frozen = None
