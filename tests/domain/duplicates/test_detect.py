"""Duplicate detection rules: same UPN by enrolment status, FormerUPN, same person different UPN, twins,
2 to 4-year-olds and census-day overlap."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from domain.duplicates import EARLY_YEARS, SAME_PERSON, SAME_UPN, PupilEntry, find_cases, same_upn_rule

DAY = dt.date(2027, 1, 21)


def entry(school: str, upn: str = "H801200001001", **fields) -> PupilEntry:
    values = {
        "surname": "Smith",
        "forename": "Amy",
        "dob": "2015-03-04",
        "sex": "F",
        "enrol_status": "C",
        "postcode": "CB1 2AB",
        "nc_year": "6",
        "census_day": DAY,
        **fields,
    }
    return PupilEntry(school=school, upn=upn, **values)


# Every pair of enrolment statuses at two schools: the rule named, or None when legitimate.
PAIRS = {
    ("C", "C"): "single-at-two-schools",
    ("M", "S"): None,
    ("S", "M"): None,
    ("M", "M"): "more-than-one-main",
    ("S", "S"): "subsidiary-only",
    ("C", "S"): "subsidiary-without-main",
    ("S", "C"): "subsidiary-without-main",
    ("C", "M"): "single-and-dual",
    ("M", "C"): "single-and-dual",
    ("G", "C"): "status-unclear",
    ("C", "G"): "status-unclear",
    ("G", "M"): "status-unclear",
    ("G", "S"): "subsidiary-without-main",
    ("", "C"): "status-unclear",
    ("M", "G"): "status-unclear",
    ("S", "G"): "subsidiary-without-main",
    ("G", "G"): "status-unclear",
}


@pytest.mark.parametrize("first, second", list(itertools.product("CMSG", repeat=2)) + [("", "C")])
def test_every_enrolment_status_pair_at_two_schools(first, second):
    expected = PAIRS[(first, second)]
    cases = find_cases([entry("8732001", enrol_status=first), entry("8732002", enrol_status=second)])
    if expected is None:
        assert cases == []
    else:
        assert [(c.kind, c.rule, c.schools, c.upns) for c in cases] == [
            (SAME_UPN, expected, ["8732001", "8732002"], ["H801200001001"])
        ]


@pytest.mark.parametrize(
    "statuses, rule",
    [
        ("MSS", None),  # one main, two subsidiaries
        ("MMS", "more-than-one-main"),  # more than one M
        ("SSS", "subsidiary-only"),
        ("CCC", "single-at-two-schools"),
        ("CSS", "subsidiary-without-main"),
    ],
)
def test_three_schools(statuses, rule):
    cases = find_cases([entry(f"873200{n}", enrol_status=s) for n, s in enumerate(statuses, 1)])
    assert [c.rule for c in cases] == ([rule] if rule else [])
    if rule:
        assert cases[0].schools == ["8732001", "8732002", "8732003"]


def test_status_is_read_whatever_its_case_or_spaces():
    assert same_upn_rule([" m", "s "]) is None
    assert same_upn_rule(["c", "C"]) == "single-at-two-schools"


def test_same_upn_twice_at_one_school_is_not_a_cross_school_case():
    assert find_cases([entry("8732001"), entry("8732001")]) == []


def test_upns_are_compared_after_normalising():
    cases = find_cases([entry("8732001", upn="h801200001001"), entry("8732002", upn=" H801200001001")])
    assert [c.rule for c in cases] == ["single-at-two-schools"]


def test_former_upn_matching_another_schools_upn():
    temporary = "G80120000101A"
    cases = find_cases(
        [
            entry("8732001", upn="H801200001001", former_upn=temporary),
            entry("8732002", upn=temporary),
        ]
    )
    assert [(c.kind, c.rule, c.upns, c.schools) for c in cases] == [
        (SAME_UPN, "former-upn", ["G80120000101A", "H801200001001"], ["8732001", "8732002"])
    ]
    assert cases[0].matched[0] == "former UPN"


def test_former_upn_at_the_same_school_or_equal_to_the_upn_is_not_a_case():
    temporary = "G80120000101A"
    assert (
        find_cases(
            [
                entry("8732001", upn="H801200001001", former_upn=temporary),
                entry("8732001", upn=temporary, forename="Other"),
            ]
        )
        == []
    )
    assert (
        find_cases(
            [entry("8732001", former_upn="H801200001001"), entry("8732002", upn="B801200005001", forename="Bea")]
        )
        == []
    )


def test_same_person_different_upn():
    cases = find_cases(
        [
            entry("8732001", upn="H801200001001", surname="O'Brien", forename="Zoë"),
            entry("8732002", upn="B801200005001", surname="OBRIEN", forename="zoe", postcode="PE1 1AA"),
        ]
    )
    assert len(cases) == 1
    case = cases[0]
    assert (case.kind, case.rule, case.upns, case.schools) == (
        SAME_PERSON,
        "same-name-dob-sex",
        ["B801200005001", "H801200001001"],
        ["8732001", "8732002"],
    )
    assert case.matched == ("surname", "forename", "date of birth", "sex")
    assert case.postcode_evidence == "differs"


def test_postcode_is_evidence_never_a_condition():
    same = find_cases([entry("8732001"), entry("8732002", upn="B801200005001")])
    missing = find_cases([entry("8732001"), entry("8732002", upn="B801200005001", postcode=None)])
    assert [c.postcode_evidence for c in same] == ["agrees"]
    assert "postcode" in same[0].matched
    assert [c.postcode_evidence for c in missing] == ["unknown"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("surname", "Smyth"),
        ("forename", "Aimee"),
        ("dob", "2015-03-05"),
        ("sex", "M"),
        ("forename", None),
    ],
)
def test_one_differing_or_missing_field_is_not_the_same_person(field, value):
    assert find_cases([entry("8732001"), entry("8732002", upn="B801200005001", **{field: value})]) == []


def test_twins_are_never_a_case():
    """Same surname, date of birth and school, different forenames; one twin's namesake elsewhere does not
    pull the other twin in."""
    twins = [
        entry("8732001", upn="H801200001001", forename="Amy"),
        entry("8732001", upn="B801200005001", forename="Bea"),
    ]
    assert find_cases(twins) == []
    cases = find_cases([*twins, entry("8732002", upn="Y801200001022", forename="Amy")])
    assert [(c.upns, c.schools) for c in cases] == [(["H801200001001", "Y801200001022"], ["8732001", "8732002"])]


def test_same_person_at_one_school_only_is_not_a_cross_school_case():
    assert find_cases([entry("8732001"), entry("8732001", upn="B801200005001")]) == []


def test_former_upn_link_is_not_reported_again_as_same_person():
    temporary = "G80120000101A"
    cases = find_cases([entry("8732001", former_upn=temporary), entry("8732002", upn=temporary)])
    assert [c.rule for c in cases] == ["former-upn"]


def test_early_years_on_two_rolls_whatever_the_statuses():
    nursery = {"dob": "2023-05-01", "nc_year": "N2"}
    cases = find_cases([entry("8732001", enrol_status="M", **nursery), entry("8732002", enrol_status="S", **nursery)])
    assert [(c.kind, c.rule) for c in cases] == [(EARLY_YEARS, "early-years-same-upn")]
    by_person = find_cases([entry("8732001", **nursery), entry("8732002", upn="B801200005001", **nursery)])
    assert [(c.kind, c.rule) for c in by_person] == [(EARLY_YEARS, "early-years-same-person")]


def test_reception_four_year_olds_follow_the_school_rules():
    reception = {"dob": "2022-10-01", "nc_year": "R"}  # 4 on census day, in Reception
    assert (
        find_cases([entry("8732001", enrol_status="M", **reception), entry("8732002", enrol_status="S", **reception)])
        == []
    )


def test_census_day_overlap_is_shown():
    both = find_cases([entry("8732001", entry_date="2024-09-03"), entry("8732002", entry_date="2027-01-06")])
    assert both[0].on_roll_together is True
    later = find_cases([entry("8732001", entry_date="2024-09-03"), entry("8732002", entry_date="2027-02-01")])
    assert later[0].on_roll_together is False
    left = find_cases(
        [
            entry("8732001", entry_date="2024-09-03"),
            entry("8732002", entry_date="2024-09-03", leaving_date="2026-12-18"),
        ]
    )
    assert left[0].on_roll_together is False
    unknown = find_cases([entry("8732001", entry_date="2024-09-03"), entry("8732002")])
    assert unknown[0].on_roll_together is None


def test_case_key_is_the_same_pair_whatever_the_order_or_rule():
    a = find_cases([entry("8732001"), entry("8732002")])[0]
    b = find_cases([entry("8732002", enrol_status="M"), entry("8732001", enrol_status="M")])[0]
    assert a.rule != b.rule and a.key == b.key
