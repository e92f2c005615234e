"""Load (issue 15, item 5): 50 concurrent writers for 30 seconds against a real server: school users signing in,
writing notes on findings and uploading census files, LA officers recording deadline statuses
(tests/reliability/writers.py). Every write must get its expected answer, the server's log must never say
"database is locked", no upload may fail on the server's side, and the p95 latency of each kind is reported.
"""

from __future__ import annotations

import threading

from models.db import one
from tests.reliability.real_server import integrity
from tests.reliability.writers import KINDS, Crowd, make_note_versions, seed

RUN_SECONDS = 30.0
DRAIN_SECONDS = 120.0


def wait_for_validation_to_finish(db, timeout: float) -> bool:
    """Wait (bounded, polling the database) until no upload is queued or being checked."""
    done = threading.Event()
    for _ in range(int(timeout / 0.2)):
        if one(db, "SELECT count(*) AS n FROM validation_jobs WHERE state IN ('queued', 'running')")["n"] == 0:
            return True
        done.wait(0.2)
    return False


def test_fifty_writers_for_thirty_seconds_get_no_errors_and_no_lock_errors(
    app_config, db, la, make_user, real_server, record_property
):
    population = seed(db, la, make_user)
    server = real_server()
    server.start()
    make_note_versions(server.url, db, population)
    crowd = Crowd(server.url, app_config["DATABASE"], population)
    crowd.start()
    crowd.go(RUN_SECONDS)
    seconds = crowd.finish()
    assert crowd.tally.errors == [], "\n".join(crowd.tally.errors[:20])
    assert all(crowd.tally.seconds[kind] for kind in KINDS), "a kind of writer never wrote"
    assert wait_for_validation_to_finish(db, DRAIN_SECONDS), "uploads were still being checked"
    server.stop()

    log = server.log_text()
    assert "database is locked" not in log.lower(), server.log_tail()
    assert "Traceback" not in log, server.log_tail()
    jobs = one(db, "SELECT count(*) AS n, sum(state = 'done') AS done FROM validation_jobs")
    assert jobs["n"] == jobs["done"], f"uploads not checked: {jobs}"
    assert integrity(server.database) == ("ok", [])

    record_property("writers", f"{sum(KINDS.values())} ({', '.join(f'{n} {k}' for k, n in KINDS.items())})")
    record_property("seconds writing", f"{seconds:.1f}")
    for kind, figures in crowd.tally.figures(seconds).items():
        record_property(kind, figures)
    record_property("errors / 'database is locked' in the server log", "0 / 0")
    record_property("argon2 (test settings, as in make test)", f"t={app_config['ARGON2_TIME_COST']}, "
                    f"{app_config['ARGON2_MEMORY_KIB']} KiB: sign-ins cost far less than in production")  # fmt: skip
