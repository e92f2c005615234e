"""Pupil rules shared by the School Census and CTF validators.

``PupilRules.check`` takes one pupil's fields (element name -> text) and records findings for
the UPN, former UPN, ULN, names, date of birth and sex. ``PupilRules.check_duplicates``, once
every pupil has been checked, finds pupils sharing a UPN (1520), a ULN (1578) or surname,
forename, sex and date of birth (1620Q). To do so without holding the pupils themselves it
keeps, per pupil, only references to its UPN, names, ULN and DOB strings and a hash of the
1620Q key, in lists: appending is cheap, and the duplicates are then counted in one pass.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from typing import NamedTuple

from domain.validation.dates import parse_iso_date
from domain.validation.identifiers import uln_is_valid, upn_check_letter, upn_is_valid, upn_problems
from domain.validation.report import PupilRef, Report

NAME_FIELDS = ("Surname", "Forename", "MiddleNames", "PreferredSurname", "PreferredForename")
VALID_SEX = frozenset({"M", "F"})
# The LRS accepts these Latin ranges only: U+0020-007E, U+00A0-024F, U+1E00-1EFF.
_NOT_LRS_LATIN = re.compile("[^\u0020-\u007e\u00a0-\u024f\u1e00-\u1eff]")
_UNSEEN = object()
_UPN_PARTS = {"1530": slice(1, 4), "1540": slice(4, 12), "1550": slice(12, None)}


class PupilBasics(NamedTuple):
    """What the kind-specific rules need after the shared checks."""

    position: int
    dob: dt.date | None
    sex: str | None
    sex_field: str


def is_blank(text: str | None) -> bool:
    """True for a missing, empty or whitespace-only value."""
    return not text or text.isspace()


def sex_element(fields: dict[str, str | None]) -> str:
    """The element that holds the pupil's sex: "Sex", or "Gender" in files before 2024."""
    return "Sex" if "Sex" in fields or "Gender" not in fields else "Gender"


