"""Complete census files from tools/make_fixtures.py: with no seeded problems they pass; with every content rule
seeded (--seed-rules), each seeded problem is found on its pupil, leaver or return, and no untouched pupil
gets an error. Together the files below seed every School Census content rule."""
from __future__ import annotations

import json

import pytest

from domain.validation import validate
from domain.validation.census_catalogue import CENSUS_CONTENT_RULES
from domain.validation.rules import ERROR
from tests.domain.validation.xml_files import make_fixtures_main

NAME = "8734001_SC3_873LL26_001.XML"
PUPIL_FILES = {
    "secondary-autumn": ("--estab", "4001", "--term", "AUT", "--pupils", "600", "--errors", "0.03"),
    "primary-spring-with-nursery": ("--estab", "2001", "--term", "SPR", "--pupils", "400", "--nursery", "60",
                                    "--errors", "0.03"),
    "special-autumn": ("--estab", "5001", "--phase", "SP", "--term", "AUT", "--pupils", "150"),
    "nursery-school-spring": ("--estab", "1001", "--phase", "NS", "--term", "SPR", "--pupils", "60"),
}
RETURN_RULES = [rule_id for rule_id, _, scope, *_ in CENSUS_CONTENT_RULES if scope == "return"]


def _base_for(rule: str) -> tuple[str, ...]:
    """A small file a return-level rule can be seeded in: a special school, a nursery school, or a primary
    school's spring census with nursery pupils and classes (120 pupils, enough infants for the lunch queries)."""
    if rule == "2210Q":
        return "--estab", "5001", "--phase", "SP", "--term", "AUT", "--pupils", "60"
    if rule in ("1960Q", "5065"):
        return "--estab", "1001", "--phase", "NS", "--term", "SPR", "--pupils", "60"
    return "--estab", "2001", "--term", "SPR", "--pupils", "120", "--nursery", "12"


def _generate_and_check(tmp_path, args: tuple[str, ...]) -> set[str]:
    """Generate, validate and check one file; return the rules it seeded."""
    path = tmp_path / NAME
    make_fixtures_main(["census", *args, "-o", str(path)])
    manifest = json.loads((tmp_path / f"{NAME}.manifest.json").read_text(encoding="utf-8"))
    report = validate(path)
    on_roll = {(f.rule, f.pupil) for f in report.findings if f.pupil is not None}
    leavers = {(f.rule, f.upn) for f in report.findings if f.pupil is None and f.upn}
    whole_file = {f.rule for f in report.findings if f.pupil is None and not f.upn}
    missing = []
    for row in manifest["seeded"]:
        if "pupil_index" in row:
            found = (row["rule"], row["pupil_index"] + 1) in on_roll
            found = found and ("also_index" not in row or (row["rule"], row["also_index"] + 1) in on_roll)
        elif "leaver_index" in row:
            found = (row["rule"], row["upn"]) in leavers
        else:
            found = row["rule"] in whole_file
        if not found:
            missing.append(row)
    assert missing == []
    clean = set(manifest["clean_upns"])
    assert [(f.rule, f.upn, f.message) for f in report.findings if f.severity == ERROR and f.upn in clean] == []
    seeded = {row["rule"] for row in manifest["seeded"]}
    return_errors = {f.rule for f in report.findings if f.scope == "return" and f.severity == ERROR}
    assert return_errors <= seeded
    return seeded


@pytest.mark.parametrize("name", PUPIL_FILES)
def test_every_seeded_pupil_problem_is_found(tmp_path, name):
    seeded = _generate_and_check(tmp_path, (*PUPIL_FILES[name], "--seed-rules", "pupil"))
    assert len(seeded) >= 40


def test_every_content_rule_is_seeded_in_one_of_the_files(tmp_path):
    seeded: set[str] = set()
    for name, args in PUPIL_FILES.items():
        (tmp_path / name).mkdir()
        seeded |= _generate_and_check(tmp_path / name, (*args, "--seed-rules", "pupil"))
    assert {r[0] for r in CENSUS_CONTENT_RULES} - seeded == set(RETURN_RULES) - seeded
    assert not set(RETURN_RULES) & seeded - {"5065"}


@pytest.mark.parametrize("rule", RETURN_RULES)
def test_each_seeded_return_level_problem_is_found(tmp_path, rule):
    assert rule in _generate_and_check(tmp_path, (*_base_for(rule), "--seed-rules", rule))


@pytest.mark.parametrize("args", [("--estab", "2001", "--term", "AUT"), ("--estab", "4001", "--term", "SPR"),
                                  ("--estab", "2001", "--term", "SUM", "--nursery", "80")], ids=["PS-AUT", "SS-SPR",
                                                                                                 "PS-SUM"])
def test_a_complete_2000_pupil_census_with_no_seeded_problems_has_no_errors(tmp_path, args):
    path = tmp_path / f"873{args[1]}_SC3_873LL26_001.XML"
    make_fixtures_main(["census", *args, "--pupils", "2000", "-o", str(path)])
    report = validate(path, school=f"873{args[1]}")
    assert report.pupils >= 2000 and report.errors == 0
    # Two generated pupils may share a name and birthday by chance: only that query may appear.
    assert [f.rule for f in report.findings if f.rule != "1620Q"] == []
    text = path.read_text(encoding="utf-8")
    for section in ("<SchoolCharacteristics>", "<PupilCharacteristics>", "<FSMperiod>", "<SENneed>",
                    "<TermlyAttendance>", "<TermlyExclusion>", "<PupilNoLongerOnRoll>", "<EntryDate>"):
        assert section in text, section


def test_term_on_term_queries_on_a_complete_generated_census(tmp_path):
    """The five tont-* queries compare with the school's previous return, which no single generated file holds:
    a complete generated census is checked against a previous return seeded from its own figures, once moved past
    every threshold (each query found) and once unchanged (none)."""
    path = tmp_path / NAME
    make_fixtures_main(["census", "--estab", "4001", "--term", "AUT", "--pupils", "300", "-o", str(path)])
    figures = validate(path).summary.figures
    pupils = figures["pupils"]

    def moved(count: int) -> int:
        """A count 20 points of the roll away from ``count``'s share, within the roll."""
        shift = round(0.2 * pupils)
        return count + shift if count + shift <= pupils else count - shift

    before = {**figures, "pupils": round(pupils * 1.25),
              **{key: moved(figures.get(key) or 0) for key in ("fsm", "sen_support", "ehc_plan", "eal")}}
    for key in ("fsm", "sen_support", "ehc_plan", "eal"):  # the same shares of the larger roll
        before[key] = round(before[key] * 1.25)

    def previous_return(values):
        return lambda day: {"figures": values, "reference_date": "2026-05-21", "term": "SUM"}

    found = {f.rule for f in validate(path, previous=previous_return(before)).findings if f.rule.startswith("tont-")}
    assert found == {"tont-roll", "tont-fsm", "tont-ehc-plan", "tont-sen-support", "tont-eal"}
    assert not [f for f in validate(path, previous=previous_return(figures)).findings if f.rule.startswith("tont-")]
