"""Common Transfer File validation (XML root ``CTfile``, no namespace).

``validate_ctf`` streams the file once: the header (document name, CTF version, date-time,
qualifier, source and destination schools, and the destination in the file name), then each
``CTFpupilData/Pupil`` against the pupil rules that apply to transfers.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import BinaryIO

from lxml import etree

from domain.dates import academic_year_of, uk_today
from domain.validation.dates import parse_iso_datetime
from domain.validation.file_names import CTF_NAME_FORM, base_name, parse_ctf_name
from domain.validation.header_checks import LA_ESTAB, check_school, check_source, dfe_number
from domain.validation.kinds import CTF, run_checker
from domain.validation.pupil_checks import PupilRules, is_blank
from domain.validation.records import ADDRESS_CONTAINERS, flatten, flatten_paths, pupil_record
from domain.validation.report import Report
from domain.validation.safe_xml import DEFAULT_MAX_BYTES, ProgressCallback

DOCUMENT_NAME = "Common Transfer File"
QUALIFIERS = frozenset({"full", "partial"})
LOST_PUPIL = "XXXXXXX"
# Destinations that are not a school: unknown ("lost pupil") and, unconfirmed, gone abroad or
# out of the maintained sector.
SPECIAL_DESTINATIONS = frozenset({LOST_PUPIL, "MMMMMMM"})
PUPIL_CONTAINERS = frozenset({"BasicDetails", "Address"})


def validate_ctf(source: str | os.PathLike | BinaryIO, *, filename: str | None = None, school: str | int | None = None,
                 today: dt.date | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                 progress: ProgressCallback | None = None,
                 on_pupil: Callable[[dict], None] | None = None) -> Report:
    """Validate a CTF and return its Report.

    ``source`` is a path or a seekable binary file object. ``filename`` is the name the file
    was uploaded as (defaults to the path's name), checked against the header's destination;
    ``school`` the uploading school's 7-digit DfE number, checked against the source school;
    ``today`` decides which CTF versions are current (defaults to today's date in England) and the day
    ages in the summary are taken on. ``progress(bytes_read, total)`` is called every 1% or
    so; ``on_pupil(record)`` once per pupil with the dict from ``records.pupil_record``.

    Raises FileRefused (one-line reason) if the file is unsafe, not XML or not a CTF;
    ValueError if ``school`` is not a 7-digit DfE number.
    """
    checker = CtfChecker(school=dfe_number(school), today=today or uk_today(), on_pupil=on_pupil)
    return run_checker(checker, CTF, source, filename, max_bytes, progress)


def ctf_versions(today: dt.date) -> tuple[str, str]:
    """The CTF versions accepted on ``today``: this academic year's and last year's (the last
    two digits of the year in which the academic year ends, then ".0")."""
    start = academic_year_of(today)
    return f"{(start + 1) % 100:02d}.0", f"{start % 100:02d}.0"


class CtfChecker:
    """CTF rules over one file, fed the header and pupil elements one at a time."""

    record_tags = ("Header", "Pupil")

    def __init__(self, today: dt.date, school: str | None = None, on_pupil: Callable[[dict], None] | None = None):
        self.report = Report(CTF)
        self.rules = PupilRules(self.report)
        self._today, self._school, self._on_pupil = today, school, on_pupil
        self._containers = PUPIL_CONTAINERS | ADDRESS_CONTAINERS if on_pupil else PUPIL_CONTAINERS
        self._header_seen = False
        self.destination = ""
        self.source = ""

    def record(self, element: etree._Element) -> None:
        """Check one streamed element: the header or a pupil."""
        if element.tag == "Pupil":
            self.pupil(element)
        else:
            self.header(element)

    # ------------------------------------------------------------------ header
    def header(self, element: etree._Element) -> None:
        """Check the CTF header: document fields, then source and destination schools."""
        self._header_seen = True
        values = flatten_paths(element)
        self.report.header.update(values)
        self._check_document(values)
        lea, estab = values.get("SourceSchool/LEA", ""), values.get("SourceSchool/Estab", "")
        if check_source(self.report, lea, estab, "SourceSchool", allow_la=True):
            check_school(self.report, lea, estab, "SourceSchool", self._school)
        self.source = lea + estab
        self.destination = values.get("DestSchool/LEA", "") + values.get("DestSchool/Estab", "")
        self._check_destination(values.get("DestSchool/LEA", ""), values.get("DestSchool/Estab", ""))

    def _check_document(self, values: dict[str, str]) -> None:
        """Rules on DocumentName, CTFversion, DateTime and DocumentQualifier."""
        name = values.get("DocumentName", "")
        if name != DOCUMENT_NAME:
            self.report.add("ctf-document-name", "DocumentName", name)
        version = values.get("CTFversion", "")
        current, previous = ctf_versions(self._today)
        if version not in (current, previous):
            self.report.add("ctf-version", "CTFversion", version,
                            expected=f"{current} or {previous} (this or last academic year's format)")
        if parse_iso_datetime(values.get("DateTime")) is None:
            self.report.add("ctf-datetime", "DateTime", values.get("DateTime", ""))
        if values.get("DocumentQualifier", "") not in QUALIFIERS:
            self.report.add("ctf-qualifier", "DocumentQualifier", values.get("DocumentQualifier", ""))

    def _check_destination(self, lea: str, estab: str) -> None:
        """Rule ctf-destination: a school (LEA + Estab), an LA (LLLL), or a special destination."""
        if lea + estab in SPECIAL_DESTINATIONS:
            return
        if not (len(lea) == 3 and lea.isdigit()):
            self.report.add("ctf-destination", "DestSchool/LEA", lea,
                            expected="a 3-digit LA code (or XXX for a pupil whose destination is unknown)")
        if not ((len(estab) == 4 and estab.isdigit()) or estab == LA_ESTAB):
            self.report.add("ctf-destination", "DestSchool/Estab", estab,
                            expected="a 4-digit establishment number (LLLL for an LA, XXXX if unknown)")

    # ------------------------------------------------------------------ pupils
    def pupil(self, element: etree._Element) -> None:
        """Check one ``Pupil`` element and pass its record to ``on_pupil``."""
        fields = flatten(element, self._containers, {})
        basics = self.rules.check(fields)
        if is_blank(fields.get("PostCode")) and is_blank(fields.get("UniqueLearnerNumber")):
            self.report.add("uln-postcode", "PostCode", fields.get("PostCode"), self.rules.ref(basics.position))
        self.report.summary.add(fields.get("NCyearActual"), basics.sex, basics.dob)
        if self._on_pupil is not None:
            self._on_pupil(pupil_record(basics.position, fields, basics.sex_field))

    # ------------------------------------------------------------------ whole file
    def finish(self, filename: str | None) -> Report:
        """Run the rules that need the whole file and return the sorted report."""
        report = self.report
        if not self._header_seen:
            self.header(etree.Element("Header"))
        report.pupils = self.rules.count
        self.rules.check_duplicates()
        if self.destination == LOST_PUPIL and report.pupils != 1:
            report.add("ctf-lost-pupil", "CTFpupilData", "", count=report.pupils, expected=LOST_PUPIL)
        elif report.pupils == 0:
            report.add("no-pupils", "CTFpupilData")
        if filename:
            self._check_file_name(filename)
        report.summary.age_on = self._today
        report.sort_findings()
        return report

    def _check_file_name(self, filename: str) -> None:
        """ctf-file-name (query) when the name is not in the usual form or names another
        source; ctf-file-destination (error) when it names another destination."""
        parsed = parse_ctf_name(filename)
        if parsed is None or parsed.source != self.source.upper():
            expected = CTF_NAME_FORM
            if self.source and self.destination:
                expected += f" (for this file {self.source}_CTF_{self.destination}_NNN.xml)"
            self.report.add("ctf-file-name", "file name", base_name(filename), expected=expected)
        if parsed is not None and parsed.destination != self.destination.upper():
            self.report.add("ctf-file-destination", "DestSchool", parsed.destination,
                            expected=self.destination or "nothing")
