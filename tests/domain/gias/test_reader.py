"""The pure GIAS reader: encodings, header by name, normalised records and skip reasons."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import pytest

from domain.gias.reader import (
    Closed,
    Establishment,
    GiasFileError,
    Skipped,
    is_academy,
    open_extract,
    parse_la_codes,
)
from tests.domain.gias.files import (
    HEADER,
    drop_columns,
    generate_gias,
    gias_bytes,
    gias_row,
    gias_text,
    read_rows,
    reorder_columns,
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The generator's extract: 60 schools in each of LAs 873 and 855."""
    return generate_gias(tmp_path_factory.mktemp("gias") / "gias.csv")


def records_of(data: bytes, la_codes=("873",)) -> list:
    return list(open_extract(data).records(la_codes))


def test_generated_extract_keeps_only_the_chosen_la_and_open_statuses(generated):
    rows = read_rows(generated)
    expected = Counter(r["EstablishmentStatus (code)"] for r in rows if r["LA (code)"] == "873")
    records = records_of(generated.read_bytes())
    kinds = Counter(type(r).__name__ for r in records)

    assert kinds["Establishment"] == expected["1"] + expected["3"]
    assert kinds["Closed"] == expected["2"]
    assert [r.reason for r in records if isinstance(r, Skipped)] == ["other LA"] * 60
    establishments = [r for r in records if isinstance(r, Establishment)]
    assert {r.la_code for r in establishments} == {"873"}
    assert {r.la_name for r in establishments} == {"Cambridgeshire"}
    assert {r.status for r in establishments} <= {"open", "proposed_to_close"}
    assert sum(r.status == "proposed_to_close" for r in establishments) == expected["3"]


def test_fields_are_normalised(generated):
    rows = {r["URN"]: r for r in read_rows(generated)}
    school = next(r for r in records_of(generated.read_bytes()) if isinstance(r, Establishment))
    row = rows[str(school.urn)]
    assert school.estab == row["EstablishmentNumber"]
    assert school.dfe_number == "873" + row["EstablishmentNumber"]
    assert school.name == row["EstablishmentName"]
    assert school.ukprn == row["UKPRN"]
    assert school.postcode == row["Postcode"]
    assert (school.low_age, school.high_age) == (int(row["StatutoryLowAge"]), int(row["StatutoryHighAge"]))
    assert school.opened_on == "1998-09-01"
    assert school.line >= 2


def test_several_las_at_once(generated):
    records = records_of(generated.read_bytes(), ("873", "855"))
    assert not [r for r in records if isinstance(r, Skipped)]
    assert {r.la_code for r in records} == {"873", "855"}


def test_columns_in_another_order_give_the_same_records(generated):
    data = generated.read_bytes()
    original = records_of(data)
    reordered = records_of(reorder_columns(data))
    assert reordered == original


def test_windows_1252_characters_round_trip():
    data = gias_bytes([gias_row(EstablishmentName="Saint Bede’s Inter-Church School – Année")])
    assert "’".encode("cp1252") in data
    extract = open_extract(data)
    (school,) = extract.records(["873"])
    assert school.name == "Saint Bede’s Inter-Church School – Année"
    assert extract.encoding == "cp1252" and extract.notes == []


@pytest.mark.parametrize("encoding,name", [("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8")])
def test_utf8_is_accepted_with_a_note(encoding, name):
    data = gias_bytes([gias_row(EstablishmentName="Saint Bede’s")], encoding=encoding)
    extract = open_extract(data)
    (school,) = extract.records(["873"])
    assert school.name == "Saint Bede’s"
    assert extract.encoding == name
    assert "UTF-8" in extract.notes[0]


@pytest.mark.parametrize(
    "data,words",
    [
        (gias_text([gias_row()]).encode("utf-16"), "UTF-16"),
        (gias_text([gias_row()]).encode("utf-16-le"), "NUL bytes"),
        (b"PK\x03\x04" + bytes(100), "ZIP archive"),
        (random.Random(1).randbytes(5000), "NUL bytes"),
        (b"URN,Name\n1,Caf\x81\n", "not valid Windows-1252"),
        (b"\xef\xbb\xbfURN\n\xff\n", "not valid UTF-8"),
        (b"", "empty"),
        (b"  \r\n", "empty"),
        (b"hello world\nthis is not a csv", "not a GIAS establishments extract"),
        (bytes(range(1, 256)) * 20, "not valid Windows-1252"),
        (bytes(b for b in range(1, 256) if b not in b"\x81\x8d\x8f\x90\x9d") * 20, "not a GIAS establishments"),
    ],
    ids=["utf16-bom", "utf16-no-bom", "zip", "random-bytes", "undefined-cp1252", "bad-utf8", "empty", "blank",
         "prose", "high-bytes", "decodable-bytes"],
)
def test_wrong_files_are_refused_with_a_clear_message(data, words):
    with pytest.raises(GiasFileError, match=words):
        open_extract(data)


def test_missing_columns_are_named(generated):
    data = drop_columns(generated.read_bytes(), "UKPRN", "Postcode")
    with pytest.raises(GiasFileError) as caught:
        open_extract(data)
    assert "missing required columns: 'UKPRN', 'Postcode'" in str(caught.value)


def test_one_missing_column(generated):
    with pytest.raises(GiasFileError, match="missing a required column: 'EstablishmentNumber'"):
        open_extract(drop_columns(generated.read_bytes(), "EstablishmentNumber"))


