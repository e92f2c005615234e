"""Fixtures for the Duplicates area: the clock in the autumn 2026 census, Returns users at two schools and the
LA (shared with Returns, tests/returns/fixtures.py), a third school."""

from __future__ import annotations

import pytest

from models import organisations
from tests.returns.fixtures import la_user, other_school_user, sc_aut, school_user, sync_validation, today

__all__ = ["la_user", "other_school_user", "sc_aut", "school_user", "sync_validation", "today"]


@pytest.fixture
def third_school(db, la):
    return organisations.create_school(db, la_code="873", estab="2003", name="Third Street School", urn=110003)
