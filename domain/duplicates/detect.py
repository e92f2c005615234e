"""Duplicate pupils across schools: which records of several schools' census returns are cases.

``find_cases(entries)`` groups the records (by UPN, by FormerUPN and by person) with dictionaries,
never by comparing every pair, and returns one :class:`Case` per conflict:

* **Same UPN** at two or more schools (kind ``same-upn``). Dual registration, one school recording
  the pupil as main (M) and the others as subsidiary (S), is legitimate and not a case. Otherwise the
  case names the rule it breaks, the first that applies of: more than one main registration (M+M);
  subsidiary registrations only (S+S); a subsidiary without a main one (S with C); single registration
  at two schools (C+C); single at one school and dual at another (C+M); an unclear status (blank, G).
  A pupil whose FormerUPN is another school's pupil's UPN (a temporary UPN later replaced) is a
  ``same-upn`` case with the rule ``former-upn``.
* **Same person, different UPN** (kind ``same-person``): surname, forename, date of birth and sex equal
  after normalising (``normalise.person_key``) at two or more schools, under two or more UPNs. Exact,
  never fuzzy; postcode agreement is shown as evidence, never required. Twins (same surname, date of
  birth and school, different forenames) never share a person key, so are never a case; records at one
  school only are never a case here (that is the validator's rule 1620Q within a file).
* **2–4-year-olds** on more than one roll (kind ``early-years``): when every record of a match is a
  child of 2 to 4 on census day in a nursery year group (not Reception or above), the match is an
  early-years case whatever the enrolment statuses, by UPN, FormerUPN or person.

Each case lists its members (school and record), the fields equal across them, the postcode evidence,
and whether every member was on roll on census day (entry date on or before it, no leaving date
before it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from domain.duplicates.normalise import date_key, name_key, person_key, postcode_key, sex_key, upn_key
from domain.validation.dates import age_on, parse_iso_date

SAME_UPN, SAME_PERSON, EARLY_YEARS = "same-upn", "same-person", "early-years"
KINDS = (SAME_UPN, SAME_PERSON, EARLY_YEARS)
KIND_LABELS = {SAME_UPN: "Same UPN", SAME_PERSON: "Same person, different UPN", EARLY_YEARS: "2 to 4-year-old"}

#: Every rule a case can name, with what it means in the LA's words.
RULES = {
    "more-than-one-main": (
        "More than one school records the pupil as main dual registration (M): only one school can be the main school."
    ),
    "subsidiary-only": (
        "Every school records the pupil as subsidiary dual registration (S): one must be the main school (M)."
    ),
    "subsidiary-without-main": (
        "A school records the pupil as subsidiary dual registration (S) but no school records them as main (M)."
    ),
    "single-at-two-schools": (
        "Two schools record the pupil as a single registration (C): the pupil can be on one "
        "roll only, or the schools must record dual registration (M and S)."
    ),
    "single-and-dual": (
        "One school records a single registration (C) and another a dual registration: the single "
        "registration should be main (M) or the pupil has left."
    ),
    "status-unclear": (
        "The same UPN is on more than one roll and the enrolment statuses do not show a dual "
        "registration (one M, the others S)."
    ),
    "former-upn": (
        "A pupil's former UPN is another school's pupil's UPN: a temporary UPN replaced at one school "
        "while the other still has the pupil."
    ),
    "same-name-dob-sex": (
        "Same surname, forename, date of birth and sex at two schools under different UPNs: "
        "check whether this is one child (it may be two)."
    ),
    "early-years-same-upn": (
        "A 2 to 4-year-old is on more than one roll under the same UPN: check the funded hours are not claimed twice."
    ),
    "early-years-former-upn": "A 2 to 4-year-old's former UPN is on another school's roll.",
    "early-years-same-person": (
        "A 2 to 4-year-old with the same surname, forename, date of birth and sex is on "
        "more than one roll under different UPNs."
    ),
}

_RECEPTION_AND_ABOVE = frozenset({"R", *(str(n) for n in range(1, 15))})
_COMPARED = (("upn", "UPN"), ("surname", "surname"), ("forename", "forename"), ("dob", "date of birth"),
             ("sex", "sex"), ("postcode", "postcode"))  # fmt: skip


class _once:  # noqa: N801 - used as a decorator, like functools.cached_property
    """A computed attribute kept on the instance after its first read: functools.cached_property without the
    lock Python 3.11 takes on every first read (a quarter of detection's time over 10,000 records)."""

    def __init__(self, function):
        self.function, self.name, self.__doc__ = function, function.__name__, function.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.function(instance)
        return value


@dataclass(frozen=True)
class PupilEntry:
    """One pupil record on one school's roll, as a census return gives it.

    ``school`` identifies the school (a DfE number, or any hashable id the caller uses);
    ``census_day`` is the return's reference date (None: unknown, so no one counts as early years
    and whether the pupil was on roll that day is unknown).
    """

    school: Hashable
    upn: str | None = None
    former_upn: str | None = None
    surname: str | None = None
    forename: str | None = None
    dob: str | None = None
    sex: str | None = None
    enrol_status: str | None = None
    postcode: str | None = None
    nc_year: str | None = None
    entry_date: str | None = None
    leaving_date: str | None = None
    position: int | None = None
    census_day: dt.date | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)
    #: The normalised keys (``normalise``): worked out from the fields unless given (as stored keys are).
    upn_key: str | None = field(default=None, compare=False)
    former_key: str | None = field(default=None, compare=False)
    person_key: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.upn_key is None:
            object.__setattr__(self, "upn_key", upn_key(self.upn))
        if self.former_key is None:
            object.__setattr__(self, "former_key", upn_key(self.former_upn))
        if self.person_key is None:
            object.__setattr__(self, "person_key", person_key(self.surname, self.forename, self.dob, self.sex))

    @classmethod
    def from_record(cls, school: Hashable, record: dict, census_day: dt.date | None = None, **extra) -> PupilEntry:
        """An entry from a validator pupil record (``domain.validation.records.pupil_record``)."""
        return cls(
            school=school, upn=record.get("upn"), former_upn=record.get("former_upn"), surname=record.get("surname"),
            forename=record.get("forename"), dob=record.get("dob"), sex=record.get("sex"),
            enrol_status=record.get("enrol_status"), postcode=record.get("postcode"), nc_year=record.get("nc_year"),
            entry_date=record.get("entry_date"), leaving_date=record.get("leaving_date"),
            position=record.get("position"), census_day=census_day, extra=extra,
        )  # fmt: skip

    @_once
    def status(self) -> str:
        return (self.enrol_status or "").strip().upper()

    @_once
    def early_years(self) -> bool:
        """A child of 2 to 4 on census day in a nursery year group (or none given), not Reception or above."""
        return is_early_years(self.dob, self.nc_year, self.census_day)

    @property
    def on_roll_on_census_day(self) -> bool | None:
        """True when the entry date is on or before census day and any leaving date is not before it; None
        when census day or the entry date is unknown."""
        return on_roll_on(self.entry_date, self.leaving_date, self.census_day)

    @_once
    def _person_parts(self) -> dict[str, str]:
        """Normalised surname, forename, dob and sex, read back from the person key when there is one."""
        if not self.person_key:
            return {}
        return dict(zip(("surname", "forename", "dob", "sex"), self.person_key.split("|"), strict=True))

    def compared(self, name: str) -> str:
        """The normalised value of a compared field (``_COMPARED``)."""
        if name in self._person_parts:
            return self._person_parts[name]
        if name == "upn":
            return self.upn_key
        value = getattr(self, name)
        if name == "postcode":
            return postcode_key(value)
        if name == "sex":
            return sex_key(value)
        if name == "dob":
            return date_key(value)
        return name_key(value)


