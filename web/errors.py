"""Styled error pages. Security headers come from the after_request hook like any page."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Sorry, there is a problem with that request", "Go back, refresh the page and try again."),
    403: (
        "You do not have permission to see this page",
        "If you think you should, ask an approver at your organisation.",
    ),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. If you pasted it, check you copied all of it.",
    ),
    405: ("Sorry, that action is not possible here", "Go back and try again."),
    413: ("The file is too large", "Gatehouse did not keep any of it. Check you chose the right file."),
    429: ("Too many attempts", "Wait a few minutes and try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you saved has been lost."),
}


def render_error(status: int, detail: str | None = None):
    """Render the styled page for ``status`` (falls back to 500's wording)."""
    title, advice = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", status=status, title=title, advice=detail or advice), status


def render_plain_error(app: Flask, status: int):
    """The page for ``status`` from ``errors/plain.html``, which needs no signed-in user, session or database
    (no context processors run): for when the styled page itself fails."""
    title, advice = MESSAGES.get(status, MESSAGES[500])
    return app.jinja_env.get_template("errors/plain.html").render(title=title, advice=advice), status


def init_app(app: Flask) -> None:
    """Register handlers for every HTTP error, CSRF failures and unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400, "Your form expired or came from somewhere else. Go back, refresh the page and try again."
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("Unhandled error")
        try:
            return render_error(500)
        except Exception:  # the styled page needs what failed (e.g. the database to load the user)
            app.logger.exception("The error page failed too: a plain one instead")
            return render_plain_error(app, 500)
