"""What the LA gets for a period: every school's answers as one CSV and one .xlsx (formula-safe), a summary per
question (counts per choice, totals, by phase) and which schools have not sent."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from domain.local_returns.definitions import Question
from models import deadline_catalogue, deadline_instances, local_returns, organisations
from tests.conftest import audit_events
from tests.local_returns.factories import designed, destinations, meals, year_11_census


def _submit(db, made, instance, school, user, answers: dict[int, dict]):
    submission = local_returns.start(db, made, instance, organisations.get(db, school["id"]), user)
    local_returns.save_answers(db, submission, answers, user)
    local_returns.submit(db, local_returns.get_submission(db, submission["id"]), user)


def test_the_la_sees_who_has_sent_a_summary_and_downloads_everyones_answers(db, year, school, other_school, la_user,
                                                                           make_user, la_client):  # fmt: skip
    secondary = organisations.create_school(db, la_code="873", estab="4101", name="March Secondary School",
                                            urn=120002, phase="Secondary", low_age=11, high_age=16, status="open")
    silent = organisations.create_school(db, la_code="873", estab="4102", name="Wisbech School", urn=120003,
                                         phase="Secondary", low_age=11, high_age=16, status="open")  # fmt: skip
    made = designed(db, "Y11-DEST", destinations(), la_user)
    entry = deadline_catalogue.get_by_code(db, "Y11-DEST")
    instance = deadline_instances.list_instances(db, catalogue_id=entry["id"])[0]
    for place, answers in ((school, ["FE college", "FE college"]), (secondary, ["Apprenticeship", "FE college"])):
        user = make_user(place, role="approver")
        year_11_census(db, place, user, count=2)
        _submit(db, made, instance, place, user, {n: {"destination": a, "notes": "=cmd|' /C calc'!A0" if n == 1
                                                      else ""} for n, a in enumerate(answers, start=1)})  # fmt: skip
    page = la_client.get("local_returns.period", local_return_id=made["id"], deadline_id=instance["id"])
    assert "Submitted by 2 of 4 schools." in page.html
    names = page.texts("//table[last()]//tbody//th")
    assert [n.split(" 873")[0] for n in names[:2]] == [other_school["name"], silent["name"]]  # not sent: first
    fe = page.xpath("//caption[normalize-space()='Intended destination']/..//tbody/tr")[2]
    assert " ".join(fe.text_content().split()) == "FE college 3 Secondary: 1; Unknown phase: 2"

    response = la_client.get_response("local_returns.answers_csv", local_return_id=made["id"],
                                      deadline_id=instance["id"])  # fmt: skip
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    table = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["DfE number"], r["Row"], r["Intended destination"]) for r in table] == [
        ("8732001", "1", "FE college"), ("8732001", "2", "FE college"),
        ("8734101", "1", "Apprenticeship"), ("8734101", "2", "FE college")]
    assert table[0]["Notes"] == "'=cmd|' /C calc'!A0"  # never a formula in anyone's spreadsheet
    assert table[0]["Definition version"] == "1" and table[2]["Phase"] == "Secondary"

    response = la_client.get_response("local_returns.answers_xlsx", local_return_id=made["id"],
                                      deadline_id=instance["id"])  # fmt: skip
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Answers", "Summary"]
    answers = list(book["Answers"].iter_rows(values_only=True))
    assert len(answers) == 5 and answers[1][answers[0].index("Notes")] == "'=cmd|' /C calc'!A0"
    assert all(c.data_type != "f" for row in book["Answers"].iter_rows() for c in row)
    summary = [r for r in book["Summary"].iter_rows(values_only=True) if r[1] == "FE college"]
    assert summary == [("Intended destination", "FE college", 3, "Secondary: 1; Unknown phase: 2")]
    assert [e["detail"]["format"] for e in audit_events(db, "local_return_answers_downloaded")] == ["csv", "xlsx"]


def test_totals_by_phase_and_answers_of_every_version_in_the_export(db, year, school, other_school, la_user,
                                                                    make_user, la_client):  # fmt: skip
    made = designed(db, "MEALS", meals(), la_user)
    instance = deadline_instances.find_instance(db, code="MEALS", organisation_id=school["id"])
    _submit(db, made, instance, school, make_user(school, role="approver"),
            {0: {"free": "10", "paid": "5", "total": "15"}})  # fmt: skip
    changed = made["current"]["definition"].with_question(Question("packed", "Packed lunches", "number"))
    local_returns.save_draft(db, made, changed, la_user)
    made = local_returns.publish(db, local_returns.get(db, made["id"]), la_user)
    _submit(db, made, instance, other_school, make_user(other_school, role="approver"),
            {0: {"free": "1", "paid": "2", "total": "3", "packed": "4"}})  # fmt: skip
    page = la_client.get("local_returns.period", local_return_id=made["id"], deadline_id=instance["id"])
    free = page.xpath("//caption[normalize-space()='Free school meals']/..//tbody/tr")
    assert " ".join(free[0].text_content().split()) == "Total 11 Unknown phase: 11"
    text = la_client.get_response("local_returns.answers_csv", local_return_id=made["id"],
                                  deadline_id=instance["id"]).get_data(as_text=True)  # fmt: skip
    table = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["Definition version"], r["Free school meals"], r["Packed lunches"]) for r in table] == [
        ("1", "10", ""), ("2", "1", "4")]
