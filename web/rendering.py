"""One helper decides between a full page and an htmx partial."""

from __future__ import annotations

from flask import render_template
from htmx_flask import request


def render_page(page: str, partial: str | None = None, **context) -> str:
    """Render ``partial`` alone for an htmx request (when given), else the full ``page``.

    The full page includes the partial itself, so both answer with the same markup for the
    swapped part. The ``Vary: HX-Request`` header is added to every response.
    """
    is_htmx = bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request
    if partial is not None and is_htmx:
        return render_template(partial, **context)
    return render_template(page, **context)
