"""Fixtures shared by the areas that work on census returns (Returns, Duplicates, their browser tests): validation
inside the upload request, the clock in the autumn 2026 census and its deadline (or the workforce census's), and
Returns users at two schools and the LA. A folder's conftest imports the ones it uses (a conftest is never
imported from another folder)."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import clock
from models import services
from tests.conftest import set_today
from tests.returns.factories import census_instance

AUTUMN_CENSUS_OPEN = dt.date(2026, 10, 5)
WORKFORCE_OPEN = dt.date(2026, 11, 9)


@pytest.fixture(autouse=True)
def sync_validation(app_config):
    """Validate inside the upload request by default; tests of the pool switch this off."""
    app_config["VALIDATION_SYNC"] = True


@pytest.fixture
def today():
    """The clock on Monday 5 October 2026: the autumn census (day 1 October) is open."""
    set_today(AUTUMN_CENSUS_OPEN)
    yield AUTUMN_CENSUS_OPEN
    clock.reset()


@pytest.fixture
def sc_aut(db, today) -> dict:
    """The autumn 2026 School Census deadline (2026/27 generated from the default catalogue)."""
    return census_instance(db)


@pytest.fixture
def swc(db) -> dict:
    """The clock on Monday 9 November 2026 (census day 5 November): the 2026 School Workforce Census is open,
    and so still is the autumn census. 2026/27 generated from the default catalogue."""
    set_today(WORKFORCE_OPEN)
    yield census_instance(db, "SWC")
    clock.reset()


def returns_user(db, make_user, organisation: dict, name: str, email: str) -> dict:
    """A user of ``organisation`` with the Returns service."""
    user = make_user(organisation, name=name, email=email)
    services.set_services(db, user["id"], ["returns"])
    return user


@pytest.fixture
def school_user(db, school, make_user):
    return returns_user(db, make_user, school, "Sam Office", "office@fenland.example.sch.uk")


@pytest.fixture
def other_school_user(db, other_school, make_user):
    return returns_user(db, make_user, other_school, "Olly Other", "office@ouse.example.sch.uk")


@pytest.fixture
def la_user(db, la, make_user):
    return returns_user(db, make_user, la, "Lee Data", "lee.data@873.example.gov.uk")
