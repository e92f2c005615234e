"""Due-date rules as data, and their pure evaluation into dated instances.

A :class:`DueRule` says how often a return recurs (:class:`Recurrence`: weekly, monthly,
termly or annual) and gives up to three :class:`DateRule` s evaluated inside each period:

* ``due`` - the deadline set by whoever owns the return (the DfE deadline for a DfE return);
* ``internal_due`` - optional earlier deadline set by the LA, typically a negative
  ``due_offset`` from ``due`` (e.g. 7 days before the DfE deadline);
* ``opens`` - optional date the return opens; by default the start of the period (1 September
  for annual rules, the first day of term for termly ones, the 1st of the month for monthly
  ones, the week's first school day for weekly ones).

Monthly rules have one period per calendar month from September to July (eleven; August, when
schools are closed, has none), keyed ``2026/27-2026-09`` and labelled "September 2026".

A :class:`DateRule` is an anchor plus an offset. Anchors (:class:`RuleKind`):

===================== ================================================ =====================
kind                  anchor                                           fields
===================== ================================================ =====================
``fixed``             month/day inside the academic year (Sep-Dec in   ``month``, ``day``
                      its first calendar year, Jan-Aug in its second)
``nth_weekday``       n-th weekday of a month (``nth=-1``: the last)   ``month``, ``weekday``,
                                                                       ``nth``
``census_day_offset`` a census day; termly rules use the period's term ``census`` (annual only)
``term_start_offset`` first day of a term; termly: the period's term    ``term`` (annual only)
``term_end_offset``   last day of a term; termly: the period's term     ``term`` (annual only)
``weekly``            ``weekday`` (0 = Monday) of the period's week,   ``weekday``
                      or the last school day of that week before it,
                      or else the week's first school day
``month_end_offset``  last day of the period's month (monthly only):   (none)
                      offset 10 is the 10th of the following month
``due_offset``        ``opens``: the instance's due date; ``internal_  (none)
                      due``: the external (``due``) deadline
===================== ================================================ =====================

``offset`` counts calendar days (``unit="days"``) or working days
(``unit="working_days"``, weekends and bank holidays skipped). Due dates (external and
internal) are then moved off weekends and bank holidays by the shift policy; opening dates
are never shifted, but an opening date after the due date is pulled back to the due date.
Rules serialise to plain dicts (``to_dict``/``from_dict``) so a database can store them
as JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from domain.dates import (
    TERMS,
    Census,
    Region,
    ShiftPolicy,
    Term,
    TermDates,
    academic_year_end,
    academic_year_label,
    academic_year_start,
    add_working_days,
    calendar_year_for_month,
    census_day,
    check_academic_year,
    check_date,
    date_in_academic_year,
    format_day,
    in_academic_year,
    nth_weekday,
    parse_census,
    parse_region,
    parse_shift_policy,
    parse_term,
    shift_due_date,
)

_DAY = dt.timedelta(days=1)


class Recurrence(StrEnum):
    """How often a return falls due within an academic year."""

    WEEKLY = "weekly"  # every school week (a Monday-Friday week with at least one school day)
    MONTHLY = "monthly"  # every calendar month September-July (none for August)
    TERMLY = "termly"  # once per term: autumn, spring, summer
    ANNUAL = "annual"  # once per academic year


class RuleKind(StrEnum):
    """The anchor of a :class:`DateRule` (see the module docstring)."""

    FIXED = "fixed"
    NTH_WEEKDAY = "nth_weekday"
    CENSUS_DAY_OFFSET = "census_day_offset"
    TERM_START_OFFSET = "term_start_offset"
    TERM_END_OFFSET = "term_end_offset"
    WEEKLY = "weekly"
    MONTH_END_OFFSET = "month_end_offset"
    DUE_OFFSET = "due_offset"


class OffsetUnit(StrEnum):
    """What a :class:`DateRule` offset counts."""

    DAYS = "days"
    WORKING_DAYS = "working_days"


_OPTIONAL_FIELDS = ("month", "day", "weekday", "nth", "census", "term")

# kind -> (fields that must be set, fields that may be set); every other optional field must be None.
_KIND_FIELDS: dict[RuleKind, tuple[frozenset[str], frozenset[str]]] = {
    RuleKind.FIXED: (frozenset({"month", "day"}), frozenset()),
    RuleKind.NTH_WEEKDAY: (frozenset({"month", "weekday", "nth"}), frozenset()),
    RuleKind.CENSUS_DAY_OFFSET: (frozenset(), frozenset({"census"})),
    RuleKind.TERM_START_OFFSET: (frozenset(), frozenset({"term"})),
    RuleKind.TERM_END_OFFSET: (frozenset(), frozenset({"term"})),
    RuleKind.WEEKLY: (frozenset({"weekday"}), frozenset()),
    RuleKind.MONTH_END_OFFSET: (frozenset(), frozenset()),
    RuleKind.DUE_OFFSET: (frozenset(), frozenset()),
}


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an int {low}..{high}, got {value!r}")


@dataclass(frozen=True)
class DateRule:
    """An anchor date plus an offset, evaluated inside one period of a :class:`DueRule`.

    String values are accepted for ``kind``, ``unit``, ``census`` and ``term`` and converted
    to their enums. Raises ``ValueError`` if a field required by ``kind`` is missing, a
    field it does not use is set, or a value is out of range (month 1-12, a real day of
    that month other than 29 February, weekday 0-6, nth 1..5 or -1..-5, |offset| <= 366).
    """

    kind: RuleKind
    offset: int = 0
    unit: OffsetUnit = OffsetUnit.DAYS
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    nth: int | None = None
    census: Census | None = None
    term: Term | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", RuleKind(self.kind))
        object.__setattr__(self, "unit", OffsetUnit(self.unit))
        if self.census is not None:
            object.__setattr__(self, "census", parse_census(self.census))
        if self.term is not None:
            object.__setattr__(self, "term", parse_term(self.term))
        self._check_fields()
        self._check_values()

    def _check_fields(self) -> None:
        required, optional = _KIND_FIELDS[self.kind]
        for name in _OPTIONAL_FIELDS:
            value = getattr(self, name)
            if name in required and value is None:
                raise ValueError(f"a {self.kind.value} rule needs {name}")
            if value is not None and name not in required | optional:
                raise ValueError(f"a {self.kind.value} rule does not use {name} (got {value!r})")

    def _check_values(self) -> None:
        _check_int("offset", self.offset, -366, 366)
        if self.month is not None:
            _check_int("month", self.month, 1, 12)
        if self.weekday is not None:
            _check_int("weekday", self.weekday, 0, 6)
        if self.nth is not None:
            _check_int("nth", self.nth, -5, 5)
            if self.nth == 0:
                raise ValueError("nth must be 1..5 or -1..-5, got 0")
        if self.day is not None:
            _check_int("day", self.day, 1, 31)
            if (self.month, self.day) == (2, 29):
                raise ValueError("29 February does not exist every year: use 28 February or 1 March")
            dt.date(2000, self.month, self.day)  # raises ValueError for e.g. 31 April

    # Readable constructors for catalogue data.
    @classmethod
    def fixed(cls, month: int, day: int, offset: int = 0) -> DateRule:
        """``day`` of ``month`` in the academic year, plus ``offset`` days."""
        return cls(RuleKind.FIXED, offset=offset, month=month, day=day)

    @classmethod
    def nth_weekday_of(cls, month: int, weekday: int, nth: int, offset: int = 0) -> DateRule:
        """The ``nth`` ``weekday`` of ``month`` (``nth=-1``: the last), plus ``offset`` days."""
        return cls(RuleKind.NTH_WEEKDAY, offset=offset, month=month, weekday=weekday, nth=nth)

    @classmethod
    def census_day_offset(cls, offset: int = 0, census: Census | str | None = None) -> DateRule:
        """Census day + ``offset`` days; ``census=None`` means the period's term (termly)."""
        return cls(RuleKind.CENSUS_DAY_OFFSET, offset=offset, census=census)

    @classmethod
    def term_start_offset(cls, offset: int = 0, term: Term | str | None = None) -> DateRule:
        """First day of term + ``offset`` days; ``term=None`` means the period's term."""
        return cls(RuleKind.TERM_START_OFFSET, offset=offset, term=term)

    @classmethod
    def term_end_offset(cls, offset: int = 0, term: Term | str | None = None) -> DateRule:
        """Last day of term + ``offset`` days; ``term=None`` means the period's term."""
        return cls(RuleKind.TERM_END_OFFSET, offset=offset, term=term)

    @classmethod
    def weekly(cls, weekday: int, offset: int = 0) -> DateRule:
        """``weekday`` (0 = Monday) of each school week, plus ``offset`` days."""
        return cls(RuleKind.WEEKLY, offset=offset, weekday=weekday)

    @classmethod
    def month_end_offset(cls, offset: int = 0, unit: OffsetUnit | str = OffsetUnit.DAYS) -> DateRule:
        """Last day of the period's month + ``offset`` days or working days (monthly rules)."""
        return cls(RuleKind.MONTH_END_OFFSET, offset=offset, unit=unit)

    @classmethod
    def due_offset(cls, offset: int, unit: OffsetUnit | str = OffsetUnit.DAYS) -> DateRule:
        """``offset`` days (or working days) from the deadline it refers to."""
        return cls(RuleKind.DUE_OFFSET, offset=offset, unit=unit)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict holding ``kind`` and every field that is not at its default."""
        data: dict[str, Any] = {"kind": self.kind.value}
        if self.offset:
            data["offset"] = self.offset
        if self.unit is not OffsetUnit.DAYS:
            data["unit"] = self.unit.value
        for name in _OPTIONAL_FIELDS:
            value = getattr(self, name)
            if value is not None:
                data[name] = value.value if isinstance(value, Enum) else value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DateRule:
        """Inverse of :meth:`to_dict`. Raises ``ValueError`` for unknown keys or bad values."""
        allowed = {"kind", "offset", "unit", *_OPTIONAL_FIELDS}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown date rule keys: {sorted(unknown)}")
        if "kind" not in data:
            raise ValueError("a date rule needs a kind")
        return cls(**data)


# recurrence -> kinds allowed for `due`; `opens` and `internal_due` may also use DUE_OFFSET.
_DUE_KINDS: dict[Recurrence, frozenset[RuleKind]] = {
    Recurrence.WEEKLY: frozenset({RuleKind.WEEKLY}),
    Recurrence.MONTHLY: frozenset({RuleKind.MONTH_END_OFFSET}),
    Recurrence.TERMLY: frozenset({RuleKind.CENSUS_DAY_OFFSET, RuleKind.TERM_START_OFFSET, RuleKind.TERM_END_OFFSET}),
    Recurrence.ANNUAL: frozenset(
        {
            RuleKind.FIXED,
            RuleKind.NTH_WEEKDAY,
            RuleKind.CENSUS_DAY_OFFSET,
            RuleKind.TERM_START_OFFSET,
            RuleKind.TERM_END_OFFSET,
        }
    ),
}


def allowed_kinds(recurrence: Recurrence | str, role: str) -> frozenset[RuleKind]:
    """The anchors a ``role`` (``due``, ``opens`` or ``internal_due``) may use in a ``recurrence``'s rule."""
    due_kinds = _DUE_KINDS[Recurrence(recurrence)]
    return due_kinds if role == "due" else due_kinds | {RuleKind.DUE_OFFSET}


