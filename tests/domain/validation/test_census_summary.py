"""The school summary of a School Census return: figures counted while validating, rows with the change since a
previous return and large moves marked."""
from __future__ import annotations

from domain.validation import validate
from domain.validation.census_summary import summary_rows
from tests.domain.validation.content_cases import SENE, SENK, block, fsm
from tests.domain.validation.xml_files import census_xml, pupil


def _figures(tmp_path, pupils) -> dict:
    path = tmp_path / "8734001_SC3_873LL26_001.XML"
    path.write_text(census_xml(pupils), encoding="utf-8")
    return validate(path).summary.figures


def test_figures_count_fsm_sen_language_ethnicity_attendance_and_exclusions(tmp_path):
    attending = {"NCyearActual": "8", "DOB": "2013-11-15", "EntryDate": "2025-09-03",
                 "TermlyAttendance": block(), "SummerHalfTerm2Attendance": block(SessionsPossible="66")}
    pupils = [pupil(1, FSMperiod=fsm(), Language="POL", Ethnicity="WBRI"),
              pupil(2, **SENK, Ethnicity="APKN"), pupil(3, **SENE, Ethnicity="NOBT"),
              pupil(4, **attending, TermlyExclusion=[{"Category": "SUSP", "Reason": ["PP"], "StartDate": "2026-02-02",
                                                      "Sessions": "2", "SENprovision": "N"}], Ethnicity="BAFR")]
    figures = _figures(tmp_path, pupils)
    assert {k: figures[k] for k in ("pupils", "fsm", "sen_support", "ehc_plan", "eal", "suspensions",
                                    "permanent_exclusions", "leavers")} == {
        "pupils": 4, "fsm": 1, "sen_support": 1, "ehc_plan": 1, "eal": 1, "suspensions": 1,
        "permanent_exclusions": 0, "leavers": 0}
    assert figures["ethnic_groups"] == {"White": 1, "Mixed": 0, "Asian": 1, "Black": 1, "Chinese": 0, "Other": 0,
                                        "Not obtained or refused": 1}
    assert (figures["sessions_possible"], figures["sessions_authorised"], figures["sessions_unauthorised"]) == (
        130, 4, 1)


def test_rows_without_a_previous_return_have_no_change():
    rows = summary_rows({"pupils": 200, "fsm": 50, "sen_support": 20, "ehc_plan": 4, "eal": 10,
                         "ethnic_groups": {"White": 150}, "sessions_possible": 1000, "sessions_authorised": 40,
                         "sessions_unauthorised": 10, "suspensions": 2, "permanent_exclusions": 0, "leavers": 3})
    by_label = {r["label"]: r for r in rows}
    assert by_label["Pupils on roll"]["value"] == "200"
    assert by_label["Free school meals on census day"]["value"] == "25.0%"
    assert by_label["Overall absence (of sessions possible)"]["value"] == "5.0%"
    assert by_label["Ethnic group: White"]["value"] == "75.0%"
    assert all(r["previous"] == "" and r["change"] == "" and not r["large"] for r in rows)
    assert [r["label"] for r in rows][:2] == ["Pupils on roll", "Free school meals on census day"]


def test_large_moves_are_marked():
    before = {"pupils": 200, "fsm": 40, "sen_support": 20, "ehc_plan": 4, "eal": 10, "sessions_possible": 0}
    now = {"pupils": 230, "fsm": 70, "sen_support": 22, "ehc_plan": 4, "eal": 10, "sessions_possible": 100,
           "sessions_authorised": 5}
    by_label = {r["label"]: r for r in summary_rows(now, before)}
    roll = by_label["Pupils on roll"]
    assert (roll["previous"], roll["change"], roll["large"]) == ("200", "+30 (+15%)", True)
    fsm_row = by_label["Free school meals on census day"]
    assert (fsm_row["value"], fsm_row["previous"], fsm_row["large"]) == ("30.4%", "20.0%", True)
    assert fsm_row["change"] == "+10.4 points"
    assert not by_label["SEN support"]["large"]  # 9.6% from 10.0%
    assert by_label["Authorised absence"]["previous"] == ""  # no sessions before: nothing to compare
    small = {r["label"]: r for r in summary_rows({**before, "pupils": 215}, before)}
    assert not small["Pupils on roll"]["large"]


def test_not_a_census_has_no_rows():
    assert summary_rows({}) == [] and summary_rows(None, {"pupils": 3}) == []
