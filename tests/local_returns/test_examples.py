"""The example local returns: sound definitions, seeded by demo-data for LA 873, answerable at once."""

from __future__ import annotations

import pytest

from domain.local_returns.answers import findings
from domain.local_returns.definitions import Definition
from domain.local_returns.examples import EXAMPLES
from models import deadline_catalogue, local_returns


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_each_example_is_a_sound_definition_of_a_catalogue_return(code):
    definition = EXAMPLES[code]
    assert Definition.from_dict(definition.to_dict()) == definition
    assert code in {"Y11-DEST", "MEALS", "PRIVACY"}


def test_meal_numbers_must_add_up():
    wrong = findings(EXAMPLES["MEALS"], [{"position": 0, "answers": {"uifsm": "30", "fsm": "10", "paid": "50",
                                                                     "total": "100", "days_open": "5"}}])
    assert [f.message for f in wrong] == [
        "Must equal Universal infant free school meals + Benefits-related free school meals + Paid meals (90)"]


def test_demo_data_designs_and_publishes_the_examples(app, runner, db):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "Local returns: " in result.output
    titles = sorted(r["title"] for r in local_returns.list_for_la(db, "873"))
    assert titles == ["Privacy notice confirmation", "Weekly school meal numbers", "Year 11 intended destinations"]
    for made in local_returns.list_for_la(db, "873"):
        assert made["current"]["version"] == 1 and made["draft"] is None
    entry = deadline_catalogue.get_by_code(db, "MEALS")
    assert local_returns.for_catalogue(db, "873", entry["id"])["current"]["definition"].nothing_to_report
    assert local_returns.seed_examples(db, "873", EXAMPLES, None) == []  # once only
