"""Every rule in the catalogue: one file that breaks it and a near-identical one that does not."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from domain.validation import FileRefused, detect_kind, validate
from domain.validation.identifiers import upn_check_letter
from domain.validation.rules import RULES
from tests.domain.validation.content_cases import CONTENT_CASES
from tests.domain.validation.xml_files import (
    CENSUS_NAME,
    CTF_NAME,
    CTF_TODAY,
    WORKFORCE_DAY,
    WORKFORCE_NAME,
    census_xml,
    contract,
    ctf_xml,
    member,
    pupil,
    upn,
    workforce_xml,
)


@dataclass(frozen=True)
class Spec:
    """One test file: its pupils (or staff, for a workforce return), header changes, upload name and
    validation options; for a census also changes to the school's characteristics, its classes and its pupils
    no longer on roll."""

    pupils: list[dict] | None = None
    staff: list[dict] | None = None
    header: dict = field(default_factory=dict)
    filename: str | None = None
    options: dict = field(default_factory=dict)
    school: dict = field(default_factory=dict)
    classes: list[dict] | None = None
    leavers: list[dict] | None = None


@dataclass(frozen=True)
class Case:
    rule: str
    kind: str
    bad: Spec
    good: Spec


def _upn_with_la(la: str) -> str:
    tail = f"{la}400119001"
    return upn_check_letter(tail) + tail


VALID = upn(1)
WRONG_CHECK = ("A" if VALID[0] != "A" else "B") + VALID[1:]
YEAR_10 = {"DOB": "2011-11-15", "NCyearActual": "10"}
TWO_SAME_UPN = [pupil(1), pupil(2, UPN=upn(1))]
TWINS_SAME_NAME = [pupil(1, Forename="Ruby"), pupil(2, Forename="Ruby")]
TEN_ONE_OFF = [pupil(i) for i in range(1, 10)] + [pupil(10, NCyearActual="9")]
ELEVEN_ONE_OFF = [pupil(i) for i in range(1, 11)] + [pupil(11, NCyearActual="9")]
STAFF_SAME_TRN = [member(1), member(2, TeacherNumber=member(1)["TeacherNumber"])]
STAFF_SAME_NI = [member(1), member(2, NINumber=member(1)["NINumber"])]
STAFF_ALIKE = [member(1, GivenNames="Ruby"), member(2, GivenNames="Ruby")]

CASES = [
    # census header
    Case("header-collection", "census", Spec(header={"Collection": "SW"}), Spec()),
    Case("header-term", "census", Spec(header={"Term": "WIN"}), Spec()),
    Case("100", "census", Spec(header={"ReferenceDate": "2026-10-08"}), Spec()),
    Case("header-school", "census", Spec(options={"school": "8734002"}), Spec(options={"school": "8734001"})),
    Case("header-source", "census", Spec(header={"LEA": "999"}), Spec()),
    Case("census-file-name", "census", Spec(filename="census return.xml"),
         Spec(filename="8734001_SC9_873LL26_002.xml")),
    Case("no-pupils", "census", Spec(pupils=[]), Spec()),
    Case("2010Q", "census", Spec(pupils=TEN_ONE_OFF), Spec(pupils=ELEVEN_ONE_OFF)),
    # pupil identifiers
    Case("1500", "census", Spec(pupils=[pupil(UPN=None)]), Spec()),
    Case("1510", "census", Spec(pupils=[pupil(UPN=WRONG_CHECK)]), Spec()),
    Case("1520", "census", Spec(pupils=TWO_SAME_UPN), Spec(pupils=[pupil(1), pupil(2)])),
    Case("1530", "census", Spec(pupils=[pupil(UPN=_upn_with_la("999"))]),
         Spec(pupils=[pupil(UPN=_upn_with_la("942"))])),
    Case("1540", "census", Spec(pupils=[pupil(UPN=VALID[:6] + "O" + VALID[7:])]), Spec()),
    Case("1550", "census", Spec(pupils=[pupil(UPN=VALID[:12] + "S")]), Spec(pupils=[pupil(UPN="G80120000101A")])),
    Case("1570", "census", Spec(pupils=[pupil(**YEAR_10)]),
         Spec(pupils=[pupil(**YEAR_10, UniqueLearnerNumber="1234567899")])),
    Case("1575", "census", Spec(pupils=[pupil(UniqueLearnerNumber="1234567890")]),
         Spec(pupils=[pupil(UniqueLearnerNumber="1234567899")])),
    Case("1578", "census", Spec(pupils=[pupil(1, UniqueLearnerNumber="4999999993"),
                                        pupil(2, UniqueLearnerNumber="4999999993")]),
         Spec(pupils=[pupil(1, UniqueLearnerNumber="4999999993"), pupil(2, UniqueLearnerNumber="5555555554")])),
    # personal details
    Case("1580", "census", Spec(pupils=[pupil(Surname="")]), Spec()),
    Case("1590", "census", Spec(pupils=[pupil(Forename=" ")]), Spec()),
    Case("1600", "census", Spec(pupils=[pupil(DOB="2014-02-30")]), Spec()),
    Case("1601Q", "census", Spec(options={"age_range": (4, 10)}), Spec(options={"age_range": (11, 16)})),
    Case("1610", "census", Spec(pupils=[pupil(Sex="X")]), Spec(pupils=[pupil(Sex=None, Gender="M")])),
    Case("1620Q", "census", Spec(pupils=TWINS_SAME_NAME), Spec(pupils=[pupil(1), pupil(2)])),
    Case("lrs-charset", "census", Spec(pupils=[pupil(Forename="Дмитрий")]),
         Spec(pupils=[pupil(Forename="Zoë", Surname="Ní Bhriain", MiddleNames="Łucja")])),
    Case("1860", "census", Spec(pupils=[pupil(EnrolStatus="Z")]), Spec(pupils=[pupil(EnrolStatus="S")])),
    Case("2000", "census", Spec(pupils=[pupil(NCyearActual="15")]), Spec(pupils=[pupil(NCyearActual="X")])),
    Case("2020Q", "census", Spec(pupils=[pupil(NCyearActual="8")]), Spec()),
    Case("2355Q", "census", Spec(pupils=[pupil(AddressLine1=None, AddressLine2=None, PostCode=None)]), Spec()),
    # CTF header and routing
    Case("ctf-document-name", "ctf", Spec(header={"DocumentName": "Transfer"}), Spec()),
    Case("ctf-version", "ctf", Spec(header={"CTFversion": "25.0"}), Spec(header={"CTFversion": "26.0"})),
    Case("ctf-datetime", "ctf", Spec(header={"DateTime": "02/03/2027 10:15"}), Spec()),
    Case("ctf-qualifier", "ctf", Spec(header={"DocumentQualifier": "some"}),
         Spec(header={"DocumentQualifier": "partial"})),
    Case("ctf-destination", "ctf", Spec(header={"DestLEA": "8X3"}), Spec(header={"DestEstab": "LLLL"},
                                                                          filename="8734001_CTF_873LLLL_001.xml")),
    Case("ctf-file-name", "ctf", Spec(filename="transfer (1).xml"), Spec()),
    Case("ctf-file-destination", "ctf", Spec(filename="8734001_CTF_8732003_001.xml"), Spec()),
    Case("ctf-lost-pupil", "ctf",
         Spec(pupils=[pupil(1), pupil(2)], header={"DestLEA": "XXX", "DestEstab": "XXXX"},
              filename="8734001_CTF_XXXXXXX_001.xml"),
         Spec(pupils=[pupil(1)], header={"DestLEA": "XXX", "DestEstab": "XXXX"},
              filename="8734001_CTF_XXXXXXX_001.xml")),
    Case("uln-postcode", "ctf", Spec(pupils=[pupil(PostCode=None)]),
         Spec(pupils=[pupil(PostCode=None, UniqueLearnerNumber="1234567899")])),
    # shared rules checked on CTFs too
    Case("header-school", "ctf", Spec(options={"school": "8734002"}), Spec(options={"school": "8734001"})),
    Case("header-source", "ctf", Spec(header={"SourceEstab": "40A1"}), Spec(header={"SourceEstab": "LLLL"},
                                                                           filename="873LLLL_CTF_8732002_001.xml")),
    Case("1510", "ctf", Spec(pupils=[pupil(UPN=WRONG_CHECK)]), Spec()),
    Case("1610", "ctf", Spec(pupils=[pupil(Sex=None)]), Spec(pupils=[pupil(Sex=None, Gender="F")])),
    Case("1620Q", "ctf", Spec(pupils=TWINS_SAME_NAME), Spec(pupils=[pupil(1), pupil(2)])),
    Case("no-pupils", "ctf", Spec(pupils=[]), Spec()),
    # School Workforce Census: header (shared with the census header) and file
    Case("7000", "workforce", Spec(header={"Collection": "SC"}), Spec()),
    Case("7010", "workforce", Spec(header={"ReferenceDate": "2026-10-01"}), Spec()),
    Case("header-school", "workforce", Spec(options={"school": "8734002"}), Spec(options={"school": "8734001"})),
    Case("header-source", "workforce", Spec(header={"Estab": "40"}), Spec()),
    Case("7020Q", "workforce", Spec(staff=[]), Spec()),
    # staff identifiers
    Case("7100", "workforce", Spec(staff=[member(TeacherNumber="123456")]),
         Spec(staff=[member(TeacherNumber="0123456")])),
    Case("7105Q", "workforce", Spec(staff=[member(TeacherNumber=None)]),
         Spec(staff=[member(TeacherNumber=None, contracts=[contract(Post="TAS", roles=["TASS"])])])),
    Case("7110", "workforce", Spec(staff=STAFF_SAME_TRN), Spec(staff=[member(1), member(2)])),
    Case("7120", "workforce", Spec(staff=[member(NINumber=" ")]), Spec()),
    Case("7125", "workforce", Spec(staff=[member(NINumber="AB 12 34 56 C")]),
         Spec(staff=[member(NINumber="AB123456D")])),
    Case("7130", "workforce", Spec(staff=[member(NINumber="QQ123456C")]), Spec(staff=[member(NINumber="CE123456A")])),
    Case("7135", "workforce", Spec(staff=STAFF_SAME_NI), Spec(staff=[member(1), member(2)])),
    # staff personal details
    Case("7140", "workforce", Spec(staff=[member(FamilyName="")]), Spec()),
    Case("7145", "workforce", Spec(staff=[member(GivenNames=None)]), Spec()),
    Case("7150", "workforce", Spec(staff=[member(DOB="1985-02-30")]), Spec()),
    Case("7155", "workforce", Spec(staff=[member(DOB="2010-11-06")]), Spec(staff=[member(DOB="2010-11-05")])),
    Case("7160", "workforce", Spec(staff=[member(Sex="U")]), Spec(staff=[member(Sex=None, Gender="M")])),
    Case("7170Q", "workforce", Spec(staff=STAFF_ALIKE), Spec(staff=[member(1), member(2)])),
    # contracts
    Case("7200", "workforce", Spec(staff=[member(contracts=[])]), Spec()),
    Case("7210", "workforce", Spec(staff=[member(contracts=[contract(StartDate=None)])]), Spec()),
    Case("7220", "workforce", Spec(staff=[member(contracts=[contract(EndDate="31/08/2027")])]),
         Spec(staff=[member(contracts=[contract(EndDate="2027-08-31")])])),
    Case("7230", "workforce", Spec(staff=[member(contracts=[contract(EndDate="2015-08-31")])]),
         Spec(staff=[member(contracts=[contract(EndDate="2015-09-01")])])),
    Case("7240Q", "workforce", Spec(staff=[member(contracts=[contract(StartDate="2026-11-06")])]),
         Spec(staff=[member(contracts=[contract(StartDate="2026-11-05")])])),
    Case("7250", "workforce", Spec(staff=[member(contracts=[contract(Post="")])]), Spec()),
    Case("7255Q", "workforce", Spec(staff=[member(contracts=[contract(Post="TEACH")])]), Spec()),
    Case("7260", "workforce", Spec(staff=[member(contracts=[contract(roles=[])])]), Spec()),
    Case("7265Q", "workforce", Spec(staff=[member(contracts=[contract(roles=["TCHR", "XYZ1"])])]),
         Spec(staff=[member(contracts=[contract(roles=["TCHR", "SENC"])])])),
    # School Census content: tests/domain/validation/content_cases.py
    *(Case(rule, "census", Spec(**bad), Spec(**good)) for rule, bad, good in CONTENT_CASES),
]


def run(tmp_path, kind: str, spec: Spec):
    """Validate the file ``spec`` describes and return the report."""
    if kind == "workforce":
        text = workforce_xml(spec.staff, **spec.header)
    elif kind == "census":
        text = census_xml(spec.pupils, school_changes=spec.school, classes=spec.classes, leavers=spec.leavers,
                          **spec.header)
    else:
        text = ctf_xml(spec.pupils, **spec.header)
    path = tmp_path / "upload.xml"
    path.write_text(text, encoding="utf-8")
    options = dict(spec.options)
    if kind == "ctf":
        options.setdefault("today", CTF_TODAY)
    default_name = {"census": CENSUS_NAME, "ctf": CTF_NAME, "workforce": WORKFORCE_NAME}[kind]
    return validate(path, kind, filename=spec.filename or default_name, **options)


def _id(case: Case) -> str:
    return f"{case.kind}-{case.rule}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_rule_fires_on_a_file_that_breaks_it(tmp_path, case):
    report = run(tmp_path, case.kind, case.bad)
    found = [f for f in report.findings if f.rule == case.rule]
    assert found, f"{case.rule} not found; got {[f.rule for f in report.findings]}"
    rule = RULES[case.rule]
    assert all(f.severity == rule.severity and f.scope == rule.scope for f in found)
    assert all(f.message and f.fix for f in found)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_rule_stays_quiet_on_a_file_that_keeps_it(tmp_path, case):
    report = run(tmp_path, case.kind, case.good)
    assert case.rule not in {f.rule for f in report.findings}


def test_every_rule_in_the_catalogue_has_a_case():
    assert {case.rule for case in CASES} == set(RULES)


@pytest.mark.parametrize("kind", ["census", "ctf", "workforce"])
def test_a_clean_file_has_no_findings(tmp_path, kind):
    report = run(tmp_path, kind, Spec(pupils=[pupil(i) for i in range(1, 6)], staff=[member(i) for i in range(1, 6)]))
    assert report.findings == []
    assert report.pupils == 5


def test_census_day_override_replaces_the_computed_day(tmp_path):
    moved = dt.date(2026, 10, 8)
    on_moved_day = run(tmp_path, "census", Spec(header={"ReferenceDate": "2026-10-08"}, options={"census_day": moved}))
    on_usual_day = run(tmp_path, "census", Spec(options={"census_day": moved}))
    assert "100" not in {f.rule for f in on_moved_day.findings}
    assert "100" in {f.rule for f in on_usual_day.findings}


def test_duplicate_upn_is_reported_on_both_pupils(tmp_path):
    report = run(tmp_path, "census", Spec(pupils=TWO_SAME_UPN))
    assert sorted(f.pupil for f in report.findings if f.rule == "1520") == [1, 2]


def test_each_pupil_sharing_a_upn_is_flagged_once_naming_the_others(tmp_path):
    pupils = [pupil(i, UPN=upn(1)) for i in range(1, 7)]
    report = run(tmp_path, "census", Spec(pupils=pupils))
    found = [f for f in report.findings if f.rule == "1520"]
    assert [f.pupil for f in found] == [1, 2, 3, 4, 5, 6]
    assert "pupil 2 (Isla Smith" in found[0].message and "and 2 more" in found[0].message


def test_findings_name_the_pupil_field_and_value(tmp_path):
    report = run(tmp_path, "census", Spec(pupils=[pupil(1), pupil(2, UPN=WRONG_CHECK, Forename="Ruby")]))
    (finding,) = report.findings
    assert (finding.rule, finding.pupil, finding.upn, finding.name) == ("1510", 2, WRONG_CHECK, "Ruby Smith")
    assert (finding.field, finding.value) == ("UPN", WRONG_CHECK)
    assert WRONG_CHECK in finding.message and VALID[0] in finding.message


def test_temporary_and_old_la_upns_are_accepted(tmp_path):
    upns = ["G80120000101A", "Y801200001022", "Z801200001013", _upn_with_la("838"), _upn_with_la("943")]
    report = run(tmp_path, "census", Spec(pupils=[pupil(i, UPN=u) for i, u in enumerate(upns, start=1)]))
    assert not [f for f in report.findings if f.rule.startswith("15")]


def test_staff_sharing_a_trn_are_each_flagged_naming_the_other(tmp_path):
    report = run(tmp_path, "workforce", Spec(staff=STAFF_SAME_TRN))
    found = [f for f in report.findings if f.rule == "7110"]
    assert [f.pupil for f in found] == [1, 2]
    assert "staff member 2 (Isla Jones)" in found[0].message and "staff member 1 (Olivia Jones)" in found[1].message


def test_a_workforce_finding_names_the_staff_member_by_trn_or_else_ni_number(tmp_path):
    support = [contract(Post="TAS", roles=["TASS"])]
    staff = [member(1, Sex="X"), member(2, TeacherNumber=None, Sex="X", contracts=support)]
    report = run(tmp_path, "workforce", Spec(staff=staff))
    assert [(f.rule, f.pupil, f.upn, f.name) for f in report.findings] == [
        ("7160", 1, "1000001", "Olivia Jones"), ("7160", 2, "AB100002C", "Isla Jones")]


def test_the_workforce_summary_counts_staff_by_post_and_sex_with_ages_on_census_day(tmp_path):
    staff = [member(1), member(2, Sex="M", DOB="1960-01-01", contracts=[contract(Post="HDT", roles=["HDTR"])]),
             member(3, contracts=[contract(Post="TAS", roles=["TASS"], EndDate="2020-07-31"),
                                  contract(Post="TCH", StartDate="2020-09-01")])]
    report = run(tmp_path, "workforce", Spec(staff=staff))
    assert report.summary.by_year_and_sex == {"HDT": {"M": 1}, "TCH": {"F": 2}}
    assert (report.summary.age_on, report.summary.min_age, report.summary.max_age) == (WORKFORCE_DAY, 41, 66)


def test_census_and_workforce_returns_share_a_root_and_are_told_apart_by_what_follows_the_header(tmp_path):
    census, workforce = tmp_path / CENSUS_NAME, tmp_path / WORKFORCE_NAME
    census.write_text(census_xml(), encoding="utf-8")
    workforce.write_text(workforce_xml(), encoding="utf-8")
    assert (detect_kind(census), detect_kind(workforce)) == ("census", "workforce")
    assert validate(workforce).kind == "workforce"
    with pytest.raises(FileRefused, match="This file is a School Workforce Census return, not a School Census"):
        validate(workforce, "census")
    with pytest.raises(FileRefused, match="This file is a School Census return, not a School Workforce Census"):
        validate(census, "workforce")
