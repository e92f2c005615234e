"""The pure access rules: email domains, request timetable, claim codes."""

from __future__ import annotations

import datetime as dt

import pytest

import settings
from domain import access_rules
from domain.access_rules import claim_codes

BLOCKED = access_rules.parse_domains(settings.defaults()["BLOCKED_EMAIL_DOMAINS"])


def test_parse_domains():
    assert access_rules.parse_domains(" gmail.com, @Hotmail.co.uk  outlook.com.,") == {
        "gmail.com", "hotmail.co.uk", "outlook.com"}
    assert access_rules.parse_domains("") == frozenset() and access_rules.parse_domains(None) == frozenset()
    assert {"gmail.com", "icloud.com", "proton.me", "btinternet.com"} <= BLOCKED and len(BLOCKED) == 19


@pytest.mark.parametrize(
    "email,allowed,problem",
    [
        ("head@fenland.cambs.sch.uk", "", None),
        ("someone@GMAIL.com", "", "personal email services"),
        ("someone@mail.gmail.com", "", "personal email services"),  # subdomains of a blocked domain
        ("someone@notgmail.com", "", None),  # only whole labels match
        ("head@fenland.cambs.sch.uk", "sch.uk, cambridgeshire.gov.uk", None),
        ("head@cambridgeshire.gov.uk", "sch.uk, cambridgeshire.gov.uk", None),
        ("head@example.org", "sch.uk, cambridgeshire.gov.uk", "only addresses at cambridgeshire.gov.uk, sch.uk"),
        ("someone@gmail.com", "gmail.com", "personal email services"),  # blocked wins
    ],
)
def test_domain_problem(email, allowed, problem):
    found = access_rules.domain_problem(email, blocked=BLOCKED, allowed=access_rules.parse_domains(allowed))
    assert (found is None) if problem is None else (problem in found)


def test_request_timetable_counts_working_days_and_bank_holidays():
    monday = access_rules.request_timetable(dt.date(2026, 3, 2))
    assert (monday.remind_on, monday.due_on, monday.close_on) == (
        dt.date(2026, 3, 6), dt.date(2026, 3, 9), dt.date(2026, 5, 31))
    assert not monday.is_overdue(dt.date(2026, 3, 9)) and monday.is_overdue(dt.date(2026, 3, 10))
    christmas = access_rules.request_timetable(dt.date(2025, 12, 19))  # Friday before Christmas
    assert christmas.due_on == dt.date(2025, 12, 30) and christmas.remind_on == dt.date(2025, 12, 29)
    saturday = access_rules.request_timetable(dt.date(2026, 3, 7))
    assert saturday.due_on == dt.date(2026, 3, 13)
    one_day = access_rules.request_timetable(dt.date(2026, 3, 2), working_days=1)
    assert one_day.remind_on == dt.date(2026, 3, 2) and one_day.due_on == dt.date(2026, 3, 3)


def test_request_timetable_refuses_nonsense():
    with pytest.raises(ValueError):
        access_rules.request_timetable(dt.date(2026, 3, 2), working_days=0)
    with pytest.raises(ValueError):
        access_rules.request_timetable(dt.date(2026, 3, 2), working_days=10, close_days=5)


def test_claim_codes():
    code = access_rules.new_code()
    assert len(code) == 19 and code.count("-") == 3 and access_rules.looks_like_code(code)
    assert access_rules.new_code() != code
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert access_rules.hash_code(typed) == access_rules.hash_code(code)
    assert access_rules.format_code(typed) == code
    assert not access_rules.looks_like_code("K7M2-Q9XD-4HRT") and not access_rules.looks_like_code("U" * 16)
    assert set(claim_codes.ALPHABET).isdisjoint("ILOU")

