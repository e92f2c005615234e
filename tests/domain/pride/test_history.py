"""The history CSV is read row by row; each problem names its row."""

from __future__ import annotations

from domain.pride.history import read_history

HEADER = b"DfE number,Academic year,Term,Incidents\n"


def test_good_rows_are_read():
    data = b"\xef\xbb\xbf" + HEADER + b'873/2001,2023/24,Autumn term,4\n8732002,2022,,"1,200"\n'
    rows, problems = read_history(data)
    assert problems == []
    assert [(r.dfe_number, r.academic_year, r.term, r.incidents) for r in rows] == [
        ("8732001", 2023, "autumn", 4),
        ("8732002", 2022, "year", 1200),
    ]


def test_each_problem_names_its_row():
    data = HEADER + b"873/20,2023/25,winter,x\n873/2001,2023/24,spring,1\n873/2001,2023/24,spring,2\n"
    rows, problems = read_history(data + b"873/2001,2023/24,,3\n")
    assert problems == [
        "Row 2: the DfE number must be 7 digits, for example 873/2001",
        "Row 2: the academic year must be like 2023/24",
        "Row 2: the term must be autumn, spring, summer, or blank for the whole year",
        "Row 2: the number of incidents must be a whole number from 0 to 100,000",
        "Row 4: the same school, year and term as row 3",
        "Row 5: a school's year is either one whole-year row or rows by term, not both",
    ]


def test_a_missing_column_or_an_empty_file():
    assert read_history(b"")[1] == [
        "The file is empty: it needs a header row (DfE number, Academic year, Term, Incidents)"
    ]
    assert read_history(b"School,Year\n")[1] == [
        "The header row has no DfE number or Academic year or Incidents column"
    ]
    assert read_history(HEADER)[1] == ["The file has no rows after the header"]
