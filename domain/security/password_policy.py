"""The password policy: length limits and a list of common passwords. No composition rules.

Pure Python, no web or database: :func:`problems` says what is wrong with a proposed
password, :func:`has_expired` whether a password is past the (optional) expiry age.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parents[2] / "data" / "common_passwords.txt"

TOO_SHORT = f"Your password must be at least {MIN_LENGTH} characters long"
TOO_LONG = f"Your password must be {MAX_LENGTH} characters or fewer"
TOO_COMMON = "Your password is one of the most commonly used passwords: choose one that is harder to guess"
IS_EMAIL = "Your password must not be your email address"


@lru_cache(maxsize=4)
def common_passwords(path: Path = COMMON_PASSWORDS_FILE) -> frozenset[str]:
    """Return the lowercase common passwords in ``path`` (read once, then cached).

    The file starts with a header of lines beginning ``"# "``; every later line is one
    password. Raises OSError when the file cannot be read.
    """
    words = []
    in_header = True
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            text = line.rstrip("\n")
            if in_header and text.startswith("# "):
                continue
            in_header = False
            if text:
                words.append(text.lower())
    return frozenset(words)


def problems(password: str, *, email: str | None = None, common: frozenset[str] | None = None) -> list[str]:
    """Return what is wrong with ``password`` as messages for the person (empty when it is fine).

    Checks, in order: at least :data:`MIN_LENGTH` and at most :data:`MAX_LENGTH` characters,
    not in the common-password list (compared in lowercase), and not the person's own email
    address or its part before the ``@``. ``common`` defaults to the bundled list.
    """
    if len(password) < MIN_LENGTH:
        return [TOO_SHORT]
    if len(password) > MAX_LENGTH:
        return [TOO_LONG]
    lowered = password.lower()
    if lowered in (common if common is not None else common_passwords()):
        return [TOO_COMMON]
    if email:
        address = email.strip().lower()
        if lowered in {address, address.split("@", 1)[0]}:
            return [IS_EMAIL]
    return []


def has_expired(changed_at: datetime | None, expiry_days: int, now: datetime) -> bool:
    """True when passwords expire (``expiry_days`` > 0) and this one is older than that.

    A password with no recorded change time counts as expired when expiry is on.
    """
    if expiry_days <= 0:
        return False
    if changed_at is None:
        return True
    return now - changed_at >= timedelta(days=expiry_days)
