"""Fixtures for the Secure access tests: an approver at the school and one at the LA."""

from __future__ import annotations

import pytest


@pytest.fixture
def approver(school, make_user):
    return make_user(school, role="approver", email="head@fenland.example.sch.uk", name="Hana Head")


@pytest.fixture
def la_approver(la, make_user):
    return make_user(la, role="approver", email="lead@la.example.gov.uk", name="Lee Lead")
