"""The LA's history of PRIDE incident counts, as a CSV to import: one row per school and term (or whole
year) with the number of incidents, read and checked row by row so the trend reports start with the LA's
existing data.

Columns (header names, any order, case and spaces ignored): ``DfE number`` (``873/2001`` or
``8732001``), ``Academic year`` (``2023/24`` or ``2023``), ``Term`` (autumn, spring, summer, or blank
for a whole year), ``Incidents`` (a whole number from 0). :func:`read_history` returns the rows and the
problems, each naming its row; nothing is imported unless there are none.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from domain.dates import MAX_ACADEMIC_YEAR, MIN_ACADEMIC_YEAR

COLUMNS = {"dfenumber": "dfe_number", "academicyear": "academic_year", "term": "term", "incidents": "incidents"}
MAX_ROWS = 50_000
MAX_INCIDENTS = 100_000
_YEAR = re.compile(r"^(\d{4})(?:/(\d{2}))?$")


@dataclass(frozen=True)
class HistoryRow:
    line: int
    dfe_number: str
    academic_year: int
    term: str
    incidents: int


def _key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _year(text: str) -> int | None:
    match = _YEAR.match(text)
    if not match:
        return None
    year = int(match.group(1))
    if match.group(2) and int(match.group(2)) != (year + 1) % 100:
        return None
    return year if MIN_ACADEMIC_YEAR <= year <= MAX_ACADEMIC_YEAR else None


def _row(line: int, values: dict) -> tuple[HistoryRow | None, list[str]]:
    problems = []
    dfe = values["dfe_number"].replace("/", "").replace(" ", "")
    if not (dfe.isdigit() and len(dfe) == 7):
        problems.append(f"Row {line}: the DfE number must be 7 digits, for example 873/2001")
    year = _year(values["academic_year"].replace(" ", ""))
    if year is None:
        problems.append(f"Row {line}: the academic year must be like 2023/24")
    term = values["term"].strip().lower().removesuffix(" term") or "year"
    if term not in ("autumn", "spring", "summer", "year"):
        problems.append(f"Row {line}: the term must be autumn, spring, summer, or blank for the whole year")
    text = values["incidents"].replace(",", "").strip()
    if not (text.isdigit() and int(text) <= MAX_INCIDENTS):
        problems.append(f"Row {line}: the number of incidents must be a whole number from 0 to {MAX_INCIDENTS:,}")
    if problems:
        return None, problems
    return HistoryRow(line, dfe, year, term, int(text)), []


def _clashes(row: HistoryRow, terms: dict[str, int]) -> list[str]:
    """A repeated school, year and term, or a whole year mixed with terms; records ``row`` in ``terms``."""
    clash = []
    if row.term in terms:
        clash.append(f"Row {row.line}: the same school, year and term as row {terms[row.term]}")
    elif terms and (row.term == "year") != all(t == "year" for t in terms):
        clash.append(f"Row {row.line}: a school's year is either one whole-year row or rows by term, not both")
    terms[row.term] = row.line
    return clash


def read_history(data: bytes) -> tuple[list[HistoryRow], list[str]]:
    """Rows and problems of a history CSV (UTF-8, with or without a byte-order mark, or Windows-1252).

    Every problem names its row (the header is row 1). A repeated school, year and term is a problem;
    so are a school with both a whole-year row and term rows for one year, a missing column, an empty
    file and more than 50,000 rows. Never raises.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        return [], ["The file is empty: it needs a header row (DfE number, Academic year, Term, Incidents)"]
    index = {COLUMNS[_key(h)]: n for n, h in enumerate(header) if _key(h) in COLUMNS}
    missing = [name for key, name in (("dfe_number", "DfE number"), ("academic_year", "Academic year"),
                                      ("incidents", "Incidents")) if key not in index]  # fmt: skip
    if missing:
        return [], [f"The header row has no {' or '.join(missing)} column"]
    found, problems, seen = [], [], {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if line - 1 > MAX_ROWS:
            return [], [f"The file has more than {MAX_ROWS:,} rows: split it"]
        values = {key: (cells[n] if n < len(cells) else "").strip() for key, n in index.items()}
        values.setdefault("term", "")
        row, row_problems = _row(line, values)
        problems += row_problems
        if row is None:
            continue
        problems += _clashes(row, seen.setdefault((row.dfe_number, row.academic_year), {}))
        found.append(row)
    if not found and not problems:
        problems.append("The file has no rows after the header")
    return found, problems
