"""argon2id hashing, rehash detection and the equal-time dummy check."""

from __future__ import annotations

from domain.security import passwords, tokens


def _cheap(time_cost: int = 1):
    return passwords.hasher(time_cost=time_cost, memory_kib=1024, parallelism=1)


def test_hash_is_argon2id_and_verifies():
    ph = _cheap()
    encoded = passwords.hash_password(ph, "violet harbour tram sixteen")
    assert encoded.startswith("$argon2id$")
    assert passwords.verify_password(ph, encoded, "violet harbour tram sixteen")
    assert not passwords.verify_password(ph, encoded, "violet harbour tram seventeen")


def test_no_hash_never_matches_but_still_does_the_work():
    ph = _cheap()
    assert not passwords.verify_password(ph, None, "gatehouse dummy password: never matches anything typed")
    assert passwords.dummy_hash(ph).startswith("$argon2id$v=19$m=1024,t=1,p=1$")


def test_garbled_hash_does_not_match():
    assert not passwords.verify_password(_cheap(), "not-a-hash", "anything at all")


def test_needs_rehash_when_parameters_change():
    encoded = passwords.hash_password(_cheap(1), "violet harbour tram sixteen")
    assert not passwords.needs_rehash(_cheap(1), encoded)
    assert passwords.needs_rehash(_cheap(2), encoded)


def test_tokens_are_random_and_stored_hashed():
    token, token_hash = tokens.new_token()
    assert len(token) >= 43 and token_hash == tokens.hash_token(token) and token not in token_hash
    assert tokens.new_token()[0] != token
