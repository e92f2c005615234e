"""The CBDS code lists are data per academic year, read once, and the right year's lists apply."""
from __future__ import annotations

import json

from domain.validation.code_lists import CBDS_DIR, cbds_lists, cbds_year_for, cbds_years
from domain.validation.rules import RULES


def test_each_year_file_holds_every_list_a_rule_names():
    named = {rule.code_list for rule in RULES.values() if rule.code_list}
    assert len(named) >= 25
    assert cbds_years()[:2] == [2025, 2026]
    for year in cbds_years():
        lists = cbds_lists(year)
        for name in named:
            assert lists.codes(name), f"{lists.label} has no codes in {name}"
        document = json.loads((CBDS_DIR / f"{lists.label}.json").read_text(encoding="utf-8"))
        assert all(entry["source"] and entry["element"] for entry in document["lists"].values())


def test_a_return_uses_its_years_lists_else_the_latest_earlier_year():
    assert cbds_year_for(2026) == 2026 and cbds_year_for(2025) == 2025
    assert cbds_year_for(2031) == max(cbds_years())
    assert cbds_year_for(2019) == min(cbds_years())
    assert cbds_year_for(None) == max(cbds_years())
    assert cbds_lists(2026).label == "2026-27" and cbds_lists(2040).label == cbds_lists(None).label


def test_lists_are_read_once_per_year():
    assert cbds_lists(2026) is cbds_lists(2026)


def test_codes_withdrawn_and_groups():
    lists = cbds_lists(2026)
    assert {"N", "K", "E"} == lists.codes("sen_provision") and "S" in lists.withdrawn("sen_provision")
    assert {"C", "M", "S", "G"} <= lists.codes("enrol_status")
    assert {"REFU", "NOBT", "WBRI"} <= lists.codes("ethnicity") and {"ENG", "NOT", "REF"} <= lists.codes("language")
    assert "I" in lists.group("attendance_reason", "authorised") and lists.group("phase", "none") == frozenset()
