"""Checks on the school named in a file's header, shared by census and CTF validation."""
from __future__ import annotations

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
