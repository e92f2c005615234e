"""Reading a school's filled-in local return back: the ``.xlsx`` Gatehouse made for it, or a ``.csv`` saved
from it. Anything that is not that file is refused with :class:`UploadRefused`, whose message a school
office can act on; what is read is returned as answers (as given: :mod:`.answers` checks them later).

Refused before anything is read: a macro workbook (``.xlsm``, or an ``.xlsx`` holding a VBA project), an
old ``.xls``, a password-protected (encrypted) workbook, a damaged file, and a zip whose directory
announces too many entries or too much uncompressed data (a zip bomb: the sizes are read from the zip's
central directory before openpyxl opens it). Formulas are never evaluated: the value Excel saved with the
formula is read; a formula saved with no value is refused. Then: another school's or return's file, an
old definition version, renamed, moved, added or removed columns, a pupil twice, a pupil not in the list.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from domain.local_returns.answers import as_text
from domain.local_returns.layout import ABOUT_SHEET, DATA_SHEET, Expected, columns
from domain.validation.office_files import EXCEL, OLE2_MAGIC, ZIP_MAGIC, office_kind

MAX_ZIP_ENTRIES = 500
MAX_UNCOMPRESSED = 60 * 1024 * 1024
MAX_RATIO = 150
MAX_ROWS = 5000
_MACRO_NAMES = ("xl/vbaProject.bin", "xl/vbaProjectSignature.bin")
_DOWNLOAD_AGAIN = "Download the spreadsheet from this return's page, fill it in and upload that."


class UploadRefused(ValueError):
    """The file cannot be read as this school's return; the message says why and what to do."""


@dataclass(frozen=True)
class Read:
    """What an upload held: ``{position: {question key: answer as given}}`` for every row that had one."""

    answers: dict[int, dict]


