"""Normalising the fields duplicate detection compares: exact after normalising, never fuzzy.

Names are compared after folding case, removing accents (é → e, and letters that do not decompose:
ł → l, ø → o, æ → ae, ß → ss, ...), and removing hyphens, apostrophes and white space, so
"O'Brien" = "OBRIEN" = "O Brien", "Lewis-Ward" = "Lewis Ward", "Zoë" = "Zoe". Nothing else is
forgiven: "Jon" and "John" stay different people (a public vaccination service reverted fuzzy
matching after it merged twins).
"""

from __future__ import annotations

import re
import unicodedata

from domain.validation.identifiers import upn_key

# Letters NFKD does not split into a base letter and an accent.
_FOLDS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i",
                        "ħ": "h", "ŀ": "l"})  # fmt: skip
# Hyphens and dashes, apostrophes and quotes, and every kind of white space are ignored.
_IGNORED = re.compile(r"[\s\-‐‑‒–—―'’‘`´ʼ\"]+")
_ASCII_IGNORED = str.maketrans("", "", " \t\n\r\x0b\x0c-'`\"")


def name_key(text: str | None) -> str:
    """``text`` folded for comparison: case, accents, hyphens, apostrophes and white space removed.

    Returns "" for None or a name with nothing left (which never matches anything).
    """
    if not text:
        return ""
    if text.isascii():  # the common case, about ten times faster
        return text.lower().translate(_ASCII_IGNORED)
    folded = unicodedata.normalize("NFKD", text.casefold()).translate(_FOLDS)
    letters = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _IGNORED.sub("", letters)


def postcode_key(text: str | None) -> str:
    """A postcode for comparison: white space removed, upper case. "" when absent."""
    return upn_key(text)


def sex_key(text: str | None) -> str:
    """Sex (or the older Gender) for comparison: trimmed, upper case. "" when absent."""
    return (text or "").strip().upper()


def date_key(text: str | None) -> str:
    """A date as given (ISO ``YYYY-MM-DD``), trimmed. "" when absent."""
    return (text or "").strip()


def person_key(surname: str | None, forename: str | None, dob: str | None, sex: str | None) -> str:
    """The key two records must share to be the same person with different UPNs: normalised surname,
    forename, date of birth and sex. "" when any of the four is missing (such a record never matches)."""
    parts = (name_key(surname), name_key(forename), date_key(dob), sex_key(sex))
    if not all(parts):
        return ""
    return "|".join(parts)
