"""A file that breaks, and a near-identical file that keeps, each School Census content rule (school
characteristics, classes, characteristics, free school meals, status, SEN, attendance, exclusions, learner
support, early years, leavers, return-level counts). ``CONTENT_CASES`` rows are ``(rule, bad, good)`` with
each side the keyword arguments of ``test_rule_cases.Spec``. The census is the autumn 2026 one of secondary
school 873/4001 (census day 2026-10-01; previous census 2026-05-21; attendance of the summer term 2026,
exclusions of the spring term 2026) unless a side says otherwise."""
from __future__ import annotations

from tests.domain.validation.xml_files import pupil

SPR = {"Term": "SPR", "Year": "2027", "ReferenceDate": "2027-01-21"}
NEED = [{"SENtypeRank": "1", "SENtype": "MLD"}]
SENK = {"SENprovision": "K", "SENneed": NEED, "SENunitIndicator": "0", "ResourcedProvisionIndicator": "0"}
SENE = {**SENK, "SENprovision": "E"}


def block(**changes) -> dict:
    """A term's attendance: 130 sessions possible, 4 authorised (illness), 1 unauthorised (O)."""
    return {"SessionsPossible": "130", "SessionsAuthorised": "4", "SessionsUnauthorised": "1",
            "SessionDetail": [{"AttendanceReason": "I", "Sessions": "4"}, {"AttendanceReason": "O", "Sessions": "1"}],
            **changes}


def exclusion(**changes) -> list[dict]:
    return [{"Category": "SUSP", "Reason": ["PP"], "StartDate": "2026-02-02", "Sessions": "2", "SENprovision": "N",
             **changes}]


def fsm(**changes) -> list[dict]:
    return [{"FSMstartDate": "2025-03-03", "FSMendDate": None, "UKcountry": "ENG", **changes}]


# A Year 8 pupil on roll last year: the summer term's attendance (and its second half) is due.
YEAR8 = {"NCyearActual": "8", "DOB": "2013-11-15", "EntryDate": "2025-09-03", "TermlyAttendance": block(),
         "SummerHalfTerm2Attendance": block(SessionsPossible="66")}
THREE = {"NCyearActual": "N2", "DOB": "2022-11-15", "FundedHours": "15", "HoursAtSetting": "15", "DAFindicator": "0",
         "EYPPR": "N"}
THIRTY = {**THREE, "ExtendedHours": "15", "ThirtyHourCode": "12345678901", "HoursAtSetting": "30"}
TWO = {"NCyearActual": "N1", "DOB": "2023-11-15", "FundedHours": "15", "HoursAtSetting": "15", "FundingBasis": ["ECO"]}
FOUR_IN_NURSERY = {**THREE, "DOB": "2021-11-15"}
RECEPTION = {"NCyearActual": "R", "DOB": "2021-11-15", "SchoolLunchTaken": "1"}
CLASS = {"ClassName": "7A", "YearGroup": "7", "KeyStage": "3", "ClassActivity": "MA", "Teachers": "1",
         "NonTeachers": "1", "HomePupils": "28", "GuestPupils": "0"}


def classes(*changes: dict) -> list[dict]:
    """Two clean classes (7A and 7B), the first with ``changes[0]``, the second with ``changes[1]``."""
    rows = [dict(CLASS), {**CLASS, "ClassName": "7B", "ClassActivity": "EN"}]
    for row, change in zip(rows, changes, strict=False):
        row.update(change)
    return rows


def uln(serial: int) -> str:
    """A valid ULN for ``serial`` (weights 10..2 on the first nine digits, r = sum mod 11, check digit 10 - r;
    r = 0 has no check digit, so the next number is tried)."""
    while True:
        first9 = f"{100000000 + serial:09d}"
        r = sum(int(d) * w for d, w in zip(first9, range(10, 1, -1), strict=True)) % 11
        if r and r != 1:  # r = 1 would need a check digit of 9... still one digit: allowed too
            return first9 + str(10 - r)
        if r == 1:
            return first9 + "9"
        serial += 1


