"""Pupil identifiers: UPN (Unique Pupil Number), ULN (Unique Learner Number) and LA codes.

UPN: 13 characters ``C LLL EEEE YY NNN`` -- a check letter, the issuing school's LA code
and establishment number, the last two digits of the academic year of issue and a 3-digit
serial. A temporary UPN ends in a letter instead of the last digit. The check letter is the
sum of characters 2..13 weighted by their position (2..13), mod 23, looked up in
``CHECK_LETTERS``; a trailing temporary letter counts as its index in that same table.

ULN: 10 digits; weights 10..2 on digits 1..9, r = sum mod 11, r = 0 is invalid, otherwise
the check digit is 10 - r.
"""
from __future__ import annotations

import functools
import re
from operator import mul
from pathlib import Path

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
LA_CODES_FILE = Path(__file__).resolve().parents[2] / "data" / "la_codes.tsv"

_UPN_WEIGHTS = tuple(range(2, 14))
_CHAR_VALUE = {**{str(d): d for d in range(10)}, **{ch: i for i, ch in enumerate(CHECK_LETTERS)}}
# Weighted sums of UPN characters 11-13 (serial, or a temporary UPN's digits and letter).
_SERIAL_SUMS = {
    f"{a}{b}{c}": 11 * a + 12 * b + 13 * _CHAR_VALUE[c]
    for a in range(10) for b in range(10) for c in _CHAR_VALUE
}
_PREFIX_SUMS: dict[str, int] = {}
_PREFIX_CACHE_LIMIT = 100_000
_ULN_SHAPE = re.compile(r"[0-9]{10}")
_ULN_WEIGHTS = tuple(range(10, 1, -1))


@functools.cache
def la_codes() -> dict[str, str]:
    """Every recognised LA code mapped to its name, read once from ``data/la_codes.tsv``.

    Old codes (e.g. 835, 836, 837 before 2019) stay in the file because they live on inside
    UPNs issued before a reorganisation. Raises OSError if the data file is missing.
    """
    codes: dict[str, str] = {}
    with open(LA_CODES_FILE, encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            code, _, name = line.rstrip("\n").partition("\t")
            if code:
                codes[code] = name
    return codes


def upn_key(text: str | None) -> str:
    """A UPN (or former UPN) as it is compared: white space removed, upper case. "" when absent."""
    return "".join((text or "").split()).upper()


def upn_check_letter(tail: str) -> str:
    """The check letter for UPN characters 2..13 (``tail``, 12 characters).

    Digits count as their value and a trailing temporary letter as its index in
    ``CHECK_LETTERS``. Raises ValueError if ``tail`` is not 12 such characters.
    """
    if len(tail) != 12:
        raise ValueError(f"a UPN has 12 characters after the check letter, not {len(tail)}")
    try:
        values = [_CHAR_VALUE[ch] for ch in tail]
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} cannot appear in a UPN") from None
    return CHECK_LETTERS[sum(map(mul, values, _UPN_WEIGHTS)) % 23]


def _prefix_sum(prefix: str) -> int:
    """Weighted sum of UPN characters 2-10 (LA code, establishment, year), or -1 if they are
    not nine digits starting with a recognised LA code. Cached: few prefixes recur a lot."""
    total = _PREFIX_SUMS.get(prefix)
    if total is None:
        ok = _is_digits(prefix, 9) and prefix[:3] in la_codes()
        total = sum(int(ch) * w for ch, w in zip(prefix, _UPN_WEIGHTS[:9], strict=True)) if ok else -1
        if len(_PREFIX_SUMS) >= _PREFIX_CACHE_LIMIT:
            _PREFIX_SUMS.clear()
        _PREFIX_SUMS[prefix] = total
    return total


def upn_is_valid(upn: str | None) -> bool:
    """True when the UPN breaks none of rules 1500-1550. Fast: used once per pupil. Never raises."""
    if not upn or len(upn) != 13:
        return False
    prefix = _prefix_sum(upn[1:10])
    serial = _SERIAL_SUMS.get(upn[10:])
    return prefix >= 0 and serial is not None and CHECK_LETTERS[(prefix + serial) % 23] == upn[0]


def upn_problems(upn: str | None) -> list[str]:
    """The DfE rule numbers a UPN breaks, in numeric order; an empty list means valid.

    1500 missing; 1510 wrong (or impossible) check letter; 1530 characters 2-4 not a
    recognised LA code; 1540 characters 5-12 not all digits; 1550 character 13 missing or
    not a digit or allowed letter. The check letter is only judged when characters 2-13 are
    well formed, since it cannot be computed otherwise. Never raises.
    """
    if not upn:
        return ["1500"]
    if upn_is_valid(upn):
        return []
    problems = []
    if upn[1:4] not in la_codes():
        problems.append("1530")
    if not _is_digits(upn[4:12], 8):
        problems.append("1540")
    if len(upn) != 13 or upn[12] not in _CHAR_VALUE:
        problems.append("1550")
    tail_computable = not problems or (problems == ["1530"] and _is_digits(upn[1:4], 3))
    if tail_computable and upn[0] != upn_check_letter(upn[1:]):
        problems.insert(0, "1510")
    return problems


