"""Validator throughput and memory on the 100,000-pupil CTF (issue 5).

Generates the CTF with tools/make_fixtures.py into a temporary folder, then times, in the same
run and each in a fresh child process (so one cannot inflate another's peak memory):

* bare loop (record): lxml ``iterparse`` with the same safe settings, filtered to ``Pupil``,
  clearing each record and the ones before it -- the cheapest streaming loop possible;
* bare loop (every element): ``iterparse`` over every end event, clearing each element;
* fields only: the validator's own streaming and field reading, with no rules (the floor for
  any validator that reads each pupil's fields in Python);
* the CTF validator (``validation.validate_ctf``).

Runs are interleaved and repeated; the best of each is used. Throughput is file size over CPU
time (user + system of the measured loop), which other work on a shared machine disturbs far
less than wall time; wall-clock figures are printed too. Prints the validator's share of each
bare loop's throughput (budget: at least 50%) and its peak RSS (budget: at most 150 MB). Exit
code 1 if the validator misses the RSS budget or the 50% budget against the every-element loop.

Usage: .venv/bin/python bench/validator_bench.py [--pupils 100000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RATIO_BUDGET = 0.50
RSS_BUDGET_MB = 150
MODES = ("bare-record", "bare-every", "fields-only", "validator")


def _bare_record_loop(path: Path) -> int:
    from lxml import etree

    from domain.validation.safe_xml import PARSER_SETTINGS

    count = 0
    with open(path, "rb") as f:
        for _, element in etree.iterparse(f, events=("end",), tag="Pupil", **PARSER_SETTINGS):
            count += 1
            element.clear()
            parent = element.getparent()
            while element.getprevious() is not None:
                del parent[0]
    return count


def _bare_every_loop(path: Path) -> int:
    from lxml import etree

    from domain.validation.safe_xml import PARSER_SETTINGS

    count = 0
    with open(path, "rb") as f:
        for _, element in etree.iterparse(f, events=("end",), **PARSER_SETTINGS):
            count += 1
            element.clear()
    return count


def _fields_only(path: Path) -> int:
    from domain.validation.ctf import PUPIL_CONTAINERS
    from domain.validation.records import flatten
    from domain.validation.safe_xml import open_xml

    count = 0
    with open_xml(path) as xml:
        for element in xml.records(("Header", "Pupil")):
            if element.tag == "Pupil":
                flatten(element, PUPIL_CONTAINERS, {})
                count += 1
    return count


def _validator(path: Path) -> int:
    from domain.validation import validate_ctf

    report = validate_ctf(path, today=dt.date(2027, 3, 2))
    return report.pupils


def child(mode: str, path: Path) -> None:
    """Run one measurement and print wall and CPU seconds, count and this process's peak RSS as JSON."""
    sys.path.insert(0, str(ROOT))
    modules = ("lxml.etree", "domain.validation", "domain.validation.ctf", "domain.validation.records",
               "domain.validation.safe_xml")
    for module in modules:
        importlib.import_module(module)  # imported before the clock starts, for every loop alike
    run = {"bare-record": _bare_record_loop, "bare-every": _bare_every_loop, "fields-only": _fields_only,
           "validator": _validator}[mode]
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


def generate(folder: Path, pupils: int) -> Path:
    """The benchmark CTF, written by the project's fixture generator."""
    path = folder / "873LLLL_CTF_8732002_001.xml"
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_fixtures.py"), "ctf", "--la", "873", "--estab", "LLLL",
                    "--to", "8732002", "--pupils", str(pupils), "-o", str(path)], check=True, capture_output=True)
    return path


def report(path: Path, runs: dict[str, list[dict]]) -> bool:
    """Print the figures; return True when the validator meets its budgets."""
    size_mb = path.stat().st_size / 1e6
    wall = {mode: min(r["seconds"] for r in runs[mode]) for mode in MODES}
    cpu = {mode: min(r["cpu"] for r in runs[mode]) for mode in MODES}
    speed = {mode: size_mb / cpu[mode] for mode in MODES}
    peak_mb = max(r["peak_mb"] for r in runs["validator"])
    lines = [f"file: {path.name}, {size_mb:.1f} MB, {runs['validator'][0]['count']:,} pupils; "
             f"best of {len(runs['validator'])} runs each"]
    for mode in MODES:
        lines.append(f"{mode:<12} CPU {cpu[mode]:5.2f} s = {speed[mode]:5.1f} MB/s   wall {wall[mode]:5.2f} s = "
                     f"{size_mb / wall[mode]:5.1f} MB/s   peak RSS {max(r['peak_mb'] for r in runs[mode]):4.0f} MB")
    verdict = {True: "met", False: "NOT met"}
    for loop in ("bare-record", "bare-every"):
        share = speed["validator"] / speed[loop]
        lines.append(f"validator / {loop}: {share:4.0%} (budget {RATIO_BUDGET:.0%}: {verdict[share >= RATIO_BUDGET]}; "
                     f"fields-only reaches {speed['fields-only'] / speed[loop]:.0%})")
    ok_every = speed["validator"] / speed["bare-every"] >= RATIO_BUDGET
    ok_rss = peak_mb <= RSS_BUDGET_MB
    lines.append(f"validator peak RSS: {peak_mb:.0f} MB (budget {RSS_BUDGET_MB} MB: {verdict[ok_rss]})")
    sys.stdout.write("\n".join(lines) + "\n")
    return ok_every and ok_rss


def main(argv: list[str] | None = None) -> int:
    """Generate the file, measure every mode ``--repeat`` times interleaved, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    with tempfile.TemporaryDirectory(prefix="gatehouse-bench-") as folder:
        path = generate(Path(folder), args.pupils)
        runs: dict[str, list[dict]] = {mode: [] for mode in MODES}
        for _ in range(args.repeat):
            for mode in MODES:
                runs[mode].append(measure(mode, path))
        return 0 if report(path, runs) else 1


if __name__ == "__main__":
    sys.exit(main())
