"""One blueprint per area: its module here, its URL prefix and its template folder share its name.

A new area adds its module to :func:`register_blueprints`."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every area's blueprint on ``app``."""
    from views import (
        access_areas,
        account,
        audit,
        auth,
        deadline_calendar,
        deadline_tracker,
        deadlines,
        deadlines_admin,
        main,
        organisations,
        outbox,
        returns,
        returns_review,
    )

    areas = (main, auth, audit, organisations, account, outbox)
    deadline_areas = (deadlines, deadline_calendar, deadline_tracker, deadlines_admin)
    returns_areas = (returns, returns_review)
    for module in (*areas, *deadline_areas, *returns_areas, *access_areas.MODULES):
        app.register_blueprint(module.bp)
