"""Which files may be attached to a secure message: not a blocked type (the MESSAGE_ATTACHMENT_BLOCKED setting)."""

from __future__ import annotations


def blocked_endings(setting: str) -> tuple[str, ...]:
    """The blocked file name endings of the MESSAGE_ATTACHMENT_BLOCKED setting (``".exe, bat"``), lower case, each
    starting with a dot."""
    endings = (part.strip().lower() for part in (setting or "").split(","))
    return tuple(e if e.startswith(".") else f".{e}" for e in endings if e.strip("."))


def blocked_ending(name: str, endings: tuple[str, ...]) -> str | None:
    """The blocked ending ``name`` has (case and trailing dots or spaces ignored, as Windows does), or None."""
    plain = name.lower().rstrip(". ")
    return next((e for e in endings if plain.endswith(e)), None)
