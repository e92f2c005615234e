"""The LA designs a local return: details, questions, publishing, and a new version mid-collection."""

from __future__ import annotations

import pytest

from domain.local_returns.definitions import NUMBER, Question
from models import deadline_catalogue, local_returns
from tests.conftest import audit_events
from tests.local_returns.factories import DESTINATIONS, designed, meals


def test_the_la_designs_a_pupil_list_with_a_drop_down_column_and_publishes_it(db, year, la_client):
    entry = deadline_catalogue.get_by_code(db, "Y11-DEST")
    page = la_client.get("local_returns.new_return")
    assert "Year 11 intended destinations (Y11-DEST)" in page.html
    la_client.post("local_returns.new_return", _data={
        "catalogue_id": entry["id"], "title": "Year 11 intended destinations", "purpose": "NEET duty",
        "shape": "pupil_list", "nc_years": ["11"]}, _follow_redirects=True)  # fmt: skip
    made = local_returns.for_catalogue(db, "873", entry["id"])
    assert made["draft"]["version"] == 1 and made["current"] is None
    la_client.post("local_returns.add_question", local_return_id=made["id"], _data={
        "label": "Intended destination", "kind": "choice", "required": "y", "options": "\n".join(DESTINATIONS),
        "help": "After Year 11"}, _follow_redirects=True)  # fmt: skip
    la_client.post("local_returns.publish", local_return_id=made["id"], _follow_redirects=True)
    made = local_returns.get(db, made["id"])
    question = made["current"]["definition"].questions[0]
    assert (question.key, question.kind, question.required, question.options) == (
        "intended_destination", "choice", True, DESTINATIONS)
    page = la_client.get("local_returns.design", local_return_id=made["id"])
    assert "Version 1 is published" in page.html
    assert [e["action"] for e in audit_events(db) if e["action"].startswith("local_return")] == [
        "local_return_created", "local_return_definition_changed", "local_return_published"]


def test_a_question_that_cannot_be_asked_is_refused_with_its_reason(db, year, la_user, la_client):
    made = designed(db, "MEALS", meals(), la_user, publish=False)
    page = la_client.post("local_returns.add_question", local_return_id=made["id"], _data={
        "label": "Free school meals", "kind": "number"}, _expected_status=400)  # fmt: skip
    assert "Two questions are called" in page.html
    page = la_client.post("local_returns.add_question", local_return_id=made["id"], _data={
        "label": "Destination", "kind": "choice", "options": "Only one"}, _expected_status=400)  # fmt: skip
    assert "Give at least two choices" in page.html


def test_only_la_users_of_local_returns_design(db, year, school_client, la_user):
    made = designed(db, "MEALS", meals(), la_user)
    school_client.get_response("local_returns.design", local_return_id=made["id"], _expected_status=403)
    school_client.get_response("local_returns.new_return", _expected_status=403)


def test_another_las_return_is_not_found(db, year, la_client, make_user):
    from models import organisations

    organisations.ensure_la(db, "874", "Peterborough")
    made = designed(db, "MEALS", meals(), None, la_code="874")
    la_client.get_response("local_returns.design", local_return_id=made["id"], _expected_status=404)


def test_publishing_needs_a_question_and_changes_make_a_new_draft_version(db, year, la_user, la_client):
    entry = deadline_catalogue.get_by_code(db, "PRIVACY")
    empty = local_returns.create(db, la_code="873", catalogue_id=entry["id"], actor=la_user,
                                 definition=meals().without_question("free").without_question("paid")
                                 .without_question("total"))  # fmt: skip
    page = la_client.post("local_returns.publish", local_return_id=empty["id"], _follow_redirects=True)
    assert "Add at least one question before publishing" in page.html
    made = designed(db, "MEALS", meals(), la_user)
    la_client.post("local_returns.edit_question", local_return_id=made["id"], question_key="paid", _data={
        "label": "Paid meals (all)", "kind": "number", "minimum": "0"}, _follow_redirects=True)  # fmt: skip
    made = local_returns.get(db, made["id"])
    assert made["current"]["version"] == 1 and made["draft"]["version"] == 2
    assert made["current"]["definition"].question("paid").label == "Paid meals"
    assert made["draft"]["definition"].question("paid").label == "Paid meals (all)"
    la_client.post("local_returns.remove_question", local_return_id=made["id"], question_key="paid",
                   _follow_redirects=True)  # fmt: skip
    made = local_returns.get(db, made["id"])
    assert made["draft"]["version"] == 2 and made["draft"]["definition"].question("paid") is None
    assert made["draft"]["definition"].question("total").sum_of == ("free",)


def test_question_form_keeps_numbers_only_for_whole_number_questions(db, year, la_user, la_client):
    made = designed(db, "MEALS", meals(), la_user, publish=False)
    la_client.post("local_returns.add_question", local_return_id=made["id"], _data={
        "label": "Packed lunches", "kind": "text", "minimum": "3"}, _follow_redirects=True)  # fmt: skip
    question = local_returns.get(db, made["id"])["draft"]["definition"].question("packed_lunches")
    assert question == Question("packed_lunches", "Packed lunches", "text")
    assert NUMBER != question.kind


def test_a_second_publish_of_the_same_draft_changes_nothing_and_is_not_audited_again(db, year, la_user):
    # A double click on Publish, or two LA users: both requests loaded the same draft.
    made = designed(db, "MEALS", meals(), la_user, publish=False)
    stale = local_returns.get(db, made["id"])
    local_returns.publish(db, stale, la_user)
    with pytest.raises(local_returns.LocalReturnError, match="There are no changes to publish"):
        local_returns.publish(db, stale, la_user)
    assert len(audit_events(db, "local_return_published")) == 1
