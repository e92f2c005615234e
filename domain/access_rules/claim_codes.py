"""One-off approver claim codes: 16 characters of Crockford base32 (80 random bits).

Printed on a letter as ``K7M2-Q9XD-4HRT-B0CE``. People may type them in any case, with or
without hyphens and spaces, and with O/I/L for 0/1/1. Only the SHA-256 of the normalised
code is stored: 80 random bits make a fast hash safe against guessing.
"""

from __future__ import annotations

import hashlib
import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """Return a fresh code, formatted in groups of four (``K7M2-Q9XD-4HRT-B0CE``)."""
    return format_code("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def normalise_code(text: str) -> str:
    """Uppercase, drop spaces and hyphens, and read O/I/L as 0/1/1."""
    return re.sub(r"[\s\-]", "", (text or "").upper()).translate(_FIXES)


def format_code(text: str) -> str:
    """Return a code in groups of four separated by hyphens."""
    raw = normalise_code(text)
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def looks_like_code(text: str) -> bool:
    """True when ``text`` normalises to 16 characters of the alphabet."""
    raw = normalise_code(text)
    return len(raw) == LENGTH and all(c in ALPHABET for c in raw)


def hash_code(text: str) -> str:
    """Return the SHA-256 hex digest stored for a code (of its normalised form)."""
    return hashlib.sha256(normalise_code(text).encode()).hexdigest()
