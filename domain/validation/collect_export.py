"""A School Census return as the tables COLLECT's "Export to file" writes: one table per entity, lower-cased
element names as columns, and in front of them the table's id column (``<table>tableid``), ``NativeId``, the
order column (``<table>orderseqcolumn``: the row's place among its parent's rows), ``sourceid`` (the school's
DfE number) and the parent's id column (``schoolcensustableid``, ``schooltableid`` or ``pupilonrolltableid``).
Tables and columns follow the public school census schema files of SocialFinanceDigitalLabs/liia-tools (the
layout LA pipelines read), with Gatehouse's element names where they differ.

``collect_rows(source)`` streams the file with the validator's safe parser (one pupil in memory at a time) and
yields ``(table, values)`` with values in ``TABLES[table]`` column order. Raises FileRefused as the validator does.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from typing import BinaryIO

from domain.validation.census_records import read_content
from domain.validation.records import flatten_paths
from domain.validation.safe_xml import DEFAULT_MAX_BYTES, open_xml

_HEADER = ("Collection", "Term", "Year", "ReferenceDate", "SourceLevel", "LEA", "Estab", "SoftwareCode", "Release",
           "SerialNo", "DateTime")
_SCHOOL = ("SchoolName", "Phase", "SchoolType", "LowestNCyearGroup", "HighestNCyearGroup", "Intake", "Governance",
           "Accommodation", "Email", "PhoneNo")
_CLASS = ("ClassName", "YearGroup", "KeyStage", "ClassActivity", "Teachers", "NonTeachers", "HomePupils",
          "GuestPupils")
_IDENTIFIERS = ("UPN", "UniqueLearnerNumber", "FormerUPN", "Surname", "Forename", "MiddleNames", "PreferredSurname",
                "Sex", "Gender", "DOB")
_SESSIONS = ("SessionsPossible", "SessionsAuthorised", "SessionsUnauthorised", "SessionsEducational",
             "SessionsExceptional")
#: Pupil columns: element names, and attendance totals as ``<block prefix><element>`` (termlysessionspossible).
_PUPIL = (*_IDENTIFIERS, "Ethnicity", "Language", "ServiceChild", "PLAA", "YSSA", "EnrolStatus", "EntryDate",
          "NCyearActual", "PartTime", "Boarder", "ClassType", "TopUpFunding", "SchoolLunchTaken", "SENprovision",
          "SENunitIndicator", "ResourcedProvisionIndicator", "FundedHours", "HoursAtSetting", "ExtendedHours",
          "ThirtyHourCode", "DAFindicator", "EYPPR", "EYPPBF",
          *(f"Termly{s}" for s in _SESSIONS), *(f"SummerHalfTerm2{s}" for s in _SESSIONS))
_LEAVER = (*_IDENTIFIERS, "Ethnicity", "Language", "EntryDate", "LeavingDate", "NCyearActual", "PartTime", "Boarder",
           *(f"Termly{s}" for s in _SESSIONS), *(f"SummerHalfTerm2{s}" for s in _SESSIONS))
_ADDRESS = ("PostCode", "SAON", "PAON", "Street", "Locality", "Town", "AdministrativeArea", "PostTown",
            "AddressLine1", "AddressLine2", "AddressLine3", "AddressLine4", "AddressLine5")
_EXCLUSION = ("Category", "Reason1", "Reason2", "Reason3", "StartDate", "Sessions", "SENprovision")
_BLOCKS = (("TermlyAttendance", "Termly"), ("SummerHalfTerm2Attendance", "SummerHalfTerm2"))

#: Each table: (parent table, element names of its columns after the id columns).
LAYOUT: dict[str, tuple[str, tuple[str, ...]]] = {
    "schoolcensus": ("", _HEADER),
    "school": ("schoolcensus", _SCHOOL),
    "classes": ("school", _CLASS),
    "pupilonroll": ("schoolcensus", _PUPIL),
    "addressesonroll": ("pupilonroll", _ADDRESS),
    "fsmperiodsonroll": ("pupilonroll", ("FSMstartDate", "FSMendDate", "UKcountry")),
    "senneedsonroll": ("pupilonroll", ("SENtypeRank", "SENtype")),
    "learnersupportonroll": ("pupilonroll", ("SupportCode",)),
    "fundingbasisonroll": ("pupilonroll", ("FundingBasis",)),
    "termlysessiondetailsonroll": ("pupilonroll", ("AttendanceReason", "Sessions")),
    "summerhalfterm2sessiondetailsonroll": ("pupilonroll", ("AttendanceReason", "Sessions")),
    "exclusionsonroll": ("pupilonroll", _EXCLUSION),
    "pupilnolongeronroll": ("schoolcensus", _LEAVER),
    "termlysessiondetailsoffroll": ("pupilnolongeronroll", ("AttendanceReason", "Sessions")),
    "summerhalfterm2sessiondetailsoffroll": ("pupilnolongeronroll", ("AttendanceReason", "Sessions")),
    "exclusionsoffroll": ("pupilnolongeronroll", _EXCLUSION),
}
#: Each table's CSV header: id columns, then the lower-cased element names.
TABLES: dict[str, tuple[str, ...]] = {
    table: (f"{table}tableid", "NativeId", f"{table}orderseqcolumn", "sourceid",
            *((f"{parent}tableid",) if parent else ()), *(name.lower() for name in names))
    for table, (parent, names) in LAYOUT.items()
}
_TAGS = ("Header", "School", "PupilOnRoll", "PupilNoLongerOnRoll")


class _Ids:
    """Running row ids per table."""

    def __init__(self, source_id: str):
        self.source_id = source_id
        self.last: dict[str, int] = {}

    def row(self, table: str, order: int, parent_id: int | None, values: dict) -> tuple[int, list]:
        """The next row of ``table``: its id and its values in column order."""
        row_id = self.last[table] = self.last.get(table, 0) + 1
        parent, names = LAYOUT[table]
        ids = [row_id, row_id, order, self.source_id, *((parent_id,) if parent else ())]
        return row_id, ids + [values.get(name) for name in names]


def _children(ids: _Ids, table: str, parent_id: int, records) -> Iterator[tuple[str, list]]:
    for order, record in enumerate(records or (), start=1):
        yield table, ids.row(table, order, parent_id, record)[1]


def _pupil_rows(ids: _Ids, fields: dict, census_id: int, order: int, on_roll: bool) -> Iterator[tuple[str, list]]:
    """A pupil's row and the rows of its child tables."""
    suffix = "onroll" if on_roll else "offroll"
    values = dict(fields)
    for block_name, prefix in _BLOCKS:
        block = (fields.get(block_name) or [{}])[0]
        values.update({f"{prefix}{s}": block.get(s) for s in _SESSIONS})
    table = "pupilonroll" if on_roll else "pupilnolongeronroll"
    pupil_id, row = ids.row(table, order, census_id, values)
    yield table, row
    if on_roll:
        if any(fields.get(name) for name in _ADDRESS) or "Address" in fields:
            yield "addressesonroll", ids.row("addressesonroll", 1, pupil_id, fields)[1]
        yield from _children(ids, "fsmperiodsonroll", pupil_id, fields.get("FSMperiod"))
        yield from _children(ids, "senneedsonroll", pupil_id, fields.get("SENneed"))
        yield from _children(ids, "learnersupportonroll", pupil_id,
                             [{"SupportCode": c} for c in fields.get("SupportCode", ())])
        yield from _children(ids, "fundingbasisonroll", pupil_id,
                             [{"FundingBasis": b} for b in fields.get("FundingBasis", ())])
    for block_name, prefix in _BLOCKS:
        block = (fields.get(block_name) or [{}])[0]
        yield from _children(ids, f"{prefix.lower()}sessiondetails{suffix}", pupil_id, block.get("SessionDetail"))
    exclusions = [{**x, **{f"Reason{i}": r for i, r in enumerate(x.get("Reason", [])[:3], start=1)}}
                  for x in fields.get("TermlyExclusion", ())]
    yield from _children(ids, f"exclusions{suffix}", pupil_id, exclusions)