def roll(n: int = 40, every: dict | None = None, **shares: tuple[int, dict]) -> list[dict]:
    """``n`` clean pupils in years 7 to 11 (some with free school meals, some with SEN support), each with
    ``every``; ``shares`` name changes made to the first k pupils: ``fsm=(20, {...})``."""
    pupils = []
    for i in range(1, n + 1):
        year = 7 + i % 5
        fields = {"NCyearActual": str(year), "DOB": f"{2026 - year - 5}-11-15"}
        if year >= 9:
            fields["YSSA"] = "Yes"
        if year >= 10:
            fields["UniqueLearnerNumber"] = uln(i)
        if i % 5 == 0:
            fields["FSMperiod"] = fsm()
        if i % 6 == 0:
            fields.update(SENK)
        fields.update(every or {})
        pupils.append(fields)
    for count, change in shares.values():
        for fields in pupils[:count]:
            fields.update(change)
    return [pupil(i, **fields) for i, fields in enumerate(pupils, start=1)]


def one(**changes) -> dict:
    return {"pupils": [pupil(1, **changes)]}


def school(pupils: list[dict] | None = None, **changes) -> dict:
    return {"school": changes, **({"pupils": pupils} if pupils is not None else {})}


def spring(**spec) -> dict:
    return {**spec, "header": {**SPR, **spec.get("header", {})}}


def leaver(**changes) -> dict:
    fields = {"LeavingDate": "2026-07-10", "EntryDate": "2024-09-03", "DOB": "2013-11-15",
              "TermlyAttendance": block(), "SummerHalfTerm2Attendance": block(SessionsPossible="40"), **changes}
    return {"leavers": [pupil(50, **fields)]}


INFANTS = [pupil(i, NCyearActual="1", DOB="2020-11-15", SchoolLunchTaken="1" if i % 10 else "0")
           for i in range(1, 41)]
WITH_ATTENDANCE = {"EntryDate": "2025-09-03", "TermlyAttendance": block(),
                   "SummerHalfTerm2Attendance": block(SessionsPossible="66")}

