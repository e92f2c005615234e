"""The default catalogue of returns an LA tracks: pure data plus (de)serialisation.

Each :class:`CatalogueEntry` names a return, says which schools must make it
(:class:`Audience`), how its dates recur (:class:`~deadline_rules.rules.DueRule`), what
counts as a return (:class:`ReturnType`) and whether the DfE or the LA owns it
(:class:`Source`). The web layer copies these into its database, lets admins edit them
and calls :func:`~deadline_rules.rules.instances_for` on the stored rules.

Dates marked "assumed" below are reasonable defaults, not published rules: the DfE and
STA publish deadlines yearly and each LA sets its own.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.dates import Census

from .rules import DateRule, DueRule, Recurrence

#: The DfE School Census return deadline has been census day + 27 days (the Wednesday four
#: weeks after census day's week began) for every deadline seen: autumn 2022, spring 2023,
#: summer 2023, autumn 2024 and spring 2025.  An observation, not a published rule.
DFE_CENSUS_DEADLINE_OFFSET_DAYS = 27

#: Default LA internal deadline for DfE censuses: this many days before the DfE deadline.
LA_INTERNAL_DEADLINE_OFFSET_DAYS = -7

#: Assumed School Workforce Census deadline: census day + 34 days (the Wednesday five
#: weeks after census day's week began). Not in DOMAIN.md: admins should check yearly.
DFE_WORKFORCE_DEADLINE_OFFSET_DAYS = 34

#: GIAS ``PhaseOfEducation (name)`` values, for :attr:`Audience.phases`.
GIAS_PHASES = (
    "Nursery",
    "Primary",
    "Middle deemed primary",
    "Secondary",
    "Middle deemed secondary",
    "16 plus",
    "All-through",
    "Not applicable",
)

#: GIAS phases as they read before "schools" in a sentence.
_PHASE_WORDS = {"Nursery": "nursery", "Primary": "primary", "Middle deemed primary": "middle deemed primary",
                "Secondary": "secondary", "Middle deemed secondary": "middle deemed secondary", "16 plus": "16 plus",
                "All-through": "all-through", "Not applicable": "no-phase"}


def _either(words: list[str], joiner: str) -> str:
    """"a", "a and b", "a, b and c" (or "or" for ``joiner``)."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {joiner} " + words[-1]


_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
RECEPTION = 0


class ReturnType(StrEnum):
    """What a school does to count as having made the return."""

    FILE_UPLOAD = "file_upload"  # upload a file (census XML, CTF, completed spreadsheet)
    INCIDENTS_OR_NIL = "incidents_or_nil"  # report incidents, or declare a NIL return
    FORM = "form"  # fill in a web form
    CONFIRMATION = "confirmation"  # tick to confirm something was done
    NONE = "none"  # information only: the date is shown, nothing is returned to Gatehouse


class Source(StrEnum):
    """Who sets the return and its external deadline."""

    DFE = "dfe"  # DfE / STA statutory collection
    LOCAL = "local"  # the LA's own return


def year_groups_for_ages(statutory_low_age: int, statutory_high_age: int) -> frozenset[int]:
    """National curriculum year groups (0 = Reception ... 13) taught for a GIAS age range.

    Year ``n`` is taught when its pupils' age at the start of the year (``n + 4``) lies in
    the range: ``low <= n + 4 < high``. So an infant school (4-7) teaches Reception to
    Year 2, a junior school (7-11) Years 3-6 and a secondary school (11-16) Years 7-11.
    Raises ``ValueError`` unless both ages are ints with ``0 <= low <= high <= 25``.
    """
    ages = (statutory_low_age, statutory_high_age)
    if any(isinstance(a, bool) or not isinstance(a, int) for a in ages) or not 0 <= ages[0] <= ages[1] <= 25:
        raise ValueError(f"statutory ages must be ints with 0 <= low <= high <= 25, got {ages}")
    return frozenset(n for n in range(14) if statutory_low_age <= n + 4 < statutory_high_age)


