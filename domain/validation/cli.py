"""Command-line validation of one file: ``main(path, kind, school, fmt, out) -> exit code``.

Exit codes: 0 no errors (queries allowed), 1 errors found, 2 file refused or bad options.
The Flask command ``flask --app app validate FILE`` calls ``main``; it can also be run as
``python -m validation.cli FILE [--kind census|workforce|ctf] [--school DFENUMBER] [--format text|json]``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TextIO

from domain.validation.dispatch import validate
from domain.validation.file_names import base_name
from domain.validation.kinds import KINDS, PEOPLE, WORKFORCE
from domain.validation.report import Finding, Report, year_group_order
from domain.validation.rules import get_rule
from domain.validation.safe_xml import FileRefused

EXIT_OK, EXIT_ERRORS, EXIT_REFUSED = 0, 1, 2
_KIND_NAMES = {"census": "School Census return", "ctf": "Common Transfer File (CTF)",
               "workforce": "School Workforce Census return"}


def main(path: str | os.PathLike, kind: str | None = None, school: str | int | None = None, fmt: str = "text",
         out: TextIO = sys.stdout) -> int:
    """Validate the file at ``path`` and write the result to ``out`` as text or JSON.

    ``kind`` is "census", "workforce" or "ctf" (None: detected from the file); ``school`` the
    uploading school's 7-digit DfE number. Returns 0 when there are no errors, 1 when there
    are, 2 when the file is refused or an option is invalid (with a one-line reason, never a
    traceback). Never raises for a bad file.
    """
    try:
        report = validate(path, kind, school=school)
    except (FileRefused, ValueError) as exc:
        reason = exc.reason if isinstance(exc, FileRefused) else f"Cannot validate: {exc}."
        if fmt == "json":
            out.write(json.dumps({"refused": reason}) + "\n")
        else:
            out.write(f"{base_name(os.fspath(path))}: refused. {reason}\n")
        return EXIT_REFUSED
    if fmt == "json":
        out.write(json.dumps(report.to_json_dict(), indent=1, ensure_ascii=False) + "\n")
    else:
        out.write(format_text(report, base_name(os.fspath(path))))
    return EXIT_ERRORS if report.errors else EXIT_OK


def format_text(report: Report, name: str) -> str:
    """A readable summary of ``report`` for the file called ``name``, then every finding."""
    one, _, _ = PEOPLE[report.kind]
    lines = [f"{name}: {_KIND_NAMES[report.kind]}, {report.pupils} {one}(s)",
             f"{report.errors} error(s), {report.queries} query(ies)"]
    lines += _summary_lines(report)
    if report.findings:
        lines += ["", "Counts by rule:"]
        lines += [f"  {rule:<20} {count:>6}  {get_rule(rule).title}" for rule, count in report.counts_by_rule().items()]
        lines += ["", "Findings:"]
        for finding in report.findings:
            lines += _finding_lines(finding, report.kind)
    return "\n".join(lines) + "\n"


def _summary_lines(report: Report) -> list[str]:
    """Pupils by year group (staff by post) and sex, and the age range, for a quick sanity check."""
    summary = report.summary
    if not summary.by_year_and_sex:
        return []
    grouping = "Staff by post" if report.kind == WORKFORCE else "Pupils by year group"
    lines = ["", f"{grouping} (F / M / unknown sex):"]
    for year in sorted(summary.by_year_and_sex, key=year_group_order):
        row = summary.by_year_and_sex[year]
        lines.append(f"  {year:<8} {row.get('F', 0):>6} {row.get('M', 0):>6} {row.get('unknown', 0):>6}")
    if summary.min_age is not None and summary.age_on is not None:
        lines.append(f"Ages {summary.min_age} to {summary.max_age} on {summary.age_on.isoformat()}")
    return lines


def _finding_lines(finding: Finding, kind: str) -> list[str]:
    """One finding: severity, rule, which pupil (or member of staff), then the message and how to fix it."""
    who = "the whole file"
    if finding.pupil is not None:
        one, _, key = PEOPLE[kind]
        who = f"{one} {finding.pupil}, {finding.name or 'no name'}, {key} {finding.upn or 'missing'}"
    return [f"{finding.severity.upper()} {finding.rule} ({who})",
            f"    {finding.message}",
            f"    How to fix: {finding.fix}"]


def run(argv: list[str] | None = None) -> int:
    """Parse command-line arguments and call ``main``."""
    parser = argparse.ArgumentParser(prog="python -m validation.cli",
                                     description="Validate a census return, workforce return or CTF.")
    parser.add_argument("file")
    parser.add_argument("--kind", choices=KINDS)
    parser.add_argument("--school", help="the uploading school's 7-digit DfE number, e.g. 8734001")
    parser.add_argument("--format", dest="fmt", choices=["text", "json"], default="text")
    args = parser.parse_args(argv)
    return main(args.file, kind=args.kind, school=args.school, fmt=args.fmt)


if __name__ == "__main__":
    sys.exit(run())
