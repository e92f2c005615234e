"""School Workforce Census return validation (XML root ``Message`` holding
``SchoolWorkforceMembers/SchoolWorkforceMember``).

``validate_workforce`` streams the file once: the header (the School Census header: collection
SWF, census date, school), then each ``SchoolWorkforceMember`` against the staff rules
(``staff_checks``). A member is::

    <SchoolWorkforceMember>
      <StaffDetails><TeacherNumber/><FamilyName/><GivenNames/><NINumber/><Sex/><DOB/></StaffDetails>
      <Contracts><Contract><ContractType/><StartDate/><EndDate/><Post/>
        <Roles><Role><RoleIdentifier/></Role></Roles></Contract></Contracts>
    </SchoolWorkforceMember>

(``Gender`` is read where ``Sex`` is absent, as in pupil files.)
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import BinaryIO

from lxml import etree

from domain.dates import Census, census_day_in_year
from domain.validation.dates import parse_iso_date
from domain.validation.header_checks import (
    check_collection,
    check_message_source,
    check_reference_date,
    dfe_number,
    header_year,
)
from domain.validation.kinds import WORKFORCE, run_checker
from domain.validation.records import (
    CONTRACT_TAG,
    STAFF_CONTAINERS,
    contract_fields,
    flatten,
    flatten_paths,
    staff_record,
)
from domain.validation.report import Report
from domain.validation.safe_xml import DEFAULT_MAX_BYTES, ProgressCallback
from domain.validation.staff_checks import StaffRules

COLLECTION = "SWF"


def validate_workforce(source: str | os.PathLike | BinaryIO, *, filename: str | None = None,
                       school: str | int | None = None, census_day: dt.date | None = None,
                       max_bytes: int = DEFAULT_MAX_BYTES, progress: ProgressCallback | None = None,
                       on_member: Callable[[dict], None] | None = None) -> Report:
    """Validate a School Workforce Census return and return its Report (``pupils`` counts its staff).

    ``source`` is a path or a seekable binary file object; ``school`` the uploading school's 7-digit
    DfE number, checked against the header; ``census_day`` overrides the computed census day (the
    first Thursday in November of the header's Year). ``progress(bytes_read, total)`` is called every
    1% or so; ``on_member(record)`` once per member with the dict from ``records.staff_record``.
    ``filename`` is accepted for symmetry with the other validators (no file-name rule applies).

    Raises FileRefused (one-line reason) if the file is unsafe, not XML or not a workforce return;
    ValueError if ``school`` is not a 7-digit DfE number.
    """
    checker = WorkforceChecker(school=dfe_number(school), census_day=census_day, on_member=on_member)
    return run_checker(checker, WORKFORCE, source, filename, max_bytes, progress)


class WorkforceChecker:
    """Workforce rules over one file, fed the header and one member element at a time."""

    record_tags = ("Header", "SchoolWorkforceMember")

    def __init__(self, school: str | None = None, census_day: dt.date | None = None,
                 on_member: Callable[[dict], None] | None = None):
        self.report = Report(WORKFORCE)
        self.rules = StaffRules(self.report)
        self._school, self._override, self._on_member = school, census_day, on_member
        self._day: dt.date | None = census_day
        self._header_seen = False

    def record(self, element: etree._Element) -> None:
        """Check one streamed element: the header or a member of staff."""
        if element.tag == "SchoolWorkforceMember":
            self.member(element)
        elif element.tag == "Header":
            self.header(element)

    def header(self, element: etree._Element) -> None:
        """Check the return's header (collection, census date, school); sets the day ages are taken on."""
        self._header_seen = True
        values = flatten_paths(element)
        self.report.header.update(values)
        check_collection(self.report, values, "7000", COLLECTION)
        given = parse_iso_date(values.get("CollectionDetails/ReferenceDate", ""))
        year = header_year(values) or (given.year if given else None)
        expected = self._override or (census_day_in_year(Census.WORKFORCE, year) if year else None)
        self._day = check_reference_date(self.report, values, "7010", expected, "the first Thursday in November")
        check_message_source(self.report, values, self._school)

    def member(self, element: etree._Element) -> None:
        """Check one ``SchoolWorkforceMember`` and pass its record to ``on_member``."""
        fields = flatten(element, STAFF_CONTAINERS, {})
        contracts = [contract_fields(contract) for contract in element.iter(CONTRACT_TAG)]
        basics = self.rules.check(fields, contracts, self._day)
        self.report.summary.add(basics.post, basics.sex, basics.dob)
        if self._on_member is not None:
            self._on_member(staff_record(basics.position, fields, contracts, basics.sex_field))

    def finish(self, filename: str | None) -> Report:
        """Run the rules that need the whole file and return the sorted report."""
        report = self.report
        if not self._header_seen:
            self.header(etree.Element("Header"))
        report.pupils = self.rules.count
        self.rules.check_duplicates()
        if report.pupils == 0:
            report.add("7020Q", "SchoolWorkforceMembers")
        report.summary.age_on = self._day
        report.sort_findings()
        return report
