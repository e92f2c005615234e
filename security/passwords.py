"""Password hashing with argon2id (argon2-cffi)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


def hasher(time_cost: int = 3, memory_kib: int = 65536, parallelism: int = 4) -> PasswordHasher:
    """Return an argon2id hasher with the given cost (the settings ARGON2_*)."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hash_password(ph: PasswordHasher, password: str) -> str:
    """Return the encoded argon2id hash of ``password``."""
    return ph.hash(password)


def verify_password(ph: PasswordHasher, encoded: str | None, password: str) -> bool:
    """True when ``password`` matches ``encoded``; False for a mismatch or no/garbled hash."""
    if not encoded:
        return False
    try:
        return ph.verify(encoded, password)
    except (VerificationError, InvalidHashError):
        return False
