"""Reading a School Census return's content out of streamed elements: the school's characteristics and
classes, and every section of a pupil on roll or no longer on roll.

``read_content(element)`` walks one streamed element (``School``, ``PupilOnRoll`` or
``PupilNoLongerOnRoll``) once and returns a flat dict: each leaf element's text under its name, each
container's name with "" (so its presence can be tested), each repeated record (``RECORD_TAGS``) as a
list of such dicts under its name, and each repeated value (``LIST_LEAVES``) as a list of texts. So a
pupil's ``fields["FSMperiod"]`` is a list of ``{"FSMstartDate", "FSMendDate", "UKcountry"}`` dicts and
``fields["TermlyAttendance"][0]["SessionDetail"]`` the absence reasons of the term.

The layout read (element names as the DfE's Common Basic Data Set spells them; docs/rules.md lists the
rules on each)::

    School/SchoolCharacteristics: SchoolName, Phase, SchoolType, LowestNCyearGroup, HighestNCyearGroup,
        Intake, Governance, Accommodation, Email, PhoneNo
    School/Classes/Class*: ClassName, YearGroup, KeyStage, ClassActivity, Teachers, NonTeachers,
        HomePupils, GuestPupils
    PupilOnRoll/
      PupilIdentifiers: UPN, UniqueLearnerNumber, FormerUPN, Surname, Forename, MiddleNames,
          PreferredSurname, Sex (Gender before 2024), DOB
      PupilCharacteristics: Ethnicity, Languages/Type/(LanguageType, Language), ServiceChild, PLAA, YSSA,
          FSMlist/FSMperiod*/(FSMstartDate, FSMendDate, UKcountry)
      PupilStatus: EnrolStatus, EntryDate, NCyearActual, PartTime, Boarder, ClassType, TopUpFunding,
          SchoolLunchTaken, LearnerSupport/SupportCode*
      SpecialEducationalNeeds: SENprovision, SENunitIndicator, ResourcedProvisionIndicator,
          SENneeds/SENneed*/(SENtypeRank, SENtype)
      HomeInformation/Address: AddressLines or BS7666Address, PostCode
      Attendance: TermlyAttendance and (autumn) SummerHalfTerm2Attendance, each SessionsPossible,
          SessionsAuthorised, SessionsUnauthorised, SessionsEducational, SessionsExceptional,
          SessionDetails/SessionDetail*/(AttendanceReason, Sessions)
      Exclusions/TermlyExclusion*: Category, Reason*, StartDate, Sessions, SENprovision
      EarlyYears: FundedHours, HoursAtSetting, ExtendedHours, ThirtyHourCode, DAFindicator, EYPPR, EYPPBF,
          FundingBasisItems/FundingBasis*
    PupilNoLongerOnRoll/: the same identifiers and characteristics, PupilStatus with LeavingDate,
      Attendance and Exclusions.

Renamed elements are tolerated: names are matched without regard to letter case (``FSMStartDate``,
``UKCountry``, ``SENType``) and ``RENAMES`` maps older or other spellings (``FSMinstance``,
``Reason1``-``Reason3``, ``Type`` for the school type, ...). ``Gender`` is kept as it is, because the
pupil rules name the element the file used.
"""
from __future__ import annotations

from lxml import etree

#: Elements that repeat as records: each becomes a list of dicts under its (canonical) name.
RECORD_TAGS = frozenset({"FSMperiod", "SENneed", "TermlyExclusion", "SessionDetail", "TermlyAttendance",
                         "SummerHalfTerm2Attendance", "Class"})
#: Leaf elements that may repeat: each becomes a list of texts.
LIST_LEAVES = frozenset({"SupportCode", "FundingBasis", "Reason"})

