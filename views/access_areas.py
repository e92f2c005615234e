"""The Secure access blueprints, registered together by ``views.register_blueprints``."""

from __future__ import annotations

from views import account_requests, activity, claims, invitations, oversight, users

MODULES = (users, invitations, account_requests, claims, oversight, activity)
