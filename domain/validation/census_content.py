"""The School Census content rules: the school's characteristics and classes, each pupil's characteristics,
free school meals, status, SEN, attendance, exclusions, learner support and early years, pupils no longer
on roll, and the counts over the whole return.

``ContentRules`` is fed by ``census.CensusChecker``: ``school`` with the ``School`` element's content,
``pupil`` / ``leaver`` with each pupil's (``census_records.read_content``), then ``finish`` once. Values
are checked against the CBDS code lists of the return's academic year (``code_lists.cbds_lists``).
Ages are taken on 31 August before the academic year (the age that decides year groups and early years
funding) unless a rule says otherwise.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from dateutil.easter import easter

from domain.dates import academic_year_of
from domain.validation.code_lists import CodeLists, cbds_lists
from domain.validation.dates import age_at_start_of_year, age_on, parse_iso_date
from domain.validation.pupil_checks import add_upn_findings, describe_others, is_blank, shared_positions
from domain.validation.report import PupilRef, Report
from domain.validation.rules import RULES

#: Year groups in school order (M mixed and X outside the national curriculum have no place).
YEAR_ORDER = ("E1", "E2", "N1", "N2", "R", *(str(n) for n in range(1, 15)))
_RANK = {year: i for i, year in enumerate(YEAR_ORDER)}
NURSERY_YEARS = frozenset({"E1", "E2", "N1", "N2"})
BOARDING = frozenset({"B", "6", "7"})
#: First languages that are English (ENB: believed to be English); others count as English as an additional language.
ENGLISH = frozenset({"ENG", "ENB"})
#: The ethnic group of an ethnicity code, by its first letter (the CBDS codes are grouped so).
ETHNIC_GROUPS = {"W": "ethnicity_White", "M": "ethnicity_Mixed", "A": "ethnicity_Asian", "B": "ethnicity_Black",
                 "C": "ethnicity_Chinese", "O": "ethnicity_Other"}
INFANT_YEARS = frozenset({"R", "1", "2"})
UP_TO_YEAR_7 = frozenset({*NURSERY_YEARS, "R", *(str(n) for n in range(1, 8))})
CLASS_PHASES = frozenset({"PS", "MP", "MS", "SS", "AT"})
#: Returns with fewer pupils than this are too small for the share-of-pupils queries to mean anything.
MIN_PUPILS_FOR_SHARES = 30
_HOURS = re.compile(r"\d{1,3}(\.\d{1,2})?")
#: The items of the early years rules: a pupil over 4 with none of them is passed by quickly.
EARLY_YEARS_ITEMS = frozenset({"FundedHours", "HoursAtSetting", "ExtendedHours", "ThirtyHourCode", "DAFindicator",
                               "EYPPR", "EYPPBF", "FundingBasis"})
_SESSION_COUNTS = ("SessionsAuthorised", "SessionsUnauthorised", "SessionsEducational", "SessionsExceptional")
_NEEDS_YEAR = frozenset(rule.id for rule in RULES.values() if "year" in rule.extra_keys)


def whole(text: str | None) -> int | None:
    """``text`` as a whole number of 0 or more (surrounding white space allowed), or None."""
    if not text:
        return None
    if not text.isdecimal():  # isdecimal, not isdigit: int() refuses digits such as "²"
        text = text.strip()
        if not text.isdecimal():
            return None
    return int(text) if len(text) < 7 else None


def hours(text: str | None) -> float | None:
    """``text`` as a number of hours (0 or more, at most two decimal places), or None."""
    text = (text or "").strip()
    return float(text) if _HOURS.fullmatch(text) else None


def _share(part: int, whole_: int) -> str:
    return f"{part / whole_:.0%} ({part} of {whole_})"


class Periods:
    """The dates one census collects: the previous census day, the term whose attendance it holds and the term
    whose exclusions it holds (as ``(first day, last day, words)``). Terms run 1 August to 31 December
    (autumn), 1 January to Easter Sunday (spring) and Easter Monday to 31 July (summer)."""

    def __init__(self, term: str, day: dt.date):
        year = day.year
        autumn = lambda y: (dt.date(y, 8, 1), dt.date(y, 12, 31), f"autumn term {y}")  # noqa: E731
        spring = lambda y: (dt.date(y, 1, 1), easter(y), f"spring term {y}")  # noqa: E731
        summer = lambda y: (easter(y) + dt.timedelta(days=1), dt.date(y, 7, 31), f"summer term {y}")  # noqa: E731
        if term == "AUT":
            self.previous_census = _nth_thursday(year, 5, 3)
            self.attendance, self.exclusions = summer(year), spring(year)
            self.summer_half_term_2 = (dt.date(year, 6, 1), dt.date(year, 7, 31), f"second half of summer term {year}")
        elif term == "SPR":
            self.previous_census = _nth_thursday(year - 1, 10, 1)
            self.attendance, self.exclusions = autumn(year - 1), summer(year - 1)
            self.summer_half_term_2 = None
        else:
            self.previous_census = _nth_thursday(year, 1, 3)
            self.attendance, self.exclusions = spring(year), autumn(year - 1)
            self.summer_half_term_2 = None


def _nth_thursday(year: int, month: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 7 * (n - 1))


class ContentRules:
    """The content rules over one census return. ``term`` is AUT, SPR or SUM ("" when unknown), ``day`` the
    census day (None when unknown: date rules then stand down)."""

    def __init__(self, report: Report):
        self.report = report
        self.term = ""
        self.day: dt.date | None = None
        self.periods: Periods | None = None
        self.lists: CodeLists = cbds_lists(None)
        self._codes = {name: self.lists.codes(name) for name in self.lists.entries}
        #: The enrolment statuses and year groups of the code lists in use (rules 1860 and 2000).
        self.enrol_statuses, self.year_groups = self._codes["enrol_status"], self._codes["nc_year"]
        self.school: dict | None = None
        self.phase = ""
        self.accommodation = ""
        self.range: tuple[str, str] | None = None
        self.counts: Counter = Counter()
        self.years: Counter = Counter()
        self.thirty_hour_codes: list[str | None] = []
        self.thirty_hour_refs: list[PupilRef] = []
        self.sessions_possible = self.sessions_authorised = self.sessions_unauthorised = 0
        self.leavers = 0
        self.classes: list[dict] = []

    # ------------------------------------------------------------------ set-up
    def set_census(self, term: str, day: dt.date | None, academic_year: int | None) -> None:
        """The term, census day and academic year the header gives (the code lists follow the year)."""
        self.term, self.day = term, day
        self.periods = Periods(term, day) if day is not None and term in ("AUT", "SPR", "SUM") else None
        if self.periods:  # (block, its period, rules: missing, not wanted, more missed than possible) by on_roll
            half_term_2 = ("SummerHalfTerm2Attendance", self.periods.summer_half_term_2, "2575", "2571", "2582")
            self._blocks = {on_roll: (("TermlyAttendance", self.periods.attendance, "2500" if on_roll else "2510",
                                       "2470", "2530"), half_term_2) for on_roll in (True, False)}
        self.lists = cbds_lists(academic_year)
        self._codes = {name: self.lists.codes(name) for name in self.lists.entries}
        self.enrol_statuses, self.year_groups = self._codes["enrol_status"], self._codes["nc_year"]

    def add(self, rule: str, field: str, value: object = "", ref: PupilRef | None = None, **context: object) -> None:
        """Record a finding, naming the code lists' year where the rule's message does."""
        if rule in _NEEDS_YEAR:
            context["year"] = self.lists.label
        self.report.add(rule, field, value, ref, **context)

    def code(self, rule: str, field: str, value: str | None, name: str, ref: PupilRef | None = None,
             **context: object) -> bool:
        """Rule ``rule`` unless ``value`` is a code of list ``name``. Returns True when it is."""
        if value in self._codes[name]:  # no code is blank, so a blank value is never in a list
            return True
        self.add(rule, field, value, ref, **context)
        return False

    # ------------------------------------------------------------------ school
    def school_content(self, fields: dict) -> None:  # noqa: C901 (one check after another)
        """Rules 110-420 on the school's characteristics, and (spring) the class rules."""
        self.school = fields
        if "SchoolCharacteristics" not in fields:
            return
        get = fields.get
        if is_blank(get("SchoolName")):
            self.add("110", "SchoolName", get("SchoolName"))
        if self.code("120", "Phase", get("Phase"), "phase"):
            self.phase = get("Phase")
        self.code("140", "SchoolType", get("SchoolType"), "school_type")
        low_ok = self.code("220", "LowestNCyearGroup", get("LowestNCyearGroup"), "nc_year")
        high_ok = self.code("210", "HighestNCyearGroup", get("HighestNCyearGroup"), "nc_year")
        low, high = get("LowestNCyearGroup"), get("HighestNCyearGroup")
        if low_ok and high_ok and low in _RANK and high in _RANK:
            if _RANK[low] > _RANK[high]:
                self.add("230", "LowestNCyearGroup", low, expected=high)
            else:
                self.range = (low, high)
        intake = get("Intake")
        if self.code("240", "Intake", intake, "intake") and intake in ("SPEC", "HOSP") and self.phase != "SP":
            self.add("223", "Intake", intake, expected=self.phase or "not given")
        self._governance(get("SchoolType"), get("Governance"))
        self.accommodation = get("Accommodation") or ""
        if self.term == "SPR":
            self.code("280", "Accommodation", get("Accommodation"), "accommodation")
        if is_blank(get("PhoneNo")):
            self.add("420", "PhoneNo", get("PhoneNo"))
        if is_blank(get("Email")):
            self.add("270Q", "Email", get("Email"))
        self.classes = fields.get("Class", [])
        if self.term == "SPR" and self.phase in CLASS_PHASES:
            self._classes(self.classes)

    def _governance(self, school_type: str | None, governance: str | None) -> None:
        """Rules 260-264: governance is a code other than IN, and agrees with an academy or CTC type."""
        if is_blank(governance) or governance == "IN" or governance not in self.lists.codes("governance"):
            self.add("260", "Governance", governance)
            return
        for type_code, gov_code, type_rule, gov_rule in (("49", "CA", "261", "262"), ("47", "CT", "263", "264")):
            if school_type == type_code and governance != gov_code:
                self.add(type_rule, "SchoolType", school_type, expected=governance)
            if governance == gov_code and school_type != type_code:
                self.add(gov_rule, "Governance", governance, expected=school_type or "not given")

    def _classes(self, classes: list[dict]) -> None:  # noqa: C901 (one check after another)
        """Rules 5160 and 1050-1240Q on the spring census's class table."""
        if not classes:
            self.add("5160", "Classes", self.phase)
            return
        names = Counter((c.get("ClassName") or "").strip() for c in classes)
        for name, count in names.items():
            if name and count > 1:
                self.add("1060", "ClassName", name, count=count)
        for number, c in enumerate(classes, start=1):
            label = (c.get("ClassName") or "").strip() or f"number {number}"
            if is_blank(c.get("ClassName")):
                self.add("1050", "ClassName", "", expected=number)
            if not (whole(c.get("Teachers")) or whole(c.get("NonTeachers"))):
                self.add("1100", "Teachers and NonTeachers", label)
            if is_blank(c.get("YearGroup")) or c.get("YearGroup") not in self.lists.codes("nc_year"):
                self.add("1140", "YearGroup", c.get("YearGroup"), expected=label)
            if not is_blank(c.get("KeyStage")) and c.get("KeyStage") not in self.lists.codes("key_stage"):
                self.add("1160", "KeyStage", c.get("KeyStage"), expected=label)
            if is_blank(c.get("ClassActivity")) or c.get("ClassActivity") not in self.lists.codes("class_activity"):
                self.add("1170", "ClassActivity", c.get("ClassActivity"), expected=label)
            home, guest = whole(c.get("HomePupils")), whole(c.get("GuestPupils"))
            if home is None:
                self.add("1200", "HomePupils", c.get("HomePupils"), expected=label)
            if guest is None:
                self.add("1210", "GuestPupils", c.get("GuestPupils"), expected=label)
            if home == 0 and guest == 0:
                self.add("1220", "HomePupils and GuestPupils", label)
            elif home is not None and guest and guest >= home:
                self.add("1240Q", "GuestPupils", guest, expected=label)
        if all(c.get("ClassActivity") == "OT" for c in classes):
            self.add("1180Q", "ClassActivity", "OT")
        if not any(whole(c.get("NonTeachers")) for c in classes):
            self.add("1110Q", "NonTeachers")

    # ------------------------------------------------------------------ pupils on roll
    def pupil(self, ref: PupilRef, fields: dict, dob: dt.date | None, age: int | None) -> None:
        """Every content rule on one pupil on roll; ``age`` is the pupil's age on 31 August (None without a
        usable date of birth)."""
        get = fields.get
        year, enrol = get("NCyearActual"), get("EnrolStatus")
        counts = self.counts
        counts["pupils"] += 1
        self.years[year] += 1
        if enrol == "C":
            counts["single"] += 1
        self._characteristics(ref, fields, age, enrol)
        periods = fields.get("FSMperiod")
        fsm_now = self._fsm(ref, periods) if periods else False
        counts["fsm_now"] += fsm_now
        entry = parse_iso_date(get("EntryDate"))
        self._status(ref, fields, dob, age, year, entry)
        self._sen(ref, fields)
        self._attendance(ref, fields, age, get("Boarder") in BOARDING, entry=entry, leaving=None, on_roll=True)
        exclusions = fields.get("TermlyExclusion")
        if exclusions:
            self._exclusions(ref, exclusions, on_roll=True, leaving=None)
        self._early_years(ref, fields, age, year, fsm_now)

    def _characteristics(self, ref: PupilRef, fields: dict, age: int | None,  # noqa: C901 (one check after another)
                         enrol: str | None) -> None:
        """Rules 1630, 1840, 1856, 1871, 1770 and 5046 on ethnicity, first language, service child, adoption
        from care and the youth support services agreement."""
        get, codes, counts = fields.get, self._codes, self.counts
        ethnicity = get("Ethnicity")
        if ethnicity not in codes["ethnicity"]:
            self.add("1630", "Ethnicity", ethnicity, ref)
        elif ethnicity == "NOBT" or ethnicity == "REFU":
            counts["ethnicity_not_obtained"] += 1
        else:
            counts[ETHNIC_GROUPS.get(ethnicity[0], "ethnicity_Other")] += 1
        language = get("Language")
        if language not in codes["language"] and not (language and len(language) == 4
                                                      and language[:3] in codes["language"]):
            self.add("1840", "Language", language, ref)
        elif language == "NOT" or language == "REF":
            counts["language_not_obtained"] += 1
        elif language not in ENGLISH:
            counts["eal"] += 1
        if enrol != "S":
            if get("ServiceChild") not in codes["service_child"]:
                self.add("1856", "ServiceChild", get("ServiceChild"), ref)
            plaa = get("PLAA")
            if plaa not in codes["plaa"]:
                self.add("1871", "PLAA", plaa, ref)
            elif plaa != "N":
                counts["adopted"] += 1
        yssa = get("YSSA")
        if self.phase in ("NS", "PS"):
            if not is_blank(yssa):
                self.add("5046", "YSSA", yssa, ref, expected=self.phase)
        elif not is_blank(yssa) or age is not None and 13 <= age <= 19:
            self.code("1770", "YSSA", yssa, "yssa", ref, age="unknown" if age is None else age)

    def _fsm(self, ref: PupilRef, periods) -> bool:  # noqa: C901 (one check after another)
        """Rules 1761-1768 and 1745Q on the pupil's free school meals periods; True when one is open on
        census day."""
        open_periods, current = 0, False
        day = self.day
        for period in periods:
            start_text, end_text = period.get("FSMstartDate"), period.get("FSMendDate")
            country = period.get("UKcountry")
            start = parse_iso_date(start_text)
            end = parse_iso_date(end_text) if not is_blank(end_text) else None
            if start is None:
                self.add("1761", "FSMstartDate", start_text, ref)
            elif day and start > day:
                self.add("1762", "FSMstartDate", start_text, ref, expected=day.isoformat())
            if not is_blank(end_text) and end is None:
                self.add("fsm-end-date", "FSMendDate", end_text, ref)
            self.code("1764", "UKcountry", country, "uk_country", ref)
            if end is None and is_blank(end_text):
                open_periods += 1
            if start and end:
                if end < start:
                    self.add("1766", "FSMendDate", end_text, ref, expected=start_text)
                elif end == start:
                    self.add("1745Q", "FSMendDate", end_text, ref)
            if end and self.periods and day and (end <= self.periods.previous_census or end > day):
                self.add("1763", "FSMendDate", end_text, ref, expected=self.periods.previous_census.isoformat())
            if country in ("NIR", "SCT", "WLS") and day and (end is None or end >= day):
                self.add("1765", "UKcountry", country, ref)
            if start and day and start <= day and (end is None and is_blank(end_text) or end and end >= day):
                current = True
        if open_periods > 1:
            self.add("1768", "FSMendDate", open_periods, ref, count=open_periods)
        if periods:
            self.counts["fsm"] += 1
        return current

    def _status(self, ref: PupilRef, fields: dict, dob: dt.date | None, age: int | None, year: str | None,
                entry: dt.date | None) -> None:
        """Rules on the pupil's status: entry date, part time and boarding, year group, type of class, top-up
        funding, school lunch and learner support."""
        get = fields.get
        self._entry(ref, get("EntryDate"), entry, dob)
        self._part_time_and_boarding(ref, get("PartTime"), get("Boarder"), age)
        if self.range and year in _RANK and not _RANK[self.range[0]] <= _RANK[year] <= _RANK[self.range[1]]:
            self.add("2002", "NCyearActual", year, ref, expected=f"{self.range[0]} to {self.range[1]}")
        self._class_type(ref, get("ClassType"), age, year)
        top_up = get("TopUpFunding")
        if top_up != "0":
            if self.code("1869", "TopUpFunding", top_up, "yes_no", ref) and get("SENprovision") != "E":
                self.add("1990Q", "TopUpFunding", top_up, ref, expected=get("SENprovision") or "not given")
        lunch = get("SchoolLunchTaken")
        if year in INFANT_YEARS:
            if self.code("1875", "SchoolLunchTaken", lunch, "yes_no", ref):
                self.counts["infants"] += 1
                self.counts["lunches"] += lunch == "1"
        elif lunch is not None and not is_blank(lunch):
            self.add("1876", "SchoolLunchTaken", lunch, ref, expected=year or "not given")
        codes = fields.get("SupportCode")
        if codes:
            self._learner_support(ref, codes, get("EnrolStatus"), age)

    def _entry(self, ref: PupilRef, entry_text: str | None, entry: dt.date | None, dob: dt.date | None) -> None:
        """Rule 1880 (entry date a real date by census day) and entry-before-birth."""
        if entry is None or (self.day and entry > self.day):
            self.add("1880", "EntryDate", entry_text, ref, expected=self.day.isoformat() if self.day else "census day")
        elif dob and entry < dob:
            self.add("entry-before-birth", "EntryDate", entry_text, ref, expected=dob.isoformat())
        if entry and self.periods and entry > self.periods.previous_census:
            self.counts["new_entry"] += 1

    def _part_time_and_boarding(self, ref: PupilRef, part_time: str | None, boarder: str | None,
                                age: int | None) -> None:
        """Rules 1930, 1940, 1950 and 1970."""
        if part_time == "0" and boarder == "N":  # the usual pupil: nothing more to check
            return
        if self.code("1930", "PartTime", part_time, "part_time", ref) and part_time == "1":
            self.counts["part_time"] += 1
            if age is not None and 5 <= age <= 15:
                self.add("1940", "PartTime", part_time, ref, age=age)
        if self.code("1970", "Boarder", boarder, "boarder", ref) and boarder != "N":
            self.counts["boarders"] += 1
            if part_time == "1":
                self.add("1950", "Boarder", boarder, ref)

    def _class_type(self, ref: PupilRef, class_type: str | None, age: int | None, year: str | None) -> None:
        """Rules 2060, 2080 and 5048: the type of class of primary pupils up to year 7, and nobody else's."""
        if class_type is None and year not in NURSERY_YEARS and self.phase not in ("PS", "AT"):
            return
        if self.phase in ("PS", "AT") and year in UP_TO_YEAR_7:
            if self.code("2060", "ClassType", class_type, "class_type", ref) and class_type == "N":
                self.counts["nursery"] += 1
                if age is not None and age >= 6:
                    self.add("2080", "ClassType", class_type, ref, age=age)
        elif not is_blank(class_type) and self.phase:
            self.add("5048", "ClassType", class_type, ref)
        if year in NURSERY_YEARS:
            self.counts["nursery"] += class_type != "N"

    def _learner_support(self, ref: PupilRef, codes, enrol: str | None, age: int | None) -> None:
        """Rules 1864-1868 on the pupil's learner support (bursary) codes."""
        codes = [c for c in codes if not is_blank(c)]
        if not codes:
            return
        if enrol == "S":
            self.add("1864", "SupportCode", codes[0], ref)
        for code in codes:
            self.code("1865", "SupportCode", code, "learner_support", ref)
        for code, count in Counter(codes).items():
            if count > 1:
                self.add("1866", "SupportCode", code, ref)
        if age is not None and age < 16:
            self.add("1867", "SupportCode", codes[0], ref, age=age)
        elif age is not None and age >= 20:
            self.add("1868", "SupportCode", codes[0], ref, age=age)

    def _sen(self, ref: PupilRef, fields: dict) -> None:
        """Rules 2115-2250 and 5049-5050 on the pupil's SEN provision and needs."""
        get = fields.get
        provision = get("SENprovision")
        needs = fields.get("SENneed", ())
        if provision == "N" and not needs and self.phase != "SP" and "SENunitIndicator" not in fields \
                and "ResourcedProvisionIndicator" not in fields:
            self.counts["sen_N"] += 1  # the usual pupil: nothing more to check
            return
        withdrawn = self.lists.withdrawn("sen_provision")
        if provision in withdrawn:
            self.add("2115", "SENprovision", provision, ref, expected=withdrawn[provision])
        elif self.code("2120", "SENprovision", provision, "sen_provision", ref):
            self.counts[f"sen_{provision}"] += 1
        if provision == "N" and needs:
            self.add("2125", "SENtype", needs[0].get("SENtype"), ref)
        if provision == "N" and self.phase == "SP":
            self.add("2180", "SENprovision", provision, ref)
        has_sen = provision in ("E", "K")
        if has_sen and not any(not is_blank(n.get("SENtype")) for n in needs):
            self.add("2170", "SENtype", provision, ref)
        if needs:
            self._needs(ref, needs, provision)
        self._sen_indicators(ref, get, has_sen)

    def _sen_indicators(self, ref: PupilRef, get, has_sen: bool) -> None:
        """Rules 2230, 2250, 5049 and 5050: the SEN unit and resourced provision indicators, needed for a pupil
        with SEN provision and never returned by special schools and pupil referral units."""
        for rule, not_here, name in (("2230", "5049", "SENunitIndicator"),
                                     ("2250", "5050", "ResourcedProvisionIndicator")):
            value = get(name)
            if self.phase in ("SP", "PR"):
                if not is_blank(value):
                    self.add(not_here, name, value, ref, expected=self.phase)
            elif has_sen or not is_blank(value):
                self.code(rule, name, value, "yes_no", ref)

    def _needs(self, ref: PupilRef, needs: list[dict], provision: str | None) -> None:  # noqa: C901 (one check after another)
        if len(needs) > 2:
            self.add("2166", "SENneed", len(needs), ref, count=len(needs))
        ranks = []
        for need in needs:
            kind, rank = need.get("SENtype"), need.get("SENtypeRank")
            if is_blank(kind):
                if not is_blank(rank):
                    self.add("2130", "SENtypeRank", rank, ref)
            elif kind not in self.lists.codes("sen_type"):
                self.add("sen-type-invalid", "SENtype", kind, ref)
            elif kind == "NSA" and provision != "K":
                self.add("2175", "SENtype", provision, ref)
            if rank not in ("1", "2"):
                self.add("2140", "SENtypeRank", rank, ref)
            else:
                ranks.append(rank)
        if len(needs) == 1 and ranks == ["2"]:
            self.add("2160", "SENtypeRank", "2", ref)
        if len(ranks) > 1:
            for rank, count in Counter(ranks).items():
                if count > 1:
                    self.add("2165", "SENtypeRank", rank, ref)

    # ------------------------------------------------------------------ attendance
    def _attendance(self, ref: PupilRef, fields: dict, age: int | None, boarder: bool, *, entry: dt.date | None,
                    leaving: dt.date | None, on_roll: bool) -> None:
        """Rules 2470-2582 on the termly attendance and (autumn) the second summer half-term's."""
        periods = self.periods
        if periods is None:
            return
        # The attendance terms of an autumn census belong to the academic year before.
        age_then = None if age is None else age - (1 if self.term == "AUT" else 0)
        for name, period, missing_rule, unwanted_rule, over_rule in self._blocks[on_roll]:
            found = fields.get(name)
            block = found[0] if found else None
            if period is None:
                if block is not None:
                    self.add(unwanted_rule, name, "is not collected in this term's census", ref)
                continue
            why_not = None
            if age_then is not None and not 4 <= age_then <= 15:
                why_not = f"was {age_then} that year"
            elif boarder:
                why_not = "is a boarder"
            if block is not None and why_not:
                self.add(unwanted_rule, name, why_not, ref)
                continue
            on_roll_then = (entry is None or entry <= period[1]) and (leaving is None or leaving >= period[0])
            if block is None:
                if why_not is None and age_then is not None and on_roll_then:
                    self.add(missing_rule, "SessionsPossible", "", ref, term=period[2], age=age_then)
                continue
            self._sessions(ref, block, missing_rule, over_rule, period, age_then, name)

    def _sessions(self, ref: PupilRef, block: dict, missing_rule: str, over_rule: str, period, age_then,
                  name: str) -> None:
        get = block.get
        possible_text = get("SessionsPossible")
        possible = whole(possible_text)
        if possible is None:
            self.add(missing_rule, "SessionsPossible", possible_text, ref, term=period[2], age=age_then)
        authorised_text, unauthorised_text = get("SessionsAuthorised"), get("SessionsUnauthorised")
        # The usual block: both counts plain digits and no other counts given.
        if authorised_text and unauthorised_text and authorised_text.isdecimal() and unauthorised_text.isdecimal() \
                and "SessionsEducational" not in block and "SessionsExceptional" not in block:
            authorised = int(authorised_text)
            missed = authorised + int(unauthorised_text)
        else:
            authorised, missed = self._session_counts(ref, get)
        if possible is not None and missed > possible:
            self.add(over_rule, "SessionsAuthorised + SessionsUnauthorised", missed, ref, count=missed,
                     expected=possible)
        self._details(ref, block.get("SessionDetail", ()), missed, name)
        if name == "TermlyAttendance" and possible:
            self.sessions_possible += possible
            self.sessions_authorised += authorised
            self.sessions_unauthorised += missed - authorised

    def _session_counts(self, ref: PupilRef, get) -> tuple[int, int]:
        """Rule sessions-invalid on each count given; returns the authorised and the missed (authorised plus
        unauthorised) sessions, counting an invalid figure as 0."""
        missed = authorised = 0
        for field in _SESSION_COUNTS:
            text = get(field)
            if text is None:
                continue
            count = whole(text)
            if count is None:
                self.add("sessions-invalid", field, text, ref)
            elif field == "SessionsAuthorised":
                authorised = count
                missed += count
            elif field == "SessionsUnauthorised":
                missed += count
        return authorised, missed

    def _details(self, ref: PupilRef, details, missed: int, name: str) -> None:
        """Rules 2490, the reasons' own rules and absence-reasons-total: the reasons account for the absence."""
        if missed and not details:
            self.add("2490", "SessionDetail", missed, ref, count=missed)
        total = self._reasons(ref, details)
        if details and total != missed and name == "TermlyAttendance":
            self.add("absence-reasons-total", "SessionDetail/Sessions", total, ref, expected=missed)

    def _reasons(self, ref: PupilRef, details: list[dict]) -> int:
        """Rules 2475, 2480 and 2505 on a term's absence reasons; returns the sessions they add up to."""
        seen: set[str] = set()
        total = 0
        reasons = self._codes["attendance_reason"]
        for detail in details:
            reason, sessions_text = detail.get("AttendanceReason"), detail.get("Sessions")
            if reason not in reasons:
                self.add("2475", "AttendanceReason", reason, ref)
            sessions = int(sessions_text) if sessions_text and sessions_text.isdecimal() and len(sessions_text) < 7 \
                else whole(sessions_text)
            if not sessions:
                self.add("2480", "AttendanceReason", reason, ref, expected=sessions_text or "no")
            total += sessions or 0
            if reason in seen:
                self.add("2505", "AttendanceReason", reason, ref)
            seen.add(reason or "")
        return total

    # ------------------------------------------------------------------ exclusions
    def _exclusions(self, ref: PupilRef, exclusions, *, on_roll: bool, leaving: dt.date | None) -> None:
        """Rules 2270-2335, 2303 and 5051 on the pupil's exclusions."""
        period = self.periods.exclusions if self.periods else None
        permanent = sum(self._exclusion(ref, exclusion, period, on_roll, leaving) for exclusion in exclusions)
        if permanent > 1:
            self.add("2285", "Category", permanent, ref, count=permanent)

    def _exclusion(self, ref: PupilRef, exclusion: dict, period, on_roll: bool, leaving: dt.date | None) -> bool:
        """The rules on one exclusion; True when it is a permanent exclusion."""
        category, start_text = exclusion.get("Category"), exclusion.get("StartDate")
        if self.phase == "NS":
            self.add("5051", "Category", category, ref)
        missing = [words for words, key in (("start date", "StartDate"), ("category", "Category"),
                                            ("SEN provision", "SENprovision")) if is_blank(exclusion.get(key))]
        if missing:
            self.add("2270", "TermlyExclusion", " or ".join(missing), ref)
        if not is_blank(category) and category not in self.lists.codes("exclusion_category"):
            self.add("2275", "Category", category, ref)
        reasons = [r for r in exclusion.get("Reason", []) if not is_blank(r)]
        for reason in reasons or [""]:
            self.code("2280", "Reason", reason, "exclusion_reason", ref)
        start = parse_iso_date(start_text)
        if not is_blank(start_text) and (start is None or period and not period[0] <= start <= period[1]):
            self.add("2290", "StartDate", start_text, ref,
                     expected=f"in the {period[2]} ({period[0].isoformat()} to {period[1].isoformat()})"
                     if period else "on a real date")
        if start and leaving and start > leaving:
            self.add("2303", "StartDate", start_text, ref, expected=leaving.isoformat())
        provision = exclusion.get("SENprovision")
        if not is_blank(provision) and provision not in self.lists.codes("sen_provision"):
            self.add("2310", "SENprovision", provision, ref)
        return self._exclusion_sessions(ref, category, exclusion.get("Sessions"), on_roll)

    def _exclusion_sessions(self, ref: PupilRef, category: str | None, sessions_text: str | None,
                            on_roll: bool) -> bool:
        """Rules 2300, 2320Q, 2330 and 2335: sessions of a suspension, none for a permanent exclusion, which
        a pupil on roll cannot have. True for a permanent exclusion."""
        self.counts[f"exclusions_{category}"] += 1
        if category == "PERM":
            if not is_blank(sessions_text):
                self.add("2330", "Sessions", sessions_text, ref)
            if on_roll:
                self.add("2335", "Category", category, ref)
            return True
        if category in ("SUSP", "LNCH"):
            sessions = int(sessions_text) if sessions_text and sessions_text.isdecimal() and len(sessions_text) < 7 \
                else whole(sessions_text)
            if not sessions:
                self.add("2300", "Sessions", category, ref)
            elif sessions > 90:
                self.add("2320Q", "Sessions", sessions, ref)
        return False

    # ------------------------------------------------------------------ early years
    def _early_years(self, ref: PupilRef, fields: dict, age: int | None, year: str | None, fsm_now: bool) -> None:
        """Rules 1843-5235 on funded hours, hours at setting, extended hours, the 30-hour code, the early years
        pupil premium, the disability access fund and a 2-year-old's basis for funding."""
        get = fields.get
        if age is None or age > 4 and fields.keys().isdisjoint(EARLY_YEARS_ITEMS):
            return
        nursery = year in NURSERY_YEARS
        funded_text, setting_text, extended_text = get("FundedHours"), get("HoursAtSetting"), get("ExtendedHours")
        funded, setting, extended = hours(funded_text), hours(setting_text), hours(extended_text)
        self._hours(ref, age, year, nursery, funded_text, funded, setting_text, setting)
        if funded is not None and setting is not None and funded + (extended or 0) > setting:
            self.add("1859", "FundedHours + ExtendedHours", f"{funded + (extended or 0):g}", ref,
                     expected=f"{setting:g}")
        self._extended(ref, fields, age, year, nursery, funded, extended_text, extended)
        self._eypp(ref, fields, age, year, nursery, fsm_now)
        daf = get("DAFindicator")
        if not is_blank(daf):
            if not (age == 3 or age == 4 and nursery):
                self.add("3120", "DAFindicator", daf, ref, age=age, expected=year or "not given")
            elif self.code("5230", "DAFindicator", daf, "yes_no", ref) and funded is None and extended is None:
                self.add("5220", "DAFindicator", daf, ref)
        self._funding_basis(ref, fields, age, funded)

    def _funding_basis(self, ref: PupilRef, fields: dict, age: int, funded: float | None) -> None:
        """Rules 5235, 3200 and 3210: why a 2-year-old is funded, for funded 2-year-olds only, each basis once."""
        bases = [b for b in fields.get("FundingBasis", []) if not is_blank(b)]
        funded_two = age == 2 and funded is not None and funded > 0
        if funded_two:
            if not bases:
                self.add("5235", "FundingBasis", "", ref)
            for basis in bases:
                self.code("5235", "FundingBasis", basis, "funding_basis", ref)
        elif bases:
            self.add("3200", "FundingBasis", bases[0], ref, age=age,
                     expected="not aged 2" if age != 2 else "no funded hours")
        if len(bases) > 1:
            for basis, count in Counter(bases).items():
                if count > 1:
                    self.add("3210", "FundingBasis", basis, ref)

    def _hours(self, ref: PupilRef, age: int, year: str | None, nursery: bool, funded_text: str | None,  # noqa: C901
               funded: float | None, setting_text: str | None, setting: float | None) -> None:
        """Rules 1851-1855 and 5170-5200: funded hours and hours at setting, by age and year group (one rule
        per age band and item, so the branches are many but flat)."""
        def given(text: str | None) -> bool:
            return not is_blank(text)

        # funded hours and hours at setting, by age
        if age >= 5 or age < 2:
            if given(funded_text):
                self.add("1851", "FundedHours", funded_text, ref, age=age)
            if given(setting_text):
                self.add("1854", "HoursAtSetting", setting_text, ref, age=age)
        elif age in (2, 3):
            if funded is None or funded > 15:
                self.add("1852", "FundedHours", funded_text, ref, age=age)
            if setting is None:
                self.add("1855", "HoursAtSetting", setting_text, ref, age=age)
        elif nursery:
            if funded is None or funded > 25:
                self.add("5180", "FundedHours", funded_text, ref)
            if setting is None:
                self.add("5200", "HoursAtSetting", setting_text, ref)
        else:
            if given(funded_text):
                self.add("5170", "FundedHours", funded_text, ref, expected=year or "not given")
            if given(setting_text):
                self.add("5190", "HoursAtSetting", setting_text, ref, expected=year or "not given")

    def _extended(self, ref: PupilRef, fields: dict, age: int, year: str | None, nursery: bool,
                  funded: float | None, extended_text: str | None, extended: float | None) -> None:
        """Rules 3100-3160 on extended (30-hour) hours and the 30-hour code."""
        code = fields.get("ThirtyHourCode")
        eligible = age in (3, 4) and nursery
        if not is_blank(extended_text):
            if extended is None or extended > 15:
                self.add("3140", "ExtendedHours", extended_text, ref)
            if not eligible:
                self.add("3100", "ExtendedHours", extended_text, ref, age=age, expected=year or "not given")
            if extended and is_blank(code):
                self.add("3130", "ThirtyHourCode", extended_text, ref)
            if extended and funded is not None and funded > 15:
                self.add("3150", "FundedHours", f"{funded:g}", ref)
        if not is_blank(code):
            if not (len(code) == 11 and code.isdigit()):
                self.add("3105", "ThirtyHourCode", code, ref)
            if not eligible:
                self.add("3110", "ThirtyHourCode", code, ref, expected=f"aged {age} in year group {year}")
            elif is_blank(extended_text):
                self.add("3110", "ThirtyHourCode", code, ref, expected="with no extended hours")
            self.thirty_hour_codes.append(code)
            self.thirty_hour_refs.append(ref)

    def _eypp(self, ref: PupilRef, fields: dict, age: int, year: str | None, nursery: bool, fsm_now: bool) -> None:
        """Rules 1843-1862, 1849Q and 1853Q on the early years pupil premium."""
        get = fields.get
        eligible, basis = get("EYPPR"), get("EYPPBF")
        wanted = age == 3 or age == 4 and nursery
        if not is_blank(eligible):
            if age not in (3, 4):
                self.add("1861", "EYPPR", eligible, ref, age=age)
            elif not nursery:
                self.add("1862", "EYPPR", eligible, ref, expected=year or "not given")
            else:
                self.code("1846", "EYPPR", eligible, "eypp_eligible", ref, age=age, expected="nursery provision")
        elif wanted and self.term == "SPR":
            self.add("1846", "EYPPR", eligible, ref, age=age, expected="nursery provision")
        if eligible == "Y":
            if self.code("1843", "EYPPBF", basis, "eypp_basis", ref):
                if get("PLAA") not in (None, "", "N") and basis not in ("RO", "RB"):
                    self.add("1849Q", "EYPPBF", basis, ref)
                if fsm_now and basis not in ("RE", "RB"):
                    self.add("1853Q", "EYPPBF", basis, ref)
        elif not is_blank(basis):
            self.add("1844", "EYPPBF", basis, ref)

    # ------------------------------------------------------------------ pupils no longer on roll
    def leaver(self, ref: PupilRef, fields: dict) -> None:
        """Rules on one pupil no longer on roll: UPN, leaving date, ULN at leaving, characteristics given,
        attendance and exclusions."""
        get = fields.get
        self.leavers += 1
        upn = get("UPN") or ""
        add_upn_findings(self.report, ref, "UPN", upn)
        dob = parse_iso_date(get("DOB"))
        entry = parse_iso_date(get("EntryDate"))
        leaving_text = get("LeavingDate")
        leaving = parse_iso_date(leaving_text)
        if leaving is None:
            self.add("1920", "LeavingDate", leaving_text, ref, expected="it must be a real date written YYYY-MM-DD")
        elif entry and leaving < entry:
            self.add("1920", "LeavingDate", leaving_text, ref, expected=f"it is before the entry date {entry}")
        elif self.day and leaving >= self.day:
            self.add("1920", "LeavingDate", leaving_text, ref, expected=f"it must be before census day {self.day}")
        if dob and leaving and age_on(dob, leaving) >= 14 and is_blank(get("UniqueLearnerNumber")):
            self.add("1573", "UniqueLearnerNumber", "", ref, age=age_on(dob, leaving))
        if not is_blank(get("Ethnicity")):
            self.code("1630", "Ethnicity", get("Ethnicity"), "ethnicity", ref)
        age = age_at_start_of_year(dob, academic_year_of(self.day)) if dob and self.day else None
        self._attendance(ref, fields, age, get("Boarder") in BOARDING, entry=entry, leaving=leaving, on_roll=False)
        self._exclusions(ref, fields.get("TermlyExclusion", ()), on_roll=False, leaving=leaving)

    # ------------------------------------------------------------------ whole return
    def finish(self) -> None:
        """The rules over the whole return: school details present, duplicate 30-hour codes, leavers from a
        nursery school, and the counts and shares of pupils."""
        if self.school is None or "SchoolCharacteristics" not in self.school:
            self.add("165", "SchoolCharacteristics")
        for group in shared_positions(self.thirty_hour_codes):
            for index in group:
                others = [self.thirty_hour_refs[i - 1] for i in group if i != index]
                self.add("3160", "ThirtyHourCode", self.thirty_hour_codes[index - 1], self.thirty_hour_refs[index - 1],
                         other=describe_others(list(range(len(others))),
                                               lambda i, o=others: f"{o[i].position} ({o[i].name or 'no name'})"))
        if self.phase == "NS" and self.leavers:
            self.add("5065", "PupilsNoLongerOnRoll", count=self.leavers)
        self._counts()

    def figures(self) -> dict:
        """The school summary's figures (census only): pupils, free school meals on census day, SEN support,
        EHC plans, English as an additional language, pupils by ethnic group, the termly attendance's sessions,
        exclusions and leavers. Plain numbers, ready for JSON."""
        c = self.counts
        groups = {name: c[f"ethnicity_{name}"] for name in ("White", "Mixed", "Asian", "Black", "Chinese", "Other")}
        groups["Not obtained or refused"] = c["ethnicity_not_obtained"]
        return {"pupils": c["pupils"], "fsm": c["fsm_now"], "sen_support": c["sen_K"], "ehc_plan": c["sen_E"],
                "eal": c["eal"], "ethnic_groups": groups, "sessions_possible": self.sessions_possible,
                "sessions_authorised": self.sessions_authorised, "sessions_unauthorised": self.sessions_unauthorised,
                "suspensions": c["exclusions_SUSP"] + c["exclusions_LNCH"],
                "permanent_exclusions": c["exclusions_PERM"], "leavers": self.leavers}

    def _counts(self) -> None:  # noqa: C901 (one check after another)
        c = self.counts
        n = c["pupils"]
        if self.accommodation == "D" and c["boarders"]:
            self.add("1980Q", "Boarder", count=c["boarders"], expected="a day school (D)")
        if n < MIN_PUPILS_FOR_SHARES:
            return
        if self.range:
            low, high = _RANK[self.range[0]], _RANK[self.range[1]]
            for year in YEAR_ORDER[low:high + 1]:
                if year != "14" and not self.years[year]:
                    self.add("2040Q", "NCyearActual", year, expected=f"{self.range[0]} to {self.range[1]}")
        checks = (
            ("1640Q", "Ethnicity", c["ethnicity_White"] == n, n),
            ("1700Q", "Ethnicity", c["ethnicity_not_obtained"] > 0.10 * n, _share(c["ethnicity_not_obtained"], n)),
            ("1750Q", "FSMperiod", c["fsm"] > 0.45 * n, _share(c["fsm"], n)),
            ("1760Q", "FSMperiod", c["fsm"] == 0 and self.phase != "NS", n),
            ("1850Q", "Language", c["language_not_obtained"] > 0.10 * n, _share(c["language_not_obtained"], n)),
            ("1870Q", "EnrolStatus", c["single"] < 0.95 * n, _share(c["single"], n)),
            ("1872Q", "PLAA", c["adopted"] > 0.05 * n, _share(c["adopted"], n)),
            ("1960Q", "PartTime", c["part_time"] > 0.35 * n, _share(c["part_time"], n)),
            ("300Q", "Boarder", self.accommodation == "B" and n - c["boarders"] > 0.5 * n,
             _share(n - c["boarders"], n)),
            ("2190Q", "SENprovision", self.phase != "SP" and c["sen_E"] > 0.10 * n, _share(c["sen_E"], n)),
            ("2200Q", "SENprovision", c["sen_E"] + c["sen_K"] == 0 and self.phase != "NS", n),
            ("2205Q", "SENprovision", c["sen_K"] > 0.40 * n, _share(c["sen_K"], n)),
            ("2210Q", "SENprovision", self.phase == "SP" and c["sen_E"] < 0.70 * n, _share(c["sen_E"], n)),
            ("1885Q", "EntryDate", self.term in ("SPR", "SUM") and c["new_entry"] > 0.5 * n, _share(c["new_entry"], n)),
            ("2560Q", "SessionsAuthorised", self.sessions_possible and
             self.sessions_authorised > 0.30 * self.sessions_possible,
             _share(self.sessions_authorised, self.sessions_possible or 1)),
        )
        for rule, field, fires, value in checks:
            if fires:
                self.add(rule, field, count=value)
        infants = c["infants"]
        if infants >= MIN_PUPILS_FOR_SHARES:
            if c["lunches"] > 0.95 * infants:
                self.add("1877Q", "SchoolLunchTaken", count=_share(c["lunches"], infants))
            elif c["lunches"] == 0:
                self.add("1878Q", "SchoolLunchTaken", count=infants)
        if self.term == "SPR" and self.phase in CLASS_PHASES and self.classes and c["nursery"] and not any(
                cl.get("YearGroup") in ("N1", "N2") for cl in self.classes):
            self.add("2090Q", "YearGroup", count=c["nursery"])
