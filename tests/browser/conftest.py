"""Browser tests: Debian's chromium driven by Playwright against Gatehouse under waitress.

Each test gets a live server on a free loopback port with its own SQLite file, CSRF on, and
a page that records Content-Security-Policy violations. ``check_page(page)`` runs axe-core
(from npm's axe-core, evaluated over the DevTools protocol so our CSP stays in force) and
asserts no violations of either kind.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from app import create_app
from migrations import apply_all
from models.db import connect
from web import database

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
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
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def pytest_collection_modifyitems(items):
    """Keep every browser test on one xdist worker, so the others run the rest in parallel."""
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


class LiveServer:
    """Gatehouse under waitress on 127.0.0.1 in a background thread."""

    def __init__(self, app):
        from waitress import create_server

        self.app = app
        self.server = create_server(app, host="127.0.0.1", port=0, threads=4)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.close()


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
    context = browser.new_context(locale="en-GB")
    context.add_init_script(CSP_RECORDER)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def check_page(page, *, rules_off: tuple[str, ...] = ()) -> None:
    """Assert the current page has no axe-core violations and no CSP violations.

    Waits for the page's load event first: a click on a link starts the navigation and returns
    while the new document may still be empty (CI once checked /oversight before its body arrived).
    """
    page.wait_for_load_state("load")
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    options = {"rules": {rule: {"enabled": False} for rule in rules_off}}
    result = page.evaluate("async (options) => await axe.run(document, options)", options)
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert not problems, f"axe-core violations on {page.url}:\n" + "\n".join(problems)
    violations = page.evaluate("window.__cspViolations")
    assert not violations, f"CSP violations on {page.url}: {violations}"


@pytest.fixture
def checked():
    """The ``check_page`` helper as a fixture."""
    return check_page
