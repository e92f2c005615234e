"""Reading census files for duplicate detection, with the validator's streaming reader (no second parser)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from domain.duplicates.detect import PupilEntry
from domain.validation import FileRefused, validate_census
from domain.validation.file_names import base_name
from domain.validation.safe_xml import DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class CensusRoll:
    """One school's pupils on roll from one census file: the school's DfE number (from the file's header),
    census day (its reference date) and every pupil as a :class:`PupilEntry`."""

    name: str
    school: str
    census_day: dt.date | None
    entries: list[PupilEntry]


def read_census_roll(path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES) -> CensusRoll:
    """Stream the School Census return at ``path`` and return its roll.

    Raises FileRefused (one-line reason) when the file is unsafe, not XML, not a School Census return,
    or its header names no school (LEA and Estab).
    """
    records: list[dict] = []
    report = validate_census(path, max_bytes=max_bytes, on_pupil=records.append)
    school = report.header.get("Source/LEA", "") + report.header.get("Source/Estab", "")
    if len(school) != 7 or not school.isdigit():
        raise FileRefused(
            "This file's header does not name its school: Source/LEA and Source/Estab must give "
            "the 3-digit LA code and 4-digit establishment number."
        )
    day = report.summary.age_on
    return CensusRoll(
        base_name(os.fspath(path)), school, day, [PupilEntry.from_record(school, record, day) for record in records]
    )
