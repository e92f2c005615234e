"""The LA puts a draft's questions in order (Move up / Move down); schools' form, spreadsheet and the LA's
export follow it; a published version's order is locked like its questions."""

from __future__ import annotations

from domain.local_returns.definitions import NUMBER, Question
from models import deadline_instances, local_returns
from tests.conftest import audit_events
from tests.local_returns.factories import designed, meals, workbook_of


def order(db, local_return_id: int, which: str = "latest") -> list[str]:
    return [q.key for q in local_returns.get(db, local_return_id)[which]["definition"].questions]


def move(la_client, made: dict, key: str, direction: str):
    return la_client.post("local_returns.move_question", local_return_id=made["id"], question_key=key,
                          _data={"direction": direction}, _follow_redirects=True)  # fmt: skip


def test_the_la_moves_a_drafts_questions_and_the_order_is_kept(db, year, la_user, la_client):
    made = designed(db, "MEALS", meals(), la_user, publish=False)
    page = la_client.get("local_returns.design", local_return_id=made["id"])
    assert page.texts("//button[@value='up']") == ["Move up Paid meals", "Move up Total meals"]
    assert page.texts("//button[@value='down']") == ["Move down Free school meals", "Move down Paid meals"]
    page = move(la_client, made, "total", "up")
    assert "Question 'Total meals' moved up." in page.texts("//*[contains(@class, 'govuk-notification-banner')]//p")
    assert order(db, made["id"]) == ["free", "total", "paid"]
    assert page.texts("//tbody/tr/th") == ["Free school meals", "Total meals", "Paid meals"]
    move(la_client, made, "free", "down")
    assert order(db, made["id"]) == ["total", "free", "paid"]
    page = move(la_client, made, "total", "up")
    assert "That question is already first" in page.html
    page = move(la_client, made, "paid", "down")
    assert "That question is already last" in page.html
    move(la_client, made, "paid", "sideways")
    assert order(db, made["id"]) == ["total", "free", "paid"]
    la_client.post_response("local_returns.move_question", local_return_id=made["id"], question_key="nope",
                            _data={"direction": "up"}, _expected_status=404)  # fmt: skip
    moves = audit_events(db, "local_return_question_moved")
    assert [(e["detail"]["question"], e["detail"]["direction"], e["detail"]["order"]) for e in moves] == [
        ("total", "up", ["free", "total", "paid"]), ("free", "down", ["total", "free", "paid"])]
    assert local_returns.get(db, made["id"])["latest"]["version"] == 1


def test_schools_answer_in_the_order_and_the_published_order_is_locked(db, year, school, school_user, la_user,
                                                                       la_client, school_client):  # fmt: skip
    made = designed(db, "MEALS", meals(), la_user, publish=False)
    move(la_client, made, "total", "up")
    move(la_client, made, "total", "up")
    la_client.post("local_returns.publish", local_return_id=made["id"], _follow_redirects=True)
    assert order(db, made["id"], "current") == ["total", "free", "paid"]

    instance = deadline_instances.find_instance(db, code="MEALS", organisation_id=school["id"])
    form = school_client.get("local_returns.answers", deadline_id=instance["id"])
    assert [f.get("name") for f in form.xpath("//input[starts-with(@name, 'r0-')]")] == [
        "r0-total", "r0-free", "r0-paid"]
    response = school_client.get_response("local_returns.spreadsheet", deadline_id=instance["id"])
    sheet = workbook_of(response.get_data())["Return"]
    assert [c.value for c in sheet[1]] == ["DfE number", "Total meals (required)", "Free school meals (required)",
                                           "Paid meals (required)"]  # fmt: skip
    school_client.post("local_returns.answers", deadline_id=instance["id"], _follow_redirects=True,
                       _data={"r0-free": "1", "r0-paid": "2", "r0-total": "3", "continue": "1"})  # fmt: skip
    school_client.post("local_returns.submit", deadline_id=instance["id"], _follow_redirects=True)
    export = la_client.get_response("local_returns.answers_csv", local_return_id=made["id"],
                                    deadline_id=instance["id"]).get_data(as_text=True)  # fmt: skip
    header = export.splitlines()[0]
    assert header.index("Total meals") < header.index("Free school meals") < header.index("Paid meals")

    design = la_client.get("local_returns.design", local_return_id=made["id"])
    assert not design.xpath("//button[@name='direction']")
    assert "Schools answer the questions in this order" in design.html
    refused = move(la_client, made, "paid", "up")
    assert "The return is published: its questions stay in the order schools answer them" in refused.html
    assert order(db, made["id"]) == ["total", "free", "paid"] and local_returns.get(db, made["id"])["draft"] is None

    # A change starts version 2, a draft: its questions move; version 1 (what schools answer) stays as it was.
    la_client.post("local_returns.add_question", local_return_id=made["id"], _follow_redirects=True,
                   _data={"label": "Packed lunches", "kind": "number", "minimum": "0"})  # fmt: skip
    move(la_client, made, "packed_lunches", "up")
    assert order(db, made["id"], "draft") == ["total", "free", "packed_lunches", "paid"]
    assert order(db, made["id"], "current") == ["total", "free", "paid"]
    assert local_returns.get(db, made["id"])["draft"]["definition"].question("packed_lunches") == Question(
        "packed_lunches", "Packed lunches", NUMBER, minimum=0)