def fields_of(kind: RuleKind | str) -> tuple[frozenset[str], frozenset[str]]:
    """``(required, optional)``: the fields besides offset and unit that a ``kind`` of date rule uses."""
    return _KIND_FIELDS[RuleKind(kind)]


def _check_rule_for(recurrence: Recurrence, role: str, rule: DateRule | None) -> None:
    if rule is None:
        return
    if not isinstance(rule, DateRule):
        raise TypeError(f"{role} must be a DateRule, got {rule!r}")
    if rule.kind not in allowed_kinds(recurrence, role):
        raise ValueError(f"{role} of a {recurrence.value} rule cannot be {rule.kind.value}")
    named = rule.census if rule.kind is RuleKind.CENSUS_DAY_OFFSET else rule.term
    if rule.kind in (RuleKind.CENSUS_DAY_OFFSET, RuleKind.TERM_START_OFFSET, RuleKind.TERM_END_OFFSET):
        if recurrence is Recurrence.TERMLY and named is not None:
            raise ValueError(f"{role} of a termly rule uses each period's own term: leave census/term unset")
        if recurrence is Recurrence.ANNUAL and named is None:
            raise ValueError(f"{role} of an annual {rule.kind.value} rule must name its census/term")


@dataclass(frozen=True)
class DueRule:
    """When a return recurs and how its dates are computed (see the module docstring).

    Raises ``ValueError`` if ``due`` is missing or a rule's kind does not fit the
    recurrence (e.g. a weekly recurrence needs a ``weekly`` due rule; termly rules must not
    name a census or term, annual ones must; ``due_offset`` is only for ``opens`` and
    ``internal_due``); ``TypeError`` if a rule is not a :class:`DateRule`.
    """

    recurrence: Recurrence
    due: DateRule
    opens: DateRule | None = None
    internal_due: DateRule | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "recurrence", Recurrence(self.recurrence))
        if self.due is None:
            raise ValueError("a due rule needs a due date rule")
        for role in ("due", "opens", "internal_due"):
            _check_rule_for(self.recurrence, role, getattr(self, role))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``opens``/``internal_due`` are omitted when unset."""
        data: dict[str, Any] = {"recurrence": self.recurrence.value, "due": self.due.to_dict()}
        for role in ("opens", "internal_due"):
            rule = getattr(self, role)
            if rule is not None:
                data[role] = rule.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DueRule:
        """Inverse of :meth:`to_dict`. Raises ``ValueError`` for unknown keys or bad values."""
        unknown = set(data) - {"recurrence", "due", "opens", "internal_due"}
        if unknown:
            raise ValueError(f"unknown due rule keys: {sorted(unknown)}")
        if "recurrence" not in data or "due" not in data:
            raise ValueError("a due rule needs recurrence and due")
        parts = {role: DateRule.from_dict(data[role]) for role in ("due", "opens", "internal_due") if data.get(role)}
        return cls(recurrence=data["recurrence"], **parts)


@dataclass(frozen=True)
class Instance:
    """One dated occurrence of a return.

    ``period_key`` is stable and unique within an academic year for a rule ("2026/27",
    "2026/27-autumn", "2026/27-2026-09" for a month, or the ISO week "2026-W37"), fit for a database key;
    ``period_label`` is for people. ``due_on`` is the deadline schools work to: the
    internal (LA) deadline when the rule has one, otherwise the external one.
    ``external_due_on`` is the external (e.g. DfE) deadline when an internal one exists,
    else ``None``. ``period_start``/``period_end`` bound the period (the academic year, the
    term, or the Monday-Friday week, which may start in the previous August).
    """

    period_key: str
    period_label: str
    opens_on: dt.date
    due_on: dt.date
    external_due_on: dt.date | None
    period_start: dt.date
    period_end: dt.date


@dataclass(frozen=True)
class _Period:
    key: str
    label: str
    start: dt.date
    end: dt.date
    term: Term | None = None
    school_days: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class _Context:
    academic_year: int
    term_dates: TermDates
    region: Region
    policy: ShiftPolicy
    census_days: Mapping[Census, dt.date]


def _annual_periods(ctx: _Context) -> list[_Period]:
    year = ctx.academic_year
    label = academic_year_label(year)
    return [_Period(label, label, academic_year_start(year), academic_year_end(year))]


def _termly_periods(ctx: _Context) -> list[_Period]:
    label = academic_year_label(ctx.academic_year)
    periods = []
    for term in TERMS:
        span = ctx.term_dates.span(term)
        periods.append(_Period(f"{label}-{term.value}", f"{term.label} term {label}", span.start, span.end, term))
    return periods


def _weekly_periods(ctx: _Context) -> list[_Period]:
    by_week: dict[dt.date, list[dt.date]] = {}
    for day in ctx.term_dates.school_days(ctx.region):
        by_week.setdefault(day - dt.timedelta(days=day.weekday()), []).append(day)
    periods = []
    for monday, days in by_week.items():
        iso = monday.isocalendar()
        key = f"{iso[0]}-W{iso[1]:02d}"
        label = f"Week commencing {format_day(monday)}"
        periods.append(_Period(key, label, monday, monday + 4 * _DAY, school_days=tuple(days)))
    return periods


#: The months of a monthly rule, in academic-year order: September to July (August has no period).
MONTHS = (9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7)


def _monthly_periods(ctx: _Context) -> list[_Period]:
    label = academic_year_label(ctx.academic_year)
    periods = []
    for month in MONTHS:
        start = dt.date(calendar_year_for_month(ctx.academic_year, month), month, 1)
        end = (start + dt.timedelta(days=31)).replace(day=1) - _DAY
        periods.append(_Period(f"{label}-{start:%Y-%m}", f"{start:%B %Y}", start, end))
    return periods


_PERIODS = {
    Recurrence.ANNUAL: _annual_periods,
    Recurrence.TERMLY: _termly_periods,
    Recurrence.WEEKLY: _weekly_periods,
    Recurrence.MONTHLY: _monthly_periods,
}


def _anchor(rule: DateRule, period: _Period, ctx: _Context, reference: dt.date | None) -> dt.date:
    year = ctx.academic_year
    kind = rule.kind
    if kind is RuleKind.FIXED:
        return date_in_academic_year(year, rule.month, rule.day)
    if kind is RuleKind.NTH_WEEKDAY:
        return nth_weekday(calendar_year_for_month(year, rule.month), rule.month, rule.weekday, rule.nth)
    if kind is RuleKind.CENSUS_DAY_OFFSET:
        return ctx.census_days[rule.census or parse_census(period.term)]
    if kind in (RuleKind.TERM_START_OFFSET, RuleKind.TERM_END_OFFSET):
        span = ctx.term_dates.span(rule.term or period.term)
        return span.start if kind is RuleKind.TERM_START_OFFSET else span.end
    if kind is RuleKind.WEEKLY:
        wanted = period.start + dt.timedelta(days=rule.weekday)
        on_or_before = [day for day in period.school_days if day <= wanted]
        return on_or_before[-1] if on_or_before else period.school_days[0]
    if kind is RuleKind.MONTH_END_OFFSET:
        return period.end
    return reference  # DUE_OFFSET


def _evaluate(rule: DateRule, period: _Period, ctx: _Context, reference: dt.date | None = None) -> dt.date:
    anchor = _anchor(rule, period, ctx, reference)
    if rule.unit is OffsetUnit.WORKING_DAYS:
        return add_working_days(anchor, rule.offset, ctx.region)
    return anchor + dt.timedelta(days=rule.offset)


def _instance(rule: DueRule, period: _Period, ctx: _Context) -> Instance:
    external = shift_due_date(_evaluate(rule.due, period, ctx), ctx.policy, ctx.region)
    due_on = external
    if rule.internal_due is not None:
        due_on = shift_due_date(_evaluate(rule.internal_due, period, ctx, external), ctx.policy, ctx.region)
    if rule.opens is not None:
        opens_on = _evaluate(rule.opens, period, ctx, due_on)
    else:
        opens_on = period.school_days[0] if period.school_days else period.start
    return Instance(
        period_key=period.key,
        period_label=period.label,
        opens_on=min(opens_on, due_on),
        due_on=due_on,
        external_due_on=external if rule.internal_due is not None else None,
        period_start=period.start,
        period_end=period.end,
    )


def resolve_census_days(
    academic_year: int, overrides: Mapping[Census | str, dt.date] | None = None
) -> dict[Census, dt.date]:
    """The census days of ``academic_year``: the rule-based ones, replaced by ``overrides``.

    Override keys may be :class:`Census` values or their strings ("autumn", "workforce").
    Raises ``ValueError`` for an unknown census or an override outside the academic year,
    ``TypeError`` for an override that is not a date.
    """
    days = {census: census_day(census, academic_year) for census in Census}
    for key, value in (overrides or {}).items():
        census = parse_census(key)
        if not in_academic_year(check_date(value, f"{census.value} census day"), academic_year):
            raise ValueError(f"{census.value} census day {value} is outside {academic_year_label(academic_year)}")
        days[census] = value
    return days


def instances_for(
    rule: DueRule,
    academic_year: int,
    term_dates: TermDates,
    region: Region | str = Region.ENGLAND,
    shift_policy: ShiftPolicy | str = ShiftPolicy.PREVIOUS,
    *,
    census_days: Mapping[Census | str, dt.date] | None = None,
) -> list[Instance]:
    """Every instance of ``rule`` in ``academic_year``, in chronological period order.

    Annual rules give one instance, termly rules three (autumn, spring, summer), monthly rules
    eleven (September to July), weekly
    rules one per Monday-Friday week that holds at least one school day (term time, not
    half term, a working day in ``region``). ``term_dates`` must be for ``academic_year``
    (pass the admin-edited dates, or :func:`~domain.dates.term_dates.default_term_dates`).
    ``census_days`` overrides rule-based census days (see :func:`resolve_census_days`).

    Raises ``TypeError`` if ``rule`` is not a :class:`DueRule` or ``term_dates`` not a
    :class:`TermDates`; ``ValueError`` if ``term_dates`` is for another year, or for an
    unknown region, shift policy or census, or an out-of-year census override.
    """
    if not isinstance(rule, DueRule):
        raise TypeError(f"rule must be a DueRule, got {rule!r}")
    if not isinstance(term_dates, TermDates):
        raise TypeError(f"term_dates must be a TermDates, got {term_dates!r}")
    check_academic_year(academic_year)
    if term_dates.academic_year != academic_year:
        raise ValueError(f"term dates are for {term_dates.academic_year}, not {academic_year}")
    ctx = _Context(
        academic_year=academic_year,
        term_dates=term_dates,
        region=parse_region(region),
        policy=parse_shift_policy(shift_policy),
        census_days=resolve_census_days(academic_year, census_days),
    )
    return [_instance(rule, period, ctx) for period in _PERIODS[rule.recurrence](ctx)]
