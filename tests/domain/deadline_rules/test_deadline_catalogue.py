"""DEFAULT_CATALOGUE: shape, serialisation, and the dates it produces."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from domain.dates import academic_year_end, academic_year_start, default_term_dates, is_working_day
from domain.deadline_rules import (
    DEFAULT_CATALOGUE,
    LA_INTERNAL_DEADLINE_OFFSET_DAYS,
    Audience,
    CatalogueEntry,
    Recurrence,
    ReturnType,
    Source,
    catalogue_entry,
    instances_for,
    year_groups_for_ages,
)

D = dt.date

# The DfE publishes deadlines yearly and admins override them, so the catalogue's rule only
# has to land near each published deadline: within a week either side.
DFE_DEADLINE_TOLERANCE = dt.timedelta(days=7)

PUBLISHED_DFE_DEADLINES = [
    ("SC-AUT", 2022, D(2022, 11, 2)),
    ("SC-SPR", 2022, D(2023, 2, 15)),
    ("SC-SUM", 2022, D(2023, 6, 14)),
    ("SC-AUT", 2024, D(2024, 10, 30)),
    ("SC-SPR", 2024, D(2025, 2, 12)),
]

EXPECTED_CODES = [
    "SC-AUT",
    "SC-SPR",
    "SC-SUM",
    "SWC",
    "PHONICS",
    "EYFSP",
    "KS2-TA",
    "PRIDE-NIL",
    "MEALS",
    "Y11-DEST",
    "SEPT-GUAR",
    "Y11-ACTIVITY",
    "PRIVACY",
]


def dates(code: str, year: int, policy: str = "previous", region: str = "ENG"):
    return instances_for(catalogue_entry(code).rule, year, default_term_dates(year), region, policy)


def test_catalogue_has_the_default_returns_with_unique_codes():
    assert [entry.code for entry in DEFAULT_CATALOGUE] == EXPECTED_CODES
    assert all(isinstance(entry, CatalogueEntry) for entry in DEFAULT_CATALOGUE)
    assert all(entry.name and entry.description for entry in DEFAULT_CATALOGUE)


@pytest.mark.parametrize(("code", "year", "published"), PUBLISHED_DFE_DEADLINES)
def test_census_dfe_deadline_is_near_the_published_one(code, year, published):
    (instance,) = dates(code, year)
    assert abs(instance.external_due_on - published) <= DFE_DEADLINE_TOLERANCE
    assert instance.due_on == instance.external_due_on + dt.timedelta(days=LA_INTERNAL_DEADLINE_OFFSET_DAYS)


def test_school_census_opens_on_census_day():
    (autumn,) = dates("SC-AUT", 2024)
    assert autumn.opens_on == D(2024, 10, 3)
    (workforce,) = dates("SWC", 2023)
    assert workforce.opens_on == D(2023, 11, 2)
    assert workforce.opens_on < workforce.due_on < workforce.external_due_on


@pytest.mark.parametrize("entry", DEFAULT_CATALOGUE, ids=lambda e: e.code)
def test_dict_round_trip_through_json(entry):
    data = json.loads(json.dumps(entry.to_dict()))
    assert CatalogueEntry.from_dict(data) == entry


@pytest.mark.parametrize("year", range(2015, 2041))
@pytest.mark.parametrize("entry", DEFAULT_CATALOGUE, ids=lambda e: e.code)
def test_every_entry_gives_sane_instances_every_year(entry, year):
    instances = instances_for(entry.rule, year, default_term_dates(year), "ENG", "previous")
    expected_count = {Recurrence.ANNUAL: 1, Recurrence.TERMLY: 3}.get(entry.recurrence)
    assert expected_count is None or len(instances) == expected_count
    assert len({i.period_key for i in instances}) == len(instances)
    for instance in instances:
        assert instance.opens_on <= instance.due_on
        assert academic_year_start(year) <= instance.due_on <= academic_year_end(year)
        assert is_working_day(instance.due_on)
        assert instance.external_due_on is None or instance.due_on <= instance.external_due_on


def test_dfe_and_local_sources():
    sources = {entry.code: entry.source for entry in DEFAULT_CATALOGUE}
    assert {c for c, s in sources.items() if s is Source.DFE} == {
        "SC-AUT",
        "SC-SPR",
        "SC-SUM",
        "SWC",
        "PHONICS",
        "EYFSP",
        "KS2-TA",
    }


def test_what_counts_as_a_return():
    kinds = {entry.code: entry.return_type for entry in DEFAULT_CATALOGUE}
    assert kinds["SC-AUT"] is ReturnType.FILE_UPLOAD
    assert kinds["PRIDE-NIL"] is ReturnType.INCIDENTS_OR_NIL
    assert kinds["MEALS"] is ReturnType.FORM
    assert kinds["PRIVACY"] is ReturnType.CONFIRMATION
    assert catalogue_entry("KS2-TA").information_only
    assert not catalogue_entry("PHONICS").information_only


def test_late_june_assessments():
    for code in ("PHONICS", "EYFSP", "KS2-TA"):
        (instance,) = dates(code, 2024)
        assert instance.due_on == D(2025, 6, 26)
        assert D(2025, 6, 20) <= instance.due_on <= D(2025, 6, 30)


def test_pride_nil_return_at_the_end_of_each_term():
    terms = default_term_dates(2025)
    instances = dates("PRIDE-NIL", 2025)
    assert [i.due_on for i in instances] == [terms.autumn_end, terms.spring_end, terms.summer_end]
    assert catalogue_entry("PRIDE-NIL").recurrence is Recurrence.TERMLY


def test_neet_tracking_returns():
    (destinations,) = dates("Y11-DEST", 2025)
    assert destinations.opens_on == D(2025, 12, 1)
    assert destinations.due_on == D(2026, 1, 30)  # 31 Jan 2026 is a Saturday
    (guarantee,) = dates("SEPT-GUAR", 2025)
    assert guarantee.due_on == D(2026, 3, 31)
    (activity,) = dates("Y11-ACTIVITY", 2025)
    assert activity.due_on == D(2025, 10, 31)  # 1 Nov 2025 is a Saturday
    (activity_next,) = dates("Y11-ACTIVITY", 2025, policy="next")
    assert activity_next.due_on == D(2025, 11, 3)


def test_weekly_meal_numbers_every_school_week():
    terms = default_term_dates(2025)
    instances = dates("MEALS", 2025)
    assert catalogue_entry("MEALS").recurrence is Recurrence.WEEKLY
    assert 37 <= len(instances) <= 41
    assert all(terms.is_school_day(i.due_on) for i in instances)
    assert sum(i.due_on.weekday() == 4 for i in instances) >= len(instances) - 3


def test_privacy_notice_annual():
    (instance,) = dates("PRIVACY", 2026)
    assert (instance.opens_on, instance.due_on) == (D(2026, 9, 1), D(2026, 10, 30))


def test_census_is_for_maintained_schools_and_assessments_include_academies():
    census = catalogue_entry("SC-AUT").audience
    assert census.includes(phase="Primary", is_academy=False)
    assert not census.includes(phase="Primary", is_academy=True)
    phonics = catalogue_entry("PHONICS").audience
    assert phonics.includes(phase="Primary", is_academy=True, statutory_low_age=4, statutory_high_age=7)
    assert not phonics.includes(phase="Primary", is_academy=True, statutory_low_age=7, statutory_high_age=11)
    assert not phonics.includes(phase="Secondary", is_academy=False, statutory_low_age=11, statutory_high_age=16)
    y11 = catalogue_entry("Y11-DEST").audience
    assert y11.includes(phase="Secondary", is_academy=True, statutory_low_age=11, statutory_high_age=16)
    assert y11.includes(phase="Not applicable", is_academy=False, statutory_low_age=2, statutory_high_age=19)
    assert not y11.includes(
        phase="Middle deemed secondary", is_academy=False, statutory_low_age=9, statutory_high_age=13
    )
    assert y11.includes(phase="Secondary", is_academy=False, year_groups=[10, 11])
    assert y11.includes(phase="Secondary", is_academy=False)  # unknown ages: kept visible


def test_audience_by_phase():
    secondary = Audience(phases=frozenset({"Secondary", "All-through"}), academies=False)
    assert secondary.includes(phase="All-through", is_academy=False)
    assert not secondary.includes(phase="Primary", is_academy=False)
    assert secondary.describe() == "Maintained secondary and all-through schools"
    assert Audience(year_groups=frozenset({0, 11})).describe() == "All schools with Reception or Year 11"
    assert Audience().describe() == "All schools" and Audience(academies=False).describe() == "Maintained schools"
    several = Audience(phases=frozenset({"Primary", "Secondary", "Nursery"}), year_groups=frozenset({6, 10, 11}))
    assert several.describe() == "All nursery, primary and secondary schools with Year 6, Year 10 or Year 11"
    with pytest.raises(ValueError, match="unknown GIAS phases"):
        Audience(phases=frozenset({"Infant"}))
    with pytest.raises(ValueError, match="year groups"):
        Audience(year_groups=frozenset({14}))


@pytest.mark.parametrize(
    ("low", "high", "years"),
    [
        (4, 7, {0, 1, 2}),
        (7, 11, {3, 4, 5, 6}),
        (4, 11, set(range(7))),
        (11, 16, set(range(7, 12))),
        (11, 18, {*range(7, 14)}),
    ],
)
def test_year_groups_for_ages(low, high, years):
    assert year_groups_for_ages(low, high) == years


def test_year_groups_for_ages_rejects_nonsense():
    with pytest.raises(ValueError):
        year_groups_for_ages(11, 4)
    with pytest.raises(ValueError):
        year_groups_for_ages("4", 11)


@pytest.mark.parametrize(
    ("change", "exc"),
    [
        ({"code": "sc aut"}, ValueError),
        ({"code": "X"}, ValueError),
        ({"name": "  "}, ValueError),
        ({"return_type": "email"}, ValueError),
        ({"source": "ofsted"}, ValueError),
        ({"rule": {"recurrence": "annual"}}, TypeError),
        ({"audience": {}}, TypeError),
    ],
)
def test_bad_entries_raise(change, exc):
    with pytest.raises(exc):
        replace(catalogue_entry("PRIVACY"), **change)


def test_from_dict_is_strict():
    data = catalogue_entry("PRIVACY").to_dict()
    with pytest.raises(ValueError, match="keys"):
        CatalogueEntry.from_dict({**data, "colour": "red"})
    with pytest.raises(ValueError, match="academies"):
        CatalogueEntry.from_dict({**data, "audience": {"academies": "no"}})
    with pytest.raises(ValueError, match="unknown audience keys"):
        CatalogueEntry.from_dict({**data, "audience": {"phase": "Primary"}})


def test_catalogue_entry_lookup():
    assert catalogue_entry("SWC").name == "School Workforce Census"
    with pytest.raises(KeyError):
        catalogue_entry("NOPE")


def test_catalogue_is_immutable():
    assert isinstance(DEFAULT_CATALOGUE, tuple)
    with pytest.raises(AttributeError):
        DEFAULT_CATALOGUE[0].code = "OTHER"  # type: ignore[misc]


def test_package_imports_without_flask_or_a_database():
    code = "import sys, domain.deadline_rules; print(sorted({'flask', 'sqlite3', 'werkzeug'} & set(sys.modules)))"
    repo = Path(__file__).resolve().parents[3]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo)
    assert result.stdout.strip() == "[]"
