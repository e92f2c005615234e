"""Fixtures for the deadlines area: schools of different kinds and a generated year."""

from __future__ import annotations

import pytest

from models import deadline_instances, organisations


@pytest.fixture
def primary(db, la):
    return organisations.create_school(
        db, la_code="873", estab="2101", name="Ely Primary School", urn=120001, phase="Primary",
        type_name="Community school", low_age=4, high_age=11, status="open",
    )  # fmt: skip


@pytest.fixture
def secondary(db, la):
    return organisations.create_school(
        db, la_code="873", estab="4101", name="March Secondary School", urn=120002, phase="Secondary",
        type_name="Foundation school", low_age=11, high_age=16, status="open",
    )  # fmt: skip


@pytest.fixture
def academy(db, la):
    return organisations.create_school(
        db, la_code="873", estab="4102", name="Wisbech Academy", urn=120003, phase="Secondary",
        type_name="Academy converter", low_age=11, high_age=18, is_academy=1, status="open",
    )  # fmt: skip


@pytest.fixture
def generated(db):
    """Academic year 2026/27 generated with the default catalogue and term dates."""
    return deadline_instances.generate(db, 2026)
