"""Checking answers: each kind of question, required answers, totals, and findings as row/column/value/message."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.local_returns.answers import check_answer, findings, normalised, totals
from domain.local_returns.definitions import CHOICE, CHOICES, DATE, NUMBER, TEXT, YES_NO, Question
from tests.local_returns.factories import destinations, meals

CHOICE_Q = Question("d", "Destination", CHOICE, options=("FE college", "Apprenticeship"))


@pytest.mark.parametrize(
    "question,raw,value,message",
    [
        (Question("n", "N", NUMBER, minimum=0, maximum=10), "7", "7", None),
        (Question("n", "N", NUMBER, minimum=0, maximum=10), 7.0, "7", None),
        (Question("n", "N", NUMBER, minimum=0, maximum=10), "1,0", "10", None),
        (Question("n", "N", NUMBER, minimum=0, maximum=10), "11", None, "Must be 10 or less"),
        (Question("n", "N", NUMBER, minimum=0, maximum=10), "-1", None, "Must be 0 or more"),
        (Question("n", "N", NUMBER), "2.5", None, "Must be a whole number"),
        (Question("n", "N", NUMBER), "=1+1", None, "Must be a whole number"),
        (Question("d", "D", DATE), "25/12/2026", "2026-12-25", None),
        (Question("d", "D", DATE), dt.datetime(2026, 12, 25), "2026-12-25", None),
        (Question("d", "D", DATE), "31/02/2026", None, "Must be a real date"),
        (Question("y", "Y", YES_NO), "y", "Yes", None),
        (Question("y", "Y", YES_NO), True, "Yes", None),
        (Question("y", "Y", YES_NO), "maybe", None, "Must be Yes or No"),
        (CHOICE_Q, "fe COLLEGE ", "FE college", None),
        (CHOICE_Q, "University", None, "Must be one of the choices"),
        (Question("c", "C", CHOICES, options=("A", "B", "C")), "c; a", ["A", "C"], None),
        (Question("c", "C", CHOICES, options=("A", "B", "C")), ["B"], ["B"], None),
        (Question("c", "C", CHOICES, options=("A", "B", "C")), "A; D", None, "'D' is not one of the choices"),
        (Question("t", "T", TEXT), "x" * 501, None, "500 characters or fewer"),
        (Question("t", "T", TEXT, required=True), "  ", None, "Answer this question"),
        (Question("t", "T", TEXT), "", None, None),
    ],
)
def test_each_kind_of_answer_is_checked(question, raw, value, message):
    checked = check_answer(question, raw)
    assert checked.value == value
    assert checked.message == message if message is None else message in checked.message


def test_findings_name_row_pupil_column_value_and_message():
    rows = [
        {"position": 1, "upn": "A1", "forename": "Ann", "surname": "Lee", "answers": {"destination": "FE college"}},
        {"position": 2, "upn": "A2", "forename": "Bo", "surname": "Ng", "answers": {"destination": "University"}},
        {"position": 3, "upn": "A3", "forename": "Cy", "surname": "Oz", "answers": {}},
    ]
    found = findings(destinations(), rows)
    assert [(f.row, f.upn, f.name, f.column, f.value, f.message) for f in found] == [
        (2, "A2", "Bo Ng", "Intended destination", "University", "Must be one of the choices in the list"),
        (3, "A3", "Cy Oz", "Intended destination", "", "Answer this question"),
    ]


def test_a_total_must_equal_its_parts():
    definition = meals()
    wrong = findings(definition, [{"position": 0, "answers": {"free": "10", "paid": "5", "total": "16"}}])
    assert [(f.column, f.message) for f in wrong] == [("Total meals", "Must equal Free school meals + Paid meals (15)")]
    assert findings(definition, [{"position": 0, "answers": {"free": "10", "paid": "5", "total": "15"}}]) == []
    # A part that is itself wrong is reported once, not again as a wrong total.
    once = findings(definition, [{"position": 0, "answers": {"free": "x", "paid": "5", "total": "16"}}])
    assert [f.column for f in once] == ["Free school meals"]


def test_normalised_keeps_wrong_answers_as_given_and_totals_count_good_ones():
    definition = meals()
    kept = normalised(definition, {"free": " 1,200 ", "paid": "lots", "total": ""})
    assert kept == {"free": "1200", "paid": "lots"}
    assert totals(definition, [{"answers": kept}, {"answers": {"free": "3"}}]) == {"free": 1203, "paid": 0, "total": 0}
