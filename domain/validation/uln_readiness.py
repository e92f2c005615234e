"""ULN readiness: which pupils of a census need a ULN and what the Learning Records Service would say of them.

Pupils aged 14 or over (or in Year 9 and above) need a Unique Learner Number before they take qualifications. A
school requests them from the LRS; a record the LRS cannot register comes back as an exception. Each pupil
without a valid ULN is pre-flagged here with the exceptions its data would raise, so the school can fix them in
its MIS first:

* ``RC006`` insufficient data: a family name, given name, date of birth or sex missing;
* ``RC010`` no postcode;
* ``RC011`` incorrect format: a name with characters outside the LRS's (letters, spaces, hyphens, apostrophes
  and full stops) or over 35 characters, a date of birth that is not a date, a postcode not in a UK shape;
* ``RC013`` outside the permitted age range: younger than 13 or older than 110 on the day checked.

These are Gatehouse's reading of the LRS batch rules, not the LRS's own checks: a pupil with no flags may still
be refused, and the LRS has the last word. No Flask, no database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from domain.validation.dates import age_on, parse_iso_date
from domain.validation.identifiers import postcode_is_valid, uln_is_valid

#: The LRS exceptions pre-flagged here, by code.
EXCEPTIONS = {
    "RC006": "Insufficient data to create a ULN",
    "RC010": "No postcode",
    "RC011": "Incorrect format",
    "RC013": "Outside the permitted age range (13 to 110)",
}
#: The age from which a pupil needs a ULN, and the year group.
ULN_AGE, ULN_YEAR = 14, 9
MAX_NAME = 35
_NAME = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ' .-]+")
_YEARS = {"9": 9, "10": 10, "11": 11, "12": 12, "13": 13, "14": 14}


@dataclass(frozen=True)
class Flag:
    """One exception the LRS would raise: its ``code`` (a key of :data:`EXCEPTIONS`) and what to fix."""

    code: str
    message: str

    @property
    def title(self) -> str:
        return EXCEPTIONS[self.code]


def needs_uln(pupil: dict, on: dt.date) -> bool:
    """True for a pupil with no valid ULN who is aged 14 or over on ``on`` or in Year 9 and above.

    ``pupil`` has the stored census fields (``uln``, ``dob`` as ``YYYY-MM-DD``, ``nc_year``).
    """
    if uln_is_valid(pupil.get("uln")):
        return False
    dob = parse_iso_date(pupil.get("dob"))
    old_enough = dob is not None and age_on(dob, on) >= ULN_AGE
    return old_enough or _YEARS.get((pupil.get("nc_year") or "").strip(), 0) >= ULN_YEAR


def flags_for(pupil: dict, on: dt.date) -> list[Flag]:
    """The exceptions ``pupil``'s data would raise at the LRS on ``on``, in code order (empty: none foreseen)."""
    flags: list[Flag] = []
    missing = [label for label, key in (("family name", "surname"), ("given name", "forename"),
                                        ("date of birth", "dob"), ("sex", "sex")) if not (pupil.get(key) or "").strip()]
    if missing:
        flags.append(Flag("RC006", f"Record the pupil's {_words(missing)}."))
    postcode = (pupil.get("postcode") or "").strip()
    if not postcode:
        flags.append(Flag("RC010", "Record the pupil's home postcode."))
    for label, key in (("family name", "surname"), ("given name", "forename")):
        name = (pupil.get(key) or "").strip()
        if name and not _NAME.fullmatch(name):
            flags.append(Flag("RC011", f"The {label} '{name}' has characters the LRS does not take: use letters, "
                                       "spaces, hyphens, apostrophes and full stops only."))
        elif len(name) > MAX_NAME:
            flags.append(Flag("RC011", f"The {label} is {len(name)} characters long: the LRS takes {MAX_NAME}."))
    dob_text = (pupil.get("dob") or "").strip()
    dob = parse_iso_date(dob_text) if dob_text else None
    if dob_text and dob is None:
        flags.append(Flag("RC011", f"The date of birth '{dob_text}' is not a date."))
    if postcode and not postcode_is_valid(postcode):
        flags.append(Flag("RC011", f"The postcode '{postcode}' is not in a UK postcode's shape, like CB3 0AP."))
    if dob is not None and not 13 <= age_on(dob, on) <= 110:
        flags.append(Flag("RC013", f"The pupil is {age_on(dob, on)} on {on:%-d %B %Y}: check the date of birth."))
    return flags


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
