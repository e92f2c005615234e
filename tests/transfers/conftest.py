"""Transfers fixtures: the clock in academic year 2026/27 (so the test CTFs' version is current), validation
inline, and users with the Transfers service at two schools and the LA."""

from __future__ import annotations

import pytest

from tests.conftest import set_today
from tests.transfers.factories import TODAY, transfers_user


@pytest.fixture(autouse=True)
def transfers_today(app):
    set_today(TODAY)


@pytest.fixture
def sender(make_user, school, db):
    """An end user of school 873/2001 with Transfers."""
    return transfers_user(make_user, school, db, email="office@fenland.example.sch.uk", name="Fen Office")


@pytest.fixture
def receiver(make_user, other_school, db):
    """An end user of school 873/2002 with Transfers."""
    return transfers_user(make_user, other_school, db, email="office@ouse.example.sch.uk", name="Ouse Office")


@pytest.fixture
def la_user(make_user, la, db):
    """An end user at the LA itself with Transfers (two-step verification is set up at sign-in)."""
    return transfers_user(make_user, la, db, email="data@cambs.example.gov.uk", name="LA Data")


@pytest.fixture
def fresh_instance(app_config, tmp_path):
    """A second, empty Gatehouse instance to restore into (as tests/backup's)."""
    from app import create_app

    folder = tmp_path / "fresh-instance"
    return create_app(dict(app_config, INSTANCE_PATH=str(folder), DATABASE=str(folder / "gatehouse.db"),
                           FILES_DIR=str(folder / "files")))
