"""School Census return validation (XML root ``Message``).

``validate_census`` streams the file once: the header's collection, term, reference date and
school; the school's characteristics and classes; each ``PupilOnRoll`` against the pupil rules
(identifiers, here and in ``pupil_checks``) and the content rules (``census_content``); each
``PupilNoLongerOnRoll`` against the leavers' rules; then the rules over the whole return.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import BinaryIO

from lxml import etree

from domain.dates import DFE_TERM_CODES, academic_year_of, census_day_in_year
from domain.validation.census_content import ContentRules
from domain.validation.census_records import read_content
from domain.validation.census_summary import term_on_term
from domain.validation.dates import age_at_start_of_year, age_on, parse_iso_date
from domain.validation.file_names import CENSUS_NAME_FORM, base_name, census_name_dfe_number
from domain.validation.header_checks import (
    check_collection,
    check_message_source,
    check_reference_date,
    dfe_number,
    header_year,
)
from domain.validation.kinds import CENSUS, run_checker
from domain.validation.pupil_checks import PupilBasics, PupilRules, is_blank
from domain.validation.records import flatten_paths, pupil_record
from domain.validation.report import PupilRef, Report
from domain.validation.safe_xml import DEFAULT_MAX_BYTES, ProgressCallback

COLLECTION = "SC"
_TERM_WORDS = {"AUT": "autumn", "SPR": "spring", "SUM": "summer"}
_YEAR_NUMBER = {"R": 0, **{str(n): n for n in range(1, 15)}}
_YEAR_MISMATCH_SHARE = 0.10


def validate_census(source: str | os.PathLike | BinaryIO, *, filename: str | None = None,
                    school: str | int | None = None, census_day: dt.date | None = None,
                    age_range: tuple[int, int] | None = None,
                    max_bytes: int = DEFAULT_MAX_BYTES, progress: ProgressCallback | None = None,
                    on_pupil: Callable[[dict], None] | None = None,
                    previous: Callable[[dt.date], dict | None] | None = None) -> Report:
    """Validate a School Census return and return its Report.

    ``source`` is a path or a seekable binary file object. ``filename`` is the name the file
    was uploaded as (defaults to the path's name) for the file-name query; ``school`` the
    uploading school's 7-digit DfE number, checked against the header; ``census_day``
    overrides the computed census day for the term; ``age_range`` is the school's (low, high)
    statutory ages for rule 1601Q. ``progress(bytes_read, total)`` is called every 1% or so;
    ``on_pupil(record)`` once per pupil on roll with the dict from ``records.pupil_record``.
    ``previous(census_day)``, if given, returns the school's previous census return before that day as
    ``{"figures", "reference_date", "term"}`` (or None): large moves since it become ``tont-*`` queries.

    Raises FileRefused (one-line reason) if the file is unsafe, not XML or not a census
    return; ValueError if ``school`` is not a 7-digit DfE number.
    """
    checker = CensusChecker(school=dfe_number(school), census_day=census_day, age_range=age_range,
                            on_pupil=on_pupil, previous=previous)
    return run_checker(checker, CENSUS, source, filename, max_bytes, progress)


class CensusChecker:
    """Census rules over one file, fed one header and pupil element at a time."""

    record_tags = ("Header", "School", "PupilOnRoll", "PupilNoLongerOnRoll")

    def __init__(self, school: str | None = None, census_day: dt.date | None = None,
                 age_range: tuple[int, int] | None = None, on_pupil: Callable[[dict], None] | None = None,
                 previous: Callable[[dt.date], dict | None] | None = None):
        self.report = Report(CENSUS)
        self.rules = PupilRules(self.report)
        self.content = ContentRules(self.report)
        self._school, self._override, self._age_range = school, census_day, age_range
        self._on_pupil = on_pupil
        self._previous = previous
        self._day: dt.date | None = census_day
        self._academic_year = academic_year_of(census_day) if census_day else None
        self._header_seen = False
        self._years_checked = self._years_differing = 0

    def record(self, element: etree._Element) -> None:
        """Check one streamed element: the header, the school, a pupil on roll or a pupil no longer on roll."""
        tag = element.tag
        if tag == "PupilOnRoll":
            self.pupil(element)
        elif tag == "PupilNoLongerOnRoll":
            self.leaver(element)
        elif tag == "School":
            self.content.school_content(read_content(element))
        elif tag == "Header":
            self.header(element)

    # ------------------------------------------------------------------ header
    def header(self, element: etree._Element) -> None:
        """Check the return's header (collection, term, reference date, school)."""
        self._header_seen = True
        values = flatten_paths(element)
        self.report.header.update(values)
        check_collection(self.report, values, "header-collection", COLLECTION)
        term = values.get("CollectionDetails/Term", "")
        if term not in DFE_TERM_CODES:
            self.report.add("header-term", "Term", term)
        self._check_reference_date(term, values)
        check_message_source(self.report, values, self._school)

    def _check_reference_date(self, term: str, values: dict[str, str]) -> None:
        """Rule 100: ReferenceDate is the term's census day; sets the day ages are taken on."""
        given = parse_iso_date(values.get("CollectionDetails/ReferenceDate", ""))
        expected = self._override or _expected_census_day(term, header_year(values), given)
        self._day = check_reference_date(self.report, values, "100", expected, "the census day for the term")
        self._academic_year = academic_year_of(self._day) if self._day else None
        self.content.set_census(term, self._day, self._academic_year)

    # ------------------------------------------------------------------ pupils
    def pupil(self, element: etree._Element) -> None:
        """Check one ``PupilOnRoll`` element and pass its record to ``on_pupil``."""
        fields = read_content(element)
        basics = self.rules.check(fields)
        ref = self.rules.ref(basics.position)
        year = fields.get("NCyearActual")
        content = self.content
        if fields.get("EnrolStatus") not in content.enrol_statuses:
            content.add("1860", "EnrolStatus", fields.get("EnrolStatus"), ref)
        if year not in content.year_groups:
            content.add("2000", "NCyearActual", year, ref)
        age_in_august = None
        if basics.dob is not None and self._day is not None:
            age_in_august = age_at_start_of_year(basics.dob, self._academic_year)
            self._check_age(basics, fields, age_on(basics.dob, self._day), year, age_in_august)
        self._check_address(basics.position, fields)
        content.pupil(ref, fields, basics.dob, age_in_august)
        self.report.summary.add(year, basics.sex, basics.dob)
        if self._on_pupil is not None:
            self._on_pupil(pupil_record(basics.position, fields, basics.sex_field))

    def leaver(self, element: etree._Element) -> None:
        """Check one ``PupilNoLongerOnRoll`` element (named by UPN and name: it has no position on roll)."""
        fields = read_content(element)
        name = f"{fields.get('Forename') or ''} {fields.get('Surname') or ''}".strip()
        self.content.leaver(PupilRef(None, fields.get("UPN") or "", name), fields)

    def _check_age(self, basics: PupilBasics, fields: dict, age: int, year: str | None, age_in_august: int) -> None:
        """Rules 1570 (ULN from 14), 1601Q (school's age range) and 2020Q (year group vs age); ``age`` is the
        pupil's age on census day, ``age_in_august`` on 31 August before the academic year."""
        if age >= 14 and is_blank(fields.get("UniqueLearnerNumber")):
            self.report.add("1570", "UniqueLearnerNumber", "", self.rules.ref(basics.position), age=age)
        if self._age_range and not self._age_range[0] <= age_in_august <= self._age_range[1]:
            self.report.add("1601Q", "DOB", fields.get("DOB"), self.rules.ref(basics.position), age=age_in_august,
                            expected=f"{self._age_range[0]} to {self._age_range[1]}")
        year_number = _YEAR_NUMBER.get(year)
        if year_number is None:
            return
        self._years_checked += 1
        if age_in_august - 4 != year_number:
            self._years_differing += 1
            self.report.add("2020Q", "NCyearActual", year, self.rules.ref(basics.position),
                            age=age_in_august, expected=_year_for_age(age_in_august))

    def _check_address(self, position: int, fields: dict) -> None:
        """Rule 2355Q: a home address with a postcode."""
        if "Address" not in fields:
            self.report.add("2355Q", "Address", "", self.rules.ref(position), what="address")
        elif is_blank(fields.get("PostCode")):
            self.report.add("2355Q", "PostCode", fields.get("PostCode"), self.rules.ref(position), what="postcode")

    # ------------------------------------------------------------------ whole file
    def finish(self, filename: str | None) -> Report:
        """Run the rules that need the whole file and return the sorted report."""
        report = self.report
        if not self._header_seen:
            self.header(etree.Element("Header"))
        report.pupils = self.rules.count
        self.rules.check_duplicates()
        self.content.finish()
        report.summary.figures = self.content.figures()
        self._term_on_term(report)
        if report.pupils == 0:
            report.add("no-pupils", "PupilsOnRoll")
        if self._years_checked and self._years_differing / self._years_checked >= _YEAR_MISMATCH_SHARE:
            share = f"{self._years_differing / self._years_checked:.0%} ({self._years_differing} of " \
                    f"{self._years_checked})"
            report.add("2010Q", "NCyearActual", "", share=share)
        if filename:
            self._check_file_name(filename)
        report.summary.age_on = self._day
        report.sort_findings()
        return report

    def _term_on_term(self, report: Report) -> None:
        """The tont-* queries: large moves since the school's previous census return, when there is one."""
        if self._previous is None or self._day is None:
            return
        previous = self._previous(self._day)
        if not previous or not previous.get("figures"):
            return
        when = f"{_TERM_WORDS.get(previous.get('term') or '', '')} {previous.get('reference_date') or ''}".strip()
        for rule, field, context in term_on_term(report.summary.figures, previous["figures"]):
            report.add(rule, field, "", when=when, **context)

    def _check_file_name(self, filename: str) -> None:
        """Query census-file-name: the usual form, with this school's DfE number."""
        header_school = self.report.header.get("Source/LEA", "") + self.report.header.get("Source/Estab", "")
        in_name = census_name_dfe_number(filename)
        if in_name is None or in_name != header_school:
            expected = CENSUS_NAME_FORM
            if len(header_school) == 7:
                expected += f" (for this school {header_school}_SCn_{header_school[:3]}LLyy_nnn.XML)"
            self.report.add("census-file-name", "file name", base_name(filename), expected=expected)


def _expected_census_day(term: str, year: int | None, given: dt.date | None) -> dt.date | None:
    """The census day for ``term`` in the header's Year (or the year of the given date)."""
    if term not in DFE_TERM_CODES:
        return None
    if year is not None:
        return census_day_in_year(DFE_TERM_CODES[term], year)
    return census_day_in_year(DFE_TERM_CODES[term], given.year) if given else None


def _year_for_age(age_in_august: int) -> str:
    """The year group usual for a pupil of ``age_in_august``, in words."""
    year = age_in_august - 4
    if year < 0:
        return "a nursery year group"
    if year == 0:
        return "Reception"
    return f"year {year}" if year <= 14 else "beyond year 14"