def is_early_years(dob: str | None, nc_year: str | None, census_day: dt.date | None) -> bool:
    """True for a child of 2 to 4 on ``census_day`` who is not in Reception or above."""
    born = parse_iso_date(date_key(dob))
    if born is None or census_day is None or (nc_year or "").strip().upper() in _RECEPTION_AND_ABOVE:
        return False
    return 2 <= age_on(born, census_day) <= 4


def on_roll_on(entry_date: str | None, leaving_date: str | None, census_day: dt.date | None) -> bool | None:
    """Whether a pupil who entered on ``entry_date`` (and left on ``leaving_date``, if any) was on roll on
    ``census_day``; None when either of the first two dates is unknown."""
    entered = parse_iso_date(date_key(entry_date))
    if entered is None or census_day is None:
        return None
    left = parse_iso_date(date_key(leaving_date))
    return entered <= census_day and (left is None or left >= census_day)


@dataclass(frozen=True)
class Case:
    """One duplicate case: its kind, the rule it names, the members (records) and what matched."""

    kind: str
    rule: str
    members: tuple[PupilEntry, ...]
    matched: tuple[str, ...]

    @_once
    def upns(self) -> list[str]:
        return sorted({m.upn_key for m in self.members if m.upn_key})

    @_once
    def schools(self) -> list:
        return sorted({m.school for m in self.members})

    @_once
    def key(self) -> str:
        """Identifies the case across recomputations: kind and the (school, UPN) of every member. A case
        marked "not a duplicate" is remembered under this key."""
        group = SAME_PERSON if self.kind == SAME_PERSON or self.rule == "early-years-same-person" else SAME_UPN
        return group + ":" + ",".join(sorted({f"{m.school}:{m.upn_key}" for m in self.members}))

    @_once
    def postcode_evidence(self) -> str:
        """Returns "agrees" (every member gives the same postcode), "differs", or "unknown" (a member gives none)."""
        codes = [postcode_key(m.postcode) for m in self.members]
        if not all(codes):
            return "unknown"
        return "agrees" if len(set(codes)) == 1 else "differs"

    @_once
    def on_roll_together(self) -> bool | None:
        """True when every member was on roll on census day, False when one was not, None when unknown."""
        states = [m.on_roll_on_census_day for m in self.members]
        if False in states:
            return False
        return None if None in states else True

    def to_json_dict(self) -> dict:
        """The case as the CLI's JSON gives it."""
        return {"kind": self.kind, "rule": self.rule, "upns": self.upns, "schools": [str(s) for s in self.schools],
                "matched": list(self.matched), "postcode": self.postcode_evidence,
                "on_roll_together": self.on_roll_together}  # fmt: skip


