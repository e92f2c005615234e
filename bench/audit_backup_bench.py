"""Audit log and backup figures on a large log: `.venv/bin/python bench/audit_backup_bench.py [ROWS]`.

Builds a temporary database with ROWS (default 300,000) audit rows over 300 schools, chained
with HMAC-SHA-256 under a temporary audit key, then measures, each the median of five runs where cheap:

- one page of /audit's query (models.audit.search): newest page, a deep page, and with
  each filter (action, actor email, organisation, target text, a one-week date range);
- the action list for the filter's select (models.audit.distinct_actions);
- `audit verify` over the whole chain (models.audit.verify_chain) and the CSV export rate;
- writing one audit row (models.audit.record) inside a caller's transaction, and in its own;
- `backup` of the database plus 200 stored files (100 MB) while another thread keeps
  committing writes, and `restore` of that backup into an empty instance.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backup import create, restore  # noqa: E402
from domain.security import audit_chain  # noqa: E402
from migrations import apply_all  # noqa: E402
from models import audit, audit_key, organisations  # noqa: E402
from models.db import connect, transaction  # noqa: E402

ACTIONS = ("sign_in", "sign_in_failed", "file_uploaded", "user_created", "deadline_changed", "password_changed")


def build(db, rows: int, key: bytes) -> None:
    la = organisations.ensure_la(db, "873", "Cambridgeshire")
    schools = [
        organisations.create_school(db, la_code="873", estab=f"{2000 + n}", name=f"School {n}", urn=100000 + n)
        for n in range(300)
    ]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    prev = audit.GENESIS
    batch = []
    with transaction(db):
        for n in range(rows):
            school = schools[n % len(schools)] if n % 7 else la
            row = {
                "at": (start + timedelta(seconds=60 * n)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "actor_id": None,
                "actor_email": f"user{n % 5000}@{school['dfe_number']}.example.sch.uk",
                "organisation_id": school["id"],
                "action": ACTIONS[n % len(ACTIONS)],
                "target": f"file-{n}.xml" if n % 3 else f"person{n}@example.sch.uk",
                "ip": f"10.0.{n % 256}.{n % 200}",
                "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
                "detail": None,
            }
            row["prev_hash"] = prev
            row["hash"] = prev = audit_chain.keyed_link(key, prev, [row[f] for f in audit.FIELDS])
            batch.append(row)
            if len(batch) == 10_000:
                _insert(db, batch)
                batch = []
        _insert(db, batch)


def _insert(db, batch: list[dict]) -> None:
    db.conn.executemany(
        "INSERT INTO audit_log (at, actor_id, actor_email, organisation_id, action, target, ip, user_agent, detail,"
        " prev_hash, hash) VALUES (:at, :actor_id, :actor_email, :organisation_id, :action, :target, :ip,"
        " :user_agent, :detail, :prev_hash, :hash)",
        batch,
    )


def median_ms(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_search(db, rows: int) -> None:
    middle = rows // 2
    cases = {
        "newest page, no filter": (audit.Filters(), None),
        f"page before id {middle:,}": (audit.Filters(), middle),
        "action = file_uploaded": (audit.Filters(action="file_uploaded"), None),
        "actor email contains 'user4999@'": (audit.Filters(actor_email="user4999@"), None),
        "organisation 'School 299'": (audit.Filters(organisation="School 299"), None),
        "target contains 'person299999'": (audit.Filters(target="person299999"), None),
        "one week, 2025-03-01..07": (audit.Filters(date_from=date(2025, 3, 1), date_to=date(2025, 3, 7)), None),
        "rare target (no match: full scan)": (audit.Filters(target="no-such-thing"), None),
    }
    for label, (filters, before) in cases.items():
        found = audit.search(db, filters, before=before)
        ms = median_ms(lambda f=filters, b=before: audit.search(db, f, before=b))
        print(f"  search {label:<38} {ms:8.1f} ms  ({len(found['rows'])} rows)")
    print(f"  distinct actions for the select          {median_ms(lambda: audit.distinct_actions(db)):8.2f} ms")


def bench_chain_and_export(db, rows: int) -> None:
    start = time.perf_counter()
    report = audit.verify_chain(db)
    seconds = time.perf_counter() - start
    assert report.intact and report.rows_checked == rows
    print(f"  verify {rows:,} rows: {seconds:.2f} s ({rows / seconds:,.0f} rows/s)")
    start = time.perf_counter()
    size = sum(len(line) for line in audit.csv_lines(audit.iter_matching(db, audit.Filters())))
    seconds = time.perf_counter() - start
    print(f"  CSV export {rows:,} rows ({size / 1e6:.0f} MB): {seconds:.2f} s ({rows / seconds:,.0f} rows/s)")


def bench_record(db) -> None:
    def inside(n: int = 1000) -> None:
        with transaction(db):
            for i in range(n):
                audit.record(db, "bench_record", actor={"id": 1, "email": "a@b.sch.uk"}, target=f"t{i}",
                             ip="10.0.0.1", user_agent="Mozilla/5.0", detail={"n": i})

    def alone(n: int = 100) -> None:
        for i in range(n):
            audit.record(db, "bench_record", target=f"t{i}", detail={"n": i})

    print(f"  write one audit row in the caller's transaction {median_ms(inside, 7):8.1f} us")
    print(f"  write one audit row in its own transaction      {median_ms(alone, 5) * 10:8.1f} us")


def _writer(path: Path, stop: threading.Event, counts: list[int]) -> None:
    db = connect(path)
    try:
        while not stop.is_set():
            audit.record(db, "bench_write", target=str(counts[0]))
            counts[0] += 1
    finally:
        db.conn.close()


def bench_backup(tmp: Path, db_path: Path) -> None:
    files = tmp / "files"
    for n in range(200):
        (files / f"{n % 16:02x}").mkdir(parents=True, exist_ok=True)
        (files / f"{n % 16:02x}" / f"upload-{n}.xml").write_bytes(os.urandom(500_000))
    stop, counts = threading.Event(), [0]
    writer = threading.Thread(target=_writer, args=(db_path, stop, counts))
    writer.start()
    time.sleep(0.2)
    start = time.perf_counter()
    manifest = create.create_backup(db_path, files, tmp / "backup")
    seconds = time.perf_counter() - start
    during = counts[0]
    time.sleep(0.2)
    stop.set()
    writer.join()
    size = manifest["database"]["size"] / 1e6
    print(
        f"  backup under a writer: {seconds:.2f} s for a {size:.0f} MB database + 200 files (100 MB); "
        f"the writer committed {counts[0]:,} rows meanwhile ({during:,} before the backup ended)"
    )
    start = time.perf_counter()
    audit_key.use_key_file(tmp / "restored" / "gatehouse.db", tmp / "restored" / audit_key.FILE_NAME)
    restore.restore_backup(tmp / "backup", tmp / "restored" / "gatehouse.db", tmp / "restored" / "files")
    print(f"  restore into an empty instance (verify, stage, checks): {time.perf_counter() - start:.2f} s")


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    with tempfile.TemporaryDirectory(prefix="audit-bench-") as folder:
        tmp = Path(folder)
        db_path = tmp / "gatehouse.db"
        audit_key.use_key_file(db_path, tmp / audit_key.FILE_NAME)
        key = audit_key.create_key(tmp / audit_key.FILE_NAME)
        db = connect(db_path)
        apply_all(db)
        start = time.perf_counter()
        build(db, rows, key)
        print(f"built {rows:,} chained audit rows in {time.perf_counter() - start:.1f} s")
        bench_search(db, rows)
        bench_chain_and_export(db, rows)
        bench_record(db)
        db.conn.close()
        bench_backup(tmp, db_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