@dataclass(frozen=True)
class Audience:
    """Which schools must make a return.

    ``phases``: GIAS phase names (see ``GIAS_PHASES``); empty means every phase.
    ``year_groups``: national curriculum years the school must teach (0 = Reception,
    1-13); empty means any. ``academies``: ``False`` means maintained schools only.
    Raises ``ValueError`` for an unknown phase or a year group outside 0-13.
    """

    phases: frozenset[str] = frozenset()
    year_groups: frozenset[int] = frozenset()
    academies: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "phases", frozenset(self.phases))
        object.__setattr__(self, "year_groups", frozenset(self.year_groups))
        unknown = {p for p in self.phases if p not in GIAS_PHASES}
        if unknown:
            raise ValueError(f"unknown GIAS phases {sorted(unknown)}: expected some of {GIAS_PHASES}")
        if any(isinstance(y, bool) or not isinstance(y, int) or not 0 <= y <= 13 for y in self.year_groups):
            raise ValueError(f"year groups must be ints 0 (Reception) to 13, got {sorted(self.year_groups)}")

    def includes(
        self,
        *,
        phase: str | None,
        is_academy: bool,
        year_groups: Iterable[int] | None = None,
        statutory_low_age: int | None = None,
        statutory_high_age: int | None = None,
    ) -> bool:
        """True if a school with these facts must make the return.

        The year groups a school teaches are ``year_groups`` if given, else derived from
        its GIAS statutory age range (see :func:`year_groups_for_ages`). Unknown facts
        (``None``) count as a match, so that incomplete records stay visible to the LA
        rather than silently dropping out.
        """
        if is_academy and not self.academies:
            return False
        if self.phases and phase is not None and phase not in self.phases:
            return False
        if year_groups is None and statutory_low_age is not None and statutory_high_age is not None:
            year_groups = year_groups_for_ages(statutory_low_age, statutory_high_age)
        if not self.year_groups or year_groups is None:
            return True
        return not self.year_groups.isdisjoint(year_groups)

    def describe(self) -> str:
        """One plain phrase naming the schools, e.g. "All schools", "Maintained schools", "All secondary and
        all-through schools with Year 10 or Year 11" ("All" takes in academies, "Maintained" leaves them out)."""
        phases = [_PHASE_WORDS[p] for p in GIAS_PHASES if p in self.phases]
        who = "All" if self.academies else "Maintained"
        if phases:
            who += " " + _either(phases, "and")
        who += " schools"
        if self.year_groups:
            years = ["Reception" if y == RECEPTION else f"Year {y}" for y in sorted(self.year_groups)]
            who += " with " + _either(years, "or")
        return who

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with sorted lists."""
        return {"phases": sorted(self.phases), "year_groups": sorted(self.year_groups), "academies": self.academies}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Audience:
        """Inverse of :meth:`to_dict`. Raises ``ValueError`` for unknown keys or bad values."""
        unknown = set(data) - {"phases", "year_groups", "academies"}
        if unknown:
            raise ValueError(f"unknown audience keys: {sorted(unknown)}")
        academies = data.get("academies", True)
        if not isinstance(academies, bool):
            raise ValueError(f"audience academies must be true or false, got {academies!r}")
        return cls(
            phases=frozenset(data.get("phases", ())),
            year_groups=frozenset(data.get("year_groups", ())),
            academies=academies,
        )


@dataclass(frozen=True)
class CatalogueEntry:
    """One kind of return the LA tracks.

    ``code`` is a stable upper-case identifier (``A-Z``, ``0-9``, ``-``; 2-32 chars).
    Raises ``ValueError`` for a bad code or an empty name, ``TypeError`` for a rule that is
    not a :class:`DueRule`; string values are accepted for the enums.
    """

    code: str
    name: str
    description: str
    audience: Audience
    rule: DueRule
    return_type: ReturnType
    source: Source

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not _CODE.match(self.code):
            raise ValueError(f"catalogue code must match {_CODE.pattern}, got {self.code!r}")
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"catalogue entry {self.code} needs a name")
        if not isinstance(self.rule, DueRule):
            raise TypeError(f"catalogue entry {self.code}: rule must be a DueRule, got {self.rule!r}")
        if not isinstance(self.audience, Audience):
            raise TypeError(f"catalogue entry {self.code}: audience must be an Audience, got {self.audience!r}")
        object.__setattr__(self, "return_type", ReturnType(self.return_type))
        object.__setattr__(self, "source", Source(self.source))

    @property
    def recurrence(self) -> Recurrence:
        """Shortcut for ``rule.recurrence``."""
        return self.rule.recurrence

    @property
    def information_only(self) -> bool:
        """True when nothing is returned (``ReturnType.NONE``): the date is for information."""
        return self.return_type is ReturnType.NONE

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the scalar fields plus nested ``audience`` and ``rule`` dicts."""
        return {
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "audience": self.audience.to_dict(),
            "rule": self.rule.to_dict(),
            "return_type": self.return_type.value,
            "source": self.source.value,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CatalogueEntry:
        """Inverse of :meth:`to_dict`. Raises ``ValueError`` for missing/unknown keys or bad values."""
        expected = {"code", "name", "description", "audience", "rule", "return_type", "source"}
        if set(data) != expected:
            raise ValueError(f"catalogue entry keys must be {sorted(expected)}, got {sorted(data)}")
        return cls(
            code=data["code"],
            name=data["name"],
            description=data["description"],
            audience=Audience.from_dict(data["audience"]),
            rule=DueRule.from_dict(data["rule"]),
            return_type=data["return_type"],
            source=data["source"],
        )


_CENSUS_WORDING = {
    Census.AUTUMN: "first Thursday in October",
    Census.SPRING: "third Thursday in January",
    Census.SUMMER: "third Thursday in May",
    Census.WORKFORCE: "first Thursday in November",
}


def _census_rule(census: Census, deadline_offset: int) -> DueRule:
    """Annual census return: opens on census day, DfE deadline, earlier LA deadline."""
    return DueRule(
        recurrence=Recurrence.ANNUAL,
        due=DateRule.census_day_offset(deadline_offset, census=census),
        opens=DateRule.census_day_offset(0, census=census),
        internal_due=DateRule.due_offset(LA_INTERNAL_DEADLINE_OFFSET_DAYS),
    )


def _school_census(census: Census) -> CatalogueEntry:
    term = census.value
    return CatalogueEntry(
        code=f"SC-{term[:3].upper()}",
        name=f"School Census ({term})",
        description=(
            f"The DfE {term} School Census. Census day is the {census.label.lower()} day "
            f"(rule: {_CENSUS_WORDING[census]}). Maintained schools load their census file, "
            "clear every error, explain every query and submit it for the LA to authorise before "
            "the LA's internal deadline, a week before the DfE deadline (observed: census day + "
            f"{DFE_CENSUS_DEADLINE_OFFSET_DAYS} days). Academies submit directly to the DfE."
        ),
        audience=Audience(academies=False),
        rule=_census_rule(census, DFE_CENSUS_DEADLINE_OFFSET_DAYS),
        return_type=ReturnType.FILE_UPLOAD,
        source=Source.DFE,
    )


# Assumed "late June" date for assessment results: the last Thursday in June.
_LATE_JUNE = DateRule.nth_weekday_of(6, calendar.THURSDAY, -1)
_EARLY_JUNE = DateRule.fixed(6, 1)


def _late_june_assessment(
    code: str,
    name: str,
    description: str,
    years: Iterable[int],
    return_type: ReturnType = ReturnType.FILE_UPLOAD,
) -> CatalogueEntry:
    return CatalogueEntry(
        code=code,
        name=name,
        description=description,
        audience=Audience(year_groups=frozenset(years)),
        rule=DueRule(Recurrence.ANNUAL, due=_LATE_JUNE, opens=_EARLY_JUNE),
        return_type=return_type,
        source=Source.DFE,
    )


_ANNUAL_LOCAL = (
    # code, name, description, year groups, opens (month, day), due (month, day), return type
    (
        "Y11-DEST",
        "Year 11 intended destinations",
        "Each Year 11 pupil's intended destination after the summer (NEET duties). The LA sends "
        "each school a spreadsheet with drop-down values in December; it is due back at the end "
        "of January.",
        (11,),
        (12, 1),
        (1, 31),
        ReturnType.FILE_UPLOAD,
    ),
    (
        "SEPT-GUAR",
        "September Guarantee offers",
        "Offers of a suitable place in education or training for Year 11 pupils (and Year 12 "
        "where the school has a sixth form), recorded on the LA's spreadsheet by 31 March.",
        (11, 12),
        (3, 1),
        (3, 31),
        ReturnType.FILE_UPLOAD,
    ),
    (
        "Y11-ACTIVITY",
        "Year 11 activity survey",
        "What last summer's Year 11 leavers are doing now (NEET duties), returned on the LA's "
        "spreadsheet by 1 November.",
        (11,),
        (10, 1),
        (11, 1),
        ReturnType.FILE_UPLOAD,
    ),
    (
        "PRIVACY",
        "Privacy notice confirmation",
        "Confirm that the school has issued this year's privacy notice to parents and pupils "
        "(assumed deadline: 31 October).",
        (),
        (9, 1),
        (10, 31),
        ReturnType.CONFIRMATION,
    ),
)


#: Local returns whose data the LA collects on its own spreadsheet (with drop-down values). Gatehouse's
#: local returns take them once the LA designs them there; until then, their deadline pages say so and offer
#: no upload.
SPREADSHEET_RETURNS = frozenset({"Y11-DEST", "SEPT-GUAR", "Y11-ACTIVITY"})


def _annual_local(row: tuple[Any, ...]) -> CatalogueEntry:
    code, name, description, years, opens, due, return_type = row
    return CatalogueEntry(
        code=code,
        name=name,
        description=description,
        audience=Audience(year_groups=frozenset(years)),
        rule=DueRule(Recurrence.ANNUAL, due=DateRule.fixed(*due), opens=DateRule.fixed(*opens)),
        return_type=return_type,
        source=Source.LOCAL,
    )


def _build_catalogue() -> tuple[CatalogueEntry, ...]:
    entries = [_school_census(c) for c in (Census.AUTUMN, Census.SPRING, Census.SUMMER)]
    entries.append(
        CatalogueEntry(
            code="SWC",
            name="School Workforce Census",
            description=(
                "The DfE School Workforce Census of staff in post on census day (first Thursday in "
                "November). Maintained schools submit for the LA to authorise before the LA's internal "
                "deadline, a week before the DfE deadline (assumed: census day + "
                f"{DFE_WORKFORCE_DEADLINE_OFFSET_DAYS} days; check the DfE's published date). "
                "Academies submit directly to the DfE."
            ),
            audience=Audience(academies=False),
            rule=_census_rule(Census.WORKFORCE, DFE_WORKFORCE_DEADLINE_OFFSET_DAYS),
            return_type=ReturnType.FILE_UPLOAD,
            source=Source.DFE,
        )
    )
    entries += [
        _late_june_assessment(
            "PHONICS",
            "Phonics screening check results",
            "Statutory phonics screening check results for Year 1 (and Year 2 re-checks), sent to "
            "the LA as a CTF by late June (assumed: the last Thursday in June).",
            (1, 2),
        ),
        _late_june_assessment(
            "EYFSP",
            "Early years foundation stage profile (EYFSP)",
            "EYFSP results for Reception pupils, sent to the LA (usually as a CTF) by late June (assumed: the "
            "last Thursday in June).",
            (RECEPTION,),
        ),
        _late_june_assessment(
            "KS2-TA",
            "Key stage 2 teacher assessment",
            "For information: schools submit KS2 teacher assessment to the DfE (not through "
            "Gatehouse) by late June (assumed: the last Thursday in June).",
            (6,),
            return_type=ReturnType.NONE,
        ),
        CatalogueEntry(
            code="PRIDE-NIL",
            name="PRIDE termly return",
            description=(
                "Prejudice-related incidents: schools report each incident when it happens; at the "
                "end of each term a school with no incidents that term makes a NIL return."
            ),
            audience=Audience(),
            rule=DueRule(Recurrence.TERMLY, due=DateRule.term_end_offset(0)),
            return_type=ReturnType.INCIDENTS_OR_NIL,
            source=Source.LOCAL,
        ),
        CatalogueEntry(
            code="MEALS",
            name="Weekly school meal numbers",
            description="Number of school meals taken this week, due each Friday of term time.",
            audience=Audience(),
            rule=DueRule(Recurrence.WEEKLY, due=DateRule.weekly(calendar.FRIDAY)),
            return_type=ReturnType.FORM,
            source=Source.LOCAL,
        ),
    ]
    entries += [_annual_local(row) for row in _ANNUAL_LOCAL]
    return tuple(entries)


#: The default returns, in display order. Immutable: copy into the database and edit there.
DEFAULT_CATALOGUE: tuple[CatalogueEntry, ...] = _build_catalogue()


def catalogue_entry(code: str, catalogue: Iterable[CatalogueEntry] = DEFAULT_CATALOGUE) -> CatalogueEntry:
    """The entry with ``code`` in ``catalogue``. Raises ``KeyError`` if there is none."""
    for entry in catalogue:
        if entry.code == code:
            return entry
    raise KeyError(code)
