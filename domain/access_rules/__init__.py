"""Gatehouse access rules: pure logic for accounts, with no Flask and no database.

* :mod:`.email_domains` - which email addresses may be invited or ask for an account.
* :mod:`.timetable` - when an account request is due, reminded, escalated and closed.
* :mod:`.claim_codes` - one-off approver claim codes: making, normalising, hashing.
"""

from .claim_codes import format_code, hash_code, looks_like_code, new_code, normalise_code
from .email_domains import domain_of, domain_problem, parse_domains
from .timetable import RequestTimetable, request_timetable

__all__ = [
    "RequestTimetable",
    "domain_of",
    "domain_problem",
    "format_code",
    "hash_code",
    "looks_like_code",
    "new_code",
    "normalise_code",
    "parse_domains",
    "request_timetable",
]
