"""A real Gatehouse server for the reliability suite: `flask --app app serve` (waitress) in a subprocess on a
free loopback port, over the instance folder of a test's ``app_config`` (so the usual ``app``, ``db``,
``school`` and ``make_user`` fixtures seed it), and a small HTTP client that answers like Flask's test client.

The server runs as in production but for cheap argon2 settings and no CSRF exemption: CSRF is on. Its
standard output and error go to ``server.log`` beside the instance, appended across restarts, so a test can
look for "database is locked" or tracebacks. ``kill()`` is ``kill -9``; ``stop()`` asks politely first.
Every wait is bounded; only 127.0.0.1 is ever used.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from background.validation_pool import storage
from models import uploads
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
#: The test settings a server subprocess is given (as GATEHOUSE_<NAME>); CSRF and TESTING are left as in production.
PASSED_SETTINGS = ("INSTANCE_PATH", "SECRET_KEY", "DATABASE", "FILES_DIR", "ARGON2_TIME_COST", "ARGON2_MEMORY_KIB",
                   "ARGON2_PARALLELISM")  # fmt: skip
START_SECONDS = 30.0
STOP_SECONDS = 15.0
REQUEST_SECONDS = 60.0


class ServerProcess:
    """`flask --app app serve` for the instance described by ``app_config``, started and stopped on demand."""

    def __init__(self, app_config: dict, threads: int = 8, **settings: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = Path(app_config["DATABASE"])
        self.files_dir = Path(app_config["FILES_DIR"])
        self.log_path = Path(app_config["INSTANCE_PATH"]).parent / "server.log"
        self.env = {**os.environ, "MALLOC_ARENA_MAX": "2", "GATEHOUSE_THREADS": str(threads)}
        self.env.update({f"GATEHOUSE_{name}": str(app_config[name]) for name in PASSED_SETTINGS})
        self.env.update({f"GATEHOUSE_{name}": value for name, value in settings.items()})
        self.env["PYTHONUNBUFFERED"] = "1"  # each line reaches the log (and wait_for_output) as it is written
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self._output_changed = threading.Condition()
        self._output: list[str] = []
        self._output_ended = True
        self._reader: threading.Thread | None = None

    def start(self) -> float:
        """Start the server and wait until /healthz answers; return the seconds that took.

        Raises RuntimeError (with the log's end) when the process exits or does not answer in START_SECONDS.
        """
        assert self.process is None, "already running"
        began = time.monotonic()
        self.process = subprocess.Popen(
            [FLASK, "--app", "app", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self._output, self._output_ended = [], False
        self._reader = threading.Thread(target=self._copy_output, args=(self.process.stdout,), daemon=True)
        self._reader.start()
        self.starts += 1
        deadline = began + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                raise RuntimeError(f"the server exited at start:\n{self.log_tail()}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return time.monotonic() - began
            except (OSError, http.client.HTTPException):
                pass
            finally:
                connection.close()
            time.sleep(0.05)  # polling the port, bounded by the deadline
        self.kill()
        raise RuntimeError(f"the server did not answer /healthz within {START_SECONDS:.0f} s:\n{self.log_tail()}")

    def _copy_output(self, stream) -> None:
        """Append the server's output to the log, line by line, and wake :meth:`wait_for_output`."""
        try:
            with stream, open(self.log_path, "ab") as log:
                for line in stream:
                    log.write(line)
                    log.flush()
                    with self._output_changed:
                        self._output.append(line.decode("utf-8", errors="replace"))
                        self._output_changed.notify_all()
        finally:
            with self._output_changed:
                self._output_ended = True
                self._output_changed.notify_all()

    def wait_for_output(self, text: str, timeout: float) -> bool:
        """Wait (on the server's output, not a clock) until this run of the server has written ``text``; False when
        it has not within ``timeout`` seconds or its output ended without it."""

        def said_or_ended() -> bool:
            return any(text in line for line in self._output) or self._output_ended

        with self._output_changed:
            self._output_changed.wait_for(said_or_ended, timeout)
            return any(text in line for line in self._output)

    def _output_done(self) -> None:
        """Wait for the reader to copy the last of a stopped server's output into the log."""
        if self._reader is not None:
            self._reader.join(STOP_SECONDS)

    def kill(self) -> None:
        """``kill -9`` the server (no clean-up of any kind) and wait for it to be gone."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=STOP_SECONDS)
        self._output_done()
        self.process = None

    def stop(self) -> None:
        """Stop the server as a service manager would (SIGTERM), killing it if it has not gone in STOP_SECONDS."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=STOP_SECONDS)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            self.kill()
        self._output_done()
        self.process = None

    def flask(self, *args: str, **settings: str) -> subprocess.CompletedProcess:
        """Run another `flask --app app` command against this instance (e.g. backup); bounded in time."""
        env = {**self.env, **{f"GATEHOUSE_{name}": value for name, value in settings.items()}}
        return subprocess.run([FLASK, "--app", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)  # fmt: skip

    def log_text(self) -> str:
        if self.process is None or self.process.poll() is not None:
            self._output_done()
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


class Response:
    """What the server answered, with the parts of Flask's test response the shared helpers use."""

    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes, seconds: float):
        self.status_code = status
        self.headers = headers
        self.data = body
        self.seconds = seconds

    def get_data(self, as_text: bool = False):
        return self.data.decode("utf-8", errors="replace") if as_text else self.data


class HttpClient:
    """One browser's worth of HTTP to a server on 127.0.0.1: a kept-alive connection and its cookies.

    ``get``/``post`` take paths (or this server's absolute URLs), never follow redirects and return a
    :class:`Response`, so tests.conftest's ``sign_in_through_forms`` and tests/returns/uploading.py work
    with it as with Flask's test client. Raises OSError (or http.client errors) when the server is gone.
    """

    def __init__(self, base_url: str, timeout: float = REQUEST_SECONDS):
        parts = urlsplit(base_url)
        assert parts.hostname == "127.0.0.1", "the reliability suite only ever talks to loopback"
        self.base_url, self.port, self.timeout = base_url, parts.port, timeout
        self.cookies: dict[str, str] = {}
        self._connection: http.client.HTTPConnection | None = None

    def get(self, path: str, headers: dict | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, data: dict | bytes | None = None, content_type: str | None = None,
             headers: dict | None = None) -> Response:  # fmt: skip
        if isinstance(data, dict):
            body, content_type = urlencode(data).encode(), "application/x-www-form-urlencoded"
        else:
            body = data or b""
        return self.request("POST", path, body=body, headers={**(headers or {}), "Content-Type": content_type or ""})

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        parts = urlsplit(path)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = {k: v for k, v in (headers or {}).items() if v}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        began = time.monotonic()
        if self._connection is None:
            self._connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self._connection.request(method, target, body=body, headers=sent)
            answer = self._connection.getresponse()
            data = answer.read()
        except BaseException:
            self.close()
            raise
        seconds = time.monotonic() - began
        self._keep_cookies(answer.headers.get_all("Set-Cookie") or [])
        if answer.will_close:
            self.close()
        return Response(answer.status, answer.headers, data, seconds)

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def integrity(database: Path) -> tuple[str, list]:
    """``PRAGMA integrity_check`` and ``foreign_key_check`` of the database file, from a connection of our own."""
    conn = sqlite3.connect(database, timeout=30)
    try:
        check = "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return check, foreign


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def left_behind(db, files_dir: Path) -> dict[str, int]:
    """What an instance holds that no finished upload accounts for: unfinished jobs, temporary files, stored
    files no upload record points at (all zero once the start-up sweep has run)."""
    kept = uploads.stored_paths(db)
    return {
        "unfinished jobs": len(uploads.interrupted_jobs(db)),
        "temporary files": len(storage.temp_files(files_dir)),
        "orphaned stored files": len([p for p in storage.stored_files(files_dir) if p not in kept]),
    }