CONTENT_CASES: list[tuple[str, dict, dict]] = [
    # school characteristics
    ("110", school(SchoolName=None), {}),
    ("120", school(Phase="ZZ"), {}),
    ("140", school(SchoolType="99"), {}),
    ("165", school(SchoolCharacteristics=None), {}),
    ("210", school(HighestNCyearGroup="15"), {}),
    ("220", school(LowestNCyearGroup=None), {}),
    ("230", school(LowestNCyearGroup="12"), {}),
    ("240", school(Intake="OPEN"), school(Intake="SEL1")),
    ("223", school(Intake="SPEC"), school(Intake="SPEC", Phase="SP")),
    ("260", school(Governance="IN"), school(Governance="VA")),
    ("261", school(SchoolType="49"), school(SchoolType="49", Governance="CA")),
    ("262", school(Governance="CA"), school(SchoolType="49", Governance="CA")),
    ("263", school(SchoolType="47"), school(SchoolType="47", Governance="CT")),
    ("264", school(Governance="CT"), school(SchoolType="47", Governance="CT")),
    ("280", spring(**school(Accommodation="Z")), spring()),
    ("420", school(PhoneNo=None), {}),
    ("270Q", school(Email=""), {}),
    # classes (spring)
    ("5160", spring(), spring(classes=classes())),
    ("1050", spring(classes=classes({"ClassName": None})), spring(classes=classes())),
    ("1060", spring(classes=classes({}, {"ClassName": "7A"})), spring(classes=classes())),
    ("1100", spring(classes=classes({"Teachers": "0", "NonTeachers": "0"})),
     spring(classes=classes({"Teachers": "0"}))),
    ("1140", spring(classes=classes({"YearGroup": "Y1"})), spring(classes=classes())),
    ("1160", spring(classes=classes({"KeyStage": "5"})), spring(classes=classes({"KeyStage": None}))),
    ("1170", spring(classes=classes({"ClassActivity": None})), spring(classes=classes())),
    ("1200", spring(classes=classes({"HomePupils": None})), spring(classes=classes())),
    ("1210", spring(classes=classes({"GuestPupils": "x"})), spring(classes=classes())),
    ("1220", spring(classes=classes({"HomePupils": "0"})), spring(classes=classes({"HomePupils": "0",
                                                                                   "GuestPupils": "2"}))),
    ("1240Q", spring(classes=classes({"HomePupils": "3", "GuestPupils": "4"})),
     spring(classes=classes({"HomePupils": "5", "GuestPupils": "4"}))),
    ("1180Q", spring(classes=classes({"ClassActivity": "OT"}, {"ClassActivity": "OT"})),
     spring(classes=classes({"ClassActivity": "OT"}))),
    ("1110Q", spring(classes=classes({"NonTeachers": "0"}, {"NonTeachers": "0"})),
     spring(classes=classes({"NonTeachers": "0"}))),
    ("2090Q", spring(pupils=roll(every=WITH_ATTENDANCE) + [pupil(41, **THREE)], classes=classes()),
     spring(pupils=roll(every=WITH_ATTENDANCE) + [pupil(41, **THREE)],
            classes=classes({}, {"YearGroup": "N2", "ClassName": "Nursery"}))),
    # characteristics
    ("1630", one(Ethnicity="XXXX"), one(Ethnicity="WIRT")),
    ("1840", one(Language="QQQ"), one(Language="ARAA")),
    ("1856", one(ServiceChild=None), one(ServiceChild=None, EnrolStatus="S")),
    ("1871", one(PLAA="Z"), one(PLAA="A")),
    ("1770", one(NCyearActual="9", DOB="2012-11-15"), one(NCyearActual="9", DOB="2012-11-15", YSSA="SNR")),
    ("5046", school([pupil(1, YSSA="Yes")], Phase="PS"), school(Phase="PS")),
    # free school meals
    ("1761", one(FSMperiod=fsm(FSMstartDate=None)), one(FSMperiod=fsm())),
    ("1762", one(FSMperiod=fsm(FSMstartDate="2026-10-02")), one(FSMperiod=fsm(FSMstartDate="2026-10-01"))),
    ("1763", one(FSMperiod=fsm(FSMendDate="2026-05-21")), one(FSMperiod=fsm(FSMendDate="2026-05-22"))),
    ("fsm-end-date", one(FSMperiod=fsm(FSMendDate="31/12/2025")), one(FSMperiod=fsm())),
    ("1764", one(FSMperiod=fsm(UKcountry="XYZ")), one(FSMperiod=fsm(UKcountry="SCT", FSMendDate="2026-09-30"))),
    ("1765", one(FSMperiod=fsm(UKcountry="WLS")), one(FSMperiod=fsm(UKcountry="WLS", FSMendDate="2026-09-30"))),
    ("1766", one(FSMperiod=fsm(FSMstartDate="2026-09-20", FSMendDate="2026-09-10")),
     one(FSMperiod=fsm(FSMstartDate="2026-09-01", FSMendDate="2026-09-10"))),
    ("1768", one(FSMperiod=fsm() + fsm(FSMstartDate="2024-01-08")),
     one(FSMperiod=fsm() + fsm(FSMstartDate="2024-01-08", FSMendDate="2026-06-01"))),
    ("1745Q", one(FSMperiod=fsm(FSMstartDate="2026-09-10", FSMendDate="2026-09-10")),
     one(FSMperiod=fsm(FSMstartDate="2026-09-10", FSMendDate="2026-09-11"))),
    # status
    ("1880", one(EntryDate="2026-10-02"), one(EntryDate="2026-10-01")),
    ("entry-before-birth", one(EntryDate="2014-11-14"), one(EntryDate="2014-11-15")),
    ("1930", one(PartTime="2"), one(PartTime="0")),
    ("1940", one(PartTime="1"), one(**THREE, PartTime="1")),
    ("1950", one(PartTime="1", Boarder="B"), one(Boarder="B")),
    ("1970", one(Boarder="X"), one(Boarder="7")),
    ("2002", one(NCyearActual="6", DOB="2015-11-15"), one(NCyearActual="11", DOB="2010-11-15")),
    ("2060", school([pupil(1)], Phase="PS"), school([pupil(1, ClassType="O")], Phase="PS")),
    ("5048", one(ClassType="O"), one()),
    ("2080", school([pupil(1, ClassType="N")], Phase="PS"), school([pupil(1, ClassType="O")], Phase="PS")),
    ("1869", one(TopUpFunding=None), one(TopUpFunding="1")),
    ("1990Q", one(TopUpFunding="1"), one(TopUpFunding="1", **SENE)),
    ("1875", one(**RECEPTION | {"SchoolLunchTaken": None}), one(**RECEPTION)),
    ("1876", one(SchoolLunchTaken="1"), one()),
    # learner support
    ("1864", one(EnrolStatus="S", SupportCode=["53"]), one(SupportCode=["53"])),
    ("1865", one(SupportCode=["99"]), one(SupportCode=["53"])),
    ("1866", one(SupportCode=["53", "53"]), one(SupportCode=["53", "54"])),
    ("1867", one(SupportCode=["53"]), one(SupportCode=["53"], DOB="2009-11-15", NCyearActual="12")),
    ("1868", one(SupportCode=["53"], DOB="2005-11-15", NCyearActual="14"),
     one(SupportCode=["53"], DOB="2007-11-15", NCyearActual="14")),
    # SEN
    ("2120", one(SENprovision="Z"), one(**SENK)),
    ("2115", one(SENprovision="S", SENneed=NEED), one(**SENE)),
    ("2125", one(SENneed=NEED), one(**SENK)),
    ("2170", one(**SENK | {"SENneed": []}), one(**SENK)),
    ("sen-type-invalid", one(**SENK | {"SENneed": [{"SENtypeRank": "1", "SENtype": "XYZ"}]}), one(**SENK)),
    ("2130", one(**SENK | {"SENneed": NEED + [{"SENtypeRank": "2"}]}),
     one(**SENK | {"SENneed": NEED + [{"SENtypeRank": "2", "SENtype": "SLD"}]})),
    ("2140", one(**SENK | {"SENneed": [{"SENtypeRank": "3", "SENtype": "MLD"}]}), one(**SENK)),
    ("2160", one(**SENK | {"SENneed": [{"SENtypeRank": "2", "SENtype": "MLD"}]}), one(**SENK)),
    ("2165", one(**SENK | {"SENneed": NEED + [{"SENtypeRank": "1", "SENtype": "SLD"}]}),
     one(**SENK | {"SENneed": NEED + [{"SENtypeRank": "2", "SENtype": "SLD"}]})),
    ("2166", one(**SENK | {"SENneed": NEED + [{"SENtypeRank": "2", "SENtype": "SLD"},
                                             {"SENtypeRank": "2", "SENtype": "HI"}]}),
     one(**SENK | {"SENneed": NEED + [{"SENtypeRank": "2", "SENtype": "SLD"}]})),
    ("2175", one(**SENE | {"SENneed": [{"SENtypeRank": "1", "SENtype": "NSA"}]}),
     one(**SENK | {"SENneed": [{"SENtypeRank": "1", "SENtype": "NSA"}]})),
    ("2180", school(Phase="SP"), school([pupil(1, SENprovision="E", SENneed=NEED)], Phase="SP")),
    ("2230", one(**SENK | {"SENunitIndicator": None}), one(**SENK)),
    ("2250", one(**SENK | {"ResourcedProvisionIndicator": "7"}), one(**SENK)),
    ("5049", school([pupil(1, **SENE)], Phase="SP"),
     school([pupil(1, SENprovision="E", SENneed=NEED, ResourcedProvisionIndicator="0")], Phase="SP")),
    ("5050", school([pupil(1, **SENE)], Phase="SP"),
     school([pupil(1, SENprovision="E", SENneed=NEED, SENunitIndicator="0")], Phase="SP")),
    # attendance
    ("2500", one(**YEAR8 | {"TermlyAttendance": None}), one(**YEAR8)),
    ("2470", one(**THREE, TermlyAttendance=block()), one(**THREE)),
    ("2530", one(**YEAR8 | {"TermlyAttendance": block(SessionsPossible="4")}), one(**YEAR8)),
    ("sessions-invalid", one(**YEAR8 | {"TermlyAttendance": block(SessionsEducational="2.5")}),
     one(**YEAR8 | {"TermlyAttendance": block(SessionsEducational="2", SessionsExceptional="0")})),
    ("2475", one(**YEAR8 | {"TermlyAttendance": block(SessionDetail=[{"AttendanceReason": "QQ", "Sessions": "4"},
                                                                     {"AttendanceReason": "O", "Sessions": "1"}])}),
     one(**YEAR8)),
    ("2480", one(**YEAR8 | {"TermlyAttendance": block(SessionDetail=[{"AttendanceReason": "I", "Sessions": "5"},
                                                                     {"AttendanceReason": "O", "Sessions": "0"}])}),
     one(**YEAR8)),
    ("2490", one(**YEAR8 | {"TermlyAttendance": block(SessionDetail=[])}),
     one(**YEAR8 | {"TermlyAttendance": block(SessionDetail=[], SessionsAuthorised="0", SessionsUnauthorised="0")})),
    ("2505", one(**YEAR8 | {"TermlyAttendance": block(SessionDetail=[{"AttendanceReason": "I", "Sessions": "2"},
                                                                     {"AttendanceReason": "I", "Sessions": "2"},
                                                                     {"AttendanceReason": "O", "Sessions": "1"}])}),
     one(**YEAR8 | {"TermlyAttendance": block(SessionDetail=[{"AttendanceReason": "I", "Sessions": "2"},
                                                             {"AttendanceReason": "M", "Sessions": "2"},
                                                             {"AttendanceReason": "O", "Sessions": "1"}])})),
    ("absence-reasons-total", one(**YEAR8 | {"TermlyAttendance": block(SessionsUnauthorised="2")}), one(**YEAR8)),
    ("2575", one(**YEAR8 | {"SummerHalfTerm2Attendance": None}), one(**YEAR8)),
    ("2571", spring(**one(**YEAR8)), spring(**one(**YEAR8 | {"SummerHalfTerm2Attendance": None}))),
    ("2582", one(**YEAR8 | {"SummerHalfTerm2Attendance": block(SessionsPossible="2")}), one(**YEAR8)),
    ("2560Q", {"pupils": roll(every=WITH_ATTENDANCE | {"TermlyAttendance": block(
        SessionsAuthorised="45", SessionDetail=[{"AttendanceReason": "I", "Sessions": "45"},
                                                {"AttendanceReason": "O", "Sessions": "1"}])})},
     {"pupils": roll(every=WITH_ATTENDANCE)}),
    # exclusions
    ("2270", one(**YEAR8, TermlyExclusion=exclusion(StartDate=None)), one(**YEAR8, TermlyExclusion=exclusion())),
    ("2275", one(**YEAR8, TermlyExclusion=exclusion(Category="XXXX")),
     one(**YEAR8, TermlyExclusion=exclusion(Category="LNCH"))),
    ("2280", one(**YEAR8, TermlyExclusion=exclusion(Reason=["ZZ"])),
     one(**YEAR8, TermlyExclusion=exclusion(Reason=["PP", "VA"]))),
    ("2285", one(**YEAR8, TermlyExclusion=exclusion(Category="PERM", Sessions=None) * 2),
     one(**YEAR8, TermlyExclusion=exclusion(Category="PERM", Sessions=None))),
    ("2290", one(**YEAR8, TermlyExclusion=exclusion(StartDate="2026-04-10")),
     one(**YEAR8, TermlyExclusion=exclusion(StartDate="2026-04-03"))),
    ("2300", one(**YEAR8, TermlyExclusion=exclusion(Sessions=None)), one(**YEAR8, TermlyExclusion=exclusion())),
    ("2330", one(**YEAR8, TermlyExclusion=exclusion(Category="PERM", Sessions="4")),
     one(**YEAR8, TermlyExclusion=exclusion(Category="PERM", Sessions=None))),
    ("2320Q", one(**YEAR8, TermlyExclusion=exclusion(Sessions="95")),
     one(**YEAR8, TermlyExclusion=exclusion(Sessions="90"))),
    ("2310", one(**YEAR8, TermlyExclusion=exclusion(SENprovision="Q")),
     one(**YEAR8, TermlyExclusion=exclusion(SENprovision="K"))),
    ("2335", one(**YEAR8, TermlyExclusion=exclusion(Category="PERM", Sessions=None)),
     one(**YEAR8, TermlyExclusion=exclusion())),
    ("5051", school([pupil(1, **YEAR8, TermlyExclusion=exclusion())], Phase="NS"),
     school([pupil(1, **YEAR8)], Phase="NS")),
    ("2303", leaver(TermlyExclusion=exclusion(StartDate="2026-07-20")), leaver(TermlyExclusion=exclusion())),
    # early years
    ("1851", one(FundedHours="15"), one()),
    ("1852", one(**THREE | {"FundedHours": None}), one(**THREE)),
    ("5180", one(**FOUR_IN_NURSERY | {"FundedHours": "30", "HoursAtSetting": "30"}),
     one(**FOUR_IN_NURSERY | {"FundedHours": "25", "HoursAtSetting": "30"})),
    ("5170", one(**RECEPTION, FundedHours="15"), one(**RECEPTION)),
    ("1854", one(HoursAtSetting="20"), one()),
    ("1855", one(**THREE | {"HoursAtSetting": None}), one(**THREE)),
    ("5190", one(**RECEPTION, HoursAtSetting="25"), one(**RECEPTION)),
    ("5200", one(**FOUR_IN_NURSERY | {"HoursAtSetting": None}), one(**FOUR_IN_NURSERY)),
    ("1859", one(**THREE | {"HoursAtSetting": "10"}), one(**THREE)),
    ("3140", one(**THIRTY | {"ExtendedHours": "20", "HoursAtSetting": "40"}), one(**THIRTY)),
    ("3100", one(**TWO, ExtendedHours="0"), one(**TWO)),
    ("3105", one(**THIRTY | {"ThirtyHourCode": "1234"}), one(**THIRTY)),
    ("3110", one(**THREE, ThirtyHourCode="12345678901"), one(**THIRTY)),
    ("3130", one(**THIRTY | {"ThirtyHourCode": None}), one(**THIRTY)),
    ("3150", one(**THIRTY | {"FundedHours": "16", "HoursAtSetting": "40"}), one(**THIRTY)),
    ("3160", {"pupils": [pupil(1, **THIRTY), pupil(2, **THIRTY)]},
     {"pupils": [pupil(1, **THIRTY), pupil(2, **THIRTY | {"ThirtyHourCode": "12345678902"})]}),
    ("1843", one(**THREE | {"EYPPR": "Y"}), one(**THREE | {"EYPPR": "Y", "EYPPBF": "RE"})),
    ("1844", one(**THREE, EYPPBF="RE"), one(**THREE)),
    ("1846", one(**THREE | {"EYPPR": "Q"}), one(**THREE)),
    ("1861", one(EYPPR="N"), one()),
    ("1862", one(**RECEPTION, EYPPR="N"), one(**RECEPTION)),
    ("1849Q", one(**THREE | {"PLAA": "A", "EYPPR": "Y", "EYPPBF": "RE"}),
     one(**THREE | {"PLAA": "A", "EYPPR": "Y", "EYPPBF": "RO"})),
    ("1853Q", one(**THREE | {"FSMperiod": fsm(), "EYPPR": "Y", "EYPPBF": "RO"}),
     one(**THREE | {"FSMperiod": fsm(), "EYPPR": "Y", "EYPPBF": "RB"})),
    ("3120", one(DAFindicator="0"), one()),
    ("5230", one(**THREE | {"DAFindicator": "7"}), one(**THREE)),
    ("5220", one(**THREE | {"DAFindicator": "1", "FundedHours": None}), one(**THREE | {"DAFindicator": "1"})),
    ("5235", one(**TWO | {"FundingBasis": []}), one(**TWO)),
    ("3200", one(**THREE, FundingBasis=["ECO"]), one(**THREE)),
    ("3210", one(**TWO | {"FundingBasis": ["ECO", "ECO"]}), one(**TWO | {"FundingBasis": ["ECO", "HSD"]})),
    # pupils no longer on roll
    ("1920", leaver(LeavingDate="2026-10-01"), leaver()),
    ("1573", leaver(DOB="2011-11-15"), leaver(DOB="2011-11-15", UniqueLearnerNumber="1234567899")),
    ("2510", leaver(TermlyAttendance=None), leaver()),
    ("5065", school(Phase="NS") | leaver(), school(Phase="NS")),
    # return-level counts (30 pupils or more)
    ("2040Q", {"pupils": [p for p in roll(50) if p["NCyearActual"] != "11"]}, {"pupils": roll()}),
    ("1640Q", {"pupils": roll(every={"Ethnicity": "WBRI"})}, {"pupils": roll()}),
    ("1700Q", {"pupils": roll(nobt=(6, {"Ethnicity": "NOBT"}))}, {"pupils": roll(nobt=(3, {"Ethnicity": "NOBT"}))}),
    ("1750Q", {"pupils": roll(fsm=(20, {"FSMperiod": fsm()}))}, {"pupils": roll()}),
    ("1760Q", {"pupils": roll(every={"FSMperiod": []})}, {"pupils": roll()}),
    ("1850Q", {"pupils": roll(lang=(6, {"Language": "NOT"}))}, {"pupils": roll(lang=(3, {"Language": "REF"}))}),
    ("1870Q", {"pupils": roll(dual=(4, {"EnrolStatus": "M"}))}, {"pupils": roll(dual=(1, {"EnrolStatus": "M"}))}),
    ("1872Q", {"pupils": roll(plaa=(3, {"PLAA": "A"}))}, {"pupils": roll(plaa=(2, {"PLAA": "A"}))}),
    ("1960Q", {"pupils": roll(pt=(15, {"PartTime": "1"}))}, {"pupils": roll(pt=(10, {"PartTime": "1"}))}),
    ("1980Q", one(Boarder="B"), school([pupil(1, Boarder="B")], Accommodation="B")),
    ("300Q", school(roll(), Accommodation="B"), school(roll(every={"Boarder": "7"}), Accommodation="B")),
    ("2190Q", {"pupils": roll(ehc=(5, SENE))}, {"pupils": roll(ehc=(4, SENE))}),
    ("2200Q", {"pupils": roll(every={"SENprovision": "N", "SENneed": []})}, {"pupils": roll()}),
    ("2205Q", {"pupils": roll(k=(17, SENK))}, {"pupils": roll()}),
    ("2210Q", school(roll(ehc=(20, SENE), every={"SENprovision": "K", "SENneed": NEED}), Phase="SP"),
     school(roll(every={"SENprovision": "E", "SENneed": NEED}), Phase="SP")),
    ("1877Q", {"pupils": [pupil(i, NCyearActual="1", DOB="2020-11-15", SchoolLunchTaken="1") for i in range(1, 41)]},
     {"pupils": INFANTS}),
    ("1878Q", {"pupils": [pupil(i, NCyearActual="1", DOB="2020-11-15", SchoolLunchTaken="0") for i in range(1, 41)]},
     {"pupils": INFANTS}),
    ("1885Q", spring(pupils=roll(new=(25, {"EntryDate": "2026-10-10"}))), spring(pupils=roll())),
]


