"""Free text that could identify someone is refused, each kind with its reason; ordinary text passes."""

from __future__ import annotations

import pytest

from domain.pride.anonymity import identifying_details, refusal
from domain.validation.identifiers import generate_upn

UPN = generate_upn(873, 2001, 2019, 5)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"The pupil ({UPN}) was upset", "upn"),
        (f"upn {UPN.lower()}", "upn"),
        ("ULN 9276308686 on the form", "uln"),
        ("Mum on jo.bloggs@example.com", "email"),
        ("call 01223 123456 after school", "phone"),
        ("mobile 07700 900123", "phone"),
        ("mobile +44 7700 900123", "phone"),
        ("lives near CB3 0AP", "postcode"),
        ("lives near cb30ap", "postcode"),
    ],
)
def test_each_identifying_kind_is_found(text, kind):
    assert [f.kind for f in identifying_details(text)] == [kind]
    message = refusal(text)
    assert message.startswith("Take out ") and "anonymous" in message


@pytest.mark.parametrize(
    "text",
    [
        "Two pupils in Year 10 used a racist word 3 times at 12:30 on 12/10/2026",
        "Graffiti in room B12 on the 2nd floor; 4 staff spoke to 15 pupils",
        "Comment about religion during PE; restorative meeting held on 3 November",
        "A13 bus stop, 10 minutes after the end of the day",
        "",
        None,
    ],
)
def test_ordinary_text_passes(text):
    assert identifying_details(text) == []
    assert refusal(text) is None


def test_an_invalid_check_letter_is_not_a_upn():
    wrong = ("A" if UPN[0] != "A" else "B") + UPN[1:]
    assert identifying_details(f"ref {wrong}") == []


def test_several_kinds_are_named_together():
    message = refusal("jo@example.com, CB3 0AP")
    assert "an email address and a postcode" in message
