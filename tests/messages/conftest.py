"""Fixtures for secure messages: users with the Transfers and messages service at the LA and two schools, each
signed in on a client of their own."""

from __future__ import annotations

import pytest

from models import services
from tests.client_request import ClientRequest
from tests.conftest import sign_in_through_forms


@pytest.fixture
def with_transfers(make_user, db):
    """``with_transfers(org, **fields)``: an end user of ``org`` granted Transfers and messages."""

    def factory(organisation: dict, **fields) -> dict:
        user = make_user(organisation, **fields)
        services.set_services(db, user["id"], {"transfers"})
        return user

    return factory


@pytest.fixture
def la_user(with_transfers, la):
    return with_transfers(la, name="Lee Anders", email="lee@873.example.gov.uk")


@pytest.fixture
def school_user(with_transfers, school):
    return with_transfers(school, name="Sam Office", email="sam@fenland.example.sch.uk")


@pytest.fixture
def other_user(with_transfers, other_school):
    return with_transfers(other_school, name="Olu Office", email="olu@ouse.example.sch.uk")


@pytest.fixture
def signed_in(app, db):
    """``signed_in(user)``: a :class:`ClientRequest` over a new test client signed in as ``user``."""

    def factory(user: dict) -> ClientRequest:
        c = app.test_client()
        assert sign_in_through_forms(c, db, user).status_code == 200
        return ClientRequest(app, c)

    return factory
