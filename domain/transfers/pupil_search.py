"""Comparing pupils' names and identifiers for the lost pupils search: exact, after normalising."""

from __future__ import annotations

import unicodedata


def name_key(text: str | None) -> str:
    """``text`` as it is compared: accents removed, case folded, spaces, hyphens and apostrophes dropped.

    ``"O'Brien-Smith"``, ``"o brien smith"`` and ``"Ó’BRIEN SMITH"`` all become ``"obriensmith"``.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in plain.casefold() if ch.isalnum())
