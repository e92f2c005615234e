"""Bounded HTTP load on loopback with wrk, and a Gatehouse server in a subprocess to aim it at.

Used by the *_bench.py scripts. wrk comes from Debian (`apt-get install wrk`); a run is bounded
in time and only ever targets 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLASK = str(Path(sys.executable).with_name("flask"))

WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format('{"requests": %d, "seconds": %f, "p50_us": %d, "p95_us": %d, "p99_us": %d, "errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout))
end
"""


@dataclass
class Result:
    path: str
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk() -> str:
    """Return wrk's path, installing Debian's package when it is absent (root only)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is needed: sudo apt-get install wrk")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk")


class Server:
    """`flask --app app serve` on a free loopback port over a fresh instance folder."""

    def __init__(self, threads: int = 8):
        self.instance = Path(tempfile.mkdtemp(prefix="gatehouse-bench-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "GATEHOUSE_INSTANCE_PATH": str(self.instance),
            "GATEHOUSE_THREADS": str(threads),
            "MALLOC_ARENA_MAX": "2",
        }
        self.process: subprocess.Popen | None = None

    def flask(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [FLASK, "--app", "app", *args], cwd=ROOT, env=self.env, input=stdin, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed: {done.stderr or done.stdout}")
        return done.stdout

    def seed_user(self, email: str, password: str) -> None:
        """Create a school and an end user with ``password`` (production argon2 settings)."""
        sys.path.insert(0, str(ROOT))
        from app import create_app
        from domain.security.passwords import hash_password
        from migrations import apply_all
        from models import organisations, users
        from models.db import connect
        from web.passwords import app_hasher

        app = create_app({"INSTANCE_PATH": str(self.instance)})
        db = connect(app.config["DATABASE"])
        apply_all(db)
        organisations.ensure_la(db, "873", "Cambridgeshire")
        school = organisations.create_school(db, la_code="873", estab="4001", name="Bench Primary School", urn=999001)
        with app.app_context():
            encoded = hash_password(app_hasher(), password)
        users.create(db, email=email, name="Bench User", organisation_id=school["id"], password_hash=encoded)
        db.conn.close()

    def start(self) -> Server:
        self.flask("migrate")
        self.process = subprocess.Popen(
            [FLASK, "--app", "app", "serve", "--port", str(self.port)],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.instance, ignore_errors=True)


def sign_in_cookie(base_url: str, email: str, password: str) -> str:
    """Sign in through the real form and return the Cookie header value for the session."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base_url + "/sign-in").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
    request = urllib.request.Request(base_url + "/sign-in", data=data, headers={"Referer": base_url + "/sign-in"})
    opener.open(request).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wrk(url: str, *, connections: int = 8, seconds: int = 10, cookie: str | None = None) -> Result:
    """Run wrk (2 threads, ``connections`` clients, ``seconds`` long) against ``url``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    command = [ensure_wrk(), "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script.name]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    data = json.loads(output.strip().splitlines()[-1])
    return Result(
        path=urllib.parse.urlsplit(url).path,
        requests_per_s=data["requests"] / data["seconds"],
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=data["errors"],
    )


def table(results: list[Result], baseline: Result) -> str:
    """Markdown table of results with each one's ratio to the trivial-route baseline."""
    lines = [
        "| Route | req/s | p50 ms | p95 ms | p99 ms | errors | vs trivial |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| `{r.path}` | {r.requests_per_s:,.0f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.errors} "
            f"| {r.requests_per_s / baseline.requests_per_s:.0%} |"
        )
    return "\n".join(lines)
