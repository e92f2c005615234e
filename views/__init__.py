"""One blueprint per area. Add an area's blueprint to ``BLUEPRINTS``."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every area's blueprint on ``app``."""
    from views import audit, auth, main, organisations

    for module in (main, auth, audit, organisations):
        app.register_blueprint(module.bp)
