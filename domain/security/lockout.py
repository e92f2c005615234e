"""Account lockout rules: consecutive failures lock an account for a while. Pure functions."""

from __future__ import annotations

from datetime import datetime, timedelta


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    """True while ``now`` is before ``locked_until``."""
    return locked_until is not None and now < locked_until


def after_failure(
    failed_attempts: int, locked_until: datetime | None, now: datetime, threshold: int, minutes: int
) -> tuple[int, datetime | None, bool]:
    """Return ``(failed_attempts, locked_until, locked_now)`` after one more failure.

    A lock that has run out starts the count again from nothing. While an account is
    locked, failures neither count nor lengthen the lock (so nobody can keep it locked
    longer by trying more). ``locked_now`` is True only for the failure that locks it.
    """
    if is_locked(locked_until, now):
        return failed_attempts, locked_until, False
    if locked_until is not None:
        failed_attempts = 0
    failed_attempts += 1
    if failed_attempts >= threshold:
        return failed_attempts, now + timedelta(minutes=minutes), True
    return failed_attempts, None, False
