"""The fast .xlsx writer of exports: what openpyxl (and so Excel) reads back is what was written."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from domain.local_returns.xlsx_writer import write_xlsx


def test_text_numbers_and_awkward_characters_read_back_as_written():
    rows = [
        ["Name", "Note", "Count"],
        ["Ann & Bo <twins>", "=not a formula", "3"],
        ["Cy", "a\x00b\x07c", 7],  # NUL and BEL cannot be in XML: left out; a number stays a number
        ["", "\"quoted\" 'single'", 2.5],
    ]
    book = load_workbook(io.BytesIO(write_xlsx([("Answers", rows), ('Sum "mary"', [["Total", 12]])])))
    assert book.sheetnames == ["Answers", 'Sum "mary"']
    assert list(book["Answers"].iter_rows(values_only=True)) == [
        ("Name", "Note", "Count"),
        ("Ann & Bo <twins>", "=not a formula", "3"),
        ("Cy", "abc", 7),
        (None, "\"quoted\" 'single'", 2.5),
    ]
    assert all(cell.data_type != "f" for row in book["Answers"].iter_rows() for cell in row)
    assert list(book['Sum "mary"'].iter_rows(values_only=True)) == [("Total", 12)]


def test_a_long_sheet_is_written_in_chunks():
    rows = ([str(n), f"row {n}"] for n in range(2500))
    sheet = load_workbook(io.BytesIO(write_xlsx([("Answers", rows)])), read_only=True)["Answers"]
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 2500 and values[-1] == ("2499", "row 2499")
