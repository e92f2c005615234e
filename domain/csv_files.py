"""CSV files that people open in a spreadsheet: UTF-8 with a byte-order mark (so Excel reads accents right), every
cell made formula-safe. Pure: rows in, bytes out. Every CSV Gatehouse writes goes through :func:`csv_chunks`
(downloads through ``web.downloads.csv_download``); the spreadsheets it writes use :func:`csv_cell` too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

#: What a spreadsheet takes as the start of a formula (and tab or carriage return, which some read past).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def csv_cell(value: object) -> object:
    """Make a value safe for a spreadsheet: text starting like a formula gets a leading quote.

    Spreadsheets run cells beginning with = + - @ (and tab or carriage return) as formulas; many cells
    carry text typed by someone else (a failed sign-in's email, a school's note), so it is neutralised.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(header: Iterable[str], body: Iterable[Iterable], *, bom: bool = True, rows_per_chunk: int = 1000
               ) -> Iterator[bytes]:  # fmt: skip
    """A CSV file in UTF-8 chunks of ``rows_per_chunk`` rows: a byte-order mark (unless ``bom`` is false, e.g. for
    standard output), ``header``, then each row of ``body`` with None written empty and every cell formula-safe.
    Streams: ``body`` is read as the chunks are taken."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        buffer.write(BOM)
    writer.writerow(header)
    for count, values in enumerate(body, start=1):
        writer.writerow([csv_cell("" if v is None else v) for v in values])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
