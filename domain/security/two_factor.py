"""Two-step verification: TOTP codes (RFC 6238, pyotp), QR codes (segno) and recovery codes.

No web or database here. :func:`required_for` is the one rule saying who must use it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from datetime import datetime

import pyotp
import segno

STEP_SECONDS = 30
DIGITS = 6
RECOVERY_CODE_COUNT = 10
# Crockford's base32 alphabet (no i, l, o, u): 16 characters carry 80 bits of randomness.
_RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_RECOVERY_LENGTH = 16
_CROCKFORD_FIXES = str.maketrans({"o": "0", "i": "1", "l": "1"})


def required_for(user_row: Mapping, config: Mapping) -> bool:
    """True when ``user_row`` must use two-step verification.

    Site admins and approvers always; with the setting ``REQUIRE_2FA_FOR_LA_STAFF`` (on
    unless ``config`` turns it off) also every user of the LA organisation itself, which
    ``user_row["organisation_kind"]`` names (``"la"``; rows without it count as school staff).
    """
    if bool(user_row["is_site_admin"]) or user_row["role"] == "approver":
        return True
    return bool(config.get("REQUIRE_2FA_FOR_LA_STAFF", True)) and user_row.get("organisation_kind") == "la"


def is_enrolled(user_row: Mapping) -> bool:
    """True when the user has confirmed an authenticator app."""
    return bool(user_row.get("totp_secret")) and bool(user_row.get("totp_enrolled_at"))


def new_secret() -> str:
    """Return a fresh random base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """Return the ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str, title: str = "QR code for your authenticator app") -> str:
    """Return an inline ``<svg>`` QR code of ``uri`` with no style attributes (CSP-safe)."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, svgclass=None, lineclass=None, omitsize=True,
                                                 title=title, light="#fff")
    return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)


def grouped_secret(secret: str) -> str:
    """Return the secret in groups of four characters, easier to type by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def current_step(at: datetime) -> int:
    """Return the TOTP time step that ``at`` falls in."""
    return int(at.timestamp()) // STEP_SECONDS


def code_at_step(secret: str, step: int) -> str:
    """Return the 6-digit code for ``step`` (used by tests and the verifier)."""
    return pyotp.TOTP(secret).at(step * STEP_SECONDS)


def normalise_code(code: str) -> str:
    """Strip the spaces and hyphens people type inside a 6-digit code."""
    return re.sub(r"[\s-]", "", code or "")


def matching_step(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
    """Return the time step whose code is ``code`` (allowing one step of clock drift either way).

    Returns None when the code does not match, or matches only a step at or before
    ``last_step`` (a code that was already used: codes are single-use).
    """
    code = normalise_code(code)
    if not re.fullmatch(rf"\d{{{DIGITS}}}", code):
        return None
    now_step = current_step(at)
    for step in (now_step - 1, now_step, now_step + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(code_at_step(secret, step), code):
            return step
    return None


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Return ``count`` fresh recovery codes like ``7k2m-q9xd-4hrt-b0ce`` (80 random bits each)."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append("-".join(raw[i:i + 4] for i in range(0, _RECOVERY_LENGTH, 4)))
    return codes


def normalise_recovery_code(code: str) -> str:
    """Lowercase, drop spaces and hyphens, and read o/i/l as 0/1/1 (Crockford's rules)."""
    return re.sub(r"[\s-]", "", (code or "").lower()).translate(_CROCKFORD_FIXES)


def hash_recovery_code(code: str) -> str:
    """Return the SHA-256 hex digest stored for a recovery code.

    The codes carry 80 random bits, so a fast hash is safe against guessing and lets a
    code be looked up directly (no slow hash per stored code).
    """
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()
