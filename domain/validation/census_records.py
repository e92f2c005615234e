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
_LEAF, _CONTAINER, _RECORD, _LIST = 0, 1, 2, 3
#: Element names known to hold other elements (any other element with children is read as one too).
CONTAINERS = frozenset({
    "SchoolCharacteristics", "Classes", "PupilIdentifiers", "PupilCharacteristics", "Languages", "FSMlist",
    "PupilStatus", "LearnerSupport", "SpecialEducationalNeeds", "SENneeds", "HomeInformation", "Address",
    "AddressLines", "BS7666Address", "Attendance", "SessionDetails", "Exclusions", "EarlyYears", "FundingBasisItems",
})
# Raw tag -> (canonical name, kind), filled as tags are met: one dictionary look-up per element after that.
_SEEN: dict[str, tuple[str, int | None]] = {"Gender": ("Gender", _LEAF), "Type": ("SchoolType", None)}


def canonical(tag: str) -> str:
    """The name the rules use for element ``tag`` (``tag`` itself when it is not one they read)."""
    return _known(tag)[0]


def _known(tag: str) -> tuple[str, int | None]:
    """``tag``'s canonical name and kind (None: decided by whether the element has children)."""
    found = _SEEN.get(tag)
    if found is None:
        name = _BY_LOWER.get(tag.lower(), tag) if isinstance(tag, str) else ""
        kind = _RECORD if name in RECORD_TAGS else _LIST if name in LIST_LEAVES else \
            _CONTAINER if name in CONTAINERS else None if name not in KNOWN else _LEAF
        found = _SEEN[tag] = (name, kind)
    return found


def read_content(element: etree._Element, out: dict | None = None) -> dict:
    """``element``'s content as one flat dict (see the module's docstring). Later leaves of the same
    name win; records and repeated values are kept in file order."""
    if out is None:
        out = {}
    seen = _SEEN
    for child in element:
        name, kind = seen.get(child.tag) or _known(child.tag)
        if kind == _LEAF:
            out[name] = child.text
        elif kind == _CONTAINER:
            out[name] = ""
            read_content(child, out)
        elif kind == _RECORD:
            out.setdefault(name, []).append(read_content(child))
        elif kind == _LIST:
            out.setdefault(name, []).append(child.text)
        elif len(child):  # an element the rules do not name: read through it if it holds others
            out[name] = ""
            read_content(child, out)
        else:
            out[name] = child.text
    return out
