"""The catalogue of validation rules, kept as data.

Each rule has an id (the DfE number where there is one -- queries carry a ``Q`` suffix such as
``1620Q`` -- or a short id such as ``lrs-charset``), a severity, a scope, the file kinds it
applies to, a plain-English message template and how-to-fix text. Numbers follow the DfE's
school census numbering; the wording is our own. School Workforce Census rules have numbers of
their own, 7000-7299 (a range the census numbering does not use), not the DfE's.

Message templates are ``str.format`` templates. Every template may use ``{field}`` (the element
name) and ``{value}`` (the value as found, already quoted, or the word "blank"); a few use
more keys, listed in ``Rule.extra_keys``.
"""
from __future__ import annotations

import string
from dataclasses import dataclass

from domain.validation.census_catalogue import CENSUS_CONTENT_RULES, TERM_ON_TERM_RULES

ERROR, QUERY = "error", "query"
RETURN, PUPIL, STAFF = "return", "pupil", "staff"
CENSUS, CTF, WORKFORCE = "census", "ctf", "workforce"
#: ``applies_to`` values naming more than one kind: BOTH is the two pupil files (census and CTF),
#: ALL every kind, the School Workforce Census included.
BOTH, ALL = "both", "all"
_GROUPS = {BOTH: frozenset({CENSUS, CTF}), ALL: frozenset({CENSUS, CTF, WORKFORCE})}


@dataclass(frozen=True)
class Rule:
    """One validation rule. ``id`` is what reports and notes refer to."""

    id: str
    severity: str
    scope: str
    applies_to: str
    title: str
    message: str
    fix: str
    #: The CBDS code list (``data/cbds/<year>.json``) the rule checks values against, if any.
    code_list: str | None = None

    @property
    def extra_keys(self) -> tuple[str, ...]:
        """Template keys beyond ``field`` and ``value`` that ``render`` needs."""
        keys = {name for _, name, _, _ in string.Formatter().parse(self.message) if name}
        return tuple(sorted(keys - {"field", "value"}))

    def applies(self, kind: str) -> bool:
        """True when the rule is checked on files of ``kind`` ("census", "ctf" or "workforce")."""
        return self.applies_to == kind or kind in _GROUPS.get(self.applies_to, ())

    def render(self, **context: object) -> str:
        """The message with ``context`` filled in. Raises KeyError if a key is missing."""
        return self.message.format(**context)


