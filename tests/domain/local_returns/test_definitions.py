"""Local return definitions: what the designer may save, and how questions change between versions."""

from __future__ import annotations

import pytest

from domain.local_returns.definitions import (
    CHOICE,
    NUMBER,
    PUPIL_LIST,
    SINGLE_FORM,
    TEXT,
    Definition,
    DefinitionError,
    Question,
)
from tests.local_returns.factories import destinations, meals


def test_a_definition_survives_being_stored_and_read_back():
    for definition in (destinations(), meals()):
        assert Definition.from_dict(definition.to_dict()) == definition


@pytest.mark.parametrize(
    "question,message",
    [
        (Question("q", "", TEXT), "Enter the question"),
        (Question("q", "Colour", "colour"), "kind of answer"),
        (Question("q", "Count", NUMBER, minimum=5, maximum=1), "smallest number must not be more"),
        (Question("q", "Destination", CHOICE, options=("Only one",)), "at least two options"),
        (Question("q", "Destination", CHOICE, options=("A", "a")), "twice"),
        (Question("q", "Destination", CHOICE, options=("A;B", "C")), "semicolon"),
        (Question("q", "Notes", TEXT, options=("A", "B")), "Only a choice question"),
        (Question("q", "Notes", TEXT, minimum=1), "Only a whole-number question"),
        (Question("Bad Key", "Notes", TEXT), "lower-case"),
    ],
)
def test_questions_that_cannot_be_asked_are_refused_in_words(question, message):
    with pytest.raises(DefinitionError, match=message):
        question.check()


def test_a_pupil_list_needs_year_groups_and_known_ones():
    with pytest.raises(DefinitionError, match="year groups"):
        Definition("Survey", "Why", PUPIL_LIST).check()
    with pytest.raises(DefinitionError, match="Unknown year groups: 15"):
        Definition("Survey", "Why", PUPIL_LIST, nc_years=("15",)).check()
    Definition("Survey", "Why", SINGLE_FORM).check()


def test_two_questions_may_not_share_a_label_and_totals_add_up_number_questions_only():
    definition = Definition("Survey", "Why", SINGLE_FORM, questions=(Question("a", "Meals", NUMBER),))
    with pytest.raises(DefinitionError, match="Two questions"):
        definition.with_question(Question("b", "meals", NUMBER))
    with pytest.raises(DefinitionError, match="only total other whole-number"):
        definition.with_question(Question("t", "Total", NUMBER, sum_of=("nope",)))


def test_keys_are_made_from_labels_and_never_reused_within_a_definition():
    definition = meals()
    assert definition.new_key("Packed lunches!") == "packed_lunches"
    assert definition.new_key("Free") == "free_2"
    assert definition.new_key("2 sittings") == "q_2_sittings"


def test_changing_a_question_keeps_its_key_and_removing_one_drops_it_from_totals():
    definition = meals()
    reworded = definition.with_question(Question("free", "Free meals (universal and FSM)", NUMBER, required=True),
                                        replacing="free")  # fmt: skip
    assert [q.key for q in reworded.questions] == ["free", "paid", "total"]
    assert reworded.question("free").label == "Free meals (universal and FSM)"
    without = definition.without_question("paid")
    assert without.question("total").sum_of == ("free",)
