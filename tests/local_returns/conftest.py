"""Fixtures for Local returns: the clock in December 2026 (Year 11 destinations open, meal numbers weekly),
2026/27's deadlines, an LA user and a school user with the Local returns service, each signed in on their own
client."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import clock
from models import deadline_instances, services
from tests.conftest import set_today

TODAY = dt.date(2026, 12, 7)  # a Monday in the autumn term


@pytest.fixture
def today():
    set_today(TODAY)
    yield TODAY
    clock.reset()


@pytest.fixture
def year(db, today):
    """2026/27's deadlines from the default catalogue."""
    return deadline_instances.generate(db, 2026)


@pytest.fixture
def la_user(db, la, make_user):
    user = make_user(la, email="data.team@cambridgeshire.gov.uk", name="Dana Data")
    services.set_services(db, user["id"], {"local_returns"})
    return user


@pytest.fixture
def school_user(db, school, make_user):
    user = make_user(school, email="office@2001.example.sch.uk", name="Olive Office")
    services.set_services(db, user["id"], {"local_returns", "deadlines"})
    return user


@pytest.fixture
def la_client(app, la_user, sign_in, client_request):
    """``client_request`` for the LA user, signed in on a client of their own."""
    own = app.test_client()
    sign_in(la_user, client=own)
    return client_request.using(own)


@pytest.fixture
def school_client(app, school_user, sign_in, client_request):
    """``client_request`` for the school user, signed in on a client of their own."""
    own = app.test_client()
    sign_in(school_user, client=own)
    return client_request.using(own)
