"""Which email domains may be invited or ask for an account (settings BLOCKED_EMAIL_DOMAINS
and ALLOWED_EMAIL_DOMAINS)."""

from __future__ import annotations

from collections.abc import Iterable

BLOCKED_MESSAGE = (
    "Use your work email address: Gatehouse does not accept addresses at {domain} (personal email services)"
)
NOT_ALLOWED_MESSAGE = "Use your work email address: Gatehouse accepts only addresses at {domains}"


def parse_domains(text: str | Iterable[str] | None) -> frozenset[str]:
    """Return the domains in a comma- or space-separated setting, lowercased, without ``@``.

    ``None`` or an empty string gives an empty set.
    """
    if not text:
        return frozenset()
    parts = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    return frozenset(p.strip().lower().lstrip("@").rstrip(".") for p in parts if p.strip().strip("@."))


def domain_of(email: str) -> str:
    """The part after the last ``@``, lowercased (empty when there is none)."""
    return email.strip().rpartition("@")[2].lower().rstrip(".")


def _within(domain: str, listed: frozenset[str]) -> bool:
    """True when ``domain`` is a listed domain or a subdomain of one (``x.school.org`` is within ``school.org``)."""
    return any(domain == entry or domain.endswith("." + entry) for entry in listed)


def domain_problem(email: str, *, blocked: frozenset[str], allowed: frozenset[str]) -> str | None:
    """Say why ``email`` may not be used (a sentence for the person), or None when it may.

    An address is refused when its domain (or a parent domain) is in ``blocked``, or when
    ``allowed`` is not empty and the domain is not within one of the allowed domains.
    """
    domain = domain_of(email)
    if _within(domain, blocked):
        return BLOCKED_MESSAGE.format(domain=domain)
    if allowed and not _within(domain, allowed):
        return NOT_ALLOWED_MESSAGE.format(domains=", ".join(sorted(allowed)))
    return None