def _is_digits(text: str, length: int) -> bool:
    """True when ``text`` is exactly ``length`` ASCII digits."""
    return len(text) == length and text.isascii() and text.isdigit()


#: Serials a school can issue in one academic year: permanent UPNs end 001-999; temporary ones end in two digits
#: and a letter (00A, 00B, ... 99Z: 100 x 23).
PERMANENT_SERIALS = range(1, 1000)
TEMPORARY_SERIALS = range(0, 100 * len(CHECK_LETTERS))


def upn_stem(la: str | int, estab: str | int, year: int) -> str:
    """``LLLEEEEYY``: characters 2-10 of the UPNs a school issues in academic year ``year`` (its last two
    digits). Raises ValueError for an LA code that is not recognised, an establishment number that is not
    4 digits or a negative year."""
    la, estab = f"{la}".zfill(3), f"{estab}".zfill(4)
    if not (la.isdigit() and len(la) == 3 and la in la_codes()):
        raise ValueError(f"{la} is not a recognised 3-digit LA code")
    if not (estab.isdigit() and len(estab) == 4):
        raise ValueError(f"{estab} is not a 4-digit establishment number")
    if year < 0:
        raise ValueError(f"year {year} is negative")
    return f"{la}{estab}{year % 100:02d}"


def generate_upn(la: str | int, estab: str | int, year: int, serial: int) -> str:
    """A new permanent UPN as a school issues it: LA + establishment + year + serial, with the
    check letter in front.

    ``la`` is a 3-digit LA code, ``estab`` a 4-digit establishment number, ``year`` the
    academic year of issue (its last two digits are used) and ``serial`` 0..999.
    Raises ValueError if any part is out of range or the LA code is not recognised.
    """
    if not 0 <= serial <= 999:
        raise ValueError(f"serial {serial} is outside 0-999")
    tail = f"{upn_stem(la, estab, year)}{serial:03d}"
    return upn_check_letter(tail) + tail


def generate_temporary_upn(la: str | int, estab: str | int, year: int, serial: int) -> str:
    """A temporary UPN (for a pupil whose permanent UPN is not known yet): LA + establishment + year, two digits
    and a letter in place of the last digit, with the check letter in front. ``serial`` counts through
    :data:`TEMPORARY_SERIALS` (0 is ``00A``, 22 is ``00Z``, 23 is ``01A``). Raises ValueError as
    :func:`generate_upn` does, or for a serial outside that range."""
    if serial not in TEMPORARY_SERIALS:
        raise ValueError(f"temporary serial {serial} is outside 0-{TEMPORARY_SERIALS[-1]}")
    digits, letter = divmod(serial, len(CHECK_LETTERS))
    tail = f"{upn_stem(la, estab, year)}{digits:02d}{CHECK_LETTERS[letter]}"
    return upn_check_letter(tail) + tail


def upn_serial(upn: str) -> tuple[str, int] | None:
    """``("permanent" | "temporary", serial)`` of a valid UPN as :func:`generate_upn` and
    :func:`generate_temporary_upn` count them; None for an invalid UPN."""
    if not upn_is_valid(upn):
        return None
    if upn[12].isdigit():
        return "permanent", int(upn[10:13])
    return "temporary", int(upn[10:12]) * len(CHECK_LETTERS) + CHECK_LETTERS.index(upn[12])


#: A UK postcode as Royal Mail writes it: the outward code (area, district) and the inward code (sector, unit),
#: with or without the space; GIR 0AA is Girobank's. For use inside other patterns (no anchors).
POSTCODE_PATTERN = r"(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR)\s?[0-9][A-Z]{2}"
_POSTCODE = re.compile(POSTCODE_PATTERN, re.IGNORECASE)


def postcode_is_valid(text: str | None) -> bool:
    """True when ``text`` (spaces around it ignored) is a UK postcode's shape, e.g. ``CB3 0AP`` or ``cb30ap``."""
    return bool(text) and _POSTCODE.fullmatch(text.strip()) is not None


def uln_is_valid(uln: str | None) -> bool:
    """True when ``uln`` is 10 digits whose last is the mod-11 check digit. Never raises."""
    if not uln or not _ULN_SHAPE.fullmatch(uln):
        return False
    r = sum(map(mul, map(int, uln[:9]), _ULN_WEIGHTS)) % 11
    return r != 0 and int(uln[9]) == 10 - r
