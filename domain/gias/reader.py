"""Read a GIAS "edubasealldata" establishments CSV into normalised records.

GIAS publishes the extract as Windows-1252 text with ~139 columns whose order changes over
time, so columns are found by header name, never by position. :func:`open_extract` checks
the encoding and the header before anything is read (raising :class:`GiasFileError` with a
message naming what is wrong); iterating :meth:`Extract.records` then yields, for every data
row, exactly one of:

- :class:`Establishment`: an open school (GIAS status 1 "Open" or 3 "Open, but proposed to
  close") of one of the chosen LAs, with its fields normalised;
- :class:`Closed`: a school of a chosen LA that GIAS lists as closed (status 2), so that a
  school already known can be marked closed;
- :class:`Skipped`: a row not imported, with a short reason ("other LA", "missing
  establishment number", ...) that callers count.

Encodings: Windows-1252 is expected. A UTF-8 file (with or without a byte-order mark, as a
spreadsheet may save it) is accepted and read as UTF-8, with a note saying so. UTF-16, files
containing NUL bytes (binary files, UTF-16 without a BOM), ZIP archives and Excel workbooks
are refused, as is text that is not valid Windows-1252.

Academies: a school is flagged as an academy when its ``EstablishmentTypeGroup (name)`` is
"Academies" or "Free Schools"; when that column is absent or empty, when its
``TypeOfEstablishment (name)`` mentions "academy", "free school", "university technical
college" or "studio school" (UTCs and studio schools are free schools in law).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

REQUIRED_COLUMNS: dict[str, str] = {
    "urn": "URN",
    "la_code": "LA (code)",
    "la_name": "LA (name)",
    "estab": "EstablishmentNumber",
    "name": "EstablishmentName",
    "type_name": "TypeOfEstablishment (name)",
    "status_code": "EstablishmentStatus (code)",
    "phase": "PhaseOfEducation (name)",
    "low_age": "StatutoryLowAge",
    "high_age": "StatutoryHighAge",
    "ukprn": "UKPRN",
    "postcode": "Postcode",
}
"""Columns every extract must have: our field name -> GIAS header name."""

OPTIONAL_COLUMNS: dict[str, str] = {
    "type_group": "EstablishmentTypeGroup (name)",
    "opened_on": "OpenDate",
    "closed_on": "CloseDate",
}
"""Columns used when present."""

OPEN_STATUSES = {"1": "open", "3": "proposed_to_close"}
CLOSED_STATUS = "2"
NOT_YET_OPEN_STATUS = "4"

ACADEMY_TYPE_GROUPS = {"academies", "free schools"}
ACADEMY_TYPE_WORDS = ("academy", "free school", "university technical college", "studio school")

SKIP_OTHER_LA = "other LA"
SKIP_DUPLICATE_URN = "duplicate URN in file"
SKIP_DUPLICATE_DFE = "duplicate DfE number in file"

_UTF8_BOM = b"\xef\xbb\xbf"
_LA_CODE = re.compile(r"\d{3}")
_MAX_FIELD = 1_000_000


class GiasFileError(ValueError):
    """The file cannot be read as a GIAS extract; the message says what is wrong and what to do."""


@dataclass(frozen=True, slots=True)
class Establishment:
    """An open school of a chosen LA, normalised from one GIAS row."""

    line: int
    urn: int
    la_code: str
    la_name: str
    estab: str
    name: str
    type_name: str | None
    phase: str | None
    status: str
    is_academy: bool
    low_age: int | None
    high_age: int | None
    ukprn: str | None
    postcode: str | None
    opened_on: str | None
    closed_on: str | None

    @property
    def dfe_number(self) -> str:
        """LA code + establishment number, e.g. ``8732001``."""
        return self.la_code + self.estab


@dataclass(frozen=True, slots=True)
class Closed:
    """A school of a chosen LA that GIAS lists as closed."""

    line: int
    urn: int
    la_code: str
    la_name: str
    closed_on: str | None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row that is not imported, and why (a short reason shared by similar rows)."""

    line: int
    reason: str
    la_code: str
    la_name: str
    urn: str | None = None


Record = Establishment | Closed | Skipped


