"""The page header every full page shares, rendered once per distinct header and kept.

GOV.UK Frontend's header and service-navigation macros were the largest single cost of a
signed-in page (bench/README.md, "What every page pays"), and what they produce depends only on
the service name, the LA's name, the home page's address and the navigation items (address,
label, active, and for a section that counts what waits there, the count and its polling address):
the same for everyone who sees the same sections on the same page. So each
distinct header is rendered once per process from ``components/_page_header.html`` and kept,
keyed by exactly the values that template is given. Nothing per user is in the key or the
template: the sign-out form, which carries the user's CSRF token, is a hole in the kept markup
that ``base.html`` fills on every request.

With template auto-reload on (debug), nothing is kept, so template edits show at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, url_for
from flask_login import current_user
from markupsafe import Markup

from web.access import nav_items
from web.branding import la_name

TEMPLATE = "components/_page_header.html"

# Where the sign-out form goes. Every value the template is given is autoescaped, so no data can
# produce this comment; the rendered header must hold it exactly once.
SIGN_OUT_HOLE = Markup("<!-- sign-out form -->")

# Distinct headers kept per app: about one per (set of sections, active section) in practice.
MAX_KEPT = 512


@dataclass(frozen=True)
class PageHeader:
    """The header's markup either side of the sign-out form; ``navigation`` is False when signed out."""

    before: Markup
    after: Markup
    navigation: bool


def _render(service_name: str, la: str | None, home_url: str, items: tuple[tuple[str, str, bool], ...]) -> PageHeader:
    template = current_app.jinja_env.get_template(TEMPLATE)
    html = template.render(
        service_name=service_name,
        la_name=la,
        home_url=home_url,
        items=[{"href": href, "text": text, "active": active, "count": count, "count_url": count_url}
               for href, text, active, count, count_url in items],
        sign_out=SIGN_OUT_HOLE,
    )
    if not items:
        return PageHeader(Markup(html), Markup(""), False)  # nosec B704 # autoescaped template output
    before, hole, after = html.partition(SIGN_OUT_HOLE)
    if not hole or SIGN_OUT_HOLE in after:
        raise RuntimeError(f"{TEMPLATE} must hold the sign-out hole exactly once")
    return PageHeader(Markup(before), Markup(after), True)  # nosec B704 # autoescaped template output, split


def page_header() -> PageHeader:
    """This request's page header (kept per service name, LA name, home address and navigation)."""
    user = current_user._get_current_object()  # the navigation asks one question per section: not via the proxy
    key = (
        current_app.config["SERVICE_NAME"],
        la_name(),
        url_for("main.home"),
        tuple((item["href"], item["text"], item["active"], item.get("count"), item.get("count_url"))
              for item in nav_items(user)),
    )
    kept: dict = current_app.extensions["gatehouse_page_headers"]
    header = kept.get(key)
    if header is None:
        header = _render(*key)
        if not current_app.jinja_env.auto_reload:
            if len(kept) >= MAX_KEPT:
                kept.clear()
            kept[key] = header
    return header


def init_app(app: Flask) -> None:
    """Keep the app's page headers and expose ``page_header()`` to templates."""
    app.extensions["gatehouse_page_headers"] = {}
    app.jinja_env.globals["page_header"] = page_header
