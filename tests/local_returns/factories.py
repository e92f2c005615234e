"""Factories for Local returns tests: definitions, a designed and published local return, a school's census
pupils, and another school's submission (for the cross-organisation test)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

from domain.deadline_rules import DEFAULT_CATALOGUE
from domain.local_returns.definitions import CHOICE, NUMBER, PUPIL_LIST, SINGLE_FORM, TEXT, Definition, Question
from models import deadline_catalogue, deadline_instances, local_returns, organisations
from tests.domain.validation.xml_files import pupil
from tests.returns.factories import make_version

DESTINATIONS = ("Sixth form at this school", "Sixth form elsewhere", "FE college", "Apprenticeship",
                "Employment with training", "Not known")  # fmt: skip


def destinations() -> Definition:
    """A pupil list of Year 11 with a required drop-down column and an optional note."""
    return Definition(
        title="Year 11 intended destinations", purpose="To meet the LA's duty to track young people (NEET).",
        shape=PUPIL_LIST, nc_years=("11",),
        questions=(
            Question("destination", "Intended destination", CHOICE, required=True, options=DESTINATIONS,
                     help="What the pupil intends to do after Year 11"),
            Question("notes", "Notes", TEXT),
        ),
    )  # fmt: skip


def meals() -> Definition:
    """A single form of meal numbers whose total must add up; 'nothing to report' allowed."""
    return Definition(
        title="Weekly school meal numbers", purpose="To pay the meals contract.", shape=SINGLE_FORM,
        nothing_to_report=True,
        questions=(
            Question("free", "Free school meals", NUMBER, required=True, minimum=0, maximum=5000),
            Question("paid", "Paid meals", NUMBER, required=True, minimum=0, maximum=5000),
            Question("total", "Total meals", NUMBER, required=True, minimum=0, sum_of=("free", "paid")),
        ),
    )  # fmt: skip


def designed(db, code: str, definition: Definition, actor: dict | None = None, *, la_code: str = "873",
             publish: bool = True) -> dict:  # fmt: skip
    """The LA's local return for catalogue ``code`` with ``definition`` (published unless told)."""
    entry = deadline_catalogue.get_by_code(db, code)
    made = local_returns.create(db, la_code=la_code, catalogue_id=entry["id"], definition=definition, actor=actor)
    return local_returns.publish(db, made, actor) if publish else made


def year_11_census(db, school: dict, user: dict | None, count: int = 3) -> list[dict]:
    """A census for ``school`` with ``count`` Year 11 pupils and one Year 7 pupil; returns the Year 11s."""
    pupils = [pupil(n, NCyearActual="11", Surname=f"Pupil{n:03d}") for n in range(1, count + 1)]
    make_version(db, school, user, pupils=[*pupils, pupil(count + 1, NCyearActual="7", Surname="Younger")])
    return pupils


def workbook_of(content: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content))


def local_meals(db, school: dict, la_user: dict, school_user: dict) -> tuple[dict, dict]:
    """Weekly meal numbers designed and published by ``la_user``, and ``school``'s submission for the week it is
    working on (started by ``school_user``): ``(local_return, submission)``."""
    made = designed(db, "MEALS", meals(), la_user)
    instance = deadline_instances.find_instance(db, code="MEALS", organisation_id=school["id"])
    return made, local_returns.start(db, made, instance, organisations.get(db, school["id"]), school_user)


def other_schools_submission(ctx: dict) -> dict:
    """A submission of the other school (the only school its return applies to), made once per context."""
    if "local_submission" not in ctx:
        db, other = ctx["db"], ctx["other_school"]
        entry = dataclasses.replace(DEFAULT_CATALOGUE[-1], code="OTHER-LOCAL", name="Only the other school's survey")
        row = deadline_catalogue.save(db, entry, chosen_only=True, chosen=[other["id"]])
        instance = deadline_instances.add_instance(
            db, catalogue_id=row["id"], academic_year=2026, period_label="2026/27",
            opens_on=dt.date(2026, 9, 1), due_on=dt.date(2026, 10, 30),
        )  # fmt: skip
        made = designed(db, "OTHER-LOCAL", meals(), ctx["other_user"], la_code=other["la_code"])
        submission = local_returns.start(db, made, instance, organisations.get(db, other["id"]), ctx["other_user"])
        ctx["local_submission"] = {**submission, "local_return_id": made["id"], "instance_id": instance["id"]}
    return ctx["local_submission"]