class PupilRules:
    """Checks pupils one at a time for one file and remembers what duplicate rules need."""

    def __init__(self, report: Report):
        self.report = report
        # One entry per pupil, in file order (index = position - 1).
        self._upns: list[str] = []
        self._forenames: list[str] = []
        self._surnames: list[str] = []
        self._ulns: list[str | None] = []
        self._dob_texts: list[str | None] = []
        self._people: list[int | None] = []
        self._dobs: dict[str | None, dt.date | None] = {}

    @property
    def count(self) -> int:
        """How many pupils have been checked."""
        return len(self._upns)

    def ref(self, position: int) -> PupilRef:
        """The UPN and name of the pupil at 1-based ``position`` (already checked)."""
        name = f"{self._forenames[position - 1]} {self._surnames[position - 1]}".strip()
        return PupilRef(position, self._upns[position - 1], name)

    def check(self, fields: dict[str, str | None]) -> PupilBasics:
        """Run the shared pupil rules on ``fields`` and return what later rules need."""
        get = fields.get
        upn, forename, surname = get("UPN") or "", get("Forename") or "", get("Surname") or ""
        self._upns.append(upn)
        self._forenames.append(forename)
        self._surnames.append(surname)
        position = len(self._upns)
        self._check_identifiers(position, upn, fields)
        names = "".join(filter(None, map(get, NAME_FIELDS)))
        if is_blank(surname) or is_blank(forename) or (not names.isascii() and _NOT_LRS_LATIN.search(names)):
            self._check_names(position, fields)
        dob_text = get("DOB")
        self._dob_texts.append(dob_text)
        dob = self._dobs.get(dob_text, _UNSEEN)
        if dob is _UNSEEN:  # many pupils share a date of birth: parse each one once
            dob = self._dobs[dob_text] = parse_iso_date(dob_text)
        if dob is None:
            self.report.add("1600", "DOB", dob_text, self.ref(position))
        sex_field = sex_element(fields)
        sex = get(sex_field)
        if sex not in VALID_SEX:
            self.report.add("1610", sex_field, sex, self.ref(position))
            self._people.append(None)
        elif dob is not None and surname and forename:
            self._people.append(hash((surname.casefold(), forename.casefold(), sex, dob_text)))
        else:
            self._people.append(None)
        return PupilBasics(position, dob, sex, sex_field)

    def _check_identifiers(self, position: int, upn: str, fields: dict[str, str | None]) -> None:
        """Rules 1500-1550 on the UPN and a former UPN, 1575 on a ULN."""
        if not upn_is_valid(upn):
            self._add_upn_findings(position, "UPN", upn)
        if "FormerUPN" in fields:
            self._check_former_upn(position, fields["FormerUPN"])
        uln = fields.get("UniqueLearnerNumber") or None
        self._ulns.append(uln)
        if uln and not uln_is_valid(uln):
            self.report.add("1575", "UniqueLearnerNumber", uln, self.ref(position))

    def _add_upn_findings(self, position: int, field: str, upn: str) -> None:
        """Findings for each of rules 1500-1550 that ``upn`` breaks."""
        add_upn_findings(self.report, self.ref(position), field, upn)

    def _check_former_upn(self, position: int, former: str | None) -> None:
        """Rules 1510-1550 on a former UPN that is present (an empty one is ignored)."""
        if former and not upn_is_valid(former):
            self._add_upn_findings(position, "FormerUPN", former)

    def _check_names(self, position: int, fields: dict[str, str | None]) -> None:
        """Rules 1580 and 1590 (surname, forename missing) and lrs-charset on every name."""
        if is_blank(fields.get("Surname")):
            self.report.add("1580", "Surname", fields.get("Surname"), self.ref(position))
        if is_blank(fields.get("Forename")):
            self.report.add("1590", "Forename", fields.get("Forename"), self.ref(position))
        for name_field in NAME_FIELDS:
            name = fields.get(name_field)
            if name and not name.isascii():
                bad = _NOT_LRS_LATIN.search(name)
                if bad:
                    self.report.add("lrs-charset", name_field, name, self.ref(position), part=bad.group())

    def check_duplicates(self) -> None:
        """Rules 1520 (same UPN), 1578 (same ULN) and 1620Q (same surname, forename, sex and
        DOB) over every pupil checked so far: each pupil sharing a value is flagged once,
        naming the others."""
        for rule, field, keys, values in (("1520", "UPN", self._upns, self._upns),
                                          ("1578", "UniqueLearnerNumber", self._ulns, self._ulns),
                                          ("1620Q", "DOB", self._people, self._dob_texts)):
            for group in shared_positions(keys):
                for position in group:
                    others = [p for p in group if p != position]
                    self.report.add(rule, field, values[position - 1], self.ref(position),
                                    other=self._describe_others(others))

    def _describe_others(self, positions: list[int]) -> str:
        """How a message names the other pupils (see :func:`describe_others`)."""
        return describe_others(positions, self._describe)

    def _describe(self, position: int) -> str:
        """How a message names another pupil: "12 (Amelia Smith, UPN H801200001001)"."""
        ref = self.ref(position)
        return f"{position} ({ref.name or 'no name'}, UPN {ref.upn or 'missing'})"


def add_upn_findings(report: Report, ref: PupilRef, field: str, upn: str) -> None:
    """A finding for each of rules 1500-1550 that ``upn`` breaks, each with the part of the UPN it is about."""
    for rule in upn_problems(upn):
        context: dict[str, str] = {}
        if rule == "1510":
            context["expected"] = upn_check_letter(upn[1:])
        elif rule in _UPN_PARTS:
            context["part"] = upn[_UPN_PARTS[rule]] or "nothing"
        report.add(rule, field, upn, ref, **context)


def describe_others(positions: list[int], describe: Callable[[int], str]) -> str:
    """How a message names the other people sharing a value: up to three, each as ``describe(position)``
    gives it, then "and 2 more"."""
    named = [describe(p) for p in positions[:3]]
    more = len(positions) - len(named)
    return ", ".join(named) + (f" and {more} more" if more else "")


def shared_positions(keys: list) -> list[list[int]]:
    """For each key held by more than one entry (ignoring None and ""), the 1-based positions
    holding it, in order. Counting is done in C (``Counter``); the positions are looked up only
    when something is shared."""
    counts = Counter(keys)
    shared = {key for key, n in counts.items() if n > 1 and key is not None and key != ""}
    if not shared:
        return []
    groups: dict[object, list[int]] = {}
    for position, key in enumerate(keys, start=1):
        if key in shared:
            groups.setdefault(key, []).append(position)
    return list(groups.values())
