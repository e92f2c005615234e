"""The rule catalogue is complete, consistent, and docs/rules.md is generated from it."""
from __future__ import annotations

import re

from domain.validation.rules import (
    ALL,
    BOTH,
    CENSUS,
    CTF,
    ERROR,
    PUPIL,
    QUERY,
    RETURN,
    RULES,
    STAFF,
    WORKFORCE,
    rules_for,
)
from domain.validation.rules_doc import DOC_PATH, render_rules_doc


def test_at_least_25_rules_with_unique_ids():
    assert len(RULES) >= 25


def test_at_least_150_school_census_rules():
    assert len(rules_for("census")) >= 150


def test_every_rule_is_well_formed():
    for rule in RULES.values():
        assert rule.severity in (ERROR, QUERY)
        assert rule.scope in (RETURN, PUPIL, STAFF)
        assert rule.applies_to in (CENSUS, CTF, WORKFORCE, BOTH, ALL)
        assert (rule.scope == STAFF) <= (rule.applies_to == WORKFORCE), rule.id
        assert rule.title and rule.message and rule.fix
        assert "{field}" in rule.message or "{value}" in rule.message or rule.extra_keys, rule.id
        if rule.id[0].isdigit():  # DfE numbers: queries end in Q, errors are plain numbers
            assert re.fullmatch(r"\d+Q" if rule.severity == QUERY else r"\d+", rule.id), rule.id
        else:
            assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", rule.id), rule.id


def test_every_message_renders_with_its_keys():
    for rule in RULES.values():
        context = {key: f"<{key}>" for key in rule.extra_keys}
        text = rule.render(field="UPN", value="'X'", **context)
        assert "{" not in text and "}" not in text


def test_core_rules_are_present():
    for rule_id in ["1500", "1510", "1520", "1530", "1540", "1550", "1570", "1575", "1578", "1580", "1590",
                    "1600", "1601Q", "1610", "1620Q", "2355Q", "lrs-charset", "1860", "2020Q", "100"]:
        assert rule_id in RULES
    assert RULES["1620Q"].severity == QUERY and RULES["census-file-name"].severity == QUERY


def test_rules_for_each_kind():
    assert "1570" in {r.id for r in rules_for("census")} and "1570" not in {r.id for r in rules_for("ctf")}
    assert "ctf-lost-pupil" in {r.id for r in rules_for("ctf")}
    workforce = {r.id for r in rules_for("workforce")}
    assert {"header-source", "header-school", "7000", "7110", "7135"} <= workforce
    assert "1500" not in workforce and "no-pupils" not in workforce


def test_workforce_rules_are_numbered_in_their_own_range_and_there_are_at_least_20():
    numbered = [r for r in RULES.values() if r.applies_to == WORKFORCE]
    assert len(numbered) >= 20
    assert all(re.fullmatch(r"7[0-2]\d\dQ?", r.id) for r in numbered)
    assert not [r for r in RULES.values() if r.applies_to != WORKFORCE and r.id.startswith("7")]


def test_committed_rules_doc_is_up_to_date():
    assert DOC_PATH.read_text(encoding="utf-8") == render_rules_doc(), \
        "docs/rules.md is stale: run python -m domain.validation.rules_doc"
