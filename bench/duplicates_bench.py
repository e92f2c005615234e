"""Issue 11 budget (duplicate pupils): 250,000 pupils across 600 schools (`make_fixtures.py la-census --schools
600 --pupils 420`): full detection under 2 s and 300 MB RSS; after one school's upload, the incremental update
under 200 ms.

Builds a fresh database, one school per generated file, the 2026/27 deadlines, then loads every school's file
for the spring census as the upload worker does (validated with the streaming reader, stored through
``returns.create_version``, whose hook works out that school's duplicates). Then:

* **incremental**: for 20 schools, ``duplicates.version_loaded`` on the school's latest version (its keys
  replaced, the records sharing a key with it found by SQL, its cases reconciled), timed alone; and the whole
  ``create_version`` of a new version of that school's file (pupils, findings and the hook), for scale;
* **full detection**, in a fresh process so its peak RSS is its own: ``duplicates.refresh`` over the
  instance's stored keys (every case found and reconciled; median of three), and
  ``duplicates.rebuild_instance`` (every key recomputed from the stored pupils, then the same); and the LA's
  "Check test uploads too" (``duplicates.check_test_uploads``) with 10 schools' newer test uploads in place.

Prints wall and CPU time for each (this machine is shared: the load average is printed too) and exits 1 when
a budget is missed in CPU time. Usage: `.venv/bin/python bench/duplicates_bench.py`
(add `--schools 60` for a quick run).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FULL_BUDGET_S, RSS_BUDGET_MB, INCREMENTAL_BUDGET_S = 2.0, 300, 0.2
TEST_UPLOADS = 10  # schools given a newer test upload, for "Check test uploads too"


def generate(folder: Path, schools: int, pupils: int) -> list[Path]:
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_fixtures.py"), "la-census", "--la", "873", "--schools",
         str(schools), "--pupils", str(pupils), "--term", "SPR", "--year", "2026", "-d", str(folder)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return sorted(folder.glob("*.XML"))


def load(database: Path, files: list[Path]) -> tuple[int, dict]:
    """Every file as its school's spring census version; returns the instance id and the schools by estab."""
    from domain.validation import validate_census
    from migrations import apply_all
    from models import deadline_instances, organisations
    from models.db import connect, one

    use_key(database)
    db = connect(database)
    apply_all(db)
    organisations.ensure_la(db, "873", "Cambridgeshire")
    deadline_instances.generate(db, 2026)
    instance_id = one(db, "SELECT i.id FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
                          " WHERE c.code = 'SC-SPR' AND i.academic_year = 2026")["id"]  # fmt: skip
    schools = {}
    for number, path in enumerate(files):
        estab = path.name[3:7]
        schools[estab] = organisations.create_school(db, la_code="873", estab=estab, name=f"School {estab}",
                                                     urn=200000 + number)  # fmt: skip
        store_version(db, schools[estab], instance_id, path, validate_census)
    db.conn.close()
    return instance_id, schools


def use_key(database: Path | str) -> None:
    from models import audit_key

    audit_key.use_key_file(database, Path(database).with_suffix(".audit_key"))


def store_version(db, school: dict, instance_id: int | None, path: Path, validate_census) -> int:
    """The file as a new version of the school's return for ``instance_id`` (None: a test upload)."""
    from models import returns

    records: list[dict] = []
    report = validate_census(path, on_pupil=records.append)
    content = path.read_bytes()
    sha = hashlib.sha256(content + str(time.perf_counter_ns()).encode()).hexdigest()
    job = {"organisation_id": school["id"], "instance_id": instance_id, "sha256": sha, "bytes_total": len(content),
           "original_name": path.name, "created_by": None}  # fmt: skip
    return returns.create_version(db, job=job, report=report, stored_path=f"uploads/{sha[:2]}/{sha[2:]}",
                                  pupils=records, actor=None)  # fmt: skip


