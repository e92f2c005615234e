"""The one set of Jinja filters (web/filters.py), registered by the app rather than by blueprints."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from web.filters import FILTERS, dfe_number, govuk_date, short_date, uk_datetime

ROOT = Path(__file__).resolve().parents[2]


def test_uk_datetime_uses_uk_time():
    assert uk_datetime("2026-07-01T13:05:00Z") == "1 July 2026 at 2:05pm"  # BST
    assert uk_datetime("2026-01-01T00:30:00Z") == "1 January 2026 at 12:30am"
    assert uk_datetime(None) == "Never"


def test_uk_datetime_reads_audit_stamps_with_fractions_of_a_second():
    assert uk_datetime("2026-10-21T11:00:00.123456Z") == "21 October 2026 at 12:00pm"


def test_govuk_date_takes_a_date_or_iso_text():
    assert govuk_date(dt.date(2026, 10, 21)) == "21 October 2026"
    assert govuk_date("1998-09-01") == "1 September 1998"
    assert govuk_date("2026-03-02T14:05:00Z") == "2 March 2026"
    assert govuk_date("not a date") == "not a date"
    assert govuk_date(None) == "" and govuk_date("") == ""


def test_short_date():
    assert short_date(dt.date(2026, 10, 21)) == "Wed 21 Oct"
    assert short_date(None) == ""


def test_dfe_number():
    assert dfe_number("8732001") == "873/2001"
    assert dfe_number("873") == "873"
    assert dfe_number(None) == ""


def test_the_app_registers_every_filter(app):
    for name, function in FILTERS.items():
        assert app.jinja_env.filters[name] is function


def test_no_blueprint_registers_filters():
    found = [
        path.name
        for path in sorted((ROOT / "views").glob("*.py"))
        if re.search(r"app_template_filter|add_app_template_filter", path.read_text(encoding="utf-8"))
    ]
    assert found == []
