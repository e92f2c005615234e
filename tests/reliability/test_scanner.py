"""wapiti3 scans a production Gatehouse on 127.0.0.1: signed out, and with a signed-in school user's cookie.

The server is `flask --app app serve` (waitress) with ``ENV=production`` (the persistent key given as
GATEHOUSE_SECRET_KEY, Secure cookies, CSRF on; only argon2 is cheap, as everywhere in the suite) and
``TRUSTED_PROXIES=1`` behind a local TLS terminator (tests/reliability/tls_terminator.py) that plays the
LA's reverse proxy. Nothing is bent for the scanner: it gets HTTPS, HSTS and Secure cookies as a browser
does, and its forms must pass CSRF with the Referer check HTTPS turns on. The school user has Deadlines and
Returns, a year of deadlines and a validated test upload with findings, so the scanner finds forms, filters,
query strings, uploads and the note form (stored XSS) to attack; the test checks its forms got through.

A scan's findings (wapiti's vulnerabilities and anomalies, e.g. a 500) must all be in ``ACCEPTED`` with a
reason; there are none at present. Each scan is bounded by wapiti's own options (``--max-scan-time``,
``--max-attack-time``, depth, links per page, pages per folder) and by a timeout on the process. At about
16 requests a second here a module's 8 seconds reach the first forms and parameters it attacks, not every
one: the scan is the outside view of a real deployment. What must hold on every route is tested over the
URL map in the normal suite (headers, CSRF, permissions, other organisations' objects, the open-redirect
bypass list).

Modules are chosen, not defaulted (``MODULES``); left out, and why:
* ``ssl``, ``https_redirect``: TLS belongs to the LA's proxy, not to Gatehouse (and ``ssl`` looks
  certificates up on the internet).
* ``ssrf``, ``log4shell``, ``nikto``, ``wapp``, ``htp``: need an endpoint or a database on the internet.
* ``timesql``: blind time-based SQL injection (sleeps per payload); ``sql`` covers error and boolean
  based injection in far less time, and every query is parameterised (semgrep's ``sql-format``).
* ``buster``, ``backup``, ``brute_login_form``: guessing of paths, backup copies of pages and passwords
  (Gatehouse serves no folder but static/; lockout and throttles are tested in tests/auth).
* ``cms``, ``wp_enum``, ``drupal_enum``, ``shellshock``, ``spring4shell``, ``network_device``, ``takeover``,
  ``ldap``: software and services Gatehouse does not use.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from models import deadline_instances, services
from models.db import rows, scalar
from tests.conftest import sign_in_through_forms
from tests.reliability.real_server import HttpClient
from tests.reliability.tls_terminator import TlsTerminator
from tests.returns.factories import make_version

ROOT = Path(__file__).resolve().parents[2]
WAPITI = ROOT / ".venv-wapiti" / "bin" / "wapiti"
MODULES = ("http_headers", "csp", "cookieflags", "csrf", "xss", "permanentxss", "sql", "exec", "file", "xxe",
           "redirect", "crlf", "methods", "upload", "htaccess")  # fmt: skip
SCAN_SECONDS = 45  # wapiti's --max-scan-time (it bounds the crawl; each module has its own bound below)
ATTACK_SECONDS = 8  # wapiti's --max-attack-time: one module
PROCESS_SECONDS = 150  # the whole wapiti process, start to report
#: An address nothing listens on, for out-of-band payloads; with ``--dns-endpoint 127.0.0.1`` wapiti looks no name
#: up either (its default makes the log4shell module resolve one at start): checked with strace, wapiti only ever
#: connects to 127.0.0.1.
NOWHERE = "http://127.0.0.1:9/"

#: (wapiti category, path the finding is on) -> why it is accepted. Empty: every finding fails the test.
ACCEPTED: dict[tuple[str, str], str] = {}


@pytest.fixture
def production_server(tmp_path, app_config, app, db, la, school, make_user, real_server):
    """A production server behind the TLS terminator, with a school user (returned) and their work."""
    deadline_instances.generate(db, 2026)
    user = make_user(school, email="office@fenland.example.sch.uk")
    services.set_services(db, user["id"], ["deadlines", "returns"])
    version = make_version(db, school, user)  # a test upload with findings: report, filters, notes, CSV
    rule = scalar(db, "SELECT rule FROM return_findings WHERE version_id = ? AND severity = 'query'", (version["id"],))
    explain = f"/returns/versions/{version['id']}/explain?rule={rule}"  # the note form: stored XSS's best target
    proxy = TlsTerminator(tmp_path)
    try:
        server = real_server(ENV="production", TRUSTED_PROXIES="1", BASE_URL=proxy.url)
        server.start()
        proxy.start(server.port)
        yield server, proxy, user, explain
        server.stop()
    finally:
        proxy.stop()


def _wapiti(tmp_path: Path, name: str, url: str, *extra: str) -> tuple[dict, str, float]:
    """Run one bounded wapiti scan of ``url``; return its JSON report, its log and the seconds it took."""
    assert WAPITI.exists(), f"{WAPITI} is missing: `make reliability` installs it (requirements-wapiti.txt)"
    work = tmp_path / name
    work.mkdir()
    report = work / "report.json"
    command = [
        str(WAPITI), "--url", f"{url}/", "--scope", "folder", "--module", ",".join(MODULES),
        "--max-scan-time", str(SCAN_SECONDS), "--max-attack-time", str(ATTACK_SECONDS), "--depth", "4",
        "--max-links-per-page", "20", "--max-files-per-dir", "5", "--tasks", "4", "--timeout", "20",
        "--exclude", f"{url}/sign-out", "--endpoint", NOWHERE, "--dns-endpoint", "127.0.0.1", "--verify-ssl", "0",
        "--no-bugreport",
        "--flush-session", "--store-session", str(work / "session"), "--store-config", str(work / "config"),
        "--format", "json", "--output", str(report), "--verbose", "1", "--log", str(work / "wapiti.log"), *extra,
    ]  # fmt: skip
    began = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=PROCESS_SECONDS,
                          env={**os.environ, "HOME": str(work)})  # fmt: skip
    seconds = time.monotonic() - began
    assert done.returncode == 0 and report.exists(), f"wapiti failed ({done.returncode}):\n{done.stderr[-3000:]}"
    return json.loads(report.read_text()), (work / "wapiti.log").read_text(errors="replace"), seconds


def _findings(report: dict) -> list[dict]:
    """Every vulnerability and anomaly in a wapiti report, as (category, method, path, info) dicts."""
    found = []
    for section in ("vulnerabilities", "anomalies"):
        for category, items in report.get(section, {}).items():
            for item in items:
                found.append({"category": category, "method": item.get("method"), "path": item.get("path"),
                              "info": item.get("info"), "parameter": item.get("parameter")})  # fmt: skip
    return found


def _unaccepted(findings: list[dict]) -> list[str]:
    return [
        f"{f['category']}: {f['method']} {f['path']} {f['parameter'] or ''} - {f['info']}"
        for f in findings
        if (f["category"], f["path"]) not in ACCEPTED
    ]


def test_scan_signed_out(tmp_path, production_server, record_property):
    server, proxy, _, _ = production_server
    report, _, seconds = _wapiti(tmp_path, "signed-out", proxy.url)
    record_property("signed-out scan seconds", round(seconds, 1))
    record_property("signed-out scan requests", report.get("infos", {}).get("crawled_pages_nbr"))
    problems = _unaccepted(_findings(report))
    assert not problems, "wapiti findings with no reason in ACCEPTED:\n" + "\n".join(problems)
    assert "Traceback" not in server.log_text()


def test_scan_signed_in_as_a_school_user(tmp_path, db, production_server, record_property):
    server, proxy, user, explain = production_server
    # Signed in straight to waitress (plain HTTP, where Flask-WTF asks for no Referer; this client sends none),
    # only to get the session cookie the scanner then sends through the TLS terminator.
    with HttpClient(server.url) as browser:
        assert sign_in_through_forms(browser, db, user).status_code == 200
        cookie = f"gatehouse_session={browser.cookies['gatehouse_session']}"
    report, log, seconds = _wapiti(tmp_path, "signed-in", proxy.url, "--cookie-value", cookie,
                                   "--start", f"{proxy.url}{explain}")  # fmt: skip
    record_property("signed-in scan seconds", round(seconds, 1))
    record_property("signed-in scan requests", report.get("infos", {}).get("crawled_pages_nbr"))
    assert f"GET {proxy.url}/returns/versions/" in log, "the scan never got past sign-in"
    posted = rows(db, "SELECT action, count(*) AS times FROM audit_log WHERE action IN"
                      " ('calendar_feed_created', 'return_note_saved', 'return_upload_refused') GROUP BY action")
    record_property("signed-in scan forms accepted", {row["action"]: row["times"] for row in posted})
    assert posted, "no form the scanner posted got past CSRF: the scan proves little"
    problems = _unaccepted(_findings(report))
    assert not problems, "wapiti findings with no reason in ACCEPTED:\n" + "\n".join(problems)
    assert "Traceback" not in server.log_text()