def parse_la_codes(values: Iterable[str]) -> tuple[str, ...]:
    """Turn ``["873", "855,886"]`` into ``("873", "855", "886")`` (order kept, no repeats).

    Raises ValueError naming the first value that is not a 3-digit LA code, or when none given.
    """
    codes: list[str] = []
    for value in values:
        for part in value.split(","):
            code = part.strip()
            if not code:
                continue
            if not _LA_CODE.fullmatch(code):
                raise ValueError(f"{code!r} is not an LA code: LA codes are 3 digits, such as 873")
            if code not in codes:
                codes.append(code)
    if not codes:
        raise ValueError("Give at least one LA code, such as 873")
    return tuple(codes)


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """Decode the file's bytes; return ``(text, encoding, notes)``.

    Raises GiasFileError for an empty file, UTF-16, a ZIP or Excel file, NUL bytes, or bytes
    that are not Windows-1252.
    """
    if not data or data.isspace():
        raise GiasFileError("The file is empty.")
    _refuse_binary(data)
    if data.startswith(_UTF8_BOM):
        text = _decode_strict(data[len(_UTF8_BOM) :], "utf-8")
        note = "The file is UTF-8 with a byte-order mark (GIAS publishes Windows-1252); read as UTF-8."
        return text, "utf-8-sig", [note]
    if data.isascii():
        return data.decode("ascii"), "cp1252", []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_strict(data, "cp1252"), "cp1252", []
    return text, "utf-8", ["The file is UTF-8 (GIAS publishes Windows-1252); read as UTF-8."]


