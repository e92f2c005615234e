"""Staff identifiers in a School Workforce Census return: teacher reference number and National
Insurance number.

TRN (teacher reference number): 7 digits, issued by the Teaching Regulation Agency.

National Insurance number (HMRC's National Insurance Manual, NIM39110): two prefix letters, six
digits and a suffix letter A, B, C or D. The first letter is never D, F, I, Q, U or V; the second
never D, F, I, O, Q, U or V; the prefixes BG, GB, KN, NK, NT, TN and ZZ are never issued (TN marks
a temporary number).
"""
from __future__ import annotations

import re

_TRN = re.compile(r"[0-9]{7}")
_NI_NUMBER = re.compile(r"[A-Z]{2}[0-9]{6}[A-D]")
NI_FIRST_LETTERS_NOT_ISSUED = frozenset("DFIQUV")
NI_SECOND_LETTERS_NOT_ISSUED = frozenset("DFIOQUV")
NI_PREFIXES_NOT_ISSUED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def trn_is_valid(trn: str | None) -> bool:
    """True when ``trn`` is exactly 7 digits."""
    return bool(trn) and _TRN.fullmatch(trn) is not None


def ni_number_has_valid_form(number: str | None) -> bool:
    """True when ``number`` is two capital letters, six digits and A, B, C or D (no spaces)."""
    return bool(number) and _NI_NUMBER.fullmatch(number) is not None


def ni_prefix_not_issued(number: str) -> str | None:
    """The prefix of a well-formed NI number when HMRC never issues it (e.g. "TN", "QQ"), else None."""
    prefix = number[:2]
    if (prefix[0] in NI_FIRST_LETTERS_NOT_ISSUED or prefix[1] in NI_SECOND_LETTERS_NOT_ISSUED
            or prefix in NI_PREFIXES_NOT_ISSUED):
        return prefix
    return None