_CATALOGUE = (
    # ---------------------------------------------------------------- return level: census header
    Rule("header-collection", ERROR, RETURN, CENSUS, "Collection is not the School Census",
          "The collection ({field}) in the header is {value}; a School Census return must say 'SC'.",
          "Export the file again from your MIS using the School Census return, not another collection."),
    Rule("header-term", ERROR, RETURN, CENSUS, "Term missing or invalid",
          "The term ({field}) in the header is {value}; it must be AUT, SPR or SUM.",
          "Check which census you are preparing in your MIS and create the return for that term again."),
    Rule("100", ERROR, RETURN, CENSUS, "Reference date is not the census day",
          "The census date ({field}) in the header is {value}; for this term it must be the census day, {expected}.",
          "Set the census date in your MIS return to the published census day and create the return again."),
    Rule("header-school", ERROR, RETURN, ALL, "File is from another school",
          "The header names school {value} in {field}, but the file was uploaded for school {expected}.",
          "Upload the file while signed in for the school it belongs to, or check the DfE number in your MIS."),
    Rule("header-source", ERROR, RETURN, ALL, "School in the header missing or invalid",
          "The school's {field} in the header is {value}; it must be {expected}.",
          "Check the school's LA code and establishment number in your MIS set-up and export the file again."),
    Rule("census-file-name", QUERY, RETURN, CENSUS, "Unusual census file name",
          "The file name {value} is not in the usual form {expected}.",
          "Nothing need change if this is the file your MIS created; otherwise upload the file as exported."),
    Rule("no-pupils", QUERY, RETURN, BOTH, "No pupils in the file",
          "The file holds no pupil records ({field} is empty).",
          "Check that the pupils were included when the file was created, then create it again."),
    Rule("2010Q", QUERY, RETURN, CENSUS, "Many pupils in a year group unusual for their age",
          "{share} of pupils on roll are in a year group that does not match their age (10% or more).",
          "Check that year groups were rolled over correctly in your MIS; explain in a note if they are right."),
    # ---------------------------------------------------------------- return level: CTF header
    Rule("ctf-document-name", ERROR, RETURN, CTF, "Not a Common Transfer File",
          "The document name ({field}) in the header is {value}; a CTF must say 'Common Transfer File'.",
          "Export the CTF again from your MIS; do not edit the file by hand."),
    Rule("ctf-version", ERROR, RETURN, CTF, "CTF version missing or out of date",
          "The CTF version ({field}) in the header is {value}; it must be {expected}.",
          "Update your MIS (or ask your supplier) so it produces this year's CTF format, then export again."),
    Rule("ctf-datetime", ERROR, RETURN, CTF, "CTF creation time missing or invalid",
          "The creation date and time ({field}) in the header is {value}; it must be a date and time such as "
          "2025-03-02T10:15:00.",
          "Export the CTF again from your MIS; do not edit the file by hand."),
    Rule("ctf-qualifier", ERROR, RETURN, CTF, "CTF qualifier missing or invalid",
          "The document qualifier ({field}) in the header is {value}; it must be 'full' or 'partial'.",
          "Export the CTF again from your MIS, choosing a full or a partial transfer."),
    Rule("ctf-destination", ERROR, RETURN, CTF, "Destination school missing or invalid",
          "The destination school's {field} in the header is {value}; it must be {expected}.",
          "Choose the destination school again in your MIS (use the lost-pupil option if it is not known)."),
    Rule("ctf-file-name", QUERY, RETURN, CTF, "Unusual CTF file name",
          "The file name {value} is not in the usual form {expected}.",
          "Upload the file with the name your MIS gave it, so it can be routed to the right school."),
    Rule("ctf-file-destination", ERROR, RETURN, CTF, "File name and header disagree on the destination",
          "The file name sends this CTF to {value}, but the header's {field} says {expected}.",
          "Export the CTF again from your MIS instead of renaming it, so that name and header agree."),
    Rule("ctf-lost-pupil", ERROR, RETURN, CTF, "Lost-pupil CTF must hold one pupil",
          "This CTF is for the Lost Pupils database (destination {expected}) but holds {count} pupils; "
          "it must hold exactly one.",
          "Export one CTF per pupil whose destination is unknown."),
    # ---------------------------------------------------------------- pupil level: identifiers
    Rule("1500", ERROR, PUPIL, BOTH, "UPN missing",
          "The pupil's UPN ({field}) is missing.",
          "Enter the UPN from the pupil's previous school or CTF; if there is none, issue one in your MIS."),
    Rule("1510", ERROR, PUPIL, BOTH, "UPN check letter wrong",
          "The {field} {value} fails the check: its first character should be {expected} "
          "for the twelve that follow.",
          "Compare the UPN with the previous school's CTF: a mistyped character usually causes this. "
          "Do not just change the first letter."),
    Rule("1520", ERROR, PUPIL, BOTH, "Two pupils with the same UPN",
          "The {field} {value} is also given to pupil {other} in this file.",
          "Each pupil has their own UPN: find which record is wrong, correct it, or merge the two if they "
          "are the same child."),
    Rule("1530", ERROR, PUPIL, BOTH, "UPN has an unknown LA code",
          "The {field} {value} has '{part}' as characters 2-4, which is not a recognised LA code.",
          "Check the UPN against the previous school's records; characters 2-4 name the LA of the issuing school."),
    Rule("1540", ERROR, PUPIL, BOTH, "UPN characters 5-12 not all digits",
          "The {field} {value} has '{part}' as characters 5-12; they must all be digits.",
          "Check the UPN for a mistyped letter (such as O for 0 or I for 1) and correct it."),
    Rule("1550", ERROR, PUPIL, BOTH, "UPN last character invalid",
          "The {field} {value} ends in '{part}'; a UPN has 13 characters and the last is a digit or a "
          "letter other than I, O and S.",
          "Check the UPN's length and last character against the previous school's records."),
    Rule("1570", ERROR, PUPIL, CENSUS, "ULN missing for a pupil aged 14 or over",
          "The pupil is {age} on census day but has no ULN ({field}); pupils aged 14 and over need one.",
          "Request the pupil's ULN from the Learning Records Service (LRS) and record it in your MIS."),
    Rule("1575", ERROR, PUPIL, BOTH, "ULN wrong",
          "The ULN ({field}) {value} is not valid: a ULN is 10 digits and the last is a check digit.",
          "Check the ULN against the LRS record and correct it; request a new one only if it cannot be found."),
    Rule("1578", ERROR, PUPIL, BOTH, "Two pupils with the same ULN",
          "The ULN ({field}) {value} is also given to pupil {other} in this file.",
          "Each learner has their own ULN: check both records against the LRS and correct the wrong one."),
    # ---------------------------------------------------------------- pupil level: personal details
    Rule("1580", ERROR, PUPIL, BOTH, "Surname missing",
          "The pupil's surname ({field}) is missing.",
          "Enter the pupil's legal surname in your MIS."),
    Rule("1590", ERROR, PUPIL, BOTH, "Forename missing",
          "The pupil's forename ({field}) is missing.",
          "Enter the pupil's legal forename in your MIS."),
    Rule("1600", ERROR, PUPIL, BOTH, "Date of birth missing or invalid",
          "The date of birth ({field}) is {value}; it must be a real date written YYYY-MM-DD.",
          "Enter the pupil's date of birth from their birth certificate or passport."),
    Rule("1601Q", QUERY, PUPIL, CENSUS, "Age outside the school's age range",
          "The pupil was {age} on 31 August, outside this school's age range of {expected}.",
          "Check the date of birth; if it is right, explain in a note why the pupil is on roll here."),
    Rule("1610", ERROR, PUPIL, BOTH, "Sex missing or invalid",
          "The pupil's sex ({field}) is {value}; it must be M or F.",
          "Record the pupil's sex in your MIS as M (male) or F (female)."),
    Rule("1620Q", QUERY, PUPIL, BOTH, "Possible duplicate pupil",
          "This pupil has the same surname, forename, sex and date of birth ({field} {value}) as pupil {other}.",
          "If they are different children (often twins with the same forename spelt alike), explain in a note; "
          "if they are the same child, remove the duplicate record."),
    Rule("lrs-charset", QUERY, PUPIL, BOTH, "Name has characters the LRS does not accept",
          "The name {value} in {field} contains '{part}', outside the Latin characters the LRS accepts.",
          "Check the name; if it is right, record a Latin-alphabet spelling as well, or the LRS will refuse "
          "a ULN request for this pupil."),
    # ---------------------------------------------------------------- pupil level: status and year group
    Rule("1860", ERROR, PUPIL, CENSUS, "Enrolment status missing or invalid",
          "The enrolment status ({field}) is {value}, which is not one of the {year} CBDS enrolment statuses "
          "(C single registration, M main dual, S subsidiary dual, F FE college only, O other provider only, "
          "G guest).",
          "Set the pupil's enrolment status in your MIS.", "enrol_status"),
    Rule("2000", ERROR, PUPIL, CENSUS, "Year group missing or invalid",
          "The year group ({field}) is {value}, which is not one of the {year} CBDS year groups (E1, E2, N1, N2, "
          "R, 1 to 14, M or X).",
          "Set the pupil's actual national curriculum year group in your MIS.", "nc_year"),
    Rule("2020Q", QUERY, PUPIL, CENSUS, "Year group does not match age",
          "The pupil's year group ({field}) is {value} but the pupil was {age} on 31 August, which usually "
          "means {expected}.",
          "Check the year group and date of birth; if the pupil is taught out of their age group, explain in "
          "a note."),
    # ---------------------------------------------------------------- pupil level: address
    Rule("2355Q", QUERY, PUPIL, CENSUS, "No home address or postcode",
          "The pupil's home {what} is missing ({field} is empty).",
          "Record the pupil's home address with its postcode in your MIS."),
    Rule("uln-postcode", QUERY, PUPIL, CTF, "No postcode for a ULN request",
          "The pupil has no ULN and no {field}; a ULN cannot be requested from the LRS without a postcode.",
          "Record the pupil's home postcode in your MIS before requesting a ULN."),
)

