"""``flask --app app demo-data``: LA 873's schools and a site admin, once, into an empty database."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime

from domain import clock
from domain.security.passwords import verify_password
from models import organisations, pride, users
from models.db import rows, scalar
from web.passwords import app_hasher

PASSWORD_LINE = re.compile(r"^One-time password: (\S+)$", re.MULTILINE)


def everything(db) -> dict:
    return {
        table: [tuple(r.values()) for r in rows(db, f"SELECT * FROM {table} ORDER BY id")]
        for table in ("organisations", "users", "gias_imports", "audit_log")
    }


def test_first_run_loads_schools_and_prints_the_password_once(app, runner, db):
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0, result.output

    passwords = PASSWORD_LINE.findall(result.stdout)
    assert len(passwords) == 1
    password = passwords[0]
    assert result.output.count(password) == 1
    assert "shown only now" in result.stdout

    la = organisations.get_la(db, "873")
    assert la["name"] == "Cambridgeshire"
    assert scalar(db, "SELECT count(*) FROM organisations WHERE kind = 'school'") == 36  # 40 rows, 4 closed
    assert "36 schools" in result.stdout

    admin = users.get_by_email(db, "admin@gatehouse.invalid")
    assert admin["is_site_admin"] == 1
    assert admin["role"] == "approver"
    assert admin["must_change_password"] == 1
    assert admin["organisation_id"] == la["id"]
    assert admin["status"] == "active"
    with app.app_context():
        assert verify_password(app_hasher(), admin["password_hash"], password)
    assert password not in admin["password_hash"]

    actions = [r["action"] for r in rows(db, "SELECT action FROM audit_log ORDER BY id")]
    # then one row for each past week of weekly returns the demo leaves out (see the test below), and the
    # example local returns designed and published (tests/local_returns/test_examples.py), and the PRIDE
    # incidents, returns, "not required" mark and history (the test at the end)
    assert actions[:3] == ["gias_import", "demo_data", "deadlines_generated"]
    assert set(actions[3:]) <= {
        "deadline_instance_cancelled", "local_return_created", "local_return_published", "pride_incident_reported",
        "pride_return_made", "deadline_status_recorded", "pride_not_required_set", "pride_history_imported",
    }  # fmt: skip
    for entry in rows(db, "SELECT detail FROM audit_log"):
        assert password not in entry["detail"]
    assert json.loads(rows(db, "SELECT detail FROM audit_log WHERE action = 'demo_data'")[0]["detail"])[
        "admin_email"
    ] == "admin@gatehouse.invalid"


def test_second_run_with_if_empty_changes_nothing(runner, db):
    first = runner.invoke(args=["demo-data", "--if-empty"])
    assert first.exit_code == 0
    before = everything(db)

    second = runner.invoke(args=["demo-data", "--if-empty"])

    assert second.exit_code == 0
    assert second.stdout == "Demo data already present; nothing changed\n"
    assert not PASSWORD_LINE.search(second.output)
    assert everything(db) == before


def test_if_empty_leaves_any_existing_data_alone(runner, db, school, make_user):
    make_user(school)
    before = everything(db)
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0
    assert "Demo data already present; nothing changed" in result.stdout
    assert everything(db) == before


def test_without_if_empty_a_database_with_data_is_refused(runner, db, la):
    before = everything(db)
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 1
    assert "demo data goes only into an empty database" in result.stderr
    assert "1 organisation and 0 users" in result.stderr
    assert everything(db) == before


def test_the_admin_email_can_be_chosen(runner, db):
    result = runner.invoke(args=["demo-data", "--admin-email", "Data.Team@Example.gov.uk"])
    assert result.exit_code == 0, result.output
    assert "Site admin: data.team@example.gov.uk" in result.stdout
    assert users.get_by_email(db, "data.team@example.gov.uk")["is_site_admin"] == 1


def test_a_bad_admin_email_is_a_usage_error(runner, db):
    result = runner.invoke(args=["demo-data", "--admin-email", "not-an-email"])
    assert result.exit_code == 2
    assert scalar(db, "SELECT count(*) FROM organisations") == 0


def test_the_printed_password_is_accepted_at_sign_in(runner, client, db):
    password = PASSWORD_LINE.search(runner.invoke(args=["demo-data"]).stdout).group(1)
    wrong = client.post("/sign-in", data={"email": "admin@gatehouse.invalid", "password": password + "x"})
    assert wrong.status_code == 200  # the form again, with an error
    response = client.post("/sign-in", data={"email": "admin@gatehouse.invalid", "password": password})
    assert response.status_code == 302  # on to the next step (home, or setting up a new password / 2FA)


def test_first_run_makes_this_academic_years_deadlines(runner, db):
    clock.set_now(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "Deadlines for 2026/27:" in result.stdout
    years = {r["academic_year"] for r in rows(db, "SELECT DISTINCT academic_year FROM deadline_instances")}
    assert years == {2026}
    codes = {r["code"] for r in rows(db, "SELECT DISTINCT c.code FROM deadline_instances i"
                                         " JOIN return_catalogue c ON c.id = i.catalogue_id")}
    assert {"SC-AUT", "SC-SPR", "SC-SUM", "PRIDE-NIL"} <= codes


def test_the_demos_weekly_returns_start_this_week(runner, db):
    """A newcomer's demo school does not meet every past week of meal numbers overdue on day one."""
    clock.set_now(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))  # a Wednesday
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "Weekly returns start this week:" in result.stdout
    meals = rows(db, "SELECT i.due_on, i.cancelled_at FROM deadline_instances i JOIN return_catalogue c"
                     " ON c.id = i.catalogue_id WHERE c.code = 'MEALS' ORDER BY i.due_on")  # fmt: skip
    live = [m["due_on"] for m in meals if m["cancelled_at"] is None]
    assert live and min(live) >= "2026-11-23"  # this week's Friday and later
    assert any(m["cancelled_at"] for m in meals if m["due_on"] < "2026-11-23")
    others = rows(db, "SELECT count(*) AS n FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
                      " WHERE c.code <> 'MEALS' AND i.cancelled_at IS NOT NULL")  # fmt: skip
    assert others[0]["n"] == 0  # nothing else is touched: the autumn census stays overdue, as it is


