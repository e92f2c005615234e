"""Free text in an incident report must identify nobody: :func:`identifying_details` finds what looks
like a UPN, a ULN, an email address, a phone number or a postcode, so the form can refuse it and say why.

UPNs and ULNs are judged with the project's checks (``domain.validation.identifiers``): a 13-character
letter-and-digits run with a correct check letter is a UPN, a 10-digit run with a correct check digit a
ULN. Phone numbers are UK shapes (``01234 567890``, ``07700 900123``, ``+44 7700 900123``); postcodes
are the Royal Mail outward/inward shape (``CB3 0AP``). Ordinary text (year groups, times, dates,
counts, room numbers) passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.validation.identifiers import POSTCODE_PATTERN, uln_is_valid, upn_is_valid

#: Why each kind is refused, as the form says it.
REASONS: dict[str, str] = {
    "upn": "something that looks like a UPN (unique pupil number)",
    "uln": "something that looks like a ULN (unique learner number)",
    "email": "an email address",
    "phone": "a phone number",
    "postcode": "a postcode",
}

WHY = (
    "Incident reports are anonymous: the LA collects counts, roles and year groups, never anything that "
    "could identify a pupil, member of staff or family."
)

_UPN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][0-9]{11}[0-9A-Za-z](?![A-Za-z0-9])")
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9][0-9 ]{8,}[0-9](?![0-9])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(r"(?<![0-9+])(?:\+44\s?\(?0?\)?\s?|\(?0)[1-9][0-9()\s-]{7,13}[0-9](?![0-9])")
_POSTCODE = re.compile(rf"\b{POSTCODE_PATTERN}\b", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One identifying detail: its ``kind`` (a key of :data:`REASONS`) and the ``reason`` in words."""

    kind: str

    @property
    def reason(self) -> str:
        return REASONS[self.kind]


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def _has_uln(text: str) -> bool:
    return any(uln_is_valid(d) for d in (_digits(m.group()) for m in _DIGIT_RUN.finditer(text)) if len(d) == 10)


def _has_phone(text: str) -> bool:
    for match in _PHONE.finditer(text):
        digits = _digits(match.group())
        national = digits[2:] if match.group().lstrip().startswith("+44") else digits.removeprefix("0")
        if len(national) in (9, 10):
            return True
    return False


def identifying_details(text: str | None) -> list[Finding]:
    """What in ``text`` could identify someone, one :class:`Finding` per kind found, in the order
    of :data:`REASONS`; empty for ordinary text. Never raises."""
    if not text:
        return []
    found = set()
    if any(upn_is_valid(m.group().upper()) for m in _UPN.finditer(text)):
        found.add("upn")
    if _has_uln(text):
        found.add("uln")
    if _EMAIL.search(text):
        found.add("email")
    if "uln" not in found and _has_phone(text):
        found.add("phone")
    if _POSTCODE.search(text):
        found.add("postcode")
    return [Finding(kind) for kind in REASONS if kind in found]


def refusal(text: str | None) -> str | None:
    """The message refusing ``text`` (None when it identifies nobody), e.g. "Take out the email address
    and the postcode: ..."."""
    findings = identifying_details(text)
    if not findings:
        return None
    reasons = [f.reason for f in findings]
    listed = reasons[0] if len(reasons) == 1 else ", ".join(reasons[:-1]) + " and " + reasons[-1]
    return f"Take out {listed}. {WHY}"
