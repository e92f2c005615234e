"""One entry point for any upload: work out whether it is a School Census return, a School Workforce
Census return or a CTF and validate it accordingly."""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import BinaryIO

from domain.validation.census import validate_census
from domain.validation.ctf import validate_ctf
from domain.validation.kinds import CENSUS, CTF, WORKFORCE, kind_of_file
from domain.validation.report import Report
from domain.validation.safe_xml import DEFAULT_MAX_BYTES, ProgressCallback, open_xml
from domain.validation.workforce import validate_workforce


def detect_kind(source: str | os.PathLike | BinaryIO, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """"census", "workforce" or "ctf", from the file's root element (and, under a ``<Message>``, whether
    pupils or staff follow the header). A file object is left at its start.

    Raises FileRefused if the file is unsafe, not XML, or none of these kinds.
    """
    with open_xml(source, max_bytes=max_bytes) as xml:
        return kind_of_file(xml)


def validate(source: str | os.PathLike | BinaryIO, kind: str | None = None, *, filename: str | None = None,
             school: str | int | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
             progress: ProgressCallback | None = None, on_pupil: Callable[[dict], None] | None = None,
             census_day: dt.date | None = None, age_range: tuple[int, int] | None = None,
             today: dt.date | None = None, previous: Callable[[dt.date], dict | None] | None = None) -> Report:
    """Validate ``source`` as ``kind`` ("census", "workforce" or "ctf"; detected when None) and return
    the Report. ``on_pupil`` receives each pupil's record, or each staff member's for a workforce
    return; ``census_day`` applies to both censuses, ``age_range`` to School Census returns and
    ``today`` to CTFs, ``previous`` (the school's previous census return, by census day) to School Census
    returns; the other options are as for ``validate_census``.

    Raises FileRefused (one-line reason) if the file cannot be validated as that kind;
    ValueError for an unknown ``kind`` or a ``school`` that is not a 7-digit DfE number.
    """
    if kind is None:
        kind = detect_kind(source, max_bytes=max_bytes)
    common = {"filename": filename, "school": school, "max_bytes": max_bytes, "progress": progress}
    if kind == CENSUS:
        return validate_census(source, census_day=census_day, age_range=age_range, on_pupil=on_pupil,
                               previous=previous, **common)
    if kind == WORKFORCE:
        return validate_workforce(source, census_day=census_day, on_member=on_pupil, **common)
    if kind == CTF:
        return validate_ctf(source, today=today, on_pupil=on_pupil, **common)
    raise ValueError(f"unknown kind {kind!r}: use 'census', 'workforce' or 'ctf'")
