"""Fixtures for the Returns area: a school user and LA user with Returns, an open census deadline, an open
workforce census deadline (the shared ones live in tests/returns/fixtures.py, with Duplicates).

Census files come from tests/returns/factories.py, uploads from tests/returns/uploading.py."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import clock
from tests.conftest import set_today
from tests.returns.factories import census_instance
from tests.returns.fixtures import la_user, other_school_user, sc_aut, school_user, sync_validation, today

__all__ = ["la_user", "other_school_user", "sc_aut", "school_user", "sync_validation", "today"]

WORKFORCE_OPEN = dt.date(2026, 11, 9)


@pytest.fixture
def swc(db) -> dict:
    """The clock on Monday 9 November 2026 (census day 5 November): the 2026 School Workforce Census is open,
    and so still is the autumn census. 2026/27 generated from the default catalogue."""
    set_today(WORKFORCE_OPEN)
    yield census_instance(db, "SWC")
    clock.reset()
