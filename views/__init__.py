"""One blueprint per area. Add an area's blueprint to ``BLUEPRINTS``."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every area's blueprint on ``app``."""
    from views import account, audit, auth, deadline_calendar, deadline_tracker, deadlines, main, organisations, outbox

    for module in (main, auth, audit, organisations, account, outbox, deadlines, deadline_calendar, deadline_tracker):
        app.register_blueprint(module.bp)
