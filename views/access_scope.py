"""Who may manage whose accounts, and the loaders every account page uses (404 when not yours).

* A school's approvers manage their own school's accounts.
* The LA's approvers and site admins ("oversight") also manage every organisation of their
  LA (site admins: every LA), act on requests sent to the LA and issue claim codes.
* Only a site admin may change a site admin's account.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from models import accounts, organisations
from web.database import get_db
from web.permissions import require


def is_manager(user) -> bool:
    """An approver (of any organisation) or a site admin: they see the Users section."""
    return user.is_approver or user.is_site_admin


def has_oversight(user) -> bool:
    """A site admin, or an approver of the LA itself."""
    return user.is_site_admin or (user.is_la_staff and user.is_approver)


manager = require("manager", is_manager)
oversight = require("oversight", has_oversight)


def oversight_la_code() -> str | None:
    """The LA the current oversight user covers; None for site admins (every LA)."""
    return None if current_user.is_site_admin else current_user.row["organisation_la_code"]


def may_manage(organisation: dict) -> bool:
    """True when the current user may manage the accounts of ``organisation``."""
    me = current_user
    if not me.is_authenticated:
        return False
    if organisation["id"] == me.row["organisation_id"] and is_manager(me):
        return True
    if has_oversight(me):
        scope = oversight_la_code()
        return scope is None or organisation["la_code"] == scope
    return False


def managed_organisation(org_id: int) -> dict:
    """The organisation, when the current user may manage its accounts; else 404."""
    organisation = organisations.get(get_db(), org_id)
    if organisation is None or not may_manage(organisation):
        abort(404)
    return organisation


def managed_user(user_id: int) -> tuple[dict, dict]:
    """``(user, organisation)`` when the current user may manage that user's organisation; else 404."""
    user = accounts.get_user(get_db(), user_id)
    if user is None:
        abort(404)
    return user, managed_organisation(user["organisation_id"])


def changeable_user(user_id: int) -> tuple[dict, dict]:
    """Like :func:`managed_user`, and 403 when the user is a site admin and the current user is not."""
    user, organisation = managed_user(user_id)
    if user["is_site_admin"] and not current_user.is_site_admin:
        abort(403)
    return user, organisation
