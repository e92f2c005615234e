"""The due-date rule language: validation, serialisation and instances_for."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from dataclasses import replace

import pytest

from domain.dates import Census, census_day, default_term_dates
from domain.deadline_rules import (
    DFE_CENSUS_DEADLINE_OFFSET_DAYS,
    DateRule,
    DueRule,
    Instance,
    OffsetUnit,
    Recurrence,
    RuleKind,
    instances_for,
    resolve_census_days,
)

D = dt.date

# DfE return deadlines seen (DOMAIN.md section 5): (census, academic year, deadline).
PUBLISHED_DFE_DEADLINES = [
    (Census.AUTUMN, 2022, D(2022, 11, 2)),
    (Census.SPRING, 2022, D(2023, 2, 15)),
    (Census.SUMMER, 2022, D(2023, 6, 14)),
    (Census.AUTUMN, 2024, D(2024, 10, 30)),
    (Census.SPRING, 2024, D(2025, 2, 12)),
]


def one(rule: DueRule, year: int, **kwargs) -> Instance:
    (instance,) = instances_for(rule, year, default_term_dates(year), **kwargs)
    return instance


def annual(due: DateRule, **kwargs) -> DueRule:
    return DueRule(Recurrence.ANNUAL, due=due, **kwargs)


@pytest.mark.parametrize(("census", "year", "published"), PUBLISHED_DFE_DEADLINES)
def test_census_plus_27_days_is_exactly_every_published_dfe_deadline(census, year, published):
    rule = annual(DateRule.census_day_offset(DFE_CENSUS_DEADLINE_OFFSET_DAYS, census=census))
    assert one(rule, year, shift_policy="none").due_on == published
    assert one(rule, year, shift_policy="previous").due_on == published  # all were Wednesdays


def test_termly_census_rule_gives_each_terms_census_day():
    rule = DueRule(Recurrence.TERMLY, due=DateRule.census_day_offset(27), opens=DateRule.census_day_offset(0))
    instances = instances_for(rule, 2024, default_term_dates(2024), "ENG", "none")
    assert [i.period_key for i in instances] == ["2024/25-autumn", "2024/25-spring", "2024/25-summer"]
    assert [i.period_label for i in instances] == ["Autumn term 2024/25", "Spring term 2024/25", "Summer term 2024/25"]
    assert [i.opens_on for i in instances] == [D(2024, 10, 3), D(2025, 1, 16), D(2025, 5, 15)]
    assert [i.due_on for i in instances] == [D(2024, 10, 30), D(2025, 2, 12), D(2025, 6, 11)]
    assert all(i.external_due_on is None for i in instances)


def test_internal_deadline_is_an_offset_from_the_external_one():
    rule = annual(
        DateRule.census_day_offset(27, census="autumn"),
        internal_due=DateRule.due_offset(-7),
    )
    instance = one(rule, 2022)
    assert instance.external_due_on == D(2022, 11, 2)
    assert instance.due_on == D(2022, 10, 26)


def test_internal_deadline_in_working_days_skips_christmas():
    rule = annual(DateRule.fixed(1, 6), internal_due=DateRule.due_offset(-6, unit="working_days"))
    instance = one(rule, 2025)  # due Tue 6 Jan 2026
    assert instance.external_due_on == D(2026, 1, 6)
    # 5 Jan, 2 Jan, 31 Dec, 30 Dec, 29 Dec, then over Boxing Day and Christmas Day to 24 Dec.
    assert instance.due_on == D(2025, 12, 24)


def test_census_day_overrides_move_dependent_dates():
    rule = annual(DateRule.census_day_offset(27, census="spring"), opens=DateRule.census_day_offset(0, census="spring"))
    moved = D(2025, 1, 23)
    instance = one(rule, 2024, census_days={"spring": moved})
    assert instance.opens_on == moved
    assert instance.due_on == moved + dt.timedelta(days=27)


def test_resolve_census_days_validates_overrides():
    assert resolve_census_days(2024)[Census.WORKFORCE] == census_day("workforce", 2024)
    with pytest.raises(ValueError, match="outside"):
        resolve_census_days(2024, {Census.AUTUMN: D(2025, 10, 2)})
    with pytest.raises(ValueError, match="unknown census"):
        resolve_census_days(2024, {"winter": D(2024, 12, 5)})
    with pytest.raises(TypeError):
        resolve_census_days(2024, {"autumn": "2024-10-03"})


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("previous", D(2026, 1, 30)), ("next", D(2026, 2, 2)), ("none", D(2026, 1, 31))],
)
def test_fixed_date_on_a_saturday_follows_the_shift_policy(policy, expected):
    rule = annual(DateRule.fixed(1, 31), opens=DateRule.fixed(12, 1))
    instance = one(rule, 2025, shift_policy=policy)
    assert instance.due_on == expected
    assert instance.opens_on == D(2025, 12, 1)  # opening dates are never shifted
    assert (instance.period_key, instance.period_label) == ("2025/26", "2025/26")
    assert (instance.period_start, instance.period_end) == (D(2025, 9, 1), D(2026, 8, 31))


def test_fixed_date_on_a_bank_holiday_moves_in_both_regions():
    rule = annual(DateRule.fixed(5, 25))  # Spring bank holiday 2026
    assert one(rule, 2025, region="ENG").due_on == D(2026, 5, 22)
    assert one(rule, 2025, region="WLS").due_on == D(2026, 5, 22)
    assert one(rule, 2025, region="WLS", shift_policy="next").due_on == D(2026, 5, 26)


def test_nth_weekday_rule():
    rule = annual(DateRule.nth_weekday_of(6, calendar.THURSDAY, -1))
    assert one(rule, 2023).due_on == D(2024, 6, 27)
    assert one(rule, 2024).due_on == D(2025, 6, 26)


def test_default_opening_is_the_start_of_the_period():
    assert one(annual(DateRule.fixed(10, 31)), 2026).opens_on == D(2026, 9, 1)


def test_opening_after_the_due_date_is_pulled_back_to_it():
    rule = annual(DateRule.fixed(3, 31), opens=DateRule.fixed(4, 15))
    instance = one(rule, 2025)
    assert instance.opens_on == instance.due_on == D(2026, 3, 31)


def test_opening_relative_to_the_due_date():
    rule = annual(DateRule.fixed(3, 31), opens=DateRule.due_offset(-28))
    assert one(rule, 2025).opens_on == D(2026, 3, 3)


def test_term_end_rule_each_term_with_shift():
    terms = replace(default_term_dates(2026), autumn_end=D(2026, 12, 19))  # an admin picked a Saturday
    rule = DueRule(Recurrence.TERMLY, due=DateRule.term_end_offset(0))
    instances = instances_for(rule, 2026, terms, "ENG", "previous")
    assert [i.due_on for i in instances] == [D(2026, 12, 18), terms.spring_end, terms.summer_end]
    assert [i.opens_on for i in instances] == [terms.autumn_start, terms.spring_start, terms.summer_start]
    assert instances_for(rule, 2026, terms, "ENG", "none")[0].due_on == D(2026, 12, 19)


def test_annual_term_start_rule_names_its_term():
    rule = annual(DateRule.term_start_offset(5, term="spring"))
    assert one(rule, 2024).due_on == D(2025, 1, 10)  # spring term starts Mon 6 Jan 2025


def test_annual_term_end_rule_with_negative_offset():
    rule = annual(DateRule.term_end_offset(-14, term="summer"))
    assert one(rule, 2024).due_on == D(2025, 7, 8)  # summer ends Tue 22 Jul 2025


def weekly_rule(weekday: int = calendar.FRIDAY) -> DueRule:
    return DueRule(Recurrence.WEEKLY, due=DateRule.weekly(weekday))


def test_weekly_instances_cover_every_school_week_and_no_holiday_week():
    terms = default_term_dates(2025)
    instances = instances_for(weekly_rule(), 2025, terms)
    school_weeks = {d - dt.timedelta(days=d.weekday()) for d in terms.school_days()}
    assert [i.period_start for i in instances] == sorted(school_weeks)
    assert len({i.period_key for i in instances}) == len(instances)
    assert instances[0].period_key == "2025-W36"
    assert instances[0].period_label == "Week commencing 1 Sep 2025"
    for instance in instances:
        assert terms.is_school_day(instance.due_on), instance
        assert terms.is_school_day(instance.opens_on), instance
        assert instance.period_start.weekday() == 0 and instance.period_end.weekday() == 4
    assert not any(i.period_start == terms.autumn_half_term_start for i in instances)


def test_weekly_due_day_moves_to_a_school_day_of_the_same_week():
    terms = default_term_dates(2025)  # summer term ends Wed 22 Jul 2026
    assert instances_for(weekly_rule(), 2025, terms)[-1].due_on == D(2026, 7, 22)
    late_start = replace(terms, autumn_start=D(2025, 9, 3))  # term starts on a Wednesday
    first = instances_for(weekly_rule(calendar.MONDAY), 2025, late_start)[0]
    assert (first.opens_on, first.due_on) == (D(2025, 9, 3), D(2025, 9, 3))


def test_weekly_due_day_on_a_bank_holiday_stays_in_its_week():
    # Mon 4 May 2026 is May Day: a return due on Mondays is due on that week's first school day.
    mondays = instances_for(weekly_rule(calendar.MONDAY), 2025, default_term_dates(2025), "ENG", "previous")
    may_day_week = next(i for i in mondays if i.period_start == D(2026, 5, 4))
    assert (may_day_week.opens_on, may_day_week.due_on) == (D(2026, 5, 5), D(2026, 5, 5))
    # An LA whose spring term runs up to Good Friday (3 Apr 2026): Friday returns are due Thursday.
    terms = replace(default_term_dates(2025), spring_end=D(2026, 4, 3))
    fridays = instances_for(weekly_rule(), 2025, terms, "WLS", "none")
    assert next(i for i in fridays if i.period_start == D(2026, 3, 30)).due_on == D(2026, 4, 2)


def test_week_whose_only_term_day_is_a_bank_holiday_is_skipped():
    # Spring term entered as ending on Easter Monday (6 Apr 2026): that week has no school day.
    terms = replace(default_term_dates(2025), spring_end=D(2026, 4, 6))
    weeks = {i.period_start: i for i in instances_for(weekly_rule(), 2025, terms)}
    assert D(2026, 4, 6) not in weeks
    assert weeks[D(2026, 3, 30)].due_on == D(2026, 4, 2)  # Good Friday is not a school day either
    assert all(terms.is_school_day(i.due_on) and terms.is_school_day(i.opens_on) for i in weeks.values())


def test_instances_are_json_friendly_via_dict_rules():
    rule = DueRule(
        Recurrence.ANNUAL,
        due=DateRule.census_day_offset(27, census="autumn"),
        opens=DateRule.census_day_offset(0, census="autumn"),
        internal_due=DateRule.due_offset(-5, unit=OffsetUnit.WORKING_DAYS),
    )
    data = json.loads(json.dumps(rule.to_dict()))
    assert data == {
        "recurrence": "annual",
        "due": {"kind": "census_day_offset", "offset": 27, "census": "autumn"},
        "opens": {"kind": "census_day_offset", "census": "autumn"},
        "internal_due": {"kind": "due_offset", "offset": -5, "unit": "working_days"},
    }
    assert DueRule.from_dict(data) == rule


def test_strings_are_converted_to_enums():
    rule = DateRule("fixed", month=3, day=31)
    assert rule.kind is RuleKind.FIXED and rule.unit is OffsetUnit.DAYS
    assert DueRule("termly", due=DateRule("term_end_offset")).recurrence is Recurrence.TERMLY


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "fixed", "month": 3}, "needs day"),
        ({"kind": "fixed", "month": 3, "day": 31, "census": "autumn"}, "does not use census"),
        ({"kind": "fixed", "month": 2, "day": 29}, "29 February"),
        ({"kind": "fixed", "month": 4, "day": 31}, "day is out of range"),
        ({"kind": "fixed", "month": 13, "day": 1}, "month"),
        ({"kind": "nth_weekday", "month": 6, "weekday": 3, "nth": 0}, "nth"),
        ({"kind": "nth_weekday", "month": 6, "weekday": 7, "nth": 1}, "weekday"),
        ({"kind": "weekly"}, "needs weekday"),
        ({"kind": "due_offset", "offset": 400}, "offset"),
        ({"kind": "due_offset", "offset": True}, "offset"),
        ({"kind": "census_day_offset", "census": "winter"}, "unknown census"),
        ({"kind": "term_end_offset", "term": "winter"}, "unknown term"),
        ({"kind": "yearly"}, "RuleKind"),
        ({"kind": "fixed", "month": 3, "day": 31, "unit": "hours"}, "OffsetUnit"),
    ],
)
def test_bad_date_rules_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DateRule(**kwargs)


@pytest.mark.parametrize(
    ("recurrence", "due", "extra", "message"),
    [
        ("weekly", DateRule.fixed(3, 31), {}, "cannot be fixed"),
        ("annual", DateRule.weekly(4), {}, "cannot be weekly"),
        ("termly", DateRule.fixed(3, 31), {}, "cannot be fixed"),
        ("annual", DateRule.due_offset(-7), {}, "cannot be due_offset"),
        ("termly", DateRule.census_day_offset(27, census="autumn"), {}, "leave census/term unset"),
        ("termly", DateRule.term_end_offset(0, term="summer"), {}, "leave census/term unset"),
        ("annual", DateRule.census_day_offset(27), {}, "must name its census/term"),
        ("annual", DateRule.term_end_offset(0), {}, "must name its census/term"),
        ("annual", DateRule.fixed(3, 31), {"opens": DateRule.weekly(0)}, "opens of a annual rule cannot be weekly"),
        ("annual", DateRule.fixed(3, 31), {"internal_due": DateRule.census_day_offset()}, "must name"),
        ("fortnightly", DateRule.fixed(3, 31), {}, "Recurrence"),
        ("annual", None, {}, "needs a due date rule"),
    ],
)
def test_bad_due_rules_raise_value_error(recurrence, due, extra, message):
    with pytest.raises(ValueError, match=message):
        DueRule(recurrence, due=due, **extra)


def test_due_rule_parts_must_be_date_rules():
    with pytest.raises(TypeError):
        DueRule("annual", due={"kind": "fixed", "month": 3, "day": 31})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"recurrence": "annual", "due": {"kind": "fixed", "month": 3, "day": 31}, "x": 1}, "unknown due rule keys"),
        ({"recurrence": "annual"}, "needs recurrence and due"),
        ({"recurrence": "annual", "due": {"month": 3, "day": 31}}, "needs a kind"),
        ({"recurrence": "annual", "due": {"kind": "fixed", "month": 3, "day": 31, "dy": 1}}, "unknown date rule"),
    ],
)
def test_from_dict_is_strict(data, message):
    with pytest.raises(ValueError, match=message):
        DueRule.from_dict(data)


def test_instances_for_checks_its_inputs():
    rule = annual(DateRule.fixed(3, 31))
    with pytest.raises(ValueError, match="term dates are for 2025"):
        instances_for(rule, 2026, default_term_dates(2025))
    with pytest.raises(TypeError):
        instances_for(rule.to_dict(), 2025, default_term_dates(2025))
    with pytest.raises(TypeError):
        instances_for(rule, 2025, None)
    with pytest.raises(ValueError, match="unknown region"):
        instances_for(rule, 2025, default_term_dates(2025), "SCT")
    with pytest.raises(ValueError, match="unknown shift policy"):
        instances_for(rule, 2025, default_term_dates(2025), "ENG", "nearest")


def test_values_are_frozen():
    rule = DateRule.fixed(3, 31)
    with pytest.raises(AttributeError):
        rule.month = 4  # type: ignore[misc]


def monthly_rule(offset: int = 10, unit: str = "days", **kwargs) -> DueRule:
    return DueRule(Recurrence.MONTHLY, due=DateRule.month_end_offset(offset, unit=unit), **kwargs)


def test_monthly_instances_are_the_months_september_to_july():
    instances = instances_for(monthly_rule(), 2026, default_term_dates(2026))
    assert [i.period_key for i in instances][:2] == ["2026/27-2026-09", "2026/27-2026-10"]
    assert instances[-1].period_key == "2026/27-2027-07"
    assert len(instances) == 11 and len({i.period_key for i in instances}) == 11  # no August
    assert [i.period_label for i in instances[3:5]] == ["December 2026", "January 2027"]
    february = instances[5]
    assert (february.period_start, february.period_end) == (D(2027, 2, 1), D(2027, 2, 28))
    for instance in instances:
        assert instance.opens_on == instance.period_start and instance.period_start.day == 1
        assert instance.due_on > instance.period_end  # due in the following month
    # the 10th of the next month, moved back off a weekend (Sun 10 Jan 2027 -> Fri 8 Jan)
    assert instances[0].due_on == D(2026, 10, 9)  # Sat 10 Oct 2026
    assert instances[3].due_on == D(2027, 1, 8)


def test_monthly_due_in_working_days_after_the_month_end():
    (september, *_rest) = instances_for(monthly_rule(5, "working_days"), 2026, default_term_dates(2026))
    assert september.due_on == D(2026, 10, 7)  # Wed 30 Sep + 5 working days
    december = instances_for(monthly_rule(3, "working_days"), 2026, default_term_dates(2026))[3]
    assert december.due_on == D(2027, 1, 6)  # Christmas, Boxing Day (Mon 28 Dec) and New Year skipped


def test_monthly_opening_and_internal_deadline():
    rule = monthly_rule(15, opens=DateRule.month_end_offset(-6), internal_due=DateRule.due_offset(-2))
    october = instances_for(rule, 2026, default_term_dates(2026))[1]
    assert (october.opens_on, october.external_due_on, october.due_on) == (D(2026, 10, 25), D(2026, 11, 13),
                                                                           D(2026, 11, 11))  # fmt: skip


def test_monthly_rules_round_trip_and_refuse_other_anchors():
    rule = monthly_rule(5, "working_days", opens=DateRule.due_offset(-10))
    data = json.loads(json.dumps(rule.to_dict()))
    assert data == {"recurrence": "monthly", "due": {"kind": "month_end_offset", "offset": 5, "unit": "working_days"},
                    "opens": {"kind": "due_offset", "offset": -10}}  # fmt: skip
    assert DueRule.from_dict(data) == rule
    with pytest.raises(ValueError, match="due of a monthly rule cannot be term_end_offset"):
        DueRule(Recurrence.MONTHLY, due=DateRule.term_end_offset(0))
    for recurrence in ("annual", "termly", "weekly"):
        with pytest.raises(ValueError, match="cannot be month_end_offset"):
            DueRule(recurrence, due=DateRule.month_end_offset(10))
    with pytest.raises(ValueError, match="does not use month"):
        DateRule("month_end_offset", month=9)