def test_the_demo_has_pride_incidents_returns_and_history(runner, db):
    """A newcomer sees PRIDE's reports and charts populated: incidents at eight schools over last year and
    this one, the autumn returns confirmed or NIL, a school not required, and earlier years imported."""
    clock.set_now(datetime(2027, 2, 10, 9, 0, tzinfo=UTC))  # spring term 2026/27: the autumn return is past due
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "PRIDE: 72 incidents, 12 returns made and 108 rows of imported history." in result.stdout
    incidents = rows(db, "SELECT academic_year, count(*) AS n FROM pride_incidents WHERE state = 'reported'"
                         " GROUP BY academic_year ORDER BY academic_year")  # fmt: skip
    assert [r["academic_year"] for r in incidents] == [2025, 2026] and all(r["n"] >= 20 for r in incidents)
    assert scalar(db, "SELECT max(occurred_on) FROM pride_incidents") < "2027-02-10"
    made = rows(db, "SELECT r.kind, i.period_key FROM pride_returns r JOIN deadline_instances i"
                    " ON i.id = r.instance_id")  # fmt: skip
    kinds = Counter((r["period_key"], r["kind"]) for r in made)
    assert kinds == {("2026/27-autumn", "incidents"): 8, ("2026/27-autumn", "nil"): 2, ("2026/27-spring", "nil"): 2}
    assert scalar(db, "SELECT count(*) FROM pride_not_required") == 1
    assert {r["academic_year"] for r in rows(db, "SELECT DISTINCT academic_year FROM pride_history")} == {
        2022, 2023, 2024}
    la_wide = pride.counts(db, "characteristic", {"la_code": "873", "years": [2025, 2026], "term": None})
    assert max(la_wide.values()) >= 5  # at least one figure the LA report shows unsuppressed
