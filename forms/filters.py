"""WTForms filters shared by every form: tidy what people type before it is validated."""

from __future__ import annotations


def strip(value: str | None) -> str | None:
    """Remove spaces at either end (other values pass through)."""
    return value.strip() if isinstance(value, str) else value


def squash_spaces(value: str | None) -> str | None:
    """Remove spaces at either end and fold runs of white space inside to one space."""
    return " ".join(value.split()) if isinstance(value, str) else value


def strip_lower(value: str | None) -> str | None:
    """Remove spaces at either end and lower-case (for email addresses)."""
    return value.strip().lower() if isinstance(value, str) else value
