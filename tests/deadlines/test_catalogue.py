"""The return catalogue: seeded defaults, who each return applies to, admin edits."""

from __future__ import annotations

import dataclasses
import json

import pytest

from domain.deadline_rules import DEFAULT_CATALOGUE, Audience, ReturnType
from models import deadline_catalogue as catalogue
from models import organisations
from models.db import rows


def test_migration_seeds_every_default_return(db):
    entries = catalogue.list_entries(db)
    assert [e["code"] for e in entries] == [e.code for e in DEFAULT_CATALOGUE]
    for stored, default in zip(entries, DEFAULT_CATALOGUE, strict=True):
        assert stored["entry"] == default
        assert stored["active"] == 1


def test_census_returns_are_for_maintained_schools_only(db, primary, academy):
    census = catalogue.get_by_code(db, "SC-AUT")
    assert catalogue.applies_to(census, primary)
    assert not catalogue.applies_to(census, academy)
    assert catalogue.describe_audience(census) == "Maintained schools"
    typed = {**census, "audience_types": ["Community school", "Foundation school"]}
    assert catalogue.describe_audience(typed) == "Maintained schools of type Community school or Foundation school"


def test_year_group_returns_follow_the_gias_age_range(db, primary, secondary, academy):
    destinations = catalogue.get_by_code(db, "Y11-DEST")
    phonics = catalogue.get_by_code(db, "PHONICS")
    assert catalogue.applies_to(destinations, secondary) and catalogue.applies_to(destinations, academy)
    assert not catalogue.applies_to(destinations, primary)
    assert catalogue.applies_to(phonics, primary) and not catalogue.applies_to(phonics, secondary)


def test_unknown_facts_keep_a_school_in(db, school):
    # the conftest school has no phase or ages: it stays visible rather than silently dropping out
    assert catalogue.applies_to(catalogue.get_by_code(db, "Y11-DEST"), school)


def test_closed_schools_and_the_la_are_never_included(db, la, primary):
    meals = catalogue.get_by_code(db, "MEALS")
    assert not catalogue.applies_to(meals, la)
    db.conn.execute("UPDATE organisations SET status = 'closed' WHERE id = ?", (primary["id"],))
    assert not catalogue.applies_to(meals, organisations.get(db, primary["id"]))


def test_types_and_chosen_lists(db, primary, secondary, academy):
    meals = catalogue.get_by_code(db, "MEALS")
    by_type = catalogue.save(db, meals["entry"], catalogue_id=meals["id"], audience_types=["Community school"])
    assert catalogue.applies_to(by_type, primary) and not catalogue.applies_to(by_type, secondary)
    chosen = catalogue.save(db, meals["entry"], catalogue_id=meals["id"], chosen_only=True, chosen=[academy["id"]])
    assert [catalogue.applies_to(chosen, s) for s in (primary, secondary, academy)] == [False, False, True]
    assert catalogue.describe_audience(chosen) == "A chosen list of 1 school"


def test_save_is_audited_and_refuses_bad_changes(db, make_user, la, school):
    admin = make_user(la, is_site_admin=True)
    privacy = catalogue.get_by_code(db, "PRIVACY")
    renamed = dataclasses.replace(privacy["entry"], name="Privacy notice sent")
    saved = catalogue.save(db, renamed, catalogue_id=privacy["id"], actor=admin)
    assert saved["name"] == "Privacy notice sent"
    logged = rows(db, "SELECT * FROM audit_log WHERE action = 'deadline_catalogue_changed'")
    assert logged[-1]["actor_id"] == admin["id"] and logged[-1]["target"] == "return:PRIVACY"
    assert json.loads(logged[-1]["detail"])["name"] == "Privacy notice sent"

    with pytest.raises(catalogue.CatalogueError, match="cannot be changed"):
        catalogue.save(db, dataclasses.replace(renamed, code="PRIV2"), catalogue_id=privacy["id"])
    with pytest.raises(catalogue.CatalogueError, match="at least one school"):
        catalogue.save(db, renamed, catalogue_id=privacy["id"], chosen_only=True)
    with pytest.raises(catalogue.CatalogueError, match="Unknown schools"):
        catalogue.save(db, renamed, catalogue_id=privacy["id"], chosen_only=True, chosen=[9999])
    with pytest.raises(catalogue.CatalogueError, match="already exists"):
        catalogue.save(db, renamed)
    assert catalogue.get(db, privacy["id"])["name"] == "Privacy notice sent"


def test_add_a_local_return(db):
    entry = dataclasses.replace(
        DEFAULT_CATALOGUE[-1], code="ATTEND-X", name="Attendance audit", audience=Audience(academies=False),
        return_type=ReturnType.FORM,
    )  # fmt: skip
    added = catalogue.save(db, entry)
    assert added["code"] == "ATTEND-X" and added["sort_order"] > catalogue.get_by_code(db, "PRIVACY")["sort_order"]


def test_rules_are_described_in_plain_english(db):
    census = catalogue.describe_rule(catalogue.get_by_code(db, "SC-AUT")["rule"])
    assert census == {
        "recurrence": "Annual",
        "due": "27 days after autumn census day",
        "opens": "autumn census day",
        "internal_due": "7 days before the external deadline",
    }
    meals = catalogue.describe_rule(catalogue.get_by_code(db, "MEALS")["rule"])
    assert meals["due"] == "Friday each school week" and meals["opens"] == "the start of the period"
    phonics = catalogue.describe_rule(catalogue.get_by_code(db, "PHONICS")["rule"])
    assert phonics["due"] == "the last Thursday of June" and phonics["opens"] == "1 June"
    pride = catalogue.describe_rule(catalogue.get_by_code(db, "PRIDE-NIL")["rule"])
    assert pride["due"] == "the last day of term"
