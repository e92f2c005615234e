"""ULN readiness: who needs a ULN, and the LRS exceptions their data would raise (RC006, RC010, RC011, RC013)."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.validation.uln_readiness import flags_for, needs_uln

CENSUS_DAY = dt.date(2026, 10, 1)


def learner(**changes) -> dict:
    """A Year 10 pupil, 15 on census day, with every detail the LRS needs and no ULN."""
    return {"upn": "A873400126001", "uln": None, "surname": "Smith", "forename": "Amy", "dob": "2011-05-04",
            "sex": "F", "nc_year": "10", "postcode": "CB1 2AB", **changes}  # fmt: skip


@pytest.mark.parametrize(("changes", "needs"), [
    ({}, True),
    ({"uln": "1234567899"}, False),  # has a valid ULN
    ({"uln": "1234567890"}, True),  # a ULN that fails its check digit is no ULN
    ({"nc_year": "8", "dob": "2013-05-04"}, False),  # 13, Year 8
    ({"nc_year": "9", "dob": "2013-05-04"}, True),  # Year 9 at 13
    ({"nc_year": "8", "dob": "2012-09-30"}, True),  # 14 on census day, though in Year 8
    ({"nc_year": "X", "dob": None}, False),  # nothing says it is old enough
])
def test_who_needs_a_uln(changes, needs):
    assert needs_uln(learner(**changes), CENSUS_DAY) is needs


@pytest.mark.parametrize(("changes", "codes", "words"), [
    ({}, [], ""),
    ({"forename": " ", "sex": None}, ["RC006"], "Record the pupil's given name and sex."),
    ({"postcode": ""}, ["RC010"], "Record the pupil's home postcode."),
    ({"surname": "Smith2"}, ["RC011"], "The family name 'Smith2' has characters the LRS does not take"),
    ({"surname": "O'Brien-Łukasz"}, ["RC011"], "has characters the LRS does not take"),
    ({"forename": "Zoë Anne-Marie St. John"}, [], ""),  # accents, spaces, hyphens, full stops: fine
    ({"surname": "A" * 36}, ["RC011"], "The family name is 36 characters long: the LRS takes 35."),
    ({"postcode": "CB1"}, ["RC011"], "The postcode 'CB1' is not in a UK postcode's shape"),
    ({"dob": "2011-02-30"}, ["RC011"], "The date of birth '2011-02-30' is not a date."),
    ({"dob": "2014-05-04", "nc_year": "10"}, ["RC013"], "The pupil is 12 on 1 October 2026"),
    ({"dob": "1900-01-01"}, ["RC013"], "The pupil is 126 on 1 October 2026"),
    ({"surname": "", "postcode": None}, ["RC006", "RC010"], "Record the pupil's family name."),
])
def test_flags(changes, codes, words):
    flags = flags_for(learner(**changes), CENSUS_DAY)
    assert [f.code for f in flags] == codes
    assert words in " ".join(f.message for f in flags)
