"""Fixtures for the deadlines area: schools of different kinds, a generated year, the clock."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import clock
from models import deadlines, organisations
from models.db import one


def set_today(day: dt.date, hour: int = 12) -> None:
    """Freeze the clock at ``hour`` o'clock UTC on ``day`` (midday: the same date in England)."""
    clock.set_now(dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC))


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
    return deadlines.generate(db, 2026)


def instance_of(db, code: str, period_key: str = "2026/27", year: int = 2026) -> dict:
    """The instance of catalogue ``code`` for ``period_key`` (default: the annual one of 2026/27)."""
    row = one(
        db,
        "SELECT i.id FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
        " WHERE c.code = ? AND i.period_key = ? AND i.academic_year = ?",
        (code, period_key, year),
    )
    assert row, f"no instance {code} {period_key}"
    return deadlines.get_instance(db, row["id"])