def _refuse_binary(data: bytes) -> None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise GiasFileError(
            "The file is UTF-16 encoded (it starts with a UTF-16 byte-order mark), not Windows-1252 as GIAS "
            "publishes it. Download the extract from GIAS again, or save it as 'CSV (Comma delimited)' "
            "rather than 'Unicode Text'."
        )
    if data.startswith(b"PK\x03\x04"):
        raise GiasFileError(
            "The file is a ZIP archive or an Excel workbook, not a CSV file. Unzip the GIAS download and "
            "import the edubasealldata CSV inside, or save the workbook as 'CSV (Comma delimited)'."
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise GiasFileError(
            f"The file contains NUL bytes (the first at byte {nul}), so it is not Windows-1252 text: it is a "
            "binary file or UTF-16 without a byte-order mark. Import the GIAS edubasealldata CSV as downloaded."
        )


def _decode_strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        name = "UTF-8" if encoding == "utf-8" else "Windows-1252"
        why = " (it starts with a UTF-8 byte-order mark)" if encoding == "utf-8" else ""
        raise GiasFileError(
            f"The file is not valid {name} text{why}: byte 0x{data[error.start]:02X} at offset {error.start} "
            f"has no meaning in {name}. Import the GIAS edubasealldata CSV as downloaded."
        ) from None


def _header_key(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def map_columns(header: list[str]) -> dict[str, int]:
    """Return our field name -> column index for ``header``, matching names ignoring case and spacing.

    Raises GiasFileError when required columns are missing or appear twice; the message names them.
    """
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        positions.setdefault(_header_key(name), []).append(index)
    wanted = {**REQUIRED_COLUMNS, **OPTIONAL_COLUMNS}
    doubled = [gias for gias in wanted.values() if len(positions.get(_header_key(gias), [])) > 1]
    if doubled:
        raise GiasFileError(f"The header names these columns more than once: {_quoted(doubled)}.")
    missing = [gias for gias in REQUIRED_COLUMNS.values() if _header_key(gias) not in positions]
    if len(missing) == len(REQUIRED_COLUMNS):
        shown = ", ".join(repr(h[:30]) for h in header[:4]) + (", ..." if len(header) > 4 else "")
        raise GiasFileError(
            "This is not a GIAS establishments extract: its first line has none of the columns "
            f"{_quoted(REQUIRED_COLUMNS.values())} (it starts {shown or 'with nothing'})."
        )
    if missing:
        raise GiasFileError(
            f"The file is missing {'a required column' if len(missing) == 1 else 'required columns'}: "
            f"{_quoted(missing)}. Use the full GIAS edubasealldata extract."
        )
    return {field: positions[_header_key(gias)][0] for field, gias in wanted.items() if _header_key(gias) in positions}


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


class Extract:
    """A GIAS file whose encoding and header have been checked, ready to be read once.

    ``size`` is the length of the text in characters and ``position`` how much of it has been
    read so far, for a progress display.
    """

    def __init__(self, data: bytes):
        """Decode ``data`` and check its header. Raises GiasFileError (see :func:`decode`, :func:`map_columns`)."""
        self.text, self.encoding, self.notes = decode(data)
        self.size = len(self.text)
        self.position = 0
        first_line = next(iter(io.StringIO(self.text, newline="")), "")
        try:
            header = next(csv.reader([first_line]), [])
        except csv.Error as error:
            raise GiasFileError(f"The first line of the file cannot be read as CSV: {error}.") from None
        self.columns = map_columns(header)
        self.needed = max(self.columns.values()) + 1

    def _lines(self) -> Iterator[str]:
        for line in io.StringIO(self.text, newline=""):
            self.position += len(line)
            yield line

    def records(self, la_codes: Iterable[str]) -> Iterator[Record]:
        """Yield one record per data row (see the module docstring); blank lines are ignored.

        Raises GiasFileError, part-way through, when a row cannot be parsed as CSV at all.
        """
        chosen = frozenset(la_codes)
        reader = csv.reader(self._lines())
        seen_urns: set[int] = set()
        seen_dfe: set[str] = set()
        try:
            next(reader, None)
            for cells in reader:
                if not cells or cells == [""]:
                    continue
                record = _record(cells, self.columns, self.needed, reader.line_num, chosen)
                yield _deduplicated(record, seen_urns, seen_dfe)
        except csv.Error as error:
            raise GiasFileError(f"Line {reader.line_num} of the file cannot be read as CSV: {error}.") from None
        self.position = self.size


def open_extract(data: bytes) -> Extract:
    """Check ``data`` is a readable GIAS extract and return it. Raises GiasFileError saying what is wrong."""
    csv.field_size_limit(_MAX_FIELD)
    return Extract(data)


def _deduplicated(record: Record, seen_urns: set[int], seen_dfe: set[str]) -> Record:
    if isinstance(record, Skipped):
        return record
    if record.urn in seen_urns:
        return Skipped(record.line, SKIP_DUPLICATE_URN, record.la_code, record.la_name, str(record.urn))
    seen_urns.add(record.urn)
    if isinstance(record, Establishment):
        if record.dfe_number in seen_dfe:
            return Skipped(record.line, SKIP_DUPLICATE_DFE, record.la_code, record.la_name, str(record.urn))
        seen_dfe.add(record.dfe_number)
    return record


class _Row:
    """One CSV row's cells, read by field name (missing optional columns read as empty)."""

    __slots__ = ("cells", "columns")

    def __init__(self, cells: list[str], columns: dict[str, int]):
        self.cells = cells
        self.columns = columns

    def __getitem__(self, field: str) -> str:
        index = self.columns.get(field)
        return self.cells[index].strip() if index is not None else ""


def _record(cells: list[str], columns: dict[str, int], needed: int, line: int, chosen: frozenset[str]) -> Record:
    if len(cells) < needed:
        return Skipped(line, "too few columns", "", "")
    row = _Row(cells, columns)
    la_code, la_name = row["la_code"], " ".join(row["la_name"].split())
    if la_code not in chosen:
        return Skipped(line, SKIP_OTHER_LA, la_code, la_name)
    urn_text = row["urn"]
    if not urn_text:
        return Skipped(line, "missing URN", la_code, la_name)
    if not urn_text.isdigit() or len(urn_text) > 7 or int(urn_text) == 0:
        return Skipped(line, "URN is not a number of up to 7 digits", la_code, la_name, urn_text)
    urn = int(urn_text)
    status_code = row["status_code"]
    if status_code == CLOSED_STATUS:
        return Closed(line, urn, la_code, la_name, _iso_date(row["closed_on"]))
    if status_code not in OPEN_STATUSES:
        return Skipped(line, _status_reason(status_code), la_code, la_name, urn_text)
    return _establishment(row, line, urn, la_code, la_name, OPEN_STATUSES[status_code])


def _status_reason(status_code: str) -> str:
    if status_code == NOT_YET_OPEN_STATUS:
        return "not open yet (status 4, proposed to open)"
    if not status_code:
        return "missing establishment status"
    return "unknown establishment status"


def _establishment(row: _Row, line: int, urn: int, la_code: str, la_name: str, status: str) -> Record:
    estab = row["estab"]
    if not estab:
        return Skipped(line, "missing establishment number", la_code, la_name, str(urn))
    if not estab.isdigit() or len(estab) > 4:
        return Skipped(line, "establishment number is not a number of up to 4 digits", la_code, la_name, str(urn))
    name = " ".join(row["name"].split())
    if not name:
        return Skipped(line, "missing establishment name", la_code, la_name, str(urn))
    type_name = row["type_name"] or None
    return Establishment(
        line=line,
        urn=urn,
        la_code=la_code,
        la_name=la_name,
        estab=estab.zfill(4),
        name=name,
        type_name=type_name,
        phase=row["phase"] or None,
        status=status,
        is_academy=is_academy(type_name, row["type_group"] or None),
        low_age=_age(row["low_age"]),
        high_age=_age(row["high_age"]),
        ukprn=row["ukprn"] if len(row["ukprn"]) == 8 and row["ukprn"].isdigit() else None,
        postcode=" ".join(row["postcode"].upper().split()) or None,
        opened_on=_iso_date(row["opened_on"]),
        closed_on=_iso_date(row["closed_on"]),
    )


def is_academy(type_name: str | None, type_group: str | None = None) -> bool:
    """True for academies and free schools (see the module docstring for the rule)."""
    if type_group:
        return type_group.strip().casefold() in ACADEMY_TYPE_GROUPS
    lowered = (type_name or "").casefold()
    return any(word in lowered for word in ACADEMY_TYPE_WORDS)


def _age(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 3 else None


def _iso_date(text: str) -> str | None:
    """``dd-mm-yyyy`` (GIAS) as ``yyyy-mm-dd``; None when empty or not a real date."""
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0])).isoformat()
    except ValueError:
        return None