def previous_return(**figures):
    """A ``previous`` lookup for validate: the school's summer 2026 census with these figures (10 pupils by
    default, none with free school meals, SEN or EAL)."""
    found = {"pupils": 10, "fsm": 0, "sen_support": 0, "ehc_plan": 0, "eal": 0, **figures}
    return lambda day: {"figures": found, "reference_date": "2026-05-21", "term": "SUM"}


# Term on term: large moves since the school's previous census return (``previous`` option of validate).
TEN = [pupil(i) for i in range(1, 11)]
CONTENT_CASES += [
    ("tont-roll", {"pupils": TEN[:8], "options": {"previous": previous_return()}},
     {"pupils": TEN[:9], "options": {"previous": previous_return()}}),
    ("tont-fsm", {"pupils": [pupil(i, FSMperiod=fsm()) if i <= 2 else pupil(i) for i in range(1, 11)],
                  "options": {"previous": previous_return()}},
     {"pupils": [pupil(i, FSMperiod=fsm()) if i <= 1 else pupil(i) for i in range(1, 11)],
      "options": {"previous": previous_return()}}),
    ("tont-ehc-plan", {"pupils": [pupil(i, **SENE) if i <= 2 else pupil(i) for i in range(1, 11)],
                       "options": {"previous": previous_return()}},
     {"pupils": [pupil(i, **SENE) if i <= 2 else pupil(i) for i in range(1, 11)],
      "options": {"previous": previous_return(ehc_plan=1)}}),
    ("tont-sen-support", {"pupils": TEN, "options": {"previous": previous_return(sen_support=2)}},
     {"pupils": TEN, "options": {"previous": previous_return(sen_support=1)}}),
    ("tont-eal", {"pupils": [pupil(i, Language="POL") if i <= 2 else pupil(i) for i in range(1, 11)],
                  "options": {"previous": previous_return()}},
     {"pupils": TEN, "options": {"previous": previous_return()}}),
]

# A digit int() refuses ("²" is a digit but not a decimal): reported, never a crash.
CONTENT_CASES.append(("sessions-invalid", one(**YEAR8 | {"TermlyAttendance": block(SessionsAuthorised="²")}),
                      one(**YEAR8)))
