"""How a browser test opens pages in chromium, and carries a signed-in session into them.

A test signs a person in on a Flask test client, through the real forms (the ``sign_in`` fixture or
``tests.conftest.sign_in_through_forms``), then hands that client's session cookie to a Playwright browser
context: every page in the context is then that person's. Pages are opened as the ``page`` fixture opens
them: British English (dates and numbers as a school sees them), CSP violations recorded for ``check_page``
(tests/browser/checks.py) and a 10 second default timeout. The ``open_page`` fixture (tests/browser/conftest.py)
opens pages this way for a test and closes their contexts afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tests.browser.checks import CSP_RECORDER

DEFAULT_TIMEOUT_MS = 10_000


def new_page(browser, **context_options):
    """A page in a new browser context of its own (another person): locale en-GB, CSP violations recorded,
    10 s default timeout. ``context_options`` go to ``browser.new_context`` (``accept_downloads=True``, ...).
    The caller closes ``page.context`` when done."""
    context = browser.new_context(locale="en-GB", **context_options)
    context.add_init_script(CSP_RECORDER)
    page = context.new_page()
    page.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return page


def carry_session(client, context, live_server) -> None:
    """Put ``client``'s session cookie (the app's ``SESSION_COOKIE_NAME``) into the browser ``context`` for
    ``live_server``, so the browser is signed in as the person the client signed in.

    Raises AssertionError when the client has no session cookie (nobody signed in on it).
    """
    name = client.application.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None, f"the test client has no {name} cookie: sign in on it first"
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def signed_in_page(browser, client, live_server, **context_options):
    """:func:`new_page` carrying ``client``'s signed-in session (see :func:`carry_session`). The caller closes
    ``page.context`` when done."""
    page = new_page(browser, **context_options)
    carry_session(client, page.context, live_server)
    return page


@contextmanager
def same_user_without_javascript(browser, page) -> Iterator:
    """A page in a new browser context with JavaScript off, signed in as ``page``'s user (its cookies copied);
    the context is closed when the ``with`` block ends, however it ends."""
    context = browser.new_context(java_script_enabled=False)
    try:
        context.add_cookies(page.context.cookies())
        yield context.new_page()
    finally:
        context.close()
