"""Single-use secrets sent by email (password reset links): made here, stored only hashed."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """Return ``(token, token_hash)``: 256 random bits, URL-safe, and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest of ``token`` (what the database keeps)."""
    return hashlib.sha256(token.encode()).hexdigest()
