"""School Census validation at full depth (issue 12): throughput and memory on a complete generated census of at
least 50 MB.

Generates, with tools/make_fixtures.py, a primary school's autumn census with every section (characteristics,
FSM periods, status, SEN, attendance with reasons, exclusions, early years for the nursery pupils, leavers), then
times, in the same run, each in a fresh child process (so one cannot inflate another's peak memory), interleaved
and repeated (best of each used):

* bare-every: lxml ``iterparse`` with the validator's safe settings over every element, clearing each one (the
  loop of ``validator_bench``);
* records-only: the validator's own streaming of headers, school and pupils, reading nothing;
* read-only: the same plus reading each pupil's whole content (``census_records.read_content``), no rules;
* validator: ``validate_census`` with every rule.

Throughput is file size over CPU time (user + system) of the measured loop, which other work on a shared machine
disturbs far less than wall time (wall figures are printed too). Budgets: validator at least 50% of bare-every's
throughput, peak RSS at most 150 MB; exit code 1 if either is missed.

Usage: .venv/bin/python bench/census_validation_bench.py [--pupils 31000] [--nursery 1500] [--repeat 5]
"""
from __future__ import annotations

import argparse
import importlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.validator_bench import _bare_every_loop  # noqa: E402

RATIO_BUDGET = 0.50
RSS_BUDGET_MB = 150
SIZE_MB = 50
MODES = ("bare-every", "records-only", "read-only", "validator")
TAGS = ("Header", "School", "PupilOnRoll", "PupilNoLongerOnRoll")


def _records_only(path: Path, read: bool = False) -> int:
    from domain.validation.census_records import read_content
    from domain.validation.safe_xml import open_xml

    count = 0
    with open_xml(path) as xml:
        for element in xml.records(TAGS):
            if read:
                read_content(element)
            count += 1
    return count


def _validator(path: Path) -> int:
    from domain.validation import validate_census

    report = validate_census(path)
    if report.errors:
        raise SystemExit(f"the generated census has {report.errors} errors: it should have none")
    return report.pupils


def child(mode: str, path: Path) -> None:
    """Run one measurement and print wall and CPU seconds, count and this process's peak RSS as JSON."""
    for module in ("lxml.etree", "domain.validation", "domain.validation.census", "domain.validation.census_content",
                   "domain.validation.census_records", "domain.validation.safe_xml"):
        importlib.import_module(module)  # imported before the clock starts, for every loop alike
    from domain.validation.code_lists import cbds_lists

    cbds_lists(2026)  # the code lists are read once per process: not part of any loop
    run = {"bare-every": _bare_every_loop, "records-only": _records_only,
           "read-only": lambda p: _records_only(p, read=True), "validator": _validator}[mode]
    started, cpu_started = time.perf_counter(), time.process_time()
    count = run(path)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write(json.dumps({"seconds": seconds, "cpu": cpu, "count": count, "peak_mb": peak_mb}) + "\n")


def measure(mode: str, path: Path) -> dict:
    """One measurement in a fresh Python process."""
    result = subprocess.run([sys.executable, __file__, "--child", mode, str(path)], check=True,
                            capture_output=True, text=True, cwd=ROOT)
    return json.loads(result.stdout)


def generate(folder: Path, pupils: int, nursery: int) -> Path:
    """The benchmark census, written by the project's fixture generator (no seeded problems)."""
    path = folder / "8732001_SC3_873LL26_001.XML"
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_fixtures.py"), "census", "--la", "873", "--estab",
                    "2001", "--term", "AUT", "--year", "2026", "--pupils", str(pupils), "--nursery", str(nursery),
                    "-o", str(path)], check=True, capture_output=True)
    return path


def report(path: Path, runs: dict[str, list[dict]]) -> bool:
    """Print the figures; return True when the validator meets its budgets."""
    size_mb = path.stat().st_size / 1e6
    cpu = {mode: min(r["cpu"] for r in runs[mode]) for mode in MODES}
    wall = {mode: min(r["seconds"] for r in runs[mode]) for mode in MODES}
    speed = {mode: size_mb / cpu[mode] for mode in MODES}
    peak_mb = max(r["peak_mb"] for r in runs["validator"])
    lines = [f"file: {path.name}, {size_mb:.1f} MB, {runs['validator'][0]['count']:,} pupils on roll; "
             f"best of {len(runs['validator'])} runs each"]
    for mode in MODES:
        lines.append(f"{mode:<13} CPU {cpu[mode]:5.2f} s = {speed[mode]:5.1f} MB/s   wall {wall[mode]:5.2f} s = "
                     f"{size_mb / wall[mode]:5.1f} MB/s   peak RSS {max(r['peak_mb'] for r in runs[mode]):4.0f} MB")
    share = speed["validator"] / speed["bare-every"]
    ok_share, ok_rss, ok_size = share >= RATIO_BUDGET, peak_mb <= RSS_BUDGET_MB, size_mb >= SIZE_MB
    verdict = {True: "met", False: "NOT met"}
    lines.append(f"validator / bare-every: {share:4.0%} (budget {RATIO_BUDGET:.0%}: {verdict[ok_share]})")
    lines.append(f"validator peak RSS: {peak_mb:.0f} MB (budget {RSS_BUDGET_MB} MB: {verdict[ok_rss]})")
    lines.append(f"file size: {size_mb:.1f} MB (at least {SIZE_MB} MB: {verdict[ok_size]})")
    sys.stdout.write("\n".join(lines) + "\n")
    return ok_share and ok_rss and ok_size


def main(argv: list[str] | None = None) -> int:
    """Generate the file, measure every mode ``--repeat`` times interleaved, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=31_000)
    parser.add_argument("--nursery", type=int, default=1_500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    with tempfile.TemporaryDirectory(prefix="gatehouse-bench-") as folder:
        path = generate(Path(folder), args.pupils, args.nursery)
        runs: dict[str, list[dict]] = {mode: [] for mode in MODES}
        for _ in range(args.repeat):
            for mode in MODES:
                runs[mode].append(measure(mode, path))
        return 0 if report(path, runs) else 1


if __name__ == "__main__":
    sys.exit(main())
