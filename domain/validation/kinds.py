"""The kinds of file Gatehouse validates, told apart by their root element and, for the two returns
that share the root ``<Message>``, by what the message holds: pupils (School Census) or staff
(School Workforce Census)."""
from __future__ import annotations

import os
from typing import BinaryIO, Protocol

from lxml import etree

from domain.validation.report import Report
from domain.validation.rules import CENSUS, CTF, WORKFORCE
from domain.validation.safe_xml import FileRefused, ProgressCallback, SafeXmlFile, open_xml

KINDS = (CENSUS, CTF, WORKFORCE)
ROOTS = {"Message": CENSUS, "CTfile": CTF}
#: What a ``<Message>`` holds after its header: the first of these to begin names the kind. A
#: message holding neither is read as a census return (whose rules then say what is missing).
MESSAGE_BODIES = {"Pupils": CENSUS, "SchoolWorkforceMembers": WORKFORCE}
DESCRIPTIONS = {CENSUS: "a School Census return", CTF: "a CTF", WORKFORCE: "a School Workforce Census return"}
#: What a kind's records are, in words: the person checked and the identifier findings name them by.
PEOPLE = {CENSUS: ("pupil", "pupils", "UPN"), CTF: ("pupil", "pupils", "UPN"),
          WORKFORCE: ("staff member", "staff", "TRN or NI number")}


def kind_of_root(root_tag: str) -> str:
    """"census" (for any ``<Message>``) or "ctf" for a root element name. Raises FileRefused for any other
    root."""
    if root_tag in ROOTS:
        return ROOTS[root_tag]
    raise FileRefused(f"This file is not a School Census return, a School Workforce Census return or a CTF: its "
                      f"first element is <{root_tag[:40]}>, not <Message> or <CTfile>.")


def kind_of_file(xml: SafeXmlFile) -> str:
    """"census", "workforce" or "ctf" for an opened file (reading a message only as far as its pupils or
    staff begin). Raises FileRefused for another root element or malformed XML on the way."""
    kind = kind_of_root(xml.root_tag)
    if kind != CENSUS:
        return kind
    body = xml.first_start(frozenset(MESSAGE_BODIES))
    return MESSAGE_BODIES[body] if body else CENSUS


def refuse_wrong_kind(xml: SafeXmlFile, kind: str) -> None:
    """Raise FileRefused unless the opened file is a file of ``kind``, saying what it is instead."""
    found = kind_of_file(xml)
    if found != kind:
        raise FileRefused(f"This file is {DESCRIPTIONS[found]}, not {DESCRIPTIONS[kind]}.")


class Checker(Protocol):
    """What ``run_checker`` drives: a census, workforce or CTF checker."""

    record_tags: tuple[str, ...]

    def record(self, element: etree._Element) -> None: ...

    def finish(self, filename: str | None) -> Report: ...


def run_checker(checker: Checker, kind: str, source: str | os.PathLike | BinaryIO, filename: str | None,
                max_bytes: int, progress: ProgressCallback | None) -> Report:
    """Stream ``source`` (refused unless it is a file of ``kind``) through ``checker`` and return
    its report. ``filename`` defaults to the path's name. Raises FileRefused."""
    if filename is None and isinstance(source, (str, os.PathLike)):
        filename = os.fspath(source)
    with open_xml(source, max_bytes=max_bytes, progress=progress) as xml:
        refuse_wrong_kind(xml, kind)
        for element in xml.records(checker.record_tags):
            checker.record(element)
    return checker.finish(filename)
