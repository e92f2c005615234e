"""Fixtures for the Returns area: a school user and LA user with Returns, an open census deadline, an open
workforce census deadline.

Census files come from tests/returns/factories.py, uploads from tests/returns/uploading.py."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import clock
from models import deadline_instances, services
from models.db import one
from tests.conftest import set_today

WORKFORCE_OPEN = dt.date(2026, 11, 9)


@pytest.fixture(autouse=True)
def sync_validation(app_config):
    """Validate inside the upload request by default; tests of the pool switch this off."""
    app_config["VALIDATION_SYNC"] = True


@pytest.fixture
def today():
    """The clock on Monday 5 October 2026: the autumn census (day 1 October) is open."""
    set_today(dt.date(2026, 10, 5))
    yield dt.date(2026, 10, 5)
    clock.reset()


@pytest.fixture
def sc_aut(db, today) -> dict:
    """The autumn 2026 School Census deadline (2026/27 generated from the default catalogue)."""
    deadline_instances.generate(db, 2026)
    row = one(
        db,
        "SELECT i.id FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
        " WHERE c.code = 'SC-AUT' AND i.academic_year = 2026",
    )
    return deadline_instances.get_instance(db, row["id"])


@pytest.fixture
def swc(db) -> dict:
    """The clock on Monday 9 November 2026 (census day 5 November): the 2026 School Workforce Census is open,
    and so still is the autumn census. 2026/27 generated from the default catalogue."""
    set_today(WORKFORCE_OPEN)
    deadline_instances.generate(db, 2026)
    row = one(
        db,
        "SELECT i.id FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
        " WHERE c.code = 'SWC' AND i.academic_year = 2026",
    )
    yield deadline_instances.get_instance(db, row["id"])
    clock.reset()


@pytest.fixture
def school_user(db, school, make_user):
    user = make_user(school, name="Sam Office", email="office@fenland.example.sch.uk")
    services.set_services(db, user["id"], ["returns"])
    return user


@pytest.fixture
def other_school_user(db, other_school, make_user):
    user = make_user(other_school, name="Olly Other", email="office@ouse.example.sch.uk")
    services.set_services(db, user["id"], ["returns"])
    return user


@pytest.fixture
def la_user(db, la, make_user):
    user = make_user(la, name="Lee Data", email="lee.data@873.example.gov.uk")
    services.set_services(db, user["id"], ["returns"])
    return user
