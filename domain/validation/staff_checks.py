"""Staff rules of the School Workforce Census (rules 7100-7265Q).

``StaffRules.check`` takes one ``SchoolWorkforceMember``'s fields (element name -> text, from
``StaffDetails``) and its contracts (``records.contract_fields``) and records findings for the
teacher reference number, National Insurance number, names, date of birth and age, sex, and each
contract's dates, post and roles. ``StaffRules.check_duplicates``, once every member has been
checked, finds staff sharing a TRN (7110), an NI number (7135) or surname, forename and date of
birth (7170Q), keeping only a few strings per member as ``PupilRules`` does for pupils.

A finding names the staff member by position, name and a key in the ``upn`` slot of the report:
the TRN, or the NI number when there is no TRN (notes on queries are kept by that key).
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from domain.validation.code_lists import teaching_posts, workforce_posts, workforce_roles
from domain.validation.dates import age_on, parse_iso_date
from domain.validation.pupil_checks import VALID_SEX, describe_others, is_blank, sex_element, shared_positions
from domain.validation.report import PupilRef, Report
from domain.validation.staff_identifiers import ni_number_has_valid_form, ni_prefix_not_issued, trn_is_valid

#: Ages (on census day) a member of staff may be.
AGE_RANGE = (16, 100)


class StaffBasics(NamedTuple):
    """What the workforce checker needs after the staff rules: for the summary and the stored record."""

    position: int
    dob: dt.date | None
    sex: str | None
    sex_field: str
    post: str | None


class StaffRules:
    """Checks staff one at a time for one file and remembers what the duplicate rules need."""

    def __init__(self, report: Report):
        self.report = report
        # One entry per member, in file order (index = position - 1).
        self._keys: list[str] = []
        self._names: list[str] = []
        self._trns: list[str | None] = []
        self._ni_numbers: list[str | None] = []
        self._dob_texts: list[str | None] = []
        self._people: list[int | None] = []

    @property
    def count(self) -> int:
        """How many staff have been checked."""
        return len(self._keys)

    def ref(self, position: int) -> PupilRef:
        """The key (TRN, else NI number) and name of the member at 1-based ``position``."""
        return PupilRef(position, self._keys[position - 1], self._names[position - 1])

    def check(self, fields: dict[str, str | None], contracts: list[dict], census_day: dt.date | None) -> StaffBasics:
        """Run the staff rules on one member and return what the checker needs."""
        get = fields.get
        trn, ni_number = get("TeacherNumber"), get("NINumber")
        surname, forename = get("FamilyName") or "", get("GivenNames") or ""
        self._keys.append(("" if is_blank(trn) else trn) or ("" if is_blank(ni_number) else ni_number) or "")
        self._names.append(f"{forename} {surname}".strip())
        self._trns.append(None if is_blank(trn) else trn)
        self._ni_numbers.append(None if is_blank(ni_number) else ni_number)
        position = len(self._keys)
        self._check_identifiers(position, trn, ni_number, contracts)
        if is_blank(surname):
            self.report.add("7140", "FamilyName", get("FamilyName"), self.ref(position))
        if is_blank(forename):
            self.report.add("7145", "GivenNames", get("GivenNames"), self.ref(position))
        dob_text = get("DOB")
        self._dob_texts.append(dob_text)
        dob = self._check_dob(position, dob_text, census_day)
        sex_field = sex_element(fields)
        sex = get(sex_field)
        if sex not in VALID_SEX:
            self.report.add("7160", sex_field, sex, self.ref(position))
        named = not is_blank(surname) and not is_blank(forename)
        self._people.append(hash((surname.casefold(), forename.casefold(), dob_text)) if dob and named else None)
        for number, contract in enumerate(contracts, start=1):
            self._check_contract(position, number, contract, census_day)
        if not contracts:
            self.report.add("7200", "Contracts", "", self.ref(position))
        return StaffBasics(position, dob, sex, sex_field, _post_on(contracts, census_day))

    def _check_identifiers(self, position: int, trn: str | None, ni_number: str | None,
                           contracts: list[dict]) -> None:
        """Rules 7100 and 7105Q on the TRN, 7120-7130 on the NI number."""
        if is_blank(trn):
            teaching = next((c.get("Post") for c in contracts if c.get("Post") in teaching_posts()), None)
            if teaching:
                self.report.add("7105Q", "TeacherNumber", trn, self.ref(position), post=teaching)
        elif not trn_is_valid(trn):
            self.report.add("7100", "TeacherNumber", trn, self.ref(position))
        if is_blank(ni_number):
            self.report.add("7120", "NINumber", ni_number, self.ref(position))
        elif not ni_number_has_valid_form(ni_number):
            self.report.add("7125", "NINumber", ni_number, self.ref(position))
        elif prefix := ni_prefix_not_issued(ni_number):
            self.report.add("7130", "NINumber", ni_number, self.ref(position), part=prefix)

    def _check_dob(self, position: int, dob_text: str | None, census_day: dt.date | None) -> dt.date | None:
        """Rules 7150 (date of birth) and 7155 (age on census day); returns the date of birth or None."""
        dob = parse_iso_date(dob_text)
        if dob is None:
            self.report.add("7150", "DOB", dob_text, self.ref(position))
        elif census_day is not None:
            age = age_on(dob, census_day)
            if not AGE_RANGE[0] <= age <= AGE_RANGE[1]:
                self.report.add("7155", "DOB", dob_text, self.ref(position), age=age, expected=census_day.isoformat())
        return dob

    def _check_contract(self, position: int, number: int, contract: dict, census_day: dt.date | None) -> None:
        """Rules 7210-7265Q on contract ``number`` (1-based, in file order) of the member."""
        ref = self.ref(position)
        start_text, end_text = contract.get("StartDate"), contract.get("EndDate")
        start = parse_iso_date(start_text)
        if start is None:
            self.report.add("7210", "StartDate", start_text, ref, contract=number)
        end = None if is_blank(end_text) else parse_iso_date(end_text)
        if end is None and not is_blank(end_text):
            self.report.add("7220", "EndDate", end_text, ref, contract=number)
        if start and end and end < start:
            self.report.add("7230", "EndDate", end_text, ref, contract=number, expected=start_text)
        if start and census_day and start > census_day:
            self.report.add("7240Q", "StartDate", start_text, ref, contract=number, expected=census_day.isoformat())
        post = contract.get("Post")
        if is_blank(post):
            self.report.add("7250", "Post", post, ref, contract=number)
        elif post not in workforce_posts():
            self.report.add("7255Q", "Post", post, ref, contract=number)
        roles = [role for role in contract["roles"] if not is_blank(role)]
        if not roles:
            self.report.add("7260", "RoleIdentifier", "", ref, contract=number)
        for role in roles:
            if role not in workforce_roles():
                self.report.add("7265Q", "RoleIdentifier", role, ref, contract=number)

    def check_duplicates(self) -> None:
        """Rules 7110 (same TRN), 7135 (same NI number) and 7170Q (same surname, forename and date of
        birth) over every member checked: each member sharing a value is flagged once, naming the others."""
        for rule, field, keys, values in (("7110", "TeacherNumber", self._trns, self._trns),
                                          ("7135", "NINumber", self._ni_numbers, self._ni_numbers),
                                          ("7170Q", "DOB", self._people, self._dob_texts)):
            for group in shared_positions(keys):
                for position in group:
                    others = [p for p in group if p != position]
                    self.report.add(rule, field, values[position - 1], self.ref(position),
                                    other=describe_others(others, self._describe))

    def _describe(self, position: int) -> str:
        """How a message names another member: "3 (Jane Smith)"."""
        return f"{position} ({self._names[position - 1] or 'no name'})"


def _post_on(contracts: list[dict], census_day: dt.date | None) -> str | None:
    """The post of the first contract in force on census day, else of the first contract (None: none)."""
    for contract in contracts:
        start, end = parse_iso_date(contract.get("StartDate")), parse_iso_date(contract.get("EndDate"))
        if census_day and start and start <= census_day and (end is None or end >= census_day):
            return contract.get("Post")
    return contracts[0].get("Post") if contracts else None
