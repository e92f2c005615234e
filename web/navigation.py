"""Service navigation: which sections a person sees depends on who they are.

Each area adds its section to ``SECTIONS`` (label, endpoint, who sees it). A section whose
endpoint is not registered yet is left out, so the list can name areas still being built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, request, url_for


@dataclass(frozen=True)
class Section:
    label: str
    endpoint: str
    visible: Callable[[object], bool]


def _everyone(user) -> bool:
    return True


def _la_staff(user) -> bool:
    return user.is_site_admin or user.is_la_staff


def _site_admin(user) -> bool:
    return user.is_site_admin


def _account_manager(user) -> bool:
    from views.access_scope import is_manager

    return is_manager(user)


def _account_oversight(user) -> bool:
    from views.access_scope import has_oversight

    return has_oversight(user)


def _deadlines_school(user) -> bool:
    from views.deadlines import is_school_user

    return is_school_user(user)


def _deadlines_la(user) -> bool:
    from views.deadlines import is_la_user

    return is_la_user(user)


def _returns_school(user) -> bool:
    from views.returns import is_school_user

    return is_school_user(user)


def _returns_la(user) -> bool:
    from views.returns import is_la_user

    return is_la_user(user)


SECTIONS: list[Section] = [
    Section("Home", "main.home", _everyone),
    Section("Organisations", "organisations.index", _la_staff),
    Section("Users", "users.index", _account_manager),
    Section("Account oversight", "oversight.index", _account_oversight),
    Section("What's due", "deadlines.whats_due", _deadlines_school),
    Section("Returns tracker", "deadline_tracker.index", _deadlines_la),
    Section("Returns", "returns.index", _returns_school),
    Section("Review returns", "returns_review.index", _returns_la),
    Section("Return catalogue", "deadlines_admin.catalogue", _site_admin),
    Section("Audit log", "audit.index", _site_admin),
    Section("Outbox", "outbox.index", _site_admin),
    Section("Your account", "account.index", _everyone),
]


def items_for(user) -> list[dict]:
    """Return the GOV.UK service navigation items for ``user`` (empty when signed out)."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    for section in SECTIONS:
        if section.endpoint not in current_app.view_functions or not section.visible(user):
            continue
        href = url_for(section.endpoint)
        active = request.endpoint == section.endpoint or (
            section.endpoint != "main.home" and request.path.startswith(href)
        )
        items.append({"href": href, "text": section.label, "active": active})
    return items
