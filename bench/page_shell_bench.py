"""Issue 8, item 12: what every signed-in page pays, against the trivial route on the same server.

Budget: the signed-in home page `/` and a school's What's due `/deadlines/` each serve at least
0.25x the requests/s of `/healthz` in the same run (stretch 0.5x), p95 under 100 ms, 8 clients.

1. In-process (Flask test client, no network): CPU ms per request for `/healthz`, `/` and
   `/deadlines/`, best of 8 x 150, and a cProfile summary of 300 requests of `/`: Python function
   calls per request, the time of each part of a request, how often the things every page does are
   done, and the top functions by own time. The other work on this shared machine disturbs these
   least (function calls not at all).
2. Under waitress (`flask --app app serve`, 8 threads), wrk -t2 -c8 -d10s against `/healthz`, `/`
   and `/deadlines/`, ``--runs`` times, each run measuring all three so the ratios compare like
   with like. The verdict is on each page's median ratio and median p95 over the runs.

Usage: `.venv/bin/python bench/page_shell_bench.py [--runs 3] [--profile-only] [--top 25]`
(also run by `make bench`).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.loadtest import Server, sign_in_cookie, table, wrk  # noqa: E402

EMAIL = "bench@school.example"
PASSWORD = "bench password for a school user"
PATHS = ("/healthz", "/", "/deadlines/")


def seed(server: Server) -> None:
    """One LA, one school with this academic year's deadlines, an end user with the Deadlines service."""
    from models import services, users
    from models.db import connect

    server.seed_user(EMAIL, PASSWORD)
    year = date.today().year
    for academic_year in (year - 1, year):  # whichever holds today, through the administrators' command
        server.flask("deadlines", "generate", str(academic_year))
    db = connect(str(server.instance / "gatehouse.db"))
    services.set_services(db, users.get_by_email(db, EMAIL)["id"], {"deadlines"})
    db.conn.close()


def _signed_in_client(instance: Server):
    """A Flask test client signed in as the bench user over ``instance``'s folder, freshly seeded."""
    from app import create_app

    seed(instance)
    app = create_app({"INSTANCE_PATH": str(instance.instance), "WTF_CSRF_ENABLED": False, "JOBS_IN_PROCESS": False})
    client = app.test_client()
    client.post("/sign-in", data={"email": EMAIL, "password": PASSWORD})
    for path in PATHS:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    assert "What's due" in client.get("/").get_data(as_text=True), "not signed in as a school user of Deadlines"
    return client


def cpu_per_request(client, repeat: int = 8, requests: int = 150) -> dict[str, float]:
    """CPU ms per request for each path through the Flask app: best of ``repeat`` x ``requests``.

    `/healthz` is asked for without the session cookie, as wrk asks for it.
    """
    anonymous = client.application.test_client()
    found = {}
    for path in PATHS:
        asking = anonymous if path == "/healthz" else client
        best = float("inf")
        for _ in range(repeat):
            started = time.process_time()
            for _ in range(requests):
                asking.get(path).get_data()
            best = min(best, (time.process_time() - started) / requests * 1000)
        found[path] = best
    return found


# What the profile summary picks out: (label, end of the file name, function name).
PARTS = (
    ("before-request hooks (session timeouts, sign-in gate, loading the user)", "flask/app.py", "preprocess_request"),
    ("the view, rendering included", "flask/app.py", "dispatch_request"),
    ("rendering the page", "flask/templating.py", "render_template"),
    ("  the header and service navigation", ".html", "block_header"),
    ("  the footer", ".html", "block_footer"),
    ("after-request (session cookie, security headers)", "flask/app.py", "finalize_request"),
)
COUNTED = (
    ("url_for", "flask/app.py", "url_for"),
    ("current_user look-ups", "flask_login/utils.py", "_get_user"),
    ("timestamps parsed (strptime)", "_strptime.py", "_strptime"),
    ("SQL statements", "~", "<method 'execute' of 'sqlite3.Connection' objects>"),
)


