"""Lockout arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.security import lockout

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_third_failure_locks_for_thirty_minutes():
    assert lockout.after_failure(0, None, NOW, 3, 30) == (1, None, False)
    assert lockout.after_failure(1, None, NOW, 3, 30) == (2, None, False)
    assert lockout.after_failure(2, None, NOW, 3, 30) == (3, NOW + timedelta(minutes=30), True)


def test_failures_while_locked_neither_count_nor_extend():
    until = NOW + timedelta(minutes=10)
    assert lockout.after_failure(3, until, NOW, 3, 30) == (3, until, False)


def test_an_expired_lock_starts_the_count_again():
    assert lockout.after_failure(3, NOW - timedelta(seconds=1), NOW, 3, 30) == (1, None, False)


def test_is_locked():
    assert lockout.is_locked(NOW + timedelta(seconds=1), NOW)
    assert not lockout.is_locked(NOW, NOW)
    assert not lockout.is_locked(None, NOW)
