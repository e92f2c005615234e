"""Fixtures for PRIDE: the clock in the autumn term of 2026/27 with that year's deadlines generated, a school
user and an LA user with the PRIDE service."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import clock
from models import deadline_instances, services
from tests.conftest import set_today
from tests.deadlines.factories import instance_of


@pytest.fixture
def today(db):
    """Monday 19 October 2026 (autumn term), with 2026/27's deadlines."""
    set_today(dt.date(2026, 10, 19))
    deadline_instances.generate(db, 2026)
    yield dt.date(2026, 10, 19)
    clock.reset()


@pytest.fixture
def autumn(db, today) -> dict:
    return instance_of(db, "PRIDE-NIL", "2026/27-autumn")


@pytest.fixture
def school_user(db, school, make_user):
    user = make_user(school, name="Sam Office", email="office@fenland.example.sch.uk")
    services.set_services(db, user["id"], ["pride", "deadlines"])
    return user


@pytest.fixture
def other_school_user(db, other_school, make_user):
    user = make_user(other_school, name="Olly Other", email="office@ouse.example.sch.uk")
    services.set_services(db, user["id"], ["pride", "deadlines"])
    return user


@pytest.fixture
def la_user(db, la, make_user):
    user = make_user(la, name="Ella Equality", email="ella.equality@873.example.gov.uk")
    services.set_services(db, user["id"], ["pride", "deadlines"])
    return user
