"""The audit chain's links: HMAC-SHA-256 under the key, and the plain SHA-256 of rows from before."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from domain.security import audit_chain

# One row's values in the chain's field order (at, actor_id, actor_email, organisation_id, action,
# target, ip, user_agent, detail), with non-ASCII text and a None.
VALUES = [
    "2026-11-22T09:30:00.000000Z",
    7,
    "office@2001.example.sch.uk",
    3,
    "sign_in",
    "Fenland Primary — office",
    "10.0.0.1",
    None,
    '{"n": 1}',
]
KEY = bytes(range(32))


def test_plain_link_is_the_hash_gatehouse_wrote_before_the_chain_was_keyed():
    # Computed by models/audit.py's _row_hash before issue 15: old rows must keep verifying.
    expected = "06e619517652a1fa223c87f27a6f79f279240a9e027c4c838a8536862d9b503b"
    assert audit_chain.plain_link(audit_chain.GENESIS, VALUES) == expected


def test_keyed_link_is_hmac_sha256_of_the_previous_hash_and_the_values():
    message = (audit_chain.GENESIS + "|" + '["2026-11-22T09:30:00.000000Z",7,"office@2001.example.sch.uk",3,'
               '"sign_in","Fenland Primary — office","10.0.0.1",null,"{\\"n\\": 1}"]').encode()
    expected = hmac.new(KEY, message, hashlib.sha256).hexdigest()
    assert audit_chain.keyed_link(KEY, audit_chain.GENESIS, VALUES) == expected
    assert expected == "1f76ac20916f125cdc305e719507bb5cf21d1221b0f28938f3dacd9e33f690ef"


def test_keyed_link_depends_on_the_key_the_previous_hash_and_every_value():
    link = audit_chain.keyed_link(KEY, audit_chain.GENESIS, VALUES)
    assert audit_chain.keyed_link(bytes(32), audit_chain.GENESIS, VALUES) != link
    assert audit_chain.keyed_link(KEY, "1" * 64, VALUES) != link
    for n in range(len(VALUES)):
        changed = list(VALUES)
        changed[n] = "x"
        assert audit_chain.keyed_link(KEY, audit_chain.GENESIS, changed) != link
    assert link != audit_chain.plain_link(audit_chain.GENESIS, VALUES)


def test_new_keys_are_random_and_parse_back():
    first, second = audit_chain.new_key_text(), audit_chain.new_key_text()
    assert first != second and len(first) == 64
    assert audit_chain.parse_key(f"  {first}\n") == bytes.fromhex(first)


@pytest.mark.parametrize("text", ["", "abc", "zz" * 32, "00" * 31, "00" * 33, "00 " * 21 + "0"])
def test_parse_key_refuses_anything_but_64_hex_digits(text):
    with pytest.raises(ValueError):
        audit_chain.parse_key(text)
