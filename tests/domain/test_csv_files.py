"""One CSV writer for every download and export: a byte-order mark, formula-safe cells, streamed in chunks."""

from __future__ import annotations

import csv
import io

from domain.csv_files import csv_cell, csv_chunks


def _read(chunks) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))


def test_a_file_starts_with_a_byte_order_mark_then_the_header():
    data = b"".join(csv_chunks(["School", "Note"], [["Ábbey Primary", "fine"]]))
    assert data.startswith("\ufeffSchool,Note\r\n".encode())
    assert _read([data]) == [["School", "Note"], ["Ábbey Primary", "fine"]]


def test_cells_that_start_like_a_formula_are_neutralised_and_none_is_empty():
    rows = _read(csv_chunks(["a", "b", "c", "d"], [["=SUM(A1)", "+44 1234", None, 7], ["-2", "@x", "\tx", "ok"]]))
    assert rows[1:] == [["'=SUM(A1)", "'+44 1234", "", "7"], ["'-2", "'@x", "'\tx", "ok"]]
    assert csv_cell("'=already") == "'=already" and csv_cell(-2) == -2  # numbers are not text


def test_rows_stream_in_chunks_and_standard_output_has_no_mark():
    rows = ([str(n)] for n in range(2500))
    chunks = list(csv_chunks(["n"], rows, bom=False, rows_per_chunk=1000))
    assert len(chunks) == 3 and not chunks[0].startswith("\ufeff".encode())
    assert [r[0] for r in _read(chunks)] == ["n", *map(str, range(2500))]
