"""Checks on a file's header, shared by the validators: the school named in it (census, workforce
and CTF) and the collection and census date of a ``Message`` header (School Census and School
Workforce Census returns, which share that header)."""
from __future__ import annotations

import datetime as dt

from domain.validation.dates import parse_iso_date
from domain.validation.identifiers import la_codes
from domain.validation.report import Report

LA_ESTAB = "LLLL"  # the establishment part when an LA itself sends or receives a file


def dfe_number(school: str | int | None) -> str | None:
    """``school`` as a 7-digit DfE number string (None stays None).

    Raises ValueError if it is not 7 digits (LA code + establishment number, e.g. 8734001).
    """
    if school is None:
        return None
    text = str(school).replace("/", "").strip()
    if len(text) != 7 or not text.isdigit():
        raise ValueError(f"{school!r} is not a 7-digit DfE number such as 8734001")
    return text


def check_source(report: Report, lea: str, estab: str, path: str, allow_la: bool = False) -> bool:
    """Rule header-source on the LEA and Estab under header element ``path``. An Estab of
    LLLL (an LA as sender) is accepted when ``allow_la``. Returns True when both are valid."""
    ok = True
    if lea not in la_codes():
        report.add("header-source", f"{path}/LEA", lea, expected="a recognised 3-digit LA code")
        ok = False
    if not ((len(estab) == 4 and estab.isdigit()) or (allow_la and estab == LA_ESTAB)):
        expected = "a 4-digit establishment number" + (" (or LLLL for an LA)" if allow_la else "")
        report.add("header-source", f"{path}/Estab", estab, expected=expected)
        ok = False
    return ok


def check_school(report: Report, lea: str, estab: str, path: str, school: str | None) -> None:
    """Rule header-school: the header's school is the uploading school ``school`` (if given)."""
    if school is not None and f"{lea}{estab}" != school:
        report.add("header-school", f"{path}/LEA and {path}/Estab", f"{lea}{estab}", expected=school)


# ---------------------------------------------------------------------- the Message header


def check_collection(report: Report, values: dict[str, str], rule: str, code: str) -> None:
    """Rule ``rule`` unless the header's CollectionDetails/Collection is ``code`` ("SC", "SWF")."""
    collection = values.get("CollectionDetails/Collection", "")
    if collection != code:
        report.add(rule, "Collection", collection)


def check_reference_date(report: Report, values: dict[str, str], rule: str, expected: dt.date | None,
                         expected_text: str) -> dt.date | None:
    """Rule ``rule`` unless CollectionDetails/ReferenceDate is the census day ``expected`` (None: no
    census day can be worked out, so any date is wrong; ``expected_text`` then says what is wanted).
    Returns the day ages are taken on: ``expected``, else the date given (None if neither)."""
    text = values.get("CollectionDetails/ReferenceDate", "")
    given = parse_iso_date(text)
    if given is None or given != expected:
        report.add(rule, "ReferenceDate", text, expected=expected.isoformat() if expected else expected_text)
    return expected or given


def check_message_source(report: Report, values: dict[str, str], school: str | None) -> None:
    """Rules header-source and header-school on a Message header's Source/LEA and Source/Estab."""
    lea, estab = values.get("Source/LEA", ""), values.get("Source/Estab", "")
    if check_source(report, lea, estab, "Source"):
        check_school(report, lea, estab, "Source", school)


def header_year(values: dict[str, str]) -> int | None:
    """CollectionDetails/Year as a number, or None when it is not four digits."""
    text = values.get("CollectionDetails/Year", "")
    return int(text) if len(text) == 4 and text.isdigit() else None
