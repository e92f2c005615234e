"""Hostile files are refused within 1 s, through the CLI and the web upload (issue 8, item 11; the
figure the tests used to time). Usage: `.venv/bin/python bench/hostile_refusal_bench.py [--runs N]`.

Generates the hostile set with `tools/make_fixtures.py hostile` (billion laughs, quadratic blow-up,
external entities, a DTD, 1.4 MB of nesting, binary, truncated, empty, ...) and times each file:

- **CLI**: `flask --app app validate FILE` in-process (the click command through the app's CLI
  runner, as the tests invoke it), and as a separate process exactly as an administrator runs it
  (which adds Python's and the app's start-up, printed on its own);
- **web**: a POST of the file to `/returns/test-upload` on `flask --app app serve` (waitress, fresh
  instance, the validation pool as configured by default) by a signed-in school user, from the
  start of the POST to the last byte of the 400 page naming the reason (the CSRF token is fetched
  first, untimed).

Each file is checked to be refused every time (exit code 2 with one line; HTTP 400 with an error
summary). Prints a table of medians and maxima; exits 1 when a file is not refused, or when its
in-process CLI or web median is 1 s or more. `utf16_bom.xml` is a valid (empty) CTF and is left out.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.loadtest import FLASK, Server  # noqa: E402
from bench.returns_bench import Browser, grant_returns, multipart, token  # noqa: E402

BUDGET_S = 1.0
ACCEPTED = {"utf16_bom.xml"}
EMAIL = "bench@school.example"
PASSWORD = "bench password for a school user"


def hostile_files(folder: Path) -> list[Path]:
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_fixtures.py"), "hostile", "-d", str(folder)],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    return sorted(p for p in folder.iterdir() if p.name not in ACCEPTED)


def cli_in_process(app, path: Path) -> float:
    runner = app.test_cli_runner()
    started = time.perf_counter()
    result = runner.invoke(args=["validate", str(path)])
    elapsed = time.perf_counter() - started
    if result.exit_code != 2 or result.output.count("\n") != 1 or "refused" not in result.output:
        raise RuntimeError(f"{path.name} was not refused by the CLI: {result.exit_code} {result.output!r}")
    return elapsed


def cli_process(server: Server, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run([FLASK, "--app", "app", *args], cwd=ROOT, env=server.env, capture_output=True, text=True)
    return time.perf_counter() - started, done


def cli_separate(server: Server, path: Path) -> float:
    elapsed, done = cli_process(server, "validate", str(path))
    if done.returncode != 2 or "refused" not in done.stdout or "Traceback" in done.stderr:
        raise RuntimeError(f"{path.name} was not refused by `flask validate`: {done.returncode} {done.stdout!r}")
    return elapsed


def web(browser: Browser, path: Path) -> float:
    _, form = browser.get("/returns/test-upload")
    body, content_type = multipart({"csrf_token": token(form)}, path.name, path.read_bytes())
    started = time.perf_counter()
    try:
        url, _ = browser.post("/returns/test-upload", body, content_type)
    except urllib.error.HTTPError as error:
        html = error.read().decode()
        elapsed = time.perf_counter() - started
        if error.code == 400 and "govuk-error-summary" in html:
            return elapsed
        raise RuntimeError(f"{path.name}: HTTP {error.code}\n{html[:1000]}") from None
    raise RuntimeError(f"{path.name} was not refused by the upload: it went on to {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="times each file goes through each path (default 5)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="gatehouse-hostile-bench-") as folder:
        files = hostile_files(Path(folder))
        server = Server()
        server.seed_user(EMAIL, PASSWORD)
        grant_returns(server)
        server.start()
        try:
            from app import create_app

            app = create_app({"INSTANCE_PATH": str(server.instance)})
            startup = statistics.median(cli_process(server, "validate", "--help")[0] for _ in range(runs))
            browser = Browser(server.url)
            browser.sign_in(EMAIL, PASSWORD)
            cli_in_process(app, files[0])  # warm-up: imports, first parse; not counted
            web(browser, files[0])
            rows = []
            for path in files:
                inproc = [cli_in_process(app, path) for _ in range(runs)]
                separate = [cli_separate(server, path) for _ in range(runs)]
                posted = [web(browser, path) for _ in range(runs)]
                rows.append((path.name, path.stat().st_size, inproc, separate, posted))
        finally:
            server.stop()
    return report(rows, startup, runs)


def report(rows, startup: float, runs: int) -> int:
    def ms(times: list[float]) -> str:
        return f"{statistics.median(times) * 1000:.1f} ({max(times) * 1000:.1f})"

    print(f"Hostile files refused: median (max) of {runs} runs, in ms")
    print("| file | size | CLI in-process | CLI process | web upload (HTTP 400) |")
    print("| --- | --- | --- | --- | --- |")
    missed = []
    for name, size, inproc, separate, posted in rows:
        print(f"| `{name}` | {size:,} B | {ms(inproc)} | {ms(separate)} | {ms(posted)} |")
        if statistics.median(inproc) >= BUDGET_S or statistics.median(posted) >= BUDGET_S:
            missed.append(name)
    print(f"CLI process start-up alone (`flask --app app validate --help`, median): {startup * 1000:.0f} ms")
    print(f"budget: every file refused in under {BUDGET_S:.0f} s (in-process CLI and web medians) -> "
          f"{'met' if not missed else 'MISSED for ' + ', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