def _run_queue_wait() -> float:
    """Seconds this (single-threaded) process has spent runnable but waiting for a core: the second field of
    Linux's /proc/self/schedstat (0 where there is none). Wall minus CPU minus this is time blocked (I/O)."""
    try:
        return int(Path("/proc/self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def _timed_waiting(function) -> tuple[float, float, object, float]:
    """(wall seconds, CPU seconds, result, seconds waiting for a core) of one call."""
    waited = _run_queue_wait()
    wall, cpu, result = _timed(function)
    return wall, cpu, result, _run_queue_wait() - waited


def _timed(function) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, result) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def incremental(database: Path, instance_id: int, schools: dict, files: list[Path]) -> dict:
    from domain.validation import validate_census
    from models import duplicates
    from models.db import connect, scalar

    use_key(database)
    db = connect(database)
    hooks, cpus, uploads = [], [], []
    for path in files[:: max(1, len(files) // 20)][:20]:
        school = schools[path.name[3:7]]
        wall, _, version_id = _timed(
            lambda: store_version(db, school, instance_id, path, validate_census)  # noqa: B023 - called at once
        )
        uploads.append(wall)
        wall, cpu, _ = _timed(lambda: duplicates.version_loaded(db, version_id))  # noqa: B023 - called at once
        hooks.append(wall)
        cpus.append(cpu)
    cases = scalar(db, "SELECT count(*) FROM duplicate_cases WHERE instance_id = ?", (instance_id,))
    for path in files[1 :: max(1, len(files) // TEST_UPLOADS)][:TEST_UPLOADS]:  # newer test uploads for the check
        store_version(db, schools[path.name[3:7]], None, path, validate_census)
    db.conn.close()
    return {"hook_median": statistics.median(hooks), "hook_max": max(hooks), "hook_cpu_median": statistics.median(cpus),
            "hook_cpu_max": max(cpus), "create_version_median": statistics.median(uploads), "cases": cases}  # fmt: skip


def full(database: str, instance_id: int) -> None:
    """Run in its own process: print the full detection timings (three runs) and this process's peak RSS as JSON."""
    from models import duplicates
    from models.db import connect, scalar

    use_key(database)
    db = connect(database)
    pupils = scalar(db, "SELECT count(*) FROM duplicate_pupils WHERE instance_id = ?", (instance_id,))
    runs = [_timed_waiting(lambda: duplicates.refresh(db, instance_id)) for _ in range(3)]
    detection_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    checks = [_timed_waiting(lambda: duplicates.check_test_uploads(db, instance_id, None)) for _ in range(3)]
    rebuild_s, rebuild_cpu, _ = _timed(lambda: duplicates.rebuild_instance(db, instance_id))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"pupils": pupils, "refresh_s": statistics.median(r[0] for r in runs),
                      "refresh_cpu": statistics.median(r[1] for r in runs),
                      "refresh_wait": statistics.median(r[3] for r in runs), "detection_rss_mb": detection_rss_mb,
                      "check_wait": statistics.median(c[3] for c in checks), "rebuild_s": rebuild_s,
                      "rebuild_cpu": rebuild_cpu, "rss_mb": rss_mb, "cases": runs[0][2]["cases"],
                      "check_s": statistics.median(c[0] for c in checks),
                      "check_cpu": statistics.median(c[1] for c in checks),
                      "check_uploads": len(checks[0][2]["test_uploads"]),
                      "check_cases": len(checks[0][2]["cases"])}))  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=600)
    parser.add_argument("--pupils", type=int, default=420)
    parser.add_argument("--full-only", nargs=2, metavar=("DATABASE", "INSTANCE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.full_only:
        full(args.full_only[0], int(args.full_only[1]))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder, database = Path(tmp) / "files", Path(tmp) / "bench.db"
        started = time.perf_counter()
        files = generate(folder, args.schools, args.pupils)
        print(f"generated {len(files)} files in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        instance_id, schools = load(database, files)
        print(f"loaded them as census versions (each upload's hook included) in {time.perf_counter() - started:.1f} s",
              flush=True)  # fmt: skip
        inc = incremental(database, instance_id, schools, files)
        out = subprocess.run([sys.executable, __file__, "--full-only", str(database), str(instance_id)],
                             check=True, capture_output=True, text=True, cwd=ROOT).stdout  # fmt: skip
        result = json.loads(out.strip().splitlines()[-1])
    load_average = os.getloadavg()[0]
    print(
        f"pupils on the instance: {result['pupils']:,}; cases: {result['cases']:,}; load average {load_average:.1f} "
        f"on {os.cpu_count()} cores"
    )
    print(
        f"incremental after one school's upload (duplicates hook alone, 20 schools): median "
        f"{inc['hook_median'] * 1000:.0f} ms wall, {inc['hook_cpu_median'] * 1000:.0f} ms CPU; max "
        f"{inc['hook_max'] * 1000:.0f} ms wall, {inc['hook_cpu_max'] * 1000:.0f} ms CPU "
        f"(budget {INCREMENTAL_BUDGET_S * 1000:.0f} ms)"
    )
    print(f"  a whole new version stored (pupils, findings, hook): median {inc['create_version_median'] * 1000:.0f} ms")
    print(
        f"full detection over stored keys (median of 3): {result['refresh_s']:.2f} s wall, "
        f"{result['refresh_cpu']:.2f} s CPU, {result['refresh_wait']:.2f} s waiting for a core "
        f"(budget {FULL_BUDGET_S} s)"
    )
    print(
        f"full rebuild (every key recomputed from stored pupils, then detection): {result['rebuild_s']:.1f} s wall, "
        f"{result['rebuild_cpu']:.1f} s CPU (maintenance, not budgeted)"
    )
    print(
        f"'check test uploads too' ({result['check_uploads']} schools' test uploads in place, every key copied to a "
        f"scratch table, then the same detection; median of 3): {result['check_s']:.2f} s wall, "
        f"{result['check_cpu']:.2f} s CPU, {result['check_wait']:.2f} s waiting for a core, {result['check_cases']:,} "
        "cases reported (not budgeted)"
    )
    print(
        f"peak RSS of the full detection process: {result['detection_rss_mb']:.0f} MB after the detections, "
        f"{result['rss_mb']:.0f} MB after the test uploads checks and the rebuild too (budget {RSS_BUDGET_MB} MB)"
    )
    # On this shared machine other work inflates wall time (see the load average): the verdict is on CPU time,
    # which is what the work itself costs; both are printed.
    missed = (result["refresh_cpu"] >= FULL_BUDGET_S or result["detection_rss_mb"] >= RSS_BUDGET_MB
              or inc["hook_cpu_max"] >= INCREMENTAL_BUDGET_S)  # fmt: skip
    print("MISSED a budget" if missed else "within budget")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
