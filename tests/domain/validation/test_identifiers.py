"""UPN and ULN checks against every example in the domain brief."""
from __future__ import annotations

import pytest

from domain.validation.identifiers import (
    CHECK_LETTERS,
    TEMPORARY_SERIALS,
    generate_temporary_upn,
    generate_upn,
    la_codes,
    uln_is_valid,
    upn_check_letter,
    upn_is_valid,
    upn_problems,
    upn_serial,
)

VALID_UPNS = ["H801200001001", "B801200005001", "G80120000101A", "R201100018042", "T20110001804V",
              "W80120000101B", "Y801200001022", "Z801200001013", "P207000016049"]
VALID_ULNS = ["0000000042", "1234567899", "4999999993", "5555555554", "1000000000"]
INVALID_ULNS = ["1234567890", "9876543210", "9999999999", "123456789", "12345678999", "123456789X", "", None,
                "１２３４５６７８９９"]


@pytest.mark.parametrize("upn", VALID_UPNS)
def test_valid_upns_pass(upn):
    assert upn_problems(upn) == []
    assert upn_is_valid(upn)


def test_the_vendor_example_with_a_wrong_check_letter_fails():
    # Characters 2-13 weighted 2..13 sum to 266; 266 mod 23 = 13 -> P, not Q.
    assert upn_problems("Q207000016049") == ["1510"]
    assert upn_check_letter("207000016049") == "P"


def test_y_and_z_check_letters_and_temporary_letters_count_as_their_index():
    assert upn_check_letter("801200001022") == "Y"
    assert upn_check_letter("801200001013") == "Z"
    assert upn_check_letter("80120000101A") == "G"  # A counts 0, not ignored
    assert upn_check_letter("80120000101B") == "W"  # B counts 1, not 0


@pytest.mark.parametrize("upn, rules", [
    ("", ["1500"]),
    (None, ["1500"]),
    ("A801200001001", ["1510"]),
    ("h801200001001", ["1510"]),
    ("I801200001001", ["1510"]),
    ("L999400115002", ["1530"]),
    ("H8012X0001001", ["1540"]),
    ("H80120000100I", ["1550"]),
    ("H80120000100O", ["1550"]),
    ("H80120000100", ["1550"]),
    ("H8012000010011", ["1550"]),
    ("HABC200001001", ["1530"]),
])
def test_broken_upns_name_the_rules_they_break(upn, rules):
    assert upn_problems(upn) == rules
    assert not upn_is_valid(upn)


@pytest.mark.parametrize("la", ["838", "839", "940", "941", "942", "943", "835", "836", "837", "201", "681"])
def test_old_and_new_la_codes_are_recognised(la):
    assert la in la_codes()
    assert upn_is_valid(generate_upn(la, "4001", 2024, 7))


def test_la_codes_come_from_the_data_file():
    codes = la_codes()
    assert codes["873"] == "Cambridgeshire"
    assert "999" not in codes and len(codes) > 150


def test_generate_upn_builds_a_valid_permanent_upn():
    upn = generate_upn("873", "4001", 2026, 12)
    assert upn[1:] == "873400126012" and upn_is_valid(upn)
    assert generate_upn(873, 4001, 26, 12) == upn


@pytest.mark.parametrize("args", [("999", "4001", 2026, 1), ("873", "40A1", 2026, 1), ("873", "4001", 2026, 1000),
                                  ("873", "4001", 2026, -1), ("873", "40011", 2026, 1)])
def test_generate_upn_refuses_bad_parts(args):
    with pytest.raises(ValueError):
        generate_upn(*args)


def test_every_serial_makes_a_distinct_valid_upn():
    upns = {generate_upn("801", "2000", 2012, serial) for serial in range(1000)}
    assert len(upns) == 1000 and all(upn_is_valid(u) for u in upns)


def test_check_letter_table_has_no_i_o_or_s():
    assert len(CHECK_LETTERS) == 23 and not set("IOS") & set(CHECK_LETTERS)


@pytest.mark.parametrize("uln", VALID_ULNS)
def test_valid_ulns_pass(uln):
    assert uln_is_valid(uln)


@pytest.mark.parametrize("uln", INVALID_ULNS)
def test_invalid_ulns_fail(uln):
    assert not uln_is_valid(uln)


def test_temporary_upns_end_in_a_letter_and_count_through_the_serials():
    # DOMAIN.md's valid temporary UPNs: 801/2000, issued in 2001, 01A and 01B
    assert generate_temporary_upn("801", "2000", 2001, 23) == "G80120000101A"
    assert generate_temporary_upn("801", "2000", 2001, 24) == "W80120000101B"
    assert generate_temporary_upn("873", "2001", 2026, 0)[10:] == "00A"
    made = [generate_temporary_upn("873", "2001", 2026, s) for s in TEMPORARY_SERIALS]
    assert len(set(made)) == len(TEMPORARY_SERIALS) == 2300 and all(upn_is_valid(u) for u in made)
    assert [upn_serial(u) for u in made[:3]] == [("temporary", 0), ("temporary", 1), ("temporary", 2)]
    assert upn_serial(generate_upn("873", "2001", 2026, 41)) == ("permanent", 41)
    assert upn_serial("Q207000016049") is None  # a wrong check letter
    with pytest.raises(ValueError):
        generate_temporary_upn("873", "2001", 2026, 2300)
