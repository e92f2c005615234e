"""Issue 2 budget: one argon2id password hash takes 50-250 ms with production settings.

Times hashing and verifying with the ARGON2_* defaults from settings.py (what production
uses unless configured otherwise), and a few other parameter sets for comparison, each the
median of several runs. Also checks that a sign-in for an unknown email (verified against a
dummy hash) costs the same as a wrong password for a real account.

Usage: `.venv/bin/python bench/argon2_bench.py [--runs N]`. Exits 1 when the budget is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import settings  # noqa: E402
from domain.security.passwords import hash_password, hasher, verify_password  # noqa: E402

BUDGET_MS = (50.0, 250.0)
PASSWORD = "violet harbour tram sixteen"
COMPARE = [  # (time_cost, memory_kib, parallelism)
    (2, 19456, 1),  # OWASP's minimum argon2id suggestion (19 MiB, t=2)
    (1, 65536, 4),
    (3, 65536, 4),
    (4, 65536, 4),
    (2, 131072, 4),
]


def _ms(action, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure(time_cost: int, memory_kib: int, parallelism: int, runs: int) -> dict:
    """Median milliseconds to hash, verify (right and wrong password) and verify with no hash."""
    ph = hasher(time_cost, memory_kib, parallelism)
    encoded = hash_password(ph, PASSWORD)
    verify_password(ph, None, PASSWORD)  # make the dummy hash outside the timing
    return {
        "params": f"t={time_cost}, m={memory_kib // 1024} MiB, p={parallelism}",
        "hash": statistics.median(_ms(lambda: hash_password(ph, PASSWORD), runs)),
        "verify": statistics.median(_ms(lambda: verify_password(ph, encoded, PASSWORD), runs)),
        "wrong": statistics.median(_ms(lambda: verify_password(ph, encoded, "wrong password"), runs)),
        "unknown": statistics.median(_ms(lambda: verify_password(ph, None, PASSWORD), runs)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    defaults = settings.defaults()
    production = (defaults["ARGON2_TIME_COST"], defaults["ARGON2_MEMORY_KIB"], defaults["ARGON2_PARALLELISM"])
    print("| parameters | hash ms | verify ms | wrong password ms | unknown email ms |")
    print("| --- | --- | --- | --- | --- |")
    results = {}
    for params in [production, *[p for p in COMPARE if p != production]]:
        r = measure(*params, runs=args.runs)
        results[params] = r
        label = r["params"] + (" (production default)" if params == production else "")
        print(f"| {label} | {r['hash']:.0f} | {r['verify']:.0f} | {r['wrong']:.0f} | {r['unknown']:.0f} |", flush=True)
    prod = results[production]
    low, high = BUDGET_MS
    ok = low <= prod["hash"] <= high
    print(f"\nproduction hash median {prod['hash']:.0f} ms: " + ("budget met" if ok else "BUDGET MISSED")
          + f" ({low:.0f}-{high:.0f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
