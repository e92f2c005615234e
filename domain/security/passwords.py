"""Password hashing with argon2id (argon2-cffi)."""

from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_dummy_lock = threading.Lock()
_dummy_hashes: dict[tuple, str] = {}


def hasher(time_cost: int = 3, memory_kib: int = 65536, parallelism: int = 4) -> PasswordHasher:
    """Return an argon2id hasher with the given cost (the settings ARGON2_*)."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hash_password(ph: PasswordHasher, password: str) -> str:
    """Return the encoded argon2id hash of ``password``."""
    return ph.hash(password)


def verify_password(ph: PasswordHasher, encoded: str | None, password: str) -> bool:
    """True when ``password`` matches ``encoded``; False for a mismatch or no/garbled hash.

    With no hash (unknown account, or an account without a password) the password is still
    checked against a dummy hash of the same cost, so the answer takes the same time and
    does not reveal whether an account exists.
    """
    try:
        matched = ph.verify(encoded or dummy_hash(ph), password)
    except (VerificationError, InvalidHashError):
        return False
    return matched and bool(encoded)


def needs_rehash(ph: PasswordHasher, encoded: str) -> bool:
    """True when ``encoded`` was made with other parameters than ``ph``'s (rehash on sign-in)."""
    try:
        return ph.check_needs_rehash(encoded)
    except InvalidHashError:
        return True


def dummy_hash(ph: PasswordHasher) -> str:
    """Return a hash of a random-looking throwaway password made with ``ph``'s parameters.

    Made once per parameter set; used to spend the same time on unknown accounts.
    """
    key = (ph.time_cost, ph.memory_cost, ph.parallelism, ph.hash_len, ph.salt_len, ph.type)
    with _dummy_lock:
        if key not in _dummy_hashes:
            _dummy_hashes[key] = ph.hash("gatehouse dummy password: never matches anything typed")
        return _dummy_hashes[key]
