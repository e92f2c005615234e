"""Factories for Duplicates tests: the autumn 2026 census deadline, census versions loaded for it through the
models (as an upload's worker loads them), and a case between two other schools for the cross-organisation
test."""

from __future__ import annotations

from models import organisations
from models.db import scalar
from tests.domain.validation.xml_files import pupil
from tests.returns.factories import census_instance, make_version

__all__ = ["census_instance", "case_between", "load", "other_schools_case", "own", "shared"]


def load(db, school: dict, instance: dict, pupils: list[dict], user: dict | None = None) -> dict:
    """A census version of ``school`` for ``instance`` holding ``pupils`` (xml_files.pupil dicts)."""
    return make_version(db, school, user, instance_id=instance["id"], pupils=pupils)


def shared(serial: int = 1, **changes) -> dict:
    """A pupil two schools can both have on roll: the same UPN, names, date of birth and sex for a serial."""
    return pupil(serial, **{"Surname": "Shared", **changes})


def own(serial: int, **changes) -> dict:
    """A pupil only one school has (a surname per serial, so no one else matches by person)."""
    return pupil(serial, Surname=f"Only{serial:03d}", **changes)


def case_between(db, first: dict, second: dict, instance: dict | None = None) -> int:
    """Load both schools' versions with one pupil in common (single registration at both) and return the
    case's id."""
    instance = instance or census_instance(db)
    load(db, first, instance, [shared(1), own(2)])
    load(db, second, instance, [shared(1), own(3)])
    return scalar(db, "SELECT max(id) FROM duplicate_cases")


def other_schools_case(ctx: dict) -> int:
    """A case between the other school and a third school (none of the first school's), made once."""
    if "case_id" not in ctx:
        third = organisations.create_school(ctx["db"], la_code="873", estab="2003", name="Third Street School",
                                            urn=110003)  # fmt: skip
        ctx["case_id"] = case_between(ctx["db"], ctx["other_school"], third)
    return ctx["case_id"]