def same_upn_rule(statuses: Iterable[str]) -> str | None:
    """The rule broken by one UPN on several rolls with these enrolment statuses (one per record), or
    None for legitimate dual registration (exactly one M, every other S)."""
    statuses = [s.strip().upper() for s in statuses]
    mains, subs, singles = statuses.count("M"), statuses.count("S"), statuses.count("C")
    if mains > 1:
        return "more-than-one-main"
    if mains == 1 and subs == len(statuses) - 1:
        return None
    if subs and not mains:
        return "subsidiary-only" if subs == len(statuses) else "subsidiary-without-main"
    if singles >= 2:
        return "single-at-two-schools"
    if singles and mains:
        return "single-and-dual"
    return "status-unclear"


def _matched(members: Iterable[PupilEntry], extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    members = list(members)
    same = [label for name, label in _COMPARED if len({m.compared(name) for m in members}) == 1
            and members[0].compared(name)]  # fmt: skip
    return (*extra, *same)


def _early(members: Iterable[PupilEntry]) -> bool:
    return all(m.early_years for m in members)


def _upn_case(members: list[PupilEntry]) -> Case | None:
    if _early(members):
        return Case(EARLY_YEARS, "early-years-same-upn", tuple(members), _matched(members))
    rule = same_upn_rule(m.status for m in members)
    return Case(SAME_UPN, rule, tuple(members), _matched(members)) if rule else None


def _former_upn_cases(entries: list[PupilEntry], by_upn: dict[str, list[PupilEntry]]) -> tuple[list[Case], dict]:
    """Cases of a FormerUPN that is another school's UPN, and the links they make between UPNs."""
    by_former: dict[str, list[PupilEntry]] = defaultdict(list)
    for entry in entries:
        former = entry.former_key
        if former and former != entry.upn_key and former in by_upn:
            by_former[former].append(entry)
    cases, links = [], {}
    for former, renamed in by_former.items():
        schools = {e.school for e in renamed}
        others = [e for e in by_upn[former] if e.school not in schools]
        if not others:
            continue
        members = [*renamed, *others]
        for entry in renamed:
            links[entry.upn_key] = former
        kind, rule = (EARLY_YEARS, "early-years-former-upn") if _early(members) else (SAME_UPN, "former-upn")
        cases.append(Case(kind, rule, tuple(members), _matched(members, ("former UPN",))))
    return cases, links


def _linked(upns: set[str], links: dict[str, str]) -> bool:
    """True when every UPN in ``upns`` leads to the same root through FormerUPN links."""

    def root(upn: str) -> str:
        seen = set()
        while upn in links and upn not in seen:
            seen.add(upn)
            upn = links[upn]
        return upn

    return len({root(u) for u in upns}) == 1


def find_cases(entries: Iterable[PupilEntry]) -> list[Case]:
    """Every duplicate case among ``entries`` (records of several schools' returns for one census), in
    a stable order (kind, then UPNs). Records without a UPN take part only in the person rule."""
    entries = list(entries)
    by_upn: dict[str, list[PupilEntry]] = defaultdict(list)
    by_person: dict[str, list[PupilEntry]] = defaultdict(list)
    for entry in entries:
        if entry.upn_key:
            by_upn[entry.upn_key].append(entry)
        if entry.person_key:
            by_person[entry.person_key].append(entry)
    cases = []
    for members in by_upn.values():
        if len({m.school for m in members}) > 1 and (case := _upn_case(members)):
            cases.append(case)
    former_cases, links = _former_upn_cases(entries, by_upn)
    cases += former_cases
    for members in by_person.values():
        upns = {m.upn_key for m in members}
        if len({m.school for m in members}) < 2 or len(upns) < 2 or _linked(upns, links):
            continue
        kind, rule = (EARLY_YEARS, "early-years-same-person") if _early(members) else (SAME_PERSON, "same-name-dob-sex")
        cases.append(Case(kind, rule, tuple(members), _matched(members)))
    cases.sort(key=lambda c: (KINDS.index(c.kind), c.upns, [str(s) for s in c.schools]))
    return cases