def read_upload(raw: bytes, name: str, *, expected: Expected, rows: list[dict]) -> Read:
    """Read ``raw`` (an upload called ``name``) as the return ``expected``, whose rows are ``rows`` (each
    with ``position`` and, for a pupil list, ``upn``). Raises UploadRefused."""
    lower = name.lower()
    if lower.endswith((".xlsm", ".xltm", ".xlam")):
        raise UploadRefused("This is a spreadsheet with macros (.xlsm). Gatehouse does not take files with macros: "
                            + _DOWNLOAD_AGAIN)  # fmt: skip
    if raw.startswith(OLE2_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in raw:
            raise UploadRefused("This workbook is password-protected (encrypted), so it cannot be read. Remove the "
                                "password (File, Info, Protect Workbook) and upload it again.")  # fmt: skip
        raise UploadRefused("This is an old Excel file (.xls). " + _DOWNLOAD_AGAIN)
    if lower.endswith(".csv"):
        return _from_table(_csv_rows(raw), expected, rows)
    if not lower.endswith(".xlsx"):
        raise UploadRefused("Upload the .xlsx spreadsheet from this return's page (or a .csv saved from it).")
    if not raw.startswith(ZIP_MAGIC):
        raise UploadRefused("This file is damaged or is not an Excel workbook. " + _DOWNLOAD_AGAIN)
    _check_zip_directory(raw)
    table = _workbook_rows(raw, expected)
    return _from_table(table, expected, rows)


def _check_zip_directory(raw: bytes) -> None:
    """Refuse a zip that holds macros or would unpack to too much, from its directory alone."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise UploadRefused("This file is damaged or is not an Excel workbook. " + _DOWNLOAD_AGAIN) from error
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UploadRefused("This file holds far more parts than a spreadsheet does, so it was not opened.")
    total = sum(e.file_size for e in entries)
    swollen = any(e.file_size > 1024 * 1024 and e.file_size > MAX_RATIO * max(1, e.compress_size) for e in entries)
    if total > MAX_UNCOMPRESSED or swollen:
        raise UploadRefused("This file would unpack to far more data than a return holds (it may be a 'zip bomb'), "
                            "so it was not opened. " + _DOWNLOAD_AGAIN)  # fmt: skip
    names = {e.filename for e in entries}
    if names & set(_MACRO_NAMES):
        raise UploadRefused("This workbook contains macros. Gatehouse does not take files with macros: "
                            + _DOWNLOAD_AGAIN)  # fmt: skip
    if "xl/workbook.xml" not in names:
        kind = office_kind(io.BytesIO(raw), len(raw))
        what = f"This is {kind}, not" if kind and kind != EXCEL else "This is not"
        raise UploadRefused(f"{what} an Excel workbook. " + _DOWNLOAD_AGAIN)


def _load(raw: bytes, *, data_only: bool):
    from openpyxl import load_workbook  # imported when needed: most pages never read a workbook

    try:
        return load_workbook(io.BytesIO(raw), read_only=True, data_only=data_only, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file; all mean the same here
        raise UploadRefused("This workbook is damaged and cannot be read. " + _DOWNLOAD_AGAIN) from error


def _sheet_rows(book, title: str) -> list[tuple]:
    if title not in book.sheetnames:
        raise UploadRefused(f"This is not the spreadsheet Gatehouse made for this return (it has no '{title}' "
                            f"sheet). " + _DOWNLOAD_AGAIN)  # fmt: skip
    found = []
    try:  # read-only sheets are parsed as they are read: a damaged or hostile sheet fails here, not on opening
        for number, row in enumerate(book[title].iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                raise UploadRefused(f"The '{title}' sheet has more than {MAX_ROWS} rows: is this the right file?")
            found.append(row)
    except UploadRefused:
        raise
    except Exception as error:  # a sheet's XML that does not parse (cut short, entities declared), or bad cells
        raise UploadRefused("This workbook is damaged and cannot be read. " + _DOWNLOAD_AGAIN) from error
    return found


def _workbook_rows(raw: bytes, expected: Expected) -> list[list]:
    book = _load(raw, data_only=False)
    try:
        _check_about(_sheet_rows(book, ABOUT_SHEET), expected)
        table = [list(r) for r in _sheet_rows(book, DATA_SHEET)]
    finally:
        book.close()
    formulas = [(r, c) for r, row in enumerate(table) for c, v in enumerate(row) if isinstance(v, str) and
                v.startswith("=")]  # fmt: skip
    if not formulas:
        return table
    values_book = _load(raw, data_only=True)  # the values Excel saved with each formula: nothing is evaluated
    try:
        values = [list(r) for r in _sheet_rows(values_book, DATA_SHEET)]
    finally:
        values_book.close()
    for r, c in formulas:
        cached = values[r][c] if r < len(values) and c < len(values[r]) else None
        if cached is None:
            raise UploadRefused(f"Cell {_cell_name(r, c)} holds a formula with no saved value. Type the value "
                                "itself, or open the file in Excel, save it and upload it again.")  # fmt: skip
        table[r][c] = cached
    return table


def _cell_name(row_index: int, column_index: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column_index + 1)}{row_index + 1}"


def _about_values(about_rows: list[tuple]) -> dict[str, str]:
    return {as_text(r[0]): as_text(r[1]) for r in about_rows if r and len(r) >= 2 and r[0] is not None}


def _check_about(about_rows: list[tuple], expected: Expected) -> None:
    about = _about_values(about_rows)
    if about.get("school") != expected.dfe_number:
        raise UploadRefused(f"This spreadsheet was made for another school ({about.get('school') or 'unknown'}), "
                            f"not yours ({expected.dfe_number}). " + _DOWNLOAD_AGAIN)  # fmt: skip
    if about.get("return") != str(expected.return_id) or about.get("period") != str(expected.instance_id):
        raise UploadRefused(f"This spreadsheet is for another return ({about.get('title') or 'unknown'}"
                            f"{', ' + about['period_label'] if about.get('period_label') else ''}), not "
                            f"{expected.title}. " + _DOWNLOAD_AGAIN)  # fmt: skip
    if about.get("version") != str(expected.version):
        raise UploadRefused(f"This spreadsheet was made for version {about.get('version')} of {expected.title}; the "
                            f"LA has changed the return since (it is now version {expected.version}). Download the "
                            "new spreadsheet and copy your answers into it.")  # fmt: skip


def _csv_text(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")  # what Excel writes for plain "CSV (Comma delimited)" in England
    except UnicodeDecodeError as error:
        raise UploadRefused("This CSV file is in a character encoding Gatehouse cannot read. In Excel choose Save As, "
                            "'CSV UTF-8 (Comma delimited)', and upload that file.") from error


def _csv_rows(raw: bytes) -> list[list]:
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UploadRefused("This is not a CSV file. Upload the .xlsx spreadsheet, or a .csv saved from it.")
    text = _csv_text(raw)
    try:
        found = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise UploadRefused(f"This CSV file cannot be read: {error}.") from error
    if len(found) > MAX_ROWS + 1:
        raise UploadRefused(f"This CSV file has more than {MAX_ROWS} rows: is this the right file?")
    return found


def _check_headings(table: list[list], expected: Expected) -> None:
    wanted = expected.headings
    got = [as_text(v) for v in (table[0] if table else [])]
    while got and got[-1] == "":
        got.pop()
    if got == wanted:
        return
    for number, heading in enumerate(wanted):
        given = got[number] if number < len(got) else ""
        if given != heading:
            letter = _column_letter(number)
            raise UploadRefused(f"Column {letter} should be headed '{heading}' but is "
                                f"{repr(given) if given else 'empty'}. Columns must not be renamed, moved, added or "
                                "removed: " + _DOWNLOAD_AGAIN[0].lower() + _DOWNLOAD_AGAIN[1:])  # fmt: skip
    raise UploadRefused(f"There are more columns than the return has ({len(got)}, not {len(wanted)}). Columns must "
                        "not be added: " + _DOWNLOAD_AGAIN[0].lower() + _DOWNLOAD_AGAIN[1:])  # fmt: skip


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _from_table(table: list[list], expected: Expected, rows: list[dict]) -> Read:
    _check_headings(table, expected)
    cols = columns(expected.definition)
    data = [(n, r) for n, r in enumerate(table[1:], start=2) if any(as_text(v) for v in r)]
    if expected.definition.is_pupil_list:
        return Read(_pupil_answers(data, cols, rows))
    if len(data) > 1:
        raise UploadRefused(f"This return is a single form: it takes one row of answers, not {len(data)}.")
    if not data:
        return Read({rows[0]["position"]: {}})
    return Read({rows[0]["position"]: _answers_of(data[0][1], cols)})


def _answers_of(values: list, cols) -> dict:
    padded = list(values) + [None] * (len(cols) - len(values))
    return {c.key: _cell(padded[n]) for n, c in enumerate(cols) if c.key}


def _cell(value):
    return value if not isinstance(value, str) else value.strip()


def _pupil_answers(data: list[tuple[int, list]], cols, rows: list[dict]) -> dict[int, dict]:
    by_upn = {r["upn"]: r["position"] for r in rows if r.get("upn")}
    upn_at = next(n for n, c in enumerate(cols) if c.field == "upn")
    seen: dict[str, int] = {}
    answers = {}
    for line, values in data:
        upn = as_text(values[upn_at] if upn_at < len(values) else "").upper()
        if upn in seen:
            raise UploadRefused(f"Pupil {upn} is in the spreadsheet twice (rows {seen[upn]} and {line}). Each pupil "
                                "must appear once.")  # fmt: skip
        if upn not in by_upn:
            what = f"UPN {upn}" if upn else "A row with no UPN"
            raise UploadRefused(f"Row {line}: {what} is not one of the pupils in this return's list. Rows must not "
                                "be added, and UPNs must not be changed.")  # fmt: skip
        seen[upn] = line
        answers[by_upn[upn]] = _answers_of(values, cols)
    return answers
