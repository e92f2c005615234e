"""Issue 2 budget: the sign-in page and an authenticated page under waitress, 8 concurrent clients.

Budget: at least 200 requests/s and p95 under 100 ms each; reported with the ratio to a trivial
route (/healthz) on the same server. Usage: `.venv/bin/python bench/web_signin_bench.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.loadtest import Server, sign_in_cookie, table, wrk  # noqa: E402

PASSWORD = "bench password for a school user"


def main() -> int:
    server = Server()
    server.seed_user("bench@school.example", PASSWORD)
    server.start()
    try:
        cookie = sign_in_cookie(server.url, "bench@school.example", PASSWORD)
        wrk(server.url + "/healthz", seconds=2)  # warm up
        baseline = wrk(server.url + "/healthz")
        results = [baseline, wrk(server.url + "/sign-in"), wrk(server.url + "/", cookie=cookie)]
    finally:
        server.stop()
    print(table(results, baseline))
    ok = all(r.requests_per_s >= 200 and r.p95_ms < 100 and r.errors == 0 for r in results[1:])
    print("budget met" if ok else "BUDGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