def test_a_column_named_twice_is_refused():
    with pytest.raises(GiasFileError, match="more than once: 'URN'"):
        open_extract(gias_bytes([gias_row()], header=[*HEADER, "URN"]))


def test_header_names_match_ignoring_case_and_spacing():
    header = [" la  (CODE) " if h == "LA (code)" else h for h in HEADER]
    rows = [{(" la  (CODE) " if k == "LA (code)" else k): v for k, v in gias_row().items()}]
    (school,) = records_of(gias_bytes(rows, header=header))
    assert school.la_code == "873"


def test_only_the_required_columns_are_enough():
    header = ["URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName",
              "TypeOfEstablishment (name)", "EstablishmentStatus (code)", "PhaseOfEducation (name)",
              "StatutoryLowAge", "StatutoryHighAge", "UKPRN", "Postcode"]
    (school,) = records_of(gias_bytes([gias_row()], header=header))
    assert school.name == "Fenland Primary School" and school.opened_on is None


@pytest.mark.parametrize(
    "fields,reason",
    [
        ({"EstablishmentNumber": ""}, "missing establishment number"),
        ({"EstablishmentNumber": "20A1"}, "establishment number is not a number of up to 4 digits"),
        ({"URN": ""}, "missing URN"),
        ({"URN": "11x001"}, "URN is not a number of up to 7 digits"),
        ({"EstablishmentName": "  "}, "missing establishment name"),
        ({"EstablishmentStatus (code)": "4"}, "not open yet (status 4, proposed to open)"),
        ({"EstablishmentStatus (code)": "9"}, "unknown establishment status"),
        ({"EstablishmentStatus (code)": ""}, "missing establishment status"),
        ({"LA (code)": "855"}, "other LA"),
    ],
)
def test_skip_reasons(fields, reason):
    (record,) = records_of(gias_bytes([gias_row(**fields)]))
    assert isinstance(record, Skipped)
    assert record.reason == reason


def test_closed_rows_carry_their_close_date():
    (record,) = records_of(gias_bytes([gias_row(**{"EstablishmentStatus (code)": "2", "CloseDate": "31-08-2025"})]))
    assert record == Closed(line=2, urn=110001, la_code="873", la_name="Cambridgeshire", closed_on="2025-08-31")


def test_duplicates_in_the_file_are_skipped():
    rows = [
        gias_row(),
        gias_row(EstablishmentNumber="2002"),  # same URN
        gias_row(URN="110003"),  # same DfE number
        gias_row(URN="110004", EstablishmentNumber="2004"),
    ]
    records = records_of(gias_bytes(rows))
    assert [getattr(r, "reason", "kept") for r in records] == [
        "kept", "duplicate URN in file", "duplicate DfE number in file", "kept",
    ]  # fmt: skip


def test_a_row_with_too_few_columns_is_skipped_and_blank_lines_ignored():
    text = gias_text([gias_row()]) + '"110009","873"\r\n\r\n'
    records = records_of(text.encode("cp1252"))
    assert [getattr(r, "reason", "kept") for r in records] == ["kept", "too few columns"]


def test_values_are_cleaned():
    (school,) = records_of(
        gias_bytes([gias_row(EstablishmentNumber="201", Postcode=" pe13  1ab ", UKPRN="123", OpenDate="31-02-2001",
                             StatutoryLowAge="", EstablishmentName="  Fenland   Primary ")])
    )
    assert school.estab == "0201"
    assert school.postcode == "PE13 1AB"
    assert school.ukprn is None
    assert school.opened_on is None
    assert school.low_age is None
    assert school.name == "Fenland Primary"


def test_a_row_that_is_not_csv_stops_the_reading():
    text = gias_text([gias_row()]) + '"' + "x" * 1_100_000 + '"\r\n'
    extract = open_extract(text.encode("cp1252"))
    with pytest.raises(GiasFileError, match="Line 3"):
        list(extract.records(["873"]))


def test_progress_reaches_the_end(generated):
    extract = open_extract(generated.read_bytes())
    assert extract.position == 0
    seen = []
    for _ in extract.records(["873"]):
        seen.append(extract.position)
    assert seen == sorted(seen) and 0 < seen[0] < extract.size
    assert extract.position == extract.size


@pytest.mark.parametrize(
    "type_name,group,expected",
    [
        ("Academy converter", None, True),
        ("Academy sponsor led", "", True),
        ("Free schools", None, True),
        ("University technical college", None, True),
        ("Studio schools", None, True),
        ("Community school", None, False),
        ("Voluntary aided school", None, False),
        ("Community school", "Academies", True),
        ("Academy converter", "Local authority maintained schools", False),
        (None, None, False),
    ],
)
def test_academy_rule(type_name, group, expected):
    assert is_academy(type_name, group) is expected


def test_the_academy_flag_follows_the_type_group_column():
    row = gias_row(
        **{"TypeOfEstablishment (name)": "Community school", "EstablishmentTypeGroup (name)": "Free Schools"}
    )
    (school,) = records_of(gias_bytes([row]))
    assert school.is_academy is True
    assert replace(school, is_academy=False).is_academy is False


def test_la_codes_are_parsed():
    assert parse_la_codes(["873"]) == ("873",)
    assert parse_la_codes(["873,855", " 886 ", "873"]) == ("873", "855", "886")
    with pytest.raises(ValueError, match="'87' is not an LA code"):
        parse_la_codes(["87"])
    with pytest.raises(ValueError, match="at least one"):
        parse_la_codes([" , "])
