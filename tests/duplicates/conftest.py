"""Fixtures for the Duplicates area: the clock in the autumn 2026 census, Returns users at two schools and the
LA, a third school."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import clock
from models import organisations, services
from tests.conftest import set_today
from tests.duplicates.factories import census_instance


@pytest.fixture(autouse=True)
def sync_validation(app_config):
    """Validate inside the upload request."""
    app_config["VALIDATION_SYNC"] = True


@pytest.fixture
def today():
    """Monday 5 October 2026: the autumn census (day 1 October) is open."""
    set_today(dt.date(2026, 10, 5))
    yield dt.date(2026, 10, 5)
    clock.reset()


@pytest.fixture
def sc_aut(db, today) -> dict:
    return census_instance(db)


@pytest.fixture
def third_school(db, la):
    return organisations.create_school(db, la_code="873", estab="2003", name="Third Street School", urn=110003)


def _returns_user(db, make_user, organisation, name, email):
    user = make_user(organisation, name=name, email=email)
    services.set_services(db, user["id"], ["returns"])
    return user


@pytest.fixture
def school_user(db, school, make_user):
    return _returns_user(db, make_user, school, "Sam Office", "office@fenland.example.sch.uk")


@pytest.fixture
def other_school_user(db, other_school, make_user):
    return _returns_user(db, make_user, other_school, "Olly Other", "office@ouse.example.sch.uk")


@pytest.fixture
def la_user(db, la, make_user):
    return _returns_user(db, make_user, la, "Lee Data", "lee.data@873.example.gov.uk")