def collect_rows(source: str | os.PathLike | BinaryIO, *,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[tuple[str, list]]:
    """Every row of every table of the census ``source``, as ``(table, values)``, in file order. Raises
    FileRefused if the file is unsafe or not XML."""
    ids: _Ids | None = None
    census_id = school_id = 0
    pupils = leavers = 0
    with open_xml(source, max_bytes=max_bytes) as xml:
        for element in xml.records(_TAGS):
            tag = element.tag
            if tag == "Header":
                values = {path.rsplit("/", 1)[-1]: text for path, text in flatten_paths(element).items()}
                ids = _Ids(f"{values.get('LEA', '')}{values.get('Estab', '')}")
                census_id, row = ids.row("schoolcensus", 1, None, values)
                yield "schoolcensus", row
                continue
            if ids is None:
                ids = _Ids("")
                census_id = ids.row("schoolcensus", 1, None, {})[0]
            fields = read_content(element)
            if tag == "School":
                school_id, row = ids.row("school", 1, census_id, fields)
                yield "school", row
                yield from _children(ids, "classes", school_id, fields.get("Class"))
            elif tag == "PupilOnRoll":
                pupils += 1
                yield from _pupil_rows(ids, fields, census_id, pupils, on_roll=True)
            else:
                leavers += 1
                yield from _pupil_rows(ids, fields, census_id, leavers, on_roll=False)
