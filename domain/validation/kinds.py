"""The kinds of file Gatehouse validates, told apart by their root element."""
from __future__ import annotations

import os
from typing import BinaryIO, Protocol

from lxml import etree

from domain.validation.report import Report
from domain.validation.safe_xml import FileRefused, ProgressCallback, open_xml

CENSUS, CTF = "census", "ctf"
ROOTS = {"Message": CENSUS, "CTfile": CTF}
DESCRIPTIONS = {CENSUS: "a School Census return", CTF: "a CTF"}


def kind_of_root(root_tag: str) -> str:
    """"census" or "ctf" for a root element name. Raises FileRefused for any other root."""
    if root_tag in ROOTS:
        return ROOTS[root_tag]
    raise FileRefused(f"This file is neither a School Census return nor a CTF: its first element is "
                      f"<{root_tag[:40]}>, not <Message> or <CTfile>.")


def refuse_wrong_root(root_tag: str, kind: str) -> None:
    """Raise FileRefused unless the root element is the one files of ``kind`` have."""
    found = kind_of_root(root_tag)
    if found != kind:
        raise FileRefused(f"This file is {DESCRIPTIONS[found]}, not {DESCRIPTIONS[kind]}.")


class Checker(Protocol):
    """What ``run_checker`` drives: a census or CTF checker."""

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
        refuse_wrong_root(xml.root_tag, kind)
        for element in xml.records(checker.record_tags):
            checker.record(element)
    return checker.finish(filename)
