"""ULN readiness: which pupils of a School Census return still need a Unique Learner Number, and whether a request
to the Learning Records Service (LRS) for each would go through or come back with an exception.

A pupil needs a ULN from 14 (rule 1570), and schools request them from Year 9. ``uln_readiness(pupils, day)``
takes the pupils as stored (``upn``, ``uln``, ``surname``, ``forename``, ``middle_names``, ``dob``, ``sex``,
``nc_year``, ``postcode``) and the census day, and returns one row per pupil aged 14 or over on census day, or in
Year 9 or above, with no ULN, each with the LRS return codes its request would raise:

* RC006 insufficient data: surname, forename, date of birth or sex missing;
* RC010 a required value missing: no postcode;
* RC011 incorrect format: a name with characters outside the Latin ranges the LRS accepts (U+0020-007E,
  U+00A0-024F, U+1E00-1EFF), a date of birth not written YYYY-MM-DD, or a sex other than M or F;
* RC013 outside the permitted age: under 13 or over 110 on census day.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from domain.validation.dates import age_on, parse_iso_date

EXCEPTIONS = {
    "RC006": "insufficient data (surname, forename, date of birth and sex are all needed)",
    "RC010": "no postcode",
    "RC011": "a value in the wrong format or with characters the LRS does not accept",
    "RC013": "age outside the 13 to 110 the LRS accepts",
}
_NOT_LRS_LATIN = re.compile("[^\u0020-\u007e\u00a0-\u024f\u1e00-\u1eff]")
_NAMES = ("surname", "forename", "middle_names")


def _blank(text: str | None) -> bool:
    return not text or text.isspace()


def needs_uln(pupil: dict, day: dt.date | None) -> bool:
    """True for a pupil with no ULN who is 14 or over on ``day`` or in Year 9 or above."""
    if not _blank(pupil.get("uln")):
        return False
    year = pupil.get("nc_year") or ""
    if year.isdecimal() and int(year) >= 9:
        return True
    dob = parse_iso_date(pupil.get("dob"))
    return bool(dob and day and age_on(dob, day) >= 14)


def lrs_exceptions(pupil: dict, day: dt.date | None) -> list[str]:
    """The LRS return codes a ULN request for ``pupil`` would raise (empty: it would go through)."""
    codes = []
    dob_text = pupil.get("dob")
    if any(_blank(pupil.get(key)) for key in ("surname", "forename", "dob", "sex")):
        codes.append("RC006")
    if _blank(pupil.get("postcode")):
        codes.append("RC010")
    dob = parse_iso_date(dob_text)
    names = "".join(pupil.get(key) or "" for key in _NAMES)
    if _NOT_LRS_LATIN.search(names) or (dob_text and dob is None) or (pupil.get("sex") or "M") not in ("M", "F"):
        codes.append("RC011")
    if dob and day and not 13 <= age_on(dob, day) <= 110:
        codes.append("RC013")
    return codes


def uln_readiness(pupils: Iterable[dict], day: dt.date | None) -> list[dict]:
    """One row per pupil who needs a ULN: the pupil's ``position``, ``upn``, ``name``, ``nc_year``, ``age`` (on
    ``day``; None without a usable date of birth), ``exceptions`` (codes) and ``reasons`` (their words)."""
    rows = []
    for pupil in pupils:
        if not needs_uln(pupil, day):
            continue
        dob = parse_iso_date(pupil.get("dob"))
        codes = lrs_exceptions(pupil, day)
        rows.append({"position": pupil.get("position"), "upn": pupil.get("upn") or "",
                     "name": f"{pupil.get('forename') or ''} {pupil.get('surname') or ''}".strip(),
                     "nc_year": pupil.get("nc_year") or "", "age": age_on(dob, day) if dob and day else None,
                     "exceptions": codes, "reasons": [EXCEPTIONS[c] for c in codes]})
    return rows
