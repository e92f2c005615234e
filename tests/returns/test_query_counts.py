"""The Returns lists read their versions in a fixed number of statements, however many rows they show.

Statements are counted with ``set_trace_callback`` on the test's own SQLite file. Each list is read
once before it is counted, so a per-process cache (the deadline catalogue) is warm both times.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from models import organisations, returns
from models.db import rows
from tests.returns.factories import make_version, submitted_version


@contextmanager
def statements(db) -> Iterator[list[str]]:
    """Every SQL statement ``db`` runs inside the block."""
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        db.conn.set_trace_callback(None)


def counted(db, read) -> tuple[object, int]:
    """``read()`` once to warm any cache, then again while counting; the second result and its count."""
    read()
    with statements(db) as seen:
        result = read()
    return result, len(seen)


@pytest.fixture
def submitted_returns(db, make_user, sc_aut):
    """``add(n)``: n more schools of LA 873, each with a submitted version of its autumn census return
    (its queries explained)."""
    made = []

    def add(count: int) -> None:
        for _ in range(count):
            n = len(made) + 1
            school = organisations.create_school(db, la_code="873", estab=f"{3000 + n}", name=f"School {n:02d}",
                                                 urn=120000 + n)  # fmt: skip
            user = make_user(school)
            made.append(submitted_version(db, school, user, instance_id=sc_aut["id"], actor=user)["id"])

    return add


def _same_as_get_version(db, versions) -> None:
    for version in versions:
        assert version == returns.get_version(db, version["id"])


def test_review_reads_versions_in_a_fixed_number_of_statements(db, la, sc_aut, submitted_returns):
    submitted_returns(2)
    few, few_statements = counted(db, lambda: returns.review(db, sc_aut, "873"))
    submitted_returns(6)
    many, many_statements = counted(db, lambda: returns.review(db, sc_aut, "873"))

    with_version = [row for row in many if row["version"]]
    assert len([row for row in few if row["version"]]) == 2 and len(with_version) == 8
    assert many_statements == few_statements
    _same_as_get_version(db, [row["version"] for row in with_version])


def test_exportable_versions_reads_in_a_fixed_number_of_statements(db, la, sc_aut, submitted_returns):
    submitted_returns(2)
    few, few_statements = counted(db, lambda: returns.exportable_versions(db, sc_aut["id"], "873"))
    submitted_returns(6)
    many, many_statements = counted(db, lambda: returns.exportable_versions(db, sc_aut["id"], "873"))

    assert len(few) == 2 and len(many) == 8
    assert [v["return"]["dfe_number"] for v in many] == sorted(v["return"]["dfe_number"] for v in many)
    assert many_statements == few_statements
    _same_as_get_version(db, many)


def test_latest_by_instance_reads_in_a_fixed_number_of_statements(db, school, school_user, sc_aut):
    instances = [r["id"] for r in rows(db, "SELECT id FROM deadline_instances ORDER BY id LIMIT 6")]
    make_version(db, school, school_user)  # its test uploads (no instance)
    make_version(db, school, school_user, instance_id=instances[0])
    few, few_statements = counted(db, lambda: returns.latest_by_instance(db, school["id"]))
    for instance_id in instances[1:]:
        make_version(db, school, school_user, instance_id=instance_id)
    make_version(db, school, school_user)  # a second version of the test uploads: the latest is shown
    many, many_statements = counted(db, lambda: returns.latest_by_instance(db, school["id"]))

    assert len(few) == 2 and len(many) == 7
    assert many[None]["version"]["version"] == 2
    assert many_statements == few_statements
    _same_as_get_version(db, [entry["version"] for entry in many.values()])
