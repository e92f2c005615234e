"""Issue 2 budget: `import-gias` of a 10,000-row extract for ten LAs into a fresh database, under 10 s.

Generates the extract with tools/make_fixtures.py (1,000 schools in each of ten LAs) into a
temporary folder, then three times: a fresh database, `flask --app app migrate` (not timed),
and the timed command, run as a user would run it:

    flask --app app import-gias FILE --la 873,855,886,201,202,203,204,205,206,207

Reports the median wall time of the three (Python and app start-up included, also timed on
its own), and the median of a second import of the same file into the now-full database
(every school compared, none changed). Usage: `.venv/bin/python bench/gias_import_bench.py`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAS = "873,855,886,201,202,203,204,205,206,207"
SCHOOLS_PER_LA = 1000
RUNS = 3
BUDGET_S = 10.0


def flask(*args: str, database: Path) -> subprocess.CompletedProcess:
    """Run ``flask --app app ARGS`` against ``database``; raise when it fails."""
    env = {**os.environ, "GATEHOUSE_DATABASE": str(database), "GATEHOUSE_FILES_DIR": str(database.parent / "files")}
    command = [str(Path(sys.executable).with_name("flask")), "--app", "app", *args]
    return subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)


def timed(*args: str, database: Path) -> tuple[float, str]:
    start = time.perf_counter()
    result = flask(*args, database=database)
    return time.perf_counter() - start, result.stdout


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="gias-bench-") as tmp:
        extract = Path(tmp) / "edubasealldata.csv"
        subprocess.run(
            [sys.executable, str(ROOT / "tools" / "make_fixtures.py"), "gias", "--la", LAS,
             "--schools", str(SCHOOLS_PER_LA), "-o", str(extract)],
            check=True, capture_output=True,
        )  # fmt: skip
        size_mb = extract.stat().st_size / 1e6
        first, again, startup, summary = [], [], [], ""
        for run in range(RUNS):
            database = Path(tmp) / f"run{run}" / "gatehouse.db"
            database.parent.mkdir()
            flask("migrate", database=database)
            seconds, summary = timed("import-gias", str(extract), "--la", LAS, database=database)
            first.append(seconds)
            startup.append(timed("import-gias", "--help", database=database)[0])
            seconds, _ = timed("import-gias", str(extract), "--la", LAS, database=database)
            again.append(seconds)
    print(f"extract: {SCHOOLS_PER_LA * len(LAS.split(','))} rows, {size_mb:.1f} MB, ten LAs")
    print(summary.rstrip())
    print(f"import into a fresh database: median {statistics.median(first):.2f} s of {RUNS} "
          f"({', '.join(f'{s:.2f}' for s in first)})")
    print(f"same file again (all unchanged): median {statistics.median(again):.2f} s of {RUNS} "
          f"({', '.join(f'{s:.2f}' for s in again)})")
    print(f"of which start-up (flask --app app import-gias --help): median {statistics.median(startup):.2f} s")
    ok = statistics.median(first) < BUDGET_S
    print(f"budget (< {BUDGET_S:.0f} s) met" if ok else "BUDGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
