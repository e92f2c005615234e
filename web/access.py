"""Who may do what: every role, service and organisation rule, the route decorators built on
them, and the navigation sections each person sees. Views and templates ask here; nothing else
defines a role or service check.

* **Roles**: site admins (everything, every LA); LA staff (users of the LA organisation itself);
  approvers (run their organisation's accounts); end users.
* **Services** (``models.services.SERVICES``): an end user has those granted to them; approvers
  and site admins have all of their organisation's. A *school user* of a service works on their
  own school only; an *LA user* of a service (LA staff with it, or a site admin) sees every school
  of their LA.
* **Accounts**: a school's approvers manage their own school's accounts; *oversight* (site
  admins, and approvers of the LA itself) also manage every organisation of their LA (site
  admins: every LA). Only a site admin may change a site admin's account.

Every route carries exactly one permission decorator (a test walks the URL map and fails when a
view lacks one, ``PERMISSION_ATTR``). Decorators check sign-in, role and service; organisation
scoping is checked by the loaders (:func:`managed_organisation`, :func:`my_school`, ...), which
answer 404 for another organisation's objects. A user's services are looked up once per request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app, g, request, url_for
from flask_login import current_user

from models import accounts, messages, organisations, services, transfers
from web.database import get_db

PERMISSION_ATTR = "_gatehouse_permission"

DEADLINES = "deadlines"
RETURNS = "returns"
TRANSFERS = "transfers"
PRIDE = "pride"
LOCAL_RETURNS = "local_returns"


# ----------------------------------------------------------------------------- decorators


def _mark(view: Callable, name: str) -> Callable:
    setattr(view, PERMISSION_ATTR, name)
    return view


def public(view: Callable) -> Callable:
    """Anyone, signed in or not (sign-in, password reset, static pages, health)."""
    return _mark(view, "public")


def require(name: str, allowed: Callable[[object], bool]) -> Callable[[Callable], Callable]:
    """Build a decorator: the user must be signed in and ``allowed(current_user)`` must be true.

    Not signed in: Flask-Login's unauthorised handler (sign-in page, or HX-Redirect for htmx).
    Signed in but not allowed: 403.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not allowed(current_user):
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapped, name)

    return decorator


def permission_of(view: Callable) -> str | None:
    """Return the permission name a view was marked with, or None when it has none."""
    return getattr(view, PERMISSION_ATTR, None)


# ----------------------------------------------------------------------------- roles and services


def is_la_staff_or_admin(user) -> bool:
    """A site admin or a user of the LA organisation itself."""
    return user.is_site_admin or user.is_la_staff


def services_of(user) -> frozenset[str]:
    """The services ``user`` may use, looked up once per request."""
    cache = g.setdefault("access_services", {})
    key = user.row["id"]
    if key not in cache:
        cache[key] = frozenset(services.effective(get_db(), user.row))
    return cache[key]


def has_service(user, service: str) -> bool:
    """True when the signed-in ``user`` may use ``service``."""
    return service in services_of(user)


def is_school_user(user, service: str) -> bool:
    """A user of a school with ``service``: they work on their own school only."""
    return user.row["organisation_kind"] == "school" and has_service(user, service)


def is_la_user(user, service: str) -> bool:
    """A site admin, or LA staff with ``service``: they see every school of their LA."""
    return user.is_site_admin or (user.is_la_staff and has_service(user, service))


def uses_service(user, service: str) -> bool:
    """A school user or an LA user of ``service``."""
    return is_school_user(user, service) or is_la_user(user, service)


def may_see_school(user, service: str, organisation_id: int, la_code: str) -> bool:
    """True when ``user`` may see this school's work in ``service``: their own school, or their LA's."""
    if is_school_user(user, service):
        return organisation_id == user.row["organisation_id"]
    return is_la_user(user, service) and la_code == user.row["organisation_la_code"]


def is_manager(user) -> bool:
    """An approver (of any organisation) or a site admin: they see the Users section."""
    return user.is_approver or user.is_site_admin


def has_oversight(user) -> bool:
    """A site admin, or an approver of the LA itself."""
    return user.is_site_admin or (user.is_la_staff and user.is_approver)