#: Every element name the census rules read, in the spelling they use.
KNOWN = (
    "SchoolCharacteristics", "SchoolName", "Phase", "SchoolType", "LowestNCyearGroup", "HighestNCyearGroup",
    "Intake", "Governance", "Accommodation", "Email", "PhoneNo", "Classes", "ClassName", "YearGroup", "KeyStage",
    "ClassActivity", "Teachers", "NonTeachers", "HomePupils", "GuestPupils",
    "PupilIdentifiers", "UPN", "UniqueLearnerNumber", "FormerUPN", "Surname", "Forename", "MiddleNames",
    "PreferredSurname", "PreferredForename", "Sex", "Gender", "DOB",
    "PupilCharacteristics", "Ethnicity", "Languages", "LanguageType", "Language", "ServiceChild", "PLAA", "YSSA",
    "FSMlist", "FSMstartDate", "FSMendDate", "UKcountry",
    "PupilStatus", "EnrolStatus", "EntryDate", "LeavingDate", "NCyearActual", "PartTime", "Boarder", "ClassType",
    "TopUpFunding", "SchoolLunchTaken", "LearnerSupport",
    "SpecialEducationalNeeds", "SENprovision", "SENunitIndicator", "ResourcedProvisionIndicator", "SENneeds",
    "SENtypeRank", "SENtype", "HomeInformation", "Address", "AddressLines", "BS7666Address", "PostCode",
    "Attendance", "SessionsPossible", "SessionsAuthorised", "SessionsUnauthorised", "SessionsEducational",
    "SessionsExceptional", "SessionDetails", "AttendanceReason", "Sessions",
    "Exclusions", "Category", "StartDate", "EarlyYears", "FundedHours", "HoursAtSetting", "ExtendedHours",
    "ThirtyHourCode", "DAFindicator", "EYPPR", "EYPPBF", "FundingBasisItems",
    *RECORD_TAGS, *LIST_LEAVES,
)
#: Other spellings of the same element (older schemas, other suppliers), in lower case.
RENAMES = {
    "fsminstance": "FSMperiod", "fsmhistory": "FSMlist", "fsmperiods": "FSMlist", "reason1": "Reason",
    "reason2": "Reason", "reason3": "Reason", "type": "SchoolType", "highestncyear": "HighestNCyearGroup",
    "lowestncyear": "LowestNCyearGroup", "emailaddress": "Email", "schoolemail": "Email",
    "telephoneno": "PhoneNo", "telephonenumber": "PhoneNo", "summerhalfterm2": "SummerHalfTerm2Attendance",
    "termlysessionspossible": "SessionsPossible", "termlysessionsauthorised": "SessionsAuthorised",
    "termlysessionsunauthorised": "SessionsUnauthorised", "exclusion": "TermlyExclusion",
    "exclusioncategory": "Category", "exclusionreason": "Reason", "exclusionstartdate": "StartDate",
    "learnersupportcode": "SupportCode", "senneedtype": "SENtype", "senrank": "SENtypeRank",
}
_BY_LOWER = {name.lower(): name for name in KNOWN} | RENAMES
_CANONICAL: dict[str, str] = {"Gender": "Gender"}


def canonical(tag: str) -> str:
    """The name the rules use for element ``tag`` (``tag`` itself when it is not one they read)."""
    name = _CANONICAL.get(tag)
    if name is None:
        name = _CANONICAL[tag] = _BY_LOWER.get(tag.lower(), tag) if isinstance(tag, str) else ""
    return name


def read_content(element: etree._Element, out: dict | None = None) -> dict:
    """``element``'s content as one flat dict (see the module's docstring). Later leaves of the same
    name win; records and repeated values are kept in file order."""
    if out is None:
        out = {}
    cache = _CANONICAL
    for child in element:
        tag = cache.get(child.tag) or canonical(child.tag)
        if tag in RECORD_TAGS:
            out.setdefault(tag, []).append(read_content(child))
        elif tag in LIST_LEAVES:
            out.setdefault(tag, []).append(child.text)
        elif len(child):
            out[tag] = ""
            read_content(child, out)
        else:
            out[tag] = child.text
    return out