_WORKFORCE_CATALOGUE = (
    # ---------------------------------------------------------------- return level: workforce header
    Rule("7000", ERROR, RETURN, WORKFORCE, "Collection is not the School Workforce Census",
          "The collection ({field}) in the header is {value}; a School Workforce Census return must say 'SWF'.",
          "Export the file again from your MIS using the School Workforce Census return, not another collection."),
    Rule("7010", ERROR, RETURN, WORKFORCE, "Reference date is not the workforce census day",
          "The census date ({field}) in the header is {value}; it must be the School Workforce Census day, "
          "{expected}.",
          "Set the census date in your MIS return to the published census day (the first Thursday in November) "
          "and create the return again."),
    Rule("7020Q", QUERY, RETURN, WORKFORCE, "No staff in the file",
          "The file holds no staff records ({field} is empty).",
          "Check that staff in post on census day were included when the file was created, then create it again."),
    # ---------------------------------------------------------------- staff level: identifiers
    Rule("7100", ERROR, STAFF, WORKFORCE, "Teacher reference number is not 7 digits",
          "The teacher reference number ({field}) {value} is not 7 digits.",
          "Check the TRN on the teacher's payslip or Teaching Regulation Agency record and correct it in your "
          "MIS; leave it blank for staff who have none."),
    Rule("7105Q", QUERY, STAFF, WORKFORCE, "No teacher reference number for a teacher",
          "The staff member holds a teaching post ({post}) but has no teacher reference number ({field}).",
          "Record the teacher's TRN in your MIS; if the teacher has none (for example an unqualified teacher "
          "new to teaching), explain in a note."),
    Rule("7110", ERROR, STAFF, WORKFORCE, "Two staff with the same teacher reference number",
          "The teacher reference number ({field}) {value} is also given to staff member {other} in this file.",
          "Each teacher has their own TRN: find which record is wrong and correct it, or merge the two records "
          "if they are the same person."),
    Rule("7120", ERROR, STAFF, WORKFORCE, "National Insurance number missing",
          "The staff member's National Insurance number ({field}) is missing.",
          "Record the staff member's National Insurance number in your MIS, from their payslip or P60."),
    Rule("7125", ERROR, STAFF, WORKFORCE, "National Insurance number in the wrong form",
          "The National Insurance number ({field}) {value} is not two letters, six digits and a last letter A, "
          "B, C or D (for example AB123456C, with no spaces).",
          "Correct the National Insurance number in your MIS from the staff member's payslip or P60."),
    Rule("7130", ERROR, STAFF, WORKFORCE, "National Insurance number HMRC never issues",
          "The National Insurance number ({field}) {value} starts with '{part}', which HMRC never issues.",
          "Check the number on the staff member's payslip or P60; a temporary number (such as one starting TN) "
          "must not be used."),
    Rule("7135", ERROR, STAFF, WORKFORCE, "Two staff with the same National Insurance number",
          "The National Insurance number ({field}) {value} is also given to staff member {other} in this file.",
          "Each person has their own National Insurance number: correct the wrong record, or merge the two if "
          "they are the same person."),
    # ---------------------------------------------------------------- staff level: personal details
    Rule("7140", ERROR, STAFF, WORKFORCE, "Staff surname missing",
          "The staff member's surname ({field}) is missing.",
          "Enter the staff member's legal surname in your MIS."),
    Rule("7145", ERROR, STAFF, WORKFORCE, "Staff forename missing",
          "The staff member's forename ({field}) is missing.",
          "Enter the staff member's legal forename in your MIS."),
    Rule("7150", ERROR, STAFF, WORKFORCE, "Staff date of birth missing or invalid",
          "The date of birth ({field}) is {value}; it must be a real date written YYYY-MM-DD.",
          "Enter the staff member's date of birth in your MIS."),
    Rule("7155", ERROR, STAFF, WORKFORCE, "Staff age outside 16 to 100",
          "The date of birth ({field}) {value} makes the staff member {age} on census day ({expected}); staff "
          "must be aged 16 to 100.",
          "Check the date of birth in your MIS: a mistyped year usually causes this."),
    Rule("7160", ERROR, STAFF, WORKFORCE, "Staff sex missing or invalid",
          "The staff member's sex ({field}) is {value}; it must be M or F.",
          "Record the staff member's sex in your MIS as M (male) or F (female)."),
    Rule("7170Q", QUERY, STAFF, WORKFORCE, "Possible duplicate staff member",
          "This staff member has the same surname, forename and date of birth ({field} {value}) as staff member "
          "{other}.",
          "If they are different people, explain in a note; if they are the same person, merge the records in "
          "your MIS."),
    # ---------------------------------------------------------------- staff level: contracts
    Rule("7200", ERROR, STAFF, WORKFORCE, "No contract",
          "The staff member has no contract or service agreement ({field}).",
          "Record the staff member's contract (or service agreement) in your MIS, or leave them out of the "
          "return if they were not in post."),
    Rule("7210", ERROR, STAFF, WORKFORCE, "Contract start date missing or invalid",
          "Contract {contract}'s start date ({field}) is {value}; it must be a real date written YYYY-MM-DD.",
          "Enter the date the contract started in your MIS."),
    Rule("7220", ERROR, STAFF, WORKFORCE, "Contract end date invalid",
          "Contract {contract}'s end date ({field}) is {value}; it must be a real date written YYYY-MM-DD, or "
          "left out for a contract with no end date.",
          "Correct the contract's end date in your MIS, or remove it if the contract is open-ended."),
    Rule("7230", ERROR, STAFF, WORKFORCE, "Contract ends before it starts",
          "Contract {contract} ends on {value} ({field}), before it starts on {expected}.",
          "Check the contract's start and end dates in your MIS: one of them is usually mistyped."),
    Rule("7240Q", QUERY, STAFF, WORKFORCE, "Contract starts after census day",
          "Contract {contract} starts on {value} ({field}), after census day ({expected}).",
          "Check the start date; the census counts contracts in force on census day, so explain in a note why "
          "this one is included."),
    Rule("7250", ERROR, STAFF, WORKFORCE, "Post missing",
          "Contract {contract} has no post ({field}).",
          "Record the post (such as TCH for a classroom teacher) on the contract in your MIS."),
    Rule("7255Q", QUERY, STAFF, WORKFORCE, "Post not in the code list",
          "Contract {contract}'s post ({field}) is {value}, which is not in Gatehouse's list of post codes.",
          "Check the post code in your MIS; if it is right, explain in a note (the list may be out of date)."),
    Rule("7260", ERROR, STAFF, WORKFORCE, "Role missing",
          "Contract {contract} has no role ({field}).",
          "Record at least one role (such as TCHR for a teacher) on the contract in your MIS."),
    Rule("7265Q", QUERY, STAFF, WORKFORCE, "Role not in the code list",
          "Contract {contract}'s role ({field}) is {value}, which is not in Gatehouse's list of role codes.",
          "Check the role code in your MIS; if it is right, explain in a note (the list may be out of date)."),
)

_CENSUS_CONTENT = tuple(Rule(rule_id, severity, scope, CENSUS, title, message, fix, code_list)
                        for rule_id, severity, scope, title, message, fix, code_list in
                        (*CENSUS_CONTENT_RULES, *TERM_ON_TERM_RULES))

RULES: dict[str, Rule] = {r.id: r for r in (*_CATALOGUE, *_CENSUS_CONTENT, *_WORKFORCE_CATALOGUE)}


def get_rule(rule_id: str) -> Rule:
    """The rule with id ``rule_id``. Raises KeyError for an unknown id."""
    return RULES[rule_id]


def rules_for(kind: str) -> list[Rule]:
    """The rules checked on files of ``kind`` ("census", "ctf" or "workforce"), in catalogue order."""
    return [r for r in RULES.values() if r.applies(kind)]
