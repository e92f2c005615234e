"""Generating an academic year's instances: the CLI, idempotence, admin changes, date settings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from domain.dates import default_term_dates
from domain.deadline_rules import DateRule, DueRule, Recurrence
from models import deadline_catalogue, deadline_instances, term_dates
from models.db import rows, scalar
from tests.deadlines.factories import instance_of

D = dt.date


def _count(db) -> int:
    return scalar(db, "SELECT count(*) FROM deadline_instances")


def test_generate_command_creates_the_year(runner, db):
    result = runner.invoke(args=["deadlines", "generate", "2026"])
    assert result.exit_code == 0, result.output
    assert "2026/27: 54 created, 0 updated, 0 unchanged" in result.output
    autumn = instance_of(db, "SC-AUT")
    assert (autumn["opens_on"], autumn["due_on"], autumn["external_due_on"]) == (
        D(2026, 10, 1),
        D(2026, 10, 21),
        D(2026, 10, 28),
    )
    assert autumn["origin"] == "generated" and autumn["name"] == "School Census (autumn)"
    weeks = rows(db, "SELECT period_key FROM deadline_instances WHERE period_key GLOB '*-W*' ORDER BY due_on")
    assert len(weeks) == 40 and weeks[0]["period_key"] == "2026-W36"
    made = deadline_instances.list_instances(db, academic_year=2026)
    assert [i["period_key"] for i in made if i["code"] == "PRIDE-NIL"] == [
        "2026/27-autumn", "2026/27-spring", "2026/27-summer",
    ]  # fmt: skip


def test_generate_is_idempotent(runner, db):
    runner.invoke(args=["deadlines", "generate", "2026"])
    before = rows(db, "SELECT * FROM deadline_instances ORDER BY id")
    again = runner.invoke(args=["deadlines", "generate", "2026"])
    assert again.exit_code == 0
    assert "0 created, 0 updated, 54 unchanged" in again.output
    assert rows(db, "SELECT * FROM deadline_instances ORDER BY id") == before
    audits = rows(db, "SELECT detail FROM audit_log WHERE action = 'deadlines_generated' ORDER BY id")
    assert [json.loads(a["detail"])["created"] for a in audits] == [54, 0]


def test_two_years_live_side_by_side(db):
    deadline_instances.generate(db, 2025)
    deadline_instances.generate(db, 2026)
    assert instance_of(db, "SC-SPR", "2025/26", year=2025)["opens_on"] == D(2026, 1, 15)
    assert instance_of(db, "SC-SPR", year=2026)["opens_on"] == D(2027, 1, 21)


def test_dry_run_changes_nothing(runner, db):
    result = runner.invoke(args=["deadlines", "generate", "2026", "--dry-run"])
    assert result.exit_code == 0 and "Dry run, nothing changed" in result.output and "54 created" in result.output
    assert _count(db) == 0
    assert scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'deadlines_generated'") == 0


def test_bad_year_is_refused(runner, db):
    result = runner.invoke(args=["deadlines", "generate", "26"])
    assert result.exit_code == 2 and "26 is not in the range" in result.output
    assert _count(db) == 0


def test_moved_and_cancelled_instances_survive_regeneration(db, generated):
    autumn = instance_of(db, "SC-AUT")
    moved = deadline_instances.move_instance(
        db, autumn["id"], opens_on=D(2026, 10, 1), due_on=D(2026, 10, 23), external_due_on=D(2026, 10, 30),
        reason="DfE published 30 October",
    )  # fmt: skip
    assert moved["moved"] == 1
    privacy = instance_of(db, "PRIVACY")
    deadline_instances.cancel_instance(db, privacy["id"], reason="Not collected this year")
    summary = deadline_instances.generate(db, 2026)
    assert (summary.kept_moved, summary.kept_cancelled, summary.created, summary.updated) == (1, 1, 0, 0)
    assert instance_of(db, "SC-AUT")["due_on"] == D(2026, 10, 23)
    assert instance_of(db, "PRIVACY")["cancelled_at"] is not None


def test_changed_term_dates_update_and_cancel_generated_instances(db, generated):
    longer = dataclasses.replace(default_term_dates(2026), summer_end=D(2027, 7, 16))
    term_dates.save(db, longer)
    summary = deadline_instances.generate(db, 2026)
    # the week of 19 July 2027 is no longer term time, and the summer PRIDE return moves to 16 July
    assert summary.cancelled == 1 and summary.updated == 1
    assert instance_of(db, "MEALS", "2027-W29")["cancelled_reason"].startswith("No longer produced")
    assert instance_of(db, "PRIDE-NIL", "2026/27-summer")["due_on"] == D(2027, 7, 16)


def test_changed_rule_updates_instances(db, generated):
    entry = deadline_catalogue.get_by_code(db, "PRIVACY")
    rule = DueRule(Recurrence.ANNUAL, due=DateRule.fixed(11, 13), opens=DateRule.fixed(9, 1))
    deadline_catalogue.save(db, dataclasses.replace(entry["entry"], rule=rule), catalogue_id=entry["id"])
    summary = deadline_instances.generate(db, 2026)
    assert summary.updated == 1 and instance_of(db, "PRIVACY")["due_on"] == D(2026, 11, 13)


@pytest.fixture
def boxing_day_return(db):
    """A local return due on 28 December: the Boxing Day bank holiday (substitute day) in 2026."""
    entry = deadline_catalogue.get_by_code(db, "PRIVACY")["entry"]
    rule = DueRule(Recurrence.ANNUAL, due=DateRule.fixed(12, 28), opens=DateRule.fixed(12, 1))
    return deadline_catalogue.save(db, dataclasses.replace(entry, code="XMAS", name="Christmas return", rule=rule))


def test_due_date_on_a_bank_holiday_moves_to_the_previous_working_day(runner, db, boxing_day_return):
    assert runner.invoke(args=["deadlines", "generate", "2026"]).exit_code == 0
    # 28 Dec 2026 is Boxing Day (substitute), 25 Dec Christmas Day: the previous working day is 24 Dec
    assert instance_of(db, "XMAS")["due_on"] == D(2026, 12, 24)
    # 31 October 2026 is a Saturday
    assert instance_of(db, "PRIVACY")["due_on"] == D(2026, 10, 30)


def test_due_date_shift_setting(app_config, db, boxing_day_return):
    app_config["DUE_DATE_SHIFT"] = "next"
    from app import create_app

    result = create_app(app_config).test_cli_runner().invoke(args=["deadlines", "generate", "2026"])
    assert result.exit_code == 0, result.output
    assert instance_of(db, "XMAS")["due_on"] == D(2026, 12, 29)
    assert instance_of(db, "PRIVACY")["due_on"] == D(2026, 11, 2)


def test_unknown_shift_setting_is_a_clear_error(app_config, db):
    app_config["DUE_DATE_SHIFT"] = "sideways"
    from app import create_app

    result = create_app(app_config).test_cli_runner().invoke(args=["deadlines", "generate", "2026"])
    assert result.exit_code == 2 and "DUE_DATE_SHIFT" in result.output
    assert _count(db) == 0


def test_admin_instance_changes_are_audited(db, generated, make_user, la):
    admin = make_user(la, is_site_admin=True)
    entry = deadline_catalogue.get_by_code(db, "SC-AUT")
    extra = deadline_instances.add_instance(
        db, catalogue_id=entry["id"], academic_year=2026, period_label="Autumn re-run", opens_on=D(2026, 11, 2),
        due_on=D(2026, 11, 20), actor=admin,
    )  # fmt: skip
    assert extra["origin"] == "manual" and extra["moved"] == 1
    deadline_instances.cancel_instance(db, extra["id"], reason="Not needed after all", actor=admin)
    deadline_instances.restore_instance(db, extra["id"], actor=admin)
    deadline_instances.move_instance(
        db, extra["id"], opens_on=D(2026, 11, 2), due_on=D(2026, 11, 27), external_due_on=None,
        reason="Extended", actor=admin,
    )  # fmt: skip
    actions = [
        r["action"] for r in rows(db, "SELECT action FROM audit_log WHERE target = ?", (f"instance:{extra['id']}",))
    ]
    assert actions == [f"deadline_instance_{a}" for a in ("added", "cancelled", "restored", "moved")]
    moved = rows(db, "SELECT detail FROM audit_log WHERE action = 'deadline_instance_moved'")[-1]
    assert json.loads(moved["detail"])["from"]["due_on"] == "2026-11-20"


def test_instance_changes_are_checked(db, generated):
    autumn = instance_of(db, "SC-AUT")
    with pytest.raises(deadline_instances.InstanceError, match="on or before the due date"):
        deadline_instances.move_instance(db, autumn["id"], opens_on=D(2026, 11, 1), due_on=D(2026, 10, 1),
                                external_due_on=None, reason="x")  # fmt: skip
    with pytest.raises(deadline_instances.InstanceError, match="Say why"):
        deadline_instances.move_instance(db, autumn["id"], opens_on=D(2026, 10, 1), due_on=D(2026, 10, 9),
                                external_due_on=None, reason=" ")  # fmt: skip
    with pytest.raises(deadline_instances.InstanceError, match="external"):
        deadline_instances.move_instance(db, autumn["id"], opens_on=D(2026, 10, 1), due_on=D(2026, 10, 9),
                                external_due_on=D(2026, 10, 2), reason="x")  # fmt: skip
    with pytest.raises(deadline_instances.InstanceError, match="does not exist"):
        deadline_instances.cancel_instance(db, 99999, reason="x")
    deadline_instances.cancel_instance(db, autumn["id"], reason="x")
    with pytest.raises(deadline_instances.InstanceError, match="already cancelled"):
        deadline_instances.cancel_instance(db, autumn["id"], reason="x")
    assert instance_of(db, "SC-AUT")["due_on"] == D(2026, 10, 21)