def _service_decorators(service: str) -> tuple[Callable, Callable, Callable]:
    """``(school, la, any)`` decorators for ``service``, named ``<service>_school`` and so on."""
    return (
        require(f"{service}_school", lambda user: is_school_user(user, service)),
        require(f"{service}_la", lambda user: is_la_user(user, service)),
        require(f"{service}_any", lambda user: uses_service(user, service)),
    )


signed_in = require("signed_in", lambda user: True)
site_admin = require("site_admin", lambda user: user.is_site_admin)
la_staff = require("la_staff", is_la_staff_or_admin)
manager = require("manager", is_manager)
oversight = require("oversight", has_oversight)
school_deadlines, la_deadlines, any_deadlines = _service_decorators(DEADLINES)
school_returns, la_returns, any_returns = _service_decorators(RETURNS)
school_pride, la_pride, any_pride = _service_decorators(PRIDE)
school_transfers, la_transfers, any_transfers = _service_decorators(TRANSFERS)
school_local_returns, la_local_returns, any_local_returns = _service_decorators(LOCAL_RETURNS)


# ----------------------------------------------------------------------------- organisation loaders


def my_school() -> dict:
    """The signed-in user's own organisation; 404 when it no longer exists."""
    school = organisations.get(get_db(), current_user.row["organisation_id"])
    if school is None:
        abort(404)
    return school


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


# ----------------------------------------------------------------------------- navigation


@dataclass(frozen=True)
class Section:
    label: str
    endpoint: str
    visible: Callable[[object], bool]
    #: How many things wait for the user there (shown beside the label), and the endpoint of the htmx partial
    #: that answers the same count (polled every 60 s): both or neither.
    count: Callable[[object], int] | None = None
    count_endpoint: str | None = None


def unread_messages(user) -> int:
    """How many of the user's organisation's message threads have something the user has not read."""
    return messages.unread_count(get_db(), user.row["id"])


def unread_transfers(user) -> int:
    """Files in the user's organisation's inbox that nobody there has downloaded yet."""
    return transfers.unread_count(get_db(), user.row["organisation_id"])


SECTIONS: tuple[Section, ...] = (
    Section("Home", "main.home", lambda user: True),
    Section("Organisations", "organisations.index", is_la_staff_or_admin),
    Section("Users", "users.index", is_manager),
    Section("Account oversight", "oversight.index", has_oversight),
    Section("What's due", "deadlines.whats_due", lambda user: is_school_user(user, DEADLINES)),
    Section("Returns tracker", "deadline_tracker.index", lambda user: is_la_user(user, DEADLINES)),
    Section("Returns", "returns.index", lambda user: is_school_user(user, RETURNS)),
    Section("Review returns", "returns_review.index", lambda user: is_la_user(user, RETURNS)),
    Section("Duplicate pupils", "duplicates.index", lambda user: uses_service(user, RETURNS)),
    Section("Transfers", "transfers.index", lambda user: uses_service(user, TRANSFERS), unread_transfers,
            "transfers.unread"),
    Section("Messages", "messages.index", lambda user: uses_service(user, TRANSFERS), unread_messages,
            "messages.unread"),
    Section("PRIDE", "pride.index", lambda user: uses_service(user, PRIDE)),
    Section("Local returns", "local_returns.index", lambda user: uses_service(user, LOCAL_RETURNS)),
    Section("Return catalogue", "deadlines_admin.catalogue", lambda user: user.is_site_admin),
    Section("Audit log", "audit.index", lambda user: user.is_site_admin),
    Section("Outbox", "outbox.index", lambda user: user.is_site_admin),
    Section("Your account", "account.index", lambda user: True),
)
"""The service navigation, in order. A section whose endpoint is not registered is left out."""


def nav_items(user) -> list[dict]:
    """The GOV.UK service navigation items for ``user`` (empty when signed out), once per request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = g.get("nav_items")
    if cached is not None and cached[0] == user.row["id"]:
        return cached[1]
    items = []
    for section in SECTIONS:
        if section.endpoint not in current_app.view_functions or not section.visible(user):
            continue
        href = url_for(section.endpoint)
        active = request.endpoint == section.endpoint or (
            section.endpoint != "main.home" and request.path.startswith(href)
        )
        item = {"href": href, "text": section.label, "active": active}
        if section.count is not None:
            item.update(count=section.count(user), count_url=url_for(section.count_endpoint))
        items.append(item)
    g.nav_items = (user.row["id"], items)
    return items
