"""A plain ``.xlsx`` written fast: sheets of rows (text and numbers) streamed as SpreadsheetML straight into
the zip, for exports too large for openpyxl to write in time (600 schools x 300 rows is 3 million cells).

Only values: no styles, formulas or validation. Text is written as inline strings, so a value is never
read as a formula, whatever it starts with (exports escape such values anyway: see
``models.local_return_files``); characters XML cannot hold are left out.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable


def escape(text: str, quotes: bool = False) -> str:
    """``text`` safe inside an XML element (and, with ``quotes``, inside a double-quoted attribute)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quotes else text


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{sheets}</Types>'
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets>'
    "</workbook>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>'
)
_SHEET_REL = (
    '<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet{n}.xml"/>'
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"


def _cell(value: object) -> str:
    if value.__class__ is not str:
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        elif isinstance(value, int | float):
            return f"<c><v>{value}</v></c>"
        else:
            value = str(value)
    if not value:
        return "<c/>"
    return f'<c t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


_TEXT_START = '<c t="inlineStr"><is><t>'  # spaces at either end are not kept (answers are trimmed)
_TEXT_END = "</t></is></c>"


def _row(values: list) -> str:
    """One row's XML. A row of text only (an export's rows) is escaped and joined in one go rather than cell by
    cell; a row with numbers, or a value holding the separator, goes cell by cell."""
    try:
        joined = "\x00".join(values)  # raises TypeError for a row with numbers
    except TypeError:
        joined = None
    if joined is None or joined.count("\x00") != len(values) - 1:
        return "<row>" + "".join(map(_cell, values)) + "</row>"
    return "<row>" + _TEXT_START + escape(joined).replace("\x00", _TEXT_END + _TEXT_START) + _TEXT_END + "</row>"


def write_xlsx(sheets: Iterable[tuple[str, Iterable[Iterable[object]]]]) -> bytes:
    """An ``.xlsx`` of the named sheets (names up to 31 characters, no ``[]:*?/\\``), each a sequence of rows."""
    buffer = io.BytesIO()
    names = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for number, (name, rows) in enumerate(sheets, start=1):
            names.append(name)
            with archive.open(f"xl/worksheets/sheet{number}.xml", "w") as part:
                part.write(_SHEET_START.encode())
                chunk = []
                for row in rows:
                    chunk.append(_row(row))
                    if len(chunk) == 1000:
                        part.write(_NOT_XML.sub("", "".join(chunk)).encode())  # once a chunk, not a cell
                        chunk = []
                part.write((_NOT_XML.sub("", "".join(chunk)) + _SHEET_END).encode())
        numbers = range(1, len(names) + 1)
        archive.writestr("[Content_Types].xml",
                         _CONTENT_TYPES.format(sheets="".join(_SHEET_TYPE.format(n=n) for n in numbers)))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.format(sheets="".join(
            f'<sheet name="{escape(name, quotes=True)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, name in zip(numbers, names, strict=True))))
        archive.writestr("xl/_rels/workbook.xml.rels",
                         _WORKBOOK_RELS.format(rels="".join(_SHEET_REL.format(n=n) for n in numbers)))
    return buffer.getvalue()
