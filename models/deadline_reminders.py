"""Deadline reminder digests: who gets them, what each contains, and the once-a-day record.

A person gets at most one digest email a day (``reminder_digests`` holds one row per user
per date, claimed before the email is sent). People opt out with the ``deadline_digests``
column of ``users``. Chases sent by LA staff are not digests and ignore the opt-out.
"""

from __future__ import annotations

from sqlite_utils import Database

from models import audit
from models.db import transaction


def wants_digests(user: dict) -> bool:
    """True when the user has not opted out of reminder digests."""
    return bool(user.get("deadline_digests", 1))


def set_digests(
    db: Database, user: dict, wanted: bool, *, ip: str | None = None, user_agent: str | None = None
) -> None:
    """Opt the user in to (``wanted``) or out of reminder digests; audited when it changes."""
    with transaction(db):
        cursor = db.conn.execute(
            "UPDATE users SET deadline_digests = ? WHERE id = ? AND deadline_digests <> ?",
            (int(wanted), user["id"], int(wanted)),
        )
        if cursor.rowcount:
            audit.record(
                db, "deadline_digests_" + ("on" if wanted else "off"), actor=user,
                organisation_id=user["organisation_id"], target=user["email"], ip=ip, user_agent=user_agent,
            )  # fmt: skip


def days_before(config) -> list[int]:
    """The REMINDER_DAYS_BEFORE setting as sorted whole days, largest first (e.g. ``[7, 1]``).

    Raises ValueError naming the setting when it holds anything but comma-separated whole
    numbers from 1 to 60.
    """
    text = str(config.get("REMINDER_DAYS_BEFORE") or "").strip()
    if not text:
        return []
    days = set()
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or not 1 <= int(part) <= 60:
            raise ValueError(
                f"REMINDER_DAYS_BEFORE must be whole numbers of days from 1 to 60, like 7,1 (not {text!r})"
            )
        days.add(int(part))
    return sorted(days, reverse=True)
