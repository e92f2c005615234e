"""Issue 10 budget: the LA's PRIDE reports over 600 schools x 5 academic years x 20,000 incidents a year
(100,000 incidents, each with one or two characteristics, types and actions and one to three counts of
people): every report page rendered server-side in under 300 ms, charts included (median of 20 requests
through the Flask app, no network). Report figures are cached per PRIDE data version, so the first request
after a change pays for the SQL: its time is printed too.

Usage: `.venv/bin/python bench/pride_bench.py` (also run by `make bench`).
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from bench.deadlines_bench import PASSWORD, _signed_in_client, seed_schools  # noqa: E402
from domain.dates import academic_year_of, uk_today  # noqa: E402
from domain.pride.vocabulary import ACTIONS, INCIDENT_TYPES, LOCATIONS, TIME_BANDS  # noqa: E402
from domain.security.passwords import hash_password  # noqa: E402
from migrations import apply_all  # noqa: E402
from models import deadline_instances, organisations, services, users  # noqa: E402
from models.db import connect, rows, transaction  # noqa: E402
from web.passwords import app_hasher  # noqa: E402

SCHOOLS = 600
YEARS = 5
PER_YEAR = 20_000
BUDGET_MS = 300
TERMS = ("autumn", "spring", "summer")


def seed_incidents(db, schools: list[dict], last_year: int) -> int:
    """``PER_YEAR`` reported incidents a year for ``YEARS`` years, spread over the schools (one transaction)."""
    rng = random.Random(10)
    characteristic_ids = [r["id"] for r in rows(db, "SELECT id FROM pride_characteristics")]
    incidents, characteristics, choices, people = [], [], [], []
    next_id = 1
    for year in range(last_year - YEARS + 1, last_year + 1):
        for _ in range(PER_YEAR):
            school = rng.choice(schools)
            term = rng.choice(TERMS)
            month = {"autumn": 10, "spring": 2, "summer": 6}[term]
            on = f"{year + (term != 'autumn')}-{month:02d}-{rng.randint(1, 28):02d}"
            incidents.append((next_id, school["id"], on, year, term, rng.choice(list(TIME_BANDS)),
                              rng.choice(list(LOCATIONS)), "2026-01-01T00:00:00Z"))  # fmt: skip
            facts = (school["id"], year, term, 1)
            characteristics += [(next_id, c, *facts) for c in rng.sample(characteristic_ids, rng.randint(1, 2))]
            choices += [(next_id, "type", t, *facts) for t in rng.sample(list(INCIDENT_TYPES), rng.randint(1, 2))]
            choices += [(next_id, "action", a, *facts) for a in rng.sample(list(ACTIONS), rng.randint(1, 2))]
            people.append((next_id, "targeted", "pupil", rng.randint(0, 13), 1))
            people.append((next_id, "responsible", "pupil", rng.randint(0, 13), rng.randint(1, 3)))
            next_id += 1
    with transaction(db):
        db.conn.executemany(
            "INSERT INTO pride_incidents (id, organisation_id, state, occurred_on, academic_year, term, time_band,"
            " location, created_at, updated_at, reported_at) VALUES (?, ?, 'reported', ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*i, i[-1], i[-1]) for i in incidents],
        )
        db.conn.executemany(
            "INSERT INTO pride_incident_characteristics (incident_id, characteristic_id, organisation_id,"
            " academic_year, term, reported) VALUES (?, ?, ?, ?, ?, ?)",
            characteristics,
        )
        db.conn.executemany(
            "INSERT INTO pride_incident_choices (incident_id, list, code, organisation_id, academic_year, term,"
            " reported) VALUES (?, ?, ?, ?, ?, ?, ?)",
            choices,
        )
        db.conn.executemany(
            "INSERT OR IGNORE INTO pride_incident_people (incident_id, side, role, year_group, people)"
            " VALUES (?, ?, ?, ?, ?)",
            people,
        )
    db.conn.execute("ANALYZE")
    return len(incidents)


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="gatehouse-pride-bench-"))
    app = create_app({"INSTANCE_PATH": str(folder), "WTF_CSRF_ENABLED": False, "JOBS_IN_PROCESS": False})
    db = connect(app.config["DATABASE"])
    apply_all(db)
    la = organisations.ensure_la(db, "873", "Cambridgeshire")
    schools = seed_schools(db, SCHOOLS)
    year = academic_year_of(uk_today())
    deadline_instances.generate(db, year)
    started = time.perf_counter()
    made = seed_incidents(db, schools, year)
    seeded = time.perf_counter() - started
    with app.app_context():
        encoded = hash_password(app_hasher(), PASSWORD)
    officer = users.create(db, email="equality@bench.example", name="Equality", organisation_id=la["id"],
                           password_hash=encoded)  # fmt: skip
    services.set_services(db, officer["id"], {"pride", "deadlines"})
    client = _signed_in_client(app, db, officer)
    characteristic = rows(db, "SELECT id FROM pride_characteristics WHERE code = 'race'")[0]["id"]
    pages = {
        "LA report, one year": f"/pride/la-report?year={year}",
        "LA report, one term": f"/pride/la-report?year={year}&term=autumn",
        "LA report, phase and characteristic": (
            f"/pride/la-report?year={year}&phase=Primary&characteristic={characteristic}"
        ),
        "LA report, type": f"/pride/la-report?year={year}&type=verbal",
        "LA report CSV": f"/pride/la-report.csv?year={year}",
        "One school (drill-down)": f"/pride/schools/{schools[7]['id']}?year={year}",
        "Follow-up (who has not returned)": "/pride/follow-up",
    }
    # Templates compile on their first use in a process: a drill-down to another school pays for that
    # (and caches only that school's figures), so the first requests below show the SQL's cost.
    client.get(f"/pride/schools/{schools[0]['id']}?year={year}").get_data()
    results, failed = [], False
    for name, url in pages.items():
        t0 = time.perf_counter()
        first = client.get(url)
        first.get_data()
        cold = (time.perf_counter() - t0) * 1000
        assert first.status_code == 200, (url, first.status_code)
        if "csv" not in url:
            assert b"<svg" in first.data or "follow-up" in url, url
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            client.get(url).get_data()
            times.append((time.perf_counter() - t0) * 1000)
        median = statistics.median(times)
        failed |= median >= BUDGET_MS
        results.append((name, median, sorted(times)[18], cold))
    db.conn.close()
    print(f"{made:,} incidents in {YEARS} years over {SCHOOLS} schools (seeded in {seeded:.1f} s)")
    print(f"| page | median of 20 | p95 | first request (figures not cached) | budget {BUDGET_MS} ms |")
    print("| --- | --- | --- | --- | --- |")
    for name, median, p95, cold in results:
        verdict = "met" if median < BUDGET_MS else "MISSED"
        print(f"| {name} | {median:.0f} ms | {p95:.0f} ms | {cold:.0f} ms | {verdict} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
