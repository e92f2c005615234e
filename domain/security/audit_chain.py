"""The links of the audit log's chain: HMAC-SHA-256 under the audit key.

A row's link is computed over the previous row's link and the row's own values, so a row cannot
be edited, removed or moved without breaking the link of the row after it. Keyed, a link can only
be made by someone who holds the key: whoever can write the database but not read the key cannot
rewrite a row and recompute the links after it. :func:`plain_link` (unkeyed SHA-256 over the same
bytes) is kept only to check rows written before the chain was keyed.

Pure: no files and no database. The key is read from its file by ``models/audit_key.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence

GENESIS = "0" * 64
KEY_BYTES = 32


def _message(prev_hash: str, values: Sequence) -> bytes:
    payload = json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))
    return f"{prev_hash}|{payload}".encode()


def keyed_link(key: bytes, prev_hash: str, values: Sequence) -> str:
    """The HMAC-SHA-256 (hex) under ``key`` of ``prev_hash`` and ``values`` (JSON-encodable, in order)."""
    return hmac.new(key, _message(prev_hash, values), hashlib.sha256).hexdigest()


def plain_link(prev_hash: str, values: Sequence) -> str:
    """The unkeyed SHA-256 (hex) of the same bytes: how rows were chained before the chain was keyed."""
    return hashlib.sha256(_message(prev_hash, values)).hexdigest()


def new_key_text() -> str:
    """A new random key as it is stored: 64 hex digits (256 bits)."""
    return secrets.token_hex(KEY_BYTES)


def parse_key(text: str) -> bytes:
    """The key held in ``text`` (64 hex digits, surrounding white space ignored).

    Raises ValueError when ``text`` is anything else.
    """
    value = text.strip()
    if len(value) != 2 * KEY_BYTES:
        raise ValueError(f"an audit key is {2 * KEY_BYTES} hex digits, not {len(value)} characters")
    key = bytes.fromhex(value)
    if len(key) != KEY_BYTES:
        raise ValueError(f"an audit key is {2 * KEY_BYTES} hex digits")
    return key
