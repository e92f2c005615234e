"""Browser tests: Debian's chromium driven by Playwright against Gatehouse under waitress.

Each test gets a live server on a free loopback port with its own SQLite file, CSRF on, and
a page that records Content-Security-Policy violations. ``check_page(page)`` (the ``checked``
fixture; tests/browser/checks.py) runs axe-core and asserts no violations of either kind.
"""

from __future__ import annotations

import shutil

import pytest

from app import create_app
from migrations import apply_all
from models.db import connect
from tests.browser.checks import check_page
from tests.browser.sessions import new_page, signed_in_page
from tests.returns.fixtures import sc_aut, swc, today
from tests.serving import ThreadedServer
from web import database

#: Shared with the Returns and Duplicates tests: the clock set on a day the autumn (or workforce) census is open.
__all__ = ["sc_aut", "swc", "today"]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    """Keep every browser test on one xdist worker, so the others run the rest in parallel."""
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


class LiveServer(ThreadedServer):
    """Gatehouse under waitress on 127.0.0.1 in a background thread (stopped cleanly: ThreadedServer)."""

    def __init__(self, app):
        super().__init__(app, threads=4)
        self.app = app


@pytest.fixture
def live_app_config(app_config):
    """Settings for the live server: like unit tests' but with CSRF on, as in production."""
    config = dict(app_config)
    config["WTF_CSRF_ENABLED"] = True
    return config


@pytest.fixture
def live_app(live_app_config):
    application = create_app(live_app_config)
    db = connect(application.config["DATABASE"])
    apply_all(db)
    db.conn.close()
    return application


@pytest.fixture
def live_server(live_app):
    server = LiveServer(live_app).start()
    yield server
    server.stop()
    database.close_all(live_app)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    pg = new_page(browser)
    yield pg
    pg.context.close()


@pytest.fixture
def open_page(browser, live_server):
    """``open_page(client=None, **context_options)``: a page in a new browser context of its own (another person),
    as ``page`` is opened (tests/browser/sessions.py), signed in as ``client``'s user when a test client is given;
    ``context_options`` go to ``browser.new_context``. Every context it opens is closed after the test."""
    pages = []

    def open_one(client=None, **context_options):
        if client is None:
            opened = new_page(browser, **context_options)
        else:
            opened = signed_in_page(browser, client, live_server, **context_options)
        pages.append(opened)
        return opened

    yield open_one
    for opened in pages:
        opened.context.close()


@pytest.fixture
def checked():
    """The ``check_page`` helper as a fixture."""
    return check_page
