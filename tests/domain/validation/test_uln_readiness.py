"""ULN readiness: the pupils who need a ULN and the LRS exception each request would raise."""
from __future__ import annotations

import datetime as dt

from domain.validation.uln_readiness import lrs_exceptions, needs_uln, uln_readiness

DAY = dt.date(2026, 10, 1)
READY = {"position": 1, "upn": "H801200001001", "uln": None, "surname": "Smith", "forename": "Amelia",
         "middle_names": None, "dob": "2011-11-15", "sex": "F", "nc_year": "10", "postcode": "CB1 2AB"}


def test_who_needs_a_uln():
    assert needs_uln(READY, DAY)
    assert not needs_uln({**READY, "uln": "1234567899"}, DAY)
    assert needs_uln({**READY, "nc_year": "9", "dob": "2013-01-01"}, DAY)  # Year 9, aged 13
    assert not needs_uln({**READY, "nc_year": "8", "dob": "2013-01-01"}, DAY)
    assert needs_uln({**READY, "nc_year": "X", "dob": "2012-09-30"}, DAY)  # 14 on census day


def test_each_lrs_exception():
    assert lrs_exceptions(READY, DAY) == []
    assert lrs_exceptions({**READY, "forename": " "}, DAY) == ["RC006"]
    assert lrs_exceptions({**READY, "sex": None}, DAY) == ["RC006"]
    assert lrs_exceptions({**READY, "postcode": ""}, DAY) == ["RC010"]
    assert lrs_exceptions({**READY, "surname": "Дмитриев"}, DAY) == ["RC011"]
    assert lrs_exceptions({**READY, "surname": "Ní Bhriain", "forename": "Zoë"}, DAY) == []
    assert lrs_exceptions({**READY, "dob": "15/11/2011"}, DAY) == ["RC011"]
    assert lrs_exceptions({**READY, "sex": "X"}, DAY) == ["RC011"]
    assert lrs_exceptions({**READY, "nc_year": "9", "dob": "2014-01-01"}, DAY) == ["RC013"]
    assert lrs_exceptions({**READY, "dob": "1900-01-01"}, DAY) == ["RC013"]


def test_rows_name_the_pupil_and_the_reasons():
    pupils = [READY, {**READY, "position": 2, "uln": "1234567899"},
              {**READY, "position": 3, "postcode": None, "surname": "李"}]
    rows = uln_readiness(pupils, DAY)
    assert [(r["position"], r["exceptions"]) for r in rows] == [(1, []), (3, ["RC010", "RC011"])]
    assert rows[0]["name"] == "Amelia Smith" and rows[0]["age"] == 14 and rows[1]["reasons"][0] == "no postcode"