def _matching(stats: pstats.Stats, file_end: str, name: str) -> tuple[int, float]:
    """(calls, cumulative seconds) of the functions named ``name`` in files ending ``file_end``."""
    calls, seconds = 0, 0.0
    for (file, _line, function), (_primitive, total_calls, _own, cumulative, _callers) in stats.stats.items():
        if function == name and file.endswith(file_end):
            calls, seconds = calls + total_calls, seconds + cumulative
    return calls, seconds


def profile(client, path: str = "/", requests: int = 300, top: int = 25) -> str:
    """cProfile of ``requests`` GETs of ``path``: where each request's time goes, and the top functions by own time.

    Times are under the profiler (several times slower than without it): compare them with each other.
    """
    for _ in range(20):
        client.get(path).get_data()  # warm: templates compiled, per-process caches filled
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(path).get_data()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    calls = stats.total_calls / requests
    out.write(f"cProfile, {requests} x GET {path}: {calls:,.0f} Python function calls per request\n\n")
    out.write("| part of each request | ms under cProfile |\n| --- | --- |\n")
    for label, file_end, name in PARTS:
        out.write(f"| {label} | {_matching(stats, file_end, name)[1] / requests * 1000:.2f} |\n")
    out.write("\n| done on each request | times |\n| --- | --- |\n")
    for label, file_end, name in COUNTED:
        out.write(f"| {label} | {_matching(stats, file_end, name)[0] / requests:.0f} |\n")
    out.write("\n")
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    return out.getvalue()


def under_waitress(runs: int):
    """``runs`` rounds of wrk against each path on one server; a list of (healthz, home, whats_due) results."""
    server = Server()
    server.env["GATEHOUSE_JOBS_IN_PROCESS"] = "false"
    seed(server)
    server.start()
    rounds = []
    try:
        cookie = sign_in_cookie(server.url, EMAIL, PASSWORD)
        wrk(server.url + "/deadlines/", seconds=2, cookie=cookie)  # warm up
        for _ in range(runs):
            rounds.append([wrk(server.url + path, cookie=cookie if path != "/healthz" else None) for path in PATHS])
    finally:
        server.stop()
    return rounds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="wrk rounds (each measures all three routes)")
    parser.add_argument("--top", type=int, default=25, help="functions shown in each profile listing")
    parser.add_argument("--profile-only", action="store_true", help="in-process figures and profile, no wrk")
    args = parser.parse_args()

    instance = Server()  # not started: its folder holds the in-process app's database
    try:
        client = _signed_in_client(instance)
        cpu = cpu_per_request(client)
        summary = profile(client, top=args.top)
    finally:
        instance.stop()
    print("| in-process, best of 8 x 150 | CPU ms per request |")
    print("| --- | --- |")
    for path, ms in cpu.items():
        print(f"| `{path}` | {ms:.2f} |")
    print()
    print(summary)
    if args.profile_only:
        return 0

    by_path: dict[str, list[tuple[float, float]]] = {}
    errors = 0
    for n, (baseline, *pages) in enumerate(under_waitress(args.runs), start=1):
        print(f"wrk run {n}:")
        print(table([baseline, *pages], baseline))
        for page in pages:
            by_path.setdefault(page.path, []).append((page.requests_per_s / baseline.requests_per_s, page.p95_ms))
            errors += page.errors
    # Other work on a shared machine moves single rounds a lot: the verdict is on the medians.
    ok = errors == 0
    for path, rounds in by_path.items():
        ratio, p95 = statistics.median(r for r, _ in rounds), statistics.median(p for _, p in rounds)
        print(f"{path}: median ratio to /healthz {ratio:.2f}x (budget 0.25x), median p95 {p95:.0f} ms (budget 100 ms)")
        ok = ok and ratio >= 0.25 and p95 < 100
    print("budget met" if ok else "BUDGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
