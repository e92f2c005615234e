"""Fixtures for the Returns area: a school user and LA user with Returns, an open census deadline, an open
workforce census deadline (all shared, with Duplicates and the browser tests: tests/returns/fixtures.py).

Census files come from tests/returns/factories.py, uploads from tests/returns/uploading.py."""

from __future__ import annotations

from tests.returns.fixtures import la_user, other_school_user, sc_aut, school_user, swc, sync_validation, today

__all__ = ["la_user", "other_school_user", "sc_aut", "school_user", "swc", "sync_validation", "today"]
