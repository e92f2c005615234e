"""Small census, workforce and CTF files for rule tests, built from dicts so each test states only what
differs from a clean file. A value of None leaves the element out."""
from __future__ import annotations

import datetime as dt
import importlib.util
import sys
import threading
from pathlib import Path
from xml.sax.saxutils import escape

from domain.validation.identifiers import generate_upn

ROOT = Path(__file__).resolve().parents[3]
CENSUS_DAY = dt.date(2026, 10, 1)  # first Thursday in October 2026
CTF_TODAY = dt.date(2027, 3, 2)  # academic year 2026/27: CTF versions 27.0 and 26.0
CENSUS_NAME = "8734001_SC3_873LL26_001.XML"
CTF_NAME = "8734001_CTF_8732002_001.xml"
FORENAMES = ("Amelia", "Olivia", "Isla", "Freya", "Grace", "Ruby", "Evie", "Lily", "Maja", "Noor", "Priya", "Zainab")


def upn(serial: int, year: int = 2019) -> str:
    """A valid UPN issued by school 873/4001."""
    return generate_upn("873", "4001", year, serial)


def _el(name: str, value: str | None) -> str:
    return "" if value is None else f"<{name}>{escape(value)}</{name}>"


ETHNICITIES = ("WBRI", "WOTH", "APKN", "BAFR", "MWBC", "WBRI", "AIND")


def pupil(serial: int = 1, **changes: object) -> dict:
    """A clean Year 7 pupil on census day 2026-10-01, who joined in September 2026 (so no attendance is due
    for the summer term before), with every other section of the census: characteristics, status, SEN.
    ``changes`` override fields (element names; lists of dicts for ``FSMperiod``, ``SENneed``,
    ``TermlyExclusion``; a dict for ``TermlyAttendance`` and ``SummerHalfTerm2Attendance``)."""
    fields: dict = {
        "UPN": upn(serial), "UniqueLearnerNumber": None, "Surname": "Smith",
        "Forename": FORENAMES[serial % len(FORENAMES)],
        "MiddleNames": "Rose", "Sex": "F", "DOB": "2014-11-15", "EnrolStatus": "C", "NCyearActual": "7",
        "AddressLine1": "1 Mill Lane", "AddressLine2": "Ashbury", "PostCode": "CB1 2AB",
        "Ethnicity": ETHNICITIES[serial % len(ETHNICITIES)], "Language": "ENG", "ServiceChild": "N", "PLAA": "N",
        "EntryDate": "2026-09-03", "PartTime": "0", "Boarder": "N", "TopUpFunding": "0", "SENprovision": "N",
    }
    fields.update(changes)
    return fields


def census_header(**changes: str | None) -> dict[str, str | None]:
    """Header values of a clean autumn 2026 return from school 873/4001."""
    header: dict[str, str | None] = {"Collection": "SC", "Term": "AUT", "Year": "2026",
                                     "ReferenceDate": CENSUS_DAY.isoformat(), "LEA": "873", "Estab": "4001"}
    header.update(changes)
    return header


def school(**changes: str | None) -> dict:
    """The characteristics of clean secondary school 873/4001 (years 7 to 11)."""
    fields = {"SchoolName": "Test School", "Phase": "SS", "SchoolType": "01", "LowestNCyearGroup": "7",
              "HighestNCyearGroup": "11", "Intake": "COMP", "Governance": "CO", "Accommodation": "D",
              "Email": "office@example.sch.uk", "PhoneNo": "01632 960123"}
    fields.update(changes)
    return fields


def census_xml(pupils: list[dict] | None = None, *, school_changes: dict | None = None,
               classes: list[dict] | None = None, leavers: list[dict] | None = None,
               **header_changes: str | None) -> str:
    """A School Census return as text (one clean pupil unless ``pupils`` is given), written by the project's
    generator (tools/make_fixtures.py). ``school_changes`` change the school's characteristics
    (``{"SchoolCharacteristics": None}`` leaves them out); ``classes`` and ``leavers`` are written as given."""
    h = census_header(**header_changes)
    pupils = [pupil()] if pupils is None else pupils
    writer = make_fixtures_module()
    changes = dict(school_changes or {})
    characteristics = None if "SchoolCharacteristics" in changes else school(**changes)
    rows = "\n".join(writer.census_pupil_xml(p) for p in pupils)
    gone = "\n".join(writer.census_pupil_xml(p, "PupilNoLongerOnRoll") for p in leavers or [])
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Message><Header><CollectionDetails>'
            + _el("Collection", h["Collection"]) + _el("Term", h["Term"]) + _el("Year", h["Year"])
            + _el("ReferenceDate", h["ReferenceDate"]) + "</CollectionDetails><Source>"
            + "<SourceLevel>S</SourceLevel>" + _el("LEA", h["LEA"]) + _el("Estab", h["Estab"])
            + "</Source></Header>" + writer.school_xml(characteristics, classes)
            + "<Pupils><PupilsOnRoll>" + rows + "</PupilsOnRoll><PupilsNoLongerOnRoll>" + gone
            + "</PupilsNoLongerOnRoll></Pupils></Message>\n")


def ctf_header(**changes: str | None) -> dict[str, str | None]:
    """Header values of a clean CTF from 873/4001 to 873/2002 in academic year 2026/27."""
    header: dict[str, str | None] = {
        "DocumentName": "Common Transfer File", "CTFversion": "27.0", "DateTime": "2027-03-02T10:15:00",
        "DocumentQualifier": "full", "SourceLEA": "873", "SourceEstab": "4001", "DestLEA": "873", "DestEstab": "2002",
    }
    header.update(changes)
    return header


