"""Time in England: the date deadlines, requests and jobs are judged by."""

from __future__ import annotations

import datetime as dt

from domain import clock
from domain.dates import UK_TZ, noon_in_england, uk_date_of, uk_now, uk_today

D = dt.date


def test_today_is_the_date_in_england():
    # 23:30 UTC on 21 October is already 22 October in British Summer Time
    assert uk_today(dt.datetime(2026, 10, 21, 23, 30, tzinfo=dt.UTC)) == D(2026, 10, 22)
    assert uk_today(dt.datetime(2026, 12, 21, 23, 30, tzinfo=dt.UTC)) == D(2026, 12, 21)


def test_today_follows_the_clock():
    clock.set_now(dt.datetime(2027, 3, 28, 23, 30, tzinfo=dt.UTC))  # BST began at 01:00 UTC that day
    try:
        assert uk_today() == D(2027, 3, 29)
        assert uk_now().utcoffset() == dt.timedelta(hours=1)
    finally:
        clock.reset()


def test_a_stored_timestamp_has_its_date_in_england():
    assert uk_date_of("2026-10-21T23:30:00Z") == D(2026, 10, 22)
    assert uk_date_of("2026-12-21T23:30:00Z") == D(2026, 12, 21)
    assert uk_date_of(None) is None


def test_noon_in_england_is_utc_noon_in_winter_and_eleven_in_summer():
    assert noon_in_england(D(2026, 12, 1)) == dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    assert noon_in_england(D(2026, 7, 1)) == dt.datetime(2026, 7, 1, 11, tzinfo=dt.UTC)
    assert UK_TZ.key == "Europe/London"