def ctf_xml(pupils: list[dict] | None = None, **header_changes: str | None) -> str:
    """A CTF as text (one clean pupil unless ``pupils`` is given)."""
    h = ctf_header(**header_changes)
    pupils = [pupil()] if pupils is None else pupils
    rows = []
    for p in pupils:
        ids = "".join(_el(k, p.get(k)) for k in ("UPN", "UniqueLearnerNumber", "Surname", "Forename", "DOB",
                                                 "Sex", "Gender"))
        basic = _el("MiddleNames", p.get("MiddleNames")) + _el("NCyearActual", p.get("NCyearActual"))
        rows.append(f"<Pupil>{ids}<BasicDetails>{basic}</BasicDetails>{make_fixtures_module().address_lines_xml(p)}</Pupil>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<CTfile><Header>'
            + _el("DocumentName", h["DocumentName"]) + _el("CTFversion", h["CTFversion"])
            + _el("DateTime", h["DateTime"]) + _el("DocumentQualifier", h["DocumentQualifier"])
            + "<SupplierID>Test MIS</SupplierID><SourceSchool>" + _el("LEA", h["SourceLEA"])
            + _el("Estab", h["SourceEstab"]) + "<SchoolName>Test School</SchoolName></SourceSchool><DestSchool>"
            + _el("LEA", h["DestLEA"]) + _el("Estab", h["DestEstab"]) + "</DestSchool></Header><CTFpupilData>"
            + "\n".join(rows) + "</CTFpupilData></CTfile>\n")


_LOADING = threading.Lock()
_LOADED: dict = {}


def make_fixtures_module():
    """The project's fixture generator (tools/make_fixtures.py), loaded once as a module (under a lock: threads of
    the reliability suite build files at once, and must never see it half loaded)."""
    with _LOADING:
        if "make_fixtures" not in _LOADED:
            spec = importlib.util.spec_from_file_location("make_fixtures", ROOT / "tools" / "make_fixtures.py")
            module = importlib.util.module_from_spec(spec)
            sys.modules["make_fixtures"] = module  # its dataclasses look themselves up there as it runs
            spec.loader.exec_module(module)
            _LOADED["make_fixtures"] = module
        return _LOADED["make_fixtures"]


def make_fixtures_main(argv: list[str]) -> None:
    """Run the project's fixture generator (tools/make_fixtures.py) in this process."""
    make_fixtures_module().main(argv)


WORKFORCE_DAY = dt.date(2026, 11, 5)  # first Thursday in November 2026
WORKFORCE_NAME = "8734001_SWF_873LL26_001.XML"


def member(serial: int = 1, **changes: str | None) -> dict:
    """A clean member of staff at 873/4001 on census day 2026-11-05: a classroom teacher on one open-ended
    contract. ``changes`` override fields; ``contracts`` (a list of dicts with ContractType, StartDate,
    EndDate, Post and roles) replaces the contract."""
    fields: dict = {
        "TeacherNumber": f"{1000000 + serial}", "FamilyName": "Jones", "GivenNames": FORENAMES[serial % len(FORENAMES)],
        "NINumber": f"AB{100000 + serial:06d}C", "Sex": "F", "DOB": "1985-06-15",
        "contracts": [contract()],
    }
    fields.update(changes)
    return fields


def contract(**changes) -> dict:
    """A clean open-ended classroom teacher's contract that began in September 2015."""
    fields: dict = {"ContractType": "PRM", "StartDate": "2015-09-01", "EndDate": None, "Post": "TCH",
                    "roles": ["TCHR"]}
    fields.update(changes)
    return fields


def workforce_header(**changes: str | None) -> dict[str, str | None]:
    """Header values of a clean 2026 School Workforce Census return from school 873/4001."""
    header: dict[str, str | None] = {"Collection": "SWF", "Year": "2026", "ReferenceDate": WORKFORCE_DAY.isoformat(),
                                     "LEA": "873", "Estab": "4001"}
    header.update(changes)
    return header


def _contract_xml(c: dict) -> str:
    roles = "".join(f"<Role>{_el('RoleIdentifier', r)}</Role>" for r in c.get("roles", []))
    return ("<Contract>" + "".join(_el(k, c.get(k)) for k in ("ContractType", "StartDate", "EndDate", "Post"))
            + (f"<Roles>{roles}</Roles>" if roles else "") + "</Contract>")


def workforce_xml(staff: list[dict] | None = None, **header_changes: str | None) -> str:
    """A School Workforce Census return as text (one clean member of staff unless ``staff`` is given)."""
    h = workforce_header(**header_changes)
    staff = [member()] if staff is None else staff
    rows = []
    for m in staff:
        details = "".join(_el(k, m.get(k)) for k in ("TeacherNumber", "FamilyName", "GivenNames", "NINumber", "Sex",
                                                     "Gender", "DOB"))
        contracts = "".join(_contract_xml(c) for c in m["contracts"])
        rows.append(f"<SchoolWorkforceMember><StaffDetails>{details}</StaffDetails>"
                    f"<Contracts>{contracts}</Contracts></SchoolWorkforceMember>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Message><Header><CollectionDetails>'
            + _el("Collection", h["Collection"]) + _el("Year", h["Year"])
            + _el("ReferenceDate", h["ReferenceDate"]) + "</CollectionDetails><Source>"
            + "<SourceLevel>S</SourceLevel>" + _el("LEA", h["LEA"]) + _el("Estab", h["Estab"])
            + "</Source></Header><SchoolWorkforceMembers>" + "\n".join(rows)
            + "</SchoolWorkforceMembers></Message>\n")
